package discovery

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// changeLimit is how soon after a network change the browsers must show
// it: an Announcer poll (DefaultPoll) plus a margin.
const changeLimit = 5 * time.Second

// TestAddressChange: the host's eth0 gets a new address (a new DHCP lease)
// while an Announcer runs; a Browser on the LAN lists the new address and
// drops the old one within a few seconds.
func TestAddressChange(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "h", "b")
	room := chat.Room{ID: chat.NewID(), Name: "moving", Host: "x"}
	browser := startHelper(t, lab, "b", "browse", helperArgs{})
	startHelper(t, lab, "h", "announce", helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
	browser.rooms("room listed", 5*time.Second, hasAddrs(room.ID, lanAddrs(lab, "h", "eth0", "eth0", 4242)))
	old := lab.Addr("h") + ":4242"
	changed := time.Now()
	next := lab.ChangeAddr("h") + ":4242"
	at := browser.watch(10*time.Second, map[string]func([]chat.Room) bool{
		"new": func(rooms []chat.Room) bool { r, _ := findRoom(rooms, room.ID); return slices.Contains(r.Addrs, next) },
		"old gone": func(rooms []chat.Room) bool {
			r, ok := findRoom(rooms, room.ID)
			return ok && !slices.Contains(r.Addrs, old)
		},
	})
	toNew, toGone := at["new"].Sub(changed), at["old gone"].Sub(changed)
	t.Logf("address change %s -> %s: new address listed after %v, old one gone after %v", old, next, toNew, toGone)
	if toNew > changeLimit || toGone > changeLimit {
		t.Errorf("change shown after %v / %v, want both within %v", toNew, toGone, changeLimit)
	}
	settled(t, browser, room.ID, lanAddrs(lab, "h", "eth0", "eth0", 4242))
}

// TestIfaceAppears: the host is plugged into a second LAN while its
// Announcer runs; a Browser already running there lists the room, with
// that LAN's addresses, within a few seconds.
func TestIfaceAppears(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "h")
	lab.AddLAN("b")
	lab.AddHost("b", "b")
	room := chat.Room{ID: chat.NewID(), Name: "late leg", Host: "x"}
	browser := startHelper(t, lab, "b", "browse", helperArgs{})
	browser.event("started", 10*time.Second)
	up := startHelper(t, lab, "h", "announce", helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
	if len(up.Links) != 1 {
		t.Fatalf("announced on %v at first, want eth0 alone", up.Links)
	}
	plugged := time.Now()
	lab.Attach("h", "b", "eth1")
	want := lanAddrs(lab, "h", "eth1", "eth0", 4242)
	got := browser.rooms("room listed on LAN b", 10*time.Second, hasAddrs(room.ID, want))
	d := got.at.Sub(plugged)
	t.Logf("interface appeared: room listed on the new LAN %v after eth1 was plugged in", d)
	if d > changeLimit {
		t.Errorf("room listed after %v, want within %v", d, changeLimit)
	}
}

// TestBrowserFollowsIfaces: a Browser with nil Ifaces that runs before
// its machine joins a second LAN lists the rooms of that LAN within a few
// seconds of the join, with link-local addresses zoned by the new
// interface.
func TestBrowserFollowsIfaces(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "w")
	lab.AddLAN("b")
	lab.AddHost("h", "b")
	room := chat.Room{ID: chat.NewID(), Name: "over there", Host: "x"}
	startHelper(t, lab, "h", "announce", helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
	browser := startHelper(t, lab, "w", "browse", helperArgs{})
	browser.event("started", 10*time.Second)
	time.Sleep(DefaultCycle)
	joined := time.Now()
	lab.Attach("w", "b", "eth1")
	want := lanAddrs(lab, "h", "eth0", "eth1", 4242)
	got := browser.rooms(fmt.Sprint("room with ", want), 10*time.Second, hasAddrs(room.ID, want))
	d := got.at.Sub(joined)
	t.Logf("browser joined a LAN: room listed %v after", d)
	if d > changeLimit {
		t.Errorf("room listed after %v, want within %v", d, changeLimit)
	}
}

// TestIPv4Arrives: on a LAN that had only IPv6 link-local addresses, the
// host gets an IPv4 address (a DHCP server came up). Its announcement
// moves to new sockets, and the browser adds the address without the room
// ever leaving its list.
func TestIPv4Arrives(t *testing.T) {
	t.Parallel()
	lab := netlab.NewWith(t, netlab.Options{NoIPv4: true}, "h", "b")
	room := chat.Room{ID: chat.NewID(), Name: "dhcp at last", Host: "x"}
	startHelper(t, lab, "h", "announce", helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
	ll := fmt.Sprintf("[%s%%eth0]:4242", lab.LinkLocal("h", "eth0"))
	browser := startHelper(t, lab, "b", "browse", helperArgs{})
	browser.rooms("room listed", 5*time.Second, hasAddrs(room.ID, []string{ll}))
	lab.IP("h", "addr", "add", "192.168.50.1/24", "dev", "eth0")
	added := time.Now()
	want := []string{"192.168.50.1:4242", ll}
	got := browser.waitFor("the IPv4 address", 10*time.Second, func(m helperMsg) bool {
		if _, ok := findRoom(m.Rooms, room.ID); m.Event == "rooms" && !ok {
			t.Errorf("room left the list while its host got an IPv4 address: %+v", m.Rooms)
		}
		return m.Event == "rooms" && hasAddrs(room.ID, want)(m.Rooms)
	})
	t.Logf("IPv4 address arrived: listed %v after it was added", got.at.Sub(added))
}
