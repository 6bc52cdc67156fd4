package server

import (
	"time"

	"github.com/parley-lan/parley/backend/protocol"
)

// event is a join or a leave: a frame for native members and its
// plain-text rendering for legacy ones.
type event struct {
	frame  protocol.Frame
	legacy string // "" means legacy members do not hear of it
	serial uint64 // its place among all presence events
}

// presenceDelay is how long a join or a leave may wait for others to go
// out with it. When many members arrive at once (a host restarting, a
// class joining), every member then gets one write for a whole wave of
// joins instead of one per join: a thousand joins cost a few thousand
// writes rather than half a million.
const presenceDelay = 10 * time.Millisecond

// queuePresenceLocked queues a presence event; it goes out within
// presenceDelay, or sooner, before the next batch of messages. Callers hold
// h.mu.
func (h *hub) queuePresenceLocked(e event) {
	h.serial++
	e.serial = h.serial
	h.presence = append(h.presence, e)
	if len(h.presence) == 1 {
		time.AfterFunc(presenceDelay, func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.flushPresenceLocked()
		})
	}
}

// flushPresenceLocked sends the waiting presence events: each member gets
// those queued since it was admitted (the ones before are in its welcome),
// in one write. Callers hold h.mu.
func (h *hub) flushPresenceLocked() {
	evs := h.presence
	if len(evs) == 0 || h.closed {
		return
	}
	h.presence = nil
	h.trimAfterWave(len(evs))
	// The events encoded one after another, with where each one starts,
	// so that any member's share is one slice of the buffer.
	var native, lines []byte
	nativeAt, linesAt := make([]int, len(evs)), make([]int, len(evs))
	for i, e := range evs {
		nativeAt[i], linesAt[i] = len(native), len(lines)
		if e.legacy != "" {
			lines = append(append(lines, e.legacy...), '\n')
		}
		b, err := protocol.Encode(e.frame)
		if err != nil {
			h.log.Error("encode presence", "type", e.frame.Type(), "err", err)
			continue
		}
		native = append(native, b...)
	}
	first := evs[0].serial
	for _, m := range h.order {
		from := 0 // the first event m hears of
		if m.since >= first {
			from = int(m.since - first + 1)
		}
		if from >= len(evs) {
			continue
		}
		switch m.style {
		case styleNative:
			h.deliver(m, native[nativeAt[from]:])
		case styleLines:
			if b := lines[linesAt[from]:]; len(b) > 0 {
				h.deliver(m, b)
			}
		default: // a tutorial client: one unterminated write per line
			for i := from; i < len(evs); i++ {
				if n := len(evs[i].legacy); n > 0 {
					h.deliver(m, lines[linesAt[i]:linesAt[i]+n])
				}
			}
		}
	}
}

// trimAfterWave gives back, once a wave of joins is over, the memory the
// wave used: handshakes grow stacks and leave garbage, and a Go program
// that then sits idle does not collect it for minutes. A wave is at least
// waveSize joins and leaves since the last trim; it is over when nobody
// has come or gone for waveOver. Callers hold h.mu.
func (h *hub) trimAfterWave(events int) {
	h.waveEvents += events
	if h.waveEvents < waveSize {
		return
	}
	if h.waveTimer == nil {
		h.waveTimer = time.AfterFunc(waveOver, func() {
			h.mu.Lock()
			h.waveEvents, h.waveTimer = 0, nil
			h.mu.Unlock()
			h.trim()
		})
		return
	}
	h.waveTimer.Reset(waveOver)
}

const (
	waveSize = 64
	waveOver = 100 * time.Millisecond
)
