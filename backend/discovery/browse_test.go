package discovery

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

const testCycle = time.Second

var fakeIfaces = []net.Interface{{Index: 99, Name: "fake0"}}

// runBrowser starts b.Run on the fake network in the current synctest
// bubble and returns a stop function that cancels it and returns its error.
func runBrowser(t *testing.T, n *fakeNet, rec *recorder) (*Browser, func() error) {
	t.Helper()
	b := &Browser{Ifaces: fakeIfaces, Cycle: testCycle, browse: n.browse}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, rec.onChange) }()
	return b, func() error {
		cancel()
		return <-done
	}
}

var (
	lobby = chat.Room{ID: "1111111111111111", Name: "Lobby", Host: "ann"}
	party = chat.Room{ID: "2222222222222222", Name: "🎉 party", Host: "bob"}
)

func TestBrowserAddAndExpire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, rec := newFakeNet(), &recorder{t: t}
		n.announce(entryFor(t, "room-11111111", lobby, 4000, "10.0.0.1"))
		start := time.Now()
		_, stop := runBrowser(t, n, rec)
		synctest.Wait()
		if got, want := show(rec.last()), "1111111111111111=Lobby@10.0.0.1:4000"; got != want {
			t.Fatalf("at start: got %q, want %q", got, want)
		}

		time.Sleep(2800 * time.Millisecond) // between fresh browses (2.0-2.67 s, 3.0-3.67 s)
		added := time.Now()
		n.announce(entryFor(t, "room-22222222", party, 4001, "10.0.0.2"))
		synctest.Wait()
		at, ok := rec.firstWhere(added, hasRoom(party.ID))
		if !ok || at.Sub(added) > 0 {
			t.Errorf("party listed at %v (ok=%v), want at once (%v)", at.Sub(start), ok, added.Sub(start))
		}

		n.vanish("room-11111111")
		gone := time.Now()
		time.Sleep(5 * testCycle)
		at, ok = rec.firstWhere(gone, lacksRoom(lobby.ID))
		window := testCycle * windowPart / windowOf
		if d := at.Sub(gone); !ok || d < testCycle || d > 2*testCycle+window {
			t.Errorf("lobby dropped %v after it vanished (ok=%v), want within [%v, %v]", d, ok, testCycle, 2*testCycle+window)
		}
		if _, still := findRoom(rec.last(), party.ID); !still {
			t.Errorf("party dropped too: %q", show(rec.last()))
		}
		if err := stop(); err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	})
}

// TestBrowserRestartedRoom: a room that restarts under the same instance
// name with a new name and port is updated by the next fresh browse, and
// its old address expires, although the running browse ignores it.
func TestBrowserRestartedRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, rec := newFakeNet(), &recorder{t: t}
		n.announce(entryFor(t, "room-11111111", lobby, 4000, "10.0.0.1"))
		_, stop := runBrowser(t, n, rec)
		time.Sleep(1500 * time.Millisecond)
		renamed := lobby
		renamed.Name = "Lobby 2"
		restarted := time.Now()
		n.announce(entryFor(t, "room-11111111", renamed, 5000, "10.0.0.1"))
		time.Sleep(5 * testCycle)
		at, ok := rec.firstWhere(restarted, func(rooms []chat.Room) bool {
			r, ok := findRoom(rooms, lobby.ID)
			return ok && r.Name == "Lobby 2"
		})
		if d := at.Sub(restarted); !ok || d > testCycle {
			t.Errorf("rename shown %v after restart (ok=%v), want <= %v", d, ok, testCycle)
		}
		if got, want := show(rec.last()), "1111111111111111=Lobby 2@10.0.0.1:5000"; got != want {
			t.Errorf("after restart: got %q, want %q", got, want)
		}
		stop()
	})
}

