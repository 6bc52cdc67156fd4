package server

import (
	"bufio"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

const testRoomID = "0123456789abcdef"

// startServer runs a server on a loopback port and returns it with its
// address; it is closed when the test ends.
func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	if cfg.Room.ID == "" {
		cfg.Room = chat.Room{ID: testRoomID, Name: "Test Room", Host: "host"}
	}
	if cfg.ResumeGrace == 0 {
		cfg.ResumeGrace = 50 * time.Millisecond // dropped members leave promptly
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return s, ln.Addr().String()
}

// peer is a raw protocol connection for tests.
type peer struct {
	t    *testing.T
	conn net.Conn
	r    *protocol.LineReader

	pending []chat.Message // the rest of the last msgs frame, for nextMsg
	frames  map[string]int // how many frames of each type arrived
}

func dialPeer(t *testing.T, addr string) *peer {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &peer{t: t, conn: conn, r: protocol.NewLineReader(conn, 0, nil), frames: map[string]int{}}
}

// join connects a native member that reads msg frames, as a client that
// predates msgs frames does, and returns it with its welcome.
func join(t *testing.T, addr, nick string) (*peer, protocol.Welcome) {
	t.Helper()
	return joinHello(t, addr, protocol.Hello{V: protocol.Version, Nick: nick, ClientID: "c-" + chat.NewID()})
}

// joinBatch connects a native member that reads msgs frames.
func joinBatch(t *testing.T, addr, nick string) (*peer, protocol.Welcome) {
	t.Helper()
	return joinHello(t, addr, protocol.Hello{V: protocol.Version, Nick: nick, ClientID: "c-" + chat.NewID(), Batch: true})
}

func joinHello(t *testing.T, addr string, hello protocol.Hello) (*peer, protocol.Welcome) {
	t.Helper()
	nick := hello.Nick
	p := dialPeer(t, addr)
	p.send(hello)
	w, ok := p.next().(protocol.Welcome)
	if !ok {
		t.Fatalf("%s: expected welcome", nick)
	}
	return p, w
}

func (p *peer) send(f protocol.Frame) {
	p.t.Helper()
	b, err := protocol.Encode(f)
	if err != nil {
		p.t.Fatalf("encode: %v", err)
	}
	p.write(string(b))
}

func (p *peer) write(s string) {
	p.t.Helper()
	if _, err := p.conn.Write([]byte(s)); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

// next returns the next frame that is not a ping, failing after 5 s.
func (p *peer) next() protocol.Frame {
	p.t.Helper()
	for {
		f, err := p.read(5 * time.Second)
		if err != nil {
			p.t.Fatalf("read frame: %v", err)
		}
		if _, ok := f.(protocol.Ping); !ok {
			return f
		}
	}
}

func (p *peer) read(wait time.Duration) (protocol.Frame, error) {
	_ = p.conn.SetReadDeadline(time.Now().Add(wait))
	line, err := p.r.ReadLine()
	if err != nil {
		return nil, err
	}
	f, err := protocol.Decode(line)
	if err == nil {
		p.frames[f.Type()]++
	}
	return f, err
}

// nextMsg skips presence frames and returns the next message, from a msg
// frame or the next one of a msgs frame.
func (p *peer) nextMsg() chat.Message {
	p.t.Helper()
	for len(p.pending) == 0 {
		switch f := p.next().(type) {
		case protocol.Msg:
			return f.Message
		case protocol.Msgs:
			for i := range f.Msgs {
				p.pending = append(p.pending, f.Message(i))
			}
		case protocol.Join, protocol.Leave:
		default:
			p.t.Fatalf("got %#v, want a msg", f)
		}
	}
	m := p.pending[0]
	p.pending = p.pending[1:]
	return m
}

// quiet checks that nothing but pings arrives for d.
func (p *peer) quiet(d time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		f, err := p.read(time.Until(deadline))
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
		if err != nil {
			p.t.Fatalf("read: %v", err)
		}
		if _, ok := f.(protocol.Ping); !ok {
			p.t.Fatalf("got %#v, want silence", f)
		}
	}
}

// expectClosed waits for the server to close the connection.
func (p *peer) expectClosed(wait time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		_, err := p.read(time.Until(deadline))
		if errors.Is(err, os.ErrDeadlineExceeded) {
			p.t.Fatalf("connection still open after %v", wait)
		}
		if err != nil && !errors.Is(err, chat.ErrBadFrame) {
			return
		}
	}
}

// textPeer is a plain-text client.
type textPeer struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialText(t *testing.T, addr string) *textPeer {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &textPeer{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// recv does what the tutorial client does: one read of up to 1024 bytes.
func (p *textPeer) recv(wait time.Duration) string {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 1024)
	n, err := p.r.Read(buf)
	if err != nil {
		p.t.Fatalf("recv: %v", err)
	}
	return string(buf[:n])
}

// recvUntil reads until the accumulated text contains want.
func (p *textPeer) recvUntil(want string) string {
	p.t.Helper()
	var got strings.Builder
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(got.String(), want) {
		if time.Now().After(deadline) {
			p.t.Fatalf("received %q, never %q", got.String(), want)
		}
		got.WriteString(p.recv(time.Until(deadline)))
	}
	return got.String()
}

func (p *textPeer) write(s string) {
	p.t.Helper()
	if _, err := p.conn.Write([]byte(s)); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return ln
}

// tcpPair returns the two ends of a fresh loopback TCP connection: the
// dialled one and the accepted one. Both close when the test ends.
func tcpPair(t *testing.T) (dialled, accepted net.Conn) {
	t.Helper()
	ln := listen(t)
	defer ln.Close()
	dialled, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dialled.Close() })
	accepted, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { accepted.Close() })
	return dialled, accepted
}

func ptr(n uint64) *uint64 { return &n }
