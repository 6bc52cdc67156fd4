package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/peer"
)

// Rooms joined before are remembered, with where they answered, so that
// they can be offered again when discovery finds nothing (multicast
// blocked, another subnet) and joined at their last address.

// stateRecent is the key of the recent rooms list.
const stateRecent = "recent"

// maxRecent bounds the list.
const maxRecent = 20

// recentRoom is a room joined before.
type recentRoom struct {
	Room       chat.Room `json:"room"` // Addrs: where it answered last
	LastJoined int64     `json:"last_joined"`
}

// RecentRoomDTO is a room joined before, for the lobby.
type RecentRoomDTO struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Host       string   `json:"host"`
	Addrs      []string `json:"addrs"`
	LastJoined int64    `json:"lastJoined"` // Unix milliseconds
}

func (a *App) loadRecent() []recentRoom {
	var list []recentRoom
	a.getJSON(stateRecent, &list)
	return list
}

// rememberRoom puts a joined room first in the recent list.
func (a *App) rememberRoom(room chat.Room) {
	list := slices.DeleteFunc(a.loadRecent(), func(r recentRoom) bool { return r.Room.ID == room.ID })
	list = append([]recentRoom{{Room: room, LastJoined: time.Now().UnixMilli()}}, list...)
	a.putJSON(stateRecent, list[:min(len(list), maxRecent)])
}

// RecentRooms lists the rooms this app joined before, most recent first.
func (a *App) RecentRooms() (rooms []RecentRoomDTO, err error) {
	defer a.guard("RecentRooms", &err)
	rooms = []RecentRoomDTO{}
	for _, r := range a.loadRecent() {
		rooms = append(rooms, RecentRoomDTO{ID: r.Room.ID, Name: r.Room.Name, Host: r.Room.Host, Addrs: orEmpty(r.Room.Addrs), LastJoined: r.LastJoined})
	}
	return rooms, nil
}

// JoinRecent joins a room joined before, trying its last addresses and
// wherever discovery sees it now, all at once.
func (a *App) JoinRecent(roomID string) (s SessionDTO, err error) {
	defer a.guard("JoinRecent", &err)
	nick, err := a.nick()
	if err != nil {
		return s, err
	}
	i := slices.IndexFunc(a.loadRecent(), func(r recentRoom) bool { return r.Room.ID == roomID })
	if i < 0 {
		return s, errors.New("That room is not among your recent rooms.")
	}
	room := a.loadRecent()[i].Room
	addrs := room.Addrs
	if live, _ := a.resolver(roomID)(context.Background()); len(live) > 0 {
		addrs = append(slices.Clone(live), addrs...)
	}
	if len(addrs) == 0 {
		return s, errors.New("No address is known for that room.")
	}
	a.leave()
	return a.join(peer.JoinConfig{Addrs: slices.Compact(addrs), Resolve: a.resolver(roomID), Nick: nick}, addrs[0], false)
}

// CopyInviteLink puts a link to the current room on the clipboard and
// returns it: parley://HOST:PORT/ROOM-ID, for someone discovery does not
// reach.
func (a *App) CopyInviteLink() (link string, err error) {
	defer a.guard("CopyInviteLink", &err)
	r := a.current()
	if r == nil {
		return "", errors.New("You are not in a room.")
	}
	addr, id := a.inviteAddr(r), r.roomID()
	if addr == "" || id == "" {
		return "", errors.New("This room has no address others can reach yet.")
	}
	link = peer.InviteLink(addr, id)
	a.mu.Lock()
	w := a.window
	a.mu.Unlock()
	if err := w.SetClipboard(link); err != nil {
		a.log.Warn("copy to clipboard", "err", err)
		return link, errors.New("The link could not be copied; select it and copy it yourself: " + link)
	}
	return link, nil
}

// inviteAddr is the address to invite people to: for a room we host, our
// LAN address now (it may have changed); for one we joined, where we
// reached it.
func (a *App) inviteAddr(r *roomSession) string {
	a.mu.Lock()
	h := a.host
	a.mu.Unlock()
	if r.hosting && h != nil {
		if addrs := h.Addrs(); len(addrs) > 0 {
			return addrs[0]
		}
		return ""
	}
	return r.address
}
