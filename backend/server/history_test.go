package server

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// logDouble is a History in memory, with a switch to make appends fail.
// (Package store's real log is exercised by the peer and fault tests.)
type logDouble struct {
	mu      sync.Mutex
	entries []chat.Entry
	fail    error
}

func (l *logDouble) Append(es []chat.Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return l.fail
	}
	for i, e := range es {
		if want := uint64(len(l.entries) + i + 1); e.Seq != want {
			return fmt.Errorf("append seq %d, want %d", e.Seq, want)
		}
	}
	l.entries = append(l.entries, es...)
	return nil
}

func (l *logDouble) LastSeq() (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return uint64(len(l.entries)), nil
}

func (l *logDouble) messages() []chat.Message {
	var ms []chat.Message
	for _, e := range l.entries {
		ms = append(ms, e.Message)
	}
	return ms
}

func (l *logDouble) After(seq uint64, limit int) ([]chat.Message, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ms := l.messages()[min(int(seq), len(l.entries)):]
	return slices.Clone(ms[:min(limit, len(ms))]), nil
}

func (l *logDouble) Before(seq uint64, limit int) ([]chat.Message, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ms := l.messages()[:min(int(seq)-1, len(l.entries))]
	return slices.Clone(ms[max(0, len(ms)-limit):]), nil
}

func (l *logDouble) Recent(n int) ([]chat.Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.entries[max(0, len(l.entries)-n):]), nil
}

func (l *logDouble) Lookup(clientID, msgID string) (chat.Message, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.entries {
		if e.ClientID == clientID && e.ID == msgID {
			return e.Message, true, nil
		}
	}
	return chat.Message{}, false, nil
}

func hello(t *testing.T, addr, nick, clientID string, resume *uint64) *peer {
	t.Helper()
	p := dialPeer(t, addr)
	p.send(protocol.Hello{V: 1, Nick: nick, ClientID: clientID, ResumeFrom: resume})
	if _, ok := p.next().(protocol.Welcome); !ok {
		t.Fatalf("%s not welcomed", nick)
	}
	return p
}

// TestRestartKeepsSequenceAndRecognisesResends: a second server on the same
// log goes on numbering where the first stopped, replays from the log, and
// knows a resent message it recorded before the restart.
func TestRestartKeepsSequenceAndRecognisesResends(t *testing.T) {
	log := &logDouble{}
	s1, addr1 := startServer(t, Config{History: log})
	alice := hello(t, addr1, "alice", "alice-1", nil)
	for i := range 3 {
		alice.send(protocol.Send{ID: fmt.Sprintf("a%d", i), Text: fmt.Sprint("before ", i)})
		alice.nextMsg()
	}
	s1.Close()

	_, addr2 := startServer(t, Config{History: log, Keep: 2}) // memory holds 2; the log the rest
	back := dialPeer(t, addr2)
	back.send(protocol.Hello{V: 1, Nick: "alice", ClientID: "alice-1"})
	w := back.next().(protocol.Welcome)
	if w.Seq != 3 {
		t.Errorf("welcome seq after restart = %d, want 3", w.Seq)
	}
	for want := uint64(1); want <= 3; want++ {
		if m := back.nextMsg(); m.Seq != want {
			t.Fatalf("replayed seq %d, want %d", m.Seq, want)
		}
	}
	back.send(protocol.Send{ID: "a0", Text: "before 0", Resend: true}) // older than memory
	if m := back.nextMsg(); m.Seq != 1 || m.ID != "a0" {
		t.Errorf("resend of a0 acknowledged as %+v, want the original seq 1", m)
	}
	back.send(protocol.Send{ID: "a9", Text: "after"})
	if m := back.nextMsg(); m.Seq != 4 {
		t.Errorf("first message after restart has seq %d, want 4", m.Seq)
	}
	if n, _ := log.LastSeq(); n != 4 {
		t.Errorf("log holds %d messages, want 4", n)
	}
}

