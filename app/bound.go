package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/peer"
)

// This file holds the methods the frontend calls. Each validates its input,
// calls the backend, recovers from panics and returns user-facing errors.

// Profile returns the saved profile; Nick is empty until the user picks one.
func (a *App) Profile() (p Profile, err error) {
	defer a.guard("Profile", &err)
	return a.profile.load()
}

// SetNick validates and saves the nickname.
func (a *App) SetNick(nick string) (p Profile, err error) {
	defer a.guard("SetNick", &err)
	nick, err = chat.ValidateNick(nick)
	if err != nil {
		return p, userError(err)
	}
	p, err = a.profile.load()
	if err != nil {
		a.log.Warn("profile unreadable, starting a new one", "err", err)
	}
	p.Nick = nick
	if err := a.profile.save(p); err != nil {
		return p, err
	}
	a.log.Info("nickname set", "nick", nick)
	return p, nil
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
		RoomName: name, Nick: nick, Interfaces: a.cfg.Interfaces,
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
	s, err = a.join(peer.JoinConfig{Addrs: []string{h.LocalAddr()}, Nick: nick, HostToken: h.Token()}, shown)
	if err != nil {
		a.closeHost()
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
	s, err = a.join(peer.JoinConfig{Addrs: room.Addrs, Resolve: lobby.Resolver(roomID), Nick: nick}, room.Addrs[0])
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
	return a.join(peer.JoinConfig{Addrs: []string{addr}, Nick: nick}, addr)
}

// Send posts a message to the current room and returns its id; the
// message itself comes back as a room:message event.
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

// join starts a session and makes it current.
func (a *App) join(cfg peer.JoinConfig, address string) (SessionDTO, error) {
	r := &roomSession{app: a, nick: cfg.Nick, address: address}
	cfg.OnEvent = r.onEvent
	cfg.Logger = a.log.With("part", "client")
	ctx, cancel := peer.JoinTimeout(context.Background())
	defer cancel()
	sess, err := peer.Join(ctx, cfg)
	if err != nil {
		a.log.Info("join failed", "address", address, "err", err)
		return SessionDTO{}, userError(fmt.Errorf("join %s: %w", address, err))
	}
	a.mu.Lock()
	r.start(sess, a.host != nil && cfg.HostToken != "")
	a.room = r
	a.mu.Unlock()
	go a.watch(r)
	w := sess.Welcome()
	a.log.Info("joined room", "room", w.Room.Name, "as", w.You, "address", address)
	return r.snapshot(), nil
}
