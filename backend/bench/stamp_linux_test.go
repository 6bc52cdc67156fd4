package bench

import (
	"net"
	"testing"
	"time"
)

// TestArrivalReader: a read returns the bytes and the kernel's receive
// time, which lies between the write and the end of the read.
func TestArrivalReader(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	out, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	in, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	a, err := newArrivalReader(in.(*net.TCPConn))
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
