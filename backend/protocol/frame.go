package protocol

import (
	"errors"

	"github.com/parley-lan/parley/backend/chat"
)

// Frame is one protocol message. The set of frames is closed: the concrete
// types are the ones in this file, and consumers handle them with a type
// switch.
type Frame interface {
	// Type returns the frame's "type" value on the wire.
	Type() string
}

// Hello opens a native connection.
type Hello struct {
	V        int    `json:"v"`
	Nick     string `json:"nick"`
	ClientID string `json:"client_id"`
	// ResumeFrom, for a client coming back, is the last sequence number
	// it has seen (0 if none): after the welcome the host sends every
	// later message it still holds. A newcomer leaves it out and gets the
	// recent history (the last HistoryLimit messages).
	ResumeFrom *uint64 `json:"resume_from,omitempty"`
	// HostToken proves that this connection is the host's own client,
	// which may use the host's nickname.
	HostToken string `json:"host_token,omitempty"`
	// Batch says the client reads msgs frames: the host then sends the
	// live stream of messages as Msgs rather than one Msg per message.
	// A host that predates it ignores the field and sends Msg frames.
	Batch bool `json:"batch,omitempty"`
}

// Welcome accepts a hello. The history the client asked for follows as
// ordinary msg frames, so no frame ever has to hold a whole backlog.
type Welcome struct {
	V       int           `json:"v"`
	Room    chat.Room     `json:"room"`
	You     string        `json:"you"`
	Members []chat.Member `json:"members"`
	// Seq is the room's latest sequence number when the client joined.
	Seq uint64 `json:"seq"`
	// HistoryFrom says where the history that follows starts: it holds
	// the messages with seq in (HistoryFrom, Seq]. A client that resumes
	// later resumes from HistoryFrom at least.
	HistoryFrom uint64 `json:"history_from"`
}

// Send asks the host to post a message.
type Send struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Resend marks a message sent again after a reconnect: the host may
	// have recorded it already, even before a restart, and checks.
	Resend bool `json:"resend,omitempty"`
}

// GetHistory asks for older messages: up to Limit with seq below Before.
type GetHistory struct {
	Before uint64 `json:"before"`
	Limit  int    `json:"limit"`
}

// History answers GetHistory with messages in ascending order. More says
// whether there are older ones still. A page is cut short rather than
// exceed MaxFrame.
type History struct {
	Before   uint64         `json:"before"`
	Messages []chat.Message `json:"messages"`
	More     bool           `json:"more"`
}

// Msg is a message posted to the room.
type Msg struct {
	chat.Message
}

// Msgs is a run of messages posted to the room, for a client whose hello
// asked for it (Batch): the messages with seq Seq, Seq+1, … in the order
// of Msgs, all stamped TS. It is never empty. What varies from one message
// to the next is all a frame repeats, so a busy room's stream is shorter
// and quicker to read than one Msg per message. A message that would be
// alone in a Msgs goes as a Msg, which is shorter.
type Msgs struct {
	Seq  uint64    `json:"seq"`
	TS   int64     `json:"ts"`
	Msgs []MsgItem `json:"msgs"`
}

// MsgItem is one message of a Msgs frame.
type MsgItem struct {
	ID   string `json:"id"`
	From string `json:"from"`
	Text string `json:"text"`
}

// Message returns the frame's i-th message as the host stamped it.
func (f Msgs) Message(i int) chat.Message {
	it := f.Msgs[i]
	return chat.Message{Seq: f.Seq + uint64(i), ID: it.ID, From: it.From, Text: it.Text, TS: f.TS}
}

// Join announces a member who arrived.
type Join struct {
	chat.Member
	TS int64 `json:"ts"`
}

// Leave announces a member who left.
type Leave struct {
	Nick string `json:"nick"`
	TS   int64  `json:"ts"`
}

// Ping asks the peer to answer with a Pong.
type Ping struct{}

// Pong answers a Ping.
type Pong struct{}

// Error reports a refused request or a protocol violation.
type Error struct {
	Code    chat.Code `json:"code"`
	Message string    `json:"message"`
	// ID names the send that was refused, if the error is about one.
	ID string `json:"id,omitempty"`
}

// Bye ends a connection on purpose. From a member: it is leaving. From the
// host: either the room is closed for good (Closed), and members stop; or
// the host program is only stopping, and members keep trying to reconnect,
// since a room hosted again comes back the same.
type Bye struct {
	Reason string `json:"reason"`
	Closed bool   `json:"closed,omitempty"`
}

// Unknown is a frame of a type this version does not know; it is ignored.
type Unknown struct {
	Name string
}

func (Hello) Type() string      { return "hello" }
func (Welcome) Type() string    { return "welcome" }
func (Send) Type() string       { return "send" }
func (GetHistory) Type() string { return "get_history" }
func (History) Type() string    { return "history" }
func (Msg) Type() string        { return "msg" }
func (Msgs) Type() string       { return "msgs" }
func (Join) Type() string       { return "join" }
func (Leave) Type() string      { return "leave" }
func (Ping) Type() string       { return "ping" }
func (Pong) Type() string       { return "pong" }
func (Error) Type() string      { return "error" }
func (Bye) Type() string        { return "bye" }
func (u Unknown) Type() string  { return u.Name }

// Err turns an error frame into a *chat.Error.
func (e Error) Err() *chat.Error { return chat.Errorf(e.Code, e.Message) }

// ErrorFrame turns an error into an error frame, keeping the code of a
// *chat.Error.
func ErrorFrame(err error) Error {
	var ce *chat.Error
	if errors.As(err, &ce) {
		return Error{Code: ce.Code, Message: ce.Message}
	}
	return Error{Code: chat.CodeBadFrame, Message: err.Error()}
}