func TestBrowserSuspect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, rec := newFakeNet(), &recorder{t: t}
		n.announce(entryFor(t, "room-11111111", lobby, 4000, "10.0.0.1"))
		n.announce(entryFor(t, "room-22222222", party, 4001, "10.0.0.2"))
		start := time.Now()
		b, stop := runBrowser(t, n, rec)
		time.Sleep(200 * time.Millisecond)

		b.Suspect(lobby.ID) // still advertised: hidden until the next fresh browse
		synctest.Wait()
		if _, ok := findRoom(rec.last(), lobby.ID); ok {
			t.Fatalf("suspected lobby still listed: %q", show(rec.last()))
		}
		time.Sleep(testCycle)
		at, ok := rec.firstWhere(start.Add(200*time.Millisecond), hasRoom(lobby.ID))
		if !ok || at.Sub(start) != testCycle {
			t.Errorf("lobby back at %v (ok=%v), want at the next fresh browse, %v", at.Sub(start), ok, testCycle)
		}

		n.vanish("room-22222222") // gone for real: Suspect drops it for good
		b.Suspect(party.ID)
		synctest.Wait()
		suspected := time.Now()
		time.Sleep(3 * testCycle)
		if at, ok := rec.firstWhere(suspected, hasRoom(party.ID)); ok {
			t.Errorf("vanished party listed again at %v", at.Sub(start))
		}
		b.Suspect("no-such-room")
		stop()
		b.Suspect(lobby.ID) // not running: ignored
	})
}

func TestBrowserSkipsGarbled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, rec := newFakeNet(), &recorder{t: t}
		bad := []struct {
			name string
			txt  []string
			port int
			ips  []string
		}{
			{"no id", []string{"v=1", "name=x", "host=h"}, 4000, []string{"10.0.0.9"}},
			{"no name", []string{"v=1", "id=" + id16, "host=h"}, 4000, []string{"10.0.0.9"}},
			{"bad utf-8", []string{"v=1", "id=" + id16, "name=\xff\xfe", "host=h"}, 4000, []string{"10.0.0.9"}},
			{"v=9", []string{"v=9", "id=" + id16, "name=x", "host=h"}, 4000, []string{"10.0.0.9"}},
			{"no port", []string{"v=1", "id=" + id16, "name=x", "host=h"}, 0, []string{"10.0.0.9"}},
			{"multicast only", []string{"v=1", "id=" + id16, "name=x", "host=h"}, 4000, []string{"ff02::1", "224.0.0.1"}},
			{"no txt", nil, 4000, []string{"10.0.0.9"}},
		}
		for i, tt := range bad {
			n.announce(rawEntry(t, "bad-"+string(rune('a'+i)), tt.txt, tt.port, tt.ips...))
		}
		n.announce(entryFor(t, "room-11111111", lobby, 4000, "10.0.0.1", "fe80::1", "2001:db8::1"))
		_, stop := runBrowser(t, n, rec)
		time.Sleep(3 * testCycle)
		stop()
		if got, want := show(rec.last()), "1111111111111111=Lobby@10.0.0.1:4000,[2001:db8::1]:4000,[fe80::1%fake0]:4000"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		for _, c := range rec.calls {
			if len(c.rooms) != 1 {
				t.Errorf("a report listed %q", show(c.rooms))
			}
		}
	})
}

func TestBrowserFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, rec := newFakeNet(), &recorder{t: t}
		down := errors.New("no multicast here")
		n.setFail(down)
		b := &Browser{Ifaces: fakeIfaces, Cycle: testCycle, browse: n.browse}
		if err := b.Run(t.Context(), rec.onChange); !errors.Is(err, down) {
			t.Fatalf("Run with failing first browse: got %v, want %v", err, down)
		}

		n.setFail(nil)
		n.announce(entryFor(t, "room-11111111", lobby, 4000, "10.0.0.1"))
		_, stop := runBrowser(t, n, rec)
		time.Sleep(testCycle / 2)
		n.setFail(down) // the network goes away for a while: rooms expire
		time.Sleep(4 * testCycle)
		if got := show(rec.last()); got != "" {
			t.Errorf("after failing browses: got %q, want no rooms", got)
		}
		before := n.browseCalls()
		time.Sleep(10 * testCycle)
		if calls := n.browseCalls() - before; calls > 22 {
			t.Errorf("failing browses retried %d times in 10 cycles, want <= 22", calls)
		}
		n.setFail(nil)
		time.Sleep(testCycle)
		if got, want := show(rec.last()), "1111111111111111=Lobby@10.0.0.1:4000"; got != want {
			t.Errorf("after recovery: got %q, want %q", got, want)
		}
		if err := stop(); err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	})
}

