package bench

import (
	"encoding/binary"
	"io"
	"net"
	"syscall"
	"time"
)

// arrivalReader reads a TCP connection and tells when the kernel received
// the last bytes of each read (SO_TIMESTAMPNS): the moment they reached
// the member's socket, before the generator's scheduler got round to its
// reader. With a thousand readers on two CPUs that wait is most of the
// read-time latency, and it is the generator's, not the host's.
type arrivalReader struct {
	raw syscall.RawConn
	oob [64]byte
}

func newArrivalReader(c *net.TCPConn) (*arrivalReader, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil {
		return nil, err
	}
	if serr != nil {
		return nil, serr
	}
	return &arrivalReader{raw: raw}, nil
}

// read is conn.Read that also returns the kernel's receive time of the
// newest data it returned (zero if the kernel gave none).
func (a *arrivalReader) read(b []byte) (int, time.Time, error) {
	var n, oobn int
	var rerr error
	err := a.raw.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), b, a.oob[:], 0)
		return rerr != syscall.EAGAIN
	})
	switch {
	case err != nil:
		return 0, time.Time{}, err
	case rerr != nil:
		return 0, time.Time{}, rerr
	case n == 0 && len(b) > 0:
		return 0, time.Time{}, io.EOF
	}
	return n, stampIn(a.oob[:oobn]), nil
}

// stampIn finds the SCM_TIMESTAMPNS message among control messages. Reads
// are few at chat load, so parsing them the simple way costs nothing.
func stampIn(oob []byte) time.Time {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}
	}
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(m.Data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(m.Data[8:16]))
			return time.Unix(sec, nsec)
		}
	}
	return time.Time{}
}
