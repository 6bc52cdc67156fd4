package server

import (
	"fmt"
	"sync"
	"testing"

	"github.com/parley-lan/parley/backend/protocol"
)

// TestPresenceWave: when many members join at once, each member learns of
// every other exactly once — from its welcome or from a join — and never
// of a member it already knew; its own join comes too.
func TestPresenceWave(t *testing.T) {
	const n = 40
	_, addr := startServer(t, Config{})
	peers := make([]*peer, n)
	welcomes := make([]protocol.Welcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { peers[i], welcomes[i] = join(t, addr, fmt.Sprintf("m%d", i)) })
	}
	wg.Wait()
	for i, p := range peers {
		me := fmt.Sprintf("m%d", i)
		known := map[string]bool{}
		for _, m := range welcomes[i].Members {
			known[m.Nick] = true
		}
		ownJoin := false
		for len(known) < n || !ownJoin {
			j, ok := p.next().(protocol.Join)
			if !ok {
				t.Fatalf("%s: got %#v, want a join", me, j)
			}
			if j.Nick == me {
				ownJoin = true
				continue
			}
			if known[j.Nick] {
				t.Fatalf("%s: told again that %s joined", me, j.Nick)
			}
			known[j.Nick] = true
		}
		p.quiet(2 * presenceDelay)
	}
}
