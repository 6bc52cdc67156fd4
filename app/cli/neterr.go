package cli

import (
	"errors"
	"net"
)

func isNetErr(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de)
}
