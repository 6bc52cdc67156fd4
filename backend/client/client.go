// Package client is one member's connection to a hosted room: it dials the
// room (every advertised address at once), performs the handshake, turns
// frames into Events, keeps an outbox of messages not yet acknowledged, and
// reconnects with backoff when the connection drops, resuming from the last
// sequence number it saw so nothing is lost or shown twice.
package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// Config configures a Client. Zero values mean defaults.
type Config struct {
	// Addrs are the room's "host:port" addresses, dialed in parallel.
	Addrs []string
	// Resolve, if set, is asked for fresh addresses before each
	// reconnect attempt (the host may have moved); an error or an empty
	// answer keeps the previous ones.
	Resolve func(ctx context.Context) ([]string, error)
	// Nick is the nickname to join with.
	Nick string
	// ClientID identifies this client across reconnects; zero means a
	// random one.
	ClientID string
	// HostToken is set only by the host's own client.
	HostToken string
	// Outbox restores messages that were pending when the app last
	// stopped; they are sent, in order, once connected.
	Outbox []protocol.Send
	// SaveOutbox, if set, is called with the whole outbox after every
	// change (a message sent, acknowledged or refused), one call at a
	// time, so the app can keep it across a restart.
	SaveOutbox func([]protocol.Send)
	// OnEvent receives events, one at a time, in order. It must not block
	// for long. Nil discards them.
	OnEvent func(Event)
	// DialTimeout bounds one connection attempt; zero means 5 s.
	DialTimeout time.Duration
	// MaxBackoff caps the wait between reconnect attempts; zero means 5 s.
	MaxBackoff time.Duration
	// DeadAfter is how long the host may stay silent (it pings every few
	// seconds) before the connection counts as dead; zero means
	// protocol.DeadAfter.
	DeadAfter time.Duration
	// Logger receives the client's logs; nil discards them.
	Logger *slog.Logger
	// Dial opens a connection; nil means a net.Dialer.
	Dial func(ctx context.Context, addr string) (net.Conn, error)
}

// Client is a member's connection to one room. Connect it once, then Run
// it; Send may be called from any goroutine.
type Client struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex // guards the following
	conn     net.Conn   // nil while disconnected
	addrs    []string
	welcome  protocol.Welcome
	members  []chat.Member
	lastSeq  uint64   // the highest seq seen (or skipped as older than asked for)
	welcomed bool     // the host welcomed us once: later connects resume
	first    *session // the session Connect opened, until Run takes it

	outbox  *outbox               // sent or waiting, not yet acknowledged, in order
	history chan protocol.History // the answer to an Older request
	olderMu sync.Mutex            // one Older request at a time

	writeMu sync.Mutex // serialises writes to conn
}

// session is one established connection.
type session struct {
	conn  net.Conn
	lr    *protocol.LineReader
	moved atomic.Bool // the room was seen elsewhere; the conn was closed for it
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	nick, err := chat.ValidateNick(cfg.Nick)
	if err != nil {
		return nil, err
	}
	cfg.Nick = nick
	if cfg.ClientID == "" {
		cfg.ClientID = chat.NewID()
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.DeadAfter <= 0 {
		cfg.DeadAfter = protocol.DeadAfter
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}
	if cfg.Dial == nil {
		d := &net.Dialer{KeepAlive: -1}
		cfg.Dial = func(ctx context.Context, addr string) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) }
	}
	c := &Client{cfg: cfg, log: cfg.Logger, addrs: cfg.Addrs, history: make(chan protocol.History, 1)}
	c.outbox = &outbox{save: cfg.SaveOutbox, pending: slices.Clone(cfg.Outbox)}
	for i := range c.outbox.pending {
		c.outbox.pending[i].Resend = true // it may have reached the host before
	}
	return c, nil
}

// Welcome returns what the host said when the connection was (last)
// established: the room, your nickname, and the history.
func (c *Client) Welcome() protocol.Welcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.welcome
}

// Members returns the current member list.
func (c *Client) Members() []chat.Member {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]chat.Member(nil), c.members...)
}

// Connect dials the room and completes the handshake. A refusal by the
// host (nickname taken, room full, …) is a *chat.Error. The history follows
// as MessageEvents once Run starts.
func (c *Client) Connect(ctx context.Context) (protocol.Welcome, error) {
	sess, w, err := c.dial(ctx)
	if err != nil {
		return w, err
	}
	c.mu.Lock()
	c.first = sess
	c.mu.Unlock()
	return w, nil
}

