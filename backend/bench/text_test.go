package bench

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
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

// benchMsg is benchmark message m as the host stamps it with seq.
func benchMsg(seq uint64, m msgRef) chat.Message {
	id := string(appendMsgID(nil, m.sender, m.seq))
	return chat.Message{Seq: seq, ID: id, From: id[:strings.IndexByte(id, '-')], Text: textOf(m.sender, m.seq, m.sent), TS: 1700000000000}
}

// nativeMsgs is the msgs frames Parley's host writes for msgs (one line
// each, without newlines).
func nativeMsgs(msgs ...chat.Message) []string {
	out := strings.Split(string(protocol.AppendMsgs(nil, msgs)), "\n")
	return out[:len(out)-1]
}

// rawMsgs writes a msgs frame by hand, with whatever items, for frames
// the host would not write.
func rawMsgs(seq string, items ...string) string {
	return `{"type":"msgs","seq":` + seq + `,"ts":1,"msgs":[` + strings.Join(items, ",") + `]}`
}

func rawItem(id, from, text string) string {
	return `{"id":"` + id + `","from":"` + from + `","text":"` + text + `"}`
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
	m25, m26, m31 := msgRef{2, 5, 4242}, msgRef{2, 6, 7}, msgRef{3, 1, 8}
	msgs := nativeMsgs(benchMsg(40, m25), benchMsg(41, m26), benchMsg(42, m31))[0]
	msg := func(seq uint64, m msgRef) received { return received{lineMessage, m, seq} }
	garbled := func(seq uint64) received { return received{kind: lineGarbled, seq: seq} }
	tests := []struct {
		name  string
		line  string
		want  lineKind
		items []received
	}{
		{"intact", nativeMsg(t, 40, id, "b2", text), lineMessage, []received{msg(40, m25)}},
		{"other key order", `{"type":"msg","ts":1,"text":"` + text + `","from":"b2","id":"b2-5","seq":41}`, lineMessage, []received{msg(41, m25)}},
		{"escaped text takes the slow path", `{"type":"msg","seq":9,"id":"b2-5","from":"b2","text":"` + strings.Replace(text, "#", `\u0023`, 1) + `","ts":1}`, lineMessage, []received{msg(9, m25)}},
		{"sync", nativeMsg(t, 3, "sync", "b0", syncText), lineSync, []received{{kind: lineSync, seq: 3}}},
		{"ping", `{"type":"ping"}`, linePing, nil},
		{"join", `{"type":"join","nick":"b9","ts":1}`, lineOther, nil},
		{"welcome (nested)", `{"type":"welcome","v":1,"room":{"id":"x","name":"y","host":"h"},"you":"b1","members":[{"nick":"h"}],"seq":0}`, lineOther, nil},
		{"unknown type", `{"type":"reaction","emoji":"x"}`, lineOther, nil},
		{"error frame", `{"type":"error","code":"slow_member","message":"member too slow to keep up"}`, lineError, nil},
		{"bye", `{"type":"bye","reason":"the host went away"}`, lineBye, nil},
		{"wrong sender", nativeMsg(t, 40, id, "b3", text), lineGarbled, []received{garbled(40)}},
		{"wrong id", nativeMsg(t, 40, "b2-6", "b2", text), lineGarbled, []received{garbled(40)}},
		{"damaged text", nativeMsg(t, 40, id, "b2", text[:len(text)-1]), lineGarbled, []received{garbled(40)}},
		{"msg without seq", `{"type":"msg","id":"b2-5","from":"b2","text":"` + text + `"}`, lineGarbled, nil},
		{"cut JSON", nativeMsg(t, 40, id, "b2", text)[:50], lineGarbled, nil},
		{"two frames on a line", `{"type":"ping"}{"type":"ping"}`, lineGarbled, nil},
		{"not JSON", "b2: " + text, lineGarbled, nil},
		{"empty", "", lineEmpty, nil},
		{"msgs", msgs, lineBatch, []received{msg(40, m25), msg(41, m26), msg(42, m31)}},
		{"msgs of one", rawMsgs("7", rawItem("b3-1", "b3", textOf(3, 1, 8))), lineBatch, []received{msg(7, m31)}},
		{"msgs with the sync message", rawMsgs("8", rawItem("b2-5", "b2", text), rawItem("sync", "b0", syncText)), lineBatch, []received{msg(8, m25), {kind: lineSync, seq: 9}}},
		{"msgs with one damaged", rawMsgs("8", rawItem("b2-5", "b3", text), rawItem("b2-5", "b2", text)), lineBatch, []received{garbled(8), msg(9, m25)}},
		{"msgs, other key order", `{"msgs":[` + rawItem("b2-5", "b2", text) + `],"ts":1,"seq":4,"type":"msgs"}`, lineBatch, []received{msg(4, m25)}},
		{"msgs without seq", `{"type":"msgs","ts":1,"msgs":[` + rawItem("b2-5", "b2", text) + `]}`, lineGarbled, nil},
		{"msgs, empty", rawMsgs("8"), lineGarbled, nil},
		{"msgs, seqs past 2^64-1", rawMsgs("18446744073709551615", rawItem("b2-5", "b2", text), rawItem("b2-5", "b2", text)), lineGarbled, nil},
		{"msgs cut", msgs[:len(msgs)-3], lineGarbled, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f nativeFrame
			got, items := parseNativeLine([]byte(tt.line), &f, nil, nil)
			if got != tt.want || !slices.Equal(items, tt.items) {
				t.Errorf("parseNativeLine(%q) = %v, %+v; want %v, %+v", tt.line, got, items, tt.want, tt.items)
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

// TestParseMsgsFrameReadsParleysFrames: the fast path takes the msgs
// frames Parley's host writes, and declines what the full parse must
// judge, leaving what it was given as it was.
func TestParseMsgsFrameReadsParleysFrames(t *testing.T) {
	a, b := msgRef{sender: 12, seq: 345, sent: 6789}, msgRef{sender: 3, seq: 0, sent: 1}
	before := []received{{kind: lineSync, seq: 1}}
	got, ok := parseMsgsFrame([]byte(nativeMsgs(benchMsg(77, a), benchMsg(78, b))[0]), before)
	if want := append(before, received{lineMessage, a, 77}, received{lineMessage, b, 78}); !ok || !slices.Equal(got, want) {
		t.Fatalf("parseMsgsFrame(Parley's frame) = %+v, %v; want %+v", got, ok, want)
	}
	text := textOf(12, 345, 6789)
	good := rawItem("b12-345", "b12", text)
	for name, line := range map[string]string{
		"wrong sender":  rawMsgs("77", good, rawItem("b12-345", "b13", text)),
		"wrong id":      rawMsgs("77", rawItem("b12-346", "b12", text), good),
		"cut text":      rawMsgs("77", good, rawItem("b12-345", "b12", text[1:])),
		"sync":          rawMsgs("77", good, rawItem("b0-1", "b0", syncText)),
		"leading zero":  rawMsgs("077", good),
		"trailing":      rawMsgs("77", good) + " ",
		"trailing item": rawMsgs("77", good) + ",",
		"empty":         rawMsgs("77"),
		"extra field":   strings.Replace(rawMsgs("77", good), `"}`, `","x":1}`, 1),
		"past 2^64-1":   rawMsgs("18446744073709551615", good, good),
		"no ts":         strings.Replace(rawMsgs("77", good), `"ts":1,`, "", 1),
	} {
		if got, ok := parseMsgsFrame([]byte(line), before); ok || !slices.Equal(got, before) {
			t.Errorf("%s: parseMsgsFrame(%q) = %+v, %v; want it declined", name, line, got, ok)
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

// FuzzParseLine: no received line makes the parsers panic, a line they
// accept as a message names a sender and carries its own text, and the
// fast paths agree with the full parse.
func FuzzParseLine(f *testing.F) {
	f.Add([]byte(legacyLine(3, 17, 123456789)))
	f.Add([]byte(legacyLine(3, 17, 1449928432))) // ten digits: parseSent's fast path
	f.Add([]byte(`{"type":"msg","seq":40,"id":"b2-5","from":"b2","text":"` + textOf(2, 5, 4242) + `","ts":1}`))
	f.Add([]byte(nativeMsgs(benchMsg(40, msgRef{2, 5, 4242}), benchMsg(41, msgRef{13, 0, 99}), benchMsg(42, msgRef{2, 6, 4243}))[0]))
	f.Add([]byte(rawMsgs("18446744073709551614", rawItem("b2-5", "b2", textOf(2, 5, 4242)), rawItem("b2-6", "b2", textOf(2, 6, 1)))))
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
		kind, items := parseFrame(line, &fr, nil, nil)
		if kind == lineMessage && (len(items) != 1 || string(fr.text) != textOf(items[0].msg.sender, items[0].msg.seq, items[0].msg.sent)) {
			t.Errorf("accepted text %q as %+v", fr.text, items)
		}
		if fm, fseq, ok := parseMsgFrame(line); ok && (kind != lineMessage || !slices.Equal(items, []received{{lineMessage, fm, fseq}})) {
			t.Errorf("parseMsgFrame(%q) = %+v, seq %d; the full parse: %v, %+v", line, fm, fseq, kind, items)
		}
		if fast, ok := parseMsgsFrame(line, nil); ok && (kind != lineBatch || !slices.Equal(fast, items)) {
			t.Errorf("parseMsgsFrame(%q) = %+v; the full parse: %v, %+v", line, fast, kind, items)
		}
	})
}

// FuzzParseMsgsFrame holds the msgs fast path to the full parse on frames
// the host could write, damaged in one byte: the fuzzer picks the first
// seq, the messages, and where the damage goes.
func FuzzParseMsgsFrame(f *testing.F) {
	f.Add(uint64(40), uint8(3), uint64(977), uint16(0), byte(0))
	f.Add(uint64(1<<64-2), uint8(2), uint64(5), uint16(30), byte('7'))
	f.Add(uint64(9), uint8(5), uint64(123456789), uint16(200), byte('"'))
	f.Fuzz(func(t *testing.T, seq uint64, n uint8, mix uint64, pos uint16, b byte) {
		var msgs []chat.Message
		for i := range int(n%16) + 2 {
			x := mix * uint64(i+1) * 0x9E3779B97F4A7C15
			sent := int64(x >> 4 & (1<<50 - 1))
			if i%2 == 0 {
				sent = 1e9 + sent%9e9 // ten digits, as 1 to 10 s into a run
			}
			msgs = append(msgs, benchMsg(seq+uint64(i), msgRef{sender: int(x % 1000), seq: x >> 40, sent: sent}))
		}
		line := []byte(nativeMsgs(msgs...)[0]) // a msg frame if the seqs wrap at once
		if b != 0 {
			line[int(pos)%len(line)] = b
		}
		var fr nativeFrame
		kind, items := parseFrame(line, &fr, nil, nil)
		fast, ok := parseMsgsFrame(line, nil)
		if ok && (kind != lineBatch || !slices.Equal(fast, items)) {
			t.Errorf("parseMsgsFrame(%q) = %+v; the full parse: %v, %+v", line, fast, kind, items)
		}
		// A first seq of 20 digits, which no room reaches, is left to the
		// full parse.
		if b == 0 && seq < 1e19 && bytes.HasPrefix(line, []byte(`{"type":"msgs",`)) && (!ok || len(fast) == 0) {
			t.Errorf("parseMsgsFrame declined the host's frame %q", line)
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
		{"0012/34567890", 0, "0012/34567890", false}, // not as strconv writes it
		{"00", 0, "00", false},
		{"0.5", 0, ".5", true},
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

// TestParseSentIsParseUint holds parseSent's ten-digit fast path to
// parseUint: every byte of a ten-digit time and the one after it, replaced
// by each byte that sits at a boundary of the digits, plus lengths around ten.
func TestParseSentIsParseUint(t *testing.T) {
	check := func(in []byte) {
		t.Helper()
		v, rest, ok := parseSent(in)
		wv, wrest, wok := parseUint(in)
		if v != wv || string(rest) != string(wrest) || ok != wok {
			t.Errorf("parseSent(%q) = %d, %q, %v; parseUint gives %d, %q, %v", in, v, rest, ok, wv, wrest, wok)
		}
	}
	base := []byte("1449928432.35f612c3")
	for i := range 11 {
		for _, c := range []byte{'0', '1', '9', '/', ':', '.', ' ', 'a', 0, 0x80, 0xff} {
			in := slices.Clone(base)
			in[i] = c
			check(in)
		}
	}
	for _, in := range []string{"1449928432", "1449928432.", "144992843.", "14499284321.", "9999999999.", "1000000000.", "0000000000."} {
		check([]byte(in))
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
// message, in each protocol's shape: a plain-text line, a msg frame, and
// msgs frames of 8 and 64 messages (ns/msg; B/msg is the bytes received
// per message). The messages vary as at saturation (ten senders, numbers
// of varying length), so that branches are not learnt.
func BenchmarkParseLine(b *testing.B) {
	var legacy, native [][]byte
	var msgs []chat.Message
	for i := range 1024 {
		s, q, t := i%10, uint64(i*977%100000), int64(1e9+i*1234567)
		legacy = append(legacy, []byte(legacyLine(s, q, t)))
		msgs = append(msgs, benchMsg(uint64(900000+i), msgRef{s, q, t}))
		native = append(native, protocol.AppendMsg(nil, msgs[i]))
	}
	b.Run("legacy", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if kind, _ := parseLegacyLine(legacy[i%len(legacy)]); kind != lineMessage {
				b.Fatal(kind)
			}
			i++
		}
		b.ReportMetric(bytesPerMsg(legacy, len(legacy))+1, "B/msg") // and a newline
	})
	b.Run("native", func(b *testing.B) {
		var f nativeFrame
		items := make([]received, 0, 64)
		i := 0
		for b.Loop() {
			line := native[i%len(native)]
			if kind, _ := parseNativeLine(line[:len(line)-1], &f, nil, items[:0]); kind != lineMessage {
				b.Fatal(kind)
			}
			i++
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/msg")
		b.ReportMetric(bytesPerMsg(native, len(msgs)), "B/msg")
	})
	for _, per := range []int{8, 64} {
		var frames [][]byte
		for chunk := range slices.Chunk(msgs, per) {
			frames = append(frames, protocol.AppendMsgs(nil, chunk))
		}
		b.Run(fmt.Sprintf("native-msgs-%d", per), func(b *testing.B) {
			var f nativeFrame
			items := make([]received, 0, 64)
			i := 0
			for b.Loop() {
				line := frames[i%len(frames)]
				kind, got := parseNativeLine(line[:len(line)-1], &f, nil, items[:0])
				if kind != lineBatch || len(got) != per {
					b.Fatal(kind, len(got))
				}
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*per), "ns/msg")
			b.ReportMetric(bytesPerMsg(frames, len(msgs)), "B/msg")
		})
	}
}

// bytesPerMsg is how many bytes lines (newlines included) take per message.
func bytesPerMsg(lines [][]byte, msgs int) float64 {
	n := 0
	for _, l := range lines {
		n += len(l)
	}
	return float64(n) / float64(msgs)
}
