package server

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/parley-lan/parley/backend/chat"
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
func (s *Server) serveLegacy(conn net.Conn, early []byte) {
	r := &textReader{conn: conn, pending: early, max: chat.MaxTextBytes}
	writeText(conn, "NICK")
	answer, terminated, err := r.next(time.Now().Add(legacyNickTimeout))
	if err != nil {
		s.log.Debug("plain-text client gave no nickname", "remote", conn.RemoteAddr(), "err", err)
		return
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
			s.runMember(m, func() error { return s.readLegacy(m, r) })
			return
		}
	}
	s.log.Info("refused plain-text client", "remote", conn.RemoteAddr(), "err", err)
	msg := "error: " + err.Error() + "; reconnect and choose another nickname"
	if style == styleLines {
		msg += "\n"
	}
	writeText(conn, msg)
}

// greetLegacy tells a new plain-text member where it is and who is there,
// as the tutorial server's "Connected to server!" did.
func (s *Server) greetLegacy(m *member) {
	var nicks []string
	for _, mem := range s.hub.membersList() {
		nicks = append(nicks, mem.Nick)
	}
	text := fmt.Sprintf("Connected to %q! In the room: %s", s.cfg.Room.Name, strings.Join(nicks, ", "))
	s.hub.sendTo(m, []byte(text))
}

// readLegacy posts each line or silence-terminated chunk as a message.
func (s *Server) readLegacy(m *member, r *textReader) error {
	prefix := m.nick + ":"
	for {
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
		if err := s.hub.post(m, "l"+chat.NewID(), text, false); err != nil && !errors.Is(err, chat.ErrBadText) {
			return err
		}
	}
}

func (s *Server) sendLegacyText(m *member, text string) {
	s.hub.sendTo(m, []byte(text))
}

// textReader splits a plain-text stream into messages: a newline ends one,
// and so does a pause of legacySilence after an unterminated chunk.
type textReader struct {
	conn       net.Conn
	pending    []byte // received, not yet returned
	max        int
	discarding bool // inside an over-long line, dropping until its newline
	buf        [2048]byte
}

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
		n, err := r.conn.Read(r.buf[:])
		r.pending = append(r.pending, r.buf[:n]...)
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
