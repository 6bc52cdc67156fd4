//go:build unix

package server

import (
	"net"
	"syscall"
)

// directWriter returns a function that writes as much of a frame as the
// socket takes right now, without waiting, and says how much that was.
// Its calls must not overlap (the send queue's lock serialises them).
func directWriter(c net.Conn) func([]byte) int {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	w := &rawWriter{raw: raw}
	w.try = w.tryWrite
	return w.write
}

// rawWriter holds the frame being written where the callback passed to
// RawConn.Write finds it, and that callback bound once: a closure over
// each frame would be an allocation per write, and the fan-out makes one
// write per member per batch.
type rawWriter struct {
	raw syscall.RawConn
	try func(fd uintptr) bool // tryWrite
	b   []byte                // the frame of the write under way
	n   int                   // what of it the socket took
}

func (w *rawWriter) write(b []byte) int {
	w.b, w.n = b, 0
	_ = w.raw.Write(w.try)
	w.b = nil // the frame is the room's, not ours to keep
	return w.n
}

func (w *rawWriter) tryWrite(fd uintptr) bool {
	if n, err := syscall.Write(int(fd), w.b); err == nil && n > 0 {
		w.n = n
	}
	return true // never wait: what is left goes to the writer
}
