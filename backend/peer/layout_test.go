package peer

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection keeps the layout honest: chat depends on the
// standard library only; server and client never import each other;
// nothing in backend imports the app layer or Wails.
func TestDependencyDirection(t *testing.T) {
	const mod = "github.com/parley-lan/parley/"
	rules := []struct {
		pkg       string
		forbidden []string
		stdOnly   bool
	}{
		{pkg: "backend/chat", stdOnly: true},
		{pkg: "backend/protocol", forbidden: []string{"backend/server", "backend/client", "backend/discovery", "backend/peer"}},
		{pkg: "backend/server", forbidden: []string{"backend/client", "backend/discovery", "backend/peer"}},
		{pkg: "backend/client", forbidden: []string{"backend/server", "backend/discovery", "backend/peer"}},
		{pkg: "backend/discovery", forbidden: []string{"backend/server", "backend/client", "backend/peer", "backend/protocol"}},
		{pkg: "backend/peer", forbidden: []string{"app"}},
	}
	for _, r := range rules {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "../../"+r.pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", r.pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == mod+r.pkg {
				continue
			}
			if r.stdOnly {
				t.Errorf("%s imports %s; it may use the standard library only", r.pkg, dep)
			}
			if strings.Contains(dep, "wailsapp") {
				t.Errorf("%s imports %s; backend must not depend on Wails", r.pkg, dep)
			}
			for _, f := range r.forbidden {
				if dep == mod+f || strings.HasPrefix(dep, mod+f+"/") {
					t.Errorf("%s imports %s", r.pkg, dep)
				}
			}
		}
	}
}
