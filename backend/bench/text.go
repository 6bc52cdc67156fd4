package bench

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/bits"
	"strconv"

	"github.com/parley-lan/parley/backend/protocol"
)

// A benchmark message's text is
//
//	#<sender>.<seq>.<sent>.<check> the quick brown fox jumps over the lazy dog
//
// sender is the sending member's index, seq counts that sender's messages
// from 0, sent is the send time in nanoseconds on the generator's monotonic
// clock (all members live in one process), and check is 8 hex digits mixing
// the three, so a line spliced from two messages does not pass. The filler
// gives the message a chat-like length (about 70 bytes) and a fixed tail.
// Member i's nickname is "b<i>".
const filler = "the quick brown fox jumps over the lazy dog"

// syncText is the one message the generator sends before the load: every
// member that sees it knows everything before it was the handshake.
const syncText = "#sync"

// msgRef identifies one benchmark message.
type msgRef struct {
	sender int
	seq    uint64
	sent   int64 // ns on the run's clock
}

func checksum(s int, q uint64, t int64) uint32 {
	x := uint64(s)*0x9E3779B97F4A7C15 ^ q*0xC2B2AE3D27D4EB4F ^ uint64(t)*0x165667B19E3779F9
	x ^= x >> 29
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 32
	return uint32(x)
}

// appendText appends the text of message m.
func appendText(dst []byte, m msgRef) []byte {
	dst = append(dst, '#')
	dst = strconv.AppendInt(dst, int64(m.sender), 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, m.seq, 10)
	dst = append(dst, '.')
	dst = strconv.AppendInt(dst, m.sent, 10)
	dst = append(dst, '.')
	c := checksum(m.sender, m.seq, m.sent)
	const hex = "0123456789abcdef"
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, hex[(c>>shift)&0xf])
	}
	dst = append(dst, ' ')
	return append(dst, filler...)
}

// appendNick appends member i's nickname.
func appendNick(dst []byte, i int) []byte {
	return strconv.AppendInt(append(dst, 'b'), int64(i), 10)
}

// appendLegacyLine appends message m as a plain-text client sends it:
// "b<i>: <text>\n", as typed into nc.
func appendLegacyLine(dst []byte, m msgRef) []byte {
	dst = appendNick(dst, m.sender)
	dst = append(dst, ": "...)
	dst = appendText(dst, m)
	return append(dst, '\n')
}

// appendSendFrame appends message m as a native send frame. The id names
// the sender and the sequence number, so it is unique per client.
func appendSendFrame(dst []byte, m msgRef) []byte {
	dst = append(dst, `{"type":"send","id":"`...)
	dst = appendMsgID(dst, m.sender, m.seq)
	dst = append(dst, `","text":"`...)
	dst = appendText(dst, m)
	return append(dst, "\"}\n"...)
}

func appendMsgID(dst []byte, s int, q uint64) []byte {
	dst = appendNick(dst, s)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, q, 10)
}

// parseUint reads a decimal number of 1 to 19 digits at the start of b,
// written as strconv writes it: a leading zero only in "0" itself, so a
// message whose numbers a host mangled into "00" or "07" is not intact.
// (Taking eight digits per step in one 64-bit word was slower here:
// these numbers are short, BenchmarkParseLine.)
func parseUint(b []byte) (v uint64, rest []byte, ok bool) {
	i := 0
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			break
		}
		if i == 19 {
			return 0, b, false
		}
		v = v*10 + uint64(d)
	}
	if i == 0 || i > 1 && b[0] == '0' {
		return 0, b, false
	}
	return v, b[i:], true
}

// hexWord returns the 8 lowercase hex digits of c as appendText writes
// them, as a little-endian word: one comparison checks a checksum.
func hexWord(c uint32) uint64 {
	x := uint64(c)
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f0f0f0f0f // nibble i in byte i, lowest first
	x = bits.ReverseBytes64(x)          // the highest nibble is written first
	letters := (x + 0x0606060606060606) >> 4 & 0x0101010101010101
	return x + 0x3030303030303030 + letters*('a'-'0'-10)
}

// cut is bytes.CutPrefix for a constant prefix. Inlined, a prefix of up
// to 8 bytes is one comparison instead of a call to memequal; longer keys
// that every message repeats are compared in place (parseMsgFields).
func cut(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return b, false
	}
	return b[len(prefix):], true
}

func expect(b []byte, c byte) ([]byte, bool) {
	if len(b) == 0 || b[0] != c {
		return b, false
	}
	return b[1:], true
}

