// Package peer composes the backend into what a person does: host a room
// (a server plus its mDNS advertisement), join one (a reconnecting client),
// and watch the lobby (a discovery browser). The desktop façade and the
// command line both stand on this package, so they behave the same.
package peer

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/discovery"
	"github.com/parley-lan/parley/backend/server"
	"github.com/parley-lan/parley/backend/store"
)

// HostConfig configures a hosted room.
type HostConfig struct {
	// RoomName is the human name of the room.
	RoomName string
	// Nick is the host's nickname, reserved for the host's own client.
	Nick string
	// RoomID keeps a room's identity across restarts; zero means a new one.
	RoomID string
	// Port is the TCP port to listen on; zero lets the OS choose.
	Port int
	// Interfaces names the network interfaces to advertise on; empty means
	// every real LAN interface (virtual ones are skipped).
	Interfaces []string
	// NoAdvertise hosts without announcing the room (join by address only).
	NoAdvertise bool
	// NoLegacy refuses plain-text clients.
	NoLegacy bool
	// Store keeps the room's identity, port and history, so that hosting
	// a room of the same name again (after a restart or a crash) brings
	// back the same room; nil hosts in memory only.
	Store *store.Store
	// Logger receives logs; nil discards them.
	Logger *slog.Logger
}

// Host is a running hosted room.
type Host struct {
	room      chat.Room
	token     string
	port      int
	srv       *server.Server
	ln        net.Listener
	adv       *discovery.Announcer // nil when not advertised
	advErr    error                // why not, if not
	ifaces    []string             // the interfaces asked for; nil: the LAN ones
	served    chan error
	closeOnce sync.Once
	log       *slog.Logger
}

// StartHost validates cfg, listens, starts serving and advertises the room.
// A failure to advertise is not fatal: the room still answers on its port,
// and AdvertiseErr says why nobody will find it by browsing.
func StartHost(cfg HostConfig) (*Host, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	room, lastPort, err := newRoom(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := listenPreferring(cfg.Port, lastPort)
	if err != nil {
		return nil, err
	}
	h := &Host{room: room, token: chat.NewID() + chat.NewID(), port: ln.Addr().(*net.TCPAddr).Port, ln: ln, served: make(chan error, 1), log: log}
	scfg := server.Config{Room: room, HostToken: h.token, NoLegacy: cfg.NoLegacy, Logger: log.With("part", "server")}
	if cfg.Store != nil {
		scfg.History = cfg.Store.Log(room.ID)
		err = cfg.Store.SaveRoom(store.HostedRoom{Room: room, Port: h.port, LastUsed: time.Now()})
	}
	if err == nil {
		h.srv, err = server.New(scfg)
	}
	if err != nil {
		ln.Close()
		return nil, err
	}
	go func() { h.served <- h.srv.Serve(ln) }()
	if cfg.NoAdvertise {
		h.advErr = errors.New("advertising is turned off")
	} else if h.adv, h.advErr = discovery.Announce(discovery.AnnounceConfig{
		Room: room, Port: h.port, Names: cfg.Interfaces, Logger: log.With("part", "advertise"),
	}); h.advErr != nil {
		log.Warn("room is not advertised on the LAN", "err", h.advErr, "port", h.port)
	}
	h.ifaces = cfg.Interfaces
	log.Info("hosting room", "room", room.Name, "id", room.ID, "port", h.port)
	return h, nil
}

// newRoom validates cfg and returns the room to host: the one of that name
// in the store, if any (same id, and the port it had), or a new one.
func newRoom(cfg HostConfig) (chat.Room, int, error) {
	name, err := chat.ValidateRoomName(cfg.RoomName)
	if err != nil {
		return chat.Room{}, 0, err
	}
	nick, err := chat.ValidateNick(cfg.Nick)
	if err != nil {
		return chat.Room{}, 0, err
	}
	room := chat.Room{ID: cfg.RoomID, Name: name, Host: nick}
	lastPort := 0
	if cfg.Store != nil && room.ID == "" {
		known, found, err := cfg.Store.FindRoom(name)
		if err != nil {
			return chat.Room{}, 0, err
		}
		if found { // the room as people know it, whatever the case typed now
			room.ID, room.Name, lastPort = known.ID, known.Name, known.Port
		}
	}
	if room.ID == "" {
		room.ID = chat.NewID()
	}
	if !chat.ValidID(room.ID) {
		return chat.Room{}, 0, fmt.Errorf("invalid room id %q", room.ID)
	}
	return room, lastPort, nil
}

// listenPreferring listens on port if given; otherwise on the port the room
// had last time, so members find it where they left it, falling back to
// any free port.
func listenPreferring(port, last int) (net.Listener, error) {
	if port == 0 && last != 0 {
		if ln, err := listen(last); err == nil {
			return ln, nil
		}
	}
	return listen(port)
}

// ErrPortInUse is returned when the requested port is taken.
var ErrPortInUse = errors.New("port already in use")

func listen(port int) (net.Listener, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("port %d is out of range (1-65535, or 0 for any)", port)
	}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		if isAddrInUse(err) {
			return nil, fmt.Errorf("listen on port %d: %w", port, ErrPortInUse)
		}
		return nil, fmt.Errorf("listen on port %d: %w", port, err)
	}
	return ln, nil
}

