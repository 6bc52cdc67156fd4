package app

import (
	"encoding/json"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
	"github.com/parley-lan/parley/backend/store"
)

// The app keeps two things in its database besides hosted rooms: the room
// it is in, so that it rejoins it when reopened, and each room's outbox,
// so that messages typed but not yet delivered survive a restart.

// stateSession is the key of the saved session.
const stateSession = "session"

func outboxKey(roomID string) string { return "outbox/" + roomID }

// savedSession is the room the app was in when it last stopped.
type savedSession struct {
	Room    chat.Room `json:"room"` // id, name, host; Addrs: where it answered
	Address string    `json:"address"`
}

// openStore opens the app's database; without one the app still works,
// but hosted rooms start afresh each time and unsent messages do not
// survive a restart.
func (a *App) openStore() {
	path := a.cfg.DatabasePath
	if path == "" {
		var err error
		if path, err = store.DefaultPath(); err != nil {
			a.log.Warn("no place for the database; history will not be kept", "err", err)
			return
		}
	}
	s, err := store.Open(path, store.Options{Logger: a.log.With("part", "store")})
	if err != nil {
		a.log.Warn("database unavailable; history will not be kept", "err", err)
		return
	}
	a.mu.Lock()
	a.store = s
	a.mu.Unlock()
}

func (a *App) db() *store.Store {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.store
}

// putJSON stores v under key (nil deletes), logging failures: losing this
// state is a nuisance, not a reason to stop the chat.
func (a *App) putJSON(key string, v any) {
	s := a.db()
	if s == nil {
		return
	}
	var b []byte
	if v != nil {
		var err error
		if b, err = json.Marshal(v); err != nil {
			a.log.Error("encode app state", "key", key, "err", err)
			return
		}
	}
	if err := s.PutState(key, b); err != nil {
		a.log.Warn("save app state", "key", key, "err", err)
	}
}

// getJSON reads key into v and reports whether it was there.
func (a *App) getJSON(key string, v any) bool {
	s := a.db()
	if s == nil {
		return false
	}
	b, ok, err := s.GetState(key)
	if err != nil {
		a.log.Warn("read app state", "key", key, "err", err)
		return false
	}
	if !ok {
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		a.log.Warn("app state unreadable; ignoring it", "key", key, "err", err)
		return false
	}
	return true
}

// savedOutgoing is an outbox entry as kept on disk: the message and when
// it was written, so a restored pending message shows its own time.
type savedOutgoing struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	TS   int64  `json:"ts"` // Unix milliseconds
}

// saveOutbox returns the function that keeps a session's outbox.
func (a *App) saveOutbox(r *roomSession) func([]protocol.Send) {
	return func(out []protocol.Send) {
		id := r.roomID()
		if id == "" {
			return
		}
		if len(out) == 0 {
			a.putJSON(outboxKey(id), nil)
			return
		}
		saved := make([]savedOutgoing, len(out))
		for i, s := range out {
			saved[i] = savedOutgoing{ID: s.ID, Text: s.Text, TS: r.writtenAt(s.ID)}
		}
		a.putJSON(outboxKey(id), saved)
	}
}

// loadOutbox returns a room's saved outbox and when each was written.
func (a *App) loadOutbox(roomID string) ([]protocol.Send, map[string]int64) {
	var saved []savedOutgoing
	a.getJSON(outboxKey(roomID), &saved)
	out, written := make([]protocol.Send, len(saved)), map[string]int64{}
	for i, s := range saved {
		out[i] = protocol.Send{ID: s.ID, Text: s.Text}
		written[s.ID] = s.TS
	}
	return out, written
}
