package client

import (
	"net"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// fakeHost is a scripted host: each accepted connection is handed to the
// test, which reads and writes frames itself.
type fakeHost struct {
	t     *testing.T
	ln    net.Listener
	conns chan *hostConn
}

type hostConn struct {
	t    *testing.T
	conn net.Conn
	lr   *protocol.LineReader
}

func newFakeHost(t *testing.T) *fakeHost {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &fakeHost{t: t, ln: ln, conns: make(chan *hostConn, 8)}
	go h.acceptLoop()
	t.Cleanup(func() { ln.Close() })
	return h
}

func (h *fakeHost) acceptLoop() {
	for {
		c, err := h.ln.Accept()
		if err != nil {
			return
		}
		h.conns <- &hostConn{t: h.t, conn: c, lr: protocol.NewLineReader(c, 0, nil)}
	}
}

func (h *fakeHost) addr() string { return h.ln.Addr().String() }

// accept waits for the next connection and its hello.
func (h *fakeHost) accept() (*hostConn, protocol.Hello) {
	h.t.Helper()
	select {
	case c := <-h.conns:
		h.t.Cleanup(func() { c.conn.Close() })
		hello, ok := c.read().(protocol.Hello)
		if !ok {
			h.t.Fatal("first frame is not hello")
		}
		return c, hello
	case <-time.After(10 * time.Second):
		h.t.Fatal("no connection")
		return nil, protocol.Hello{}
	}
}

func (c *hostConn) read() protocol.Frame {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := c.lr.ReadLine()
	if err != nil {
		c.t.Fatalf("host read: %v", err)
	}
	f, err := protocol.Decode(line)
	if err != nil {
		c.t.Fatalf("host decode: %v", err)
	}
	return f
}

func (c *hostConn) write(f protocol.Frame) {
	c.t.Helper()
	b, _ := protocol.Encode(f)
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatalf("host write: %v", err)
	}
}

// welcome accepts the client and replays history after it, as the host
// does.
func (c *hostConn) welcome(nick string, seq uint64, history ...chat.Message) {
	c.write(protocol.Welcome{V: protocol.Version, Room: chat.Room{ID: "0123456789abcdef", Name: "Fake", Host: "h"},
		You: nick, Members: []chat.Member{{Nick: "h", Host: true}, {Nick: nick}}, Seq: seq})
	for _, m := range history {
		c.write(protocol.Msg{Message: m})
	}
}

func msg(seq uint64, id, from, text string) chat.Message {
	return chat.Message{Seq: seq, ID: id, From: from, Text: text, TS: int64(seq)}
}
