package protocol

import (
	"net"
	"time"
)

// ReadDeadline keeps a connection's read deadline a silence ahead of the
// last line read, without setting it for every line: each SetReadDeadline
// updates a runtime timer, and a busy room brings thousands of lines a
// second. The deadline is moved on once it has run down by a sixteenth, so
// a silent peer is found out between 15/16 of the silence and all of it
// after its last line. Only its owner's reads may set the deadline.
type ReadDeadline struct {
	at time.Time // the deadline last set
}

// Extend makes sure c's read deadline is at least 15/16 of silence away.
func (d *ReadDeadline) Extend(c net.Conn, silence time.Duration) {
	if now := time.Now(); d.at.Sub(now) < silence-silence/16 {
		d.at = now.Add(silence)
		_ = c.SetReadDeadline(d.at)
	}
}
