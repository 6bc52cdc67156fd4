package app

import (
	"sync"
	"time"
)

// Pacing of room:activity. A webview draws a message, or a member list,
// in about as long as a busy room takes to send the next one, so one
// event per message or per join left the window minutes behind a chatty
// or crowded room (and its memory growing) while its user could not even
// type. What happens in the room now goes in batches: the first after a
// quiet spell at once, the rest at most every activityEvery and only
// once the window said it has shown the last batch (ActivityShown), or
// after activityShownWait without a word; and never more than
// activityMax messages, or joins and leaves, in one event (as many as the
// app keeps for a redraw). A window that draws slower than the room
// talks thus skips to the newest messages instead of falling behind.
const (
	activityEvery     = 50 * time.Millisecond
	activityShownWait = time.Second
	activityMax       = timelineLimit
)

// ActivityDTO is the payload of room:activity: what happened in the room
// since the last one, in order. Changes are joins and leaves, each placed
// among Messages by its At. Members is the member list after all of it,
// or null when it did not change. Skipped is how many messages came
// before these and were left out because the room outpaced the window
// (which then shows these alone, with earlier ones a page away);
// Confirmed lists the ids of this app's own messages among those, so the
// window stops showing them as sending.
type ActivityDTO struct {
	Messages  []MessageDTO `json:"messages"`
	Changes   []ChangeDTO  `json:"changes"`
	Members   []MemberDTO  `json:"members"`
	Skipped   int          `json:"skipped"`
	Confirmed []string     `json:"confirmed"`
}

// empty reports whether a has nothing for the window (messages left out
// always leave newer ones).
func (a *ActivityDTO) empty() bool {
	return len(a.Messages) == 0 && len(a.Changes) == 0 && a.Members == nil
}

// ChangeDTO is someone joining or leaving the room. At is how many of
// the event's messages came before it.
type ChangeDTO struct {
	Kind string `json:"kind"` // "join" or "leave"
	Nick string `json:"nick"`
	TS   int64  `json:"ts"`
	At   int    `json:"at"`
}

// activityBatcher gathers a session's messages, joins and leaves and
// member lists into room:activity events. Callers flush it before
// emitting any other room event, so the window sees everything in the
// order it happened.
type activityBatcher struct {
	emit      func(ActivityDTO)
	every     time.Duration
	shownWait time.Duration
	max       int

	mu      sync.Mutex // guards the following, and is held while emitting
	pending ActivityDTO
	last    time.Time   // when the last event went
	unseen  bool        // the window has not said it showed the last event
	timer   *time.Timer // armed while a flush is due
	stopped bool
}

func newActivityBatcher(emit func(ActivityDTO)) *activityBatcher {
	return &activityBatcher{emit: emit, every: activityEvery, shownWait: activityShownWait, max: activityMax}
}

// add queues a message, to go as soon as pacing allows (see scheduleLocked).
func (b *activityBatcher) add(m MessageDTO) {
	b.update(func(p *ActivityDTO) {
		p.Messages = append(p.Messages, m)
		if len(p.Messages) >= 2*b.max {
			dropMessages(p, len(p.Messages)-b.max)
		}
	})
}

// change queues a join or leave and the member list after it.
func (b *activityBatcher) change(kind, nick string, ts int64, members []MemberDTO) {
	b.update(func(p *ActivityDTO) {
		p.Changes = append(p.Changes, ChangeDTO{Kind: kind, Nick: nick, TS: ts, At: len(p.Messages)})
		if len(p.Changes) >= 2*b.max {
			dropChanges(p, len(p.Changes)-b.max)
		}
		p.Members = members
	})
}

// members queues a new member list.
func (b *activityBatcher) members(members []MemberDTO) {
	b.update(func(p *ActivityDTO) { p.Members = members })
}

func (b *activityBatcher) update(f func(*ActivityDTO)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	f(&b.pending)
	b.scheduleLocked()
}

// dropMessages leaves the n oldest messages of p out, with the changes
// among them, remembering how many and which of them were ours.
func dropMessages(p *ActivityDTO, n int) {
	for _, m := range p.Messages[:n] {
		if m.Mine {
			p.Confirmed = append(p.Confirmed, m.ID)
		}
	}
	p.Skipped += n
	p.Messages = append(p.Messages[:0], p.Messages[n:]...)
	kept := p.Changes[:0]
	for _, c := range p.Changes {
		if c.At >= n {
			c.At -= n
			kept = append(kept, c)
		}
	}
	p.Changes = kept
}

// dropChanges leaves the n oldest joins and leaves of p out: the member
// list says who is there, and the window would soon scroll them away.
func dropChanges(p *ActivityDTO, n int) {
	p.Changes = append(p.Changes[:0], p.Changes[n:]...)
}

// shown is the window saying it has shown the last event: the next may
// go as soon as the pacing interval allows.
func (b *activityBatcher) shown() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.unseen {
		return
	}
	b.unseen = false
	b.disarmLocked()
	b.scheduleLocked()
}

// scheduleLocked sends what is pending now if it may go, or arms the
// timer for when it may: activityEvery after the last event, and not
// before the window has shown that one or shownWait has passed.
func (b *activityBatcher) scheduleLocked() {
	if b.pending.empty() || b.timer != nil {
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

// flush sends what is pending now, shown or not: callers use it before
// any other room event, so the window sees the room's order.
func (b *activityBatcher) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *activityBatcher) flushLocked() {
	b.disarmLocked()
	if b.stopped || b.pending.empty() {
		return
	}
	ev := b.pending
	if over := len(ev.Messages) - b.max; over > 0 {
		dropMessages(&ev, over)
	}
	if over := len(ev.Changes) - b.max; over > 0 {
		dropChanges(&ev, over)
	}
	ev.Messages, ev.Changes, ev.Confirmed = orEmpty(ev.Messages), orEmpty(ev.Changes), orEmpty(ev.Confirmed)
	b.pending = ActivityDTO{}
	b.last, b.unseen = time.Now(), true
	b.emit(ev)
}

// disarmLocked stops a flush that is due, if any.
func (b *activityBatcher) disarmLocked() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
}

// stop drops whatever is pending and emits nothing more: the session is
// over, and the window may already show another.
func (b *activityBatcher) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.disarmLocked()
	b.stopped, b.pending = true, ActivityDTO{}
}
