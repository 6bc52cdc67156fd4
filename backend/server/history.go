package server

import (
	"fmt"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// History keeps a room's messages durably, so that a host that restarts
// comes back with its history, its sequence numbers and its memory of
// which messages it already has. Package store provides one. Its methods
// are called from several goroutines, never with the hub's lock held.
type History interface {
	// Append records entries, whose seqs follow LastSeq, atomically. The
	// host acknowledges them only after it returns.
	Append(entries []chat.Entry) error
	// LastSeq is the highest seq recorded, 0 for none.
	LastSeq() (uint64, error)
	// After returns up to limit messages with seq above seq, ascending.
	After(seq uint64, limit int) ([]chat.Message, error)
	// Before returns the limit newest messages with seq below seq,
	// ascending.
	Before(seq uint64, limit int) ([]chat.Message, error)
	// Recent returns the n newest entries, ascending.
	Recent(n int) ([]chat.Entry, error)
	// Lookup finds a message by its sender's client id and message id.
	Lookup(clientID, msgID string) (chat.Message, bool, error)
}

// load fills the hub's memory from the durable log at start-up.
func (h *hub) load() error {
	if h.store == nil {
		return nil
	}
	last, err := h.store.LastSeq()
	if err != nil {
		return fmt.Errorf("read history: %w", err)
	}
	recent, err := h.store.Recent(h.keep)
	if err != nil {
		return fmt.Errorf("read history: %w", err)
	}
	h.seq = last
	for _, e := range recent {
		h.remember(e.ClientID+"/"+e.ID, e.Message)
	}
	return nil
}

// queueWelcome prepares what m's writer sends first: the welcome, then
// the history it asked for — everything after resumeFrom that the room
// still holds, or the last HistoryLimit messages for a newcomer (nil
// resumeFrom). Callers hold h.mu.
func (h *hub) queueWelcome(m *member, resumeFrom *uint64) error {
	var from uint64
	switch {
	case resumeFrom != nil:
		from = min(*resumeFrom, h.seq)
	case h.seq > protocol.HistoryLimit:
		from = h.seq - protocol.HistoryLimit
	}
	w := protocol.Welcome{V: protocol.Version, Room: h.room, You: m.nick, Members: h.membersLocked(), Seq: h.seq, HistoryFrom: from}
	b, err := protocol.Encode(w)
	if err != nil {
		return fmt.Errorf("welcome %s: %w", m.nick, err)
	}
	m.greeting = b
	m.replay = replay{after: from, until: h.seq, source: h}
	return nil
}

// remember adds msg to the memory window and forgets the oldest
// messages beyond the count and byte limits. The newest message stays,
// whatever its size: a resend of it is acknowledged from here. Callers
// hold h.mu, or own h before it is shared.
func (h *hub) remember(key string, msg chat.Message) {
	for h.recent.len() >= h.keep {
		h.forgetOldest()
	}
	h.recent.push(key, msg, h.keep)
	h.sent[key] = msg.Seq
	for h.recent.text > h.keepBytes && h.recent.len() > 1 {
		h.forgetOldest()
	}
}

// forgetOldest drops the oldest message from memory, and its key from
// sent unless a later message took that key.
func (h *hub) forgetOldest() {
	old := h.recent.at(0)
	if h.sent[old.key] == old.msg.Seq {
		delete(h.sent, old.key)
	}
	h.recent.dropOldest()
}

// replayBatch bounds one batch of history: the writer sends history in
// batches as the member takes it, so a long backlog never sits in memory
// at once or counts against the member's queue.
const (
	replayBatchBytes = 64 << 10
	replayBatchCount = 256
)

// historyAfter encodes the messages with seq in (after, until], up to
// about replayBatchBytes, into one buffer, and returns it with the seq of
// the last one. It reads the memory window, or the durable log for what
// memory no longer holds. It returns nil and until when nothing is left.
func (h *hub) historyAfter(after, until uint64) ([]byte, uint64) {
	msgs := h.memoryAfter(after, until)
	if msgs == nil && h.store != nil {
		var err error
		if msgs, err = h.store.After(after, replayBatchCount); err != nil {
			h.log.Error("read history", "err", err)
			return nil, until
		}
	}
	var batch []byte
	for _, m := range msgs {
		if m.Seq > until || len(batch) >= replayBatchBytes {
			break
		}
		batch, after = protocol.AppendMsg(batch, m), m.Seq
	}
	if len(batch) == 0 {
		return nil, until
	}
	return batch, after
}

// memoryAfter returns a batch of messages after seq from memory, or nil
// when memory does not reach back to seq+1 (the log must answer).
func (h *hub) memoryAfter(after, until uint64) []chat.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := &h.recent
	if w.len() == 0 || w.at(0).msg.Seq > after+1 && h.store != nil {
		return nil
	}
	i := w.search(after + 1)
	j := i
	for j < w.len() && w.at(j).msg.Seq <= until && j-i < replayBatchCount {
		j++
	}
	return w.messages(i, j)
}

// maxPageBytes keeps a history page well inside MaxFrame.
const maxPageBytes = protocol.MaxFrame * 3 / 4

// older answers a request for messages before a seq: from memory when it
// reaches back far enough, else from the log. The page is cut short to
// fit one frame.
func (h *hub) older(before uint64, limit int) (protocol.History, error) {
	limit = min(limit, 200)
	msgs, more := h.memoryBefore(before, limit)
	if msgs == nil && h.store != nil {
		var err error
		if msgs, err = h.store.Before(before, limit+1); err != nil {
			return protocol.History{}, fmt.Errorf("read history: %w", chat.ErrStorage)
		}
		more = len(msgs) > limit
		if more {
			msgs = msgs[1:]
		}
	}
	page := protocol.History{Before: before, Messages: msgs, More: more}
	for size := pageSize(page); size > maxPageBytes && len(page.Messages) > 1; size = pageSize(page) {
		page.Messages = page.Messages[len(page.Messages)/2:] // keep the newest half
		page.More = true
	}
	return page, nil
}

// memoryBefore returns up to limit messages before seq from memory, or nil
// when memory may not hold them all.
func (h *hub) memoryBefore(before uint64, limit int) ([]chat.Message, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := &h.recent
	i := w.search(before)
	start := max(i-limit, 0)
	complete := start > 0 || w.len() > 0 && w.at(0).msg.Seq == 1 || h.store == nil
	if !complete {
		return nil, false
	}
	more := start > 0 || h.store != nil && w.len() > 0 && w.at(0).msg.Seq > 1
	return w.messages(start, i), more
}

func pageSize(p protocol.History) int {
	n := 0
	for _, m := range p.Messages {
		n += len(m.Text) + len(m.From) + len(m.ID) + 80
	}
	return n
}
