package discovery

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// TestAddAndCleanRemoval: a room advertised in namespace a shows up in
// b's Browser within 1 s and leaves it within 1 s of a clean Close: the
// goodbye is believed at once.
func TestAddAndCleanRemoval(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "a", "b")
	browser := startHelper(t, lab, "b", "browse", helperArgs{})
	browser.event("started", 10*time.Second)
	time.Sleep(300 * time.Millisecond) // let the long-running browse start

	room := chat.Room{ID: chat.NewID(), Name: "Café Room", Host: "zoë"}
	adv := startHelper(t, lab, "a", "advertise", helperArgs{Rooms: []chat.Room{room}, Port: 4242})
	up := adv.event("advertising", 10*time.Second)
	seen := browser.rooms("room listed", 5*time.Second, hasRoom(room.ID))
	add := seen.at.Sub(up.at)
	t.Logf("add: room listed %v after Advertise returned", add)
	if add > time.Second {
		t.Errorf("add took %v, want <= 1s", add)
	}
	got, _ := findRoom(seen.Rooms, room.ID)
	want := chat.Room{ID: room.ID, Name: room.Name, Host: room.Host, Addrs: lanAddrs(lab, "a", "eth0", "eth0", 4242)}
	if !sameRooms([]chat.Room{got}, []chat.Room{want}) {
		t.Errorf("listed room: got %+v, want %+v", got, want)
	}

	closing := time.Now()
	adv.stop()
	gone := browser.rooms("room gone", 10*time.Second, lacksRoom(room.ID))
	adv.event("closed", 10*time.Second)
	removal := gone.at.Sub(closing)
	t.Logf("clean removal: room gone %v after the advertiser was told to close", removal)
	if removal > time.Second {
		t.Errorf("clean removal took %v, want <= 1s", removal)
	}
	browser.stop()
	done := browser.event("done", 10*time.Second)
	if done.Goroutines > done.Baseline {
		t.Errorf("goroutines after Run returned: got %d, want <= %d", done.Goroutines, done.Baseline)
	}
}

// TestNamesRoundTrip: names with spaces, dots, accents, CJK, emoji, quotes
// and backslashes arrive exactly as advertised.
func TestNamesRoundTrip(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "a", "b")
	var rooms []chat.Room
	for _, r := range roundTripRooms[:6] {
		r.ID = chat.NewID()
		rooms = append(rooms, r)
	}
	startHelper(t, lab, "a", "advertise", helperArgs{Rooms: rooms, Port: 5000}).event("advertising", 10*time.Second)
	browser := startHelper(t, lab, "b", "browse", helperArgs{})
	got := browser.rooms("all rooms", 5*time.Second, func(list []chat.Room) bool { return len(list) == len(rooms) })
	for i, want := range rooms {
		r, ok := findRoom(got.Rooms, want.ID)
		want.Addrs = lanAddrs(lab, "a", "eth0", "eth0", 5000+i)
		if !ok || !sameRooms([]chat.Room{r}, []chat.Room{want}) {
			t.Errorf("got %+v, want %+v", r, want)
		}
	}
}

// TestKillRemoval: a SIGKILLed advertiser (no goodbye) leaves the list
// within 10 s.
func TestKillRemoval(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "a", "b")
	room := chat.Room{ID: chat.NewID(), Name: "doomed", Host: "x"}
	adv := startHelper(t, lab, "a", "advertise", helperArgs{Rooms: []chat.Room{room}, Port: 4242})
	adv.event("advertising", 10*time.Second)
	browser := startHelper(t, lab, "b", "browse", helperArgs{})
	browser.rooms("room listed", 5*time.Second, hasRoom(room.ID))
	adv.kill()
	killed := time.Now()
	gone := browser.rooms("room gone", 15*time.Second, lacksRoom(room.ID))
	d := gone.at.Sub(killed)
	t.Logf("kill removal: room gone %v after SIGKILL", d)
	if d > 10*time.Second {
		t.Errorf("kill removal took %v, want <= 10s", d)
	}
}

// TestRestartReported: a host killed and restarted at once with the same
// room id, a new name and a new port is shown with the new name and only
// the new address.
func TestRestartReported(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "a", "b")
	room := chat.Room{ID: chat.NewID(), Name: "before", Host: "x"}
	adv := startHelper(t, lab, "a", "advertise", helperArgs{Rooms: []chat.Room{room}, Port: 4242})
	adv.event("advertising", 10*time.Second)
	browser := startHelper(t, lab, "b", "browse", helperArgs{})
	browser.rooms("room listed", 5*time.Second, hasRoom(room.ID))
	adv.kill()
	room.Name = "after"
	startHelper(t, lab, "a", "advertise", helperArgs{Rooms: []chat.Room{room}, Port: 4343}).event("advertising", 10*time.Second)
	restarted := time.Now()
	want := chat.Room{ID: room.ID, Name: "after", Host: "x", Addrs: lanAddrs(lab, "a", "eth0", "eth0", 4343)}
	got := browser.rooms("restarted room", 10*time.Second, func(list []chat.Room) bool {
		r, ok := findRoom(list, room.ID)
		return ok && sameRooms([]chat.Room{r}, []chat.Room{want})
	})
	t.Logf("restart: new name and address alone %v after the restart", got.at.Sub(restarted))
}

