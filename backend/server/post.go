package server

import (
	"errors"
	"slices"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// post is a message accepted from a member, waiting to be committed.
type post struct {
	from  *member
	entry chat.Entry
	key   string // clientID/msgID, under which repeats are recognised
}

// maxCommitBatch bounds how many posts go into one durable write.
const maxCommitBatch = 256

// post accepts a message from m. It is stamped, recorded durably and
// broadcast by the committer — woken by kick, which the member's reader
// calls once it has handled everything it read, so that what arrived
// together goes out together; the sender's copy of the broadcast is its
// acknowledgement. A message whose id the same client already posted is
// not posted again: the sender gets the original back instead. resend says
// the client is sending it again after a reconnect, so the durable log is
// asked too (it remembers beyond the memory window and across restarts).
func (h *hub) post(m *member, id, text string, resend bool) error {
	text, err := chat.CleanText(text)
	if err != nil {
		return err
	}
	p := post{from: m, entry: chat.Entry{Message: chat.Message{ID: id, From: m.nick, Text: text}, ClientID: m.clientID}, key: m.clientID + "/" + id}
	if h.known(p) {
		return nil
	}
	if resend && h.store != nil {
		msg, found, err := h.store.Lookup(m.clientID, id)
		if err != nil {
			h.log.Error("look up a resent message", "err", err)
		}
		if found {
			h.ack(m, msg)
			return nil
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.knownLocked(p) {
		return nil
	}
	h.posts = append(h.posts, p)
	h.posting[p.key] = true
	return nil
}

// kick wakes the committer, if there is anything to commit.
func (h *hub) kick() {
	select {
	case h.commits <- struct{}{}:
	default:
	}
}

// known handles a repeat of a message the hub has or is about to have.
func (h *hub) known(p post) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.knownLocked(p)
}

func (h *hub) knownLocked(p post) bool {
	if h.posting[p.key] {
		return true // on its way; its broadcast will acknowledge both
	}
	seq, ok := h.sent[p.key]
	if ok {
		if i := h.recent.search(seq); i < h.recent.len() && h.recent.at(i).msg.Seq == seq {
			h.ackLocked(p.from, h.recent.at(i).msg)
		}
	}
	return ok
}

func (h *hub) ack(m *member, msg chat.Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ackLocked(m, msg)
}

// ackLocked sends a repeated message's original back to its sender alone.
func (h *hub) ackLocked(m *member, msg chat.Message) {
	if b, err := protocol.Encode(protocol.Msg{Message: msg}); err == nil {
		h.deliver(m, b)
	}
}

// commitLoop is the only goroutine that assigns sequence numbers. It takes
// the waiting posts in batches, records each batch durably in one write,
// and only then hands it to the broadcaster (fanOutLoop): a message that
// anyone has seen survives a crash of the host.
func (h *hub) commitLoop(done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-h.commits:
		}
		for batch := h.takePosts(); len(batch) > 0; batch = h.takePosts() {
			h.commit(batch)
		}
	}
}

func (h *hub) takePosts() []post {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := min(len(h.posts), maxCommitBatch)
	batch := slices.Clone(h.posts[:n])
	h.posts = slices.Delete(h.posts, 0, n)
	return batch
}

// commit stamps batch with the next sequence numbers, records it, and
// broadcasts it — or refuses every post in it if it could not be recorded.
func (h *hub) commit(batch []post) {
	h.mu.Lock()
	next, now := h.seq+1, h.now().UnixMilli()
	h.mu.Unlock()
	entries := make([]chat.Entry, len(batch))
	for i := range batch {
		batch[i].entry.Seq, batch[i].entry.TS = next+uint64(i), now
		entries[i] = batch[i].entry
	}
	var err error
	if h.store != nil {
		err = h.store.Append(entries)
	}
	h.mu.Lock()
	for _, p := range batch {
		delete(h.posting, p.key)
	}
	if err != nil {
		h.refuseLocked(batch, err)
		h.mu.Unlock()
		return
	}
	h.seq += uint64(len(batch))
	h.flushPresenceLocked() // a newcomer's join goes before its first message
	out := outBatch{msgs: make([]chat.Message, len(batch)), senders: make([]*member, len(batch)), to: slices.Clone(h.order)}
	for i, p := range batch {
		h.remember(p.key, p.entry.Message)
		out.msgs[i], out.senders[i] = p.entry.Message, p.from
	}
	h.mu.Unlock()
	// Whoever joins from now on gets this batch in its history (its
	// welcome's seq includes it); everyone in out.to gets it from here.
	select {
	case h.batches <- out:
	case <-h.quit: // shutting down; members get a bye instead
	}
}

// storageMessage says why a message could not be recorded, in words the
// sender's app can show.
func storageMessage(err error) string {
	if errors.Is(err, chat.ErrNoSpace) {
		return "the host could not save your message: its disk is full"
	}
	return "the host could not save your message"
}

// refuseLocked tells each sender that its message could not be recorded.
func (h *hub) refuseLocked(batch []post, err error) {
	h.log.Error("could not record messages; refusing them", "count", len(batch), "err", err)
	for _, p := range batch {
		f := protocol.Error{Code: chat.CodeStorage, Message: storageMessage(err), ID: p.entry.ID}
		if b, encErr := protocol.Encode(f); encErr == nil {
			h.deliver(p.from, b)
		}
	}
}
