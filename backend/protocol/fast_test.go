package protocol

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-lan/parley/backend/chat"
)

// jsonMsg is how encoding/json writes a msg frame (without HTML
// escaping, as Encode does).
func jsonMsg(m chat.Message) string {
	body, _ := marshal(Msg{m})
	return `{"type":"msg",` + string(body[1:]) + "\n"
}

// jsonMsgs is how encoding/json writes a msgs frame of ms, which must be a
// run: consecutive seqs from ms[0].Seq, all with ms[0].TS.
func jsonMsgs(ms []chat.Message) string {
	f := Msgs{Seq: ms[0].Seq, TS: ms[0].TS}
	for _, m := range ms {
		f.Msgs = append(f.Msgs, MsgItem{ID: m.ID, From: m.From, Text: m.Text})
	}
	body, _ := marshal(f)
	return `{"type":"msgs",` + string(body[1:]) + "\n"
}

var awkwardTexts = []string{
	"plain", "", `quote " and backslash \`, "new\nline\r\ttab", "\b\f\x00\x1f\x7f",
	"<b>&amp;</b>", "Zoë ☕ 会议 🎉", "line\u2028sep\u2029para", "bad \xff utf8 \xc3", strings.Repeat("x", 5000),
}

func TestAppendMsgMatchesEncodingJSON(t *testing.T) {
	for _, text := range awkwardTexts {
		m := chat.Message{Seq: 42, ID: "a1-b_2", From: "Zoë", Text: text, TS: 1795620000123}
		if got, want := string(AppendMsg(nil, m)), jsonMsg(m); got != want {
			t.Errorf("AppendMsg(%q):\n got %s\nwant %s", text, got, want)
		}
	}
}

func TestAppendMsgsMatchesEncodingJSON(t *testing.T) {
	var run []chat.Message
	for i, text := range awkwardTexts {
		run = append(run, chat.Message{Seq: 42 + uint64(i), ID: "a1-b_2", From: "Zoë <&>", Text: text, TS: 1795620000123})
	}
	if got, want := string(AppendMsgs(nil, run[:1])), jsonMsg(run[0]); got != want {
		t.Errorf("AppendMsgs of one message:\n got %s\nwant the msg frame %s", got, want)
	}
	for n := 2; n <= len(run); n++ {
		if got, want := string(AppendMsgs(nil, run[:n])), jsonMsgs(run[:n]); got != want {
			t.Errorf("AppendMsgs of %d messages:\n got %s\nwant %s", n, got, want)
		}
		f := Msgs{Seq: run[0].Seq, TS: run[0].TS}
		for _, m := range run[:n] {
			f.Msgs = append(f.Msgs, MsgItem{ID: m.ID, From: m.From, Text: m.Text})
		}
		if b, err := Encode(f); err != nil || string(b) != jsonMsgs(run[:n]) {
			t.Errorf("Encode of %d messages = %s, %v; want what AppendMsgs writes", n, b, err)
		}
	}
}

// TestAppendMsgsSplits: where AppendMsgs ends one frame and starts the
// next, and when a message goes as a msg frame instead: when it would be
// alone in its frame, or is too big for a msgs frame.
func TestAppendMsgsSplits(t *testing.T) {
	msg := func(seq uint64, ts int64, text string) chat.Message {
		return chat.Message{Seq: seq, ID: "id" + strconv.FormatUint(seq, 10), From: "bo", Text: text, TS: ts}
	}
	big := strings.Repeat("x", 20000)
	// tight is a text whose message just fits a msg frame but not a msgs
	// frame of its own.
	probe := msg(9, 5, "")
	tight := strings.Repeat("y", MaxFrame-len(AppendMsg(nil, probe)))
	// huge is past MaxFrame in any frame: longer than chat.CleanText
	// allows, which AppendMsgs does not check.
	huge := strings.Repeat(`"`, MaxFrame/2)
	tests := []struct {
		name  string
		msgs  []chat.Message
		kinds string // one letter per frame: s for msgs (with how many), m for msg
	}{
		{"one", []chat.Message{msg(1, 5, "a")}, "m"},
		{"two", []chat.Message{msg(1, 5, "a"), msg(2, 5, "b")}, "s2"},
		{"a run", []chat.Message{msg(1, 5, "a"), msg(2, 5, "b"), msg(3, 5, "c")}, "s3"},
		{"seq skips", []chat.Message{msg(1, 5, "a"), msg(2, 5, "b"), msg(4, 5, "c"), msg(5, 5, "d")}, "s2 s2"},
		{"seq skips before the last", []chat.Message{msg(1, 5, "a"), msg(2, 5, "b"), msg(4, 5, "c")}, "s2 m"},
		{"seq goes back", []chat.Message{msg(5, 5, "a"), msg(4, 5, "b")}, "m m"},
		{"seq repeats", []chat.Message{msg(5, 5, "a"), msg(5, 5, "b"), msg(6, 5, "c")}, "m s2"},
		{"ts changes", []chat.Message{msg(1, 5, "a"), msg(2, 6, "b"), msg(3, 6, "c")}, "m s2"},
		{"frame full", []chat.Message{msg(1, 5, big), msg(2, 5, big), msg(3, 5, big), msg(4, 5, big), msg(5, 5, "a")}, "s3 s2"},
		{"frame full, one left", []chat.Message{msg(1, 5, big), msg(2, 5, big), msg(3, 5, big), msg(4, 5, big)}, "s3 m"},
		{"just fits a msg frame", []chat.Message{msg(1, 5, tight), msg(2, 5, "b"), msg(3, 5, "c")}, "m s2"},
		{"too big for any frame", []chat.Message{msg(1, 5, "a"), msg(2, 5, huge), msg(3, 5, "b"), msg(4, 5, "c")}, "m m s2"},
		{"the last seq", []chat.Message{msg(1<<64-2, 5, "a"), msg(1<<64-1, 5, "b"), msg(0, 5, "wrapped")}, "s2 m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := AppendMsgs([]byte("prefix\n"), tt.msgs)
			lines := strings.SplitAfter(strings.TrimPrefix(string(out), "prefix\n"), "\n")
			lines = lines[:len(lines)-1] // after the last newline
			var kinds []string
			i := 0
			for _, line := range lines {
				var body struct{ Msgs []json.RawMessage }
				err := json.Unmarshal([]byte(line), &body)
				switch {
				case strings.HasPrefix(line, `{"type":"msg",`):
					kinds = append(kinds, "m")
					if want := jsonMsg(tt.msgs[i]); line != want {
						t.Errorf("msg frame %.80q, want %.80q", line, want)
					}
					i++
				case err == nil && strings.HasPrefix(line, `{"type":"msgs",`):
					n := len(body.Msgs)
					kinds = append(kinds, "s"+strconv.Itoa(n))
					if want := jsonMsgs(tt.msgs[i : i+n]); line != want {
						t.Errorf("msgs frame %.80q, want %.80q", line, want)
					}
					if len(line) > MaxFrame {
						t.Errorf("msgs frame of %d bytes", len(line))
					}
					i += n
				default:
					t.Fatalf("unexpected line %.80q: %v", line, err)
				}
			}
			if got := strings.Join(kinds, " "); got != tt.kinds {
				t.Errorf("frames %q, want %q", got, tt.kinds)
			}
		})
	}
}

