package server

import (
	"net"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// legacyStyle says how a plain-text client frames what it sends and wants.
type legacyStyle int

const (
	styleNative legacyStyle = iota
	styleRaw                // tutorial client: one send per message, no newline
	styleLines              // nc and friends: newline-terminated lines
)

// member is one connection that completed its handshake.
type member struct {
	nick     string
	clientID string
	style    legacyStyle
	legacy   bool // style != styleNative
	host     bool // set by hub.admit
	conn     net.Conn
	out      *sendQueue
	away     bool // gone without a goodbye, may still resume; guarded by hub.mu
	saidBye  bool // left on purpose; owned by the reader

	// Set by hub.admit before the writer starts, then owned by writeLoop.
	greeting []byte // the welcome, written first
	replay   replay // history to send after it, before the queue
}

// replay is the history still to be sent to a member that just joined:
// the messages with seq in (after, until].
type replay struct {
	after, until uint64
	source       *hub
}

// next returns the next batch of history frames, or nil when done.
func (r *replay) next() [][]byte {
	if r.source == nil || r.after >= r.until {
		return nil
	}
	frames, last := r.source.historyAfter(r.after, r.until)
	r.after = last
	return frames
}

func newMember(conn net.Conn, nick, clientID string, style legacyStyle, queueBytes int) *member {
	return &member{
		nick: nick, clientID: clientID, style: style, legacy: style != styleNative,
		conn: conn, out: newSendQueue(queueBytes),
	}
}

func (m *member) info() chat.Member {
	return chat.Member{Nick: m.nick, Host: m.host, Legacy: m.legacy}
}

// drop closes a connection that a newer one of the same client replaced.
func (m *member) drop() {
	m.out.drop()
	m.out.close(nil)
	_ = m.conn.Close()
}

// cutOff stops queueing for a member that cannot keep up. What is queued
// is dropped (a native member resumes from its last sequence number); the
// frame being written is finished and followed by the reason, if the
// member reads again before the writer gives up.
func (m *member) cutOff() {
	m.out.drop()
	var reason []byte
	if m.legacy {
		reason = []byte("error: you fell too far behind and were disconnected; reconnect to continue")
	} else {
		reason, _ = protocol.Encode(protocol.ErrorFrame(chat.ErrSlow))
	}
	m.out.close(reason)
}

// writeTimeout bounds one write: a peer that takes nothing for this long
// is gone.
const writeTimeout = protocol.DeadAfter

// lastWordTimeout bounds the final attempt to finish a frame and say why
// the connection is closing.
const lastWordTimeout = 5 * time.Second

var newline = []byte("\n")

// writeLoop is the member's only writer. It sends the welcome and the
// history, then drains the queue into one vectored write per batch, and
// closes the connection once the queue is closed and flushed.
func (m *member) writeLoop() {
	defer m.conn.Close()
	if !m.writeGreeting() {
		return
	}
	var batch, framed [][]byte
	for {
		frames, done := m.out.take(batch)
		batch = frames
		framed = m.frame(framed[:0], frames)
		if len(framed) == 0 {
			return
		}
		if !m.write(framed) {
			return
		}
		if done {
			return
		}
	}
}

// writeGreeting sends the welcome and then the history batch by batch.
// Live frames wait in the queue meanwhile, so the member sees one ordered
// stream.
func (m *member) writeGreeting() bool {
	if m.greeting != nil && !m.write([][]byte{m.greeting}) {
		return false
	}
	for frames := m.replay.next(); frames != nil; frames = m.replay.next() {
		if !m.write(frames) {
			return false
		}
	}
	return true
}

// write sends frames in one vectored write.
func (m *member) write(frames [][]byte) bool {
	_ = m.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	bufs := net.Buffers(frames)
	if _, err := bufs.WriteTo(m.conn); err != nil {
		m.lastWord(bufs)
		return false
	}
	return true
}

// lastWord runs after a failed write: if the queue was closed with a
// reason, it finishes the frame that was cut in half (WriteTo left the
// unwritten remainder in rest) and writes the reason, best effort.
func (m *member) lastWord(rest net.Buffers) {
	m.out.close(nil)
	reason := m.out.takeLast()
	if reason == nil {
		return
	}
	final := net.Buffers{}
	if len(rest) > 0 {
		final = append(final, rest[0])
	}
	final = append(final, reason)
	_ = m.conn.SetWriteDeadline(time.Now().Add(lastWordTimeout))
	_, _ = final.WriteTo(m.conn)
}

// frame adds the separators plain-text clients need. Native frames carry
// their own newline. A tutorial client prints each read as it comes, so its
// lines are separated but not terminated, exactly as the original server
// wrote them; a line-mode client gets a newline after each line.
func (m *member) frame(dst, frames [][]byte) [][]byte {
	for i, f := range frames {
		switch m.style {
		case styleNative:
			dst = append(dst, f)
		case styleRaw:
			if i > 0 {
				dst = append(dst, newline)
			}
			dst = append(dst, f)
		case styleLines:
			dst = append(dst, f, newline)
		}
	}
	return dst
}