// Room returns the hosted room.
func (h *Host) Room() chat.Room { return h.room }

// Port returns the TCP port the room listens on.
func (h *Host) Port() int { return h.port }

// Addrs returns "ip:port" addresses where others on the LAN can reach the
// room now, IPv4 first; empty when this machine has no LAN address.
func (h *Host) Addrs() []string { return lanAddrs(h.ifaces, h.port) }

// LocalAddr is where the host's own client connects.
func (h *Host) LocalAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(h.port)) }

// Token is the secret that lets the host's own client claim the host's
// nickname.
func (h *Host) Token() string { return h.token }

// AdvertiseErr says why the room is not advertised, or nil if it is.
func (h *Host) AdvertiseErr() error {
	if h.adv != nil && len(h.adv.Links()) == 0 {
		return fmt.Errorf("not announced yet: %w", discovery.ErrNoInterfaces)
	}
	return h.advErr
}

// Members returns the room's members, host first.
func (h *Host) Members() []chat.Member { return h.srv.Members() }

// Close stops hosting: it withdraws the advertisement (a goodbye on the
// LAN), tells members the host is going away — they keep trying, and come
// back by themselves if the room is hosted again — and stops the server.
// It is safe to call more than once.
func (h *Host) Close() error {
	h.stop(h.srv.Close, "host stopped")
	return nil
}

// CloseRoom is Close for a room closed for good: members are told so and
// their sessions end.
func (h *Host) CloseRoom() error {
	h.stop(h.srv.CloseRoom, "room closed")
	return nil
}

func (h *Host) stop(closeServer func() error, what string) {
	h.closeOnce.Do(func() {
		if h.adv != nil {
			if err := h.adv.Close(); err != nil {
				h.log.Warn("withdraw advertisement", "err", err)
			}
		}
		closeServer()
		<-h.served
		h.log.Info(what, "room", h.room.Name)
	})
}

// lanAddrs lists this machine's addresses on the chosen interfaces (or on
// the real LAN interfaces): IPv4 first, then routable IPv6, then — for a
// LAN with nothing else, IPv6 only — link-local IPv6 with its zone.
func lanAddrs(names []string, port int) []string {
	ifaces, err := discovery.Interfaces(names)
	if err != nil {
		return nil
	}
	var v4, v6, local []string
	for _, ifi := range ifaces {
		addrs, _ := ifi.Addrs()
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			switch {
			case !ok || ipn.IP.IsLoopback():
			case ipn.IP.To4() != nil && !ipn.IP.IsLinkLocalUnicast():
				v4 = append(v4, net.JoinHostPort(ipn.IP.String(), strconv.Itoa(port)))
			case ipn.IP.To4() == nil && ipn.IP.IsLinkLocalUnicast():
				local = append(local, net.JoinHostPort(ipn.IP.String()+"%"+ifi.Name, strconv.Itoa(port)))
			case ipn.IP.To4() == nil:
				v6 = append(v6, net.JoinHostPort(ipn.IP.String(), strconv.Itoa(port)))
			}
		}
	}
	if len(v4)+len(v6) > 0 {
		return append(v4, v6...)
	}
	return local
}
