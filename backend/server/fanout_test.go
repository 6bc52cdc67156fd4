package server

import (
	"fmt"
	"sync"
	"testing"

	"github.com/parley-lan/parley/backend/protocol"
)

// TestBigRoomInOrder: in a room big enough for its batches to be spread
// over several goroutines, while members send at the same time and the
// room's membership changes, every member gets every message once and in
// order (its seqs go up one by one), and a member who joins midway gets
// the rest of them after its history, without a gap.
func TestBigRoomInOrder(t *testing.T) {
	const members, senders, each = 4*workerMembers + 20, 6, 40
	_, addr := startServer(t, Config{})
	peers := make([]*peer, members)
	for i := range peers {
		if i%2 == 0 { // msgs and msg frames go out side by side
			peers[i], _ = joinBatch(t, addr, fmt.Sprintf("m%d", i))
		} else {
			peers[i], _ = join(t, addr, fmt.Sprintf("m%d", i))
		}
	}
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for k := range each {
				peers[s].send(protocol.Send{ID: fmt.Sprintf("s%d-%d", s, k), Text: fmt.Sprintf("message %d from %d", k, s)})
			}
		})
	}
	late, w := join(t, addr, "late") // joins while the messages flow
	peers[members-1].conn.Close()    // and someone leaves
	wg.Wait()

	total := uint64(senders * each)
	for i, p := range peers[:members-1] {
		checkInOrder(t, fmt.Sprintf("m%d", i), p, 0, total)
	}
	checkInOrder(t, "late", late, w.HistoryFrom, total)
}

// checkInOrder reads p's messages up to seq last and checks that they are
// after+1, after+2, … one by one.
func checkInOrder(t *testing.T, name string, p *peer, after, last uint64) {
	t.Helper()
	want := after + 1
	for want <= last {
		m := p.nextMsg()
		if m.Seq != want {
			t.Fatalf("%s: got seq %d, want %d", name, m.Seq, want)
		}
		want++
	}
}
