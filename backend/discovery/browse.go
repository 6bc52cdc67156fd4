package discovery

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

// DefaultCycle is the interval between fresh browses when Browser.Cycle
// is zero. A room that stops answering leaves the list within about two
// cycles and a fresh browse window (about 4 s).
const DefaultCycle = 1500 * time.Millisecond

// Timing derived from the cycle.
const (
	windowPart = 2 // a fresh browse lasts windowPart/windowOf of a cycle
	windowOf   = 3
	longCycles = 5 // the long-running browse restarts every longCycles cycles
	maxSuspect = 256
)

// Browser keeps the list of rooms on the LAN up to date. The zero value is
// ready to use; fields must not change while Run runs.
type Browser struct {
	// Ifaces are the interfaces to browse on. Nil means the machine's LAN
	// interfaces, Interfaces(nil), evaluated afresh for every browse, so
	// Run follows interfaces that come, go or change addresses (Wi-Fi
	// roaming, a cable plugged in, a second network card) within a cycle.
	// A non-nil list is used as is, for as long as Run runs.
	Ifaces []net.Interface
	// Cycle is the interval between fresh browses; zero means DefaultCycle.
	Cycle time.Duration
	// Logger receives debug and warning logs; nil means none.
	Logger *slog.Logger

	browse    browseFunc                      // nil means browseLinks on rooms; set by tests
	lanIfaces func() ([]net.Interface, error) // nil means Interfaces(nil); set by tests

	mu       sync.Mutex // guards the following
	running  bool
	lastSeen string        // names of the interfaces last browsed on, for logs
	suspects []string      // room ids passed to Suspect, for Run to take
	wake     chan struct{} // tells Run there are suspects; buffered, 1
}

// eventKind tells what an event carries.
type eventKind int

const (
	evSight eventKind = iota // a room was seen
	evBegin                  // a fresh browse begins
	evEnd                    // a fresh browse ended
	evFatal                  // browsing cannot start
)

// event is what the browse goroutines tell Run's goroutine.
type event struct {
	kind  eventKind
	sight sighting
	err   error
}

// Run browses until ctx is done and calls onChange with the full, sorted
// list of rooms every time it changes (not with the initial empty list).
// onChange is called from Run's goroutine, never concurrently; it should
// return quickly, as browsing waits for it. Every call gets a new slice,
// which onChange may keep.
//
// A new room shows up within a second through a long-running browse; a
// fresh browse every Cycle re-checks every room, and an address missed by
// two fresh browses in a row is dropped, a room with its last address. A
// host that withdraws a room or an address (an mDNS goodbye) is believed
// at once. Each address is listed as net.Dial wants it; link-local IPv6
// ones carry the zone of the interface they were heard on
// ("[fe80::1%eth0]:4242").
//
// Run returns nil when ctx is done, or an error when discovery cannot
// start: an empty, non-nil Ifaces, or a first browse that could open none
// of the given interfaces. With nil Ifaces, having no LAN interface is not
// an error: Run keeps looking every cycle and starts listing rooms when
// one appears. It has stopped every goroutine it started by the time it
// returns. Run must not be called again while it runs.
func (b *Browser) Run(ctx context.Context, onChange func([]chat.Room)) error {
	if b.Ifaces != nil && len(b.Ifaces) == 0 {
		return errNoIfacesGiven
	}
	wake, err := b.start()
	if err != nil {
		return err
	}
	defer b.stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan event)
	wg.Go(func() { b.freshLoop(ctx, events) })
	wg.Go(func() { b.longLoop(ctx, events) })
	return b.loop(ctx, events, wake, onChange)
}

// loop owns the table: it applies events and reports changes.
func (b *Browser) loop(ctx context.Context, events <-chan event, wake <-chan struct{}, onChange func([]chat.Room)) error {
	t := newTable()
	var shown []chat.Room
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-events:
			if ev.kind == evFatal {
				return ev.err
			}
			apply(t, ev)
		case <-wake:
			for _, id := range b.takeSuspects() {
				b.logger().Debug("room suspected", "id", id)
				t.suspect(id)
			}
		}
		if now := t.list(); !sameRooms(now, shown) {
			shown = now
			onChange(now)
		}
	}
}

