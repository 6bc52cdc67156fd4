package server

import (
	"github.com/parley-lan/parley/backend/protocol"
)

// event is something every member hears about: a frame for native members
// and its plain-text rendering for legacy ones.
type event struct {
	frame  protocol.Frame
	legacy string  // "" means legacy members do not hear of it
	from   *member // the legacy sender does not get its own line echoed
}

// broadcastLocked encodes e once per audience and queues it for every
// member who is not away. Callers hold h.mu.
func (h *hub) broadcastLocked(e event) {
	native, err := protocol.Encode(e.frame)
	if err != nil {
		h.log.Error("encode broadcast", "type", e.frame.Type(), "err", err)
		return
	}
	var text []byte
	if e.legacy != "" {
		text = []byte(e.legacy)
	}
	for _, m := range h.order {
		switch {
		case !m.legacy:
			h.deliver(m, native)
		case text != nil && m != e.from:
			h.deliver(m, text)
		}
	}
}

// deliver queues b for m. A member whose queue is full is cut off: it
// stops receiving and goes away (see awayLocked), and resumes when it
// reconnects. Callers hold h.mu.
func (h *hub) deliver(m *member, b []byte) {
	if m.away || h.closed || m.out.push(b) {
		return
	}
	h.log.Warn("member too slow, disconnecting", "nick", m.nick, "queue_cap_bytes", m.out.max)
	m.cutOff()
	h.awayLocked(m)
}

// sendTo queues one frame's bytes for one member.
func (h *hub) sendTo(m *member, b []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deliver(m, b)
}

// pingAll queues a heartbeat for every native member.
func (h *hub) pingAll(ping []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.order {
		if !m.legacy {
			h.deliver(m, ping)
		}
	}
}

// closeAll stops admitting members and queues a goodbye for everyone; the
// writers send it after what is already queued.
func (h *hub) closeAll(bye []byte, legacyBye []byte) []*member {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	ms := append([]*member(nil), h.order...)
	for _, m := range ms {
		if m.legacy {
			m.out.close(legacyBye)
		} else {
			m.out.close(bye)
		}
	}
	return ms
}
