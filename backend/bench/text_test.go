package bench

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

func legacyLine(s int, q uint64, t int64) string {
	return strings.TrimSuffix(string(appendLegacyLine(nil, msgRef{sender: s, seq: q, sent: t})), "\n")
}

func textOf(s int, q uint64, t int64) string {
	return string(appendText(nil, msgRef{sender: s, seq: q, sent: t}))
}

// nativeMsg is a msg frame exactly as Parley's host encodes it.
func nativeMsg(t testing.TB, seq uint64, id, from, text string) string {
	t.Helper()
	b, err := protocol.Encode(protocol.Msg{Message: chat.Message{Seq: seq, ID: id, From: from, Text: text, TS: 1700000000000}})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

func TestTextRoundTrip(t *testing.T) {
	for _, m := range []msgRef{{0, 0, 0}, {7, 12345, 987654321}, {999, 1 << 40, 1 << 61}} {
		got, ok := parseText(appendText(nil, m))
		if !ok || got != m {
			t.Errorf("parseText(appendText(%+v)) = %+v, %v", m, got, ok)
		}
	}
}

func TestParseLegacyLine(t *testing.T) {
	good := legacyLine(3, 17, 123456789)
	text := textOf(3, 17, 123456789)
	other := legacyLine(4, 2, 555)
	tests := []struct {
		name string
		line string
		want lineKind
		msg  msgRef
	}{
		{"intact", good, lineMessage, msgRef{3, 17, 123456789}},
		{"intact with CR", good + "\r", lineMessage, msgRef{3, 17, 123456789}},
		{"empty", "", lineEmpty, msgRef{}},
		{"sync", "b0: " + syncText, lineSync, msgRef{}},
		{"sync after tutorial chatter", "Connected to server!b1\n joined!b0: " + syncText, lineSync, msgRef{}},
		{"presence", "b12 joined!", lineOther, msgRef{}},
		{"leave", "b12 left!", lineOther, msgRef{}},
		{"greeting", `Connected to "bench"! In the room: host, b0, b1`, lineOther, msgRef{}},
		{"host error", "error: you fell too far behind and were disconnected; reconnect to continue", lineError, msgRef{}},
		{"truncated", good[:len(good)-3], lineGarbled, msgRef{}},
		{"one byte more", good + "x", lineGarbled, msgRef{}},
		{"spliced with another message", good[:20] + other[15:], lineGarbled, msgRef{}},
		{"two messages on one line", good + other, lineGarbled, msgRef{}},
		{"tail of a cut message", good[25:], lineGarbled, msgRef{}},
		{"wrong sender nick", "b4: " + text, lineGarbled, msgRef{}},
		{"wrong checksum", strings.Replace(good, ".", ".1", 3), lineGarbled, msgRef{}},
		{"filler damaged", strings.Replace(good, "lazy", "lazz", 1), lineGarbled, msgRef{}},
		{"presence with a message glued on", "b12 joined!" + good, lineGarbled, msgRef{}},
		{"unknown chatter", "hello there", lineGarbled, msgRef{}},
		{"prefixed twice", "b3: " + good, lineGarbled, msgRef{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := tt.line
			if i := strings.LastIndexByte(line, '\n'); i >= 0 {
				line = line[i+1:] // a reader hands over one line at a time
			}
			got, msg := parseLegacyLine([]byte(line))
			if got != tt.want || msg != tt.msg {
				t.Errorf("parseLegacyLine(%q) = %v, %+v; want %v, %+v", line, got, msg, tt.want, tt.msg)
			}
		})
	}
}

// TestParseLegacyMsgReadsHostsLines: the fast path takes the lines the
// hosts relay, and declines what the full parse must judge.
func TestParseLegacyMsgReadsHostsLines(t *testing.T) {
	want := msgRef{sender: 3, seq: 17, sent: 123456789}
	if got, ok := parseLegacyMsg([]byte(legacyLine(3, 17, 123456789))); !ok || got != want {
		t.Fatalf("parseLegacyMsg(a host's line) = %+v, %v; want %+v", got, ok, want)
	}
	for _, line := range []string{
		"b03: " + textOf(3, 17, 123456789), // the full parse reads b03 as b3
		"b4: " + textOf(3, 17, 123456789),
		legacyLine(3, 17, 123456789) + "\r",
		"b0: " + syncText,
	} {
		if _, ok := parseLegacyMsg([]byte(line)); ok {
			t.Errorf("parseLegacyMsg(%q) accepted it", line)
		}
	}
}

func TestParseNativeLine(t *testing.T) {
	text := textOf(2, 5, 4242)
	id := "b2-5"
	tests := []struct {
		name    string
		line    string
		want    lineKind
		msg     msgRef
		wantSeq uint64
	}{
		{"intact", nativeMsg(t, 40, id, "b2", text), lineMessage, msgRef{2, 5, 4242}, 40},
		{"other key order", `{"type":"msg","ts":1,"text":"` + text + `","from":"b2","id":"b2-5","seq":41}`, lineMessage, msgRef{2, 5, 4242}, 41},
		{"escaped text takes the slow path", `{"type":"msg","seq":9,"id":"b2-5","from":"b2","text":"` + strings.Replace(text, "#", `\u0023`, 1) + `","ts":1}`, lineMessage, msgRef{2, 5, 4242}, 9},
		{"sync", nativeMsg(t, 3, "sync", "b0", syncText), lineSync, msgRef{}, 3},
		{"ping", `{"type":"ping"}`, linePing, msgRef{}, 0},
		{"join", `{"type":"join","nick":"b9","ts":1}`, lineOther, msgRef{}, 0},
		{"welcome (nested)", `{"type":"welcome","v":1,"room":{"id":"x","name":"y","host":"h"},"you":"b1","members":[{"nick":"h"}],"seq":0}`, lineOther, msgRef{}, 0},
		{"unknown type", `{"type":"reaction","emoji":"x"}`, lineOther, msgRef{}, 0},
		{"error frame", `{"type":"error","code":"slow_member","message":"member too slow to keep up"}`, lineError, msgRef{}, 0},
		{"bye", `{"type":"bye","reason":"the host went away"}`, lineBye, msgRef{}, 0},
		{"wrong sender", nativeMsg(t, 40, id, "b3", text), lineGarbled, msgRef{}, 40},
		{"wrong id", nativeMsg(t, 40, "b2-6", "b2", text), lineGarbled, msgRef{}, 40},
		{"damaged text", nativeMsg(t, 40, id, "b2", text[:len(text)-1]), lineGarbled, msgRef{}, 40},
		{"msg without seq", `{"type":"msg","id":"b2-5","from":"b2","text":"` + text + `"}`, lineGarbled, msgRef{}, 0},
		{"cut JSON", nativeMsg(t, 40, id, "b2", text)[:50], lineGarbled, msgRef{}, 0},
		{"two frames on a line", `{"type":"ping"}{"type":"ping"}`, lineGarbled, msgRef{}, 0},
		{"not JSON", "b2: " + text, lineGarbled, msgRef{}, 0},
		{"empty", "", lineEmpty, msgRef{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f nativeFrame
			got, msg, seq := parseNativeLine([]byte(tt.line), &f, nil)
			if got != tt.want || msg != tt.msg || seq != tt.wantSeq {
				t.Errorf("parseNativeLine(%q) = %v, %+v, seq %d; want %v, %+v, seq %d", tt.line, got, msg, seq, tt.want, tt.msg, tt.wantSeq)
			}
		})
	}
}

// TestParseMsgFrameReadsParleysFrames: the fast path takes the frames
// Parley's host writes, and declines what the full parse must judge.
func TestParseMsgFrameReadsParleysFrames(t *testing.T) {
	m := msgRef{sender: 12, seq: 345, sent: 6789}
	frame := func(seq uint64, id, from, text string) []byte { return []byte(nativeMsg(t, seq, id, from, text)) }
	got, seq, ok := parseMsgFrame(frame(77, "b12-345", "b12", textOf(12, 345, 6789)))
	if !ok || got != m || seq != 77 {
		t.Fatalf("parseMsgFrame(Parley's frame) = %+v, seq %d, %v; want %+v, seq 77", got, seq, ok, m)
	}
	for name, line := range map[string][]byte{
		"wrong sender": frame(77, "b12-345", "b13", textOf(12, 345, 6789)),
		"wrong id":     frame(77, "b12-346", "b12", textOf(12, 345, 6789)),
		"cut text":     frame(77, "b12-345", "b12", textOf(12, 345, 6789)[1:]),
		"sync":         frame(77, "b0-1", "b0", syncText),
		"leading zero": frame(77, "b012-345", "b012", "#0"+textOf(12, 345, 6789)[1:]),
		"trailing":     append(frame(77, "b12-345", "b12", textOf(12, 345, 6789)), ' '),
	} {
		if _, _, ok := parseMsgFrame(line); ok {
			t.Errorf("%s: parseMsgFrame(%q) accepted it", name, line)
		}
	}
}

// TestSendFrameIsWhatParleyReads: the generator's send frames decode as
// the host decodes them.
func TestSendFrameIsWhatParleyReads(t *testing.T) {
	m := msgRef{sender: 7, seq: 99, sent: 123}
	b := appendSendFrame(nil, m)
	f, err := protocol.Decode(bytes.TrimSuffix(b, []byte("\n")))
	if err != nil {
		t.Fatalf("Decode(%q): %v", b, err)
	}
	send, ok := f.(protocol.Send)
	if !ok || send.ID != "b7-99" || send.Text != textOf(7, 99, 123) {
		t.Errorf("decoded %#v", f)
	}
	if _, err := chat.CleanText(send.Text); err != nil {
		t.Errorf("the host would refuse the text: %v", err)
	}
}

func TestParseNick(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{{"b0", 0, true}, {"b123", 123, true}, {"b", 0, false}, {"x1", 0, false}, {"b1x", 0, false}, {"b-1", 0, false}} {
		got, ok := parseNick([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseNick(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseLine: no received line makes the parsers panic, and a line
// they accept as a message names a sender and carries its own text.
func FuzzParseLine(f *testing.F) {
	f.Add([]byte(legacyLine(3, 17, 123456789)))
	f.Add([]byte(`{"type":"msg","seq":40,"id":"b2-5","from":"b2","text":"` + textOf(2, 5, 4242) + `","ts":1}`))
	f.Add([]byte(`{"type":"ping"}`))
	f.Add([]byte("b12 joined!"))
	f.Fuzz(func(t *testing.T, line []byte) {
		if m, ok := parseLegacyMsg(line); ok {
			if kind, full := parseLegacyOther(line); kind != lineMessage || full != m {
				t.Errorf("parseLegacyMsg(%q) = %+v; the full parse: %v, %+v", line, m, kind, full)
			}
		}
		if kind, m := parseLegacyLine(line); kind == lineMessage {
			if want := legacyLine(m.sender, m.seq, m.sent); string(bytes.TrimSuffix(line, []byte("\r"))) != want {
				t.Errorf("accepted %q as %+v, which would be %q", line, m, want)
			}
		}
		var fr nativeFrame
		kind, m, seq := parseFrame(line, &fr, nil)
		if kind == lineMessage && string(fr.text) != textOf(m.sender, m.seq, m.sent) {
			t.Errorf("accepted text %q as %+v", fr.text, m)
		}
		if fm, fseq, ok := parseMsgFrame(line); ok && (kind != lineMessage || fm != m || fseq != seq) {
			t.Errorf("parseMsgFrame(%q) = %+v, seq %d; the full parse: %v, %+v, seq %d", line, fm, fseq, kind, m, seq)
		}
	})
}

func TestParseUint(t *testing.T) {
	for _, tt := range []struct {
		in   string
		v    uint64
		rest string
		ok   bool
	}{
		{"0", 0, "", true},
		{"123.x", 123, ".x", true},
		{"9999999999999999999", 9999999999999999999, "", true}, // 19 digits
		{"12345678901234567890", 0, "12345678901234567890", false},
		{"", 0, "", false},
		{"x1", 0, "x1", false},
		{"1449928432.35f612c3 the", 1449928432, ".35f612c3 the", true},
		{"12345678", 12345678, "", true},
		{"12345678 the quick", 12345678, " the quick", true},
		{"1234567890123456 brown", 1234567890123456, " brown", true},
		{"12345678901234567:fox", 12345678901234567, ":fox", true},
		{"0012/34567890", 12, "/34567890", true},
		{"7\xff\xff\xff\xff\xff\xff\xff\xff", 7, "\xff\xff\xff\xff\xff\xff\xff\xff", true},
		{"9999999999999999999 lazy dog", 9999999999999999999, " lazy dog", true},
		{"12345678901234567890 lazy dog", 0, "12345678901234567890 lazy dog", false},
		{"123456789012345678901234 dog", 0, "123456789012345678901234 dog", false},
		{".12345678", 0, ".12345678", false},
	} {
		v, rest, ok := parseUint([]byte(tt.in))
		if v != tt.v || string(rest) != tt.rest || ok != tt.ok {
			t.Errorf("parseUint(%q) = %d, %q, %v; want %d, %q, %v", tt.in, v, rest, ok, tt.v, tt.rest, tt.ok)
		}
	}
}

func TestHexWord(t *testing.T) {
	for _, c := range []uint32{0, 9, 10, 0xf, 0x35f612c3, 0xabcdef01, 0x90000009, math.MaxUint32} {
		var got [8]byte
		binary.LittleEndian.PutUint64(got[:], hexWord(c))
		if want := fmt.Sprintf("%08x", c); string(got[:]) != want {
			t.Errorf("hexWord(%#x) = %q, want %q", c, got, want)
		}
	}
}

// BenchmarkParseLine is what the generator spends checking one received
// message, in each protocol's shape. The lines vary as at saturation (ten
// senders, numbers of varying length), so that branches are not learnt.
func BenchmarkParseLine(b *testing.B) {
	var legacy, native [][]byte
	for i := range 1024 {
		s, q, t := i%10, uint64(i*977%100000), int64(1e9+i*1234567)
		legacy = append(legacy, []byte(legacyLine(s, q, t)))
		id := string(appendMsgID(nil, s, q))
		native = append(native, []byte(nativeMsg(b, uint64(900000+i), id, id[:strings.IndexByte(id, '-')], textOf(s, q, t))))
	}
	b.Run("legacy", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if kind, _ := parseLegacyLine(legacy[i%len(legacy)]); kind != lineMessage {
				b.Fatal(kind)
			}
			i++
		}
	})
	b.Run("native", func(b *testing.B) {
		var f nativeFrame
		i := 0
		for b.Loop() {
			if kind, _, _ := parseNativeLine(native[i%len(native)], &f, nil); kind != lineMessage {
				b.Fatal(kind)
			}
			i++
		}
	})
}