func TestFastPathsAgreeWithJSON(t *testing.T) {
	var lines []string
	for _, text := range awkwardTexts {
		lines = append(lines, strings.TrimSuffix(string(AppendMsg(nil, chat.Message{Seq: 7, ID: "m1", From: "bo", Text: text, TS: 9})), "\n"))
		lines = append(lines, strings.TrimSuffix(string(AppendMsgs(nil, []chat.Message{{Seq: 7, ID: "m1", From: "bo", Text: text, TS: 9}, {Seq: 8, ID: "m2", From: "Zoë", Text: text, TS: 9}})), "\n"))
		b, _ := Encode(Send{ID: "m1", Text: text})
		lines = append(lines, strings.TrimSuffix(string(b), "\n"))
		b, _ = Encode(Send{ID: "m2", Text: text, Resend: true})
		lines = append(lines, strings.TrimSuffix(string(b), "\n"))
	}
	lines = append(lines,
		`{"type":"send","id":"m1","text":"x","extra":1}`, `{"type":"send","text":"x","id":"m1"}`,
		`{"type":"send","id":"bad id","text":"x"}`, `{"type":"msg","seq":01,"id":"a","from":"b","text":"c","ts":1}`,
		`{"type":"msg","seq":1,"id":"a","from":"","text":"c","ts":1}`, `{"type":"send","id":"m1","text":"x"} `,
		`{"type":"msgs","seq":1,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"}]}`,
		`{"type":"msgs","seq":1,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"},]}`,
		`{"type":"msgs","seq":1,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"}] }`,
		`{"type":"msgs","seq":1,"ts":1,"msgs":[{"id":"a","from":"","text":"c"}]}`,
		`{"type":"msgs","seq":0,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"}]}`,
		`{"type":"msgs","seq":01,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"}]}`,
		`{"type":"msgs","seq":1,"ts":4611686018427387905,"msgs":[{"id":"a","from":"b","text":"c"}]}`,
		`{"type":"msgs","seq":18446744073709551615,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"}]}`,
		`{"type":"msgs","seq":18446744073709551615,"ts":1,"msgs":[{"id":"a","from":"b","text":"c"},{"id":"a","from":"b","text":"c"}]}`,
		`{"type":"msgs","seq":1,"ts":1,"msgs":[{"id":"a","from":"b","text":"c","x":1}]}`,
		`{"type":"msgs","seq":1,"ts":1,"msgs":[{"id":"a","from":"b","text":"{\"id\":"}]}`,
		`{"type":"msgs","seq":1,"ts":1,"msgs":[]}`,
	)
	for _, line := range lines {
		fast, fastErr := Decode([]byte(line))
		slow, slowErr := decodeJSON([]byte(line))
		if (fastErr == nil) != (slowErr == nil) || cmp.Diff(fast, slow) != "" {
			t.Errorf("%s:\n fast %#v, %v\n json %#v, %v", line, fast, fastErr, slow, slowErr)
		}
	}
}

