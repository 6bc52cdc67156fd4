package bench

import (
	"fmt"
	"math"
	"net"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

// fakeRun is a run whose members are fed lines by the test instead of a
// host: 3 members, members 0 and 1 send.
func fakeRun(t *testing.T, proto Protocol, echo bool, sent []uint64) *run {
	t.Helper()
	cfg := LoadConfig{Proto: proto, Members: 3, Senders: 2, Echo: echo, Duration: 1, Addr: "x:1"}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	r := newRun(cfg)
	r.winStart.Store(0)
	r.winEnd.Store(math.MaxInt64)
	for i, n := range sent {
		r.sent[i].Store(n)
	}
	for _, m := range r.members {
		m.synced.Store(true)
		m.reading = true
	}
	return r
}

// feed hands member i the lines, as its reader would.
func (r *run) feed(i int, lines ...string) {
	m := r.members[i]
	for _, l := range lines {
		m.handle([]byte(l), 1000)
	}
	m.publish()
}

func (r *run) finish() *Result {
	for _, m := range r.members {
		close(m.done)
	}
	res := &Result{}
	r.tally(res)
	return res
}

func TestVerifyLegacy(t *testing.T) {
	l := func(s int, q uint64) string { return legacyLine(s, q, 10) }
	// Each test gives what members 0, 1 and 2 receive; sender 0 and 1
	// each sent 2 messages (seq 0 and 1).
	tests := []struct {
		name                  string
		echo                  bool
		got                   [3][]string
		lost, dup, garbled    uint64
		outOfOrder, delivered uint64
	}{
		{
			name: "all there",
			got: [3][]string{
				{l(1, 0), l(1, 1)},
				{l(0, 0), l(0, 1)},
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
			},
			delivered: 8,
		},
		{
			name: "one lost",
			got: [3][]string{
				{l(1, 0), l(1, 1)},
				{l(0, 0)},
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
			},
			lost: 1, delivered: 7,
		},
		{
			name: "one twice",
			got: [3][]string{
				{l(1, 0), l(1, 1), l(1, 1)},
				{l(0, 0), l(0, 1)},
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
			},
			dup: 1, delivered: 8,
		},
		{
			name: "one garbled: lost and garbled",
			got: [3][]string{
				{l(1, 0), l(1, 1)[:30]},
				{l(0, 0), l(0, 1)},
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
			},
			lost: 1, garbled: 1, delivered: 7,
		},
		{
			name: "two spliced into one line, the rest on the next",
			got: [3][]string{
				{l(1, 0), l(1, 1)},
				{l(0, 0)[:20] + l(0, 1), l(0, 0)[20:]},
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
			},
			lost: 2, garbled: 2, delivered: 6,
		},
		{
			name: "out of order still delivered",
			got: [3][]string{
				{l(1, 1), l(1, 0)},
				{l(0, 0), l(0, 1)},
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
			},
			outOfOrder: 1, delivered: 8,
		},
		{
			name: "an echo where the host sends none is a duplicate",
			got: [3][]string{
				{l(1, 0), l(1, 1), l(0, 0)},
				{l(0, 0), l(0, 1)},
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
			},
			dup: 1, delivered: 8,
		},
		{
			name: "echoes expected: a missing one is lost",
			echo: true,
			got: [3][]string{
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
				{l(0, 0), l(1, 0), l(0, 1)},
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
			},
			lost: 1, delivered: 8,
		},
		{
			name: "chatter is not damage",
			got: [3][]string{
				{"b2 left!", l(1, 0), "", l(1, 1)},
				{l(0, 0), "b7 joined!", l(0, 1)},
				{l(0, 0), l(1, 0), l(0, 1), l(1, 1)},
			},
			delivered: 8,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fakeRun(t, Legacy, tt.echo, []uint64{2, 2})
			for i, lines := range tt.got {
				r.feed(i, lines...)
			}
			var delivered uint64
			for _, m := range r.members {
				delivered += m.delivered.Load()
			}
			res := r.finish()
			if res.Lost != tt.lost || res.Duplicated != tt.dup || res.Garbled != tt.garbled || res.OutOfOrder != tt.outOfOrder || delivered != tt.delivered {
				t.Errorf("lost %d, dup %d, garbled %d, out of order %d, delivered %d; want %d, %d, %d, %d, %d",
					res.Lost, res.Duplicated, res.Garbled, res.OutOfOrder, delivered, tt.lost, tt.dup, tt.garbled, tt.outOfOrder, tt.delivered)
			}
			wantExpected := uint64(8)
			if tt.echo {
				wantExpected = 12
			}
			if res.Expected != wantExpected {
				t.Errorf("expected %d deliveries, want %d", res.Expected, wantExpected)
			}
		})
	}
}

