package store

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// benchText is a typical chat line.
var benchText = strings.Repeat("lorem ipsum ", 8)

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "parley.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchBatch(from uint64, n int) []chat.Entry {
	es := make([]chat.Entry, n)
	for i := range es {
		seq := from + uint64(i)
		es[i] = chat.Entry{
			Message:  chat.Message{Seq: seq, ID: fmt.Sprintf("%016x", seq), From: "alice", Text: benchText, TS: int64(seq)},
			ClientID: "0123456789abcdef",
		}
	}
	return es
}

// BenchmarkAppend is the host's commit path: one Append (one transaction)
// per batch. ns/op is per batch; msgs/s is the throughput.
func BenchmarkAppend(b *testing.B) {
	for _, n := range []int{1, 64} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			l := benchStore(b).Log("room")
			seq := uint64(1)
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
	l := benchStore(b).Log("room")
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
	l := benchStore(b).Log("room")
	for seq := uint64(1); seq <= size; seq += 500 {
		if err := l.Append(benchBatch(seq, 500)); err != nil {
			b.Fatal(err)
		}
	}
	seq := uint64(1)
	for b.Loop() {
		if _, ok, err := l.Lookup("0123456789abcdef", fmt.Sprintf("%016x", seq)); !ok || err != nil {
			b.Fatalf("Lookup(%d): %v, %v", seq, ok, err)
		}
		seq = seq%size + 1
	}
}
