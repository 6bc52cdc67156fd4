package chat

import "errors"

// Code is a machine-readable error code. It travels in protocol error frames,
// so its values are part of the wire protocol and must not change.
type Code string

// Error codes carried in error frames.
const (
	CodeNickTaken   Code = "nick_taken"  // another member uses the nickname
	CodeBadNick     Code = "bad_nick"    // the nickname breaks the rules of ValidateNick
	CodeBadText     Code = "bad_text"    // a message is empty or too long
	CodeVersion     Code = "version"     // the peer speaks an unsupported protocol version
	CodeRoomFull    Code = "room_full"   // the room has reached its member limit
	CodeBadFrame    Code = "bad_frame"   // a frame was not valid JSON or lacked a field
	CodeTooLarge    Code = "too_large"   // a frame exceeded the size limit
	CodeSlow        Code = "slow_member" // the member's send queue overflowed
	CodeTimeout     Code = "timeout"     // the peer was silent for too long
	CodeHostClosed  Code = "host_closed" // the host closed the room
	CodeUnsupported Code = "unsupported" // a request the host does not offer
	CodeStorage     Code = "storage"     // the host could not save a message
)

// Error is an error with a Code, the kind that crosses the wire.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, chat.ErrNickTaken) matches any nick_taken error whatever
// its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf returns an *Error with the given code and message.
func Errorf(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// ErrNoSpace is wrapped by storage errors that mean the disk is full.
var ErrNoSpace = errors.New("no space left to record messages")

// Sentinels for errors.Is; their messages are defaults only.
var (
	ErrNickTaken  = Errorf(CodeNickTaken, "nickname is taken")
	ErrBadNick    = Errorf(CodeBadNick, "invalid nickname")
	ErrBadText    = Errorf(CodeBadText, "invalid message")
	ErrVersion    = Errorf(CodeVersion, "unsupported protocol version")
	ErrRoomFull   = Errorf(CodeRoomFull, "room is full")
	ErrBadFrame   = Errorf(CodeBadFrame, "malformed frame")
	ErrTooLarge   = Errorf(CodeTooLarge, "frame too large")
	ErrSlow       = Errorf(CodeSlow, "member too slow to keep up")
	ErrTimeout    = Errorf(CodeTimeout, "connection timed out")
	ErrHostClosed = Errorf(CodeHostClosed, "host closed the room")
	ErrStorage    = Errorf(CodeStorage, "the host could not save the message")
)
