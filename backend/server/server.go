// Package server hosts one Parley room on a TCP listener: it accepts native
// and legacy (tutorial-style plain text) clients, enforces unique nicknames,
// stamps every message with the room's sequence number and fans it out to
// all members through bounded per-member queues, so one slow member never
// holds up the others. The wire format is package protocol's.
package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// Defaults for zero Config fields.
const (
	DefaultMaxMembers = 4096
	DefaultQueueBytes = 512 << 10
	DefaultKeep       = 10000
	DefaultKeepBytes  = 8 << 20
	// DefaultResumeGrace is how long a member whose connection dropped
	// stays listed, so that a quick reconnect goes unnoticed.
	DefaultResumeGrace = 10 * time.Second
)

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("server closed")

// Config configures a Server. The zero value of every field but Room means
// its default.
type Config struct {
	// Room is the hosted room. Room.Host is the host's nickname, reserved
	// for the connection that presents HostToken.
	Room chat.Room
	// HostToken, if set, lets the host's own client claim Room.Host.
	HostToken string
	// NoLegacy refuses plain-text (tutorial-style) clients.
	NoLegacy bool
	// MaxMembers limits the room's size; zero means DefaultMaxMembers.
	MaxMembers int
	// QueueBytes caps each member's send queue; a member whose queue would
	// pass it is disconnected. Zero means DefaultQueueBytes.
	QueueBytes int
	// Keep is how many recent messages stay in memory for late joiners
	// and resuming members; zero means DefaultKeep.
	Keep int
	// KeepBytes bounds the memory those messages take (their text);
	// zero means DefaultKeepBytes. Whichever limit is reached first wins.
	KeepBytes int
	// ResumeGrace is how long a member whose connection dropped (no bye)
	// stays in the member list before its leave is announced; a resume
	// within it is silent. Zero means DefaultResumeGrace.
	ResumeGrace time.Duration
	// PingInterval is the heartbeat period; zero means
	// protocol.PingInterval. A member silent for three periods is dropped.
	PingInterval time.Duration
	// History records the room's messages durably; nil keeps them in
	// memory only. The server loads its sequence number and recent
	// messages from it at start.
	History History
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock for message timestamps; nil means time.Now.
	Now func() time.Time

	// trimMemory gives memory back after a wave of joins; nil means
	// debug.FreeOSMemory. For tests.
	trimMemory func()
}

// Server hosts one room. Create it with New, start it with Serve, stop it
// with Close.
type Server struct {
	cfg Config
	hub *hub
	log *slog.Logger

	mu        sync.Mutex // guards the following
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	closed    bool
	done      chan struct{} // closed by Close

	wg sync.WaitGroup // every goroutine the server started
}

// New returns a Server for cfg.Room, after checking the room's fields.
func New(cfg Config) (*Server, error) {
	if !chat.ValidID(cfg.Room.ID) {
		return nil, fmt.Errorf("new server: invalid room id %q", cfg.Room.ID)
	}
	if _, err := chat.ValidateRoomName(cfg.Room.Name); err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	cfg.setDefaults()
	s := &Server{
		cfg: cfg, log: cfg.Logger,
		listeners: map[net.Listener]struct{}{}, conns: map[net.Conn]struct{}{},
		done: make(chan struct{}),
	}
	s.hub = &hub{
		room: cfg.Room, hostToken: cfg.HostToken, max: cfg.MaxMembers, keep: cfg.Keep, keepBytes: cfg.KeepBytes, grace: cfg.ResumeGrace,
		now: cfg.Now, log: cfg.Logger, store: cfg.History, commits: make(chan struct{}, 1), batches: make(chan outBatch, 16), quit: s.done,
		members: map[string]*member{}, sent: map[string]uint64{}, posting: map[string]bool{},
		trim: cfg.trimMemory,
	}
	if s.hub.trim == nil {
		s.hub.trim = debug.FreeOSMemory
	}
	if err := s.hub.load(); err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	s.wg.Add(3)
	go s.heartbeat()
	go func() {
		defer s.wg.Done()
		s.hub.commitLoop(s.done)
	}()
	go func() {
		defer s.wg.Done()
		s.hub.fanOutLoop(s.done)
	}()
	return s, nil
}

