package discovery

import (
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// announceCount is how many unsolicited announcements a responder sends
// when it starts or its addresses change: at 0, 1 and 3 s (RFC 6762 §8.3
// asks for at least two, the interval doubling).
const announceCount = 3

// responder announces one service on one link and answers queries about
// it there, always with the addresses of that link alone. It is one
// link's share of an Advertiser, an Announcer or a Diagnose probe.
type responder struct {
	link *link
	svc  *service
	log  *slog.Logger

	wg       sync.WaitGroup // the link's read goroutines
	kick     chan struct{}  // re-announce now; buffered, 1
	stop     chan struct{}  // closed by close
	loopDone chan struct{}  // closed when announceLoop returns
	once     sync.Once

	mu    sync.Mutex   // guards the following
	addrs []netip.Addr // announced, no zones
	gone  []netip.Addr // withdrawn by the last update, said goodbye to in announcements
}

// startResponder opens ifi's sockets and starts announcing svc there with
// addrs, which should be ifi's own usable addresses.
func startResponder(ifi net.Interface, svc *service, addrs []netip.Addr, log *slog.Logger) (*responder, error) {
	has4, has6 := families(addrs)
	l, err := openLink(ifi, has4, has6)
	if err != nil {
		return nil, err
	}
	r := &responder{link: l, svc: svc, log: log.With("iface", ifi.Name), addrs: addrs,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), loopDone: make(chan struct{})}
	l.serve(&r.wg, r.handle)
	go r.announceLoop()
	return r, nil
}

// update changes the announced addresses and announces the change at
// once: goodbyes for the addresses that went, records for the new set.
func (r *responder) update(addrs []netip.Addr) {
	r.mu.Lock()
	r.gone = slices.DeleteFunc(slices.Clone(r.addrs), func(a netip.Addr) bool { return slices.Contains(addrs, a) })
	r.addrs = addrs
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// announceLoop sends announceCount announcements, again after every kick,
// until stop.
func (r *responder) announceLoop() {
	defer close(r.loopDone)
	timer := time.NewTimer(0)
	defer timer.Stop()
	sent := 0
	for {
		select {
		case <-r.stop:
			return
		case <-r.kick:
			sent = 0
			timer.Reset(0)
		case <-timer.C:
			r.announce()
			if sent++; sent < announceCount {
				timer.Reset(time.Second << (sent - 1))
			}
		}
	}
}

func (r *responder) announce() {
	r.mu.Lock()
	m := r.svc.announcement(r.addrs, r.gone)
	r.mu.Unlock()
	if err := r.link.multicast(m, true, true); err != nil {
		r.log.Debug("mDNS announcement not sent", "err", err)
	}
}

// handle answers one query heard on the link: over the family it came in
// on, by multicast, or by unicast to the sender when it asked for that
// (the QU bit) or is a legacy querier (not from port 5353).
func (r *responder) handle(p packet) {
	q := p.msg
	if q.Response || q.Opcode != 0 {
		return
	}
	r.mu.Lock()
	reply := r.svc.reply(q, r.addrs)
	r.mu.Unlock()
	if reply == nil {
		return
	}
	var err error
	switch {
	case p.from.Port() != mdnsPort:
		err = r.link.unicast(legacyReply(reply, q), p.from)
	case wantsUnicast(q):
		err = r.link.unicast(reply, p.from)
	default:
		err = r.link.multicast(reply, !p.v6, p.v6)
	}
	if err != nil {
		r.log.Debug("mDNS reply not sent", "to", p.from, "err", err)
	}
}

// close withdraws the service from the link (goodbye), closes the
// sockets and returns once every goroutine of the responder has stopped.
// It is safe to call more than once.
func (r *responder) close() {
	r.shutdown(func(addrs []netip.Addr) *dns.Msg { return r.svc.goodbye(addrs) })
}

// handOver is close for a responder that another one replaces on the same
// interface: it says goodbye only to the addresses not in keep, so
// browsers drop those but keep listing the service.
func (r *responder) handOver(keep []netip.Addr) {
	r.shutdown(func(addrs []netip.Addr) *dns.Msg {
		gone := slices.DeleteFunc(slices.Clone(addrs), func(a netip.Addr) bool { return slices.Contains(keep, a) })
		if len(gone) == 0 {
			return nil
		}
		m := response()
		m.Answer = r.svc.addrRRs(gone, 0, false, true, true)
		return m
	})
}

// shutdown stops the announcements, sends the last word, if any, and
// closes the link.
func (r *responder) shutdown(last func([]netip.Addr) *dns.Msg) {
	r.once.Do(func() {
		close(r.stop)
		<-r.loopDone
		r.mu.Lock()
		m := last(r.addrs)
		r.mu.Unlock()
		if m != nil {
			if err := r.link.multicast(m, true, true); err != nil {
				r.log.Debug("mDNS goodbye not sent", "err", err)
			}
		}
		r.link.close()
		r.wg.Wait()
	})
}
