package store

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-lan/parley/backend/chat"
)

// chunkRoundTrips are chunks of entries that must decode to what was
// encoded; they also seed FuzzChunkReader.
var chunkRoundTrips = []struct {
	name    string
	entries []chat.Entry
}{
	{"one", entries(1, 1)},
	{"several", entries(7, 13)},
	{"gaps", []chat.Entry{entry(3), entry(10), entry(1 << 40)}},
	{"largest seq", []chat.Entry{entry(math.MaxInt64 - 1), entry(math.MaxInt64)}},
	{"empty strings", []chat.Entry{{Message: chat.Message{Seq: 5}}, {Message: chat.Message{Seq: 6, Text: "x"}}}},
	{"odd text and times", []chat.Entry{
		{Message: chat.Message{Seq: 1, ID: "a", From: "Zoë 🦊", Text: "nul\x00byte\xff", TS: math.MinInt64}, ClientID: "c\x00"},
		{Message: chat.Message{Seq: 2, ID: "b", From: "x", Text: strings.Repeat("é", 200), TS: math.MaxInt64}, ClientID: "c2"},
		{Message: chat.Message{Seq: 3, ID: "c", From: "y", Text: "back in time", TS: -1}, ClientID: ""},
	}},
	{"a full chunk", entries(1000, 1000+maxChunkEntries-1)},
}