func (c *Config) setDefaults() {
	c.Room.Addrs = nil
	if c.MaxMembers <= 0 {
		c.MaxMembers = DefaultMaxMembers
	}
	if c.QueueBytes <= 0 {
		c.QueueBytes = DefaultQueueBytes
	}
	if c.Keep <= 0 {
		c.Keep = DefaultKeep
	}
	if c.KeepBytes <= 0 {
		c.KeepBytes = DefaultKeepBytes
	}
	if c.ResumeGrace <= 0 {
		c.ResumeGrace = DefaultResumeGrace
	}
	if c.PingInterval <= 0 {
		c.PingInterval = protocol.PingInterval
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Room returns the hosted room.
func (s *Server) Room() chat.Room { return s.cfg.Room }

// Members returns the current members, host first.
func (s *Server) Members() []chat.Member { return s.hub.membersList() }

// Serve accepts connections on ln until Close, and returns ErrServerClosed
// then. Serve may be called with several listeners at once.
func (s *Server) Serve(ln net.Listener) error {
	if !s.track(ln) {
		ln.Close()
		return ErrServerClosed
	}
	defer s.untrack(ln)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(50 * time.Millisecond) // e.g. out of file descriptors
				continue
			}
			return fmt.Errorf("accept: %w", err)
		}
		s.startConn(conn)
	}
}

func (s *Server) startConn(conn net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		conn.Close()
		return
	}
	s.conns[conn] = struct{}{}
	s.wg.Add(1)
	go func() {
		rest := s.handle(conn)
		if rest == nil {
			s.endConn(conn)
			return
		}
		// A member's long wait runs on a fresh goroutine: the handshake's
		// work grew this one's stack, and an idle member should cost
		// little memory.
		go func() {
			defer s.endConn(conn)
			rest()
		}()
	}()
}

func (s *Server) endConn(conn net.Conn) {
	conn.Close()
	s.forget(conn)
	s.wg.Done()
}

// closeGrace is how long Close lets members receive the goodbye.
const closeGrace = time.Second

// Close stops the server: it tells every member the host is going away
// (members keep trying to reconnect, for the room may be hosted again),
// stops accepting, closes every connection and waits for all goroutines.
// It is safe to call more than once.
func (s *Server) Close() error {
	return s.shutdown(protocol.Bye{Reason: "the host went away"}, "The host went away; the room may come back.")
}

// CloseRoom is Close for a room closed for good: members are told so and
// stop.
func (s *Server) CloseRoom() error {
	return s.shutdown(protocol.Bye{Reason: "the host closed the room", Closed: true}, "The host closed the room.")
}

func (s *Server) shutdown(bye protocol.Bye, legacyBye string) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	close(s.done)
	for ln := range s.listeners {
		ln.Close()
	}
	s.mu.Unlock()

	byeFrame, _ := protocol.Encode(bye)
	members := s.hub.closeAll(byeFrame, legacyBye)
	deadline := time.Now().Add(closeGrace)
	for _, m := range members {
		_ = m.conn.SetWriteDeadline(deadline)
	}
	time.AfterFunc(closeGrace, s.closeConns)
	s.wg.Wait()
	s.closeConns()
	return nil
}

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

func (s *Server) heartbeat() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.PingInterval)
	defer t.Stop()
	ping, _ := protocol.Encode(protocol.Ping{})
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.hub.pingAll(ping)
		}
	}
}

func (s *Server) track(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.listeners[ln] = struct{}{}
	return true
}

func (s *Server) untrack(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.listeners, ln)
}

func (s *Server) forget(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