func TestStorageFailureRefusesWithoutGap(t *testing.T) {
	log := &logDouble{}
	_, addr := startServer(t, Config{History: log})
	alice := hello(t, addr, "alice", "alice-1", nil)
	bob := hello(t, addr, "bob", "bob-1", nil)
	log.mu.Lock()
	log.fail = fmt.Errorf("append: %w", chat.ErrNoSpace)
	log.mu.Unlock()
	alice.send(protocol.Send{ID: "lost", Text: "will not fit"})
	for {
		f := alice.next()
		if e, ok := f.(protocol.Error); ok {
			if e.Code != chat.CodeStorage || e.ID != "lost" || !strings.Contains(e.Message, "disk is full") {
				t.Errorf("got %+v, want a storage error for the message", e)
			}
			break
		}
	}
	log.mu.Lock()
	log.fail = nil
	log.mu.Unlock()
	alice.send(protocol.Send{ID: "ok", Text: "fits now"})
	if m := bob.nextMsg(); m.Seq != 1 || m.ID != "ok" {
		t.Errorf("bob got %+v, want the next message as seq 1 (no gap, nothing from the failed write)", m)
	}
}

func TestOlderPagesReachIntoTheLog(t *testing.T) {
	log := &logDouble{}
	_, addr := startServer(t, Config{History: log, Keep: 50})
	alice := hello(t, addr, "alice", "alice-1", nil)
	for i := range 300 {
		alice.send(protocol.Send{ID: fmt.Sprintf("a%d", i), Text: fmt.Sprint(i)})
	}
	for range 300 {
		alice.nextMsg()
	}
	var got []uint64
	for before, more := uint64(301), true; more; {
		alice.send(protocol.GetHistory{Before: before, Limit: 100})
		var page protocol.History
		for f := alice.next(); ; f = alice.next() {
			if p, ok := f.(protocol.History); ok {
				page = p
				break
			}
		}
		if len(page.Messages) == 0 {
			t.Fatalf("empty page before %d with more=%v", before, more)
		}
		for _, m := range slices.Backward(page.Messages) {
			got = append(got, m.Seq)
		}
		before, more = page.Messages[0].Seq, page.More
	}
	if len(got) != 300 || got[0] != 300 || got[299] != 1 {
		t.Errorf("paged back through %d messages (%v … %v), want 300 down to 1", len(got), got[:3], got[len(got)-3:])
	}
}

func TestOlderPageFitsOneFrame(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice := hello(t, addr, "alice", "alice-1", nil)
	big := strings.Repeat("b", 10000)
	for i := range 30 {
		alice.send(protocol.Send{ID: fmt.Sprintf("a%d", i), Text: big})
	}
	for range 30 {
		alice.nextMsg()
	}
	alice.send(protocol.GetHistory{Before: 31, Limit: 100})
	for f := alice.next(); ; f = alice.next() {
		if p, ok := f.(protocol.History); ok {
			if len(p.Messages) == 0 || len(p.Messages) >= 30 || !p.More || p.Messages[len(p.Messages)-1].Seq != 30 {
				t.Errorf("page has %d messages, more=%v; want the newest few that fit, and more", len(p.Messages), p.More)
			}
			return
		}
	}
}

