// Package protocol is Parley's wire format: newline-delimited JSON frames over
// TCP, the handshake, the size limits and the version. docs/protocol.md is the
// prose version of this comment; keep the two in step.
//
// # Protocol flow
//
// A native client connects and speaks first:
//
//	client → host   hello   {v, nick, client_id, resume_from?, host_token?, batch?}
//	host → client   welcome {v, room, you, members, seq}
//	             or error   {code, message} and the host closes
//	host → client   msg …                       the history asked for
//	host → others   join    {nick, legacy?, host?, ts}
//
// Then, in any order:
//
//	client → host   send  {id, text}           id chosen by the client
//	host → all      msg   {seq, id, from, text, ts}  the sender's copy is its ack
//	             or msgs  {seq, ts, msgs: [{id, from, text}, …]}  if hello had batch
//	host → all      join / leave {nick, ts}
//	either way      ping → pong                 heartbeat
//	host → client   error {code, message, id?}  a refused send or a bad frame
//	client → host   bye   {reason}              leaving on purpose
//	host → all      bye   {reason}              the host is closing the room
//
// A client whose hello says batch reads msgs frames: the host sends it the
// room's messages, as they are posted, in msgs frames, each holding the
// messages with seq S, S+1, … that share one ts (the host stamps all the
// messages it records together with one ts) and fit in one frame: a busy
// room's stream in fewer bytes and frames. A message that would be alone in
// its frame comes as a msg frame, which is shorter. The history after the
// welcome, history pages and the answer to a repeated send stay msg frames,
// and a host that predates batch ignores it and sends msg frames only, so
// such a client reads both.
//
// Every frame is one JSON object on one line, at most MaxFrame bytes
// including the newline; the limit is checked before the line is buffered in
// full. Every frame has a "type". Unknown types decode to Unknown and are
// ignored, so newer peers can add frames. A malformed frame earns an error
// frame; repeated ones close the connection.
//
// A connection that stays silent for LegacyWait after connecting, or whose
// first byte is not '{', is a legacy (tutorial-style) text client; package
// server handles that mode, and this package is not involved.
package protocol

import "time"

// Version is the protocol version sent in hello and welcome.
const Version = 1

// Limits and timings shared by both ends.
const (
	// MaxFrame is the largest frame accepted, newline included.
	MaxFrame = 64 << 10
	// HistoryLimit is how many recent messages a new member is sent.
	HistoryLimit = 200
	// HandshakeTimeout bounds the time from connect to a complete hello.
	HandshakeTimeout = 10 * time.Second
	// PingInterval is how often each side pings a silent peer.
	PingInterval = 5 * time.Second
	// DeadAfter is how long a connection may stay silent before it is
	// considered dead: three missed pings.
	DeadAfter = 3 * PingInterval
	// LegacyWait is how long the host waits for a first byte before it
	// treats the connection as a legacy text client.
	LegacyWait = 300 * time.Millisecond
)