// parseText checks a message text and returns what it carries. Any damage
// — a missing or extra byte, a splice of two messages, a wrong checksum or
// filler — makes it fail.
func parseText(b []byte) (m msgRef, ok bool) {
	m, rest, ok := parseTextPrefix(b)
	if !ok || len(rest) != 0 {
		return msgRef{}, false
	}
	return m, true
}

// parseTextPrefix checks a message text at the start of b, as parseText
// does, and returns what follows it.
func parseTextPrefix(b []byte) (m msgRef, rest []byte, ok bool) {
	var s, q uint64
	if b, ok = expect(b, '#'); !ok {
		return m, nil, false
	}
	if s, b, ok = parseUint(b); !ok || s > 1<<30 {
		return m, nil, false
	}
	if b, ok = expect(b, '.'); !ok {
		return m, nil, false
	}
	if q, b, ok = parseUint(b); !ok {
		return m, nil, false
	}
	if b, ok = expect(b, '.'); !ok {
		return m, nil, false
	}
	return parseTextTail(b, int(s), q)
}

// parseTextTail checks the rest of a text whose sender s and number q
// were read already, "<sent>.<check> <filler>", and returns what follows.
// The fast paths read the sender and number once, from the nickname or
// id the text must repeat, and compare the text's digits with theirs.
func parseTextTail(b []byte, s int, q uint64) (m msgRef, rest []byte, ok bool) {
	var t uint64
	if t, b, ok = parseSent(b); !ok || t > 1<<62 {
		return m, nil, false
	}
	if b, ok = expect(b, '.'); !ok {
		return m, nil, false
	}
	const tail = 8 + 1 + len(filler)
	if len(b) < tail || b[8] != ' ' || string(b[9:tail]) != filler {
		return m, nil, false
	}
	m = msgRef{sender: s, seq: q, sent: int64(t)}
	if binary.LittleEndian.Uint64(b) != hexWord(checksum(m.sender, m.seq, m.sent)) {
		return msgRef{}, nil, false
	}
	return m, b[tail:], true
}

// parseSent reads a send time as parseUint does. Between 1 and 10 s into
// a run it has ten digits, which are read as one 64-bit word and two
// bytes rather than one by one: the longest number of every message,
// and at saturation the largest part of the generator's number reading.
func parseSent(b []byte) (uint64, []byte, bool) {
	if len(b) > 10 && b[10]-'0' > 9 && b[0] != '0' {
		w := binary.LittleEndian.Uint64(b)
		d8, d9 := b[8]-'0', b[9]-'0'
		if allDigits(w) && d8 <= 9 && d9 <= 9 {
			return eightDigits(w)*100 + uint64(d8)*10 + uint64(d9), b[10:], true
		}
	}
	return parseUint(b)
}

// allDigits reports whether all eight bytes of w are '0' to '9'.
func allDigits(w uint64) bool {
	return w&0xf0f0f0f0f0f0f0f0 == 0x3030303030303030 &&
		(w+0x0606060606060606)&0xf0f0f0f0f0f0f0f0 == 0x3030303030303030
}

// eightDigits returns the value of the eight decimal digits in w, the
// first in its lowest byte, in three multiplications (pairs, then fours,
// then the eight).
func eightDigits(w uint64) uint64 {
	w = (w & 0x0f0f0f0f0f0f0f0f) * (1 + 10<<8) >> 8
	w = (w & 0x00ff00ff00ff00ff) * (1 + 100<<16) >> 16
	return (w & 0x0000ffff0000ffff) * (1 + 10000<<32) >> 32
}

// parseNick reads a "b<i>" nickname.
func parseNick(b []byte) (int, bool) {
	b, ok := expect(b, 'b')
	if !ok {
		return 0, false
	}
	v, rest, ok := parseUint(b)
	if !ok || len(rest) != 0 || v > 1<<30 {
		return 0, false
	}
	return int(v), true
}

// lineKind is what a received line turned out to be.
type lineKind int

const (
	lineMessage lineKind = iota // an intact benchmark message
	lineSync                    // the sync message
	lineEmpty                   // nothing (a blank line)
	lineOther                   // presence, greetings: expected chatter
	lineError                   // the host complaining ("error: …" / an error frame)
	lineGarbled                 // damaged: neither a message nor known chatter
	linePing                    // native heartbeat: answer it
	lineBye                     // the host is closing the room
	lineBatch                   // a msgs frame: its messages are in the items
)

