//go:build !unix

package server

import "net"

// directWriter is unix-only; elsewhere every frame goes through the
// member's writer goroutine.
func directWriter(net.Conn) func([]byte) int { return nil }
