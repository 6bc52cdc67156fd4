//go:build unix

package server

import (
	"io"
	"net"
	"testing"
)

// TestDirectWriterAllocatesNothing: the fan-out writes to every member
// this way, once per batch, so a write must not allocate.
func TestDirectWriterAllocatesNothing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	go io.Copy(io.Discard, peer)

	write := directWriter(c)
	frame := []byte("{\"type\":\"ping\"}\n")
	if n := write(frame); n != len(frame) {
		t.Fatalf("wrote %d of %d bytes", n, len(frame))
	}
	if allocs := testing.AllocsPerRun(100, func() { write(frame) }); allocs != 0 {
		t.Errorf("a direct write allocates %.1f times, want 0", allocs)
	}
}
