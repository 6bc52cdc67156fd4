package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// Run serves the connection Connect opened, and reconnects whenever it
// drops, until ctx is done (Run returns nil), the host closes the room
// (chat.ErrHostClosed) or the host refuses the client for good. Without a
// Connect first — a session restored when the app starts — it keeps
// trying to connect, in state "connecting", for as long as ctx allows.
func (c *Client) Run(ctx context.Context) error {
	c.mu.Lock()
	sess := c.first
	c.first = nil
	c.mu.Unlock()
	if sess == nil {
		c.emit(StateEvent{State: StateConnecting})
		var err error
		if sess, err = c.reconnect(ctx); err != nil {
			return c.ended(ctx, err)
		}
	}
	for {
		c.flushOutbox(sess)
		c.emit(StateEvent{State: StateConnected})
		err := c.serve(ctx, sess)
		c.detach(sess)
		if ctx.Err() != nil {
			c.emit(StateEvent{State: StateClosed})
			return nil
		}
		if fatal(err) {
			c.emit(StateEvent{State: StateClosed, Err: err})
			return err
		}
		c.log.Info("connection lost, reconnecting", "err", err)
		c.emit(StateEvent{State: StateReconnecting, Err: err})
		if sess, err = c.reconnect(ctx); err != nil {
			return c.ended(ctx, err)
		}
	}
}

// ended reports the end of Run after a failed reconnect.
func (c *Client) ended(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		c.emit(StateEvent{State: StateClosed})
		return nil
	}
	c.emit(StateEvent{State: StateClosed, Err: err})
	return err
}

// reconnect tries until it gets back in, the host refuses for good, or
// ctx ends. On success it replays what was missed as events.
func (c *Client) reconnect(ctx context.Context) (*session, error) {
	for attempt := 0; ; attempt++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.backoff(attempt)):
		}
		c.refreshAddrs(ctx)
		sess, w, err := c.dial(ctx)
		if err == nil {
			c.catchUp(w)
			return sess, nil
		}
		if fatal(err) || ctx.Err() != nil {
			return nil, err
		}
		c.log.Debug("reconnect failed", "attempt", attempt+1, "err", err)
	}
}

func (c *Client) refreshAddrs(ctx context.Context) {
	if c.cfg.Resolve == nil {
		return
	}
	addrs, err := c.cfg.Resolve(ctx)
	if err != nil || len(addrs) == 0 {
		return
	}
	c.mu.Lock()
	c.addrs = addrs
	c.mu.Unlock()
}

// catchUp emits the member list after a reconnect; the messages missed
// while away follow the welcome as ordinary msg frames.
func (c *Client) catchUp(w protocol.Welcome) {
	c.emit(MembersEvent{Members: w.Members})
}

// flushOutbox sends every unacknowledged message again, in order, marked
// as resent; the host recognises the ones it already has by their ids.
func (c *Client) flushOutbox(sess *session) {
	for _, f := range c.Pending() {
		f.Resend = true
		c.write(sess.conn, f)
	}
}

func (c *Client) detach(sess *session) {
	sess.conn.Close()
	c.mu.Lock()
	if c.conn == sess.conn {
		c.conn = nil
	}
	c.mu.Unlock()
}

// serve reads frames until the connection fails, the host says bye, or
// ctx ends.
func (c *Client) serve(ctx context.Context, sess *session) error {
	stop := context.AfterFunc(ctx, func() {
		// Leaving on purpose: say so, so the host announces it at once
		// instead of waiting to see whether we come back.
		c.writeWithin(sess.conn, protocol.Bye{Reason: "left"}, time.Second)
		sess.conn.Close()
	})
	defer stop()
	for {
		_ = sess.conn.SetReadDeadline(time.Now().Add(c.cfg.DeadAfter))
		line, err := sess.lr.ReadLine()
		if errors.Is(err, chat.ErrTooLarge) {
			c.log.Warn("host sent an over-long frame; skipped")
			continue
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("no heartbeat from the host for %v: %w", c.cfg.DeadAfter, chat.ErrTimeout)
		}
		if err != nil {
			return err
		}
		f, err := protocol.Decode(line)
		if err != nil {
			c.log.Warn("bad frame from host", "err", err)
			continue
		}
		if err := c.handle(sess, f); err != nil {
			return err
		}
	}
}

func (c *Client) handle(sess *session, f protocol.Frame) error {
	switch f := f.(type) {
	case protocol.Msg:
		c.onMsg(f.Message)
	case protocol.Join:
		c.onJoin(f)
	case protocol.Leave:
		c.onLeave(f)
	case protocol.Ping:
		c.write(sess.conn, protocol.Pong{})
	case protocol.Error:
		return c.onError(f)
	case protocol.Bye:
		if f.Closed {
			return chat.Errorf(chat.CodeHostClosed, "the host closed the room")
		}
		return ErrHostAway // not for good: keep trying
	case protocol.History:
		select {
		case c.history <- f:
		default: // nobody is waiting for it any more
		}
	}
	return nil
}

// onMsg delivers a message once: anything at or below the last sequence
// number seen is a repeat. Our own message acknowledges the outbox entry.
func (c *Client) onMsg(m chat.Message) {
	if m.From == c.cfg.Nick {
		c.outbox.remove(m.ID)
	}
	c.mu.Lock()
	repeat := m.Seq <= c.lastSeq
	if !repeat {
		c.lastSeq = m.Seq
	}
	c.mu.Unlock()
	if !repeat {
		c.emit(MessageEvent{Message: m})
	}
}

func (c *Client) onJoin(f protocol.Join) {
	c.mu.Lock()
	known := slices.ContainsFunc(c.members, func(m chat.Member) bool { return m.Nick == f.Nick })
	if !known {
		c.members = append(c.members, f.Member)
	}
	members := slices.Clone(c.members)
	c.mu.Unlock()
	if !known {
		c.emit(PresenceEvent{Kind: "join", Nick: f.Nick, TS: f.TS, Members: members})
	}
}

func (c *Client) onLeave(f protocol.Leave) {
	c.mu.Lock()
	c.members = slices.DeleteFunc(c.members, func(m chat.Member) bool { return m.Nick == f.Nick })
	members := slices.Clone(c.members)
	c.mu.Unlock()
	c.emit(PresenceEvent{Kind: "leave", Nick: f.Nick, TS: f.TS, Members: members})
}

// onError handles an error frame: a refused message leaves the outbox; a
// connection-level error ends this connection.
func (c *Client) onError(f protocol.Error) error {
	if f.ID != "" {
		c.outbox.remove(f.ID)
		c.emit(RefusedEvent{ID: f.ID, Err: f.Err()})
		return nil
	}
	c.log.Warn("host reported an error", "code", f.Code, "message", f.Message)
	if f.Code == chat.CodeSlow || fatal(f.Err()) {
		return f.Err()
	}
	return nil
}

func (c *Client) emit(e Event) { c.cfg.OnEvent(e) }
