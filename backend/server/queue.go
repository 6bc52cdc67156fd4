package server

import "sync"

// sendQueue holds encoded frames waiting for one member's writer. It is
// bounded in bytes: a push that would exceed the cap fails, and the hub then
// disconnects the member instead of letting it hold the room back or letting
// memory grow. Frames are shared, read-only byte slices.
type sendQueue struct {
	max  int           // cap in bytes
	wake chan struct{} // capacity 1: "there is something to do"

	mu      sync.Mutex // guards the following
	drained sync.Cond  // signalled when bytes drops or the queue closes
	frames  [][]byte
	bytes   int
	closed  bool
	last    []byte // written after the queue drains, then the writer stops
}

func newSendQueue(max int) *sendQueue {
	q := &sendQueue{max: max, wake: make(chan struct{}, 1)}
	q.drained.L = &q.mu
	return q
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

// push appends a frame. It reports false, leaving the queue unchanged, when
// the queue is closed or the frame would take it over its cap.
func (q *sendQueue) push(frame []byte) bool {
	q.mu.Lock()
	ok := !q.closed && q.bytes+len(frame) <= q.max
	if ok {
		q.frames = append(q.frames, frame)
		q.bytes += len(frame)
	}
	q.mu.Unlock()
	if ok {
		q.signal()
	}
	return ok
}

// close stops the queue: pushes fail from now on; the writer sends what is
// queued, then last (if any), then stops. Only the first close counts.
func (q *sendQueue) close(last []byte) {
	q.mu.Lock()
	if !q.closed {
		q.closed, q.last = true, last
	}
	q.drained.Broadcast()
	q.mu.Unlock()
	q.signal()
}

// drop discards everything queued, for a member being cut off because it
// fell behind: what it missed is sent again when it resumes.
func (q *sendQueue) drop() {
	q.mu.Lock()
	q.frames, q.bytes = nil, 0
	q.drained.Broadcast()
	q.mu.Unlock()
}

func (q *sendQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take waits for frames and returns them all, reusing buf's storage. After
// close it returns the remaining frames with done set; the final frame, if
// any, is appended last.
func (q *sendQueue) take(buf [][]byte) (frames [][]byte, done bool) {
	for {
		q.mu.Lock()
		frames = append(buf[:0], q.frames...)
		clear(q.frames)
		q.frames, q.bytes = q.frames[:0], 0
		done = q.closed
		if done && q.last != nil {
			frames = append(frames, q.last)
			q.last = nil
		}
		q.drained.Broadcast()
		q.mu.Unlock()
		if len(frames) > 0 || done {
			return frames, done
		}
		<-q.wake
	}
}

// takeLast returns and clears the final frame given to close.
func (q *sendQueue) takeLast() []byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	last := q.last
	q.last = nil
	return last
}