func BenchmarkEncodeMsg(b *testing.B) {
	m := chat.Message{Seq: 123456, ID: "0123456789abcdef", From: "alice", Text: "the quick brown fox jumps over the lazy dog", TS: 1795620000123}
	b.Run("AppendMsg", func(b *testing.B) {
		buf := make([]byte, 0, 256)
		for b.Loop() {
			buf = AppendMsg(buf[:0], m)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			jsonMsg(m)
		}
	})
}

// FuzzAppendMsgs holds AppendMsgs to encoding/json and to its splitting
// rules: every line is a msgs frame byte for byte as encoding/json writes
// it, of at most MaxFrame bytes, and holding as long a run as fits, at
// least two; or a msg frame for a message that would be alone in a msgs
// frame. The fuzzer picks the messages: "|" separates id, from and text,
// bits of shape make seqs skip, ts change and texts long.
func FuzzAppendMsgs(f *testing.F) {
	f.Add(uint64(1), int64(1795620000123), "a1|Zoë|hello|b2|bo|<b>\n</b>", []byte{0, 0}, uint16(1))
	f.Add(uint64(1<<64-3), int64(-1), "a|b|c|d|e|f|g|h|i|j|k|l", []byte{0, 2, 1, 0}, uint16(0))
	f.Add(uint64(900), int64(5), "x|y|0123456789|x|y|\xff\u2028|x|y|z|x|y|z|x|y|z", []byte{4, 4, 4, 4, 4}, uint16(2000))
	f.Add(uint64(7), int64(5), "x|y|<&>", []byte{4}, uint16(16000))
	f.Fuzz(func(t *testing.T, seq uint64, ts int64, fields string, shape []byte, repeat uint16) {
		parts := strings.Split(fields, "|")
		var msgs []chat.Message
		for i := 0; i+2 < len(parts) && len(msgs) < 64; i += 3 {
			var bits byte
			if len(msgs) < len(shape) {
				bits = shape[len(msgs)]
			}
			if len(msgs) > 0 {
				seq++
			}
			seq += uint64(bits & 1)
			ts += int64(bits >> 1 & 1)
			text := parts[i+2]
			if bits&4 != 0 && len(text) > 0 {
				text = strings.Repeat(text, min(int(repeat)+1, 30000/len(text)))
			}
			msgs = append(msgs, chat.Message{Seq: seq, ID: parts[i], From: parts[i+1], Text: text, TS: ts})
		}
		out := AppendMsgs([]byte("x"), msgs)
		if out[0] != 'x' {
			t.Fatalf("dst's bytes changed")
		}
		rest := string(out[1:])
		for i := 0; i < len(msgs); {
			end := strings.IndexByte(rest, '\n')
			if end < 0 {
				t.Fatalf("%d messages left and no line", len(msgs)-i)
			}
			line := rest[:end+1]
			rest = rest[end+1:]
			if strings.HasPrefix(line, `{"type":"msg",`) {
				if want := jsonMsg(msgs[i]); line != want {
					t.Fatalf("msg frame %.100q, want %.100q", line, want)
				}
				if i+1 < len(msgs) && follows(msgs[i], msgs[i+1], 1) && len(jsonMsgs(msgs[i:i+2])) <= MaxFrame {
					t.Fatalf("a msg frame for a message that fits a msgs frame with the next")
				}
				i++
				continue
			}
			var body struct{ Msgs []json.RawMessage }
			if err := json.Unmarshal([]byte(line), &body); err != nil || len(body.Msgs) == 0 {
				t.Fatalf("line %.100q: %v", line, err)
			}
			n := len(body.Msgs)
			if n < 2 || i+n > len(msgs) {
				t.Fatalf("a frame of %d messages with %d left", n, len(msgs)-i)
			}
			run := msgs[i : i+n]
			for k, m := range run {
				if m.Seq != run[0].Seq+uint64(k) || m.Seq < run[0].Seq || m.TS != run[0].TS {
					t.Fatalf("messages %+v and %+v in one frame", run[0], m)
				}
			}
			if want := jsonMsgs(run); line != want {
				t.Fatalf("msgs frame %.100q, want %.100q", line, want)
			}
			if len(line) > MaxFrame {
				t.Fatalf("msgs frame of %d bytes", len(line))
			}
			if i+n < len(msgs) {
				next := msgs[i+n]
				if next.TS == run[0].TS && next.Seq == run[n-1].Seq+1 && next.Seq != 0 && len(jsonMsgs(msgs[i:i+n+1])) <= MaxFrame {
					t.Fatalf("frame of %d ended though the next message fitted", n)
				}
			}
			fr, err := Decode([]byte(line[:len(line)-1]))
			slow, slowErr := decodeJSON([]byte(line[:len(line)-1]))
			if (err == nil) != (slowErr == nil) || cmp.Diff(fr, slow) != "" {
				t.Fatalf("fast path disagrees with encoding/json on %.100q:\n fast %v\n json %v", line, err, slowErr)
			}
			i += n
		}
		if rest != "" {
			t.Fatalf("left over: %.100q", rest)
		}
	})
}

