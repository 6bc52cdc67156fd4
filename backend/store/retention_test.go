package store

import (
	"fmt"
	"testing"
)

func TestRetention(t *testing.T) {
	tests := []struct {
		keep     int
		appends  uint64 // batches of batch
		batch    uint64
		maxRows  int64 // never more than this after an Append
		wantLast uint64
	}{
		{keep: 10, appends: 25, batch: 1, maxRows: 10},    // slack 1: pruned on every Append past 10
		{keep: 10, appends: 5, batch: 7, maxRows: 10},     // batches bigger than the slack
		{keep: 500, appends: 40, batch: 16, maxRows: 520}, // slack 5, batches of 16
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
					t.Fatalf("after seq %d: %d rows, want at most %d", last, rows, tt.maxRows)
				}
			}
			if got := lastSeqOf(t, l); got != last {
				t.Errorf("LastSeq after pruning: got %v, want %v", got, last)
			}
			es, err := l.Recent(MaxLimit)
			if err != nil {
				t.Fatal(err)
			}
			rows := countRows(t, s, "r")
			if int64(len(es)) != rows || es[len(es)-1].Seq != last || es[0].Seq != last-uint64(rows)+1 {
				t.Errorf("kept %d rows, seqs %d..%d; want the newest, ending at %d", rows, es[0].Seq, es[len(es)-1].Seq, last)
			}
			if rows < int64(tt.keep) {
				t.Errorf("kept %d rows, want at least KeepMessages %d", rows, tt.keep)
			}
			var counted int64
			if err := s.db.QueryRow(`SELECT rows FROM logs WHERE room_id = 'r'`).Scan(&counted); err != nil || counted != rows {
				t.Errorf("logs.rows: got %v, %v, want %v", counted, err, rows)
			}
			if got := countRows(t, s, "other"); got != 3 {
				t.Errorf("the other room's log: got %v rows, want %v", got, 3)
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

func TestPruneSlack(t *testing.T) {
	tests := []struct {
		keep int
		want int64
	}{
		{1, 1}, {99, 1}, {100, 1}, {500, 5}, {DefaultKeepMessages, 1000}, {10_000_000, 1000},
	}
	for _, tt := range tests {
		s := &Store{keep: tt.keep}
		if got := s.pruneSlack(); got != tt.want {
			t.Errorf("pruneSlack with keep %d: got %v, want %v", tt.keep, got, tt.want)
		}
	}
}

func countRows(t *testing.T, s *Store, room string) int64 {
	t.Helper()
	var n int64
	if err := s.db.QueryRow(`SELECT count(*) FROM messages WHERE log = (SELECT id FROM logs WHERE room_id = ?)`, room).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
