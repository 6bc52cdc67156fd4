package server

import (
	"errors"
	"net"
	"os"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// handle runs one connection from accept to close: it tells a native client
// from a plain-text one and runs its handshake. For a new member it
// returns the rest of the member's life, to run on a fresh goroutine; nil
// when the connection is over.
func (s *Server) handle(conn net.Conn) func() {
	if tc, ok := conn.(*net.TCPConn); ok {
		// Plain-text clients have no heartbeat; let TCP find dead peers.
		_ = tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true, Idle: 5 * time.Second, Interval: 5 * time.Second, Count: 3})
	}
	first, err := s.sniff(conn)
	switch {
	case err != nil:
		s.log.Debug("connection closed before speaking", "remote", conn.RemoteAddr(), "err", err)
	case len(first) > 0 && first[0] == '{':
		return s.serveNative(conn, first)
	case len(first) > 0 && first[0] == 0x16:
		s.log.Info("refused TLS client", "remote", conn.RemoteAddr())
		writeText(conn, "error: this room does not offer encryption yet\n")
	case s.cfg.NoLegacy:
		s.log.Info("refused plain-text client", "remote", conn.RemoteAddr())
		writeText(conn, "error: this room does not accept plain-text clients\n")
	default:
		return s.serveLegacy(conn, first)
	}
	return nil
}

// sniff waits briefly for the client's first bytes. Native clients speak
// at once; a tutorial client waits to be asked for its nickname, so silence
// (no bytes, no error) means plain text.
func (s *Server) sniff(conn net.Conn) ([]byte, error) {
	wait := protocol.LegacyWait
	if s.cfg.NoLegacy {
		wait = protocol.HandshakeTimeout
	}
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	_ = conn.SetReadDeadline(time.Time{})
	if n > 0 {
		return buf[:n], nil
	}
	if errors.Is(err, os.ErrDeadlineExceeded) && !s.cfg.NoLegacy {
		return nil, nil
	}
	return nil, err
}

// serveNative runs the JSON protocol: hello, welcome, then the member's
// reader here and its writer in its own goroutine.
func (s *Server) serveNative(conn net.Conn, first []byte) func() {
	lr := protocol.NewLineReader(conn, protocol.MaxFrame, first)
	hello, err := s.readHello(conn, lr)
	if err != nil {
		s.refuse(conn, err)
		return nil
	}
	m := newMember(conn, hello.Nick, hello.ClientID, styleNative, s.cfg.QueueBytes)
	m.batch = hello.Batch
	if err := s.hub.admit(m, hello.HostToken, hello.ResumeFrom); err != nil {
		s.refuse(conn, err)
		return nil
	}
	return func() { s.runMember(m, func() error { return s.readNative(m, lr) }) }
}

// flushGrace is how long a departing member's writer gets to flush.
const flushGrace = 2 * time.Second

// runMember starts m's writer, runs its reader until the connection ends,
// then takes m out of the room and lets the writer flush what is left
// (an error frame explaining a disconnect, say) before the caller closes
// the connection.
func (s *Server) runMember(m *member, read func() error) {
	go m.greet() // the first writer; later ones start as frames need them
	err := read()
	if m.legacy || m.saidBye {
		s.hub.leave(m)
	} else {
		s.hub.away(m) // it may be back in a moment: see hub.awayLocked
	}
	m.out.close(farewell(m, err))
	select {
	case <-m.finished:
	case <-time.After(flushGrace):
		m.conn.Close() // a writer stuck on the socket fails now, and finishes
		<-m.finished
	}
	s.log.Debug("member connection ended", "nick", m.nick, "err", err)
}

// farewell is the last frame for a member whose reading ended with err:
// the reason, when the host is the one hanging up.
func farewell(m *member, err error) []byte {
	if m.legacy || !errors.Is(err, os.ErrDeadlineExceeded) {
		return nil
	}
	b, _ := protocol.Encode(protocol.Error{Code: chat.CodeTimeout, Message: "no answer to heartbeats; reconnect to continue"})
	return b
}

