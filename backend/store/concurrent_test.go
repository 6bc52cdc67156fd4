package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// TestConcurrentUse runs writers on several rooms and readers on all of
// them at once; -race checks the Store's own bookkeeping, the counts
// check SQLite's.
func TestConcurrentUse(t *testing.T) {
	s := openAt(t, tempDB(t), Options{KeepMessages: 150})
	const rooms, batches, batch = 4, 50, 5
	var wg sync.WaitGroup
	for r := range rooms {
		room := fmt.Sprintf("room%d", r)
		wg.Go(func() {
			for b := range uint64(batches) {
				if err := s.Log(room).Append(entries(b*batch+1, b*batch+batch)); err != nil {
					t.Errorf("Append to %s: %v", room, err)
					return
				}
			}
		})
		wg.Go(func() {
			if err := s.SaveRoom(HostedRoom{Room: chat.Room{ID: room, Name: room}}); err != nil {
				t.Errorf("SaveRoom: %v", err)
			}
			if err := s.PutState(room, []byte(room)); err != nil {
				t.Errorf("PutState: %v", err)
			}
		})
		wg.Go(func() { readLoop(t, s, room, 100) })
	}
	wg.Wait()
	for r := range rooms {
		l := s.Log(fmt.Sprintf("room%d", r))
		if got := lastSeqOf(t, l); got != batches*batch {
			t.Errorf("LastSeq of room%d: got %v, want %v", r, got, batches*batch)
		}
	}
	if got, _ := s.Rooms(); len(got) != rooms {
		t.Errorf("Rooms: got %d, want %d", len(got), rooms)
	}
}

// readLoop reads room's log n times and checks that every page it sees
// is in order.
func readLoop(t *testing.T, s *Store, room string, n int) {
	l := s.Log(room)
	for range n {
		msgs, err := l.After(0, 50)
		if err != nil {
			t.Errorf("After: %v", err)
			return
		}
		for i := 1; i < len(msgs); i++ {
			if msgs[i].Seq != msgs[i-1].Seq+1 {
				t.Errorf("After: seqs %v out of order", msgSeqs(msgs))
				return
			}
		}
		if _, err := l.Recent(20); err != nil {
			t.Errorf("Recent: %v", err)
		}
		if _, _, err := s.GetState(room); err != nil {
			t.Errorf("GetState: %v", err)
		}
	}
}

// TestCloseWhileBusy closes the Store under running calls: each call
// either completes or fails with ErrClosed, and Close returns cleanly.
func TestCloseWhileBusy(t *testing.T) {
	s, err := Open(tempDB(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range 4 {
		room := fmt.Sprintf("r%d", w)
		wg.Go(func() {
			<-start
			for seq := uint64(1); ; seq++ {
				err := s.Log(room).Append(entries(seq, seq))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Append: got %v, want nil or ErrClosed", err)
					return
				}
				if _, err := s.Log(room).After(0, 10); err != nil && !errors.Is(err, ErrClosed) {
					t.Errorf("After: got %v, want nil or ErrClosed", err)
				}
			}
		})
	}
	close(start)
	if err := s.Log("warm").Append(entries(1, 20)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	wg.Wait()
}
