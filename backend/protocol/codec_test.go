package protocol

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-lan/parley/backend/chat"
)

// roundTrips are frames that must survive Encode then Decode unchanged.
var roundTrips = []Frame{
	Hello{V: Version, Nick: "alice", ClientID: "c1"},
	Hello{V: Version, Nick: "Zoë 🦊", ClientID: "abc-123", ResumeFrom: ptr(42), HostToken: "t0k"},
	Hello{V: Version, Nick: "back", ClientID: "c2", ResumeFrom: ptr(0)}, // resuming from 0 is not joining afresh
	Hello{V: Version, Nick: "reader", ClientID: "c3", Batch: true},
	Welcome{V: Version, Room: chat.Room{ID: "0123456789abcdef", Name: "Café Room", Host: "alice"}, You: "bob",
		Members: []chat.Member{{Nick: "alice", Host: true}, {Nick: "old", Legacy: true}}, Seq: 1},
	Send{ID: "m2", Text: `quotes " and \ and <b>tags</b>`},
	Send{ID: "m3", Text: ""},
	Send{ID: "m4", Text: "again", Resend: true},
	GetHistory{Before: 300, Limit: 100},
	History{Before: 300, Messages: []chat.Message{{Seq: 299, ID: "x", From: "a", Text: "old", TS: 1}}, More: true},
	Msg{chat.Message{Seq: 7, ID: "m2", From: "bob", Text: "會議 🎉", TS: 1700000000001}},
	Msgs{Seq: 8, TS: 1700000000002, Msgs: []MsgItem{{ID: "m3", From: "bob", Text: "one"}, {ID: "x9", From: "Zoë", Text: `<"two">` + "\n"}, {ID: "", From: "old", Text: ""}}},
	Msgs{Seq: 1<<64 - 1, TS: -5, Msgs: []MsgItem{{ID: "last", From: "a", Text: "the very last seq"}}},
	Join{Member: chat.Member{Nick: "carol", Legacy: true}, TS: 5},
	Leave{Nick: "carol", TS: 6},
	Ping{},
	Pong{},
	Error{Code: chat.CodeNickTaken, Message: `"bob" is already in the room`},
	Bye{Reason: "host left"},
	Bye{Reason: "closed", Closed: true},
}

func ptr(n uint64) *uint64 { return &n }

