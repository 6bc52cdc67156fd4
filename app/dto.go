package app

import (
	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
)

// The DTOs below are the JSON shapes the frontend sees; frontend/src/lib/api.ts
// declares the same shapes in TypeScript.

// Profile is the user's saved settings.
type Profile struct {
	Nick string `json:"nick"`
}

// RoomDTO is a room in the lobby.
type RoomDTO struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Host  string   `json:"host"`
	Addrs []string `json:"addrs"`
	Mine  bool     `json:"mine"` // hosted by this app
}

// MemberDTO is a member of the current room.
type MemberDTO struct {
	Nick   string `json:"nick"`
	Host   bool   `json:"host"`
	Legacy bool   `json:"legacy"`
	You    bool   `json:"you"`
}

// MessageDTO is one chat message.
type MessageDTO struct {
	Seq  uint64 `json:"seq"`
	ID   string `json:"id"`
	From string `json:"from"`
	Text string `json:"text"`
	TS   int64  `json:"ts"`
	Mine bool   `json:"mine"`
}

// RoomRefDTO names the room of a session.
type RoomRefDTO struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Host    string `json:"host"`
	Address string `json:"address"`
}

// SessionDTO is the current room session.
type SessionDTO struct {
	Room     RoomRefDTO   `json:"room"`
	You      string       `json:"you"`
	Hosting  bool         `json:"hosting"`
	State    client.State `json:"state"`
	Members  []MemberDTO  `json:"members"`
	Messages []MessageDTO `json:"messages"`
	// Pending are messages sent but not yet acknowledged by the host,
	// oldest first; after a restart they come from the saved outbox.
	Pending []OutgoingDTO `json:"pending"`
}

// OutgoingDTO is a message on its way to the host.
type OutgoingDTO struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	TS   int64  `json:"ts"` // when it was written, Unix milliseconds; 0 if unknown
}

// OlderPageDTO is an answer to LoadOlder.
type OlderPageDTO struct {
	Messages []MessageDTO `json:"messages"`
	More     bool         `json:"more"`
}

// HostedRoomDTO is a room this app hosted before.
type HostedRoomDTO struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	LastUsed int64  `json:"lastUsed"` // Unix milliseconds
}

// StateDTO is the payload of EventState.
type StateDTO struct {
	State  client.State `json:"state"`
	Detail string       `json:"detail"`
}

// ClosedDTO is the payload of EventClosed.
type ClosedDTO struct {
	Reason string `json:"reason"`
}

// RefusedDTO is the payload of EventRefused.
type RefusedDTO struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// orEmpty makes a nil slice an empty one, so that JSON says [] not null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func roomDTOs(rooms []chat.Room, mine string) []RoomDTO {
	out := make([]RoomDTO, 0, len(rooms))
	for _, r := range rooms {
		out = append(out, RoomDTO{ID: r.ID, Name: r.Name, Host: r.Host, Addrs: orEmpty(r.Addrs), Mine: r.ID == mine})
	}
	return out
}

func memberDTOs(ms []chat.Member, you string) []MemberDTO {
	out := make([]MemberDTO, 0, len(ms))
	for _, m := range ms {
		out = append(out, MemberDTO{Nick: m.Nick, Host: m.Host, Legacy: m.Legacy, You: m.Nick == you})
	}
	return out
}

func messageDTO(m chat.Message, you string) MessageDTO {
	return MessageDTO{Seq: m.Seq, ID: m.ID, From: m.From, Text: m.Text, TS: m.TS, Mine: m.From == you}
}
