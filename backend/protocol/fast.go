package protocol

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/parley-lan/parley/backend/chat"
)

// The frames that make up nearly all traffic — send from members, msg and
// msgs from the host — have a fast path: AppendMsg and AppendMsgs write
// them without reflection, and Decode reads the common shapes of send, msg
// and msgs without it. Anything unusual (another field order, an escape in
// an id) falls back to encoding/json, so the fast path changes speed, never
// meaning; the tests, FuzzDecode and FuzzAppendMsgs compare both ways.

// AppendMsg appends m as a msg frame line (with its newline) to dst. It
// writes the same JSON as Encode(Msg{m}), byte for byte.
func AppendMsg(dst []byte, m chat.Message) []byte {
	dst = append(dst, `{"type":"msg","seq":`...)
	dst = strconv.AppendUint(dst, m.Seq, 10)
	dst = appendMsgFields(append(dst, ','), m)
	dst = append(dst, `,"ts":`...)
	dst = strconv.AppendInt(dst, m.TS, 10)
	return append(dst, "}\n"...)
}

// AppendMsgs appends msgs, in order, to dst as msgs frame lines (with
// their newlines), for members that read them (Hello.Batch). A frame holds
// a run of messages with consecutive seqs and one ts, as many as fit in
// MaxFrame bytes; a new frame starts where the next message would not fit,
// where the seqs skip or where the ts changes. A message that would be
// alone in its frame goes as a msg frame (AppendMsg) instead, which is
// shorter; so does one too big for a msgs frame. Each msgs frame is the
// same JSON as Encode(Msgs{…}), byte for byte, and nothing is allocated
// beyond what dst grows by.
func AppendMsgs(dst []byte, msgs []chat.Message) []byte {
	for len(msgs) > 0 {
		var n int
		if len(msgs) > 1 && follows(msgs[0], msgs[1], 1) {
			dst, n = appendMsgsFrame(dst, msgs)
		} else {
			dst, n = AppendMsg(dst, msgs[0]), 1
		}
		msgs = msgs[n:]
	}
	return dst
}

// follows reports whether m is message i of a run that starts with first:
// its seq is i past first's, without wrapping, and it has first's ts.
func follows(first, m chat.Message, i int) bool {
	return m.TS == first.TS && m.Seq > first.Seq && m.Seq-first.Seq == uint64(i)
}

// msgsEnd closes a msgs frame.
const msgsEnd = "]}\n"

// appendMsgsFrame appends one frame with the longest run from the start
// of msgs that fits, and returns how many messages it holds: a msg frame
// if that is one.
func appendMsgsFrame(dst []byte, msgs []chat.Message) ([]byte, int) {
	start, first := len(dst), msgs[0]
	dst = append(dst, `{"type":"msgs","seq":`...)
	dst = strconv.AppendUint(dst, first.Seq, 10)
	dst = append(dst, `,"ts":`...)
	dst = strconv.AppendInt(dst, first.TS, 10)
	dst = append(dst, `,"msgs":[`...)
	n := 0
	for i, m := range msgs {
		if i > 0 && !follows(first, m, i) {
			break
		}
		item := len(dst)
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendMsgItem(dst, m)
		if len(dst)-start+len(msgsEnd) > MaxFrame {
			dst = dst[:item] // it goes in the next frame
			break
		}
		n++
	}
	if n < 2 { // the next one did not fit, or even this one
		return AppendMsg(dst[:start], first), 1
	}
	return append(dst, msgsEnd...), n
}

// appendMsgItem appends m as an element of a msgs frame's "msgs" array.
func appendMsgItem(dst []byte, m chat.Message) []byte {
	return append(appendMsgFields(append(dst, '{'), m), '}')
}

