package store

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/parley-lan/parley/backend/chat"
)

// A chunk is one row of the chunks table: consecutive entries of one log,
// written by one Append, encoded in its body.
//
// Body format 1:
//
//	format   1 byte, chunkFormat
//	then for each entry, oldest first:
//	  seq    uvarint: the seq minus the previous entry's (the first
//	         entry's minus 0, that is its seq); at least 1
//	  ts     varint: the ts minus the previous entry's, modulo 2^64 (the
//	         first entry's minus 0)
//	  sizes  four uvarints: the byte lengths of the client ID, the
//	         message ID, the sender and the text
//	  bytes  those four strings back to back, in that order
//
// An entry's strings are stored together so that decoding one takes a
// single allocation; the client ID comes first so that a message without
// it is a suffix of them.
const chunkFormat = 1

const (
	// maxChunkEntries bounds the entries in one chunk, and so what a read
	// decodes to find one message. The host commits at most 256 messages
	// at a time, so it is one chunk per Append in practice.
	maxChunkEntries = 256
	// minEntryBytes is the size of the smallest encoded entry (six
	// one-byte varints), which bounds what a body can claim to hold.
	minEntryBytes = 6
)

// chunk is a chunks row as read: its columns and its encoded body.
type chunk struct {
	first, last uint64 // first_seq, last_seq
	count       int    // entries in body
	body        []byte
}

// newChunk describes entries, which must be non-empty with increasing
// seqs, as a chunk whose body is encoded into buf[:0].
func newChunk(buf []byte, entries []chat.Entry) chunk {
	return chunk{
		first: entries[0].Seq,
		last:  entries[len(entries)-1].Seq,
		count: len(entries),
		body:  appendChunkBody(buf[:0], entries),
	}
}

// appendChunkBody appends the body encoding entries to buf. It allocates
// only to grow buf.
func appendChunkBody(buf []byte, entries []chat.Entry) []byte {
	buf = append(buf, chunkFormat)
	var seq uint64
	var ts int64
	for i := range entries {
		e := &entries[i]
		buf = binary.AppendUvarint(buf, e.Seq-seq)
		buf = binary.AppendVarint(buf, int64(uint64(e.TS)-uint64(ts)))
		buf = binary.AppendUvarint(buf, uint64(len(e.ClientID)))
		buf = binary.AppendUvarint(buf, uint64(len(e.ID)))
		buf = binary.AppendUvarint(buf, uint64(len(e.From)))
		buf = binary.AppendUvarint(buf, uint64(len(e.Text)))
		buf = append(buf, e.ClientID...)
		buf = append(buf, e.ID...)
		buf = append(buf, e.From...)
		buf = append(buf, e.Text...)
		seq, ts = e.Seq, e.TS
	}
	return buf
}

// rawEntry is one decoded entry whose strings still point into the body.
type rawEntry struct {
	seq  uint64
	ts   int64
	data []byte // client ID, message ID, sender, text, back to back
	// Lengths of the first three strings in data.
	clientLen, idLen, fromLen int
}

func (e rawEntry) clientID() []byte { return e.data[:e.clientLen] }
func (e rawEntry) msgID() []byte    { return e.data[e.clientLen : e.clientLen+e.idLen] }

// message copies e out of the body as a message, in one allocation.
func (e rawEntry) message() chat.Message {
	s := string(e.data[e.clientLen:])
	from := e.idLen + e.fromLen
	return chat.Message{Seq: e.seq, ID: s[:e.idLen], From: s[e.idLen:from], Text: s[from:], TS: e.ts}
}

// entry copies e out of the body as an entry, in one allocation.
func (e rawEntry) entry() chat.Entry {
	s := string(e.data)
	id := e.clientLen + e.idLen
	from := id + e.fromLen
	return chat.Entry{
		Message:  chat.Message{Seq: e.seq, ID: s[e.clientLen:id], From: s[id:from], Text: s[from:], TS: e.ts},
		ClientID: s[:e.clientLen],
	}
}

// chunkReader decodes a chunk's entries one at a time, checking the body
// against the row's columns as it goes. It never reads outside the body
// and never allocates. It moves through the body by index rather than by
// reslicing, and returns entries by value, so that decoding writes no
// pointers (each would cost a write barrier while the collector runs).
type chunkReader struct {
	c   chunk
	pos int    // in c.body, of what is not yet read
	n   int    // entries read
	seq uint64 // of the last entry read
	ts  int64  // of the last entry read
	err error  // damage found; wraps ErrCorrupt
}

