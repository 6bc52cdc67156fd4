package app

import (
	"slices"
	"sync"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
	"github.com/parley-lan/parley/backend/peer"
)

// timelineLimit is how many messages a session keeps for the window to
// redraw after a reload.
const timelineLimit = 500

// roomSession is the app's view of one joined room: the backend session
// plus what the window needs to redraw itself.
type roomSession struct {
	app     *App
	nick    string // ours, known before the host welcomes us
	address string // shown to the user
	hosting bool
	sess    *peer.Session
	leaving bool             // Leave was asked for; guarded by app.mu
	batch   *activityBatcher // room:activity events; set by withBatcher

	mu       sync.Mutex // guards the following
	room     chat.Room  // from the welcome, or the saved session until then
	state    client.State
	written  map[string]int64 // pending message id → when it was written (ms)
	messages []chat.Message
	members  []chat.Member
}

// writtenAt returns when the pending message id was written, recording
// now the first time it is asked.
func (r *roomSession) writtenAt(id string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.written == nil {
		r.written = map[string]int64{}
	}
	ts, ok := r.written[id]
	if !ok {
		ts = time.Now().UnixMilli()
		r.written[id] = ts
	}
	return ts
}

// roomID is the room's id once known; the outbox is kept under it.
func (r *roomSession) roomID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.room.ID
}

// started records a session that the host has welcomed. The history
// arrives as message events, possibly before this runs; onEvent keeps
// them.
func (r *roomSession) started(sess *peer.Session) {
	w := sess.Welcome()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sess, r.room = sess, w.Room
	if r.state == "" {
		r.state = client.StateConnected
	}
	if r.members == nil {
		r.members = w.Members
	}
}

// withBatcher gives r its activity batcher, and returns it.
func (r *roomSession) withBatcher() *roomSession {
	r.batch = newActivityBatcher(func(a ActivityDTO) { r.app.emit(EventActivity, a) })
	return r
}

// onEvent turns client events into window events, keeping the snapshot
// current. Messages, joins, leaves and member lists go in batches (see
// activityBatcher); any other event first sends the activity before it.
func (r *roomSession) onEvent(e client.Event) {
	you := r.nick
	switch e := e.(type) {
	case client.MessageEvent:
		r.addMessage(e.Message)
		r.batch.add(messageDTO(e.Message, you))
		return
	case client.PresenceEvent:
		r.setMembers(e.Members)
		r.batch.change(e.Kind, e.Nick, e.TS, memberDTOs(e.Members, you))
		return
	case client.MembersEvent:
		r.setMembers(e.Members)
		r.batch.members(memberDTOs(e.Members, you))
		return
	}
	r.batch.flush()
	switch e := e.(type) {
	case client.StateEvent:
		r.setState(e.State)
		detail := ""
		if e.Err != nil {
			detail = userError(e.Err).Error()
		}
		r.app.emit(EventState, StateDTO{State: e.State, Detail: detail})
	case client.RefusedEvent:
		r.app.emit(EventRefused, RefusedDTO{ID: e.ID, Reason: userError(e.Err).Error()})
	}
}

// addMessage keeps m for a redraw. The oldest go in bulk once twice as
// many as needed have piled up, rather than one copy of the whole slice
// per message, which a busy room pays for every message.
func (r *roomSession) addMessage(m chat.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, m)
	if len(r.messages) >= 2*timelineLimit {
		r.messages = slices.Delete(r.messages, 0, len(r.messages)-timelineLimit)
	}
}

func (r *roomSession) setMembers(ms []chat.Member) {
	r.mu.Lock()
	r.members = ms
	r.mu.Unlock()
}

// setState records the connection state; on (re)connecting it refreshes
// the room from the welcome, which a restored session gets only now.
func (r *roomSession) setState(s client.State) {
	r.mu.Lock()
	r.state = s
	sess := r.sess
	r.mu.Unlock()
	if s != client.StateConnected || sess == nil {
		return
	}
	if w := sess.Welcome(); w.Room.ID != "" {
		r.mu.Lock()
		r.room = w.Room
		r.mu.Unlock()
	}
}

// snapshot is the session as the window draws it.
func (r *roomSession) snapshot() SessionDTO {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := r.messages[max(0, len(r.messages)-timelineLimit):]
	msgs := make([]MessageDTO, 0, len(kept))
	for _, m := range kept {
		msgs = append(msgs, messageDTO(m, r.nick))
	}
	pending := []OutgoingDTO{}
	if r.sess != nil {
		for _, p := range r.sess.PendingMessages() {
			pending = append(pending, OutgoingDTO{ID: p.ID, Text: p.Text, TS: r.written[p.ID]})
		}
	}
	return SessionDTO{
		Room:     RoomRefDTO{ID: r.room.ID, Name: r.room.Name, Host: r.room.Host, Address: r.address},
		You:      r.nick,
		Hosting:  r.hosting,
		State:    r.state,
		Members:  memberDTOs(r.members, r.nick),
		Messages: msgs,
		Pending:  pending,
	}
}

// current returns the session in progress, if any.
func (a *App) current() *roomSession {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.room
}

// watch waits for a session to end by itself (the host closed the room,
// or refused us for good) and tells the window.
func (a *App) watch(r *roomSession) {
	<-r.sess.Done()
	a.mu.Lock()
	mine := a.room == r
	leaving := r.leaving
	if mine {
		a.room = nil
	}
	a.mu.Unlock()
	if !mine || leaving {
		return
	}
	reason := "You left the room."
	if err := r.sess.Err(); err != nil {
		reason = userError(err).Error()
	}
	a.log.Info("session ended", "reason", reason)
	r.batch.flush()
	r.batch.stop()
	a.forget(r)
	a.closeHost(true)
	a.emit(EventClosed, ClosedDTO{Reason: reason})
}

// leave is the user leaving: the session, its saved state and its outbox
// go, and a hosted room closes for everyone.
func (a *App) leave() { a.disconnect(true) }

// disconnect ends the current session and stops hosting, if we host.
// With forget (the user leaving), the saved session and its outbox are
// dropped and a hosted room is closed for good. Without (the app closing),
// they stay: the app rejoins when opened again, and the members of a room
// we host wait for it to be hosted again.
func (a *App) disconnect(forget bool) {
	a.mu.Lock()
	r := a.room
	a.room = nil
	if r != nil {
		r.leaving = true
	}
	a.mu.Unlock()
	if r != nil {
		r.sess.Leave()
		r.batch.stop()
		if forget {
			a.forget(r)
		}
		a.log.Info("left room")
	}
	if a.closeHost(forget) {
		a.emit(EventRooms, a.roomList())
	}
}

// forget drops a session's saved state.
func (a *App) forget(r *roomSession) {
	if r.hosting {
		return
	}
	a.putJSON(stateSession, nil)
	if id := r.roomID(); id != "" {
		a.putJSON(outboxKey(id), nil)
	}
}

// closeHost stops hosting, if we host, and reports whether we did. With
// closeRoom the room is closed for good; otherwise its members are told the
// host went away and keep waiting for it.
func (a *App) closeHost(closeRoom bool) bool {
	a.mu.Lock()
	h := a.host
	a.host = nil
	a.mu.Unlock()
	if h == nil {
		return false
	}
	if closeRoom {
		h.CloseRoom()
	} else {
		h.Close()
	}
	return true
}
