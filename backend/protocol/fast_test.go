package protocol

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-lan/parley/backend/chat"
)

// jsonMsg is how encoding/json writes a msg frame.
func jsonMsg(m chat.Message) string {
	body, _ := json.Marshal(Msg{m})
	return `{"type":"msg",` + string(body[1:]) + "\n"
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

func TestFastPathsAgreeWithJSON(t *testing.T) {
	var lines []string
	for _, text := range awkwardTexts {
		lines = append(lines, strings.TrimSuffix(string(AppendMsg(nil, chat.Message{Seq: 7, ID: "m1", From: "bo", Text: text, TS: 9})), "\n"))
		b, _ := Encode(Send{ID: "m1", Text: text})
		lines = append(lines, strings.TrimSuffix(string(b), "\n"))
		b, _ = Encode(Send{ID: "m2", Text: text, Resend: true})
		lines = append(lines, strings.TrimSuffix(string(b), "\n"))
	}
	lines = append(lines,
		`{"type":"send","id":"m1","text":"x","extra":1}`, `{"type":"send","text":"x","id":"m1"}`,
		`{"type":"send","id":"bad id","text":"x"}`, `{"type":"msg","seq":01,"id":"a","from":"b","text":"c","ts":1}`,
		`{"type":"msg","seq":1,"id":"a","from":"","text":"c","ts":1}`, `{"type":"send","id":"m1","text":"x"} `,
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
