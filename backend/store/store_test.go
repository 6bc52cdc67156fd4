package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

func TestOpenCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s := openAt(t, filepath.Join(dir, "parley.db"), Options{})
	if got, want := s.Path(), filepath.Join(dir, "parley.db"); got != want {
		t.Errorf("Path() = %v, want %v", got, want)
	}
	if runtime.GOOS == "windows" {
		return
	}
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{
		{dir, 0o700 | os.ModeDir},
		{s.Path(), 0o600},
		{s.Path() + "-wal", 0o600},
		{s.Path() + ".lock", 0o600},
	} {
		st, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode() & (os.ModeDir | os.ModePerm); got != f.mode {
			t.Errorf("mode of %s: got %v, want %v", f.path, got, f.mode)
		}
	}
}

func TestOpenRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	s := openAt(t, "rel.db", Options{})
	if !filepath.IsAbs(s.Path()) {
		t.Errorf("Path() = %v, want an absolute path", s.Path())
	}
}

func TestOpenOddPath(t *testing.T) {
	// Characters that mean something in a file: URI.
	path := filepath.Join(t.TempDir(), "a b?c#d%20e", "café 🦊.db")
	s := openAt(t, path, Options{})
	mustAppend(t, s.Log("r"), entries(1, 1))
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %s: %v", path, err)
	}
}

func TestOpenInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		path string
		opts Options
	}{
		{"empty path", "", Options{}},
		{"negative keep", tempDB(t), Options{KeepMessages: -1}},
		{"negative page count", tempDB(t), Options{MaxPageCount: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(tt.path, tt.opts)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Open: got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	s, err := Open(tempDB(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
}

func TestUseAfterClose(t *testing.T) {
	s, err := Open(tempDB(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	l := s.Log("r")
	calls := map[string]error{
		"Append":   l.Append(entries(1, 1)),
		"SaveRoom": s.SaveRoom(HostedRoom{Room: chat.Room{ID: "r", Name: "R"}}),
		"PutState": s.PutState("k", []byte("v")),
	}
	_, calls["LastSeq"] = l.LastSeq()
	_, calls["After"] = l.After(0, 10)
	_, calls["Before"] = l.Before(10, 10)
	_, calls["Recent"] = l.Recent(10)
	_, _, calls["Lookup"] = l.Lookup("c1", "m1")
	_, _, calls["FindRoom"] = s.FindRoom("R")
	_, calls["Rooms"] = s.Rooms()
	_, _, calls["GetState"] = s.GetState("k")
	for name, err := range calls {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: got %v, want ErrClosed", name, err)
		}
	}
}

// TestReopenKeepsEverything is the restart of a host: identity, sequence
// numbers, history and app state all come back.
func TestReopenKeepsEverything(t *testing.T) {
	path := tempDB(t)
	room := HostedRoom{
		Room:     chat.Room{ID: "0123456789abcdef", Name: "Café 🦊", Host: "zoë"},
		Port:     40123,
		LastUsed: time.UnixMilli(1_700_000_123_456),
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRoom(room); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s.Log(room.ID), entries(1, 50))
	if err := s.PutState("outbox", []byte(`[{"id":"x"}]`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path, Options{})
	got, ok, err := s.FindRoom("CAFÉ 🦊")
	if err != nil || !ok {
		t.Fatalf("FindRoom after reopen: %v, %v", ok, err)
	}
	if got.ID != room.ID || got.Name != room.Name || got.Host != room.Host || got.Port != room.Port || !got.LastUsed.Equal(room.LastUsed) {
		t.Errorf("room after reopen: got %+v, want %+v", got, room)
	}
	l := s.Log(room.ID)
	if got := lastSeqOf(t, l); got != 50 {
		t.Errorf("LastSeq after reopen: got %v, want %v", got, 50)
	}
	recent, err := l.Recent(100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 50 || recent[0] != entry(1) || recent[49] != entry(50) {
		t.Errorf("Recent after reopen: got %d entries %v", len(recent), entrySeqs(recent))
	}
	if v, ok, err := s.GetState("outbox"); err != nil || !ok || string(v) != `[{"id":"x"}]` {
		t.Errorf("GetState after reopen: got %q, %v, %v", v, ok, err)
	}
	mustAppend(t, l, entries(51, 51))
}

func TestSchemaVersion(t *testing.T) {
	if got, want := len(migrations), schemaVersion; got != want {
		t.Fatalf("len(migrations) = %v, want schemaVersion %v", got, want)
	}
	s := openTemp(t)
	var version, appID int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRow("PRAGMA application_id").Scan(&appID); err != nil {
		t.Fatal(err)
	}
	if version != schemaVersion || appID != applicationID {
		t.Errorf("user_version, application_id: got %v, %#x, want %v, %#x", version, appID, schemaVersion, applicationID)
	}
}

func TestPragmas(t *testing.T) {
	s := openTemp(t)
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "1"}, // NORMAL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	}
	for _, tt := range tests {
		var got string
		if err := s.db.QueryRow("PRAGMA " + tt.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s: got %v, want %v", tt.pragma, got, tt.want)
		}
	}
}
