package client

import (
	"slices"
	"sync"

	"github.com/parley-lan/parley/backend/protocol"
)

// outbox holds the messages sent but not yet acknowledged by the host, in
// the order they were written. Every change is handed to save, so that an
// app can keep the outbox across a restart.
type outbox struct {
	save   func([]protocol.Send) // nil: nothing to persist
	saveMu sync.Mutex            // one save at a time, always of the latest state

	mu      sync.Mutex // guards pending
	pending []protocol.Send
}

func (o *outbox) add(s protocol.Send) {
	o.mu.Lock()
	o.pending = append(o.pending, s)
	o.mu.Unlock()
	o.changed()
}

// remove drops the message with id, if pending, and reports whether it was.
func (o *outbox) remove(id string) bool {
	o.mu.Lock()
	n := len(o.pending)
	o.pending = slices.DeleteFunc(o.pending, func(s protocol.Send) bool { return s.ID == id })
	removed := len(o.pending) < n
	o.mu.Unlock()
	if removed {
		o.changed()
	}
	return removed
}

func (o *outbox) list() []protocol.Send {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.pending)
}

// changed saves a snapshot taken after the change, under saveMu, so a
// slower save of an older state can never land after a newer one.
func (o *outbox) changed() {
	if o.save == nil {
		return
	}
	o.saveMu.Lock()
	defer o.saveMu.Unlock()
	o.save(o.list())
}