func apply(t *table, ev event) {
	switch ev.kind {
	case evSight:
		t.see(ev.sight)
	case evBegin:
		t.begin()
	case evEnd:
		t.end()
	}
}

// Suspect hints that connecting to room roomID failed: the room leaves the
// list at once and comes back only if the next fresh browse sees it (with
// just the addresses that browse saw). Safe to call from any goroutine;
// does nothing unless Run is running.
func (b *Browser) Suspect(roomID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.running || len(b.suspects) >= maxSuspect {
		return
	}
	b.suspects = append(b.suspects, roomID)
	select {
	case b.wake <- struct{}{}:
	default: // Run has a wake-up pending already
	}
}

func (b *Browser) takeSuspects() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := b.suspects
	b.suspects = nil
	return ids
}

// start marks the browser running and returns its wake channel.
func (b *Browser) start() (<-chan struct{}, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running {
		return nil, errors.New("browser is already running")
	}
	b.running, b.suspects, b.wake = true, nil, make(chan struct{}, 1)
	return b.wake, nil
}

func (b *Browser) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.running, b.suspects = false, nil
}

// interfaces returns b.Ifaces, or Interfaces(nil) when it is nil. An
// empty, non-nil list is an error: it is most likely a mistake (an empty
// filter), and mDNS libraries take it to mean "every interface", docker0
// and VPNs included.
func (b *Browser) interfaces() ([]net.Interface, error) {
	switch {
	case b.Ifaces == nil:
		return Interfaces(nil)
	case len(b.Ifaces) == 0:
		return nil, errNoIfacesGiven
	}
	return b.Ifaces, nil
}

func (b *Browser) cycle() time.Duration {
	if b.Cycle > 0 {
		return b.Cycle
	}
	return DefaultCycle
}

func (b *Browser) logger() *slog.Logger {
	if b.Logger != nil {
		return b.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// currentIfaces returns the interfaces to browse on now: b.Ifaces, or a
// fresh Interfaces(nil) when it is nil, which may be empty. It logs when
// the set changes.
func (b *Browser) currentIfaces() []net.Interface {
	ifaces := b.Ifaces
	if ifaces == nil {
		list := b.lanIfaces
		if list == nil {
			list = func() ([]net.Interface, error) { return Interfaces(nil) }
		}
		var err error
		if ifaces, err = list(); err != nil {
			ifaces = nil
		}
	}
	names := joinNames(ifaces)
	b.mu.Lock()
	changed := names != b.lastSeen
	b.lastSeen = names
	b.mu.Unlock()
	if changed && names == "" {
		b.logger().Warn("no LAN interface to browse on; waiting for one")
	} else if changed {
		b.logger().Info("browsing for rooms", "ifaces", names)
	}
	return ifaces
}

func (b *Browser) browseFunc() browseFunc {
	if b.browse != nil {
		return b.browse
	}
	return func(ctx context.Context, ifaces []net.Interface, out chan<- answer) error {
		return browseLinks(ctx, ifaces, roomKinds, b.logger(), out)
	}
}

// runBrowse runs one browse for at most d, sending its valid sightings as
// events (until ctx is done) and logging the invalid ones. It returns the
// browse's error once the browse has completely stopped.
func (b *Browser) runBrowse(ctx context.Context, ifaces []net.Interface, d time.Duration, events chan<- event) error {
	bctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	answers := make(chan answer)
	errc := make(chan error, 1)
	browse := b.browseFunc()
	go func() {
		errc <- browse(bctx, ifaces, answers)
		close(answers)
	}()
	for a := range answers {
		s, err := parseAnswer(a)
		if err != nil {
			b.logger().Debug("skipping mDNS answer", "iface", a.iface, "err", err)
			continue
		}
		send(ctx, events, event{kind: evSight, sight: s})
	}
	return <-errc
}

// send sends ev unless ctx is done first, and reports whether it did.
func send(ctx context.Context, events chan<- event, ev event) bool {
	select {
	case events <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}
