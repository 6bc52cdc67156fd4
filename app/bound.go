package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
	"github.com/parley-lan/parley/backend/peer"
)

// This file holds the methods the frontend calls. Each validates its input,
// calls the backend, recovers from panics and returns user-facing errors.

// Profile returns the saved profile; Nick is empty until the user picks one.
func (a *App) Profile() (p Profile, err error) {
	defer a.guard("Profile", &err)
	f, err := a.profile.load()
	return Profile{Nick: f.Nick}, err
}

// SetNick validates and saves the nickname.
func (a *App) SetNick(nick string) (p Profile, err error) {
	defer a.guard("SetNick", &err)
	nick, err = chat.ValidateNick(nick)
	if err != nil {
		return p, userError(err)
	}
	f, err := a.profile.load()
	if err != nil {
		a.log.Warn("profile unreadable, starting a new one", "err", err)
		f = profileFile{}
	}
	f.Nick = nick
	if err := a.profile.save(f); err != nil {
		return p, err
	}
	a.log.Info("nickname set", "nick", nick)
	return Profile{Nick: nick}, nil
}

// Rooms returns the rooms in the lobby.
func (a *App) Rooms() (rooms []RoomDTO, err error) {
	defer a.guard("Rooms", &err)
	return a.roomList(), nil
}

// HostRoom starts hosting a room with the given name and joins it.
func (a *App) HostRoom(name string) (s SessionDTO, err error) {
	defer a.guard("HostRoom", &err)
	nick, err := a.nick()
	if err != nil {
		return s, err
	}
	a.leave()
	h, err := peer.StartHost(peer.HostConfig{
		RoomName: name, Nick: nick, Interfaces: a.cfg.Interfaces, Store: a.db(),
		NoAdvertise: a.cfg.NoDiscovery, Logger: a.log, // peer names its own parts
	})
	if err != nil {
		return s, userError(err)
	}
	a.mu.Lock()
	a.host = h
	a.mu.Unlock()
	shown := h.LocalAddr() // what to tell others: a LAN address if there is one
	if addrs := h.Addrs(); len(addrs) > 0 {
		shown = addrs[0]
	}
	s, err = a.join(peer.JoinConfig{Addrs: []string{h.LocalAddr()}, Nick: nick, HostToken: h.Token()}, shown, true)
	if err != nil {
		a.closeHost(true)
		return s, err
	}
	a.emit(EventRooms, a.roomList())
	return s, nil
}

// JoinRoom joins a room from the lobby.
func (a *App) JoinRoom(roomID string) (s SessionDTO, err error) {
	defer a.guard("JoinRoom", &err)
	nick, err := a.nick()
	if err != nil {
		return s, err
	}
	a.mu.Lock()
	lobby, hosted := a.lobby, a.host
	a.mu.Unlock()
	if r := a.current(); r != nil && hosted != nil && hosted.Room().ID == roomID {
		return r.snapshot(), nil // already in our own room
	}
	if lobby == nil {
		return s, errors.New("LAN discovery is not running here; use Join by address.")
	}
	room, ok := lobby.Room(roomID)
	if !ok {
		return s, errors.New("That room is no longer on the network.")
	}
	if len(room.Addrs) == 0 {
		return s, errors.New("That room has no reachable address right now; try again in a moment.")
	}
	a.leave()
	s, err = a.join(peer.JoinConfig{Addrs: room.Addrs, Resolve: a.resolver(roomID), Nick: nick}, room.Addrs[0], false)
	if err != nil && !isRefusal(err) {
		lobby.Suspect(roomID)
	}
	return s, err
}

// JoinAddress joins a room by "host:port" (or a parley:// link), for
// networks where discovery does not work.
func (a *App) JoinAddress(address string) (s SessionDTO, err error) {
	defer a.guard("JoinAddress", &err)
	nick, err := a.nick()
	if err != nil {
		return s, err
	}
	addr, err := peer.ParseAddress(address)
	if err != nil {
		return s, err
	}
	a.leave()
	return a.join(peer.JoinConfig{Addrs: []string{addr}, Nick: nick}, addr, false)
}

// Send posts a message to the current room and returns its id; the
// message itself comes back in a room:activity event.
func (a *App) Send(text string) (id string, err error) {
	defer a.guard("Send", &err)
	r := a.current()
	if r == nil {
		return "", errors.New("You are not in a room.")
	}
	id, err = r.sess.Send(text)
	return id, userError(err)
}

// Leave leaves the current room; a hosted room closes for everyone.
func (a *App) Leave() (err error) {
	defer a.guard("Leave", &err)
	a.leave()
	return nil
}

// ActivityShown is the window saying it has drawn the last room:activity
// event, so that the next one may come (see activityBatcher).
func (a *App) ActivityShown() (err error) {
	defer a.guard("ActivityShown", &err)
	if r := a.current(); r != nil {
		r.batch.shown()
	}
	return nil
}

