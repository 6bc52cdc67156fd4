package server

import (
	"cmp"
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
	max       int // member limit
	keep      int // messages kept in memory
	now       func() time.Time
	log       *slog.Logger

	mu      sync.Mutex         // guards the following
	members map[string]*member // by foldNick
	order   []*member          // join order, host first
	seq     uint64
	history []chat.Message    // the last keep messages, oldest first
	sent    map[string]uint64 // clientID/msgID → seq, for messages in history
	evict   []*member         // cut off during a fan-out, to be removed
	closed  bool
}

// foldNick is the key under which nicknames must be unique: "Bob" and "bob"
// are the same person to the people reading the room.
func foldNick(nick string) string { return strings.ToLower(nick) }

// admit adds m to the room and queues its welcome (native) and the join
// announcement to everyone, atomically with respect to messages. A client
// coming back (same client id) replaces its stale connection quietly.
func (h *hub) admit(m *member, hostToken string, resumeFrom uint64) error {
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
		stale.drop()
	}
	m.host = hostToken != "" && hostToken == h.hostToken
	h.members[foldNick(m.nick)] = m
	h.order = append(h.order, m)
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
		h.broadcastLocked(event{
			frame:  protocol.Join{Member: m.info(), TS: h.now().UnixMilli()},
			legacy: m.nick + " joined!",
		})
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

func (h *hub) queueWelcome(m *member, resumeFrom uint64) error {
	w := protocol.Welcome{
		V: protocol.Version, Room: h.room, You: m.nick,
		Members: h.membersLocked(), History: h.historySince(resumeFrom), Seq: h.seq,
	}
	b, err := protocol.Encode(w)
	if err != nil {
		return fmt.Errorf("welcome %s: %w", m.nick, err)
	}
	m.out.push(b) // the queue is empty; a welcome never exceeds the cap
	return nil
}

// historySince returns the messages after seq, or the recent history when
// seq is zero. Either way at most protocol.HistoryLimit messages, the
// newest ones: the client can ask for older ones separately.
func (h *hub) historySince(seq uint64) []chat.Message {
	i := 0
	if seq > 0 {
		i, _ = slices.BinarySearchFunc(h.history, seq+1, func(m chat.Message, s uint64) int {
			return cmp.Compare(m.Seq, s)
		})
	}
	msgs := h.history[i:]
	if len(msgs) > protocol.HistoryLimit {
		msgs = msgs[len(msgs)-protocol.HistoryLimit:]
	}
	return slices.Clone(msgs)
}

// leave removes m, if it is still a member, and tells the others.
func (h *hub) leave(m *member) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.members[foldNick(m.nick)] != m {
		return
	}
	h.removeLocked(m)
	h.broadcastLocked(event{
		frame:  protocol.Leave{Nick: m.nick, TS: h.now().UnixMilli()},
		legacy: m.nick + " left!",
	})
	h.log.Info("member left", "nick", m.nick, "members", len(h.order))
}

func (h *hub) removeLocked(m *member) {
	delete(h.members, foldNick(m.nick))
	h.order = slices.DeleteFunc(h.order, func(o *member) bool { return o == m })
}

// post stamps and broadcasts a message from m. A message whose id was
// already posted by the same client is not posted again: the sender gets
// the original back as its acknowledgement.
func (h *hub) post(m *member, id, text string) error {
	text, err := chat.CleanText(text)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	key := m.clientID + "/" + id
	if seq, ok := h.sent[key]; ok {
		h.resendLocked(m, seq)
		return nil
	}
	h.seq++
	msg := chat.Message{Seq: h.seq, ID: id, From: m.nick, Text: text, TS: h.now().UnixMilli()}
	h.remember(key, msg)
	h.broadcastLocked(event{frame: protocol.Msg{Message: msg}, legacy: legacyLine(msg), from: m})
	return nil
}

func (h *hub) remember(key string, msg chat.Message) {
	h.history = append(h.history, msg)
	h.sent[key] = msg.Seq
	if over := len(h.history) - h.keep; over > 0 {
		h.history = slices.Delete(h.history, 0, over)
		oldest := h.history[0].Seq
		for k, s := range h.sent {
			if s < oldest {
				delete(h.sent, k)
			}
		}
	}
}

func (h *hub) resendLocked(m *member, seq uint64) {
	i, found := slices.BinarySearchFunc(h.history, seq, func(msg chat.Message, s uint64) int {
		return cmp.Compare(msg.Seq, s)
	})
	if !found {
		return
	}
	if b, err := protocol.Encode(protocol.Msg{Message: h.history[i]}); err == nil {
		h.deliver(m, b)
		h.evictLocked()
	}
}

// legacyLine renders a message for plain-text clients: "nick: text", with
// continuation lines indented so they read as one message.
func legacyLine(msg chat.Message) string {
	return msg.From + ": " + strings.ReplaceAll(msg.Text, "\n", "\n    ")
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
