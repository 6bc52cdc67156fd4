package cli_test

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// The tests of "zero-config that survives real networks": real mDNS and
// TCP between network namespaces, through the parley command line.

// hostIn starts `parley host` in host of lab and returns it, its port and
// its invite link.
func hostIn(t *testing.T, lab *netlab.Lab, host, room, nick string) (*proc, string, string) {
	t.Helper()
	h := parley(t, lab, host, "host", "--room", room, "--nick", nick, "--memory")
	port := regexp.MustCompile(`port (\d+)`).FindStringSubmatch(h.stderr.waitFor(t, `^Hosting .* on port \d+\.$`, 10*time.Second))[1]
	link := regexp.MustCompile(`parley://\S+`).FindString(h.stderr.waitFor(t, `^Invite link: parley://`, 5*time.Second))
	return h, port, link
}

// roomsIn runs `parley rooms --json` in host until a room named name is
// listed (or 10 s pass) and returns it.
func roomsIn(t *testing.T, lab *netlab.Lab, host, name string, ok func(chat.Room) bool) chat.Room {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var last []chat.Room
	for time.Now().Before(deadline) {
		last = listRoomsIn(t, lab, host)
		for _, r := range last {
			if r.Name == name && (ok == nil || ok(r)) {
				return r
			}
		}
	}
	t.Fatalf("%s never listed %q as expected; last: %+v", host, name, last)
	return chat.Room{}
}

// inSubnet accepts a room whose IPv4 addresses are all in p (and there
// is one); link-local IPv6 addresses, valid on every link, may come too.
func inSubnet(p netip.Prefix) func(chat.Room) bool {
	return func(r chat.Room) bool {
		v4 := 0
		for _, a := range r.Addrs {
			ap, err := netip.ParseAddrPort(a)
			switch {
			case err != nil:
				return false
			case ap.Addr().Is4():
				if !p.Contains(ap.Addr()) {
					return false
				}
				v4++
			case !ap.Addr().IsLinkLocalUnicast():
				return false
			}
		}
		return v4 > 0
	}
}

// chatBothWays joins room by name from host guest and checks a message
// each way with the room's host process h.
func chatBothWays(t *testing.T, lab *netlab.Lab, h *proc, guest, room, nick string) *proc {
	t.Helper()
	g := parley(t, lab, guest, "join", room, "--nick", nick)
	g.stderr.waitFor(t, `^Joined `, 15*time.Second)
	g.send("hi from " + nick)
	h.stdout.waitFor(t, `\] `+nick+`: hi from `+nick+`$`, 5*time.Second)
	h.send("welcome " + nick)
	g.stdout.waitFor(t, `: welcome `+nick+`$`, 5*time.Second)
	return g
}

// TestTwoLANs: a host with a leg on each of two LANs is found on both,
// each side seeing only the address that is valid on its own LAN, and
// members on both chat together.
func TestTwoLANs(t *testing.T) {
	lab := netlab.New(t, "host", "a")
	lan2 := lab.AddLAN("lan2")
	lab.AddHost("b", "lan2")
	lab.Attach("host", "lan2", "eth1")
	h, _, _ := hostIn(t, lab, "host", "Bridge", "hal")

	ra := roomsIn(t, lab, "a", "Bridge", inSubnet(lab.Subnet()))
	rb := roomsIn(t, lab, "b", "Bridge", inSubnet(lan2))
	t.Logf("LAN 1 sees %v, LAN 2 sees %v", ra.Addrs, rb.Addrs)

	chatBothWays(t, lab, h, "a", "Bridge", "ann")
	b := chatBothWays(t, lab, h, "b", "Bridge", "bea")
	b.stdout.waitFor(t, `\] ann: hi from ann$|^\* ann joined$`, 5*time.Second)
}

// TestVirtualInterfacesNeverAdvertised: docker-like and tunnel-like
// interfaces on the host never show up in what others see.
func TestVirtualInterfacesNeverAdvertised(t *testing.T) {
	lab := netlab.New(t, "host", "guest")
	lab.AddIface("host", "docker0", "172.17.0.1/16")
	lab.AddIface("host", "tun0", "10.200.0.1/24")
	hostIn(t, lab, "host", "Clean", "hal")
	r := roomsIn(t, lab, "guest", "Clean", nil)
	for _, a := range r.Addrs {
		if strings.Contains(a, "172.17.") || strings.Contains(a, "10.200.") {
			t.Errorf("a virtual interface's address was advertised: %v", r.Addrs)
		}
	}
	if !inSubnet(lab.Subnet())(r) {
		t.Errorf("advertised %v, want only the LAN address", r.Addrs)
	}
}

