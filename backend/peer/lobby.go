package peer

import (
	"context"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/discovery"
)

// Lobby keeps the list of rooms on the LAN up to date.
type Lobby struct {
	browser *discovery.Browser
	cancel  context.CancelFunc
	done    chan struct{}
	err     error // set before done closes

	mu    sync.Mutex
	rooms []chat.Room
}

// OpenLobby starts browsing on the named interfaces, or — with none named
// — on the real LAN interfaces as they come and go (a Wi-Fi joined later
// is browsed too; having none for now is not an error). onChange, if set,
// gets the full list after every change, from one goroutine. An error
// means a named interface is unknown or unusable.
func OpenLobby(interfaces []string, log *slog.Logger, onChange func([]chat.Room)) (*Lobby, error) {
	var ifaces []net.Interface // nil: follow the LAN interfaces
	if len(interfaces) > 0 {
		var err error
		if ifaces, err = discovery.Interfaces(interfaces); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Lobby{
		browser: &discovery.Browser{Ifaces: ifaces, Logger: log},
		cancel:  cancel, done: make(chan struct{}),
	}
	go func() {
		defer close(l.done)
		l.err = l.browser.Run(ctx, func(rooms []chat.Room) {
			l.mu.Lock()
			l.rooms = rooms
			l.mu.Unlock()
			if onChange != nil {
				onChange(rooms)
			}
		})
	}()
	return l, nil
}

// Rooms returns the rooms currently listed.
func (l *Lobby) Rooms() []chat.Room {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.rooms)
}

// Room returns the listed room with the given id.
func (l *Lobby) Room(id string) (chat.Room, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := slices.IndexFunc(l.rooms, func(r chat.Room) bool { return r.ID == id })
	if i < 0 {
		return chat.Room{}, false
	}
	return l.rooms[i], true
}

// Resolver returns a function for JoinConfig.Resolve that finds the room's
// current addresses in the lobby.
func (l *Lobby) Resolver(id string) func(context.Context) ([]string, error) {
	return func(context.Context) ([]string, error) {
		r, _ := l.Room(id)
		return r.Addrs, nil
	}
}

// Suspect tells the lobby that a room did not answer, so it can drop the
// room early if the next browse does not see it either.
func (l *Lobby) Suspect(id string) { l.browser.Suspect(id) }

// Close stops browsing and waits for the browser to stop.
func (l *Lobby) Close() error {
	l.cancel()
	<-l.done
	return nil
}

// FindRooms browses once for wait and returns the rooms seen.
func FindRooms(ctx context.Context, interfaces []string, wait time.Duration) ([]chat.Room, error) {
	ifaces, err := discovery.Interfaces(interfaces)
	if err != nil {
		return nil, err
	}
	return discovery.Lookup(ctx, ifaces, wait)
}

// MatchRooms returns the rooms whose name is name, ignoring case, or whose
// id is name.
func MatchRooms(rooms []chat.Room, name string) []chat.Room {
	var out []chat.Room
	for _, r := range rooms {
		if strings.EqualFold(r.Name, strings.TrimSpace(name)) || r.ID == name {
			out = append(out, r)
		}
	}
	return out
}