func TestRoundTrip(t *testing.T) {
	for _, f := range roundTrips {
		line, err := Encode(f)
		if err != nil {
			t.Fatalf("Encode(%#v): %v", f, err)
		}
		if !strings.HasPrefix(string(line), `{"type":"`+f.Type()+`"`) || !strings.HasSuffix(string(line), "}\n") {
			t.Errorf("Encode(%#v) = %q, want a type-first JSON line", f, line)
		}
		if strings.Count(string(line), "\n") != 1 {
			t.Errorf("Encode(%#v) = %q, want exactly one newline", f, line)
		}
		got, err := Decode(line[:len(line)-1])
		if err != nil {
			t.Fatalf("Decode(%q): %v", line, err)
		}
		want := f
		if w, ok := f.(Welcome); ok && w.Members == nil {
			want = w
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round trip of %T (-want +got):\n%s", f, diff)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		line string
		want error
	}{
		{``, chat.ErrBadFrame},
		{`not json`, chat.ErrBadFrame},
		{`[1,2]`, chat.ErrBadFrame},
		{`{}`, chat.ErrBadFrame},
		{`{"type":""}`, chat.ErrBadFrame},
		{`{"type":"hello","nick":"a","client_id":"c"}`, chat.ErrBadFrame},            // no version
		{`{"type":"hello","v":1,"client_id":"c"}`, chat.ErrBadFrame},                 // no nick
		{`{"type":"hello","v":1,"nick":"a","client_id":"bad id"}`, chat.ErrBadFrame}, // bad client id
		{`{"type":"send","id":"m1"}`, chat.ErrBadFrame},                              // no text
		{`{"type":"send","text":"x"}`, chat.ErrBadFrame},                             // no id
		{`{"type":"msg","seq":0,"from":"a","text":"x"}`, chat.ErrBadFrame},
		{`{"type":"msgs","seq":1,"ts":1,"msgs":[]}`, chat.ErrBadFrame},                                 // empty
		{`{"type":"msgs","seq":1,"ts":1}`, chat.ErrBadFrame},                                           // no msgs
		{`{"type":"msgs","seq":0,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"}]}`, chat.ErrBadFrame}, // seq 0
		{`{"type":"msgs","ts":1,"msgs":[{"id":"a","from":"b","text":"c"}]}`, chat.ErrBadFrame},         // no seq
		{`{"type":"msgs","seq":18446744073709551615,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"},{"id":"d","from":"b","text":"e"}]}`, chat.ErrBadFrame}, // past 2^64-1
		{`{"type":"msgs","seq":1,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"},{"id":"d","from":"","text":"e"}]}`, chat.ErrBadFrame},                     // no from
		{`{"type":"msgs","seq":1,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"},{"id":"d","from":"b"}]}`, chat.ErrBadFrame},                               // no text
		{`{"type":"msgs","seq":1,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"},5]}`, chat.ErrBadFrame},
		{`{"type":"join"}`, chat.ErrBadFrame},
		{`{"type":"get_history","before":0,"limit":10}`, chat.ErrBadFrame},
		{`{"type":"get_history","before":10,"limit":0}`, chat.ErrBadFrame},
		{`{"type":"error","message":"x"}`, chat.ErrBadFrame},
		{`{"type":"send","id":"m1","text":5}`, chat.ErrBadFrame},
		{`{"type":"ping"} trailing`, chat.ErrBadFrame},
		{strings.Repeat("x", MaxFrame+1), chat.ErrTooLarge},
	}
	for _, tt := range tests {
		_, err := Decode([]byte(tt.line))
		if !errors.Is(err, tt.want) {
			short := tt.line
			if len(short) > 60 {
				short = short[:60] + "…"
			}
			t.Errorf("Decode(%q) error = %v, want %v", short, err, tt.want)
		}
	}
}

// TestHelloIgnoresUnknownFields: a hello from a newer client, with fields
// this version does not know, is accepted; that is how batch reached hosts
// that predate it, and how later fields will.
func TestHelloIgnoresUnknownFields(t *testing.T) {
	f, err := Decode([]byte(`{"type":"hello","v":1,"nick":"a","client_id":"c1","batch":true,"future":{"x":[1,"y"]},"later":null}`))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if got, want := f, (Hello{V: 1, Nick: "a", ClientID: "c1", Batch: true}); cmp.Diff(want, got) != "" {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestMsgsMessage(t *testing.T) {
	f := Msgs{Seq: 41, TS: 77, Msgs: []MsgItem{{ID: "a", From: "x", Text: "1"}, {ID: "b", From: "y", Text: "2"}}}
	want := []chat.Message{{Seq: 41, ID: "a", From: "x", Text: "1", TS: 77}, {Seq: 42, ID: "b", From: "y", Text: "2", TS: 77}}
	for i, w := range want {
		if got := f.Message(i); got != w {
			t.Errorf("Message(%d) = %+v, want %+v", i, got, w)
		}
	}
}

func TestDecodeUnknownType(t *testing.T) {
	f, err := Decode([]byte(`{"type":"reaction","emoji":"👍"}`))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if got, want := f, (Unknown{Name: "reaction"}); got != want {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestEncodeTooLarge(t *testing.T) {
	_, err := Encode(Send{ID: "m1", Text: strings.Repeat("a", MaxFrame)})
	if !errors.Is(err, chat.ErrTooLarge) {
		t.Errorf("Encode of a huge send: error = %v, want ErrTooLarge", err)
	}
}

func TestErrorFrame(t *testing.T) {
	got := ErrorFrame(chat.Errorf(chat.CodeNickTaken, "taken"))
	if want := (Error{Code: chat.CodeNickTaken, Message: "taken"}); got != want {
		t.Errorf("got %#v, want %#v", got, want)
	}
	if got := ErrorFrame(errors.New("boom")); got.Code != chat.CodeBadFrame {
		t.Errorf("ErrorFrame(plain error).Code = %q, want %q", got.Code, chat.CodeBadFrame)
	}
}

// FuzzDecode checks that no input panics the decoder and that whatever it
// accepts encodes and decodes to the same frame.
func FuzzDecode(f *testing.F) {
	for _, fr := range roundTrips {
		line, _ := Encode(fr)
		f.Add(line[:len(line)-1])
	}
	f.Add([]byte(`{"type":"hello","v":1,"nick":"\u0000","client_id":"x"}`))
	f.Add([]byte(`{"type":"msg","seq":18446744073709551615,"from":"a","text":"\ud800"}`))
	f.Add([]byte(`{"type":"msgs","seq":18446744073709551614,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"},{"id":"d","from":"e","text":"\u00e9"}]}`))
	f.Add([]byte(`{"type":"msgs","seq":3,"ts":1,"msgs":[{"id":"a","from":"b","text":"c","id":"z"}]}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		fr, err := Decode(line)
		slow, slowErr := decodeJSON(line)
		if (err == nil) != (slowErr == nil) || (err == nil && cmp.Diff(fr, slow) != "") {
			t.Fatalf("fast path disagrees with encoding/json on %q:\n fast %#v, %v\n json %#v, %v", line, fr, err, slow, slowErr)
		}
		if err != nil {
			return
		}
		if _, ok := fr.(Unknown); ok {
			return
		}
		again, err := Encode(fr)
		if err != nil {
			return // a frame near the size limit may grow when re-escaped
		}
		fr2, err := Decode(again[:len(again)-1])
		if err != nil {
			t.Fatalf("re-decode of %q: %v", again, err)
		}
		if diff := cmp.Diff(fr, fr2); diff != "" {
			t.Fatalf("unstable round trip (-first +second):\n%s", diff)
		}
	})
}
