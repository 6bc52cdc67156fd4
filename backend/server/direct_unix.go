//go:build unix

package server

import (
	"net"
	"syscall"
)

// directWriter returns a function that writes as much of a frame as the
// socket takes right now, without waiting, and says how much that was.
func directWriter(c net.Conn) func([]byte) int {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func(b []byte) int {
		n := 0
		_ = raw.Write(func(fd uintptr) bool {
			if w, err := syscall.Write(int(fd), b); err == nil && w > 0 {
				n = w
			}
			return true // never wait: what is left goes to the writer
		})
		return n
	}
}
