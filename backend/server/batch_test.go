package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// sendAll writes sends for texts in one write, so the host reads them
// together and commits them as one batch.
func (p *peer) sendAll(idPrefix string, texts ...string) {
	p.t.Helper()
	var b []byte
	for i, text := range texts {
		line, err := protocol.Encode(protocol.Send{ID: fmt.Sprintf("%s%d", idPrefix, i), Text: text})
		if err != nil {
			p.t.Fatal(err)
		}
		b = append(b, line...)
	}
	p.write(string(b))
}

// TestMixedRoomGetsTheSameMessages: a member that reads msgs frames, one
// that does not ask for them (a client older than them), and a plain-text
// member share a room. Each gets the same messages in the same order, in
// its own encoding: msgs frames only for the one that asked, acks
// included, msg frames for the other, lines for the plain-text one.
func TestMixedRoomGetsTheSameMessages(t *testing.T) {
	_, addr := startServer(t, Config{})
	batch, _ := joinBatch(t, addr, "batch")
	plain, _ := join(t, addr, "plain")
	text := dialText(t, addr)
	text.recvUntil("NICK")
	text.write("texty\n") // nc style
	text.recvUntil("In the room:")

	const each = 8
	var texts []string
	for i := range each {
		texts = append(texts, fmt.Sprintf("message %d", i))
	}
	// One sender after the other, so that the order is known.
	var got [2][]chat.Message
	receive := func() {
		t.Helper()
		for i, p := range []*peer{batch, plain} {
			for range each {
				got[i] = append(got[i], p.nextMsg())
			}
		}
	}
	batch.sendAll("b", texts...)
	receive()
	plain.sendAll("p", texts...)
	receive()
	text.write(strings.Join(texts, "\n") + "\n")
	receive()
	if diff := cmp.Diff(got[0], got[1]); diff != "" {
		t.Errorf("the two native members got different messages (-batch +plain):\n%s", diff)
	}
	for i, m := range got[0] {
		from := []string{"batch", "plain", "texty"}[i/each]
		if want := texts[i%each]; m.Seq != uint64(i+1) || m.From != from || m.Text != want {
			t.Errorf("message %d = %+v, want seq %d from %s: %q", i, m, i+1, from, want)
		}
	}
	var lines []string
	for i := range texts {
		lines = append(lines, "batch: "+texts[i])
	}
	for i := range texts {
		lines = append(lines, "plain: "+texts[i])
	}
	want := strings.Join(lines, "\n") + "\n"
	if got := text.recvUntil(want); !strings.HasSuffix(got, want) {
		t.Errorf("the plain-text member got %q, want it to end with %q", got, want)
	}
	// On the wire: msgs frames for the member that asked, its own
	// messages' acks among them (a message alone in its batch comes as
	// msg); msg frames for the other.
	if batch.frames["msgs"] == 0 || batch.frames["msgs"]+batch.frames["msg"] >= 3*each {
		t.Errorf("the batch member got %v, want msgs frames, several messages to a frame", batch.frames)
	}
	if plain.frames["msgs"] != 0 || plain.frames["msg"] != 3*each {
		t.Errorf("the other native member got %v, want %d msg frames and no msgs", plain.frames, 3*each)
	}
}

