package protocol

import (
	"bytes"
	"io"

	"github.com/parley-lan/parley/backend/chat"
)

// initialReadBuffer is the read buffer an idle connection keeps. It grows on
// demand up to MaxFrame, so a thousand quiet members cost little.
const initialReadBuffer = 512

// BusyReadBuffer is how far a read buffer grows for a busy connection, one
// whose reads bring half a buffer or more: a read then brings a hundred
// lines instead of three, and each read is a system call (the host's own
// member reads every message of its room). The host's plain-text reader
// grows its buffer by the same rule.
const BusyReadBuffer = 16 << 10

// LineReader reads newline-terminated lines of at most a fixed size. Unlike
// bufio.Scanner it survives an over-long line: it reports ErrTooLarge once,
// discards the rest of that line without buffering it, and carries on with
// the next one.
type LineReader struct {
	r   io.Reader
	max int // longest accepted line, newline included

	buf        []byte
	start, end int  // buf[start:end] is read but not yet returned
	scanned    int  // buf[start:scanned] holds no newline
	discarding bool // inside an over-long line
	busy       bool // the last read brought half a buffer or more
}

// NewLineReader returns a LineReader over r that accepts lines of up to limit
// bytes including the newline, or MaxFrame when limit is zero. Bytes already
// read from r (say, while sniffing the connection) go in prefix.
func NewLineReader(r io.Reader, limit int, prefix []byte) *LineReader {
	if limit <= 0 {
		limit = MaxFrame
	}
	lr := &LineReader{r: r, max: limit, buf: make([]byte, max(initialReadBuffer, len(prefix)))}
	lr.end = copy(lr.buf, prefix)
	return lr
}

// ReadLine returns the next line without its "\n" (or "\r\n"). The slice is
// valid until the next call. An over-long line yields an error matching
// chat.ErrTooLarge, after which reading may continue. At end of input, a
// final unterminated line is returned before io.EOF.
func (lr *LineReader) ReadLine() ([]byte, error) {
	for {
		if line, ok := lr.nextLine(); ok {
			if lr.discarding || len(line) >= lr.max {
				lr.discarding = false
				return nil, chat.ErrTooLarge
			}
			return trimCR(line), nil
		}
		if lr.end-lr.start >= lr.max {
			lr.discarding = true // drop what we hold; keep looking for the newline
			lr.start, lr.end, lr.scanned = 0, 0, 0
		}
		if err := lr.fill(); err != nil {
			return lr.tail(err)
		}
	}
}

// nextLine returns the next complete line in the buffer, if any.
func (lr *LineReader) nextLine() ([]byte, bool) {
	i := bytes.IndexByte(lr.buf[lr.scanned:lr.end], '\n')
	if i < 0 {
		lr.scanned = lr.end
		return nil, false
	}
	nl := lr.scanned + i
	line := lr.buf[lr.start:nl]
	lr.start, lr.scanned = nl+1, nl+1
	return line, true
}

// fill reads more input, first making room by compacting or growing.
func (lr *LineReader) fill() error {
	if lr.end == len(lr.buf) {
		lr.makeRoom()
	}
	n, err := lr.r.Read(lr.buf[lr.end:])
	lr.busy = n >= len(lr.buf)/2
	lr.end += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// makeRoom moves what is held to the front of the buffer, or into one twice
// the size: when it holds more than half (a long line), or when the
// connection is busy and the buffer below BusyReadBuffer.
func (lr *LineReader) makeRoom() {
	held := lr.end - lr.start
	grow := held >= len(lr.buf)/2 || lr.busy && len(lr.buf) < min(BusyReadBuffer, lr.max)
	if lr.start > 0 && !grow {
		copy(lr.buf, lr.buf[lr.start:lr.end])
	} else {
		grown := make([]byte, min(2*len(lr.buf), lr.max))
		copy(grown, lr.buf[lr.start:lr.end])
		lr.buf = grown
	}
	lr.scanned -= lr.start
	lr.start, lr.end = 0, held
}

// tail handles the end of input: an unterminated last line is returned
// first, the error on the next call.
func (lr *LineReader) tail(err error) ([]byte, error) {
	if lr.end > lr.start && !lr.discarding && err == io.EOF {
		line := lr.buf[lr.start:lr.end]
		lr.start, lr.scanned = lr.end, lr.end
		return trimCR(line), nil
	}
	if lr.discarding && err == io.EOF {
		lr.discarding = false
		lr.start, lr.end, lr.scanned = 0, 0, 0
		return nil, chat.ErrTooLarge
	}
	return nil, err
}

// Buffered returns how many bytes have been read but not yet returned.
func (lr *LineReader) Buffered() int { return lr.end - lr.start }

// HasLine reports whether a whole line is buffered, so that the next
// ReadLine returns without reading.
func (lr *LineReader) HasLine() bool {
	return bytes.IndexByte(lr.buf[lr.scanned:lr.end], '\n') >= 0
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
