package store

import (
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// writeDB creates a database at path with a room and n messages and
// closes it, leaving a clean file without a write-ahead log.
func writeDB(t *testing.T, path string, n uint64) {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for from := uint64(1); from <= n; from += 100 {
		if err := s.Log("r").Append(bigEntries(from, min(from+99, n))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatal("the write-ahead log outlived Close")
	}
}

// foreignDB creates a SQLite database of some other program at path.
func foreignDB(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenCorrupt(t *testing.T) {
	tests := []struct {
		name   string
		make   func(t *testing.T, path string)
		reason string // in the error message
	}{
		{"garbage", func(t *testing.T, path string) {
			b := make([]byte, 16<<10)
			garble(b, 1)
			writeFile(t, path, b)
		}, "not a SQLite database"},
		{"text file", func(t *testing.T, path string) {
			writeFile(t, path, []byte("these are my notes, not a database\n"))
		}, "only 35 bytes long"},
		{"truncated", func(t *testing.T, path string) {
			writeDB(t, path, 300)
			truncate(t, path, 0.5)
		}, "truncated"},
		{"truncated to one page", func(t *testing.T, path string) {
			writeDB(t, path, 300)
			if err := os.Truncate(path, 4096); err != nil {
				t.Fatal(err)
			}
		}, "truncated"},
		{"damaged page", func(t *testing.T, path string) {
			writeDB(t, path, 300)
			scribble(t, path, 0.6)
		}, "damaged"},
		{"damaged header", func(t *testing.T, path string) {
			writeDB(t, path, 10)
			b := readFile(t, path)
			b[16], b[17] = 0x12, 0x34 // page size
			writeFile(t, path, b)
		}, "header is damaged"},
		{"another program's database", func(t *testing.T, path string) {
			foreignDB(t, path, "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('hi')")
		}, "another program"},
		{"another program's versioned database", func(t *testing.T, path string) {
			foreignDB(t, path, "CREATE TABLE notes (body TEXT)", "PRAGMA user_version = 1")
		}, "another program"},
		{"another application id", func(t *testing.T, path string) {
			foreignDB(t, path, "PRAGMA application_id = 42", "PRAGMA user_version = 1", "CREATE TABLE rooms (id)")
		}, "another program"},
		{"tables missing", func(t *testing.T, path string) {
			writeDB(t, path, 1)
			foreignDB(t, path, "DROP TABLE state")
		}, "tables are missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempDB(t)
			tt.make(t, path)
			before := readFile(t, path)
			s, err := Open(path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: got %v, want ErrCorrupt", err)
			}
			t.Logf("error: %v", err)
			for _, want := range []string{path, tt.reason, "move it aside"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if after := readFile(t, path); string(after) != string(before) {
				t.Errorf("Open changed the damaged file")
			}
			// The lock was released: the user can fix the file and retry.
			if err := os.Rename(path, path+".bad"); err != nil {
				t.Fatal(err)
			}
			os.Remove(path + "-wal")
			os.Remove(path + "-shm")
			openAt(t, path, Options{})
		})
	}
}

func TestOpenNewerSchema(t *testing.T) {
	path := tempDB(t)
	writeDB(t, path, 1)
	foreignDB(t, path, "PRAGMA user_version = 99")
	s, err := Open(path, Options{})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded")
	}
	if !errors.Is(err, ErrNewer) || errors.Is(err, ErrCorrupt) {
		t.Errorf("Open: got %v, want ErrNewer", err)
	}
	if !strings.Contains(err.Error(), "newer Parley") {
		t.Errorf("error %q does not say a newer Parley wrote it", err)
	}
}

func TestOpenEmptyFile(t *testing.T) {
	path := tempDB(t)
	writeFile(t, path, nil)
	s := openAt(t, path, Options{})
	mustAppend(t, s.Log("r"), entries(1, 1))
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// truncate cuts the file at path to the given fraction of its size.
func truncate(t *testing.T, path string, frac float64) {
	t.Helper()
	size := int64(len(readFile(t, path)))
	if err := os.Truncate(path, int64(float64(size)*frac)); err != nil {
		t.Fatal(err)
	}
}

// scribble overwrites two 4 KiB pages at the given fraction of the file
// with garbage, keeping its size.
func scribble(t *testing.T, path string, frac float64) {
	t.Helper()
	b := readFile(t, path)
	off := int(float64(len(b))*frac) &^ 4095
	garble(b[off:off+8192], 2)
	writeFile(t, path, b)
}

// garble fills b with pseudo-random bytes from seed.
func garble(b []byte, seed uint64) {
	r := rand.New(rand.NewPCG(seed, seed))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

// TestDamagedChunk: a chunk whose body does not match its columns is
// reported as ErrCorrupt by every read that decodes it, and the rest of
// the log still works, pruning included.
func TestDamagedChunk(t *testing.T) {
	s := openAt(t, tempDB(t), Options{KeepMessages: 20})
	l := s.Log("r")
	for from := uint64(1); from <= 30; from += 10 {
		mustAppend(t, l, entries(from, from+9))
	}
	// The middle chunk, 11..20, loses its last byte.
	if _, err := s.db.Exec(`UPDATE chunks SET body = substr(body, 1, length(body) - 1) WHERE last_seq = 20`); err != nil {
		t.Fatal(err)
	}
	reads := map[string]func() error{
		"After":  func() error { _, err := l.After(5, 100); return err },
		"Before": func() error { _, err := l.Before(25, 100); return err },
		"Recent": func() error { _, err := l.Recent(100); return err },
		"Lookup": func() error { _, _, err := l.Lookup("c1", "none"); return err },
	}
	for name, read := range reads {
		err := read()
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s over the damaged chunk: got %v, want ErrCorrupt", name, err)
		}
		if !strings.Contains(fmt.Sprint(err), "11..20") {
			t.Errorf("%s: error %q does not say which chunk", name, err)
		}
	}
	if msgs, err := l.After(20, 100); err != nil || len(msgs) != 10 {
		t.Errorf("After(20) past the damaged chunk: got %v, %v", msgSeqs(msgs), err)
	}
	// Pruning reads no bodies: the damaged chunk goes like any other.
	mustAppend(t, l, entries(31, 40))
	mustAppend(t, l, entries(41, 50))
	if msgs, err := l.After(0, 100); err != nil || len(msgs) != 20 || msgs[0].Seq != 31 {
		t.Errorf("After(0) once the damaged chunk was pruned: got %v, %v, want 31..50", msgSeqs(msgs), err)
	}
}
