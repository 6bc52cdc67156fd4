package bench

import (
	"errors"
	"net"
	"syscall"
	"testing"
	"time"
)

// BenchmarkLoopbackWrite is what one write of a chat frame (150 bytes) to
// a loopback TCP connection costs the writer, in the two cases a host
// meets: the reader is blocked in read, so every write wakes it (a quiet
// room, or chat load with a thousand members), or nobody is waiting and
// the bytes are found later (a busy reader). On loopback the writer's
// system call also runs the receiving side's TCP and the wake-up; the gap
// between the two figures is the wake-up (docs/performance.md).
func BenchmarkLoopbackWrite(b *testing.B) {
	frame := make([]byte, 150)
	b.Run("reader waiting", func(b *testing.B) {
		out, in := tcpPair(b)
		go func() {
			buf := make([]byte, 64<<10)
			for {
				if _, err := in.Read(buf); err != nil {
					return
				}
			}
		}()
		for b.Loop() {
			if _, err := out.Write(frame); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("nobody waiting", func(b *testing.B) {
		out, in := tcpPair(b)
		raw, err := out.SyscallConn()
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			var werr error
			if err := raw.Write(func(fd uintptr) bool {
				_, werr = syscall.Write(int(fd), frame)
				return true // never wait for the socket to drain
			}); err != nil {
				b.Fatal(err)
			}
			if errors.Is(werr, syscall.EAGAIN) {
				b.StopTimer()
				drain(b, in)
				b.StartTimer()
			} else if werr != nil {
				b.Fatal(werr)
			}
		}
	})
}

// drain reads what the writer queued until nothing more arrives.
func drain(b *testing.B, in *net.TCPConn) {
	buf := make([]byte, 1<<20)
	for {
		_ = in.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := in.Read(buf); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return
			}
			b.Fatal(err)
		}
	}
}
