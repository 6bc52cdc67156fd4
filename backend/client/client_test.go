package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// events records what a client reports.
type events struct {
	mu  sync.Mutex
	all []Event
}

func (e *events) on(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

// wait returns once ok holds for the recorded events, or fails after 10 s.
func (e *events) wait(t *testing.T, what string, ok func([]Event) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.mu.Lock()
		done := ok(e.all)
		n := len(e.all)
		e.mu.Unlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (%d events: %v)", what, n, e.all)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *events) texts() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		if m, ok := ev.(MessageEvent); ok {
			out = append(out, fmt.Sprintf("%d:%s", m.Seq, m.Text))
		}
	}
	return out
}

func countMsgs(n int) func([]Event) bool {
	return func(evs []Event) bool {
		c := 0
		for _, e := range evs {
			if _, ok := e.(MessageEvent); ok {
				c++
			}
		}
		return c >= n
	}
}

func hasState(s State) func([]Event) bool {
	return func(evs []Event) bool {
		for _, e := range evs {
			if se, ok := e.(StateEvent); ok && se.State == s {
				return true
			}
		}
		return false
	}
}

// start connects a client to the fake host and runs it.
func start(t *testing.T, h *fakeHost, cfg Config) (*Client, *events, *hostConn, context.CancelFunc) {
	t.Helper()
	ev := &events{}
	cfg.Addrs = []string{h.addr()}
	cfg.OnEvent = ev.on
	if cfg.Nick == "" {
		cfg.Nick = "bob"
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	type res struct {
		w   protocol.Welcome
		err error
	}
	done := make(chan res, 1)
	go func() {
		w, err := c.Connect(context.Background())
		done <- res{w, err}
	}()
	hc, _ := h.accept()
	hc.welcome(cfg.Nick, 2, msg(1, "a", "h", "one"), msg(2, "b", "h", "two"))
	r := <-done
	if r.err != nil {
		t.Fatalf("Connect: %v", r.err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-ran })
	return c, ev, hc, cancel
}

func TestResumeAfterDrop(t *testing.T) {
	h := newFakeHost(t)
	_, ev, hc, _ := start(t, h, Config{})
	hc.write(protocol.Msg{Message: msg(3, "c", "h", "three")})
	ev.wait(t, "msg 3", countMsgs(3))
	hc.conn.Close() // the link drops

	hc2, hello := h.accept()
	if hello.ResumeFrom == nil || *hello.ResumeFrom != 3 {
		t.Errorf("resume_from = %v, want 3", hello.ResumeFrom)
	}
	// The host replays from 4, plus one the client already has (it must
	// be ignored), then carries on live.
	hc2.welcome("bob", 5, msg(3, "c", "h", "three"), msg(4, "d", "h", "four"), msg(5, "e", "h", "five"))
	hc2.write(protocol.Msg{Message: msg(6, "f", "h", "six")})
	ev.wait(t, "messages 4-6", countMsgs(6))
	if got, want := fmt.Sprint(ev.texts()), "[1:one 2:two 3:three 4:four 5:five 6:six]"; got != want {
		t.Errorf("messages = %s, want %s (each once, in order)", got, want)
	}
	ev.wait(t, "reconnecting state", hasState(StateReconnecting))
}

// TestOutboxAfterReconnect: messages sent before and during an outage are
// sent again after the welcome, in order. The client cannot yet know which
// ones the history replay will acknowledge, so it resends them all; the
// host answers a repeat with the original msg, which the client ignores.
func TestOutboxAfterReconnect(t *testing.T) {
	for _, hostHadIt := range []bool{true, false} {
		t.Run(fmt.Sprintf("host had the first: %v", hostHadIt), func(t *testing.T) {
			h := newFakeHost(t)
			c, ev, hc, _ := start(t, h, Config{})
			ev.wait(t, "history", countMsgs(2))
			id1, _ := c.Send("first")
			hc.read()
			hc.conn.Close() // the link dies before the ack gets out
			id2, _ := c.Send("second")
			if got := len(c.Pending()); got != 2 {
				t.Errorf("pending = %d while offline, want 2", got)
			}
			first := msg(3, id1, "bob", "first")

			hc2, hello := h.accept()
			if hello.ResumeFrom == nil || *hello.ResumeFrom != 2 {
				t.Errorf("resume_from = %v, want 2", hello.ResumeFrom)
			}
			if hostHadIt {
				hc2.welcome("bob", 3, first)
			} else {
				hc2.welcome("bob", 2)
			}
			s1, s2 := hc2.read().(protocol.Send), hc2.read().(protocol.Send)
			if s1.ID != id1 || s2.ID != id2 {
				t.Errorf("resent %s, %s; want %s, %s in order", s1.ID, s2.ID, id1, id2)
			}
			hc2.write(protocol.Msg{Message: first}) // new, or a re-ack of a repeat
			hc2.write(protocol.Msg{Message: msg(4, id2, "bob", "second")})
			ev.wait(t, "both acks", countMsgs(4))
			hc2.write(protocol.Ping{})
			hc2.read() // the pong: every earlier frame has been handled
			if got, want := fmt.Sprint(ev.texts()), "[1:one 2:two 3:first 4:second]"; got != want {
				t.Errorf("messages = %s, want %s (each once)", got, want)
			}
			if got := len(c.Pending()); got != 0 {
				t.Errorf("pending = %d after acks, want 0", got)
			}
		})
	}
}

// TestMsgsFrameIsHandledLikeMsgFrames: the client asks for msgs frames,
// and each message of one is handled as a msg frame would be: a repeat is
// dropped by its seq, its own message acknowledges the outbox entry, and
// the rest become events, in order.
func TestMsgsFrameIsHandledLikeMsgFrames(t *testing.T) {
	h := newFakeHost(t)
	ev := &events{}
	c, err := New(Config{Addrs: []string{h.addr()}, Nick: "bob", OnEvent: ev.on})
	if err != nil {
		t.Fatal(err)
	}
	connected := make(chan error, 1)
	go func() {
		_, err := c.Connect(context.Background())
		connected <- err
	}()
	hc, hello := h.accept()
	if !hello.Batch {
		t.Errorf("hello %+v does not ask for msgs frames", hello)
	}
	hc.welcome("bob", 2, msg(1, "a", "h", "one"), msg(2, "b", "h", "two"))
	if err := <-connected; err != nil {
		t.Fatalf("Connect: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-ran })

	ev.wait(t, "history", countMsgs(2))
	id, _ := c.Send("mine")
	hc.read()
	hc.write(protocol.Msgs{Seq: 2, TS: 9, Msgs: []protocol.MsgItem{
		{ID: "b", From: "h", Text: "two"}, // a repeat: seq 2 was in the history
		{ID: "c", From: "h", Text: "three"},
		{ID: id, From: "bob", Text: "mine"},
	}})
	hc.write(protocol.Msg{Message: msg(5, "e", "h", "five")})
	hc.write(protocol.Msgs{Seq: 6, TS: 10, Msgs: []protocol.MsgItem{{ID: "f", From: "h", Text: "six"}}})
	ev.wait(t, "messages 3-6", countMsgs(6))
	hc.write(protocol.Ping{})
	hc.read() // the pong: every earlier frame has been handled
	if got, want := fmt.Sprint(ev.texts()), "[1:one 2:two 3:three 4:mine 5:five 6:six]"; got != want {
		t.Errorf("messages = %s, want %s (each once, in order)", got, want)
	}
	if got := len(c.Pending()); got != 0 {
		t.Errorf("pending = %d after its ack came in a msgs frame, want 0", got)
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for _, e := range ev.all {
		if m, ok := e.(MessageEvent); ok && m.Seq == 3 && m.TS != 9 {
			t.Errorf("message 3 stamped %d, want the frame's ts 9", m.TS)
		}
	}
}

func TestRefusedSendLeavesOutbox(t *testing.T) {
	h := newFakeHost(t)
	c, ev, hc, _ := start(t, h, Config{})
	id, _ := c.Send("hi")
	hc.read()
	hc.write(protocol.Error{Code: chat.CodeBadText, Message: "nope", ID: id})
	ev.wait(t, "refusal", func(evs []Event) bool {
		for _, e := range evs {
			if r, ok := e.(RefusedEvent); ok && r.ID == id && errors.Is(r.Err, chat.ErrBadText) {
				return true
			}
		}
		return false
	})
	if len(c.Pending()) != 0 {
		t.Error("refused message still pending")
	}
}

func TestSilentHostIsDetected(t *testing.T) {
	h := newFakeHost(t)
	_, ev, _, _ := start(t, h, Config{DeadAfter: 200 * time.Millisecond})
	// The host says nothing, not even pings: the client gives up on this
	// connection and dials again.
	start := time.Now()
	h.accept()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("reconnect after %v, want soon after 200ms", d)
	}
	ev.wait(t, "reconnecting", func(evs []Event) bool {
		for _, e := range evs {
			if s, ok := e.(StateEvent); ok && s.State == StateReconnecting && errors.Is(s.Err, chat.ErrTimeout) {
				return true
			}
		}
		return false
	})
}

func TestPingIsAnswered(t *testing.T) {
	h := newFakeHost(t)
	_, _, hc, _ := start(t, h, Config{})
	hc.write(protocol.Ping{})
	if f := hc.read(); f != (protocol.Pong{}) {
		t.Errorf("got %#v, want pong", f)
	}
}

func TestClosingByeEndsRun(t *testing.T) {
	h := newFakeHost(t)
	ev := &events{}
	c, _ := New(Config{Addrs: []string{h.addr()}, Nick: "bob", OnEvent: ev.on})
	go func() {
		hc, _ := h.accept()
		hc.welcome("bob", 0)
		hc.write(protocol.Bye{Reason: "closing", Closed: true})
	}()
	if _, err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Run(ctx); !errors.Is(err, chat.ErrHostClosed) {
		t.Errorf("Run = %v, want ErrHostClosed", err)
	}
	ev.wait(t, "closed", hasState(StateClosed))
}

// TestHostGoingAwayIsNotTheEnd: a bye that does not close the room (the
// host program stopping) makes the client wait and reconnect.
func TestHostGoingAwayIsNotTheEnd(t *testing.T) {
	h := newFakeHost(t)
	_, ev, hc, _ := start(t, h, Config{})
	hc.write(protocol.Bye{Reason: "the host went away"})
	hc.conn.Close()
	ev.wait(t, "reconnecting, host away", func(evs []Event) bool {
		for _, e := range evs {
			if s, ok := e.(StateEvent); ok && s.State == StateReconnecting && errors.Is(s.Err, ErrHostAway) {
				return true
			}
		}
		return false
	})
	if hc2, hello := h.accept(); hello.ResumeFrom == nil {
		t.Error("came back as a newcomer, want a resume")
	} else {
		hc2.welcome("bob", 2)
	}
	ev.wait(t, "connected again", func(evs []Event) bool {
		s, ok := evs[len(evs)-1].(StateEvent)
		return ok && s.State == StateConnected
	})
}

func TestRefusalAtConnect(t *testing.T) {
	h := newFakeHost(t)
	c, _ := New(Config{Addrs: []string{h.addr()}, Nick: "bob"})
	go func() {
		hc, _ := h.accept()
		hc.write(protocol.Error{Code: chat.CodeNickTaken, Message: `"bob" is taken`})
	}()
	_, err := c.Connect(context.Background())
	if !errors.Is(err, chat.ErrNickTaken) || err.Error() != `"bob" is taken` {
		t.Errorf("Connect = %v, want the host's nick_taken message", err)
	}
}

func TestDialFirstTakesTheAddressThatAnswers(t *testing.T) {
	live, _ := net.Listen("tcp", "127.0.0.1:0")
	defer live.Close()
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()
	// "hang" stands for an address on another network whose packets
	// vanish: its dial blocks until cancelled. The winner must not wait.
	d := &net.Dialer{}
	dial := func(ctx context.Context, a string) (net.Conn, error) {
		if a == "hang" {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return d.DialContext(ctx, "tcp", a)
	}
	start := time.Now()
	conn, err := dialFirst(context.Background(), dial, []string{deadAddr, "hang", live.Addr().String()})
	if err != nil {
		t.Fatalf("dialFirst: %v", err)
	}
	conn.Close()
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("dialFirst took %v; a hanging address held it up", el)
	}
	if _, err := dialFirst(context.Background(), dial, []string{deadAddr}); err == nil {
		t.Error("dialFirst with only a dead address succeeded")
	}
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	c, _ := New(Config{Nick: "bob", MaxBackoff: 2 * time.Second})
	for range 20 {
		if got := c.backoff(0); got >= 100*time.Millisecond {
			t.Fatalf("backoff(0) = %v, want under 100ms", got)
		}
	}
	for n, want := range []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 2 * time.Second} {
		if n == 0 {
			continue
		}
		for range 20 {
			got := c.backoff(n)
			if got < want*3/4 || got > want*5/4 {
				t.Fatalf("backoff(%d) = %v, want %v ±25%%", n, got, want)
			}
		}
	}
}

func TestMergeAddrs(t *testing.T) {
	tests := []struct {
		fresh, old []string
		want       string
	}{
		{[]string{"b:1"}, []string{"a:1"}, "[b:1 a:1]"},
		{[]string{"a:1", "b:1"}, []string{"b:1", "a:1", "c:1"}, "[a:1 b:1 c:1]"},
		{nil, []string{"a:1", "a:1"}, "[a:1]"},
		{[]string{"1:1", "2:1", "3:1", "4:1", "5:1"}, []string{"6:1", "7:1", "8:1", "9:1"}, "[1:1 2:1 3:1 4:1 5:1 6:1 7:1 8:1]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(mergeAddrs(tt.fresh, tt.old)); got != tt.want {
			t.Errorf("mergeAddrs(%v, %v) = %s, want %s", tt.fresh, tt.old, got, tt.want)
		}
	}
}
