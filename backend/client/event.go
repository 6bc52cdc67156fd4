package client

import "github.com/parley-lan/parley/backend/chat"

// State is the connection state shown to the user.
type State string

// Connection states.
const (
	StateConnecting   State = "connecting"
	StateConnected    State = "connected"
	StateReconnecting State = "reconnecting"
	StateClosed       State = "closed"
)

// Event is something that happened in the room, delivered to
// Config.OnEvent in order.
type Event interface{ event() }

// MessageEvent is a message posted to the room (including your own, which
// doubles as the host's acknowledgement).
type MessageEvent struct{ chat.Message }

// PresenceEvent reports a member joining or leaving, with the member list
// after the change.
type PresenceEvent struct {
	Kind    string // "join" or "leave"
	Nick    string
	TS      int64
	Members []chat.Member
}

// MembersEvent replaces the whole member list, after a reconnect.
type MembersEvent struct{ Members []chat.Member }

// StateEvent reports a change of connection state; Err says why a
// connection was lost.
type StateEvent struct {
	State State
	Err   error
}

// RefusedEvent reports that the host refused a message; it is no longer
// pending.
type RefusedEvent struct {
	ID  string
	Err error
}

func (MessageEvent) event()  {}
func (PresenceEvent) event() {}
func (MembersEvent) event()  {}
func (StateEvent) event()    {}
func (RefusedEvent) event()  {}
