package server

import (
	"fmt"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// TestWindowWrapsAndGrows drives the ring through every shape it can
// take — filling, wrapping round, growing while wrapped, shrinking to
// one — against a plain slice doing the same.
func TestWindowWrapsAndGrows(t *testing.T) {
	const limit = 150
	var w window
	var want []chat.Message
	seq := uint64(0)
	push := func(n int) {
		for range n {
			seq++
			msg := chat.Message{Seq: seq, Text: fmt.Sprint(seq)}
			w.push(fmt.Sprint("k", seq), msg, limit)
			want = append(want, msg)
		}
	}
	drop := func(n int) {
		for range n {
			w.dropOldest()
			want = want[1:]
		}
	}
	steps := []struct {
		name       string
		push, drop int
	}{
		{"fill part of the first ring", 10, 0},
		{"drop from the front", 0, 7},
		{"wrap round", 12, 0},
		{"grow while wrapped", 30, 0},
		{"wrap round the grown ring", 0, 25},
		{"push past its end", 20, 0},
		{"down to one", 0, 39},
		{"grow again", 100, 0},
		{"up to the limit", 0, 50},
		{"fill the ring to its limit", 99, 0},
		{"wrap round the full ring", 0, 75},
		{"refill it", 75, 0},
	}
	for _, s := range steps {
		push(s.push)
		drop(s.drop)
		checkWindow(t, s.name, &w, want)
	}
	if len(w.ring) != limit {
		t.Errorf("the ring grew to %d entries, want its limit %d", len(w.ring), limit)
	}
}

func checkWindow(t *testing.T, step string, w *window, want []chat.Message) {
	t.Helper()
	if w.len() != len(want) {
		t.Fatalf("%s: holds %d, want %d", step, w.len(), len(want))
	}
	text := 0
	for i, m := range want {
		e := w.at(i)
		if e.msg != m || e.key != fmt.Sprint("k", m.Seq) {
			t.Fatalf("%s: entry %d is %+v (key %q), want seq %d", step, i, e.msg, e.key, m.Seq)
		}
		text += len(m.Text)
	}
	if w.text != text {
		t.Errorf("%s: counts %d bytes of text, holds %d", step, w.text, text)
	}
	held := 0
	for i := range w.ring {
		if w.ring[i].key != "" {
			held++
		}
	}
	if held != w.len() {
		t.Errorf("%s: %d ring slots still hold an entry, want %d (dropped ones cleared)", step, held, w.len())
	}
	if len(want) == 0 {
		return
	}
	first, last := want[0].Seq, want[len(want)-1].Seq
	for _, tt := range []struct {
		seq  uint64
		want int
	}{{0, 0}, {first, 0}, {first + 1, min(1, len(want))}, {last, len(want) - 1}, {last + 1, len(want)}} {
		if got := w.search(tt.seq); got != tt.want {
			t.Errorf("%s: search(%d) = %d, want %d", step, tt.seq, got, tt.want)
		}
	}
	got := w.messages(1, w.len())
	if len(got) != len(want)-1 || len(got) > 0 && (got[0] != want[1] || got[len(got)-1] != want[len(want)-1]) {
		t.Errorf("%s: messages(1, %d) = %+v, want seqs %d to %d", step, w.len(), got, first+1, last)
	}
}