// Send queues a message and, when connected, sends it at once. It returns
// the message's id; the message is pending until the host's msg with that
// id arrives (a MessageEvent) or the host refuses it (a RefusedEvent).
// While disconnected, messages wait and are sent on reconnect.
func (c *Client) Send(text string) (string, error) {
	text, err := chat.CleanText(text)
	if err != nil {
		return "", err
	}
	f := protocol.Send{ID: chat.NewID(), Text: text}
	if _, err := protocol.Encode(f); err != nil {
		return "", err
	}
	c.outbox.add(f)
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn != nil {
		c.write(conn, f)
	}
	return f.ID, nil
}

// Pending returns the messages not yet acknowledged by the host, oldest
// first.
func (c *Client) Pending() []protocol.Send { return c.outbox.list() }

// writeTimeout bounds one write to the host.
const writeTimeout = 10 * time.Second

// write sends one frame; a failed write closes the connection, which the
// reader notices and turns into a reconnect.
func (c *Client) write(conn net.Conn, f protocol.Frame) { c.writeWithin(conn, f, writeTimeout) }

func (c *Client) writeWithin(conn net.Conn, f protocol.Frame, timeout time.Duration) {
	b, err := protocol.Encode(f)
	if err != nil {
		c.log.Error("encode", "type", f.Type(), "err", err)
		return
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = conn.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := conn.Write(b); err != nil {
		c.log.Debug("write failed", "err", err)
		conn.Close()
	}
}

// dial connects and performs the handshake: as a newcomer the first
// time, then resuming from the last sequence number seen.
func (c *Client) dial(ctx context.Context) (*session, protocol.Welcome, error) {
	c.mu.Lock()
	addrs := c.addrs
	var resume *uint64
	if c.welcomed {
		last := c.lastSeq
		resume = &last
	}
	c.mu.Unlock()
	dctx, cancel := context.WithTimeout(ctx, c.cfg.DialTimeout)
	defer cancel()
	conn, err := dialFirst(dctx, c.cfg.Dial, addrs)
	if err != nil {
		return nil, protocol.Welcome{}, err
	}
	stop := context.AfterFunc(dctx, func() { conn.Close() })
	defer stop()
	lr := protocol.NewLineReader(conn, protocol.MaxFrame, nil)
	w, err := c.handshake(conn, lr, resume)
	if err != nil {
		conn.Close()
		if dctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("handshake: %w", chat.ErrTimeout)
		}
		return nil, w, err
	}
	c.adopt(conn, w)
	return &session{conn: conn, lr: lr}, w, nil
}

func (c *Client) handshake(conn net.Conn, lr *protocol.LineReader, resume *uint64) (protocol.Welcome, error) {
	c.write(conn, protocol.Hello{
		V: protocol.Version, Nick: c.cfg.Nick, ClientID: c.cfg.ClientID,
		ResumeFrom: resume, HostToken: c.cfg.HostToken,
		Batch: true, // msgs frames; a host that predates them sends msg frames
	})
	line, err := lr.ReadLine()
	if err != nil {
		return protocol.Welcome{}, fmt.Errorf("handshake: %w", err)
	}
	f, err := protocol.Decode(line)
	if err != nil {
		return protocol.Welcome{}, fmt.Errorf("handshake: %w", err)
	}
	switch f := f.(type) {
	case protocol.Welcome:
		return f, nil
	case protocol.Error:
		return protocol.Welcome{}, f.Err()
	}
	return protocol.Welcome{}, fmt.Errorf("handshake: unexpected %s frame: %w", f.Type(), chat.ErrBadFrame)
}

// adopt makes conn the current connection and records the welcome. From
// now on the client resumes, at least from where this history starts: it
// owns everything up to there, having chosen not to see it.
func (c *Client) adopt(conn net.Conn, w protocol.Welcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = conn
	c.welcome = w
	c.welcomed = true
	c.lastSeq = max(c.lastSeq, w.HistoryFrom)
	c.members = slices.Clone(w.Members) // edited in place later; w is shared
}

// fatal reports whether a refusal means retrying is pointless.
func fatal(err error) bool {
	for _, e := range []error{chat.ErrNickTaken, chat.ErrBadNick, chat.ErrVersion, chat.ErrRoomFull, chat.ErrHostClosed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// backoff returns the wait before reconnect attempt n (from 0). The first
// retry comes within 100 ms — most drops are one-off, and the room moves on
// while we are away — then the wait doubles from 250 ms up to MaxBackoff.
// Jitter spreads a room's members out when a host comes back.
func (c *Client) backoff(n int) time.Duration {
	if n == 0 {
		return rand.N(100 * time.Millisecond)
	}
	d := 250 * time.Millisecond << min(n-1, 10)
	d = min(d, c.cfg.MaxBackoff)
	return d - d/4 + rand.N(d/2+1)
}
