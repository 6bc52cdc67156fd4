package netlab

import (
	"fmt"
	"net/netip"
)

// AddIface adds an interface called name to host's namespace, with address
// cidr (e.g. "172.17.0.1/16"), and brings it up. It is one end of a veth
// pair whose other end is up but unbridged in the switch namespace, so
// nothing answers on it: enough to stand in for docker0, tun0 or a second
// NIC. Name is at most 15 bytes, the kernel's limit.
func (l *Lab) AddIface(host, name, cidr string) {
	l.t.Helper()
	if len(name) == 0 || len(name) > 15 {
		l.t.Fatalf("netlab: interface name %q: want 1 to 15 bytes", name)
	}
	if _, err := netip.ParsePrefix(cidr); err != nil {
		l.t.Fatalf("netlab: AddIface %s: %v", name, err)
	}
	ns := l.NS(host)
	l.mu.Lock()
	l.peers++
	peer := fmt.Sprintf("p%d", l.peers)
	l.mu.Unlock()
	l.mustIP("-n", ns, "link", "add", name, "type", "veth", "peer", "name", peer, "netns", l.sw)
	l.mustIP("-n", l.sw, "link", "set", peer, "up")
	l.mustIP("-n", ns, "addr", "add", cidr, "dev", name)
	l.mustIP("-n", ns, "link", "set", name, "up")
}

// LinkDown takes host's eth0 down, cutting it off the LAN.
func (l *Lab) LinkDown(host string) {
	l.t.Helper()
	l.mustIP("-n", l.NS(host), "link", "set", "eth0", "down")
}

// LinkUp brings host's eth0 back up after LinkDown.
func (l *Lab) LinkUp(host string) {
	l.t.Helper()
	l.mustIP("-n", l.NS(host), "link", "set", "eth0", "up")
}

// SetMulticast turns the multicast flag of host's interface ifname on or
// off ("ip link set IFACE multicast off"), as some Wi-Fi drivers and VPN
// clients do. With it off, the kernel refuses to join multicast groups on
// the interface.
func (l *Lab) SetMulticast(host, ifname string, on bool) {
	l.t.Helper()
	state := "off"
	if on {
		state = "on"
	}
	l.mustIP("-n", l.NS(host), "link", "set", ifname, "multicast", state)
}

// IP runs "ip -n NS args..." for host's namespace and fails the test if it
// fails; e.g. lab.IP("a", "link", "set", "lo", "multicast", "on").
func (l *Lab) IP(host string, args ...string) {
	l.t.Helper()
	l.mustIP(append([]string{"-n", l.NS(host)}, args...)...)
}
