package discovery

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// hasAddrs returns a check that the room is listed with exactly want.
func hasAddrs(id string, want []string) func([]chat.Room) bool {
	return func(rooms []chat.Room) bool {
		r, ok := findRoom(rooms, id)
		return ok && slices.Equal(r.Addrs, want)
	}
}

// dialAll connects to every address from host's namespace and fails the
// test for each that does not answer.
func dialAll(t *testing.T, lab *netlab.Lab, host string, addrs []string) {
	t.Helper()
	got := startHelper(t, lab, host, "dial", helperArgs{Addrs: addrs}).event("dialed", 15*time.Second)
	for _, a := range addrs {
		if got.Dialed[a] != "ok" {
			t.Errorf("connect from %s to %s: %s", host, a, got.Dialed[a])
		}
	}
}

// settled waits two fresh browses, stops the browser and checks that its
// last list still shows the room with exactly want: nothing else turned up.
func settled(t *testing.T, b *helper, id string, want []string) {
	t.Helper()
	time.Sleep(2 * DefaultCycle)
	r, _ := findRoom(b.lastRooms(), id)
	if !slices.Equal(r.Addrs, want) {
		t.Errorf("%s after two more cycles: got %v, want %v", b.name, r.Addrs, want)
	}
}

// TestTwoLANs: a host with a leg on LAN a (eth0) and one on LAN b (eth1)
// is announced on each with that LAN's addresses only. A browser on either
// LAN lists just its own LAN's addresses and can connect to each; a
// browser with a leg on both lists the room once, with both.
func TestTwoLANs(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "h", "a", "w")
	lab.AddLAN("b")
	lab.AddHost("b", "b")
	lab.Attach("h", "b", "eth1")
	lab.Attach("w", "b", "eth1")
	room := chat.Room{ID: chat.NewID(), Name: "two LANs", Host: "x"}
	startHelper(t, lab, "h", "listen", helperArgs{Port: 4242}).event("listening", 10*time.Second)
	up := startHelper(t, lab, "h", "announce", helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
	wantLinks := fmt.Sprint([]Link{
		{Interface: "eth0", Addrs: []string{lab.Addr("h"), lab.LinkLocal("h", "eth0")}},
		{Interface: "eth1", Addrs: []string{lab.IfaceAddr("h", "eth1"), lab.LinkLocal("h", "eth1")}},
	})
	if got := fmt.Sprint(up.Links); got != wantLinks {
		t.Errorf("announced: got %s, want %s", got, wantLinks)
	}
	both := sortAddrStrings(append(lanAddrs(lab, "h", "eth0", "eth0", 4242), lanAddrs(lab, "h", "eth1", "eth1", 4242)...))
	tests := []struct {
		host string
		want []string
	}{
		{"a", lanAddrs(lab, "h", "eth0", "eth0", 4242)},
		{"b", lanAddrs(lab, "h", "eth1", "eth0", 4242)},
		{"w", both},
	}
	var browsers []*helper
	for _, tt := range tests {
		browsers = append(browsers, startHelper(t, lab, tt.host, "browse", helperArgs{}))
	}
	for i, tt := range tests {
		browsers[i].rooms("room with "+fmt.Sprint(tt.want), 5*time.Second, hasAddrs(room.ID, tt.want))
		dialAll(t, lab, tt.host, tt.want)
	}
	for i, tt := range tests {
		settled(t, browsers[i], room.ID, tt.want)
	}
}

// TestVirtualIfacesNeverAdvertised: a host with docker-, bridge-, veth-,
// tunnel- and WireGuard-like interfaces, all plugged into the same LAN as
// the browser, announces its room on eth0 alone, with eth0's addresses
// alone, both through Advertise and Announce, even while another program
// on the host (standing in for avahi) listens for mDNS on every one of
// them, so the room's sockets receive the queries that arrive there too.
func TestVirtualIfacesNeverAdvertised(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "a", "b")
	legs := []string{"eth0"}
	for _, name := range []string{"docker0", "br-3f2a9c01", "veth1a2b3c", "tun0", "wg0"} {
		lab.Attach("a", netlab.MainLAN, name)
		legs = append(legs, name)
	}
	startHelper(t, lab, "a", "browse", helperArgs{Ifaces: legs}).event("started", 10*time.Second)
	r1 := chat.Room{ID: chat.NewID(), Name: "advertised", Host: "x"}
	r2 := chat.Room{ID: chat.NewID(), Name: "announced", Host: "x"}
	want := []Link{{Interface: "eth0", Addrs: []string{lab.Addr("a"), lab.LinkLocal("a", "eth0")}}}
	for _, role := range []string{"advertise", "announce"} {
		room := map[string]chat.Room{"advertise": r1, "announce": r2}[role]
		up := startHelper(t, lab, "a", role, helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
		if fmt.Sprint(up.Links) != fmt.Sprint(want) {
			t.Errorf("%s: announced %v, want %v", role, up.Links, want)
		}
	}
	browser := startHelper(t, lab, "b", "browse", helperArgs{})
	wantAddrs := lanAddrs(lab, "a", "eth0", "eth0", 4242)
	browser.watch(5*time.Second, map[string]func([]chat.Room) bool{
		"advertised": hasAddrs(r1.ID, wantAddrs), "announced": hasAddrs(r2.ID, wantAddrs)})
	time.Sleep(2 * DefaultCycle)
	for _, r := range browser.lastRooms() {
		if !slices.Equal(r.Addrs, wantAddrs) {
			t.Errorf("%s listed with %v, want %v", r.Name, r.Addrs, wantAddrs)
		}
	}
}

// TestIPv6Only: on a LAN without IPv4 (no DHCP), the room is listed with
// the host's link-local address, zoned with the browser's interface, and a
// TCP connection to it works; with a ULA too, the ULA comes first.
func TestIPv6Only(t *testing.T) {
	t.Parallel()
	for _, ula := range []bool{false, true} {
		t.Run(fmt.Sprintf("ula=%v", ula), func(t *testing.T) {
			t.Parallel()
			lab := netlab.NewWith(t, netlab.Options{NoIPv4: true, ULA: ula}, "a", "b")
			room := chat.Room{ID: chat.NewID(), Name: "v6 only", Host: "x"}
			startHelper(t, lab, "a", "listen", helperArgs{Port: 4242}).event("listening", 10*time.Second)
			startHelper(t, lab, "a", "announce", helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
			want := []string{fmt.Sprintf("[%s%%eth0]:4242", lab.LinkLocal("a", "eth0"))}
			if ula {
				want = append([]string{fmt.Sprintf("[%s]:4242", lab.ULA("a", "eth0"))}, want...)
			}
			browser := startHelper(t, lab, "b", "browse", helperArgs{})
			got := browser.rooms("room listed", 5*time.Second, hasRoom(room.ID))
			if r, _ := findRoom(got.Rooms, room.ID); !slices.Equal(r.Addrs, want) {
				t.Errorf("addrs: got %v, want %v", r.Addrs, want)
			}
			dialAll(t, lab, "b", want)
		})
	}
}
