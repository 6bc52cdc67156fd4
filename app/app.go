// Package app is the desktop window's door onto the backend: App's exported
// methods are bound by Wails and called from the frontend (see
// frontend/src/lib/api.ts), and room events go back as Wails events (see
// events.go). It is the only package that imports the Wails runtime. The
// terminal commands live in app/cli.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"sync"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/peer"
	"github.com/parley-lan/parley/backend/store"
)

// Config configures an App.
type Config struct {
	// ConfigDir holds the profile; empty means DefaultConfigDir.
	ConfigDir string
	// Interfaces limits discovery and advertising to these network
	// interfaces; empty means every real LAN interface.
	Interfaces []string
	// NoDiscovery turns LAN discovery off (tests in a shared network).
	NoDiscovery bool
	// DatabasePath is the app's database (hosted rooms and their
	// history, unsent messages); empty means store.DefaultPath.
	DatabasePath string
	// Logger receives logs; nil discards them.
	Logger *slog.Logger
}

// App is the Wails-bound façade. Bound methods run concurrently, each in
// its own goroutine; mu guards the state they share.
type App struct {
	cfg     Config
	log     *slog.Logger
	profile profileStore

	mu     sync.Mutex
	window Window
	lobby  *peer.Lobby
	store  *store.Store // nil when the database could not be opened
	rooms  []chat.Room  // as last reported by the lobby
	host   *peer.Host   // the room we host, if any
	room   *roomSession
}

// New returns an App; the lobby starts when the window does.
func New(cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ConfigDir == "" {
		dir, err := DefaultConfigDir()
		if err != nil {
			return nil, err
		}
		cfg.ConfigDir = dir
	}
	return &App{
		cfg: cfg, log: cfg.Logger, window: noWindow{},
		profile: profileStore{path: filepath.Join(cfg.ConfigDir, "profile.json")},
	}, nil
}

// Hooks returns the functions to pass as Wails' OnStartup and OnShutdown.
// They are plain functions, not methods of App, so Wails does not bind
// them for the frontend.
func Hooks(a *App) (startup, shutdown func(context.Context)) {
	startup = func(ctx context.Context) { a.start(wailsWindow{ctx}) }
	shutdown = func(context.Context) { a.stop() }
	return startup, shutdown
}

// start sets the window and opens the database and the lobby. Hooks calls it when the
// window is up; tests call it with their own Window.
func (a *App) start(w Window) {
	a.mu.Lock()
	a.window = w
	a.mu.Unlock()
	if p, err := a.profile.load(); err == nil && len(a.cfg.Interfaces) == 0 && len(p.Interfaces) > 0 {
		a.cfg.Interfaces = p.Interfaces // the setting in profile.json
		a.log.Info("discovery limited to interfaces from the profile", "interfaces", p.Interfaces)
	}
	a.openStore()
	if !a.cfg.NoDiscovery {
		a.openLobby()
	}
	a.restore()
}

func (a *App) openLobby() {
	lobby, err := peer.OpenLobby(a.cfg.Interfaces, a.log.With("part", "lobby"), a.onRooms)
	if err != nil {
		a.log.Warn("LAN discovery unavailable", "err", err)
		return
	}
	a.mu.Lock()
	a.lobby = lobby
	a.mu.Unlock()
}

// stop disconnects (keeping the session saved, so the app rejoins when it
// is opened again), closes a hosted room, stops browsing and closes the
// database.
func (a *App) stop() {
	a.disconnect(false)
	a.mu.Lock()
	lobby, db := a.lobby, a.store
	a.lobby, a.store = nil, nil
	a.mu.Unlock()
	if lobby != nil {
		lobby.Close()
	}
	if db != nil {
		db.Close()
	}
}

func (a *App) emit(name string, data any) {
	a.mu.Lock()
	w := a.window
	a.mu.Unlock()
	w.Emit(name, data)
}

// onRooms receives the lobby's list.
func (a *App) onRooms(rooms []chat.Room) {
	a.mu.Lock()
	a.rooms = rooms
	a.mu.Unlock()
	a.log.Info("lobby updated", "rooms", len(rooms))
	a.emit(EventRooms, a.roomList())
}

// roomList is the lobby as the user sees it: discovered rooms, plus the
// room we host even when our own advertisement is not seen here
// (multicast off, or discovery unavailable).
func (a *App) roomList() []RoomDTO {
	a.mu.Lock()
	defer a.mu.Unlock()
	rooms, mine := a.rooms, ""
	if a.host != nil {
		own := a.host.Room()
		mine = own.ID
		found := false
		for _, r := range rooms {
			found = found || r.ID == own.ID
		}
		if !found {
			own.Addrs = []string{a.host.LocalAddr()}
			rooms = append([]chat.Room{own}, rooms...)
		}
	}
	return roomDTOs(rooms, mine)
}

// guard turns a panic in a bound method into an error: a panic would
// otherwise take the whole window down.
func (a *App) guard(method string, err *error) {
	if r := recover(); r != nil {
		a.log.Error("panic in bound method", "method", method, "panic", r, "stack", string(debug.Stack()))
		*err = fmt.Errorf("internal error in %s; see the log", method)
	}
}
