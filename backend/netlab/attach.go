package netlab

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Attach plugs host into the LAN called lanName with a new interface
// ifname (eth1, say), up, with the next free address in that LAN's
// subnet, which it returns ("" in an IPv6-only lab), and a ULA with
// Options.ULA. A host with legs on two LANs can reach both; the LANs
// cannot reach each other (nothing routes between them).
func (l *Lab) Attach(host, lanName, ifname string) string {
	l.t.Helper()
	h, ln := l.host(host), l.lan(lanName)
	l.checkIfaceName(ifname)
	lk := &link{lan: lanName}
	l.mu.Lock()
	_, dup := h.links[ifname]
	ln.next++
	n := ln.next
	l.peers++
	peer := fmt.Sprintf("p%d", l.peers)
	l.mu.Unlock()
	if dup || n > maxHosts {
		l.t.Fatalf("netlab: %s on %s: duplicate interface or LAN full", ifname, host)
	}
	l.mustIP("-n", l.sw, "link", "add", peer, "type", "veth", "peer", "name", ifname, "netns", h.ns)
	l.mustIP("-n", l.sw, "link", "set", peer, "master", ln.bridge, "up")
	if !l.opts.NoIPv4 {
		lk.addr = hostAddr(ln.subnet, n)
		l.mustIP("-n", h.ns, "addr", "add", netip.PrefixFrom(lk.addr, ln.subnet.Bits()).String(), "dev", ifname)
	}
	if l.opts.ULA {
		lk.ula = hostAddr(ln.ula, n)
		l.mustIP("-n", h.ns, "addr", "add", netip.PrefixFrom(lk.ula, ln.ula.Bits()).String(), "dev", ifname, "nodad")
	}
	l.mustIP("-n", h.ns, "link", "set", ifname, "up")
	l.mu.Lock()
	h.links[ifname] = lk
	l.mu.Unlock()
	if lk.addr.IsValid() {
		return lk.addr.String()
	}
	return ""
}

// IfaceAddr returns the IPv4 address of host's interface ifname as Attach
// gave it (or ChangeAddr changed it). It fails the test if there is none.
func (l *Lab) IfaceAddr(host, ifname string) string {
	l.t.Helper()
	lk := l.link(host, ifname)
	if !lk.addr.IsValid() {
		l.t.Fatalf("netlab: %s on %s has no IPv4 address (IPv6-only lab)", ifname, host)
	}
	return lk.addr.String()
}

// ULA returns the unique local IPv6 address of host's interface ifname,
// e.g. "fd12:3456:789a:1::1". It fails the test without Options.ULA.
func (l *Lab) ULA(host, ifname string) string {
	l.t.Helper()
	lk := l.link(host, ifname)
	if !lk.ula.IsValid() {
		l.t.Fatalf("netlab: %s on %s has no ULA (Options.ULA is off)", ifname, host)
	}
	return lk.ula.String()
}

// LinkLocal returns the IPv6 link-local address of host's interface
// ifname, without a zone, e.g. "fe80::a8c1:abff:fe12:3456". The kernel
// assigns it when the link comes up; LinkLocal waits up to 2 s for it.
func (l *Lab) LinkLocal(host, ifname string) string {
	l.t.Helper()
	ns := l.NS(host)
	var out string
	var err error
	for range 40 {
		out, err = runIP("-n", ns, "-6", "-o", "addr", "show", "dev", ifname, "scope", "link")
		if a, ok := parseInet6(out); err == nil && ok {
			return a
		}
		time.Sleep(50 * time.Millisecond)
	}
	l.t.Fatalf("netlab: no link-local address on %s in %s: %v: %q", ifname, host, err, out)
	return ""
}

// ChangeAddr gives host's eth0 a new IPv4 address in its LAN's subnet, as
// a DHCP server handing out another lease would: the old address is
// removed, then the new one added. It returns the new address.
func (l *Lab) ChangeAddr(host string) string {
	l.t.Helper()
	h, lk := l.host(host), l.link(host, "eth0")
	if !lk.addr.IsValid() {
		l.t.Fatalf("netlab: ChangeAddr: %s has no IPv4 address (IPv6-only lab)", host)
	}
	ln := l.lan(lk.lan)
	l.mu.Lock()
	ln.next++
	n, old := maxHosts+ln.next, lk.addr
	l.mu.Unlock()
	if n > 254 {
		l.t.Fatalf("netlab: ChangeAddr: no free address left on %s", lk.lan)
	}
	next := hostAddr(ln.subnet, n)
	l.mustIP("-n", h.ns, "addr", "del", netip.PrefixFrom(old, ln.subnet.Bits()).String(), "dev", "eth0")
	l.mustIP("-n", h.ns, "addr", "add", netip.PrefixFrom(next, ln.subnet.Bits()).String(), "dev", "eth0")
	l.mu.Lock()
	lk.addr = next
	l.mu.Unlock()
	return next.String()
}

func (l *Lab) link(host, ifname string) *link {
	l.t.Helper()
	h := l.host(host)
	l.mu.Lock()
	lk := h.links[ifname]
	l.mu.Unlock()
	if lk == nil {
		l.t.Fatalf("netlab: host %q has no interface %q made by the lab", host, ifname)
	}
	return lk
}

func (l *Lab) checkIfaceName(name string) {
	l.t.Helper()
	if !ifaceName.MatchString(name) {
		l.t.Fatalf("netlab: interface name %q: want 1 to 15 letters, digits, '_', '.' or '-'", name)
	}
}

// hostAddr returns address number n in p (n < 256 for IPv4).
func hostAddr(p netip.Prefix, n int) netip.Addr {
	b := p.Addr().AsSlice()
	b[len(b)-1] = byte(n)
	a, _ := netip.AddrFromSlice(b)
	return a
}

// parseInet6 finds the address in "ip -o addr" output: "... inet6 ADDR/64 ...".
func parseInet6(out string) (string, bool) {
	f := strings.Fields(out)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "inet6" {
			p, err := netip.ParsePrefix(f[i+1])
			return p.Addr().String(), err == nil
		}
	}
	return "", false
}
