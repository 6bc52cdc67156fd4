package server

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// Timings of the plain-text mode.
const (
	// legacyNickTimeout is how long a person at nc has to type a name.
	legacyNickTimeout = time.Minute
	// legacySilence ends a message that came without a newline: tutorial
	// clients send each message as one unterminated write.
	legacySilence = 50 * time.Millisecond
)

var errLineTooLong = errors.New("line too long")

// serveLegacy speaks the tutorial protocol: write "NICK" alone, read the
// bare nickname back, then relay text both ways.
func (s *Server) serveLegacy(conn net.Conn, early []byte) func() {
	r := &textReader{conn: conn, pending: early, max: chat.MaxTextBytes}
	writeText(conn, "NICK")
	answer, terminated, err := r.next(time.Now().Add(legacyNickTimeout))
	if err != nil {
		s.log.Debug("plain-text client gave no nickname", "remote", conn.RemoteAddr(), "err", err)
		return nil
	}
	style := styleRaw
	if terminated {
		style = styleLines
	}
	nick, err := chat.ValidateNick(answer)
	if err == nil {
		m := newMember(conn, nick, "legacy-"+chat.NewID(), style, s.cfg.QueueBytes)
		if err = s.hub.admit(m, "", nil); err == nil {
			s.greetLegacy(m)
			return func() { s.runMember(m, func() error { return s.readLegacy(m, r) }) }
		}
	}
	s.log.Info("refused plain-text client", "remote", conn.RemoteAddr(), "err", err)
	msg := "error: " + err.Error() + "; reconnect and choose another nickname"
	if style == styleLines {
		msg += "\n"
	}
	writeText(conn, msg)
	return nil
}

// greetLegacy tells a new plain-text member where it is and who is there,
// as the tutorial server's "Connected to server!" did.
func (s *Server) greetLegacy(m *member) {
	text := fmt.Sprintf("Connected to %q! In the room: %s", s.cfg.Room.Name, nickList(s.hub.membersList(), greetNames))
	s.hub.sendTo(m, m.text(text))
}

// greetNames is how many names a plain-text greeting lists; a big room is
// summed up ("… and 980 others"), as a long line helps nobody at nc.
const greetNames = 20

func nickList(members []chat.Member, limit int) string {
	var nicks []string
	for i, mem := range members {
		if i == limit {
			return strings.Join(nicks, ", ") + fmt.Sprintf(" and %d others", len(members)-limit)
		}
		nicks = append(nicks, mem.Nick)
	}
	return strings.Join(nicks, ", ")
}

// readLegacy posts each line or silence-terminated chunk as a message.
func (s *Server) readLegacy(m *member, r *textReader) error {
	prefix := m.nick + ":"
	var count uint64 // for message ids, which only need to be unique per member
	for {
		if !r.hasLine() {
			s.hub.kick() // all that was read is posted: commit it together
		}
		m.out.waitBelow(m.out.max / inputPauseFraction)
		text, _, err := r.next(time.Time{})
		if errors.Is(err, errLineTooLong) {
			s.sendLegacyText(m, fmt.Sprintf("error: a message may be at most %d bytes", chat.MaxTextBytes))
			continue
		}
		if err != nil {
			return err
		}
		// Tutorial clients put "nick: " in front of what they send; the
		// room shows the author already.
		if rest, ok := strings.CutPrefix(text, prefix); ok {
			text = strings.TrimPrefix(rest, " ")
		}
		count++
		if err := s.hub.post(m, "l"+strconv.FormatUint(count, 36), text, false); err != nil && !errors.Is(err, chat.ErrBadText) {
			return err
		}
	}
}

func (s *Server) sendLegacyText(m *member, text string) {
	s.hub.sendTo(m, m.text(text))
}

// textReader splits a plain-text stream into messages: a newline ends one,
// and so does a pause of legacySilence after an unterminated chunk.
type textReader struct {
	conn       net.Conn
	buf        []byte // where pending lives, once the first read needs room
	pending    []byte // received, not yet returned
	max        int
	discarding bool // inside an over-long line, dropping until its newline
	busy       bool // the last read brought half a buffer or more
}

// minRead is the least room a read gets; the buffer grows from there, so
// an idle member keeps only a small one. A busy member's (see busy) grows
// to protocol.BusyReadBuffer, as a native member's does.
const minRead = 256

// read appends what the connection has to pending, reading straight into
// the room after it.
func (r *textReader) read() (int, error) {
	if cap(r.pending)-len(r.pending) < minRead {
		r.makeRoom()
	}
	n, err := r.conn.Read(r.pending[len(r.pending):cap(r.pending)])
	r.pending = r.pending[:len(r.pending)+n]
	r.busy = n >= max(len(r.buf), 2*minRead)/2
	return n, err
}

// makeRoom moves pending to the front of buf, or into a buffer twice the
// size when it needs that room, or when the member is busy and the buffer
// below protocol.BusyReadBuffer.
func (r *textReader) makeRoom() {
	size := max(len(r.buf), 2*minRead)
	for len(r.pending)+minRead > size || r.busy && size == len(r.buf) && size < protocol.BusyReadBuffer {
		size *= 2
	}
	if size != len(r.buf) {
		r.buf = make([]byte, size)
	}
	r.pending = r.buf[:copy(r.buf, r.pending)]
}

// hasLine reports whether a whole line is already buffered.
func (r *textReader) hasLine() bool { return bytes.IndexByte(r.pending, '\n') >= 0 }

// next returns the next message and whether a newline ended it. A zero
// deadline waits for ever.
func (r *textReader) next(deadline time.Time) (string, bool, error) {
	for {
		if i := bytes.IndexByte(r.pending, '\n'); i >= 0 {
			line := strings.TrimSuffix(string(r.pending[:i]), "\r")
			r.pending = r.pending[i+1:]
			if r.discarding || len(line) > r.max {
				r.discarding = false
				return "", true, errLineTooLong
			}
			return line, true, nil
		}
		if len(r.pending) > r.max {
			r.pending, r.discarding = r.pending[:0], true
		}
		wait := deadline
		if len(r.pending) > 0 && !r.discarding {
			wait = time.Now().Add(legacySilence)
		}
		_ = r.conn.SetReadDeadline(wait)
		n, err := r.read()
		if n > 0 {
			continue
		}
		if len(r.pending) > 0 && !r.discarding {
			chunk := string(r.pending)
			r.pending = r.pending[:0]
			return chunk, false, nil // silence (or close) ends an unterminated message
		}
		return "", false, err
	}
}
