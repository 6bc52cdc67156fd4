package app

import (
	"slices"
	"sync"

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
	address string
	sess    *peer.Session
	hosting bool
	leaving bool // Leave was asked for; guarded by app.mu

	mu       sync.Mutex // guards the following
	state    client.State
	messages []chat.Message
	members  []chat.Member
}

// start records the session and its welcome. The history arrives as
// message events, possibly before start runs; onEvent keeps them.
func (r *roomSession) start(sess *peer.Session, hosting bool) {
	w := sess.Welcome()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sess, r.hosting = sess, hosting
	if r.state == "" {
		r.state = client.StateConnected
	}
	if r.members == nil {
		r.members = w.Members
	}
}

// onEvent turns client events into window events, keeping the snapshot
// current.
func (r *roomSession) onEvent(e client.Event) {
	you := r.nick
	switch e := e.(type) {
	case client.MessageEvent:
		r.mu.Lock()
		r.messages = append(r.messages, e.Message)
		if over := len(r.messages) - timelineLimit; over > 0 {
			r.messages = slices.Delete(r.messages, 0, over)
		}
		r.mu.Unlock()
		r.app.emit(EventMessage, messageDTO(e.Message, you))
	case client.PresenceEvent:
		r.setMembers(e.Members)
		r.app.emit(EventPresence, PresenceDTO{Kind: e.Kind, Nick: e.Nick, TS: e.TS, Members: memberDTOs(e.Members, you)})
	case client.MembersEvent:
		r.setMembers(e.Members)
		r.app.emit(EventPresence, PresenceDTO{Kind: "sync", Members: memberDTOs(e.Members, you)})
	case client.StateEvent:
		r.mu.Lock()
		r.state = e.State
		r.mu.Unlock()
		detail := ""
		if e.Err != nil {
			detail = userError(e.Err).Error()
		}
		r.app.emit(EventState, StateDTO{State: e.State, Detail: detail})
	case client.RefusedEvent:
		r.app.emit(EventRefused, RefusedDTO{ID: e.ID, Reason: userError(e.Err).Error()})
	}
}

func (r *roomSession) setMembers(ms []chat.Member) {
	r.mu.Lock()
	r.members = ms
	r.mu.Unlock()
}

// snapshot is the session as the window draws it.
func (r *roomSession) snapshot() SessionDTO {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.sess.Welcome()
	msgs := make([]MessageDTO, 0, len(r.messages))
	for _, m := range r.messages {
		msgs = append(msgs, messageDTO(m, w.You))
	}
	return SessionDTO{
		Room:     RoomRefDTO{ID: w.Room.ID, Name: w.Room.Name, Host: w.Room.Host, Address: r.address},
		You:      w.You,
		Hosting:  r.hosting,
		State:    r.state,
		Members:  memberDTOs(r.members, w.You),
		Messages: msgs,
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
	a.closeHost()
	a.emit(EventClosed, ClosedDTO{Reason: reason})
}

// leave ends the current session and closes the hosted room, if any.
func (a *App) leave() {
	a.mu.Lock()
	r := a.room
	a.room = nil
	if r != nil {
		r.leaving = true
	}
	a.mu.Unlock()
	if r != nil {
		r.sess.Leave()
		a.log.Info("left room")
	}
	if a.closeHost() {
		a.emit(EventRooms, a.roomList())
	}
}

// closeHost closes the hosted room, if any, and reports whether there was
// one.
func (a *App) closeHost() bool {
	a.mu.Lock()
	h := a.host
	a.host = nil
	a.mu.Unlock()
	if h == nil {
		return false
	}
	h.Close()
	return true
}
