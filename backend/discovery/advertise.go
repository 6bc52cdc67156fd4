package discovery

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/grandcat/zeroconf"
	"github.com/parley-lan/parley/backend/chat"
)

// minAge is how long after registration Close waits before shutting the
// zeroconf Server down. Server starts its receive goroutines without
// waiting for them, and they register with its WaitGroup only once they
// run; a Shutdown before that is a data race (Add concurrent with Wait)
// that -race reports. They run within microseconds; minAge is a wide
// margin that costs nothing but an instant close of a brand-new room.
const minAge = 250 * time.Millisecond

// Advertiser announces one room on the LAN until Close.
type Advertiser struct {
	server   *zeroconf.Server
	log      *slog.Logger
	instance string
	ips      []string // advertised addresses, for logs and tests
	started  time.Time
	once     sync.Once
}

// Advertise announces room, served on port, on ifaces (nil means
// Interfaces(nil)) with only those interfaces' addresses: IPv4 and
// routable IPv6. The DNS-SD instance is "room-<8 hex>" and the host
// "parley-<8 hex>.local.", both derived from room.ID; the room's name and
// host nickname travel as plain UTF-8 in TXT (v=1, id, name, host). It
// validates everything before touching the network. A nil log logs nothing.
func Advertise(room chat.Room, port int, ifaces []net.Interface, log *slog.Logger) (*Advertiser, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	txt, err := roomTXT(room)
	if err != nil {
		return nil, fmt.Errorf("advertise: %w", err)
	}
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("advertise: port %d is not in 1..65535", port)
	}
	if ifaces == nil {
		if ifaces, err = Interfaces(nil); err != nil {
			return nil, fmt.Errorf("advertise: %w", err)
		}
	}
	ips, err := advertiseIPs(ifaces)
	if err != nil {
		return nil, fmt.Errorf("advertise: %w", err)
	}
	label := shortLabel(room.ID)
	a := &Advertiser{log: log, instance: "room-" + label, ips: ips, started: time.Now()}
	a.server, err = zeroconf.RegisterProxy(a.instance, ServiceType, domain, port, "parley-"+label, ips, txt, ifaces)
	if err != nil {
		return nil, fmt.Errorf("advertise: register %s: %w", a.instance, err)
	}
	log.Info("advertising room", "instance", a.instance, "port", port, "addrs", ips)
	return a, nil
}

// Close withdraws the room, sending mDNS goodbye packets, and returns once
// zeroconf's receive goroutines have stopped. It is safe to call more than
// once. Within minAge of Advertise it first waits out the rest of minAge.
// zeroconf's announcement goroutine, which it does not track, can outlive
// Close by up to about 3.5 s after Advertise, sending nothing.
func (a *Advertiser) Close() error {
	a.once.Do(func() {
		time.Sleep(minAge - time.Since(a.started))
		a.server.Shutdown()
		a.log.Info("stopped advertising room", "instance", a.instance)
	})
	return nil
}

// advertiseIPs returns the usable addresses of ifaces as strings.
func advertiseIPs(ifaces []net.Interface) ([]string, error) {
	if len(ifaces) == 0 {
		return nil, errNoIfacesGiven
	}
	var ips []string
	for _, ifi := range ifaces {
		addrs, err := ifi.Addrs()
		if err != nil {
			return nil, fmt.Errorf("addresses of %s: %w", ifi.Name, err)
		}
		for _, a := range addrs {
			p, err := netip.ParsePrefix(a.String())
			if err == nil && usableAddr(p.Addr()) {
				ips = append(ips, p.Addr().Unmap().String())
			}
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("no usable address on %s", joinNames(ifaces))
	}
	return ips, nil
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
