package discovery

import (
	"context"
	"fmt"
	"net"

	"github.com/grandcat/zeroconf"
)

// ServiceType is the DNS-SD service type of a Parley room.
const ServiceType = "_parley._tcp"

// domain is the mDNS domain.
const domain = "local."

// browseFunc runs one browse until ctx is done, sending what it finds to
// out (giving up on a send when ctx is done), and returns once it has
// stopped completely. It is zeroconfBrowse except in tests.
type browseFunc func(ctx context.Context, ifaces []net.Interface, out chan<- *zeroconf.ServiceEntry) error

// zeroconfBrowse is a browseFunc on a fresh, single-use zeroconf Resolver.
// It reads zeroconf's entry channel until zeroconf closes it, which
// zeroconf does only after ctx is done: a reader that stopped earlier
// would leave zeroconf's goroutine blocked on a send forever.
func zeroconfBrowse(ctx context.Context, ifaces []net.Interface, out chan<- *zeroconf.ServiceEntry) error {
	if len(ifaces) == 0 {
		return errNoIfacesGiven
	}
	r, err := newResolver(ifaces)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	entries := make(chan *zeroconf.ServiceEntry)
	err = r.Browse(ctx, ServiceType, domain, entries)
	if err != nil {
		cancel() // zeroconf started its loop anyway; this ends it
		err = fmt.Errorf("browse: %w", err)
	}
	for e := range entries {
		select {
		case out <- e:
		case <-ctx.Done():
		}
	}
	return err
}

// newResolver makes a Resolver on ifaces, listening on IPv4 and IPv6, or
// on IPv4 alone where IPv6 is unavailable (zeroconf fails outright if
// either family cannot join).
func newResolver(ifaces []net.Interface) (*zeroconf.Resolver, error) {
	r, err := zeroconf.NewResolver(zeroconf.SelectIfaces(ifaces))
	if err == nil {
		return r, nil
	}
	r, err4 := zeroconf.NewResolver(zeroconf.SelectIfaces(ifaces), zeroconf.SelectIPTraffic(zeroconf.IPv4))
	if err4 != nil {
		return nil, fmt.Errorf("join mDNS multicast group: %w", err)
	}
	return r, nil
}
