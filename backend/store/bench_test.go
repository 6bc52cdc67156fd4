package store

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// benchText is a typical chat line.
var benchText = strings.Repeat("lorem ipsum ", 8)

func benchStore(b *testing.B, opts Options) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "parley.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchBatch returns n entries from seq from, with random message ids
// (as chat.NewID makes them) from one of eight clients.
func benchBatch(from uint64, n int) []chat.Entry {
	es := make([]chat.Entry, n)
	for i := range es {
		seq := from + uint64(i)
		es[i] = chat.Entry{
			Message:  chat.Message{Seq: seq, ID: chat.NewID(), From: "alice", Text: benchText, TS: int64(seq)},
			ClientID: benchClients[seq%uint64(len(benchClients))],
		}
	}
	return es
}

var benchClients = []string{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"}

// BenchmarkAppend is the host's commit path: one Append (one transaction)
// per batch. ns/op is per batch; msgs/s is the throughput. The plain cases
// never reach the retention limit; the "pruning" ones start at it (10,000
// here), so every appended message also costs a deleted one: a busy
// room's steady state.
func BenchmarkAppend(b *testing.B) {
	for _, bc := range []struct {
		n       int
		pruning bool
	}{{1, false}, {64, false}, {256, false}, {1, true}, {64, true}, {256, true}} {
		name, opts, prefill := fmt.Sprintf("batch=%d", bc.n), Options{KeepMessages: math.MaxInt32}, 0
		if bc.pruning {
			name, opts.KeepMessages, prefill = name+",pruning", 10_000, 10_000
		}
		b.Run(name, func(b *testing.B) {
			n := bc.n
			l := benchStore(b, opts).Log("room")
			seq := uint64(1)
			for ; seq <= uint64(prefill); seq += 500 {
				if err := l.Append(benchBatch(seq, 500)); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if err := l.Append(benchBatch(seq, n)); err != nil {
					b.Fatal(err)
				}
				seq += uint64(n)
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkAfter is a resuming member's catch-up: a page of 200 from a
// log of 20,000.
func BenchmarkAfter(b *testing.B) {
	const size = 20_000
	l := benchStore(b, Options{}).Log("room")
	for seq := uint64(1); seq <= size; seq += 500 {
		if err := l.Append(benchBatch(seq, 500)); err != nil {
			b.Fatal(err)
		}
	}
	from := uint64(0)
	for b.Loop() {
		msgs, err := l.After(from, 200)
		if err != nil || len(msgs) != 200 {
			b.Fatalf("After(%d, 200): %d messages, %v", from, len(msgs), err)
		}
		from = (from + 997) % (size - 200)
	}
}

// BenchmarkLookup is the de-duplication check on a log of 20,000.
func BenchmarkLookup(b *testing.B) {
	const size = 20_000
	l := benchStore(b, Options{}).Log("room")
	var all []chat.Entry
	for seq := uint64(1); seq <= size; seq += 500 {
		batch := benchBatch(seq, 500)
		if err := l.Append(batch); err != nil {
			b.Fatal(err)
		}
		all = append(all, batch...)
	}
	i := 0
	for b.Loop() {
		e := all[i%len(all)]
		if m, ok, err := l.Lookup(e.ClientID, e.ID); !ok || err != nil || m.Seq != e.Seq {
			b.Fatalf("Lookup(%s, %s): %v, %v, %v", e.ClientID, e.ID, m.Seq, ok, err)
		}
		i += 7919
	}
}