func TestBrowserBoundedAndClean(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, rec := newFakeNet(), &recorder{t: t}
		b, stop := runBrowser(t, n, rec)
		synctest.Wait()
		if err := b.Run(t.Context(), rec.onChange); err == nil {
			t.Errorf("second concurrent Run: got nil, want an error")
		}
		time.Sleep(10*testCycle - time.Nanosecond)
		// 10 fresh browses plus the first, 2 long ones plus the first.
		if got, want := n.browseCalls(), 10+1+2+1; got > want {
			t.Errorf("browses in 10 cycles: got %d, want <= %d", got, want)
		}
		if err := stop(); err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
		if len(rec.calls) != 0 {
			t.Errorf("onChange called %d times with no rooms, want 0", len(rec.calls))
		}
		// synctest.Test fails if Run left a goroutine behind.
	})
}

func TestLookupFake(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newFakeNet()
		n.announce(entryFor(t, "room-22222222", party, 4001, "10.0.0.2"))
		n.announce(entryFor(t, "room-11111111", lobby, 4000, "10.0.0.1"))
		n.announce(entryFor(t, "room-11111111-eth1", lobby, 4000, "192.168.1.5"))
		b := &Browser{Ifaces: fakeIfaces, browse: n.browse}
		start := time.Now()
		rooms, err := b.lookup(t.Context(), 2*time.Second)
		if d := time.Since(start); d != 2*time.Second {
			t.Errorf("lookup took %v, want 2s", d)
		}
		want := "1111111111111111=Lobby@10.0.0.1:4000,192.168.1.5:4000;2222222222222222=🎉 party@10.0.0.2:4001"
		if got := show(rooms); err != nil || got != want {
			t.Errorf("got %q, %v; want %q", got, err, want)
		}

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		rooms, err = b.lookup(ctx, 2*time.Second)
		if !errors.Is(err, context.DeadlineExceeded) || len(rooms) != 2 {
			t.Errorf("lookup cut short: got %d rooms, %v; want 2, deadline exceeded", len(rooms), err)
		}
		n.setFail(errors.New("boom"))
		if _, err := b.lookup(t.Context(), time.Second); err == nil {
			t.Errorf("lookup on a failing network: got nil error")
		}
	})
}

// TestBrowserGoodbye: a room whose host says goodbye leaves the list at
// once, without waiting for fresh browses to miss it.
func TestBrowserGoodbye(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, rec := newFakeNet(), &recorder{t: t}
		n.announce(entryFor(t, "room-11111111", lobby, 4000, "10.0.0.1"))
		_, stop := runBrowser(t, n, rec)
		time.Sleep(testCycle / 2)
		left := time.Now()
		n.goodbye("room-11111111")
		synctest.Wait()
		at, ok := rec.firstWhere(left, lacksRoom(lobby.ID))
		if !ok || at != left {
			t.Errorf("room gone at %v (ok=%v), want at once", at.Sub(left), ok)
		}
		stop()
	})
}

// TestBrowserFollowsLANIfaces: with nil Ifaces, Run does not fail while
// the machine has no LAN interface; it browses none, keeps looking every
// cycle, and lists rooms once an interface appears.
func TestBrowserFollowsLANIfaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, rec := newFakeNet(), &recorder{t: t}
		n.announce(entryFor(t, "room-11111111", lobby, 4000, "10.0.0.1"))
		var mu sync.Mutex
		var now []net.Interface
		b := &Browser{Cycle: testCycle, browse: n.browse, lanIfaces: func() ([]net.Interface, error) {
			mu.Lock()
			defer mu.Unlock()
			if now == nil {
				return nil, ErrNoInterfaces
			}
			return now, nil
		}}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx, rec.onChange) }()
		time.Sleep(3 * testCycle)
		if calls := n.browseCalls(); calls != 0 || len(rec.calls) != 0 {
			t.Errorf("with no interface: %d browses, %d reports; want none", calls, len(rec.calls))
		}
		mu.Lock()
		now = fakeIfaces
		mu.Unlock()
		appeared := time.Now()
		time.Sleep(2 * testCycle)
		at, ok := rec.firstWhere(appeared, hasRoom(lobby.ID))
		if d := at.Sub(appeared); !ok || d > testCycle {
			t.Errorf("room listed %v after the interface appeared (ok=%v), want within a cycle", d, ok)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	})
}
