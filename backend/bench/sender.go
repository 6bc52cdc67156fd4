package bench

import (
	"fmt"
	"math"
	"time"
)

// senderWriteGrace bounds a write still blocked when the load ends.
const senderWriteGrace = 5 * time.Second

// appendMessage appends message m in the run's protocol.
func (r *run) appendMessage(dst []byte, m msgRef) []byte {
	if r.cfg.Proto == Native {
		return appendSendFrame(dst, m)
	}
	return appendLegacyLine(dst, m)
}

// saturate sends sender s's messages as fast as the room takes them until
// end: whenever a quarter of its window is free (every other member has
// received all but the rest), it writes all the free part in one write.
// Every member reads continuously, so nobody is cut off for not reading.
func (r *run) saturate(s int, end int64) {
	m := r.members[s]
	w := uint64(r.cfg.Window)
	low := max(1, w/4)
	buf := make([]byte, 0, int(w)*200)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var q uint64
	for q < r.cfg.MaxPerSender {
		if r.now() >= end || r.aborted.Load() {
			return
		}
		acked, laggard := r.minAckWho(s)
		inFlight := q - min(acked, q)
		free := w - min(inFlight, w)
		if free < low {
			r.waitAck(s, laggard, q+low-w, timer, end)
			continue
		}
		n := min(free, r.cfg.MaxPerSender-q)
		t := r.now()
		buf = buf[:0]
		for i := range n {
			buf = r.appendMessage(buf, msgRef{sender: s, seq: q + i, sent: t})
		}
		if !r.send(s, m, buf, end, q+n) {
			return
		}
		q += n
	}
}

// waitAck blocks sender s until member laggard, the furthest behind, has
// received its messages up to need (it wakes the sender in publish), or
// 5 ms have passed, or the load's end.
func (r *run) waitAck(s, laggard int, need uint64, timer *time.Timer, end int64) {
	r.need[s].Store(need)
	r.waitFor[s].Store(int64(laggard))
	defer r.waitFor[s].Store(-1)
	if r.acks[s][laggard].Load() >= need {
		return // it got there while we were looking
	}
	d := min(5*time.Millisecond, time.Duration(end-r.now()))
	if d <= 0 {
		return
	}
	timer.Reset(d)
	select {
	case <-r.wake[s]:
		if !timer.Stop() {
			<-timer.C
		}
	case <-timer.C:
	}
}

// pace sends sender s's messages at cfg.Rate from start until end, the
// senders spread evenly over one interval. Each message carries the time
// it was actually written.
func (r *run) pace(s int, start, end int64) {
	m := r.members[s]
	interval := int64(float64(time.Second) / r.cfg.Rate)
	next := start + interval*int64(s)/int64(r.cfg.Senders)
	buf := make([]byte, 0, 256)
	for q := uint64(0); q < r.cfg.MaxPerSender && next < end && !r.aborted.Load(); q++ {
		if d := time.Duration(next - r.now()); d > 0 {
			time.Sleep(d)
		}
		buf = r.appendMessage(buf[:0], msgRef{sender: s, seq: q, sent: r.now()})
		if !r.send(s, m, buf, end, q+1) {
			return
		}
		next += interval
	}
}

// send writes one batch and publishes the sender's count.
func (r *run) send(s int, m *member, b []byte, end int64, total uint64) bool {
	deadline := r.base.Add(time.Duration(end) + senderWriteGrace)
	if _, err := m.write(b, deadline); err != nil {
		msg := fmt.Sprintf("sender %d: %v", s, err)
		r.senderErr.CompareAndSwap(nil, &msg)
		return false
	}
	r.sent[s].Store(total)
	return true
}

// allAcked reports whether every member has received everything sent.
func (r *run) allAcked() bool {
	for s := range r.acks {
		if r.minAck(s) < r.sent[s].Load() {
			return false
		}
	}
	return true
}

// minAck is how far every member has received sender s's messages.
func (r *run) minAck(s int) uint64 {
	low, _ := r.minAckWho(s)
	return low
}

// minAckWho is minAck and the member furthest behind.
func (r *run) minAckWho(s int) (uint64, int) {
	low, who := uint64(math.MaxUint64), 0
	for i := range r.acks[s] {
		if v := r.acks[s][i].Load(); v < low {
			low, who = v, i
		}
	}
	return low, who
}

// ack records that member i has received sender s's messages below v,
// and wakes the sender if it was waiting for exactly that.
func (r *run) ack(s, i int, v uint64) {
	r.acks[s][i].Store(v)
	if r.waitFor[s].Load() == int64(i) && v >= r.need[s].Load() {
		select {
		case r.wake[s] <- struct{}{}:
		default:
		}
	}
}
