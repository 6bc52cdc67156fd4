package store

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(holdEnv); path != "" {
		os.Exit(holdMain(path)) // Re-executed as a child by TestLockedOtherProcess.
	}
	os.Exit(m.Run())
}

// tempDB returns a path for a database in a fresh temporary directory.
func tempDB(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "parley.db")
}

// openAt opens the database at path and closes it when the test ends.
func openAt(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// openTemp opens a fresh database with default options.
func openTemp(t *testing.T) *Store {
	t.Helper()
	return openAt(t, tempDB(t), Options{})
}

// entry returns the entry with the given seq that client "c1" sent with id
// "m<seq>".
func entry(seq uint64) chat.Entry {
	return chat.Entry{
		Message: chat.Message{
			Seq:  seq,
			ID:   fmt.Sprintf("m%d", seq),
			From: "alice",
			Text: fmt.Sprintf("message %d", seq),
			TS:   1_700_000_000_000 + int64(seq),
		},
		ClientID: "c1",
	}
}

// entries returns entry(from) through entry(to).
func entries(from, to uint64) []chat.Entry {
	var es []chat.Entry
	for seq := from; seq <= to; seq++ {
		es = append(es, entry(seq))
	}
	return es
}

// mustAppend appends es to log and fails the test on error.
func mustAppend(t *testing.T, l *Log, es []chat.Entry) {
	t.Helper()
	if err := l.Append(es); err != nil {
		t.Fatalf("Append(seqs %v): %v", entrySeqs(es), err)
	}
}

func msgSeqs(msgs []chat.Message) []uint64 {
	seqs := []uint64{}
	for _, m := range msgs {
		seqs = append(seqs, m.Seq)
	}
	return seqs
}

func entrySeqs(es []chat.Entry) []uint64 {
	seqs := []uint64{}
	for _, e := range es {
		seqs = append(seqs, e.Seq)
	}
	return seqs
}

// seqRange returns from..to as a slice, empty when to < from.
func seqRange(from, to uint64) []uint64 {
	seqs := []uint64{}
	for s := from; s <= to; s++ {
		seqs = append(seqs, s)
	}
	return seqs
}

func lastSeqOf(t *testing.T, l *Log) uint64 {
	t.Helper()
	seq, err := l.LastSeq()
	if err != nil {
		t.Fatalf("LastSeq: %v", err)
	}
	return seq
}
