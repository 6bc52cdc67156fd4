package server

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/protocol"
)

// readCounter counts the reads made on a connection; with perRead > 0 each
// returns at most that many bytes, as a trickle of short writes does.
type readCounter struct {
	net.Conn
	perRead int
	reads   int
}

func (c *readCounter) Read(p []byte) (int, error) {
	c.reads++
	if c.perRead > 0 && len(p) > c.perRead {
		p = p[:c.perRead]
	}
	return c.Conn.Read(p)
}

// TestTextReaderGrowsForABusyMember: a plain-text member whose reads bring
// half a buffer or more gets a bigger one, up to protocol.BusyReadBuffer, so that a read
// brings many lines; one that trickles keeps the small buffer of an idle
// member. Every line arrives intact either way.
func TestTextReaderGrowsForABusyMember(t *testing.T) {
	line := "b3: #3.5418.1449928432.35f612c3 the quick brown fox jumps over the lazy dog"
	for _, tt := range []struct {
		name     string
		perRead  int
		wantBuf  int
		mostRead int
	}{
		{"busy", 0, protocol.BusyReadBuffer, 2 * 2000 * (len(line) + 1) / protocol.BusyReadBuffer},
		{"trickle", len(line) + 1, 2 * minRead, 2000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sender, conn := net.Pipe() // a read takes all it has room for
			t.Cleanup(func() { sender.Close(); conn.Close() })
			go sender.Write([]byte(strings.Repeat(line+"\n", 2000)))
			counter := &readCounter{Conn: conn, perRead: tt.perRead}
			r := &textReader{conn: counter, max: 1 << 10}
			deadline := time.Now().Add(10 * time.Second)
			for i := range 2000 {
				got, ended, err := r.next(deadline)
				if err != nil || !ended || got != line {
					t.Fatalf("message %d: %q, %v, %v", i, got, ended, err)
				}
			}
			if len(r.buf) != tt.wantBuf {
				t.Errorf("buffer of %d bytes, want %d", len(r.buf), tt.wantBuf)
			}
			if counter.reads > tt.mostRead {
				t.Errorf("%d reads, want at most %d", counter.reads, tt.mostRead)
			}
		})
	}
}
