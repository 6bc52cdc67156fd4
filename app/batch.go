package app

import (
	"sync"
	"time"
)

// Pacing of room:messages. A webview draws a message in about as long
// as a busy room takes to send the next one, so one event per message
// left the window minutes behind a chatty room (and its memory growing)
// while its user could not even type. Messages now go in batches: the
// first after a quiet spell at once, the rest at most every
// messageBatchEvery and only once the window said it has shown the last
// batch (MessagesShown), or after messageShownWait without a word; and
// never more than messageBatchMax in one event, as the window keeps no
// more than that many live ones in view anyway. A window that draws
// slower than the room talks thus skips to the newest messages instead
// of falling behind.
const (
	messageBatchEvery = 50 * time.Millisecond
	messageShownWait  = time.Second
	messageBatchMax   = timelineLimit
)

// MessagesDTO is the payload of room:messages: new messages, oldest
// first. Skipped is how many came before them and were left out because
// the room outpaced the window (which then shows these alone, with
// earlier ones a page away); Confirmed lists the ids of this app's own
// messages among those, so the window stops showing them as sending.
type MessagesDTO struct {
	Messages  []MessageDTO `json:"messages"`
	Skipped   int          `json:"skipped"`
	Confirmed []string     `json:"confirmed"`
}

// messageBatcher gathers a session's messages into room:messages events.
// Callers flush it before emitting any other room event, so the window
// sees everything in the order it happened.
type messageBatcher struct {
	emit      func(MessagesDTO)
	every     time.Duration
	shownWait time.Duration
	max       int

	mu        sync.Mutex // guards the following, and is held while emitting
	pending   []MessageDTO
	skipped   int
	confirmed []string
	last      time.Time   // when the last event went
	unseen    bool        // the window has not said it showed the last event
	timer     *time.Timer // armed while a flush is due
	stopped   bool
}

func newMessageBatcher(emit func(MessagesDTO)) *messageBatcher {
	return &messageBatcher{emit: emit, every: messageBatchEvery, shownWait: messageShownWait, max: messageBatchMax}
}

// add queues m, to go as soon as pacing allows (see scheduleLocked).
func (b *messageBatcher) add(m MessageDTO) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	b.pending = append(b.pending, m)
	if len(b.pending) >= 2*b.max {
		b.dropOldest(len(b.pending) - b.max)
	}
	b.scheduleLocked()
}

// shown is the window saying it has shown the last event: the next may
// go as soon as the pacing interval allows.
func (b *messageBatcher) shown() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.unseen {
		return
	}
	b.unseen = false
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.scheduleLocked()
}

// scheduleLocked sends what is pending now if it may go, or arms the
// timer for when it may: messageBatchEvery after the last event, and not
// before the window has shown that one or shownWait has passed.
func (b *messageBatcher) scheduleLocked() {
	if len(b.pending) == 0 || b.timer != nil {
		return
	}
	wait := b.every
	if b.unseen {
		wait = max(wait, b.shownWait)
	}
	if d := wait - time.Since(b.last); d > 0 {
		b.timer = time.AfterFunc(d, b.flush)
		return
	}
	b.flushLocked()
}

// dropOldest leaves the n oldest pending messages out, remembering how
// many and which of them were ours.
func (b *messageBatcher) dropOldest(n int) {
	for _, m := range b.pending[:n] {
		if m.Mine {
			b.confirmed = append(b.confirmed, m.ID)
		}
	}
	b.skipped += n
	b.pending = append(b.pending[:0], b.pending[n:]...)
}

// flush sends what is pending now, shown or not: callers use it before
// any other room event, so the window sees the room's order.
func (b *messageBatcher) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *messageBatcher) flushLocked() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if b.stopped || len(b.pending) == 0 {
		return
	}
	if over := len(b.pending) - b.max; over > 0 {
		b.dropOldest(over)
	}
	ev := MessagesDTO{Messages: b.pending, Skipped: b.skipped, Confirmed: b.confirmed}
	if ev.Confirmed == nil {
		ev.Confirmed = []string{}
	}
	b.pending, b.skipped, b.confirmed = nil, 0, nil
	b.last, b.unseen = time.Now(), true
	b.emit(ev)
}

// stop drops whatever is pending and emits nothing more: the session is
// over, and the window may already show another.
func (b *messageBatcher) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.stopped, b.pending = true, nil
}
