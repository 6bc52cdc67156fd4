//go:build !unix && !windows

package store

import "os"

// openLocked only opens path: this platform has no advisory locks that the
// standard library reaches, so only the in-process check protects the
// database.
func openLocked(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