// TestResumeFromZeroIsNotANewcomer: a member who joined an empty room and
// saw nothing before losing its connection resumes from 0 — and must get
// everything since, not only the recent history a newcomer gets.
func TestResumeFromZeroIsNotANewcomer(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice := hello(t, addr, "alice", "alice-1", nil)
	total := protocol.HistoryLimit + 50
	for i := range total {
		alice.send(protocol.Send{ID: fmt.Sprintf("a%d", i), Text: fmt.Sprint(i)})
	}
	for range total {
		alice.nextMsg()
	}
	bob := dialPeer(t, addr)
	bob.send(protocol.Hello{V: 1, Nick: "bob", ClientID: "bob-1", ResumeFrom: ptr(0)})
	if w := bob.next().(protocol.Welcome); w.HistoryFrom != 0 || w.Seq != uint64(total) {
		t.Errorf("welcome history_from %d, seq %d; want 0 and %d", w.HistoryFrom, w.Seq, total)
	}
	for want := uint64(1); want <= uint64(total); want++ {
		if m := bob.nextMsg(); m.Seq != want {
			t.Fatalf("got seq %d, want %d", m.Seq, want)
		}
	}
	newcomer := dialPeer(t, addr)
	newcomer.send(protocol.Hello{V: 1, Nick: "cat", ClientID: "cat-1"})
	if w := newcomer.next().(protocol.Welcome); w.HistoryFrom != 50 {
		t.Errorf("a newcomer's history starts after %d, want 50 (the last 200)", w.HistoryFrom)
	}
}

// TestMemoryWindowForgetsWhatItDrops: the window keeps the newest messages
// within its count and byte limits, and remembers the keys (for resends)
// of exactly the messages it holds.
func TestMemoryWindowForgetsWhatItDrops(t *testing.T) {
	for _, tt := range []struct {
		name            string
		keep, keepBytes int
		text            func(seq int) string
		wantLen         int // messages held after the last one
	}{
		{"by count", 64, 1 << 20, func(int) string { return "hi" }, 64},
		{"by bytes", 1000, 100, func(int) string { return "0123456789" }, 10},
		{"one message over the bytes", 1000, 5, func(int) string { return "0123456789" }, 1},
		{"long and short", 1000, 100, func(seq int) string { return strings.Repeat("x", 1+seq%40) }, -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := &hub{keep: tt.keep, keepBytes: tt.keepBytes, sent: map[string]uint64{}}
			const n = 5000
			for seq := 1; seq <= n; seq++ {
				h.remember(fmt.Sprintf("c%d/m%d", seq%7, seq), chat.Message{Seq: uint64(seq), Text: tt.text(seq)})
			}
			held := h.recent.len()
			if tt.wantLen >= 0 && held != tt.wantLen {
				t.Errorf("holds %d messages, want %d", held, tt.wantLen)
			}
			if held > tt.keep || held == 0 {
				t.Fatalf("holds %d messages, keep %d", held, tt.keep)
			}
			bytes := 0
			for i := range held {
				e := h.recent.at(i)
				bytes += len(e.msg.Text)
				if want := uint64(n - held + 1 + i); e.msg.Seq != want {
					t.Fatalf("message %d has seq %d, want %d (the newest, in order)", i, e.msg.Seq, want)
				}
				if key := fmt.Sprintf("c%d/m%d", e.msg.Seq%7, e.msg.Seq); e.key != key || h.sent[key] != e.msg.Seq {
					t.Fatalf("message %d (seq %d): key %q, sent[%q] = %d", i, e.msg.Seq, e.key, key, h.sent[key])
				}
			}
			if bytes != h.recent.text || (held > 1 && bytes > tt.keepBytes) {
				t.Errorf("holds %d bytes of text, counted %d, keepBytes %d", bytes, h.recent.text, tt.keepBytes)
			}
			if len(h.sent) != held {
				t.Errorf("%d keys in sent for %d messages", len(h.sent), held)
			}
		})
	}
}

// BenchmarkRemember is the memory window's cost per committed message,
// at its default size.
func BenchmarkRemember(b *testing.B) {
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("client-%d/m%d", i%10, i)
	}
	h := &hub{keep: DefaultKeep, keepBytes: DefaultKeepBytes, sent: map[string]uint64{}}
	text := strings.Repeat("x", 70)
	b.ReportAllocs()
	for i := range b.N {
		h.remember(keys[i&(len(keys)-1)], chat.Message{Seq: uint64(i + 1), ID: "m", From: "b1", Text: text})
	}
}