// TestHostAddressChanges: the host gets a new address (a new DHCP lease,
// roaming) while a member is in the room. The room is announced at the
// new address, the member reconnects there by itself, and nothing said in
// between is lost or repeated.
func TestHostAddressChanges(t *testing.T) {
	lab := netlab.New(t, "host", "member", "watcher")
	h, port, _ := hostIn(t, lab, "host", "Roaming", "hal")
	m := chatBothWays(t, lab, h, "member", "Roaming", "mo")

	changed := time.Now()
	oldAddr := lab.Addr("host")
	newAddr := lab.ChangeAddr("host")
	const each = 10
	for i := range each {
		h.send(fmt.Sprint("h-", i))
		m.send(fmt.Sprint("m-", i))
	}
	r := roomsIn(t, lab, "watcher", "Roaming", func(r chat.Room) bool {
		return r.Addrs[0] == newAddr+":"+port && inSubnet(lab.Subnet())(chat.Room{Addrs: r.Addrs[:1]}) &&
			!strings.Contains(strings.Join(r.Addrs, " "), oldAddr+":")
	})
	t.Logf("the lobby lists the room at its new address %v after %v", r.Addrs, time.Since(changed).Round(100*time.Millisecond))

	toMember, mLost, mDup := waitCount(t, m, "hal", "h-", each, 40*time.Second)
	toHost, hLost, hDup := waitCount(t, h, "mo", "m-", each, 40*time.Second)
	t.Logf("FIGURES: host address changed: member back after %v; sent %d, delivered %d, lost %d, duplicated %d",
		time.Since(changed).Round(100*time.Millisecond), 2*each, toMember+toHost, mLost+hLost, mDup+hDup)
	if mLost+hLost+mDup+hDup != 0 {
		t.Errorf("to the member: %d delivered, %d lost, %d duplicated; to the host: %d, %d, %d", toMember, mLost, mDup, toHost, hLost, hDup)
	}
}

// TestMulticastBlocked: a joiner whose interface does not do multicast
// cannot browse — it is told so — but joins by address and by link, and
// `parley doctor` there says what is wrong.
func TestMulticastBlocked(t *testing.T) {
	lab := netlab.New(t, "host", "guest")
	h, port, link := hostIn(t, lab, "host", "Walled", "hal")
	lab.SetMulticast("guest", "eth0", false)

	rooms := parley(t, lab, "guest", "rooms", "--wait", "1s")
	if code := rooms.wait(10 * time.Second); code != 4 || !strings.Contains(rooms.stderr.all(), "join by address") {
		t.Errorf("parley rooms without multicast: exit %d, stderr %q; want 4 and a pointer to join by address", code, rooms.stderr.all())
	}
	for _, target := range []string{lab.Addr("host") + ":" + port, link} {
		g := parley(t, lab, "guest", "join", target, "--nick", "gus")
		g.stderr.waitFor(t, `^Joined "Walled"`, 10*time.Second)
		g.send("via " + target)
		h.stdout.waitFor(t, regexp.QuoteMeta("gus: via "+target)+`$`, 5*time.Second)
		g.stdin.Close()
		g.wait(10 * time.Second)
	}

	doc := parley(t, lab, "guest", "doctor", "--wait", "1s")
	if code := doc.wait(20 * time.Second); code != 0 {
		t.Fatalf("doctor exited %d: %s", code, doc.stderr.all())
	}
	out := doc.stdout.all()
	if !strings.Contains(out, "multicast is off") || !strings.Contains(out, "ip link set eth0 multicast on") {
		t.Errorf("doctor on a host with multicast off said:\n%s", out)
	}
	t.Logf("parley doctor:\n%s", out)
}

// TestDoctorWhenAllIsWell: doctor sees its own announcement and the room.
func TestDoctorWhenAllIsWell(t *testing.T) {
	lab := netlab.New(t, "host", "guest")
	hostIn(t, lab, "host", "Fine", "hal")
	doc := parley(t, lab, "guest", "doctor", "--wait", "1s")
	if code := doc.wait(20 * time.Second); code != 0 {
		t.Fatalf("doctor exited %d: %s", code, doc.stderr.all())
	}
	out := doc.stdout.all()
	t.Logf("parley doctor:\n%s", out)
	if !regexp.MustCompile(`eth0\s+used, hears itself, 1 room`).MatchString(out) || !strings.Contains(out, "Fine, hosted by hal, on eth0") {
		t.Errorf("doctor on a healthy LAN said:\n%s", out)
	}
}

// TestIPv6Only: two machines with no IPv4 at all — only link-local IPv6 —
// find each other's rooms and chat.
func TestIPv6Only(t *testing.T) {
	lab := netlab.NewWith(t, netlab.Options{NoIPv4: true}, "host", "guest")
	h, _, _ := hostIn(t, lab, "host", "Six", "hal")
	r := roomsIn(t, lab, "guest", "Six", nil)
	if len(r.Addrs) == 0 || !strings.Contains(r.Addrs[0], "%eth0]") {
		t.Errorf("listed at %v, want a zoned link-local address", r.Addrs)
	}
	chatBothWays(t, lab, h, "guest", "Six", "gil")
	h.signal(syscall.SIGTERM)
}
