package discovery

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sort"
	"sync"
)

// Link is one interface a room is announced on, with the addresses
// announced there.
type Link struct {
	Interface string   // e.g. "eth0"
	Addrs     []string // that interface's addresses, IPv4 first, no port or zone
}

// want is one interface and the addresses to announce on it.
type want struct {
	ifi   net.Interface
	addrs []netip.Addr
}

// linkSet announces one service with one responder per interface and
// keeps the responders in step with the interfaces it is given.
type linkSet struct {
	svc *service
	log *slog.Logger

	mu sync.Mutex // guards on; held through sync and close
	on map[string]*announced
}

// announced is the responder of one interface.
type announced struct {
	r     *responder
	index int // the interface's index: a new index is a new interface
	addrs []netip.Addr
}

func newLinkSet(svc *service, log *slog.Logger) *linkSet {
	return &linkSet{svc: svc, log: log, on: map[string]*announced{}}
}

// sync makes the set announce exactly wants: it withdraws the service
// (with goodbyes) from interfaces no longer wanted, announces changed
// addresses, and starts responders on new interfaces. When an interface
// gains or loses a whole address family its responder is replaced, as it
// needs other sockets. It returns the errors of the interfaces it could
// not open; they are tried again at the next sync.
func (s *linkSet) sync(wants []want) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, cur := range s.on {
		i := slices.IndexFunc(wants, func(w want) bool { return w.ifi.Name == name })
		switch {
		case i < 0 || wants[i].ifi.Index != cur.index:
			cur.r.close()
			delete(s.on, name)
			s.log.Info("stopped announcing", "iface", name)
		case !sameFamilies(cur.addrs, wants[i].addrs):
			cur.r.handOver(wants[i].addrs)
			delete(s.on, name)
		}
	}
	var errs []error
	for _, w := range wants {
		cur := s.on[w.ifi.Name]
		switch {
		case cur != nil && !slices.Equal(cur.addrs, w.addrs):
			cur.r.update(w.addrs)
			cur.addrs = w.addrs
			s.log.Info("addresses changed; announcing them", "iface", w.ifi.Name, "addrs", w.addrs)
		case cur == nil:
			r, err := startResponder(w.ifi, s.svc, w.addrs, s.log)
			if err != nil {
				errs = append(errs, &ifaceError{iface: w.ifi.Name, err: err})
				continue
			}
			s.on[w.ifi.Name] = &announced{r: r, index: w.ifi.Index, addrs: w.addrs}
			s.log.Info("announcing", "iface", w.ifi.Name, "addrs", w.addrs)
		}
	}
	return errors.Join(errs...)
}

// ifaceError is why the service could not be announced on one interface.
type ifaceError struct {
	iface string
	err   error
}

func (e *ifaceError) Error() string { return e.err.Error() }
func (e *ifaceError) Unwrap() error { return e.err }

// ifaceErrors splits an error returned by sync by interface.
func ifaceErrors(err error) map[string]error {
	out := map[string]error{}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	for _, e := range list {
		var ie *ifaceError
		if errors.As(e, &ie) {
			out[ie.iface] = ie.err
		}
	}
	return out
}

func sameFamilies(a, b []netip.Addr) bool {
	a4, a6 := families(a)
	b4, b6 := families(b)
	return a4 == b4 && a6 == b6
}

// links reports where the service is announced, sorted by interface.
func (s *linkSet) links() []Link {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Link, 0, len(s.on))
	for name, cur := range s.on {
		l := Link{Interface: name}
		for _, a := range cur.addrs {
			l.Addrs = append(l.Addrs, a.String())
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Interface < out[j].Interface })
	return out
}

// count is how many interfaces the service is announced on.
func (s *linkSet) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.on)
}

// close withdraws the service everywhere and waits for the responders.
func (s *linkSet) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, cur := range s.on {
		cur.r.close()
		delete(s.on, name)
	}
}

// wantsFor pairs each interface with its usable addresses, leaving out
// those that have none or whose addresses cannot be read (it vanished).
func wantsFor(ifaces []net.Interface) []want {
	var wants []want
	for _, ifi := range ifaces {
		addrs, err := ifaceAddrs(ifi)
		if err == nil && len(addrs) > 0 {
			wants = append(wants, want{ifi: ifi, addrs: addrs})
		}
	}
	return wants
}

// ifaceAddrs returns the usable addresses of ifi, unzoned, sorted the way
// joiners try them (IPv4, routable IPv6, link-local IPv6).
func ifaceAddrs(ifi net.Interface) ([]netip.Addr, error) {
	addrs, err := ifi.Addrs()
	if err != nil {
		return nil, fmt.Errorf("addresses of %s: %w", ifi.Name, err)
	}
	var out []netip.Addr
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a.String())
		if err == nil && usableAddr(p.Addr()) {
			out = append(out, p.Addr().Unmap())
		}
	}
	slices.SortFunc(out, func(a, b netip.Addr) int {
		return compareAddrs(netip.AddrPortFrom(a, 0), netip.AddrPortFrom(b, 0))
	})
	return slices.Compact(out), nil
}
