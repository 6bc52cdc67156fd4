package bench

import (
	"net"
	"testing"
	"time"
)

// TestArrivalReader: a read returns the bytes and the kernel's receive
// time, which lies between the write and the end of the read.
func TestArrivalReader(t *testing.T) {
	out, in := tcpPair(t)
	a, err := newArrivalReader(in)
	if err != nil {
		t.Fatal(err)
	}
	awaitTimestamps(t, out, a)
	before := time.Now()
	if _, err := out.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // the bytes wait in the socket: arrival is well before the read
	buf := make([]byte, 64)
	n, at, err := a.read(buf)
	after := time.Now()
	if err != nil || string(buf[:n]) != "hello\n" {
		t.Fatalf("read: %q, %v", buf[:n], err)
	}
	if at.Before(before.Add(-time.Millisecond)) || at.After(after) {
		t.Fatalf("arrival %v not between write %v and read %v", at, before, after)
	}
	if waited := after.Sub(at); waited < 15*time.Millisecond {
		t.Errorf("arrival %v after the write, %v before the read: want the time it reached the socket", at.Sub(before), waited)
	}
	out.Close()
	if _, _, err := a.read(buf); err == nil {
		t.Error("read after the peer closed: want EOF")
	}
}

// awaitTimestamps exchanges single bytes until a read carries the kernel's
// receive time: the kernel turns receive timestamps on a moment after a
// socket first asks for them (deferred work), so the first bytes may come
// without one.
func awaitTimestamps(t *testing.T, out *net.TCPConn, a *arrivalReader) {
	t.Helper()
	buf := make([]byte, 1)
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := out.Write([]byte{'.'}); err != nil {
			t.Fatal(err)
		}
		if _, at, err := a.read(buf); err != nil {
			t.Fatal(err)
		} else if !at.IsZero() {
			return
		}
	}
	t.Fatal("no read carried a receive time within 2 s")
}
