package server

import (
	"sync"
	"sync/atomic"
)

// pushResult says what became of a push.
type pushResult int

const (
	pushed     pushResult = iota
	pushFull              // over the cap: the member cannot keep up
	pushClosed            // the member is on its way out
)

// sendQueue is one member's outgoing stream. A frame pushed while nothing
// is waiting is written straight to the socket (a non-blocking write, in
// the pusher's goroutine); only what the socket cannot take at once is
// queued, and a writer goroutine exists only while something is queued. So
// an idle member costs no goroutine, and a busy one gets one write per
// batch. The queue is bounded in bytes: a push that would pass the cap
// fails, and the hub cuts the member off instead of letting it hold the
// room back or letting memory grow. Frames are shared, read-only slices.
type sendQueue struct {
	max    int
	direct func([]byte) int // writes what the socket takes now; nil: never write directly
	writer func()           // the member's writer, run in a new goroutine
	cut    atomic.Bool      // cut off: the writer must not wait on the socket

	mu      sync.Mutex // guards the following
	drained sync.Cond  // signalled when bytes drops or the queue closes
	frames  [][]byte
	bytes   int
	writing bool // a writer goroutine owns the socket
	closed  bool
	last    []byte // written after the queue drains, then the connection closes
}

func newSendQueue(max int, direct func([]byte) int, writer func()) *sendQueue {
	q := &sendQueue{max: max, direct: direct, writer: writer, writing: true} // the greeting goes first
	q.drained.L = &q.mu
	return q
}

// push sends or queues a frame.
func (q *sendQueue) push(frame []byte) pushResult {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return pushClosed
	}
	if !q.writing && len(q.frames) == 0 && q.direct != nil {
		n := q.direct(frame)
		if n == len(frame) {
			return pushed
		}
		if n > 0 { // a frame begun is finished, whatever the cap
			q.enqueue(frame[n:])
			return pushed
		}
	}
	if q.bytes+len(frame) > q.max {
		return pushFull
	}
	q.enqueue(frame)
	return pushed
}

// enqueue adds a frame and makes sure a writer runs. Callers hold q.mu.
func (q *sendQueue) enqueue(frame []byte) {
	q.frames = append(q.frames, frame)
	q.bytes += len(frame)
	q.startWriter()
}

func (q *sendQueue) startWriter() {
	if !q.writing {
		q.writing = true
		go q.writer()
	}
}

// take hands the writer everything queued. With nothing queued it gives
// the socket back (idle: the writer goroutine ends) — unless the queue is
// closed, when it returns the last frame, if any, with done.
func (q *sendQueue) take(buf [][]byte) (frames [][]byte, done, idle bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	frames = append(buf[:0], q.frames...)
	clear(q.frames)
	q.frames, q.bytes = q.frames[:0], 0
	if cap(q.frames) > 64 {
		q.frames = nil // a backlog is over: don't keep its size
	}
	q.drained.Broadcast()
	switch {
	case len(frames) > 0:
		return frames, false, false
	case q.closed:
		if q.last != nil {
			frames, q.last = append(frames, q.last), nil
		}
		return frames, true, false
	}
	q.writing = false
	return nil, false, true
}

// waitBelow blocks while more than limit bytes are queued and the queue is
// open. The member's reader calls it before reading more input: a member
// may not post faster than it takes the room's traffic, which keeps a
// flooding member from pushing everyone else over their caps.
func (q *sendQueue) waitBelow(limit int) {
	q.mu.Lock()
	for q.bytes > limit && !q.closed {
		q.drained.Wait()
	}
	q.mu.Unlock()
}

// close stops the queue: pushes fail from now on; a writer sends what is
// queued, then last (if any), then closes the connection. Only the first
// close counts.
func (q *sendQueue) close(last []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.closed, q.last = true, last
	q.drained.Broadcast()
	q.startWriter()
}

// drop discards everything queued, for a member being cut off because it
// fell behind: what it missed is sent again when it resumes.
func (q *sendQueue) drop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	clear(q.frames)
	q.frames, q.bytes = q.frames[:0], 0
	q.drained.Broadcast()
}

// takeLast returns and clears the final frame given to close.
func (q *sendQueue) takeLast() []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	last := q.last
	q.last = nil
	return last
}
