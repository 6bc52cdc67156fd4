package server

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCutOffReasonWrittenByWriter: when the writer itself picks up the
// reason of a cut-off (nothing else queued) and the full socket refuses
// it at once, the reason still goes out, into the enlarged send buffer,
// and the member finds it at the end of its stream.
func TestCutOffReasonWrittenByWriter(t *testing.T) {
	client, conn := tcpPair(t)
	m := newMember(conn, "stuck", "c1", styleNative, 1<<20)
	fill(t, conn) // the member never reads: its socket is full

	m.cutOff()
	frames, done, _ := m.out.take(nil) // as the writer finds the queue
	if !done || len(frames) != 1 {
		t.Fatalf("take after a cut-off: %d frames, done %v; want the reason alone", len(frames), done)
	}
	if m.write(frames) {
		t.Fatal("writing into a full socket past the cut succeeded")
	}
	data, err := io.ReadAll(client)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(data), `"code":"slow_member","message":"member too slow to keep up"}`+"\n") {
		t.Errorf("the stream (%d bytes) does not end with the reason: …%q", len(data), data[max(0, len(data)-80):])
	}
}

// fill writes to conn until the socket takes no more.
func fill(t *testing.T, conn net.Conn) {
	t.Helper()
	chunk := []byte(strings.Repeat("{\"type\":\"pong\"}\n", 4096))
	for {
		_ = conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		_, err := conn.Write(chunk)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			_ = conn.SetWriteDeadline(time.Time{})
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