// LoadOlder returns up to 100 messages of the current room from before
// seq before, and whether there are older ones still.
func (a *App) LoadOlder(before uint64) (page OlderPageDTO, err error) {
	defer a.guard("LoadOlder", &err)
	r := a.current()
	if r == nil || r.sess == nil {
		return page, errors.New("You are not in a room.")
	}
	ctx, cancel := context.WithTimeout(context.Background(), olderTimeout)
	defer cancel()
	msgs, more, err := r.sess.Older(ctx, before, olderPage)
	if errors.Is(err, client.ErrNotConnected) {
		return page, errors.New("Not connected to the room yet.")
	}
	if err != nil {
		return page, userError(fmt.Errorf("load older messages: %w", err))
	}
	page.Messages, page.More = make([]MessageDTO, 0, len(msgs)), more
	for _, m := range msgs {
		page.Messages = append(page.Messages, messageDTO(m, r.nick))
	}
	return page, nil
}

const (
	olderPage    = 100
	olderTimeout = 10 * time.Second
)

// HostedRooms lists the rooms this app hosted before, most recent first;
// hosting one of them again brings back its identity and history.
func (a *App) HostedRooms() (rooms []HostedRoomDTO, err error) {
	defer a.guard("HostedRooms", &err)
	rooms = []HostedRoomDTO{}
	s := a.db()
	if s == nil {
		return rooms, nil
	}
	hosted, err := s.Rooms()
	if err != nil {
		return rooms, err
	}
	for _, h := range hosted {
		rooms = append(rooms, HostedRoomDTO{ID: h.ID, Name: h.Name, LastUsed: h.LastUsed.UnixMilli()})
	}
	return rooms, nil
}

// Session returns the current session, or nil (null) when not in a room.
func (a *App) Session() (s *SessionDTO, err error) {
	defer a.guard("Session", &err)
	r := a.current()
	if r == nil {
		return nil, nil
	}
	snap := r.snapshot()
	return &snap, nil
}

func (a *App) nick() (string, error) {
	p, err := a.profile.load()
	if err != nil {
		return "", err
	}
	if p.Nick == "" {
		return "", errors.New("Choose a nickname first.")
	}
	return p.Nick, nil
}

// clientID returns this app's stable client id, making one on first use.
func (a *App) clientID() string {
	p, err := a.profile.load()
	if err == nil && p.ClientID != "" {
		return p.ClientID
	}
	p.ClientID = chat.NewID()
	if err := a.profile.save(p); err != nil {
		a.log.Warn("could not save the client id; resends after a restart may show twice", "err", err)
	}
	return p.ClientID
}

// join starts a session and makes it current. A joined room (not our
// own) is saved, with its outbox, so the app rejoins it when reopened.
func (a *App) join(cfg peer.JoinConfig, address string, hosting bool) (SessionDTO, error) {
	r := (&roomSession{app: a, nick: cfg.Nick, address: address, hosting: hosting}).withBatcher()
	cfg.OnEvent = r.onEvent
	cfg.Logger = a.log.With("part", "client")
	cfg.ClientID = a.clientID()
	if !hosting {
		cfg.SaveOutbox = a.saveOutbox(r)
	}
	ctx, cancel := peer.JoinTimeout(context.Background())
	defer cancel()
	sess, err := peer.Join(ctx, cfg)
	if err != nil {
		a.log.Info("join failed", "address", address, "err", err)
		return SessionDTO{}, userError(fmt.Errorf("join %s: %w", address, err))
	}
	r.started(sess)
	a.mu.Lock()
	a.room = r
	a.mu.Unlock()
	go a.watch(r)
	w := sess.Welcome()
	if !hosting {
		room := w.Room
		room.Addrs = cfg.Addrs
		a.putJSON(stateSession, savedSession{Room: room, Address: address})
		a.rememberRoom(room)
	}
	a.log.Info("joined room", "room", w.Room.Name, "as", w.You, "address", address)
	return r.snapshot(), nil
}

// restore rejoins the room the app was in when it was last closed, with
// the messages that had not been delivered. The room may be away for a
// while; the session keeps trying in state "connecting".
func (a *App) restore() {
	var saved savedSession
	if !a.getJSON(stateSession, &saved) || saved.Room.ID == "" {
		return
	}
	nick, err := a.nick()
	if err != nil {
		return
	}
	r := (&roomSession{app: a, nick: nick, address: saved.Address, room: saved.Room, state: client.StateConnecting}).withBatcher()
	outbox, written := a.loadOutbox(saved.Room.ID)
	r.written = written
	sess, err := peer.Resume(peer.JoinConfig{
		Addrs: saved.Room.Addrs, Resolve: a.resolver(saved.Room.ID), Nick: nick, ClientID: a.clientID(),
		Outbox: outbox, SaveOutbox: a.saveOutbox(r), OnEvent: r.onEvent, Logger: a.log.With("part", "client"),
	})
	if err != nil {
		a.log.Warn("cannot rejoin the last room", "err", err)
		return
	}
	r.mu.Lock()
	r.sess = sess
	r.mu.Unlock()
	a.mu.Lock()
	a.room = r
	a.mu.Unlock()
	go a.watch(r)
	a.log.Info("rejoining room", "room", saved.Room.Name, "pending", len(outbox))
}

// resolver finds a room's current addresses in the lobby, for reconnects:
// a host that restarted may listen elsewhere.
func (a *App) resolver(roomID string) func(context.Context) ([]string, error) {
	return func(context.Context) ([]string, error) {
		a.mu.Lock()
		lobby := a.lobby
		a.mu.Unlock()
		if lobby == nil {
			return nil, nil
		}
		room, _ := lobby.Room(roomID)
		return room.Addrs, nil
	}
}
