package discovery

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

// fakeNet is an mDNS "network" for Browser tests: a set of adverts that a
// browse finds at once, plus announcements and goodbyes pushed to running
// browses. Each browse reports an instance name only once, as a browse
// that lost every later announcement would: the worst case, which the
// fresh browses must make up for. Goodbyes always get through.
type fakeNet struct {
	mu      sync.Mutex // guards the following
	adverts map[string]answer
	subs    map[chan answer]bool
	fail    error // when set, browses fail at once with it
	calls   int   // browses started
}

func newFakeNet() *fakeNet {
	return &fakeNet{adverts: map[string]answer{}, subs: map[chan answer]bool{}}
}

// fakeIface is the interface fake answers are heard on.
const fakeIface = "fake0"

// entryFor builds the answer a browse would hear for room, its TXT sent
// through miekg/dns.
func entryFor(t testing.TB, instance string, room chat.Room, port int, ips ...string) answer {
	t.Helper()
	txt, err := roomTXT(room)
	if err != nil {
		t.Fatal(err)
	}
	return rawEntry(t, instance, txt, port, ips...)
}

// rawEntry is entryFor with any TXT strings. Link-local addresses get the
// fake interface as their zone, as an observer gives them.
func rawEntry(t testing.TB, instance string, txt []string, port int, ips ...string) answer {
	t.Helper()
	wire, err := overTheWire(txt)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{kind: roomKinds[0], instance: instance, text: wire, port: port, iface: fakeIface}
	for _, s := range ips {
		ip := netip.MustParseAddr(s)
		if ip.Is6() && ip.IsLinkLocalUnicast() {
			ip = ip.WithZone(fakeIface)
		}
		a.addrs = append(a.addrs, ip)
	}
	return a
}

// announce adds or replaces an advert and tells running browses.
func (n *fakeNet) announce(e answer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.adverts[e.instance] = e
	n.push(e)
}

// push tells running browses about e; a full browse loses it.
func (n *fakeNet) push(e answer) {
	for sub := range n.subs {
		select {
		case sub <- e:
		default: // a lost packet
		}
	}
}

// vanish removes an advert without a word, like a SIGKILLed host.
func (n *fakeNet) vanish(instance string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.adverts, instance)
}

// goodbye removes an advert and tells running browses, like a host that
// withdraws its room.
func (n *fakeNet) goodbye(instance string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	e := n.adverts[instance]
	delete(n.adverts, instance)
	e.bye, e.addrs = true, nil
	n.push(e)
}

func (n *fakeNet) setFail(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.fail = err
}

func (n *fakeNet) browseCalls() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.calls
}

// subscribe starts a browse: it returns the current adverts and a channel
// of announcements.
func (n *fakeNet) subscribe() ([]answer, chan answer, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls++
	if n.fail != nil {
		return nil, nil, n.fail
	}
	var now []answer
	for _, e := range n.adverts {
		now = append(now, e)
	}
	sub := make(chan answer, 16)
	n.subs[sub] = true
	return now, sub, nil
}

func (n *fakeNet) unsubscribe(sub chan answer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.subs, sub)
}

// browse is a browseFunc over the fake network.
func (n *fakeNet) browse(ctx context.Context, _ []net.Interface, out chan<- answer) error {
	now, sub, err := n.subscribe()
	if err != nil {
		return err
	}
	defer n.unsubscribe(sub)
	sent := map[string]bool{}
	emit := func(e answer) bool {
		if sent[e.instance] && !e.bye {
			return true
		}
		sent[e.instance] = true
		select {
		case out <- e:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for _, e := range now {
		if !emit(e) {
			return nil
		}
	}
	for {
		select {
		case e := <-sub:
			if !emit(e) {
				return nil
			}
		case <-ctx.Done():
			return nil
		}
	}
}

// recorder collects what a Browser reports, with the (fake) time.
type recorder struct {
	t     *testing.T
	mu    sync.Mutex // guards the following
	busy  bool
	calls []change
}

type change struct {
	at    time.Time
	rooms []chat.Room
}

func (r *recorder) onChange(rooms []chat.Room) {
	r.mu.Lock()
	if r.busy {
		r.t.Errorf("onChange called concurrently")
	}
	r.busy = true
	r.calls = append(r.calls, change{time.Now(), rooms})
	r.mu.Unlock()
	time.Sleep(time.Millisecond) // widen the window for a concurrent call
	r.mu.Lock()
	r.busy = false
	r.mu.Unlock()
}

// last returns the latest reported list.
func (r *recorder) last() []chat.Room {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		return nil
	}
	return r.calls[len(r.calls)-1].rooms
}

// firstWhere returns the time of the first report for which ok is true.
func (r *recorder) firstWhere(after time.Time, ok func([]chat.Room) bool) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.calls {
		if !c.at.Before(after) && ok(c.rooms) {
			return c.at, true
		}
	}
	return time.Time{}, false
}