// parseLegacyLine classifies one received plain-text line (without its
// newline): "b<i>: <text>" is a message from member i, whose text must be
// intact and name the same sender.
func parseLegacyLine(line []byte) (lineKind, msgRef) {
	if m, ok := parseLegacyMsg(line); ok {
		return lineMessage, m
	}
	return parseLegacyOther(line)
}

// parseLegacyMsg reads a benchmark message line written as the hosts
// write it, "b<i>: #<i>.…", in one pass with no search, accepting only
// what parseLegacyOther accepts; anything else is left to it.
func parseLegacyMsg(line []byte) (m msgRef, ok bool) {
	b, ok := expect(line, 'b')
	if !ok {
		return m, false
	}
	s, after, ok := parseUint(b)
	sender := b[:len(b)-len(after)]
	if !ok || s > 1<<30 {
		return m, false
	}
	if b, ok = cut(after, ": #"); !ok {
		return m, false
	}
	if b, ok = afterDigits(b, sender); !ok {
		return m, false
	}
	q, b, ok := parseUint(b)
	if !ok {
		return m, false
	}
	if b, ok = expect(b, '.'); !ok {
		return m, false
	}
	m, rest, ok := parseTextTail(b, int(s), q)
	return m, ok && len(rest) == 0
}

// parseLegacyOther classifies a plain-text line as parseLegacyLine does,
// by the general rules.
func parseLegacyOther(line []byte) (lineKind, msgRef) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) == 0 {
		return lineEmpty, msgRef{}
	}
	if bytes.HasSuffix(line, []byte(": "+syncText)) {
		return lineSync, msgRef{}
	}
	if nick, text, found := bytes.Cut(line, []byte(": ")); found {
		if i, ok := parseNick(nick); ok {
			if m, ok := parseText(text); ok && m.sender == i {
				return lineMessage, m
			}
			return lineGarbled, msgRef{}
		}
	}
	switch {
	case bytes.HasPrefix(line, []byte("error: ")):
		return lineError, msgRef{}
	case bytes.HasSuffix(line, []byte(" joined!")) || bytes.HasSuffix(line, []byte(" left!")),
		bytes.HasPrefix(line, []byte("Connected to ")), bytes.HasPrefix(line, []byte("The host ")):
		if bytes.IndexByte(line, '#') < 0 && !bytes.Contains(line, []byte(filler[len(filler)-8:])) {
			return lineOther, msgRef{}
		}
	}
	return lineGarbled, msgRef{}
}

// nativeFrame holds the fields of one received JSON frame that the
// benchmark looks at. The byte slices point into the line.
type nativeFrame struct {
	typ, id, from, text, code []byte
	seq                       uint64
	hasSeq                    bool
}

// scanFlat parses a flat JSON object (string, number and literal values,
// no escapes) the way Parley writes frames, without allocating. It reports
// false for anything else, which the caller then hands to encoding/json.
func scanFlat(line []byte, f *nativeFrame) bool {
	*f = nativeFrame{}
	b, ok := expect(line, '{')
	if !ok {
		return false
	}
	for {
		if b, ok = expect(b, '"'); !ok {
			return false
		}
		end := bytes.IndexByte(b, '"')
		if end < 0 {
			return false
		}
		key := b[:end]
		if b, ok = expect(b[end+1:], ':'); !ok || len(b) == 0 {
			return false
		}
		var val []byte
		isString := b[0] == '"'
		if isString {
			end = bytes.IndexByte(b[1:], '"')
			if end < 0 {
				return false
			}
			val, b = b[1:1+end], b[2+end:]
			if bytes.IndexByte(val, '\\') >= 0 {
				return false
			}
		} else {
			end = bytes.IndexAny(b, ",}")
			if end <= 0 {
				return false
			}
			val, b = b[:end], b[end:]
		}
		if !f.set(string(key), val, isString) {
			return false
		}
		if len(b) == 0 {
			return false
		}
		switch b[0] {
		case ',':
			b = b[1:]
		case '}':
			return len(b) == 1
		default:
			return false
		}
	}
}

// set records one field; it reports false for a value that is not a
// plain string, number or literal (a nested object, say).
func (f *nativeFrame) set(key string, val []byte, isString bool) bool {
	if !isString {
		switch val[0] {
		case '{', '[':
			return false
		}
	}
	switch key {
	case "type":
		f.typ = val
	case "id":
		f.id = val
	case "from":
		f.from = val
	case "text":
		f.text = val
	case "code":
		f.code = val
	case "seq":
		v, rest, ok := parseUint(val)
		if !ok || len(rest) != 0 || isString {
			return false
		}
		f.seq, f.hasSeq = v, true
	}
	return true
}

