package discovery

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/parley-lan/parley/backend/chat"
)

// Advertiser announces one room on a fixed set of interfaces until Close.
// Announcer is the one that follows interface and address changes.
type Advertiser struct {
	set  *linkSet
	log  *slog.Logger
	once sync.Once
}

// Advertise announces room, served on port, on ifaces (nil means
// Interfaces(nil)), each interface with its own addresses only (IPv4,
// routable IPv6, link-local IPv6), as they are when Advertise is called.
// The DNS-SD instance is "room-<8 hex>" and the host
// "parley-<8 hex>.local.", both derived from room.ID; the room's name and
// host nickname travel as plain UTF-8 in TXT (v=1, id, name, host). It
// validates everything before touching the network, and fails if no
// interface could be used; interfaces without a usable address are left
// out. A nil log logs nothing.
func Advertise(room chat.Room, port int, ifaces []net.Interface, log *slog.Logger) (*Advertiser, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	svc, err := roomService(room, port)
	if err != nil {
		return nil, fmt.Errorf("advertise: %w", err)
	}
	if ifaces == nil {
		if ifaces, err = Interfaces(nil); err != nil {
			return nil, fmt.Errorf("advertise: %w", err)
		}
	}
	if len(ifaces) == 0 {
		return nil, fmt.Errorf("advertise: %w", errNoIfacesGiven)
	}
	wants := wantsFor(ifaces)
	if len(wants) == 0 {
		return nil, fmt.Errorf("advertise: no usable address on %s", joinNames(ifaces))
	}
	log = log.With("room", svc.instance)
	a := &Advertiser{set: newLinkSet(svc, log), log: log}
	err = a.set.sync(wants)
	if a.set.count() == 0 {
		return nil, fmt.Errorf("advertise: %w", err)
	}
	if err != nil {
		log.Warn("advertising on fewer interfaces", "err", err)
	}
	return a, nil
}

// Links reports where the room is announced and with which addresses.
func (a *Advertiser) Links() []Link { return a.set.links() }

// Close withdraws the room, sending mDNS goodbye packets on every
// interface, and returns once every goroutine it started has stopped. It
// is safe to call more than once.
func (a *Advertiser) Close() error {
	a.once.Do(func() {
		a.set.close()
		a.log.Info("stopped advertising room")
	})
	return nil
}

// roomService validates room and port and names the room's DNS-SD
// instance.
func roomService(room chat.Room, port int) (*service, error) {
	txt, err := roomTXT(room)
	if err != nil {
		return nil, err
	}
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("port %d is not in 1..65535", port)
	}
	label := shortLabel(room.ID)
	return newService(ServiceType, "room-"+label, "parley-"+label, port, txt), nil
}

// shortLabel returns 8 lowercase hex digits for id: its own first 8 if it
// starts with hex digits (ids made by chat.NewID do), else a hash's.
func shortLabel(id string) string {
	if len(id) >= 8 && strings.Trim(strings.ToLower(id[:8]), "0123456789abcdef") == "" {
		return strings.ToLower(id[:8])
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:4])
}

func joinNames(ifaces []net.Interface) string {
	names := make([]string, len(ifaces))
	for i, ifi := range ifaces {
		names[i] = ifi.Name
	}
	return strings.Join(names, ", ")
}
