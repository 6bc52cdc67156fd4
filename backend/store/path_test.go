package store

import (
	"path/filepath"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	tests := []struct {
		goos string
		env  map[string]string
		home string
		want string // "" means an error
	}{
		{"linux", map[string]string{"XDG_DATA_HOME": "/xdg"}, "/home/u", filepath.Join("/xdg", "parley", "parley.db")},
		{"linux", nil, "/home/u", filepath.Join("/home/u", ".local", "share", "parley", "parley.db")},
		{"linux", map[string]string{"XDG_DATA_HOME": "relative"}, "/home/u", filepath.Join("/home/u", ".local", "share", "parley", "parley.db")},
		{"freebsd", nil, "/home/u", filepath.Join("/home/u", ".local", "share", "parley", "parley.db")},
		{"linux", nil, "", ""},
		{"darwin", map[string]string{"XDG_DATA_HOME": "/xdg"}, "/Users/u", filepath.Join("/Users/u", "Library", "Application Support", "Parley", "parley.db")},
		{"darwin", nil, "", ""},
		{"windows", map[string]string{"AppData": `C:\Users\u\AppData\Roaming`}, `C:\Users\u`, filepath.Join(`C:\Users\u\AppData\Roaming`, "Parley", "parley.db")},
		{"windows", nil, `C:\Users\u`, ""},
	}
	for _, tt := range tests {
		got, err := defaultPath(tt.goos, func(k string) string { return tt.env[k] }, tt.home)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("defaultPath(%s, %v, %q): got %q, %v, want %q", tt.goos, tt.env, tt.home, got, err, tt.want)
		}
	}
}

func TestDefaultPathHere(t *testing.T) {
	p, err := DefaultPath()
	if err != nil {
		t.Skipf("no default path here: %v", err)
	}
	if !filepath.IsAbs(p) || filepath.Base(p) != "parley.db" {
		t.Errorf("DefaultPath() = %q, want an absolute path to parley.db", p)
	}
}