// wireFrame is the slow path for frames scanFlat declines.
type wireFrame struct {
	Type string             `json:"type"`
	Seq  *uint64            `json:"seq"`
	ID   string             `json:"id"`
	From string             `json:"from"`
	Text string             `json:"text"`
	Code string             `json:"code"`
	Msgs []protocol.MsgItem `json:"msgs"`
}

// received is one message a native frame carried: an intact benchmark
// message (lineMessage), the sync message (lineSync) or a damaged one
// (lineGarbled), with its room sequence number.
type received struct {
	kind lineKind
	msg  msgRef
	seq  uint64
}

// parseNativeLine classifies one received JSON line. The messages a msg
// or msgs frame carries are appended to items, one each; the kind is then
// that message's kind for a msg frame, lineBatch for a msgs frame.
func parseNativeLine(line []byte, f *nativeFrame, scratch []byte, items []received) (lineKind, []received) {
	if m, seq, ok := parseMsgFrame(line); ok {
		return lineMessage, append(items, received{lineMessage, m, seq})
	}
	if out, ok := parseMsgsFrame(line, items); ok {
		return lineBatch, out
	}
	return parseFrame(line, f, scratch, items)
}

// parseMsgFrame reads a benchmark message in exactly the frame Parley's
// host writes (protocol.AppendMsg):
//
//	{"type":"msg","seq":S,"id":"b<i>-<n>","from":"b<i>","text":"#<i>.<n>.…","ts":T}
//
// accepting only what parseFrame accepts, in one pass with no search: at
// saturation the generator reads millions of these a second, and a
// generic scan of each would make the run measure the generator. Anything
// else (another key order, an escape, another frame) is left to
// parseFrame.
func parseMsgFrame(line []byte) (m msgRef, seq uint64, ok bool) {
	b, ok := cut(line, `{"type":"msg","seq":`)
	if !ok {
		return m, 0, false
	}
	if seq, b, ok = parseUint(b); !ok {
		return m, 0, false
	}
	if b, ok = cut(b, `,"id":"b`); !ok {
		return m, 0, false
	}
	if m, b, ok = parseMsgFields(b); !ok {
		return m, 0, false
	}
	if b, ok = cut(b, `","ts":`); !ok {
		return m, 0, false
	}
	if n := canonicalDigits(b); n == 0 || string(b[n:]) != "}" {
		return m, 0, false
	}
	return m, seq, true
}

// parseMsgsFrame reads benchmark messages in exactly the msgs frame
// Parley's host writes (protocol.AppendMsgs), for members that asked for
// them:
//
//	{"type":"msgs","seq":S,"ts":T,"msgs":[{"id":"b<i>-<n>","from":"b<i>","text":"#<i>.<n>.…"},…]}
//
// appending each message to items with its seq (S, S+1, …) and checking
// each as parseMsgFrame does, in one pass. It accepts only what parseFrame
// accepts, and all or nothing: on any surprise it returns items as they
// were, and the whole line is left to parseFrame.
func parseMsgsFrame(line []byte, items []received) ([]received, bool) {
	b, ok := cut(line, `{"type":"msgs","seq":`)
	if !ok {
		return items, false
	}
	n := canonicalDigits(b) // encoding/json, parseFrame's way here, takes no other form
	seq, _, ok := parseUint(b[:n])
	if !ok {
		return items, false
	}
	if b, ok = cut(b[n:], `,"ts":`); !ok {
		return items, false
	}
	n = canonicalDigits(b)
	if b, ok = cut(b[n:], `,"msgs":[`); !ok || n == 0 {
		return items, false
	}
	out := items
	for next := seq; ; next++ {
		var m msgRef
		if b, ok = cut(b, `{"id":"b`); !ok {
			return items, false
		}
		if m, b, ok = parseMsgFields(b); !ok {
			return items, false
		}
		if b, ok = cut(b, `"}`); !ok {
			return items, false
		}
		out = append(out, received{lineMessage, m, next})
		if len(b) == 0 || b[0] != ',' {
			break
		}
		if next == math.MaxUint64 { // the next seq would not fit
			return items, false
		}
		b = b[1:]
	}
	if string(b) != "]}" {
		return items, false
	}
	return out, true
}