func (c chunk) reader() chunkReader {
	r := chunkReader{c: c, pos: 1}
	switch {
	case len(c.body) == 0 || c.body[0] != chunkFormat:
		r.fail("unknown body format")
	case c.first < 1 || c.first > c.last || c.last > math.MaxInt64:
		r.fail("bad seq range")
	case c.count < 1 || c.count > len(c.body)/minEntryBytes || uint64(c.count-1) > c.last-c.first:
		r.fail(fmt.Sprintf("bad count %d", c.count))
	}
	return r
}

// next decodes the next entry and reports whether there was one. It
// returns false at the end of the chunk and at the first damage, which
// r.err then holds.
func (r *chunkReader) next() (rawEntry, bool) {
	if r.err != nil {
		return rawEntry{}, false
	}
	if r.n == r.c.count {
		switch {
		case r.pos != len(r.c.body):
			r.fail(fmt.Sprintf("%d bytes after the last entry", len(r.c.body)-r.pos))
		case r.seq != r.c.last:
			r.fail(fmt.Sprintf("the last entry has seq %d", r.seq))
		}
		return rawEntry{}, false
	}
	delta, ok := r.uvarint()
	if !ok {
		return rawEntry{}, false
	}
	if delta == 0 || delta > r.c.last-r.seq {
		r.fail(fmt.Sprintf("entry %d: seq %d after %d is out of order or range", r.n, r.seq+delta, r.seq))
		return rawEntry{}, false
	}
	seq := r.seq + delta
	if r.n == 0 && seq != r.c.first {
		r.fail(fmt.Sprintf("the first entry has seq %d", seq))
		return rawEntry{}, false
	}
	tsDelta, k := binary.Varint(r.c.body[r.pos:])
	if k <= 0 {
		r.fail(fmt.Sprintf("entry %d: truncated", r.n))
		return rawEntry{}, false
	}
	r.pos += k
	var lens [4]uint64
	for i := range lens {
		if lens[i], ok = r.size(); !ok {
			return rawEntry{}, false
		}
	}
	n := lens[0] + lens[1] + lens[2] + lens[3]
	if left := len(r.c.body) - r.pos; n > uint64(left) {
		r.fail(fmt.Sprintf("entry %d: %d bytes of strings, %d left", r.n, n, left))
		return rawEntry{}, false
	}
	e := rawEntry{
		seq: seq, ts: int64(uint64(r.ts) + uint64(tsDelta)), data: r.c.body[r.pos : r.pos+int(n) : r.pos+int(n)],
		clientLen: int(lens[0]), idLen: int(lens[1]), fromLen: int(lens[2]),
	}
	r.pos += int(n)
	r.seq, r.ts, r.n = seq, e.ts, r.n+1
	return e, true
}

// uvarint reads a uvarint.
func (r *chunkReader) uvarint() (uint64, bool) {
	v, k := binary.Uvarint(r.c.body[r.pos:])
	if k <= 0 {
		r.fail(fmt.Sprintf("entry %d: truncated", r.n))
		return 0, false
	}
	r.pos += k
	return v, true
}

// size reads a string length, which must fit in what is left of the body
// (so that the sum of an entry's four cannot overflow).
func (r *chunkReader) size() (uint64, bool) {
	v, ok := r.uvarint()
	if left := len(r.c.body) - r.pos; ok && v > uint64(left) {
		r.fail(fmt.Sprintf("entry %d: a string of %d bytes, %d left", r.n, v, left))
		return 0, false
	}
	return v, ok
}

func (r *chunkReader) fail(reason string) {
	r.err = &kindError{kind: ErrCorrupt, msg: fmt.Sprintf(
		"database is damaged: the chunk of seqs %d..%d: %s", r.c.first, r.c.last, reason)}
}

// window calls visit with the entries of c whose seqs lie in [lo, hi]:
// the oldest max of them, or the newest max when newest is set. It
// returns the damage it finds on the way.
func (c chunk) window(lo, hi uint64, max int, newest bool, visit func(rawEntry)) error {
	skip := 0
	if newest {
		n, err := c.countIn(lo, hi)
		if err != nil {
			return err
		}
		skip = n - max
	}
	r := c.reader()
	for max > 0 {
		e, ok := r.next()
		if !ok {
			break
		}
		switch {
		case e.seq < lo:
			continue
		case e.seq > hi:
			return nil
		case skip > 0:
			skip--
			continue
		}
		visit(e)
		max--
	}
	return r.err
}

// countIn returns how many entries of c have seqs in [lo, hi], reading
// (and so checking) the whole body.
func (c chunk) countIn(lo, hi uint64) (int, error) {
	r := c.reader()
	n := 0
	for e, ok := r.next(); ok; e, ok = r.next() {
		if e.seq >= lo && e.seq <= hi {
			n++
		}
	}
	return n, r.err
}