// TestSameHostTwoIfaces: a room advertised on two interfaces of the
// browser's own namespace is listed once, with both addresses.
func TestSameHostTwoIfaces(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "h")
	lab.AddIface("h", "eth1", "192.168.77.1/24")
	ifaces := []string{"eth0", "eth1"}
	room := chat.Room{ID: chat.NewID(), Name: "two legs", Host: "x"}
	startHelper(t, lab, "h", "advertise", helperArgs{Rooms: []chat.Room{room}, Port: 4242, Ifaces: ifaces}).event("advertising", 10*time.Second)
	browser := startHelper(t, lab, "h", "browse", helperArgs{Ifaces: ifaces})
	browser.rooms("room listed", 5*time.Second, hasRoom(room.ID))
	time.Sleep(2 * DefaultCycle) // let fresh browses run on both interfaces
	want := []chat.Room{{ID: room.ID, Name: room.Name, Host: room.Host, Addrs: []string{
		lab.Addr("h") + ":4242", "192.168.77.1:4242",
		fmt.Sprintf("[%s%%eth0]:4242", lab.LinkLocal("h", "eth0")),
		fmt.Sprintf("[%s%%eth1]:4242", lab.LinkLocal("h", "eth1"))}}}
	want[0].Addrs = sortAddrStrings(want[0].Addrs)
	if got := browser.lastRooms(); !sameRooms(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestLookup: a one-shot Lookup finds the room within its wait and leaves
// no goroutine behind.
func TestLookup(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "a", "b")
	room := chat.Room{ID: chat.NewID(), Name: "会议室", Host: "李雷"}
	startHelper(t, lab, "a", "advertise", helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
	wait := time.Second
	got := startHelper(t, lab, "b", "lookup", helperArgs{Wait: wait}).event("rooms", 10*time.Second)
	want := []chat.Room{{ID: room.ID, Name: room.Name, Host: room.Host, Addrs: lanAddrs(lab, "a", "eth0", "eth0", 4242)}}
	if !sameRooms(got.Rooms, want) {
		t.Errorf("got %+v, want %+v", got.Rooms, want)
	}
	elapsed := time.Duration(got.Elapsed * float64(time.Millisecond))
	t.Logf("lookup: returned after %v with wait %v", elapsed, wait)
	if elapsed < wait || elapsed > wait+500*time.Millisecond {
		t.Errorf("lookup took %v, want about %v", elapsed, wait)
	}
	if got.Goroutines > got.Baseline {
		t.Errorf("goroutines after Lookup: got %d, want <= %d", got.Goroutines, got.Baseline)
	}
}

// TestQuickClose: closing adverts right after Advertise is clean under
// -race (see minAge) and the helper exits normally.
func TestQuickClose(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "a")
	for range 3 {
		rooms := []chat.Room{{ID: chat.NewID(), Name: "x", Host: "y"}, {ID: chat.NewID(), Name: "z", Host: "y"}}
		adv := startHelper(t, lab, "a", "advertise", helperArgs{Rooms: rooms, Port: 4242})
		adv.event("advertising", 10*time.Second)
		adv.stop()
		adv.event("closed", 10*time.Second)
		if err := adv.wait(10 * time.Second); err != nil {
			t.Fatalf("advertiser exit: %v", err)
		}
	}
}

// TestLoopbackOnly: inside one namespace, advertising and browsing on "lo"
// alone works; this is how a single-namespace test of the whole app can
// use discovery.
func TestLoopbackOnly(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "h")
	lab.IP("h", "link", "set", "lo", "multicast", "on")
	lo := []string{"lo"}
	room := chat.Room{ID: chat.NewID(), Name: "loop", Host: "x"}
	browser := startHelper(t, lab, "h", "browse", helperArgs{Ifaces: lo})
	browser.event("started", 10*time.Second)
	startHelper(t, lab, "h", "advertise", helperArgs{Rooms: []chat.Room{room}, Port: 4242, Ifaces: lo}).event("advertising", 10*time.Second)
	got := browser.rooms("room listed", 5*time.Second, hasRoom(room.ID))
	r, _ := findRoom(got.Rooms, room.ID)
	if want := []string{"127.0.0.1:4242", "[::1]:4242"}; !slices.Equal(r.Addrs, want) {
		t.Errorf("addrs: got %v, want %v", r.Addrs, want)
	}
}

// lanAddrs is what a browser whose interface is called zone lists for a
// room that host serves on port through its interface ifname: the IPv4
// address, then the link-local one.
func lanAddrs(lab *netlab.Lab, host, ifname, zone string, port int) []string {
	return []string{
		fmt.Sprintf("%s:%d", lab.IfaceAddr(host, ifname), port),
		fmt.Sprintf("[%s%%%s]:%d", lab.LinkLocal(host, ifname), zone, port),
	}
}
