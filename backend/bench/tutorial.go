package bench

import (
	_ "embed"
	"os"
	"path/filepath"
)

// tutorialServer is the original tutorial's Python server, the baseline
// Parley's users come from.
//
//go:embed tutorial_server.py
var tutorialServer []byte

// WriteTutorialServer writes the tutorial server's script into dir and
// returns its path.
func WriteTutorialServer(dir string) (string, error) {
	path := filepath.Join(dir, "tutorial_server.py")
	return path, os.WriteFile(path, tutorialServer, 0o644)
}
