package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/parley-lan/parley/backend/chat"
)

// Encode returns f as one wire line: a JSON object whose first member is
// "type", followed by '\n'. Encode a message once and share the bytes with
// every member it goes to.
func Encode(f Frame) ([]byte, error) {
	if m, ok := f.(Msg); ok {
		b := AppendMsg(nil, m.Message)
		if len(b) > MaxFrame {
			return nil, fmt.Errorf("encode msg: %d bytes: %w", len(b), chat.ErrTooLarge)
		}
		return b, nil
	}
	body, err := marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", f.Type(), err)
	}
	var b bytes.Buffer
	b.Grow(len(body) + len(f.Type()) + 12)
	b.WriteString(`{"type":`)
	typ, _ := json.Marshal(f.Type()) // a string always marshals
	b.Write(typ)
	if len(body) > 2 { // body is "{...}"; "{}" has no members to add
		b.WriteByte(',')
		b.Write(body[1 : len(body)-1])
	}
	b.WriteString("}\n")
	if b.Len() > MaxFrame {
		return nil, fmt.Errorf("encode %s: %d bytes: %w", f.Type(), b.Len(), chat.ErrTooLarge)
	}
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping, as appendJSONString
// writes strings: the same frame encodes to the same bytes either way.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// wire is the union of every frame's fields. Decoding into it once and then
// picking the frame by type costs one pass over the JSON.
type wire struct {
	Type       string         `json:"type"`
	V          int            `json:"v"`
	Nick       string         `json:"nick"`
	ClientID   string         `json:"client_id"`
	ResumeFrom *uint64        `json:"resume_from"`
	HostToken  string         `json:"host_token"`
	Batch      bool           `json:"batch"`
	Room       *chat.Room     `json:"room"`
	You        string         `json:"you"`
	Members    []chat.Member  `json:"members"`
	Seq        uint64         `json:"seq"`
	HistFrom   uint64         `json:"history_from"`
	ID         string         `json:"id"`
	From       string         `json:"from"`
	Text       *string        `json:"text"`
	TS         int64          `json:"ts"`
	Host       bool           `json:"host"`
	Legacy     bool           `json:"legacy"`
	Code       chat.Code      `json:"code"`
	Message    string         `json:"message"`
	Reason     string         `json:"reason"`
	Resend     bool           `json:"resend"`
	Closed     bool           `json:"closed"`
	Before     uint64         `json:"before"`
	Limit      int            `json:"limit"`
	Messages   []chat.Message `json:"messages"`
	More       bool           `json:"more"`
	Msgs       []wireItem     `json:"msgs"`
}

// wireItem is one message of a msgs frame; Text is a pointer so that a
// missing text is told from an empty one.
type wireItem struct {
	ID   string  `json:"id"`
	From string  `json:"from"`
	Text *string `json:"text"`
}

// Decode parses one line (without its newline) into a Frame. A frame of an
// unknown type decodes to Unknown. A line that is not a JSON object, lacks a
// type, or lacks a field its type requires is an error matching
// chat.ErrBadFrame.
func Decode(line []byte) (Frame, error) {
	if len(line) > MaxFrame {
		return nil, chat.ErrTooLarge
	}
	switch {
	case string(line) == `{"type":"ping"}`:
		return Ping{}, nil
	case string(line) == `{"type":"pong"}`:
		return Pong{}, nil
	case bytes.HasPrefix(line, []byte(`{"type":"send",`)):
		if f, ok := fastSend(line); ok {
			return f, nil
		}
	case bytes.HasPrefix(line, []byte(`{"type":"msg",`)):
		if f, ok := fastMsg(line); ok {
			return f, nil
		}
	case bytes.HasPrefix(line, []byte(`{"type":"msgs",`)):
		if f, ok := fastMsgs(line); ok {
			return f, nil
		}
	}
	return decodeJSON(line)
}

// decodeJSON is Decode through encoding/json, for every frame.
func decodeJSON(line []byte) (Frame, error) {
	var w wire
	if err := json.Unmarshal(line, &w); err != nil {
		return nil, badFrame("not a JSON object: %v", err)
	}
	if w.Type == "" {
		return nil, badFrame("frame has no type")
	}
	return w.frame()
}

