package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
	"github.com/parley-lan/parley/backend/peer"
	"github.com/parley-lan/parley/backend/protocol"
)

// terminal is a chat in a terminal: it prints the room's events and sends
// each line typed. Conversation goes to stdout; status to stderr.
type terminal struct {
	env Env
	you string
	// closeRoom, for the host, closes the room for good (/close).
	closeRoom func()

	mu      sync.Mutex    // serialises output from the session and the input loop
	stdout  *bufio.Writer // conversation, flushed soon after it is written
	flushAt *time.Timer   // pending flush of stdout, if any
}

// outFlush is how long conversation output may wait in the buffer: a busy
// room then costs one write for many lines, and a person sees no delay.
const outFlush = 5 * time.Millisecond

func (t *terminal) out(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.conversation(), format, args...)
}

// printMessage prints one message of the conversation. It appends into the
// output buffer rather than formatting: the host's own terminal prints
// every message of its room, so this runs at the room's full rate (fmt was
// 4 % of a busy host's CPU).
func (t *terminal) printMessage(m chat.Message) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.conversation()
	w.Write(appendMessage(w.AvailableBuffer(), m))
}

// conversation returns stdout's buffer, with a flush on its way. Call it
// with mu held.
func (t *terminal) conversation() *bufio.Writer {
	if t.stdout == nil {
		t.stdout = bufio.NewWriterSize(t.env.Stdout, 32<<10)
	}
	if t.flushAt == nil {
		t.flushAt = time.AfterFunc(outFlush, t.flushOut)
	}
	return t.stdout
}

// flushOut writes the buffered conversation out.
func (t *terminal) flushOut() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.flushAt = nil
	if t.stdout != nil {
		t.stdout.Flush()
	}
}

// status writes a line to stderr at once, after any buffered conversation
// so that the two keep their order on a shared terminal.
func (t *terminal) status(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stdout != nil {
		t.stdout.Flush()
	}
	fmt.Fprintf(t.env.Stderr, format, args...)
}

// onEvent prints one room event. Your own messages are not repeated: you
// typed them.
func (t *terminal) onEvent(e client.Event) {
	switch e := e.(type) {
	case client.MessageEvent:
		if e.From != t.you {
			t.printMessage(e.Message)
		}
	case client.PresenceEvent:
		t.out("* %s %s\n", e.Nick, map[string]string{"join": "joined", "leave": "left"}[e.Kind])
	case client.StateEvent:
		switch {
		case e.State == client.StateReconnecting:
			t.status("* connection lost (%v); reconnecting…\n", e.Err)
		case e.State == client.StateClosed && e.Err != nil && !errors.Is(e.Err, chat.ErrHostClosed):
			t.status("* disconnected: %v\n", e.Err)
		}
	case client.RefusedEvent:
		t.status("! not sent: %v\n", e.Err)
	}
}

// appendMessage appends "[15:04] nick: text" and a newline, indenting
// continuation lines.
func appendMessage(dst []byte, m chat.Message) []byte {
	dst = append(dst, '[')
	dst = m.Time().AppendFormat(dst, "15:04")
	dst = append(dst, "] "...)
	dst = append(dst, m.From...)
	dst = append(dst, ": "...)
	text := m.Text
	for {
		line, rest, more := strings.Cut(text, "\n")
		dst = append(dst, line...)
		if !more {
			return append(dst, '\n')
		}
		dst = append(dst, "\n        "...)
		text = rest
	}
}

// chatOptions says how the input loop ends.
type chatOptions struct {
	// quitOnEOF leaves the room when input ends (a client fed by a
	// script); otherwise the session runs on (a headless host).
	quitOnEOF bool
}

// flushTimeout bounds the wait for unacknowledged messages when input ends.
const flushTimeout = 10 * time.Second

// chat runs the input loop until ctx ends, the session ends, /quit, or
// (with quitOnEOF) the end of input. It returns why the session ended.
func (t *terminal) chat(ctx context.Context, sess *peer.Session, in io.Reader, opts chatOptions) error {
	lines := readLines(in)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sess.Done():
			return sess.Err()
		case line, ok := <-lines:
			switch {
			case !ok && opts.quitOnEOF:
				return t.flush(ctx, sess)
			case !ok:
				lines = nil // stdin closed: keep hosting until a signal
			case line.err != nil:
				t.status("! %v\n", line.err)
			default:
				if quit := t.handleLine(sess, line.text); quit {
					return t.flush(ctx, sess)
				}
			}
		}
	}
}

// handleLine sends a line or runs a /command; it reports whether to quit.
func (t *terminal) handleLine(sess *peer.Session, line string) bool {
	switch strings.TrimSpace(line) {
	case "":
		return false
	case "/quit", "/exit":
		return true
	case "/close":
		if t.closeRoom == nil {
			t.status("* only the host can close the room; /quit leaves it\n")
			return false
		}
		t.closeRoom()
		return true
	case "/who":
		var nicks []string
		for _, m := range sess.Members() {
			nicks = append(nicks, memberLabel(m))
		}
		t.status("* in the room: %s\n", strings.Join(nicks, ", "))
		return false
	case "/help":
		if t.closeRoom != nil {
			t.status("* type a message and press Enter; /who lists members; /quit stops hosting (members wait for the room to come back); /close closes the room for good\n")
		} else {
			t.status("* type a message and press Enter; /who lists members; /quit leaves\n")
		}
		return false
	}
	if _, err := sess.Send(line); err != nil {
		t.status("! not sent: %v\n", err)
	}
	return false
}

func memberLabel(m chat.Member) string {
	switch {
	case m.Host:
		return m.Nick + " (host)"
	case m.Legacy:
		return m.Nick + " (plain text)"
	}
	return m.Nick
}

// flush waits, within flushTimeout, until the host has acknowledged every
// message sent, so a script's last line is not lost on exit.
func (t *terminal) flush(ctx context.Context, sess *peer.Session) error {
	deadline := time.Now().Add(flushTimeout)
	for sess.Pending() > 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d message(s) not acknowledged by the host", sess.Pending())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-sess.Done():
			return sess.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

type inputLine struct {
	text string
	err  error
}

// readLines delivers input lines, refusing (not truncating) over-long ones.
func readLines(in io.Reader) <-chan inputLine {
	ch := make(chan inputLine)
	go func() {
		defer close(ch)
		lr := protocol.NewLineReader(in, chat.MaxTextBytes+1, nil)
		for {
			line, err := lr.ReadLine()
			switch {
			case errors.Is(err, chat.ErrTooLarge):
				ch <- inputLine{err: fmt.Errorf("line too long: a message may be at most %d bytes", chat.MaxTextBytes)}
			case err != nil:
				return
			default:
				ch <- inputLine{text: string(line)}
			}
		}
	}()
	return ch
}