// BenchmarkEncodeMsgs is what the host spends encoding a busy room's
// messages, per message: a msg frame each, or msgs frames.
func BenchmarkEncodeMsgs(b *testing.B) {
	msgs := make([]chat.Message, 64)
	for i := range msgs {
		msgs[i] = chat.Message{Seq: 123456 + uint64(i), ID: "0123456789abcdef", From: "alice", Text: "the quick brown fox jumps over the lazy dog", TS: 1795620000123}
	}
	buf := make([]byte, 0, 64<<10)
	b.Run("msg", func(b *testing.B) {
		for b.Loop() {
			buf = buf[:0]
			for _, m := range msgs {
				buf = AppendMsg(buf, m)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
		b.ReportMetric(float64(len(buf))/float64(len(msgs)), "B/msg")
	})
	b.Run("msgs", func(b *testing.B) {
		for b.Loop() {
			buf = AppendMsgs(buf[:0], msgs)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
		b.ReportMetric(float64(len(buf))/float64(len(msgs)), "B/msg")
	})
}

func BenchmarkDecodeSend(b *testing.B) {
	line, _ := Encode(Send{ID: "0123456789abcdef", Text: "the quick brown fox jumps over the lazy dog"})
	line = line[:len(line)-1]
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			Decode(line)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			decodeJSON(line)
		}
	})
}

// BenchmarkDecodeMsgs is what a client spends reading a busy room's
// messages, per message: a msg frame each, or one msgs frame for all.
func BenchmarkDecodeMsgs(b *testing.B) {
	msgs := make([]chat.Message, 64)
	var lines [][]byte
	for i := range msgs {
		msgs[i] = chat.Message{Seq: 123456 + uint64(i), ID: "0123456789abcdef", From: "alice", Text: "the quick brown fox jumps over the lazy dog", TS: 1795620000123}
		line := AppendMsg(nil, msgs[i])
		lines = append(lines, line[:len(line)-1])
	}
	batch := AppendMsgs(nil, msgs)
	batch = batch[:len(batch)-1]
	b.Run("msg", func(b *testing.B) {
		for b.Loop() {
			for _, line := range lines {
				if _, err := Decode(line); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
	})
	b.Run("msgs", func(b *testing.B) {
		for b.Loop() {
			if _, err := Decode(batch); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
	})
}
