package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
)

// ServiceType is the DNS-SD service type of a Parley room.
const ServiceType = "_parley._tcp"

// domain is the mDNS domain.
const domain = "local."

// roomKinds is what a Browser watches: Parley rooms.
var roomKinds = []string{ServiceType + "." + domain}

// browseFunc runs one browse until ctx is done, sending what it hears to
// out (giving up on a send when ctx is done), and returns once it has
// stopped completely. It is the Browser's mdnsBrowse except in tests.
type browseFunc func(ctx context.Context, ifaces []net.Interface, out chan<- answer) error

// browseLinks opens the mDNS sockets of every interface in ifaces, asks
// once on each for instances of the service types in kinds, and sends
// every answer heard to out until ctx is done. Answers are not
// de-duplicated: each response counts. It fails only when no interface
// could be opened (and then starts nothing); the interfaces that fail are
// logged. It returns once every goroutine it started has stopped.
func browseLinks(ctx context.Context, ifaces []net.Interface, kinds []string, log *slog.Logger, out chan<- answer) error {
	if len(ifaces) == 0 {
		return errNoIfacesGiven
	}
	var links []*link
	var errs []error
	for _, ifi := range ifaces {
		addrs, err := ifaceAddrs(ifi)
		var l *link
		if err == nil {
			has4, has6 := families(addrs)
			l, err = openLink(ifi, has4, has6)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		links = append(links, l)
	}
	if len(links) == 0 {
		return fmt.Errorf("browse: %w", errors.Join(errs...))
	}
	if len(errs) > 0 {
		log.Warn("mDNS browse skips interfaces", "err", errors.Join(errs...))
	}
	var wg sync.WaitGroup
	for _, l := range links {
		l.serve(&wg, listener(ctx, l, kinds, out))
		if err := l.multicast(browseQuery(kinds), true, true); err != nil {
			log.Debug("mDNS query not sent", "iface", l.ifi.Name, "err", err)
		}
	}
	<-ctx.Done()
	for _, l := range links {
		l.close()
	}
	wg.Wait()
	return nil
}

// listener returns the packet handler of one link of a browse: responses
// from port 5353 (RFC 6762 §6: others are ignored) go through the link's
// observer, and its answers to out.
func listener(ctx context.Context, l *link, kinds []string, out chan<- answer) func(packet) {
	obs := newObserver(l.ifi.Name, kinds)
	var mu sync.Mutex // guards obs: the handler runs on two goroutines
	return func(p packet) {
		if !p.msg.Response || p.from.Port() != mdnsPort {
			return
		}
		mu.Lock()
		answers := obs.observe(p.msg, p.from.Addr())
		mu.Unlock()
		for _, a := range answers {
			select {
			case out <- a:
			case <-ctx.Done():
				return
			}
		}
	}
}
