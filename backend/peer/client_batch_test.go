package peer_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
	"github.com/parley-lan/parley/backend/protocol"
	"github.com/parley-lan/parley/backend/server"
)

// These tests run package client against package server's host on
// 127.0.0.1, on the wire (package client's own tests script the host).
// They live here, where both are composed, since client and server never
// import each other.

// startHost runs a host and returns its address; it closes when the test
// ends.
func startHost(t *testing.T) string {
	t.Helper()
	s, err := server.New(server.Config{Room: chat.Room{ID: "0123456789abcdef", Name: "Real", Host: "host"}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-served; !errors.Is(err, server.ErrServerClosed) {
			t.Errorf("Serve = %v, want ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}

// tap records every byte the client's connections read, and keeps the
// latest connection so a test can cut it.
type tap struct {
	mu   sync.Mutex
	read bytes.Buffer
	last net.Conn
}

func (tp *tap) dial(ctx context.Context, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.last = c
	return tappedConn{c, tp}, nil
}

type tappedConn struct {
	net.Conn
	tp *tap
}

func (c tappedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.tp.mu.Lock()
	c.tp.read.Write(b[:n])
	c.tp.mu.Unlock()
	return n, err
}

// frames counts the frames read, by type, and the messages in msgs frames.
func (tp *tap) frames() (types map[string]int, inMsgs int) {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	types = map[string]int{}
	for line := range bytes.Lines(tp.read.Bytes()) {
		f, err := protocol.Decode(bytes.TrimSuffix(line, []byte("\n")))
		if err != nil {
			continue // a line cut by a dropped connection
		}
		types[f.Type()]++
		if m, ok := f.(protocol.Msgs); ok {
			inMsgs += len(m.Msgs)
		}
	}
	return types, inMsgs
}

func (tp *tap) cut() {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	tp.last.Close()
}

// recorder keeps a client's messages.
type recorder struct {
	mu   sync.Mutex
	msgs []chat.Message
}

func (r *recorder) on(e client.Event) {
	if m, ok := e.(client.MessageEvent); ok {
		r.mu.Lock()
		r.msgs = append(r.msgs, m.Message)
		r.mu.Unlock()
	}
}

func (r *recorder) waitFor(t *testing.T, n int) []chat.Message {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r.mu.Lock()
		got := slices.Clone(r.msgs)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d messages, want %d", len(got), n)
		}
	}
}

// runClient connects a client and runs it until the test ends.
func runClient(t *testing.T, cfg client.Config) *client.Client {
	t.Helper()
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Connect(context.Background()); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { defer close(ran); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-ran })
	return c
}

// rawMember is a native member written by hand that leaves batch out of
// its hello, as a client older than msgs frames does.
type rawMember struct {
	t      *testing.T
	conn   net.Conn
	lr     *protocol.LineReader
	frames map[string]int
}

func joinRaw(t *testing.T, addr, nick string) *rawMember {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	m := &rawMember{t: t, conn: conn, lr: protocol.NewLineReader(conn, 0, nil), frames: map[string]int{}}
	m.write(protocol.Hello{V: protocol.Version, Nick: nick, ClientID: "raw-" + chat.NewID()})
	if _, ok := m.next().(protocol.Welcome); !ok {
		t.Fatal("no welcome")
	}
	return m
}

func (m *rawMember) write(fs ...protocol.Frame) {
	m.t.Helper()
	var b []byte
	for _, f := range fs {
		line, err := protocol.Encode(f)
		if err != nil {
			m.t.Fatal(err)
		}
		b = append(b, line...)
	}
	if _, err := m.conn.Write(b); err != nil {
		m.t.Fatal(err)
	}
}

func (m *rawMember) next() protocol.Frame {
	m.t.Helper()
	_ = m.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := m.lr.ReadLine()
	if err != nil {
		m.t.Fatalf("read: %v", err)
	}
	f, err := protocol.Decode(line)
	if err != nil {
		m.t.Fatalf("decode %q: %v", line, err)
	}
	m.frames[f.Type()]++
	return f
}

// messages reads until it has n messages, answering pings.
func (m *rawMember) messages(n int) []chat.Message {
	m.t.Helper()
	var got []chat.Message
	for len(got) < n {
		switch f := m.next().(type) {
		case protocol.Msg:
			got = append(got, f.Message)
		case protocol.Msgs:
			m.t.Fatalf("a msgs frame for a member that did not ask for them: %+v", f)
		case protocol.Ping:
			m.write(protocol.Pong{})
		}
	}
	return got
}

// textMember is a plain-text member, as nc.
type textMember struct {
	conn net.Conn
	r    *bufio.Reader
}

func joinText(t *testing.T, addr, nick string) *textMember {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	m := &textMember{conn: conn, r: bufio.NewReader(conn)}
	if _, err := m.conn.Write([]byte(nick + "\n")); err != nil {
		t.Fatal(err)
	}
	for line := m.line(t); !strings.HasPrefix(line, "Connected to"); line = m.line(t) {
	}
	return m
}

func (m *textMember) line(t *testing.T) string {
	t.Helper()
	_ = m.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	s, err := m.r.ReadString('\n')
	if err != nil {
		t.Fatalf("plain-text member: %v", err)
	}
	return strings.TrimPrefix(strings.TrimSuffix(s, "\n"), "NICK")
}

// TestBatchClientWithRealHost: a client (which asks for msgs frames), a
// native member that does not ask for them and a plain-text member share
// a real host's room and all send at once. Everyone gets every message, in
// the same order; the client gets its own messages back as acks, and gets
// them in msgs frames, several to a frame, as the wire shows; the other
// native member gets msg frames only. The client's connection is then cut: it resumes (the
// history comes as msg frames) and carries on without a gap.
func TestBatchClientWithRealHost(t *testing.T) {
	addr := startHost(t)
	tp := &tap{}
	rec := &recorder{}
	alice := runClient(t, client.Config{Addrs: []string{addr}, Nick: "alice", Dial: tp.dial, OnEvent: rec.on})
	old := joinRaw(t, addr, "old")
	text := joinText(t, addr, "texty")

	const each = 20
	round := func(r int) {
		t.Helper()
		var sends []protocol.Frame
		var lines []string
		for i := range each {
			if _, err := alice.Send(fmt.Sprintf("alice %d.%d", r, i)); err != nil {
				t.Fatal(err)
			}
			sends = append(sends, protocol.Send{ID: fmt.Sprintf("o%d-%d", r, i), Text: fmt.Sprintf("old %d.%d", r, i)})
			lines = append(lines, fmt.Sprintf("texty %d.%d", r, i))
		}
		old.write(sends...)
		if _, err := text.conn.Write([]byte(strings.Join(lines, "\n") + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want int) []chat.Message {
		t.Helper()
		got := rec.waitFor(t, want)
		if len(got) != want {
			t.Fatalf("the client got %d messages, want %d", len(got), want)
		}
		for i, m := range got {
			if m.Seq != uint64(i+1) {
				t.Fatalf("message %d has seq %d: not each once, in order", i, m.Seq)
			}
		}
		if diff := cmp.Diff(got[want-3*each:], old.messages(3*each)); diff != "" {
			t.Errorf("the two native members disagree (-client +old):\n%s", diff)
		}
		for _, m := range got[want-3*each:] {
			if m.From == "texty" {
				continue // plain-text members do not get their own back
			}
			if line, want := text.line(t), m.From+": "+m.Text; line != want {
				t.Fatalf("the plain-text member got %q, want %q", line, want)
			}
		}
		if n := len(alice.Pending()); n != 0 {
			t.Errorf("%d of the client's messages not acknowledged", n)
		}
		return got
	}

	round(1)
	check(3 * each)
	types, inMsgs := tp.frames()
	t.Logf("the client read %v, %d messages in msgs frames; the old member %v", types, inMsgs, old.frames)
	// A message alone in its batch would come as a msg frame.
	if types["msgs"] == 0 || types["msg"]+inMsgs != 3*each || types["msgs"]+types["msg"] >= 3*each {
		t.Errorf("on the client's wire: %v frames, %d messages in msgs frames; want the %d messages in msgs frames, several to a frame", types, inMsgs, 3*each)
	}
	if old.frames["msgs"] != 0 || old.frames["msg"] != 3*each {
		t.Errorf("the old member read %v, want %d msg frames and no msgs", old.frames, 3*each)
	}

	tp.cut()
	round(2)
	check(6 * each)
	types, inMsgs = tp.frames()
	t.Logf("after the cut the client has read %v, %d messages in msgs frames", types, inMsgs)
	if types["welcome"] != 2 || types["msg"]+inMsgs < 6*each {
		t.Errorf("the client read %v, %d in msgs frames; want 2 welcomes and every message", types, inMsgs)
	}
}
