// Package netlab builds throwaway LANs out of Linux network namespaces for
// tests that need real multicast or real addresses without touching the
// machine's own network.
//
// A Lab is one "switch" namespace holding a bridge per LAN, plus one
// namespace per host. New makes one LAN, MainLAN, and plugs every host
// into it by a veth pair whose host end is called eth0 and carries an
// address in a private 10.X.Y.0/24 subnet chosen at random for that LAN.
// AddLAN adds another LAN (another bridge, another subnet), AddHost a host
// on any LAN, and Attach gives an existing host a second leg (eth1, ...)
// on another LAN. NewWith makes IPv6-only labs (link-local addresses,
// optionally a ULA, no IPv4 at all). Duplicate address detection is off in
// every host, so IPv6 addresses are usable the moment a link is up.
//
// Processes run inside a host with Command (or Reexec, for the test binary
// itself). Everything is removed by a t.Cleanup registered in New:
// processes started through the lab are killed and the namespaces are
// deleted, also when the test fails.
//
// netlab needs Linux, root and iproute2 ("ip"). It fails the test, never
// skips it, when namespaces cannot be created. Lab methods call t.Fatal on
// error, so like t.Fatal they must be called from the test's own goroutine.
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

// MainLAN is the name of the LAN that New creates and puts its hosts on.
const MainLAN = "lan"

// maxHosts bounds the hosts of one LAN: addresses are .1 to .maxHosts, and
// ChangeAddr hands out .maxHosts+1 and up.
const maxHosts = 100

var (
	hostName  = regexp.MustCompile(`^[a-z0-9]{1,8}$`)
	ifaceName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$`)
)

// Options change how NewWith builds a lab. The zero value builds what New
// does: IPv4 on every host interface, IPv6 link-local addresses as the
// kernel makes them.
type Options struct {
	// NoIPv4 leaves every host interface without an IPv4 address: only
	// IPv6 link-local addresses (and ULAs with ULA), as on a LAN without a
	// DHCP server. Addr and Attach then return no IPv4 address.
	NoIPv4 bool
	// ULA also gives every host interface an address in a random
	// fdXX:XXXX:XXXX:XXXX::/64 unique local prefix per LAN.
	ULA bool
}

// Lab is a set of network namespaces wired into LANs. Create it with New
// or NewWith.
type Lab struct {
	t    testing.TB
	id   string // random hex, part of every namespace name
	opts Options
	sw   string // switch namespace, holds a bridge per LAN

	mu     sync.Mutex // guards the following
	lans   map[string]*lan
	hosts  map[string]*host
	nsList []string    // every namespace created, in creation order
	cmds   []*exec.Cmd // processes started through the lab
	peers  int         // veth ends made in the switch, for unique names
}

// lan is one bridge in the switch namespace.
type lan struct {
	bridge string
	subnet netip.Prefix // 10.X.Y.0/24, unique among this process's labs
	ula    netip.Prefix // fdXX:...::/64
	next   int          // last host number handed out
}

type host struct {
	ns    string
	links map[string]*link // by interface name
}

// link is one host interface plugged into a LAN.
type link struct {
	lan  string
	addr netip.Addr // IPv4; invalid in an IPv6-only lab
	ula  netip.Addr // invalid unless Options.ULA
}

// New creates a lab with one LAN, MainLAN, and one namespace per host
// name, each with lo up and eth0 up at its own address on that LAN. Host
// names are 1 to 8 lowercase letters or digits. The lab is torn down when
// the test ends.
func New(t testing.TB, hosts ...string) *Lab {
	t.Helper()
	return NewWith(t, Options{}, hosts...)
}

// NewWith is New with options, e.g. Options{NoIPv4: true} for an
// IPv6-only LAN.
func NewWith(t testing.TB, opts Options, hosts ...string) *Lab {
	t.Helper()
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatalf("netlab: needs iproute2 (the ip command) and root: %v", err)
	}
	l := &Lab{t: t, id: randomHex(3), opts: opts, lans: map[string]*lan{}, hosts: map[string]*host{}}
	l.sw = Prefix + l.id
	t.Cleanup(l.teardown)
	l.addNS(l.sw)
	l.AddLAN(MainLAN)
	for _, h := range hosts {
		l.AddHost(h, MainLAN)
	}
	return l
}

// AddLAN adds a LAN called name (1 to 8 lowercase letters or digits): a
// bridge of its own with its own subnet, which it returns. Hosts join it
// with AddHost or Attach.
func (l *Lab) AddLAN(name string) netip.Prefix {
	l.t.Helper()
	if !hostName.MatchString(name) {
		l.t.Fatalf("netlab: LAN name %q: want 1 to 8 lowercase letters or digits", name)
	}
	l.mu.Lock()
	_, dup := l.lans[name]
	n := len(l.lans)
	l.mu.Unlock()
	if dup {
		l.t.Fatalf("netlab: LAN %q exists already", name)
	}
	ln := &lan{bridge: fmt.Sprintf("br%d", n), subnet: pickSubnet(), ula: randomULA()}
	l.mu.Lock()
	l.lans[name] = ln
	l.mu.Unlock()
	l.mustIP("-n", l.sw, "link", "add", ln.bridge, "type", "bridge")
	l.mustIP("-n", l.sw, "link", "set", ln.bridge, "up")
	return ln.subnet
}

// AddHost creates the namespace of host h with lo up and eth0 up on the
// LAN called lanName.
func (l *Lab) AddHost(h, lanName string) {
	l.t.Helper()
	if !hostName.MatchString(h) {
		l.t.Fatalf("netlab: host name %q: want 1 to 8 lowercase letters or digits", h)
	}
	l.mu.Lock()
	_, dup := l.hosts[h]
	l.mu.Unlock()
	if dup {
		l.t.Fatalf("netlab: host %q exists already", h)
	}
	ns := l.sw + "-" + h
	l.addNS(ns)
	l.mu.Lock()
	l.hosts[h] = &host{ns: ns, links: map[string]*link{}}
	l.mu.Unlock()
	if err := noDAD(ns); err != nil {
		l.t.Fatalf("netlab: turn off IPv6 duplicate address detection in %s: %v", ns, err)
	}
	l.mustIP("-n", ns, "link", "set", "lo", "up")
	l.Attach(h, lanName, "eth0")
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

// Addr returns the IPv4 address of host's eth0, e.g. "10.123.45.1". It
// fails the test in an IPv6-only lab.
func (l *Lab) Addr(host string) string { return l.IfaceAddr(host, "eth0") }

// NS returns the name of host's network namespace, for "ip netns exec".
func (l *Lab) NS(host string) string { return l.host(host).ns }

// Subnet returns MainLAN's subnet, e.g. 10.123.45.0/24.
func (l *Lab) Subnet() netip.Prefix { return l.lan(MainLAN).subnet }

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

func (l *Lab) lan(name string) *lan {
	l.t.Helper()
	l.mu.Lock()
	ln := l.lans[name]
	l.mu.Unlock()
	if ln == nil {
		l.t.Fatalf("netlab: no LAN %q in this lab", name)
	}
	return ln
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux.
	return hex.EncodeToString(b)
}
