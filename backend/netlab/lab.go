// Package netlab builds throwaway LANs out of Linux network namespaces for
// tests that need real multicast or real addresses without touching the
// machine's own network.
//
// A Lab is one "switch" namespace holding a bridge, plus one namespace per
// host joined to the bridge by a veth pair whose host end is called eth0
// and carries an address in a private 10.X.Y.0/24 subnet chosen at random
// for the lab. Processes run inside a host with Command (or Reexec, for the
// test binary itself). Everything is removed by a t.Cleanup registered in
// New: processes started through the lab are killed and the namespaces are
// deleted, also when the test fails.
//
// netlab needs root and iproute2 ("ip"). It fails the test, never skips it,
// when namespaces cannot be created. Lab methods call t.Fatal on error, so
// like t.Fatal they must be called from the test's own goroutine.
package netlab

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os/exec"
	"regexp"
	"sync"
	"testing"
)

// Prefix starts the name of every namespace a Lab creates, so a leftover
// one is easy to recognise: "parley-<6 hex>" for the switch and
// "parley-<6 hex>-<host>" for each host.
const Prefix = "parley-"

// maxHosts bounds the hosts of one lab: addresses are .1 to .maxHosts.
const maxHosts = 200

var hostName = regexp.MustCompile(`^[a-z0-9]{1,8}$`)

// Lab is a set of network namespaces wired into one LAN. Create it with New.
type Lab struct {
	t      testing.TB
	id     string       // random hex, part of every namespace name
	subnet netip.Prefix // 10.X.Y.0/24, unique among this process's labs
	sw     string       // switch namespace, holds br0

	mu     sync.Mutex // guards the following
	hosts  map[string]*host
	nsList []string    // every namespace created, in creation order
	cmds   []*exec.Cmd // processes started through the lab
	extra  int         // veth peers made by AddIface, for unique names
}

type host struct {
	ns   string
	addr netip.Addr
}

// New creates a lab with one namespace per host name, each with lo up and
// eth0 up at its own address, all on one bridge. Host names are 1 to 8
// lowercase letters or digits. The lab is torn down when the test ends.
func New(t testing.TB, hosts ...string) *Lab {
	t.Helper()
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatalf("netlab: needs iproute2 (the ip command) and root: %v", err)
	}
	l := &Lab{t: t, id: randomHex(3), hosts: map[string]*host{}}
	l.subnet = pickSubnet()
	l.sw = Prefix + l.id
	t.Cleanup(l.teardown)
	l.addNS(l.sw)
	l.mustIP("-n", l.sw, "link", "add", "br0", "type", "bridge")
	l.mustIP("-n", l.sw, "link", "set", "br0", "up")
	for _, h := range hosts {
		l.addHost(h)
	}
	return l
}

// addHost creates the namespace of host h and plugs it into the bridge.
func (l *Lab) addHost(h string) {
	l.t.Helper()
	if !hostName.MatchString(h) {
		l.t.Fatalf("netlab: host name %q: want 1 to 8 lowercase letters or digits", h)
	}
	l.mu.Lock()
	_, dup := l.hosts[h]
	n := len(l.hosts) + 1
	l.mu.Unlock()
	if dup || n > maxHosts {
		l.t.Fatalf("netlab: host %q is a duplicate or one too many", h)
	}
	ns := l.sw + "-" + h
	l.addNS(ns)
	peer := fmt.Sprintf("h%d", n)
	addr := l.subnet.Addr().As4()
	addr[3] = byte(n)
	hs := &host{ns: ns, addr: netip.AddrFrom4(addr)}
	l.mustIP("-n", l.sw, "link", "add", peer, "type", "veth", "peer", "name", "eth0", "netns", ns)
	l.mustIP("-n", l.sw, "link", "set", peer, "master", "br0", "up")
	l.mustIP("-n", ns, "link", "set", "lo", "up")
	l.mustIP("-n", ns, "addr", "add", fmt.Sprintf("%s/%d", hs.addr, l.subnet.Bits()), "dev", "eth0")
	l.mustIP("-n", ns, "link", "set", "eth0", "up")
	l.mu.Lock()
	l.hosts[h] = hs
	l.mu.Unlock()
}

// addNS creates one namespace and remembers it for teardown.
func (l *Lab) addNS(ns string) {
	l.t.Helper()
	if out, err := runIP("netns", "add", ns); err != nil {
		l.t.Fatalf("netlab: ip netns add %s: %v: %s (netlab needs root and iproute2)", ns, err, out)
	}
	l.mu.Lock()
	l.nsList = append(l.nsList, ns)
	l.mu.Unlock()
}

// Addr returns the IPv4 address of host's eth0, e.g. "10.123.45.1".
func (l *Lab) Addr(host string) string { return l.host(host).addr.String() }

// NS returns the name of host's network namespace, for "ip netns exec".
func (l *Lab) NS(host string) string { return l.host(host).ns }

// Subnet returns the lab's eth0 subnet, e.g. 10.123.45.0/24.
func (l *Lab) Subnet() netip.Prefix { return l.subnet }

func (l *Lab) host(name string) *host {
	l.t.Helper()
	l.mu.Lock()
	h := l.hosts[name]
	l.mu.Unlock()
	if h == nil {
		l.t.Fatalf("netlab: no host %q in this lab", name)
	}
	return h
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux.
	return hex.EncodeToString(b)
}
