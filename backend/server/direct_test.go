//go:build unix

package server

import (
	"io"
	"testing"
)

// TestDirectWriterAllocatesNothing: the fan-out writes to every member
// this way, once per batch, so a write must not allocate.
func TestDirectWriterAllocatesNothing(t *testing.T) {
	c, peer := tcpPair(t)
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