// TestBatchMemberGetsHistoryAndRepeatsAsMsg: what is not the live stream
// stays in msg frames for a member that reads msgs frames: the history
// after its welcome, a history page, and the answer to a repeated send;
// and so does a message that would be alone in a msgs frame.
func TestBatchMemberGetsHistoryAndRepeatsAsMsg(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	alice.sendAll("a", "one", "two", "three")
	for range 3 {
		alice.nextMsg()
	}
	// A newer client's hello: batch, and a field no host knows yet.
	p := dialPeer(t, addr)
	p.write(`{"type":"hello","v":1,"nick":"bob","client_id":"bob-1","batch":true,"from_the_future":{"x":[1]}}` + "\n")
	if w, ok := p.next().(protocol.Welcome); !ok || w.Seq != 3 {
		t.Fatalf("got %#v, want a welcome at seq 3", w)
	}
	for i := range 3 {
		if f, ok := p.next().(protocol.Msg); !ok || f.Seq != uint64(i+1) {
			t.Fatalf("history: got %#v, want a msg with seq %d", f, i+1)
		}
	}
	p.sendAll("b", "mine", "also mine")
	var ack protocol.Msgs
	for {
		f := p.next()
		if m, ok := f.(protocol.Msgs); ok {
			ack = m
			break
		}
		if f.Type() != "join" {
			t.Fatalf("got %#v, want my messages back in a msgs frame", f)
		}
	}
	if want := (protocol.Msgs{Seq: 4, TS: ack.TS, Msgs: []protocol.MsgItem{{ID: "b0", From: "bob", Text: "mine"}, {ID: "b1", From: "bob", Text: "also mine"}}}); cmp.Diff(want, ack) != "" {
		t.Errorf("ack = %#v, want %#v", ack, want)
	}
	p.send(protocol.Send{ID: "b1", Text: "also mine", Resend: true})
	if f, ok := p.next().(protocol.Msg); !ok || f.Seq != 5 || f.ID != "b1" {
		t.Errorf("repeat answered with %#v, want the original as a msg frame", f)
	}
	alice.send(protocol.Send{ID: "a9", Text: "alone"})
	if f, ok := p.next().(protocol.Msg); !ok || f.Seq != 6 {
		t.Errorf("got %#v, want a message alone in its batch as a msg frame (shorter)", f)
	}
	p.send(protocol.GetHistory{Before: 3, Limit: 10})
	if f, ok := p.next().(protocol.History); !ok || len(f.Messages) != 2 {
		t.Errorf("got %#v, want a history page of 2", f)
	}
}

// TestEncodeBatchOnlyWhatIsNeeded: a batch is encoded in the encodings its
// members read, and only those.
func TestEncodeBatchOnlyWhatIsNeeded(t *testing.T) {
	native := &member{style: styleNative}
	batch := &member{style: styleNative, batch: true}
	text := &member{style: styleLines, legacy: true}
	msgs := []chat.Message{{Seq: 1, ID: "a", From: "x", Text: "one", TS: 5}, {Seq: 2, ID: "b", From: "x", Text: "two", TS: 5}}
	tests := []struct {
		name            string
		to              []*member
		msg, msgs, text bool
	}{
		{"nobody", nil, false, false, false},
		{"msg frames", []*member{native}, true, false, false},
		{"msgs frames", []*member{batch}, false, true, false},
		{"text", []*member{text}, false, false, true},
		{"all three", []*member{text, batch, native}, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := encodeBatch(outBatch{msgs: msgs, senders: []*member{nil, nil}, to: tt.to})
			if got := enc.msg != nil; got != tt.msg {
				t.Errorf("msg frames encoded: %v, want %v", got, tt.msg)
			}
			if got := enc.msgs != nil; got != tt.msgs {
				t.Errorf("msgs frames encoded: %v, want %v", got, tt.msgs)
			}
			if got := enc.lines.shared != nil; got != tt.text {
				t.Errorf("lines encoded: %v, want %v", got, tt.text)
			}
			if tt.msg && string(enc.msg) != string(protocol.AppendMsg(protocol.AppendMsg(nil, msgs[0]), msgs[1])) {
				t.Errorf("msg frames = %q", enc.msg)
			}
			if tt.msgs && string(enc.msgs) != string(protocol.AppendMsgs(nil, msgs)) {
				t.Errorf("msgs frames = %q", enc.msgs)
			}
		})
	}
}

// TestLongestTextsReachEveryone: a message of the longest allowed text,
// made of the characters whose JSON escapes are longest, still fits one
// frame, so members that read msg frames and members that read msgs frames
// get it (and two of them sent together) rather than a line too long to
// read.
func TestLongestTextsReachEveryone(t *testing.T) {
	_, addr := startServer(t, Config{})
	batch, _ := joinBatch(t, addr, "batch")
	plain, _ := join(t, addr, "plain")
	for u, unit := range []string{"<", ">", "&", `"`, `\`, "\u2028", "\t"} {
		// Ends in a letter: trailing white space (tab, U+2028) is trimmed.
		text := strings.Repeat(unit, (chat.MaxTextBytes-1)/len(unit)) + "x"
		plain.sendAll(fmt.Sprintf("w%d-", u), text, text)
		for name, p := range map[string]*peer{"batch": batch, "plain": plain} {
			for i := range 2 {
				if got := p.nextMsg(); got.Text != text {
					t.Fatalf("%s, message %d of %q: got %d bytes of text, want %d", name, i, unit, len(got.Text), len(text))
				}
			}
		}
	}
}
