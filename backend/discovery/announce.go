package discovery

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

// DefaultPoll is how often an Announcer looks at the interfaces and their
// addresses when AnnounceConfig.Poll is zero.
const DefaultPoll = 2 * time.Second

// AnnounceConfig says what Announce announces, and where.
type AnnounceConfig struct {
	// Room is the room to announce; its id, name and host are validated.
	Room chat.Room
	// Port is the room's TCP port, 1 to 65535.
	Port int
	// Names are the interfaces to announce on. Nil means the machine's
	// LAN interfaces as Interfaces(nil) picks them, picked again at every
	// poll, so a network card, Wi-Fi or VPN that comes or goes is followed.
	// Named interfaces must exist when Announce is called; one that later
	// goes down or away is left out until it is back.
	Names []string
	// Poll is how often interfaces and addresses are checked; zero means
	// DefaultPoll.
	Poll time.Duration
	// Logger receives what is announced where; nil means no logs.
	Logger *slog.Logger
}

// Announcer announces one room on the LAN and keeps the announcement true
// as the network changes: every Poll it looks at the interfaces and their
// addresses, withdraws the room (mDNS goodbye) from interfaces that went,
// announces new addresses where they changed (with goodbyes for the old
// ones) and starts announcing on interfaces that came. Each interface is
// announced with its own addresses only. Create it with Announce.
type Announcer struct {
	cfg  AnnounceConfig
	set  *linkSet
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}
	once sync.Once

	lastErr string // owned by poll's caller: Announce, then loop
}

// Announce validates cfg, announces the room on the interfaces of the
// moment and keeps following them until Close. Having no usable
// interface at first is not an error (Links is then empty, and the room
// is announced as soon as one appears); an invalid room or port, or a
// named interface that does not exist, is.
func Announce(cfg AnnounceConfig) (*Announcer, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	svc, err := roomService(cfg.Room, cfg.Port)
	if err != nil {
		return nil, fmt.Errorf("announce: %w", err)
	}
	for _, name := range cfg.Names {
		if _, err := net.InterfaceByName(name); err != nil {
			return nil, fmt.Errorf("announce: interface %q: %w", name, err)
		}
	}
	if cfg.Names != nil && len(cfg.Names) == 0 {
		return nil, fmt.Errorf("announce: %w", errNoIfacesGiven)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	log = log.With("room", svc.instance)
	a := &Announcer{cfg: cfg, set: newLinkSet(svc, log), log: log, stop: make(chan struct{}), done: make(chan struct{})}
	a.poll()
	go a.loop()
	return a, nil
}

// Links reports where the room is announced now and with which addresses.
func (a *Announcer) Links() []Link { return a.set.links() }

// Close withdraws the room everywhere (mDNS goodbyes) and returns once
// every goroutine the Announcer started has stopped. It is safe to call
// more than once.
func (a *Announcer) Close() error {
	a.once.Do(func() {
		close(a.stop)
		<-a.done
		a.set.close()
		a.log.Info("stopped announcing room")
	})
	return nil
}

// loop polls until stop.
func (a *Announcer) loop() {
	defer close(a.done)
	tick := time.NewTicker(a.cfg.Poll)
	defer tick.Stop()
	for {
		select {
		case <-a.stop:
			return
		case <-tick.C:
			a.poll()
		}
	}
}

// poll brings the announcement in step with the interfaces of the moment.
// An error is logged when it differs from the previous poll's.
func (a *Announcer) poll() {
	wants, err := a.wants()
	if err == nil {
		err = a.set.sync(wants)
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if msg != a.lastErr && err != nil {
		a.log.Warn("cannot announce on every interface", "err", err)
	}
	a.lastErr = msg
}

// wants lists the interfaces to announce on now, with their addresses.
func (a *Announcer) wants() ([]want, error) {
	if a.cfg.Names == nil {
		ifaces, err := Interfaces(nil)
		if errors.Is(err, ErrNoInterfaces) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return wantsFor(ifaces), nil
	}
	var ifaces []net.Interface
	for _, name := range a.cfg.Names {
		ifi, err := net.InterfaceByName(name)
		if err == nil && ifi.Flags&net.FlagUp != 0 {
			ifaces = append(ifaces, *ifi)
		}
	}
	return wantsFor(ifaces), nil
}
