//go:build !linux

package bench

import (
	"errors"
	"net"
	"time"
)

// arrivalReader needs the kernel's receive timestamps, which this
// benchmark only reads on Linux; elsewhere only read-time latency is
// measured.
type arrivalReader struct{}

func newArrivalReader(*net.TCPConn) (*arrivalReader, error) {
	return nil, errors.New("receive timestamps: Linux only")
}

func (*arrivalReader) read([]byte) (int, time.Time, error) {
	return 0, time.Time{}, errors.New("receive timestamps: Linux only")
}
