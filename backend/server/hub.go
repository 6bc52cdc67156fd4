package server

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// hub is the room: its members, its sequence counter and its history. All
// fan-out happens under mu, so every member receives frames in the same
// order; pushing to a queue never blocks, so a slow member cannot stall it.
type hub struct {
	room      chat.Room
	hostToken string
	max       int           // member limit
	keep      int           // messages kept in memory
	keepBytes int           // and the most text they may hold
	grace     time.Duration // how long a dropped member may take to resume
	now       func() time.Time
	log       *slog.Logger

	store   History         // durable log; nil keeps history in memory only
	commits chan struct{}   // capacity 1: posts are waiting for the committer
	batches chan outBatch   // committed batches on their way to the broadcaster
	quit    <-chan struct{} // closed when the server closes
	trim    func()          // gives memory back to the system (see trimAfterWave)

	mu         sync.Mutex         // guards the following
	presence   []event            // joins and leaves waiting to go out (see presence.go)
	serial     uint64             // how many presence events were ever queued
	waveEvents int                // presence events since memory was last trimmed
	waveTimer  *time.Timer        // trims memory when the current wave is over
	members    map[string]*member // by foldNick
	order      []*member          // join order, host first
	seq        uint64             // the last committed sequence number
	recent     window             // the recent messages, oldest first
	sent       map[string]uint64  // clientID/msgID → seq, for messages in recent
	posts      []post             // accepted, waiting to be committed
	posting    map[string]bool    // keys of posts, against duplicates in flight
	closed     bool
}

// foldNick is the key under which nicknames must be unique: "Bob" and "bob"
// are the same person to the people reading the room.
func foldNick(nick string) string { return strings.ToLower(nick) }

// admit adds m to the room and queues its welcome (native) and the join
// announcement to everyone, atomically with respect to messages. A client
// coming back (same client id) replaces its stale connection quietly.
func (h *hub) admit(m *member, hostToken string, resumeFrom *uint64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	stale := h.members[foldNick(m.nick)]
	if stale != nil && (stale.legacy || stale.clientID != m.clientID) {
		stale = nil
	}
	if err := h.checkAdmit(m, hostToken, stale); err != nil {
		return err
	}
	if stale != nil {
		h.removeLocked(stale)
		stale.drop() // its pending leave, if any, finds it gone
	}
	m.host = hostToken != "" && hostToken == h.hostToken
	h.members[foldNick(m.nick)] = m
	h.order = append(h.order, m)
	m.since = h.serial // its welcome covers the joins and leaves before now
	if m.host {
		h.order = append([]*member{m}, slices.DeleteFunc(h.order, func(o *member) bool { return o == m })...)
	}
	if !m.legacy {
		if err := h.queueWelcome(m, resumeFrom); err != nil {
			h.removeLocked(m)
			return err
		}
	}
	if stale == nil {
		e := event{frame: protocol.Join{Member: m.info(), TS: h.now().UnixMilli()}, legacy: m.nick + " joined!"}
		h.queuePresenceLocked(e)
		if m.legacy {
			// As the tutorial server did: a plain-text member hears of its
			// own join at once, before its greeting.
			h.deliver(m, m.text(e.legacy))
			m.since = h.serial
		}
	}
	h.log.Info("member joined", "nick", m.nick, "legacy", m.legacy, "host", m.host, "resumed", stale != nil, "members", len(h.order))
	return nil
}

func (h *hub) checkAdmit(m *member, hostToken string, stale *member) error {
	switch {
	case h.closed:
		return chat.ErrHostClosed
	case h.members[foldNick(m.nick)] != nil && stale == nil:
		return chat.Errorf(chat.CodeNickTaken, fmt.Sprintf("the nickname %q is already in use in this room", m.nick))
	case foldNick(m.nick) == foldNick(h.room.Host) && (hostToken == "" || hostToken != h.hostToken):
		return chat.Errorf(chat.CodeNickTaken, fmt.Sprintf("%q is the host's nickname", m.nick))
	case len(h.order) >= h.max && stale == nil:
		return chat.Errorf(chat.CodeRoomFull, fmt.Sprintf("the room is full (%d members)", h.max))
	}
	return nil
}

// away handles a member whose connection dropped without a goodbye.
func (h *hub) away(m *member) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.members[foldNick(m.nick)] == m && !m.away.Load() {
		h.awayLocked(m)
	}
}

// awayLocked takes m out of the fan-out but keeps it in the room for the
// grace period: if the same client resumes in time, nobody sees it leave
// and come back; otherwise its leave is announced then. Callers hold h.mu.
func (h *hub) awayLocked(m *member) {
	m.away.Store(true)
	time.AfterFunc(h.grace, func() { h.leave(m) })
}

// leave removes m, if it is still a member, and tells the others.
func (h *hub) leave(m *member) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.members[foldNick(m.nick)] != m {
		return
	}
	h.removeLocked(m)
	h.queuePresenceLocked(event{
		frame:  protocol.Leave{Nick: m.nick, TS: h.now().UnixMilli()},
		legacy: m.nick + " left!",
	})
	h.log.Info("member left", "nick", m.nick, "members", len(h.order))
}

func (h *hub) removeLocked(m *member) {
	delete(h.members, foldNick(m.nick))
	h.order = slices.DeleteFunc(h.order, func(o *member) bool { return o == m })
}

// appendLegacyLine renders a message for plain-text clients, "nick: text",
// with continuation lines indented so they read as one message; it
// appends to dst, so a batch renders all its lines into one buffer.
func appendLegacyLine(dst []byte, msg chat.Message) []byte {
	dst = append(append(dst, msg.From...), ": "...)
	for text := msg.Text; ; {
		line, rest, more := strings.Cut(text, "\n")
		dst = append(dst, line...)
		if !more {
			return dst
		}
		dst, text = append(dst, "\n    "...), rest
	}
}

// members returns the member list, host first, then in join order.
func (h *hub) membersList() []chat.Member {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.membersLocked()
}

func (h *hub) membersLocked() []chat.Member {
	list := make([]chat.Member, len(h.order))
	for i, m := range h.order {
		list[i] = m.info()
	}
	return list
}
