package server

import (
	"fmt"
	"sync"
	"testing"
	"time"

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

// TestTrimAfterWave: memory is given back once after a wave of joins, when
// it is over, and not after a few more.
func TestTrimAfterWave(t *testing.T) {
	trims := make(chan struct{}, 10)
	_, addr := startServer(t, Config{trimMemory: func() { trims <- struct{}{} }})
	var wg sync.WaitGroup
	for i := range waveSize + 6 {
		wg.Go(func() { join(t, addr, fmt.Sprintf("w%d", i)) })
	}
	wg.Wait()
	select {
	case <-trims:
	case <-time.After(2 * time.Second):
		t.Fatal("no trim after a wave of joins")
	}
	for i := range waveSize / 2 {
		join(t, addr, fmt.Sprintf("late%d", i))
	}
	select {
	case <-trims:
		t.Fatal("trimmed again after fewer joins than a wave")
	case <-time.After(3 * waveOver):
	}
}
