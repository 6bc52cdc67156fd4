package chat

import "time"

// Room is a hosted chat room as the lobby and the wire protocol see it.
type Room struct {
	// ID is the room's stable identity: 16 lowercase hex digits chosen by
	// the host. Two adverts with the same ID are the same room.
	ID string `json:"id"`
	// Name is the human name of the room, plain UTF-8.
	Name string `json:"name"`
	// Host is the host's nickname.
	Host string `json:"host"`
	// Addrs are "ip:port" strings where the room answers. Empty on the wire
	// protocol (the joiner already knows where it connected).
	Addrs []string `json:"addrs,omitempty"`
}

// Member is one participant of a room.
type Member struct {
	Nick string `json:"nick"`
	// Host is true for the member who runs the room.
	Host bool `json:"host,omitempty"`
	// Legacy is true for a tutorial-style text client: its traffic is plain
	// text with no ids, sequence numbers or encryption.
	Legacy bool `json:"legacy,omitempty"`
}

// Message is one chat line as stamped by the host.
type Message struct {
	// Seq is the per-room sequence number, assigned by the host, starting
	// at 1 and increasing by one for every message.
	Seq uint64 `json:"seq"`
	// ID is chosen by the sender so a resend can be recognised. Legacy
	// clients have no ids; the host makes one up.
	ID   string `json:"id"`
	From string `json:"from"`
	Text string `json:"text"`
	// TS is the host's clock when it accepted the message, in Unix
	// milliseconds.
	TS int64 `json:"ts"`
}

// Time returns the message's timestamp as a time.Time.
func (m Message) Time() time.Time { return time.UnixMilli(m.TS) }

// Entry is a message as the host records it: the message and the client
// that sent it, so that a resend is recognised even after a restart. The
// client id never leaves the host.
type Entry struct {
	Message
	ClientID string
}
