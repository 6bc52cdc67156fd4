package bench

import (
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