func TestVerifyNative(t *testing.T) {
	seq := uint64(0)
	msg := func(s int, q uint64) string {
		seq++
		return nativeMsg(t, seq, fmt.Sprintf("b%d-%d", s, q), fmt.Sprintf("b%d", s), textOf(s, q, 10))
	}
	// The room's order: 0/0, 1/0, 0/1, 1/1 (seq 1..4), everyone gets all.
	all := []string{msg(0, 0), msg(1, 0), msg(0, 1), msg(1, 1)}
	r := fakeRun(t, Native, true, []uint64{2, 2})
	r.feed(0, all...)
	r.feed(1, all[0], all[1], all[3]) // seq 3 missing: lost, and a gap
	host := loopbackPair(t, r.members[2])
	r.feed(2, append(all, `{"type":"ping"}`)...) // the ping is answered, not counted
	buf := make([]byte, 64)
	host.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := host.Read(buf); err != nil || string(buf[:n]) != string(pong) {
		t.Errorf("the host got %q, %v; want a pong", buf[:n], err)
	}
	res := r.finish()
	if res.Lost != 1 || res.SeqGaps != 1 || res.Garbled != 0 || res.Duplicated != 0 {
		t.Errorf("lost %d, seq gaps %d, garbled %d, dup %d; want 1, 1, 0, 0", res.Lost, res.SeqGaps, res.Garbled, res.Duplicated)
	}
	// History before the welcome is not counted.
	r = fakeRun(t, Native, true, []uint64{0, 0})
	r.members[0].recv.baseSeq = 10
	r.feed(0, nativeMsg(t, 5, "b1-0", "b1", textOf(1, 0, 1)))
	if got := r.members[0].recv.unique[1]; got != 0 {
		t.Errorf("history counted: %d", got)
	}
}

// TestVerifyNativeMsgsFrames: messages that come in msgs frames are
// counted one by one, as those of msg frames are: a damaged one is lost
// and garbled, a repeat is a duplicate, and sequence numbers must follow
// on from frame to frame; history in a frame that straddles the welcome's
// seq is not counted.
func TestVerifyNativeMsgsFrames(t *testing.T) {
	m := func(seq uint64, s int, q uint64) chat.Message { return benchMsg(seq, msgRef{s, q, 10}) }
	frames := func(ms ...chat.Message) []string { return nativeMsgs(ms...) }
	r := fakeRun(t, Native, true, []uint64{2, 2})
	r.feed(0, frames(m(1, 0, 0), m(2, 1, 0), m(3, 0, 1), m(4, 1, 1))...) // all in one frame
	r.feed(1, append(frames(m(1, 0, 0), m(2, 1, 0)), frames(m(3, 0, 1), m(4, 1, 1))...)...)
	damaged := m(3, 0, 1)
	damaged.From = "b1"
	r.feed(2, append(frames(m(1, 0, 0), m(2, 1, 0), damaged), append(frames(m(4, 1, 1)), frames(m(4, 1, 1))...)...)...)
	res := r.finish()
	if res.Lost != 1 || res.Garbled != 1 || res.Duplicated != 1 || res.SeqGaps != 2 || res.MsgsFrames != 4 {
		t.Errorf("lost %d, garbled %d, dup %d, seq gaps %d, msgs frames %d; want 1, 1, 1, 2 (around the damaged one, and the repeat), 4 (a lone message comes as msg)",
			res.Lost, res.Garbled, res.Duplicated, res.SeqGaps, res.MsgsFrames)
	}
	r = fakeRun(t, Native, true, []uint64{0, 2})
	r.members[0].recv.baseSeq = 10
	r.feed(0, frames(m(10, 1, 0), m(11, 1, 1))...)
	if got := r.members[0].recv.unique[1]; got != 1 {
		t.Errorf("counted %d of sender 1's messages, want 1 (the one after the welcome)", got)
	}
}

// TestAcksFollowReceivers: a sender's window is held by the member furthest
// behind, and a member that leaves stops holding it.
func TestAcksFollowReceivers(t *testing.T) {
	r := fakeRun(t, Legacy, false, []uint64{3, 0})
	r.feed(1, legacyLine(0, 0, 1), legacyLine(0, 1, 1), legacyLine(0, 2, 1))
	r.feed(2, legacyLine(0, 0, 1))
	if got, who := r.minAckWho(0); got != 1 || who != 2 {
		t.Errorf("minAckWho = %d, member %d; want 1, member 2", got, who)
	}
	r.members[2].releaseAcks()
	if got := r.minAck(0); got != 3 {
		t.Errorf("after member 2 left, minAck = %d, want 3", got)
	}
}

// loopbackPair gives m a real connection and returns the host's end.
func loopbackPair(t *testing.T, m *member) net.Conn {
	t.Helper()
	c, host := tcpPair(t)
	m.conn = c
	return host
}

// tcpPair returns both ends of a fresh connection on 127.0.0.1, closed
// when the test ends.
func tcpPair(tb testing.TB) (dialed, accepted *net.TCPConn) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}
