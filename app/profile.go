package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// profileStore keeps the profile in a JSON file in the user's config
// directory, so the nickname survives restarts.
type profileStore struct {
	path string
}

// profileFile is what profile.json holds.
type profileFile struct {
	Nick string `json:"nick"`
	// ClientID identifies this app to hosts, across restarts: a host
	// recognises a message resent after the app was closed and reopened.
	ClientID string `json:"client_id,omitempty"`
	// Interfaces, when set, are the network interfaces discovery uses
	// instead of the automatic choice (e.g. ["eth0"]); see
	// docs/networking.md.
	Interfaces []string `json:"interfaces,omitempty"`
}

func (p profileStore) load() (profileFile, error) {
	var prof profileFile
	b, err := os.ReadFile(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		return prof, nil
	}
	if err != nil {
		return prof, fmt.Errorf("read profile: %w", err)
	}
	if err := json.Unmarshal(b, &prof); err != nil {
		return profileFile{}, fmt.Errorf("read profile %s: %w", p.path, err)
	}
	return prof, nil
}

// save writes the profile atomically: a crash never leaves half a file.
func (p profileStore) save(prof profileFile) error {
	if err := os.MkdirAll(filepath.Dir(p.path), 0o700); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	b, err := json.MarshalIndent(prof, "", "  ")
	if err != nil {
		return err
	}
	tmp := p.path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	if err := os.Rename(tmp, p.path); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return nil
}

// DefaultConfigDir is where Parley keeps its settings: $XDG_CONFIG_HOME/parley
// or the platform's equivalent.
func DefaultConfigDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(dir, "parley"), nil
}
