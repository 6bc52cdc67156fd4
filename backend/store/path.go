package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// DefaultPath returns where Parley keeps its database: in the user's data
// directory, $XDG_DATA_HOME/parley/parley.db or else
// ~/.local/share/parley/parley.db on Linux and the BSDs,
// ~/Library/Application Support/Parley/parley.db on macOS and
// %AppData%\Parley\parley.db on Windows. It does not create anything.
func DefaultPath() (string, error) {
	home, _ := os.UserHomeDir() // Checked by defaultPath where it is needed.
	return defaultPath(runtime.GOOS, os.Getenv, home)
}

// defaultPath is DefaultPath with its inputs made explicit for tests.
func defaultPath(goos string, getenv func(string) string, home string) (string, error) {
	switch goos {
	case "windows":
		dir := getenv("AppData")
		if dir == "" {
			return "", errors.New("default database path: %AppData% is not set")
		}
		return filepath.Join(dir, "Parley", "parley.db"), nil
	case "darwin", "ios":
		if home == "" {
			return "", errors.New("default database path: home directory is not known")
		}
		return filepath.Join(home, "Library", "Application Support", "Parley", "parley.db"), nil
	}
	if dir := getenv("XDG_DATA_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "parley", "parley.db"), nil
	}
	if home == "" {
		return "", errors.New("default database path: neither $XDG_DATA_HOME nor $HOME is set")
	}
	return filepath.Join(home, ".local", "share", "parley", "parley.db"), nil
}
