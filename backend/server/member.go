package server

import (
	"net"
	"sync"
	"sync/atomic"
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
	legacy   bool   // style != styleNative
	batch    bool   // native, and reads msgs frames (its hello's Batch)
	host     bool   // set by hub.admit
	since    uint64 // set by hub.admit: the first presence event it hears of
	conn     net.Conn
	out      *sendQueue
	away     atomic.Bool // gone without a goodbye, may still resume; set under hub.mu
	saidBye  bool        // left on purpose; owned by the reader

	// Set by hub.admit before the greeting writer starts, then owned by it.
	greeting []byte // the welcome, written first
	replay   replay // history to send after it, before the queue

	finished  chan struct{} // closed once the connection is closed for good
	finishOne sync.Once
}

// replay is the history still to be sent to a member that just joined:
// the messages with seq in (after, until].
type replay struct {
	after, until uint64
	source       *hub
}

// next returns the next batch of history, or nil when done.
func (r *replay) next() []byte {
	if r.source == nil || r.after >= r.until {
		return nil
	}
	batch, last := r.source.historyAfter(r.after, r.until)
	r.after = last
	return batch
}

// sendBuffer is the kernel send buffer a member's socket starts with. It is
// set (not left to autotuning) so that a member cut off for not reading
// can be given a little more to hold its last word: see lastWord.
const sendBuffer = 64 << 10

func newMember(conn net.Conn, nick, clientID string, style legacyStyle, queueBytes int) *member {
	m := &member{
		nick: nick, clientID: clientID, style: style, legacy: style != styleNative,
		conn: conn, finished: make(chan struct{}),
	}
	var direct func([]byte) int
	if style != styleRaw { // a tutorial client's lines are joined by the writer
		direct = directWriter(conn)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(sendBuffer)
	}
	m.out = newSendQueue(queueBytes, direct, m.drain)
	return m
}

func (m *member) info() chat.Member {
	return chat.Member{Nick: m.nick, Host: m.host, Legacy: m.legacy}
}

// text frames a line of plain text for a legacy member: newline-terminated
// for line clients, bare for a tutorial client (its writer separates them).
func (m *member) text(s string) []byte {
	if m.style == styleLines {
		return []byte(s + "\n")
	}
	return []byte(s)
}

// drop closes a connection that a newer one of the same client replaced.
func (m *member) drop() {
	m.out.drop()
	m.out.close(nil)
	_ = m.conn.Close()
}

// cutOff stops a member that cannot keep up. What is queued is dropped (a
// native member resumes from its last sequence number); the write in
// progress is interrupted at once; its frame is finished and followed by
// the reason, and the connection closes (see lastWord).
func (m *member) cutOff() {
	m.out.drop()
	var reason []byte
	if m.legacy {
		reason = m.text("error: you fell too far behind and were disconnected; reconnect to continue")
	} else {
		reason, _ = protocol.Encode(protocol.ErrorFrame(chat.ErrSlow))
	}
	m.out.cut.Store(true)
	m.out.close(reason)
	_ = m.conn.SetWriteDeadline(time.Now()) // the writer must not wait any more
}

// writeTimeout bounds one write: a peer that takes nothing for this long
// is gone.
const writeTimeout = protocol.DeadAfter

// lastWordTimeout bounds the final attempt to finish a frame and say why
// the connection is closing.
const lastWordTimeout = 500 * time.Millisecond

var newline = []byte("\n")

// greet is the member's first writer: it sends the welcome and the
// history, batch by batch, while live frames wait in the queue, so the
// member sees one ordered stream; then it drains the queue like any writer.
func (m *member) greet() {
	if m.greeting != nil && !m.write([][]byte{m.greeting}) {
		return
	}
	m.greeting = nil // a welcome lists every member: don't keep it
	for batch := m.replay.next(); batch != nil; batch = m.replay.next() {
		if !m.write([][]byte{batch}) {
			return
		}
	}
	m.replay = replay{}
	m.drain()
}

// drain is a writer goroutine: it writes what is queued, one vectored
// write per batch, until nothing is left (the goroutine ends) or the queue
// closes (the connection closes).
func (m *member) drain() {
	var batch, framed [][]byte
	for {
		frames, done, idle := m.out.take(batch)
		if idle {
			return
		}
		batch = frames
		framed = m.frame(framed[:0], frames)
		if len(framed) > 0 && !m.write(framed) {
			return
		}
		if done {
			m.finish()
			return
		}
	}
}

// write sends frames in one write, joined into one buffer first when
// there are several (a vectored write of many small buffers makes the
// runtime keep an iovec array per socket). On failure it closes the queue
// and the connection, saying why first if there is a reason.
func (m *member) write(frames [][]byte) bool {
	_ = m.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if m.out.cut.Load() {
		_ = m.conn.SetWriteDeadline(time.Now())
	}
	buf := frames[0]
	if len(frames) > 1 {
		buf = joinFrames(frames)
	}
	n, err := m.conn.Write(buf)
	if err != nil {
		m.lastWord(rest(frames, n))
		m.finish()
		return false
	}
	return true
}

func joinFrames(frames [][]byte) []byte {
	size := 0
	for _, f := range frames {
		size += len(f)
	}
	buf := make([]byte, 0, size)
	for _, f := range frames {
		buf = append(buf, f...)
	}
	return buf
}

// rest returns the unwritten part of the frame that n written bytes ended
// in, or nil if they ended between frames.
func rest(frames [][]byte, n int) []byte {
	for _, f := range frames {
		if n < len(f) {
			return f[n:]
		}
		n -= len(f)
	}
	return nil
}

// lastWord runs after a failed write: if the queue was closed with a
// reason (the member was cut off), it finishes the frame that was cut in
// half (rest, the unwritten remainder of it) and writes the reason. The member is not reading, so its socket is full: the send
// buffer is first enlarged, which gives the kernel room to hold these
// last bytes and deliver them after the close, whenever the member reads.
func (m *member) lastWord(unfinished []byte) {
	m.out.close(nil)
	reason := m.out.takeLast()
	// A writer that took the reason itself (nothing else was queued) and
	// could not write it has it in unfinished.
	if reason == nil && (unfinished == nil || !m.out.cut.Load()) {
		return
	}
	if tc, ok := m.conn.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4 << 20) // the system caps it; more room is all we need
	}
	_ = m.conn.SetWriteDeadline(time.Now().Add(lastWordTimeout))
	_, _ = m.conn.Write(append(append([]byte(nil), unfinished...), reason...))
}

// finish closes the connection for good, once.
func (m *member) finish() {
	m.finishOne.Do(func() {
		m.out.close(nil)
		_ = m.conn.Close()
		close(m.finished)
	})
}

// frame adds the separators a tutorial client needs: it prints each read
// as it comes, so its lines are separated but not terminated, exactly as
// the original server wrote them. Native and line frames carry their own
// newline.
func (m *member) frame(dst, frames [][]byte) [][]byte {
	if m.style != styleRaw {
		return append(dst, frames...)
	}
	for i, f := range frames {
		if i > 0 {
			dst = append(dst, newline)
		}
		dst = append(dst, f)
	}
	return dst
}
