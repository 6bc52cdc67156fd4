package server

import (
	"fmt"
	"github.com/parley-lan/parley/backend/chat"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/protocol"
)

// TestTutorialClient behaves exactly like the original Python client: its
// first recv must be exactly "NICK"; it answers with the bare nickname; it
// sends "nick: text" without a newline and prints whatever arrives.
func TestTutorialClient(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	alice.next() // own join

	carol := dialText(t, addr)
	if got := carol.recv(2 * time.Second); got != "NICK" {
		t.Fatalf("first recv = %q, want exactly NICK", got)
	}
	carol.write("carol")
	got := carol.recvUntil("Connected to")
	if !strings.Contains(got, "carol joined!") || !strings.Contains(got, `Connected to "Test Room"! In the room: alice, carol`) {
		t.Errorf("carol received %q", got)
	}
	if j, ok := alice.next().(protocol.Join); !ok || j.Nick != "carol" || !j.Legacy {
		t.Errorf("alice got %#v, want carol's legacy join", j)
	}

	carol.write("carol: hello from python")
	if m := alice.nextMsg(); m.From != "carol" || m.Text != "hello from python" || m.Seq == 0 {
		t.Errorf("alice got %+v, want carol's text without the prefix", m)
	}
	// A second write right after the first must stay a separate message.
	carol.write("carol: one")
	time.Sleep(200 * time.Millisecond)
	carol.write("carol: two")
	if a, b := alice.nextMsg(), alice.nextMsg(); a.Text != "one" || b.Text != "two" {
		t.Errorf("got %q, %q; want one, two", a.Text, b.Text)
	}

	alice.send(protocol.Send{ID: "m1", Text: "hi carol"})
	if got := carol.recvUntil("alice: hi carol"); strings.HasSuffix(got, "\n") {
		t.Errorf("tutorial client got %q; the original server sends no newline", got)
	}
	alice.send(protocol.Send{ID: "m2", Text: "Zoë says ☕"})
	carol.recvUntil("alice: Zoë says ☕")

	// Others' joins reach it as the original server wrote them: bare lines.
	join(t, addr, "dave")
	if got := carol.recvUntil("dave joined!"); strings.HasSuffix(got, "\n") {
		t.Errorf("tutorial client got %q; the original server sends no newline", got)
	}
}

// TestLineClient is a person at `nc host port`: newline-terminated lines.
func TestLineClient(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	alice.next()

	dave := dialText(t, addr)
	if got := dave.recv(2 * time.Second); got != "NICK" {
		t.Fatalf("first recv = %q, want NICK", got)
	}
	dave.write("dave\n")
	dave.recvUntil("Connected to")
	alice.next() // dave's join

	dave.write("first line\nsecond line\n")
	if a, b := alice.nextMsg(), alice.nextMsg(); a.Text != "first line" || b.Text != "second line" || a.From != "dave" {
		t.Errorf("got %+v, %+v", a, b)
	}
	dave.write("\n") // an empty line is not a message
	alice.send(protocol.Send{ID: "m1", Text: "two\nlines"})
	dave.recvUntil("alice: two\n    lines\n")
	alice.nextMsg() // her own
	dave.write("dave: typed my own prefix\n")
	if m := alice.nextMsg(); m.Text != "typed my own prefix" {
		t.Errorf("got %q, want the prefix stripped", m.Text)
	}
	// Dave does not get his own lines echoed back.
	alice.send(protocol.Send{ID: "m2", Text: "marker"})
	if got := dave.recvUntil("alice: marker"); strings.Contains(got, "dave:") {
		t.Errorf("dave's own line was echoed: %q", got)
	}
	alice.nextMsg() // her own
	dave.conn.Close()
	if l, ok := alice.next().(protocol.Leave); !ok || l.Nick != "dave" {
		t.Errorf("got %#v, want dave's leave", l)
	}
}

func TestLegacyNickRefused(t *testing.T) {
	_, addr := startServer(t, Config{})
	join(t, addr, "alice")
	tests := []struct{ answer, want string }{
		{"alice\n", "already in use"},
		{"Alice", "already in use"},
		{"a:b\n", "may not contain ':'"},
		{"bad\x07bell", "control character"},
	}
	for _, tt := range tests {
		p := dialText(t, addr)
		p.recv(2 * time.Second)
		p.write(tt.answer)
		if got := p.recvUntil("error:"); !strings.Contains(got, tt.want) {
			t.Errorf("answer %q: got %q, want %q", tt.answer, got, tt.want)
		}
	}
}

func TestLegacyLongLine(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	alice.next()
	p := dialText(t, addr)
	p.recv(2 * time.Second)
	p.write("eve\n")
	p.recvUntil("Connected")
	alice.next()
	p.write(strings.Repeat("x", 100<<10) + "\nshort\n")
	p.recvUntil("error: a message may be at most")
	if m := alice.nextMsg(); m.Text != "short" {
		t.Errorf("got %q after an over-long line, want short", m.Text)
	}
}

func TestNickListSumsUpBigRooms(t *testing.T) {
	var ms []chat.Member
	for i := range 25 {
		ms = append(ms, chat.Member{Nick: fmt.Sprint("m", i)})
	}
	if got, want := nickList(ms[:3], 20), "m0, m1, m2"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := nickList(ms, 20); !strings.HasPrefix(got, "m0, m1") || !strings.HasSuffix(got, "m19 and 5 others") {
		t.Errorf("got %q, want 20 names and 5 others", got)
	}
}

// TestAppendLegacyLine: a message's lines after the first are indented, and
// rendering into a buffer that already holds lines keeps them.
func TestAppendLegacyLine(t *testing.T) {
	for _, text := range []string{"", "hi", "a\nb", "a\n\nb\n", "\n", "one\ntwo\nthree"} {
		msg := chat.Message{From: "ann", Text: text}
		want := "ann: " + strings.ReplaceAll(text, "\n", "\n    ")
		if got := string(appendLegacyLine(nil, msg)); got != want {
			t.Errorf("appendLegacyLine(nil, %q) = %q, want %q", text, got, want)
		}
		if got := string(appendLegacyLine([]byte("x\n"), msg)); got != "x\n"+want {
			t.Errorf("appendLegacyLine(%q) = %q, want %q", text, got, "x\n"+want)
		}
	}
}

// TestLegacyBatch: a batch's lines are rendered once; a member who sent some
// of them gets the others, and a tutorial client each line alone.
func TestLegacyBatch(t *testing.T) {
	ann, bo := &member{nick: "ann"}, &member{nick: "bo"}
	l := legacyBatch{
		msgs: []chat.Message{
			{From: "ann", Text: "hi"}, {From: "bo", Text: "two\nlines"}, {From: "ann", Text: "bye"},
		},
		senders: []*member{ann, bo, ann},
	}
	l.prepare()
	if got, want := string(l.linesFor(&member{})), "ann: hi\nbo: two\n    lines\nann: bye\n"; got != want {
		t.Errorf("everyone's lines = %q, want %q", got, want)
	}
	if got, want := string(l.linesFor(ann)), "bo: two\n    lines\n"; got != want {
		t.Errorf("ann's lines = %q, want %q", got, want)
	}
	if got, want := string(l.linesFor(bo)), "ann: hi\nann: bye\n"; got != want {
		t.Errorf("bo's lines = %q, want %q", got, want)
	}
	for i, want := range []string{"ann: hi", "bo: two\n    lines", "ann: bye"} {
		if got := string(l.line(i)); got != want {
			t.Errorf("line(%d) = %q, want %q", i, got, want)
		}
	}
}
