package store

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestRetention: a log keeps at least its newest KeepMessages messages,
// deletes older ones in whole chunks (one per Append here), oldest first,
// and never holds more than KeepMessages plus the larger of the slack and
// a chunk, less one.
func TestRetention(t *testing.T) {
	tests := []struct {
		keep    int
		appends uint64 // batches of batch
		batch   uint64
		maxRows int64 // never more than this after an Append
	}{
		{keep: 10, appends: 25, batch: 1, maxRows: 10},     // slack 1: pruned on every Append past 10
		{keep: 10, appends: 9, batch: 7, maxRows: 16},      // chunks bigger than the slack
		{keep: 10, appends: 6, batch: 25, maxRows: 34},     // chunks bigger than the retention
		{keep: 500, appends: 40, batch: 16, maxRows: 515},  // slack 5, chunks of 16
		{keep: 500, appends: 60, batch: 3, maxRows: 504},   // slack 5, chunks of 3
		{keep: 300, appends: 90, batch: 100, maxRows: 399}, // over three segments
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("keep=%d,batch=%d", tt.keep, tt.batch), func(t *testing.T) {
			path := tempDB(t)
			s := openAt(t, path, Options{KeepMessages: tt.keep})
			l := s.Log("r")
			other := s.Log("other")
			mustAppend(t, other, entries(1, 3))
			var last uint64
			for range tt.appends {
				mustAppend(t, l, entries(last+1, last+tt.batch))
				last += tt.batch
				if rows := countRows(t, s, "r"); rows > tt.maxRows {
					t.Fatalf("after seq %d: %d messages, want at most %d", last, rows, tt.maxRows)
				}
			}
			if got := lastSeqOf(t, l); got != last {
				t.Errorf("LastSeq after pruning: got %v, want %v", got, last)
			}
			checkKept(t, s, "r", tt.keep, last, tt.batch)
			if got := countRows(t, s, "other"); got != 3 {
				t.Errorf("the other room's log: got %v messages, want %v", got, 3)
			}
			// Pruning happened before the restart; seqs continue after it.
			s.Close()
			s = openAt(t, path, Options{KeepMessages: tt.keep})
			if got := lastSeqOf(t, s.Log("r")); got != last {
				t.Errorf("LastSeq after reopen: got %v, want %v", got, last)
			}
			mustAppend(t, s.Log("r"), entries(last+1, last+1))
		})
	}
}

// checkKept checks what a pruned log kept: the newest messages up to
// last, at least keep of them, starting at a chunk boundary (chunks of
// batch from seq 1), with logs.rows and chunk_senders in step.
func checkKept(t *testing.T, s *Store, room string, keep int, last, batch uint64) {
	t.Helper()
	es, err := s.Log(room).Recent(MaxRecent)
	if err != nil {
		t.Fatal(err)
	}
	rows := countRows(t, s, room)
	if int64(len(es)) != rows || es[len(es)-1].Seq != last || es[0].Seq != last-uint64(rows)+1 {
		t.Errorf("kept %d messages, seqs %d..%d; want the newest, ending at %d", rows, es[0].Seq, es[len(es)-1].Seq, last)
	}
	if rows < int64(min(keep, int(last))) {
		t.Errorf("kept %d messages, want at least KeepMessages %d", rows, keep)
	}
	if (es[0].Seq-1)%batch != 0 {
		t.Errorf("the oldest kept seq is %d, not the first of a chunk of %d", es[0].Seq, batch)
	}
	var counted int64
	err = s.db.QueryRow(`SELECT rows FROM logs WHERE room_id = ?`, room).Scan(&counted)
	if err != nil || counted != rows {
		t.Errorf("logs.rows: got %v, %v, want %v", counted, err, rows)
	}
	// Every kept segment has its senders row (one client, c1); of the
	// segments pruned, at most the newest one still has.
	chunkLast := func(seq uint64) uint64 { return ((seq-1)/batch + 1) * batch }
	kept := map[int64]bool{}
	for _, e := range es {
		kept[segOf(chunkLast(e.Seq))] = true
	}
	minSeg := segOf(chunkLast(es[0].Seq))
	var segs []int64
	rs, err := s.db.Query(`SELECT seg FROM senders WHERE log = (SELECT id FROM logs WHERE room_id = ?)`, room)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var seg int64
		if err := rs.Scan(&seg); err != nil {
			t.Fatal(err)
		}
		segs = append(segs, seg)
		delete(kept, seg)
		if seg < minSeg-1 {
			t.Errorf("senders: a row for segment %d, but the oldest kept message is in %d", seg, minSeg)
		}
	}
	if len(kept) != 0 {
		t.Errorf("senders: segments %v, want every kept segment", segs)
	}
}

// countRows returns how many messages the room's log holds.
func countRows(t *testing.T, s *Store, room string) int64 {
	t.Helper()
	var n int64
	err := s.db.QueryRow(`SELECT coalesce(sum(count), 0) FROM chunks
		WHERE log = (SELECT id FROM logs WHERE room_id = ?)`, room).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPruneFailureKeepsMessages: when the prune within an Append fails,
// the Append still stores its messages (in a second transaction), the
// failure is logged, and a later Append prunes.
func TestPruneFailureKeepsMessages(t *testing.T) {
	var logged bytes.Buffer
	s := openAt(t, tempDB(t), Options{KeepMessages: 10, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	l := s.Log("r")
	mustAppend(t, l, entries(1, 10))
	if _, err := s.db.Exec(`CREATE TRIGGER refuse BEFORE DELETE ON chunks BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, entries(11, 20))
	if got := countRows(t, s, "r"); got != 20 {
		t.Errorf("after a failed prune: got %d messages, want all 20", got)
	}
	if msgs, err := l.After(10, 100); err != nil || len(msgs) != 10 {
		t.Errorf("After(10) after a failed prune: got %v, %v", msgSeqs(msgs), err)
	}
	if !strings.Contains(logged.String(), "prune room log") || !strings.Contains(logged.String(), "refused") {
		t.Errorf("log: got %q, want the prune's failure", logged.String())
	}
	if _, err := s.db.Exec(`DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, entries(21, 30))
	checkKept(t, s, "r", 10, 30, 10)
	if got := countRows(t, s, "r"); got != 10 {
		t.Errorf("after the next Append: got %d messages, want 10", got)
	}
}