// appendMsgFields appends the fields a msg frame and an element of a msgs
// frame share: "id":…,"from":…,"text":….
func appendMsgFields(dst []byte, m chat.Message) []byte {
	dst = append(dst, `"id":`...)
	dst = appendJSONString(dst, m.ID)
	dst = append(dst, `,"from":`...)
	dst = appendJSONString(dst, m.From)
	dst = append(dst, `,"text":`...)
	return appendJSONString(dst, m.Text)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it with SetEscapeHTML(false): quotes, backslashes, control
// characters, U+2028, U+2029, and invalid UTF-8 as U+FFFD. Frames are never
// embedded in HTML, and escaping <, > and & (six bytes each) would let a
// message of MaxTextBytes grow past MaxFrame; this way a text at most
// doubles.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			switch r {
			case utf8.RuneError:
				dst = append(dst, `\ufffd`...)
			default:
				dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// scanner reads the fixed-shape JSON of the fast paths; any surprise sets
// bad, and the caller falls back to encoding/json.
type scanner struct {
	b   []byte
	bad bool
}

func (s *scanner) lit(l string) {
	if s.bad || !bytes.HasPrefix(s.b, []byte(l)) {
		s.bad = true
		return
	}
	s.b = s.b[len(l):]
}

// str reads a JSON string without escapes (those go the slow way).
func (s *scanner) str() string {
	if s.bad || len(s.b) == 0 || s.b[0] != '"' {
		s.bad = true
		return ""
	}
	end := bytes.IndexByte(s.b[1:], '"')
	if end < 0 || bytes.IndexByte(s.b[1:1+end], '\\') >= 0 {
		s.bad = true
		return ""
	}
	v := s.b[1 : 1+end]
	for _, c := range v {
		if c < 0x20 {
			s.bad = true
			return ""
		}
	}
	if !utf8.Valid(v) {
		s.bad = true // encoding/json would replace bad bytes
		return ""
	}
	s.b = s.b[2+end:]
	return string(v)
}

// uint reads an unsigned decimal number.
func (s *scanner) uint() uint64 {
	i := 0
	for i < len(s.b) && s.b[i] >= '0' && s.b[i] <= '9' {
		i++
	}
	if s.bad || i == 0 || i > 19 || (i > 1 && s.b[0] == '0') {
		s.bad = true
		return 0
	}
	n, err := strconv.ParseUint(string(s.b[:i]), 10, 64)
	s.bad = err != nil
	s.b = s.b[i:]
	return n
}

// msgFields reads what appendMsgFields writes.
func (s *scanner) msgFields() (id, from, text string) {
	s.lit(`"id":`)
	id = s.str()
	s.lit(`,"from":`)
	from = s.str()
	s.lit(`,"text":`)
	return id, from, s.str()
}

func (s *scanner) end() {
	if s.bad || len(s.b) != 1 || s.b[0] != '}' {
		s.bad = true
	}
}

// fastSend reads {"type":"send","id":"…","text":"…"[,"resend":true]} as
// Encode writes it.
func fastSend(line []byte) (Frame, bool) {
	s := scanner{b: line}
	s.lit(`{"type":"send","id":`)
	id := s.str()
	s.lit(`,"text":`)
	text := s.str()
	resend := false
	if bytes.HasPrefix(s.b, []byte(`,"resend":true`)) {
		s.b, resend = s.b[len(`,"resend":true`):], true
	}
	s.end()
	if s.bad || !chat.ValidID(id) {
		return nil, false
	}
	return Send{ID: id, Text: text, Resend: resend}, true
}

// fastMsg reads {"type":"msg","seq":N,"id":"…","from":"…","text":"…","ts":N}
// as AppendMsg writes it.
func fastMsg(line []byte) (Frame, bool) {
	s := scanner{b: line}
	s.lit(`{"type":"msg","seq":`)
	seq := s.uint()
	s.lit(`,`)
	id, from, text := s.msgFields()
	s.lit(`,"ts":`)
	ts := s.uint()
	s.end()
	if s.bad || seq == 0 || from == "" || ts > 1<<62 {
		return nil, false
	}
	return Msg{chat.Message{Seq: seq, ID: id, From: from, Text: text, TS: int64(ts)}}, true
}

// fastMsgs reads
// {"type":"msgs","seq":N,"ts":N,"msgs":[{"id":"…","from":"…","text":"…"},…]}
// as AppendMsgs writes it.
func fastMsgs(line []byte) (Frame, bool) {
	s := scanner{b: line}
	s.lit(`{"type":"msgs","seq":`)
	seq := s.uint()
	s.lit(`,"ts":`)
	ts := s.uint()
	s.lit(`,"msgs":[`)
	if s.bad {
		return nil, false
	}
	// Outside a string (where a quote is escaped) {"id": only starts an
	// item: one allocation holds them all.
	items := make([]MsgItem, 0, bytes.Count(s.b, []byte(`{"id":`)))
	for {
		s.lit(`{`)
		id, from, text := s.msgFields()
		s.lit(`}`)
		if s.bad || from == "" {
			return nil, false
		}
		items = append(items, MsgItem{ID: id, From: from, Text: text})
		if len(s.b) == 0 || s.b[0] != ',' {
			break
		}
		s.b = s.b[1:]
	}
	s.lit(`]`)
	s.end()
	if s.bad || ts > 1<<62 || !validRun(seq, len(items)) {
		return nil, false
	}
	return Msgs{Seq: seq, TS: int64(ts), Msgs: items}, true
}
