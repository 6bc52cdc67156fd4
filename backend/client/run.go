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
	// The room's addresses now first, then the ones we had: all are
	// dialled at once and the first to answer wins.
	c.addrs = mergeAddrs(addrs, c.addrs)
	c.mu.Unlock()
}

// maxAddrs bounds the addresses a client dials at once, so the ones a
// room left behind do not pile up.
const maxAddrs = 8

// mergeAddrs returns fresh followed by the old addresses not in fresh, at
// most maxAddrs.
func mergeAddrs(fresh, old []string) []string {
	out := make([]string, 0, len(fresh)+len(old))
	for _, a := range append(slices.Clone(fresh), old...) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out[:min(len(out), maxAddrs)]
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
	defer c.watchMoves(sess)()
	for {
		if !sess.lr.HasLine() {
			// The next line needs a read: the host has DeadAfter to send
			// something. Only then, not per line, since setting a
			// deadline updates a timer and one read brings many lines.
			_ = sess.conn.SetReadDeadline(time.Now().Add(c.cfg.DeadAfter))
		}
		line, err := sess.lr.ReadLine()
		if sess.moved.Load() {
			return ErrRoomMoved
		}
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
	case protocol.Msgs:
		for i := range f.Msgs {
			c.onMsg(f.Message(i))
		}
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
		c.offerHistory(f)
	}
	return nil
}

// onMsg delivers a message, from a msg frame or a msgs frame, once:
// anything at or below the last sequence number seen is a repeat. Our own
// message acknowledges the outbox entry.
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

// moveCheck is how often a connection checks that the room is still
// announced where it is connected.
const moveCheck = 2 * time.Second

// watchMoves checks, every moveCheck, whether the room is now announced
// elsewhere; if so it closes the connection, which the reader turns into a
// reconnect to the new address — without waiting for the heartbeat to
// time out, since a host that changed address can no longer reach us
// from the old one. It returns the function that stops it.
func (c *Client) watchMoves(sess *session) func() {
	// Only a room announced where we are now can move away from it; one
	// reached some other way (a typed name, loopback) is left alone.
	if c.cfg.Resolve == nil || c.moved(sess) {
		return func() {}
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(moveCheck)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if c.moved(sess) {
					c.log.Info("the room moved; reconnecting to its new address")
					sess.moved.Store(true)
					sess.conn.Close()
					return
				}
			}
		}
	}()
	return func() { close(stop); <-done }
}

// moved reports whether the room's current addresses, as Resolve knows
// them, no longer include the one this connection goes to. No answer, or
// an empty one, is not a move: discovery may just be quiet.
func (c *Client) moved(sess *session) bool {
	if c.cfg.Resolve == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	addrs, err := c.cfg.Resolve(ctx)
	if err != nil || len(addrs) == 0 {
		return false
	}
	return !slices.Contains(addrs, sess.conn.RemoteAddr().String())
}

// offerHistory hands a history page to Older. The channel holds one page;
// a page still in it was not claimed (its asker gave up, or it answered an
// older request), so the newer page replaces it rather than being dropped.
func (c *Client) offerHistory(page protocol.History) {
	for {
		select {
		case c.history <- page:
			return
		default:
		}
		select {
		case <-c.history:
		default:
		}
	}
}
