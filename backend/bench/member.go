package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// Protocol is how the generator's members talk to the host.
type Protocol string

// The two protocols a Parley room speaks.
const (
	Native Protocol = "native" // JSON lines: hello/welcome, send/msg or msgs, ping/pong
	Legacy Protocol = "legacy" // plain text, as nc: NICK, "name\n", "nick: text\n"
)

const (
	readBufSize = 16 << 10
	maxLineSize = 1 << 20 // a welcome listing a thousand members fits
)

// member is one connection of the generator. Its reader goroutine owns the
// read buffer and the counters in recv; the atomics are what other
// goroutines look at while the run goes on.
type member struct {
	idx     int
	run     *run
	conn    *net.TCPConn
	stuck   bool // never reads after its handshake
	reading bool // its reader was started (set before, read after)

	wmu sync.Mutex // serialises writes (sends and pongs)

	buf        []byte
	start, end int

	// arrivals, at chat load, gives each read the kernel's receive time,
	// kept in arrival (on the run's clock; 0 if none).
	arrivals *arrivalReader
	arrival  int64

	// Read by other goroutines.
	delivered atomic.Uint64 // intact messages from other members, first copies
	bytesIn   atomic.Uint64
	synced    atomic.Bool

	recv recvStats // owned by the reader; read after it stops
	done chan struct{}
}

// recvStats is what one member saw.
type recvStats struct {
	seen                     [][]uint64 // per sender: bitset of sequence numbers received
	unique                   []uint64   // per sender: distinct messages received
	high                     []uint64   // per sender: highest seq received + 1
	newDeliveries            uint64     // first copies not yet added to delivered
	echoes                   uint64     // own messages received back
	dups                     uint64
	outOfOrder               uint64
	garbled                  uint64
	errors                   uint64
	other                    uint64
	seqGaps                  uint64 // native: a room sequence number skipped or repeated
	lastSeq                  uint64
	baseSeq                  uint64 // native: the room's seq at welcome; older ones are history
	firstGarbled, firstError string
	lat                      Histogram // send to the read that returned it
	arrivalLat               Histogram // send to its arrival in the member's socket
	endErr                   error
	endedAt                  time.Duration // since the run's base, when the connection ended
	touched                  []int         // senders seen in the current chunk
	batches                  uint64        // native: msgs frames received
	frame                    nativeFrame
	items                    []received // the messages of the frame being handled
	scratch                  []byte
}

func newMember(r *run, idx int) *member {
	m := &member{idx: idx, run: r, done: make(chan struct{})}
	m.recv.seen = make([][]uint64, r.cfg.Senders)
	m.recv.unique = make([]uint64, r.cfg.Senders)
	m.recv.high = make([]uint64, r.cfg.Senders)
	m.recv.scratch = make([]byte, 0, 64)
	return m
}

