package app

import (
	"fmt"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// TestSnapshotKeepsTheNewestMessages: however many messages came, a
// redraw gets the newest timelineLimit of them, in order.
func TestSnapshotKeepsTheNewestMessages(t *testing.T) {
	r := &roomSession{nick: "ada"}
	for _, n := range []int{3, timelineLimit, 2*timelineLimit - 1, 2 * timelineLimit, 3*timelineLimit + 7} {
		r.messages = nil
		for i := range n {
			r.addMessage(chat.Message{Seq: uint64(i + 1), Text: fmt.Sprint(i + 1)})
		}
		got := r.snapshot().Messages
		want := min(n, timelineLimit)
		if len(got) != want || got[0].Seq != uint64(n-want+1) || got[len(got)-1].Seq != uint64(n) {
			t.Errorf("after %d messages: %d kept, seq %d to %d; want %d, %d to %d", n, len(got), got[0].Seq, got[len(got)-1].Seq, want, n-want+1, n)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Seq != got[i-1].Seq+1 {
				t.Fatalf("after %d messages: seq %d follows %d", n, got[i].Seq, got[i-1].Seq)
			}
		}
	}
}