// parseMsgFields reads a benchmark message's id (from after its "b"),
// from and text, as the host writes them in msg and msgs frames,
//
//	<i>-<n>","from":"b<i>","text":"#<i>.<n>.…
//
// and returns what follows the text (its closing quote). The sender and
// number are read once, from the id; from and the text must repeat them
// digit for digit, and parseTextTail checks the rest of the text.
func parseMsgFields(b []byte) (m msgRef, rest []byte, ok bool) {
	s, after, ok := parseUint(b)
	sender := b[:len(b)-len(after)]
	if !ok || s > 1<<30 {
		return m, nil, false
	}
	if b, ok = expect(after, '-'); !ok {
		return m, nil, false
	}
	q, after, ok := parseUint(b)
	number := b[:len(b)-len(after)]
	if !ok {
		return m, nil, false
	}
	// The keys are compared as constants, a word at a time; through cut
	// they would each be a call to memequal, for every message.
	const from, text = `","from":"b`, `","text":"#`
	if len(after) < len(from) || string(after[:len(from)]) != from || !hasDigits(after[len(from):], sender) {
		return m, nil, false
	}
	if b = after[len(from)+len(sender):]; len(b) < len(text) || string(b[:len(text)]) != text {
		return m, nil, false
	}
	if b, ok = numbered(b[len(text):], sender, number); !ok {
		return m, nil, false
	}
	return parseTextTail(b, int(s), q)
}

// numbered checks that a text after its '#' goes on "<sender>.<number>."
// and returns what follows.
func numbered(b, sender, number []byte) ([]byte, bool) {
	b, ok := afterDigits(b, sender)
	if !ok {
		return nil, false
	}
	return afterDigits(b, number)
}

// afterDigits checks that b starts with the digits d and a '.', and
// returns what follows.
func afterDigits(b, d []byte) ([]byte, bool) {
	if !hasDigits(b, d) || len(b) <= len(d) || b[len(d)] != '.' {
		return nil, false
	}
	return b[len(d)+1:], true
}

// hasDigits reports whether b starts with the digits d: a loop, cheaper
// than a call to memequal for numbers this short.
func hasDigits(b, d []byte) bool {
	if len(b) < len(d) {
		return false
	}
	for i, c := range d {
		if b[i] != c {
			return false
		}
	}
	return true
}

// canonicalDigits returns the length of the decimal number at the start
// of b if it is written as strconv writes numbers (1 to 19 digits, no
// leading zero), else 0.
func canonicalDigits(b []byte) int {
	n := 0
	for n < len(b) && b[n]-'0' <= 9 {
		n++
	}
	if n > 19 || (n > 1 && b[0] == '0') {
		return 0
	}
	return n
}

// parseFrame classifies any JSON line, as parseNativeLine does.
func parseFrame(line []byte, f *nativeFrame, scratch []byte, items []received) (lineKind, []received) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) == 0 {
		return lineEmpty, items
	}
	var batch []protocol.MsgItem
	if !scanFlat(line, f) {
		var w wireFrame
		if err := json.Unmarshal(line, &w); err != nil || w.Type == "" {
			return lineGarbled, items
		}
		*f = nativeFrame{typ: []byte(w.Type), id: []byte(w.ID), from: []byte(w.From), text: []byte(w.Text), code: []byte(w.Code)}
		if w.Seq != nil {
			f.seq, f.hasSeq = *w.Seq, true
		}
		batch = w.Msgs
	}
	switch string(f.typ) {
	case "msg":
		if !f.hasSeq {
			return lineGarbled, items
		}
		r := checkMessage(f.seq, f.id, f.from, f.text, scratch)
		return r.kind, append(items, r)
	case "msgs":
		if !f.hasSeq || len(batch) == 0 || uint64(len(batch)-1) > math.MaxUint64-f.seq {
			return lineGarbled, items
		}
		for i, it := range batch {
			items = append(items, checkMessage(f.seq+uint64(i), []byte(it.ID), []byte(it.From), []byte(it.Text), scratch))
		}
		return lineBatch, items
	case "ping":
		return linePing, items
	case "error":
		return lineError, items
	case "bye":
		return lineBye, items
	default: // welcome, join, leave, pong, history, and types newer than us
		return lineOther, items
	}
}

// checkMessage classifies one message of a msg or msgs frame: the sync
// message, or a benchmark message whose sender and id must match its text.
func checkMessage(seq uint64, id, from, text, scratch []byte) received {
	if string(text) == syncText {
		return received{lineSync, msgRef{}, seq}
	}
	m, ok := parseText(text)
	if !ok {
		return received{lineGarbled, msgRef{}, seq}
	}
	scratch = appendNick(scratch[:0], m.sender)
	if !bytes.Equal(from, scratch) || !bytes.Equal(id, appendMsgID(scratch[:0], m.sender, m.seq)) {
		return received{lineGarbled, msgRef{}, seq}
	}
	return received{lineMessage, m, seq}
}
