package server

import (
	"sort"

	"github.com/parley-lan/parley/backend/chat"
)

// window is the memory of a room's recent messages, oldest first, each
// with its clientID/msgID key. It is a ring, so forgetting the oldest
// moves nothing: a slice that dropped its head copied the rest of the
// window, pointers and the collector's write barriers for them, every
// sixteenth of it, 2 % of a busy host's CPU.
type window struct {
	ring []windowEntry // doubled while the window fills, up to its limit
	head int           // ring index of the oldest entry
	n    int           // entries held
	text int           // bytes of text held
}

type windowEntry struct {
	msg chat.Message
	key string
}

func (w *window) len() int { return w.n }

// at returns the i-th oldest entry, 0 ≤ i < len.
func (w *window) at(i int) *windowEntry {
	if i += w.head; i >= len(w.ring) {
		i -= len(w.ring)
	}
	return &w.ring[i]
}

// push adds the newest entry. A full window grows, to hold at most limit
// entries: the caller drops the oldest first once it holds that many.
func (w *window) push(key string, msg chat.Message, limit int) {
	if w.n == len(w.ring) {
		w.grow(limit)
	}
	w.n++
	*w.at(w.n - 1) = windowEntry{msg: msg, key: key}
	w.text += len(msg.Text)
}

func (w *window) grow(limit int) {
	size := min(max(16, 2*len(w.ring)), limit)
	ring := make([]windowEntry, max(size, w.n+1))
	k := copy(ring, w.ring[w.head:])
	copy(ring[k:], w.ring[:w.head])
	w.ring, w.head = ring, 0
}

// dropOldest forgets the oldest entry, clearing it so that its strings
// can be collected.
func (w *window) dropOldest() {
	e := w.at(0)
	w.text -= len(e.msg.Text)
	*e = windowEntry{}
	if w.head++; w.head == len(w.ring) {
		w.head = 0
	}
	w.n--
}

// search returns the index of the oldest entry whose seq is at least
// seq, or len when there is none.
func (w *window) search(seq uint64) int {
	return sort.Search(w.n, func(i int) bool { return w.at(i).msg.Seq >= seq })
}

// messages returns a copy of the messages of entries i to j-1.
func (w *window) messages(i, j int) []chat.Message {
	msgs := make([]chat.Message, j-i)
	for k := range msgs {
		msgs[k] = w.at(i + k).msg
	}
	return msgs
}