func (s *Server) readHello(conn net.Conn, lr *protocol.LineReader) (protocol.Hello, error) {
	_ = conn.SetReadDeadline(time.Now().Add(protocol.HandshakeTimeout))
	defer conn.SetReadDeadline(time.Time{})
	line, err := lr.ReadLine()
	if err != nil {
		return protocol.Hello{}, err
	}
	f, err := protocol.Decode(line)
	if err != nil {
		return protocol.Hello{}, err
	}
	hello, ok := f.(protocol.Hello)
	switch {
	case !ok:
		return hello, chat.Errorf(chat.CodeBadFrame, "the first frame must be hello, not "+f.Type())
	case hello.V != protocol.Version:
		return hello, chat.Errorf(chat.CodeVersion, "this room speaks protocol version 1; update Parley")
	}
	hello.Nick, err = chat.ValidateNick(hello.Nick)
	return hello, err
}

// refuse sends a handshake error and lets the connection close.
func (s *Server) refuse(conn net.Conn, err error) {
	s.log.Info("refused client", "remote", conn.RemoteAddr(), "err", err)
	var ce *chat.Error
	if !errors.As(err, &ce) {
		return // a network error: nobody to tell
	}
	if b, err := protocol.Encode(protocol.ErrorFrame(ce)); err == nil {
		writeText(conn, string(b))
	}
}

// inputPauseFraction: a member's input is not read while its own queue is
// fuller than 1/inputPauseFraction of the cap. Readers keep up with a
// sender that is held to its own reading pace with room to spare; only a
// member that does not read at all reaches the cap.
const inputPauseFraction = 4

// maxStrikes is how many malformed frames a member may send before it is
// disconnected.
const maxStrikes = 3

// readNative reads frames from a native member until the connection fails
// or the member misbehaves repeatedly.
func (s *Server) readNative(m *member, lr *protocol.LineReader) error {
	strikes := 0
	dead := 3 * s.cfg.PingInterval
	for {
		if !lr.HasLine() {
			s.hub.kick() // all that was read is posted: commit it together
		}
		m.out.waitBelow(m.out.max / inputPauseFraction)
		if !lr.HasLine() {
			// The next line needs a read: the member has dead to send
			// something. Only then, not per line, since setting a
			// deadline updates a timer and one read brings many lines.
			_ = m.conn.SetReadDeadline(time.Now().Add(dead))
		}
		line, err := lr.ReadLine()
		var f protocol.Frame
		if err == nil {
			f, err = protocol.Decode(line)
		}
		if err != nil {
			var ce *chat.Error
			if !errors.As(err, &ce) {
				return err // the connection is gone
			}
			if strikes++; strikes >= maxStrikes {
				s.sendError(m, chat.Errorf(ce.Code, ce.Message+"; disconnecting after repeated errors"))
				return err
			}
			s.sendError(m, ce)
			continue
		}
		if !s.onFrame(m, f) {
			return nil
		}
	}
}

// onFrame handles one frame from a member; it returns false when the
// member said goodbye.
func (s *Server) onFrame(m *member, f protocol.Frame) bool {
	switch f := f.(type) {
	case protocol.Bye:
		m.saidBye = true
		return false
	case protocol.GetHistory:
		page, err := s.hub.older(f.Before, f.Limit)
		if err != nil {
			s.sendError(m, err)
		} else {
			s.send(m, page)
		}
	case protocol.Send:
		if err := s.hub.post(m, f.ID, f.Text, f.Resend); err != nil {
			ef := protocol.ErrorFrame(err)
			ef.ID = f.ID
			s.send(m, ef)
		}
	case protocol.Ping:
		s.send(m, protocol.Pong{})
	case protocol.Pong, protocol.Unknown:
		// Pong only proves liveness (the read deadline moved); unknown
		// frames are from newer clients.
	default:
		s.sendError(m, chat.Errorf(chat.CodeBadFrame, "unexpected "+f.Type()+" frame"))
	}
	return true
}

func (s *Server) sendError(m *member, err error) { s.send(m, protocol.ErrorFrame(err)) }

func (s *Server) send(m *member, f protocol.Frame) {
	b, err := protocol.Encode(f)
	if err != nil {
		return
	}
	s.hub.sendTo(m, b)
}

// writeText writes a short final message with a deadline, best effort.
func writeText(conn net.Conn, text string) {
	_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = conn.Write([]byte(text))
}