// connect dials the host and completes the handshake of the run's
// protocol. What arrives after the handshake stays in the buffer for the
// reader.
func (m *member) connect(ctx context.Context) error {
	d := net.Dialer{Timeout: 10 * time.Second}
	c, err := d.DialContext(ctx, "tcp", m.run.cfg.Addr)
	if err != nil {
		return fmt.Errorf("member %d: dial %s: %w", m.idx, m.run.cfg.Addr, err)
	}
	m.conn = c.(*net.TCPConn)
	if m.run.cfg.Rate > 0 && !m.stuck {
		m.arrivals, _ = newArrivalReader(m.conn) // nil where unsupported: read time only
	}
	m.buf = make([]byte, readBufSize)
	if m.stuck {
		// Keep the kernel's receive buffer at its default, as a real
		// client that stopped reading would have it.
		m.buf = make([]byte, 4096)
	}
	deadline := time.Now().Add(30 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = m.conn.SetDeadline(deadline)
	defer m.conn.SetDeadline(time.Time{})
	nick := appendNick(nil, m.idx)
	if m.run.cfg.Proto == Native {
		err = m.helloNative(string(nick))
	} else {
		err = m.helloLegacy(nick)
	}
	if err != nil {
		return fmt.Errorf("member %d: handshake: %w", m.idx, err)
	}
	return nil
}

func (m *member) helloLegacy(nick []byte) error {
	for m.end < 4 {
		if err := m.fill(); err != nil {
			return fmt.Errorf("waiting for NICK: %w", err)
		}
	}
	if string(m.buf[:4]) != "NICK" {
		return fmt.Errorf("expected NICK, got %q", m.buf[:min(m.end, 64)])
	}
	m.start = 4
	_, err := m.conn.Write(append(nick, '\n'))
	return err
}

func (m *member) helloNative(nick string) error {
	hello, err := protocol.Encode(protocol.Hello{V: protocol.Version, Nick: nick, ClientID: "bench-" + chat.NewID(), Batch: true})
	if err != nil {
		return err
	}
	if _, err := m.conn.Write(hello); err != nil {
		return err
	}
	for {
		line, err := m.nextLine()
		if err != nil {
			return fmt.Errorf("waiting for welcome: %w", err)
		}
		var w struct {
			Type    string `json:"type"`
			Seq     uint64 `json:"seq"`
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(line, &w); err != nil {
			return fmt.Errorf("bad first frame %q: %w", line, err)
		}
		switch w.Type {
		case "welcome":
			m.recv.baseSeq = w.Seq
			return nil
		case "error":
			return fmt.Errorf("refused: %s: %s", w.Code, w.Message)
		}
	}
}

// nextLine returns the next complete line in the buffer (without its
// newline), reading more as needed. The slice is valid until the next read.
func (m *member) nextLine() ([]byte, error) {
	for {
		if i := bytes.IndexByte(m.buf[m.start:m.end], '\n'); i >= 0 {
			line := m.buf[m.start : m.start+i]
			m.start += i + 1
			return line, nil
		}
		if err := m.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads once into the buffer, making room first: it moves the
// unread tail to the front, or grows the buffer for a long line.
func (m *member) fill() error {
	if m.end == len(m.buf) {
		if m.start > 0 {
			m.end = copy(m.buf, m.buf[m.start:m.end])
			m.start = 0
		} else if len(m.buf) < maxLineSize {
			m.buf = append(m.buf, make([]byte, len(m.buf))...)
		} else {
			return errors.New("line longer than 1 MiB")
		}
	}
	var n int
	var err error
	if m.arrivals != nil {
		var at time.Time
		n, at, err = m.arrivals.read(m.buf[m.end:])
		m.arrival = 0 // a read without the kernel's time has no arrival
		if !at.IsZero() {
			m.arrival = int64(at.Sub(m.run.base.Round(0))) // both wall clock
		}
	} else {
		n, err = m.conn.Read(m.buf[m.end:])
	}
	m.end += n
	m.bytesIn.Add(uint64(n))
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// write sends b whole, under the member's write lock.
func (m *member) write(b []byte, deadline time.Time) (int, error) {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	_ = m.conn.SetWriteDeadline(deadline)
	return m.conn.Write(b)
}

var pong = []byte(`{"type":"pong"}` + "\n")

// readLoop reads until the connection ends. Every complete line of one
// read arrived at about the same time, so they share one clock reading.
func (m *member) readLoop() {
	defer close(m.done)
	defer m.releaseAcks()
	for {
		now := m.run.now()
		if m.run.closing.Load() {
			// Teardown: hosts announce departures ("b3\n left!" from
			// the tutorial server) that are nobody's message.
			m.start = m.end
		}
		for {
			i := bytes.IndexByte(m.buf[m.start:m.end], '\n')
			if i < 0 {
				break
			}
			line := m.buf[m.start : m.start+i]
			m.start += i + 1
			m.handle(line, now)
		}
		m.publish()
		if err := m.fill(); err != nil {
			m.recv.endErr = err
			m.recv.endedAt = time.Duration(m.run.now())
			return
		}
	}
}

// releaseAcks takes a member that stopped reading out of the senders'
// flow control, so a dropped member does not stall the others.
func (m *member) releaseAcks() {
	for s := range m.run.acks {
		m.run.ack(s, m.idx, math.MaxUint64)
	}
}

// publish makes this read's progress visible to the senders.
func (m *member) publish() {
	for _, s := range m.recv.touched {
		m.run.ack(s, m.idx, m.recv.high[s])
	}
	m.recv.touched = m.recv.touched[:0]
	if m.recv.newDeliveries > 0 {
		m.delivered.Add(m.recv.newDeliveries)
		m.recv.newDeliveries = 0
	}
}

// handle processes one received line.
func (m *member) handle(line []byte, now int64) {
	if m.run.cfg.Proto != Native {
		kind, msg := parseLegacyLine(line)
		m.count(kind, msg, line, now)
		return
	}
	st := &m.recv
	kind, items := parseNativeLine(line, &st.frame, st.scratch, st.items[:0])
	st.items = items // keeps the capacity for the next frame
	if kind == lineBatch {
		st.batches++
	}
	if len(items) == 0 {
		m.count(kind, msgRef{}, line, now)
		return
	}
	for _, it := range items {
		if it.kind == lineMessage || it.kind == lineSync {
			if it.seq <= st.baseSeq {
				continue // history from before this member joined
			}
			m.checkSeq(it.seq)
		}
		m.count(it.kind, it.msg, line, now)
	}
}

// count records one received line, or one message of a native frame.
func (m *member) count(kind lineKind, msg msgRef, line []byte, now int64) {
	if !m.synced.Load() {
		// Before the sync message everything is handshake chatter.
		if kind == lineSync {
			m.synced.Store(true)
			m.run.syncs.Add(1)
		}
		if kind == linePing {
			m.pong()
		}
		return
	}
	switch kind {
	case lineMessage:
		m.deliver(msg, now)
	case linePing:
		m.pong()
	case lineGarbled:
		if m.recv.garbled == 0 {
			m.recv.firstGarbled = string(line[:min(len(line), 200)])
		}
		m.recv.garbled++
	case lineError:
		if m.recv.errors == 0 {
			m.recv.firstError = string(line[:min(len(line), 200)])
		}
		m.recv.errors++
	case lineOther, lineBye:
		m.recv.other++
	}
}

// checkSeq verifies that the room's sequence numbers arrive one by one.
func (m *member) checkSeq(seq uint64) {
	if m.recv.lastSeq != 0 && seq != m.recv.lastSeq+1 {
		m.recv.seqGaps++
	}
	m.recv.lastSeq = seq
}

func (m *member) pong() {
	_, _ = m.write(pong, time.Now().Add(5*time.Second))
}

// deliver counts one intact message: first copy, duplicate or echo.
func (m *member) deliver(msg msgRef, now int64) {
	st := &m.recv
	s := msg.sender
	if s >= len(st.seen) {
		st.garbled++ // a sender that does not exist
		return
	}
	w, bit := msg.seq/64, uint64(1)<<(msg.seq%64)
	if w >= 1<<26 {
		st.garbled++
		return
	}
	for uint64(len(st.seen[s])) <= w {
		st.seen[s] = append(st.seen[s], make([]uint64, max(64, len(st.seen[s])))...)
	}
	if st.seen[s][w]&bit != 0 {
		st.dups++
		return
	}
	st.seen[s][w] |= bit
	if s == m.idx {
		st.echoes++
		return
	}
	st.unique[s]++
	if msg.seq+1 > st.high[s] {
		st.high[s] = msg.seq + 1
		if n := len(st.touched); n == 0 || st.touched[n-1] != s {
			st.touched = append(st.touched, s)
		}
	} else {
		st.outOfOrder++
	}
	st.newDeliveries++
	if msg.sent >= m.run.winStart.Load() && msg.sent < m.run.winEnd.Load() {
		st.lat.Record(now - msg.sent)
		if m.arrival > 0 {
			st.arrivalLat.Record(max(0, m.arrival-msg.sent))
		}
	}
}

// closeNow ends the connection at once, with a reset rather than a
// lingering close, so a thousand members leave no TIME_WAIT behind.
func (m *member) closeNow() {
	if m.conn != nil {
		_ = m.conn.SetLinger(0)
		_ = m.conn.Close()
	}
}
