package protocol

import (
	"net"
	"testing"
	"time"
)

// deadlineConn records the read deadlines set on it.
type deadlineConn struct {
	net.Conn
	set []time.Time
}

func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.set = append(c.set, t)
	return nil
}

func TestReadDeadlineMovesOnLazily(t *testing.T) {
	const silence = 160 * time.Millisecond
	c := &deadlineConn{}
	var d ReadDeadline
	start := time.Now()
	for range 1000 {
		d.Extend(c, silence)
	}
	if len(c.set) != 1 {
		t.Fatalf("1,000 lines in a row set the deadline %d times, want 1", len(c.set))
	}
	if got := c.set[0].Sub(start); got < silence || got > silence+time.Second {
		t.Fatalf("deadline %v after the first line, want about %v", got, silence)
	}

	time.Sleep(silence / 8) // more than a sixteenth has run down
	before := time.Now()
	d.Extend(c, silence)
	if len(c.set) != 2 {
		t.Fatalf("after %v the deadline was set %d times in all, want 2", silence/8, len(c.set))
	}
	if got := c.set[1].Sub(before); got < silence {
		t.Errorf("new deadline %v away, want at least %v", got, silence)
	}
}