func TestChunkRoundTrip(t *testing.T) {
	var buf []byte
	for _, tt := range chunkRoundTrips {
		t.Run(tt.name, func(t *testing.T) {
			c := newChunk(buf, tt.entries)
			buf = c.body
			if c.first != tt.entries[0].Seq || c.last != tt.entries[len(tt.entries)-1].Seq || c.count != len(tt.entries) {
				t.Errorf("columns: got %d..%d, %d, want %d..%d, %d", c.first, c.last, c.count,
					tt.entries[0].Seq, tt.entries[len(tt.entries)-1].Seq, len(tt.entries))
			}
			got, err := c.entries()
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if diff := cmp.Diff(tt.entries, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChunkEncodeAllocations(t *testing.T) {
	es := entries(1, 64)
	buf := newChunk(nil, es).body
	if n := testing.AllocsPerRun(100, func() { buf = newChunk(buf, es).body }); n != 0 {
		t.Errorf("encoding into a reused buffer: got %v allocations, want 0", n)
	}
}

func TestChunkWindow(t *testing.T) {
	c := newChunk(nil, []chat.Entry{entry(10), entry(11), entry(13), entry(14), entry(20)})
	tests := []struct {
		lo, hi uint64
		max    int
		newest bool
		want   []uint64
	}{
		{0, math.MaxUint64, 100, false, []uint64{10, 11, 13, 14, 20}},
		{0, math.MaxUint64, 2, false, []uint64{10, 11}},
		{0, math.MaxUint64, 2, true, []uint64{14, 20}},
		{12, 19, 100, false, []uint64{13, 14}},
		{12, 19, 1, true, []uint64{14}},
		{0, 12, 1, true, []uint64{11}},
		{15, 19, 5, true, []uint64{}},
		{21, math.MaxUint64, 5, false, []uint64{}},
		{0, math.MaxUint64, 0, true, []uint64{}},
	}
	for _, tt := range tests {
		got := []uint64{}
		if err := c.window(tt.lo, tt.hi, tt.max, tt.newest, func(e rawEntry) { got = append(got, e.seq) }); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("window(%d, %d, %d, %v) (-want +got):\n%s", tt.lo, tt.hi, tt.max, tt.newest, diff)
		}
	}
}

// damagedChunks are chunks whose body or columns disagree.
func damagedChunks() []struct {
	name string
	c    chunk
} {
	good := newChunk(nil, entries(5, 7))
	with := func(f func(c *chunk)) chunk {
		c := good
		c.body = append([]byte(nil), good.body...)
		f(&c)
		return c
	}
	// body returns the body of one entry of seq 5 and ts 0 followed by
	// tail.
	body := func(tail ...byte) []byte {
		return append([]byte{chunkFormat, 5, 0}, tail...)
	}
	one := func(b []byte) chunk { return chunk{first: 5, last: 5, count: 1, body: b} }
	return []struct {
		name string
		c    chunk
	}{
		{"empty body", with(func(c *chunk) { c.body = nil })},
		{"unknown format", with(func(c *chunk) { c.body[0] = 2 })},
		{"truncated", with(func(c *chunk) { c.body = c.body[:len(c.body)-1] })},
		{"truncated in a varint", one(body(1, 1, 1, 0x80, 0x80))},
		{"trailing bytes", with(func(c *chunk) { c.body = append(c.body, 0) })},
		{"count too high", with(func(c *chunk) { c.count = 4 })},
		{"count too low", with(func(c *chunk) { c.count = 2 })},
		{"count zero", with(func(c *chunk) { c.count = 0 })},
		{"count negative", with(func(c *chunk) { c.count = -1 })},
		{"count beyond the body", with(func(c *chunk) { c.count, c.last = 1<<30, 1<<40 })},
		{"first seq differs", with(func(c *chunk) { c.first = 4 })},
		{"last seq differs", with(func(c *chunk) { c.last = 8 })},
		{"last seq before first", with(func(c *chunk) { c.first, c.last = 7, 5 })},
		{"seq zero", one([]byte{chunkFormat, 0, 0, 0, 0, 0, 0})},
		{"negative seq column", with(func(c *chunk) { c.last = 1 << 63 })},
		{"seq repeated", chunk{first: 5, last: 6, count: 2, body: []byte{chunkFormat, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}},
		{"seq past last", chunk{first: 5, last: 6, count: 2, body: []byte{chunkFormat, 5, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0}}},
		{"seq delta overflows", one(append([]byte{chunkFormat}, binary.AppendUvarint(nil, math.MaxUint64)...))},
		{"string too long", one(body(1, 1, 1, 9, 'a', 'b', 'c', 'd'))},
		{"huge string", one(append(body(1, 1, 1), binary.AppendUvarint(nil, math.MaxUint64)...))},
		{"sizes that overflow together", one(append(append(body(), binary.AppendUvarint(nil, 1<<62)...),
			binary.AppendUvarint(binary.AppendUvarint(binary.AppendUvarint(nil, 1<<62), 1<<62), 1<<62)...))},
	}
}

func TestChunkDamaged(t *testing.T) {
	for _, tt := range damagedChunks() {
		t.Run(tt.name, func(t *testing.T) {
			es, err := tt.c.entries()
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("entries: got %d entries, %v, want ErrCorrupt", len(es), err)
			}
			t.Logf("error: %v", err)
			if _, err := tt.c.countIn(0, math.MaxUint64); !errors.Is(err, ErrCorrupt) {
				t.Errorf("countIn: got %v, want ErrCorrupt", err)
			}
		})
	}
}

// FuzzChunkReader checks that no body or columns panic the decoder, that
// it allocates no more than the body holds, and that whatever it accepts
// lies within the columns and encodes back to a body that decodes alike.
func FuzzChunkReader(f *testing.F) {
	for _, tt := range chunkRoundTrips {
		c := newChunk(nil, tt.entries)
		f.Add(c.body, c.first, c.last, c.count)
	}
	for _, tt := range damagedChunks() {
		f.Add(tt.c.body, tt.c.first, tt.c.last, tt.c.count)
	}
	f.Fuzz(func(t *testing.T, body []byte, first, last uint64, count int) {
		c := chunk{first: first, last: last, count: count, body: body}
		es, err := c.entries()
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %v, want an ErrCorrupt", err)
			}
			return
		}
		size := 0
		for i, e := range es {
			if e.Seq < first || e.Seq > last || i > 0 && e.Seq <= es[i-1].Seq {
				t.Fatalf("entry %d: seq %d out of order or outside %d..%d", i, e.Seq, first, last)
			}
			size += len(e.ClientID) + len(e.ID) + len(e.From) + len(e.Text)
		}
		if len(es) != count || es[0].Seq != first || es[len(es)-1].Seq != last || size > len(body) {
			t.Fatalf("accepted %d entries, %d..%d, %d bytes of strings, for columns %d..%d, %d and a body of %d",
				len(es), es[0].Seq, es[len(es)-1].Seq, size, first, last, count, len(body))
		}
		again, err := newChunk(nil, es).entries()
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !slices.Equal(es, again) {
			t.Fatalf("unstable round trip:\n first %+v\nsecond %+v", es, again)
		}
	})
}

// entries decodes all of c, for the tests. What it allocates is
// proportional to the size of the body, whatever the columns claim.
func (c chunk) entries() ([]chat.Entry, error) {
	r := c.reader()
	if r.err != nil {
		return nil, r.err
	}
	es := make([]chat.Entry, 0, min(c.count, len(c.body)/minEntryBytes))
	for e, ok := r.next(); ok; e, ok = r.next() {
		es = append(es, e.entry())
	}
	if r.err != nil {
		return nil, r.err
	}
	return es, nil
}