func (w *wire) frame() (Frame, error) {
	switch w.Type {
	case "hello":
		return w.hello()
	case "welcome":
		return w.welcome()
	case "send":
		return w.send()
	case "msg":
		return w.msg()
	case "msgs":
		return w.msgs()
	case "join":
		if w.Nick == "" {
			return nil, badFrame("join has no nick")
		}
		return Join{Member: chat.Member{Nick: w.Nick, Host: w.Host, Legacy: w.Legacy}, TS: w.TS}, nil
	case "leave":
		if w.Nick == "" {
			return nil, badFrame("leave has no nick")
		}
		return Leave{Nick: w.Nick, TS: w.TS}, nil
	case "ping":
		return Ping{}, nil
	case "pong":
		return Pong{}, nil
	case "error":
		if w.Code == "" {
			return nil, badFrame("error has no code")
		}
		return Error{Code: w.Code, Message: w.Message, ID: w.ID}, nil
	case "bye":
		return Bye{Reason: w.Reason, Closed: w.Closed}, nil
	case "get_history":
		if w.Before == 0 || w.Limit <= 0 {
			return nil, badFrame("get_history needs before and a positive limit")
		}
		return GetHistory{Before: w.Before, Limit: w.Limit}, nil
	case "history":
		return History{Before: w.Before, Messages: w.Messages, More: w.More}, nil
	}
	return Unknown{Name: w.Type}, nil
}

func (w *wire) hello() (Frame, error) {
	switch {
	case w.V == 0:
		return nil, badFrame("hello has no version")
	case w.Nick == "":
		return nil, badFrame("hello has no nick")
	case !chat.ValidID(w.ClientID):
		return nil, badFrame("hello has no valid client_id")
	}
	return Hello{V: w.V, Nick: w.Nick, ClientID: w.ClientID, ResumeFrom: w.ResumeFrom, HostToken: w.HostToken, Batch: w.Batch}, nil
}

func (w *wire) welcome() (Frame, error) {
	if w.Room == nil || w.You == "" {
		return nil, badFrame("welcome has no room or no nick")
	}
	return Welcome{V: w.V, Room: *w.Room, You: w.You, Members: w.Members, Seq: w.Seq, HistoryFrom: w.HistFrom}, nil
}

func (w *wire) send() (Frame, error) {
	if !chat.ValidID(w.ID) || w.Text == nil {
		return nil, badFrame("send needs an id and a text")
	}
	return Send{ID: w.ID, Text: *w.Text, Resend: w.Resend}, nil
}

func (w *wire) msg() (Frame, error) {
	if w.Seq == 0 || w.From == "" || w.Text == nil {
		return nil, badFrame("msg needs seq, from and text")
	}
	return Msg{chat.Message{Seq: w.Seq, ID: w.ID, From: w.From, Text: *w.Text, TS: w.TS}}, nil
}

func (w *wire) msgs() (Frame, error) {
	if !validRun(w.Seq, len(w.Msgs)) {
		return nil, badFrame("msgs needs a seq and at least one message, and its seqs must fit 64 bits")
	}
	items := make([]MsgItem, len(w.Msgs))
	for i, it := range w.Msgs {
		if it.From == "" || it.Text == nil {
			return nil, badFrame("each message of msgs needs from and text")
		}
		items[i] = MsgItem{ID: it.ID, From: it.From, Text: *it.Text}
	}
	return Msgs{Seq: w.Seq, TS: w.TS, Msgs: items}, nil
}

// validRun reports whether n messages from seq on have valid sequence
// numbers: at least one, the first at least 1, the last within uint64.
func validRun(seq uint64, n int) bool {
	return seq != 0 && n > 0 && seq-1 <= math.MaxUint64-uint64(n)
}

func badFrame(format string, args ...any) error {
	return chat.Errorf(chat.CodeBadFrame, fmt.Sprintf(format, args...))
}
