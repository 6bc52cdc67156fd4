package bench

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
)

// RefServer is the benchmark's "close to the limit" reference: a minimal
// broadcast server in Go for the legacy text protocol. It writes "NICK",
// reads the nickname line, then relays every newline-terminated line a
// client sends, as received, to every other client. Each client has a
// reader goroutine and a writer goroutine, and a bounded queue: a channel
// of byte slices, one line each, shared by every recipient. A client
// whose queue is full is dropped on the spot. The writer drains whatever is queued and sends it in one
// write. There are no sequence numbers, no history, no presence, no
// validation: what a good chat server costs at least.
type RefServer struct {
	// QueueLen is each client's queue length in lines; zero means 1024.
	QueueLen int
	// Logger receives a line for each dropped client; nil discards.
	Logger *slog.Logger

	mu      sync.Mutex                   // guards changes to clients
	clients atomic.Pointer[[]*refClient] // copy on write: fan-out takes no lock
	conns   sync.WaitGroup
}

// refClient is one connection. conn is written by the writer goroutine
// only; queue is closed by nobody (the writer stops on done).
type refClient struct {
	conn  net.Conn
	queue chan []byte
	done  chan struct{} // closed when the client is removed
	drop  sync.Once
}

const (
	refReadBuf = 4 << 10
	refMaxLine = 64 << 10
	refMaxSend = 64 << 10 // the writer's batch: at most this much per write (more if one slice is bigger)
)

// Serve accepts clients on ln until it is closed.
func (s *RefServer) Serve(ln net.Listener) error {
	if s.QueueLen <= 0 {
		s.QueueLen = 1024
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.clients.Load() == nil {
		s.clients.Store(&[]*refClient{})
	}
	defer s.conns.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		s.conns.Add(1)
		go func() {
			defer s.conns.Done()
			s.handle(conn)
		}()
	}
}

func (s *RefServer) handle(conn net.Conn) {
	defer conn.Close()
	if _, err := conn.Write([]byte("NICK")); err != nil {
		return
	}
	buf := make([]byte, refReadBuf)
	have := 0
	// The nickname line; anything after it is already chat.
	for {
		n, err := conn.Read(buf[have:])
		have += n
		if i := bytes.IndexByte(buf[:have], '\n'); i >= 0 {
			have = copy(buf, buf[i+1:have])
			break
		}
		if err != nil || have == len(buf) {
			return
		}
	}
	c := &refClient{conn: conn, queue: make(chan []byte, s.QueueLen), done: make(chan struct{})}
	s.add(c)
	defer s.remove(c)
	go c.writeLoop(s)
	s.readLoop(c, buf, have)
}

// readLoop relays each complete line as its own slice. The lines of one
// read share one copy, made once, so a line costs no allocation of its
// own.
func (s *RefServer) readLoop(c *refClient, buf []byte, have int) {
	for {
		if i := bytes.LastIndexByte(buf[:have], '\n'); i >= 0 {
			lines := bytes.Clone(buf[:i+1])
			for len(lines) > 0 {
				j := bytes.IndexByte(lines, '\n')
				s.broadcast(c, lines[:j+1:j+1])
				lines = lines[j+1:]
			}
			have = copy(buf, buf[i+1:have])
		}
		if have == len(buf) {
			if len(buf) >= refMaxLine {
				return // a line too long: drop the client
			}
			buf = append(buf, make([]byte, len(buf))...)
		}
		n, err := c.conn.Read(buf[have:])
		have += n
		if err != nil && n == 0 {
			return
		}
	}
}

// broadcast queues b for every other client, dropping any whose queue is
// full.
func (s *RefServer) broadcast(from *refClient, b []byte) {
	for _, c := range *s.clients.Load() {
		if c == from {
			continue
		}
		select {
		case c.queue <- b:
		default:
			s.dropSlow(c)
		}
	}
}

func (s *RefServer) dropSlow(c *refClient) {
	c.drop.Do(func() {
		s.Logger.Warn("dropped slow client: queue full", "remote", c.conn.RemoteAddr().String())
		_ = c.conn.Close() // its reader ends and removes it
	})
}

// writeLoop sends what is queued, as much as is waiting in one write.
func (c *refClient) writeLoop(s *RefServer) {
	var out []byte
	for {
		var b []byte
		select {
		case b = <-c.queue:
		case <-c.done:
			return
		}
		out = append(out[:0], b...)
	more:
		for len(out) < refMaxSend {
			select {
			case b = <-c.queue:
				out = append(out, b...)
			default:
				break more
			}
		}
		if _, err := c.conn.Write(out); err != nil {
			c.drop.Do(func() { _ = c.conn.Close() })
			return
		}
		if cap(out) > 4*refMaxSend {
			out = nil // do not keep a burst's buffer for ever
		}
	}
}

func (s *RefServer) add(c *refClient) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.clients.Load()
	next := make([]*refClient, len(old), len(old)+1)
	copy(next, old)
	next = append(next, c)
	s.clients.Store(&next)
}

func (s *RefServer) remove(c *refClient) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.clients.Load()
	next := make([]*refClient, 0, len(old))
	for _, o := range old {
		if o != c {
			next = append(next, o)
		}
	}
	s.clients.Store(&next)
	close(c.done)
}
