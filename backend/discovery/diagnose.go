package discovery

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

// DefaultDiagnoseWait is how long Diagnose listens when wait is zero.
const DefaultDiagnoseWait = 2 * time.Second

// probeType is the DNS-SD service type of Diagnose's test announcement.
// It is not ServiceType, so Parley browsers never ask for it and never
// list it (its TXT has no room id either, should one ever look), and
// other DNS-SD browsers show it, if at all, as a "_parley-probe._udp"
// service for the few seconds it exists.
const probeType = "_parley-probe._udp"

// Report is what Diagnose found: the machine's interfaces, the rooms that
// answered, and advice.
type Report struct {
	Interfaces []IfaceReport // every interface on the machine, used or not
	Rooms      []RoomSeen    // rooms that answered within wait, one per room and interface
	Hints      []string      // concrete, plain-language advice, most important first
}

// IfaceReport describes one interface and how discovery fares on it.
type IfaceReport struct {
	Name      string
	Addrs     []string // CIDR strings, e.g. "192.168.1.20/24"
	Up        bool
	Multicast bool
	Loopback  bool
	Used      bool   // discovery runs on it
	Skipped   string // why not, when not used: "down", "multicast is off", "virtual interface (docker)", ...
	SelfSeen  bool   // this machine heard its own test announcement on it
	Rooms     int    // rooms that answered on it
	Problem   string // why discovery could not even start on a used interface, if it could not
}

// RoomSeen is a room that answered on one interface.
type RoomSeen struct {
	Room      chat.Room // Addrs: the addresses it gave on that interface, dialable
	Interface string
	Here      bool // it is hosted on this machine (answered from one of its addresses)
}

// Diagnose checks LAN discovery on this machine for `parley doctor` and
// the Network panel. It lists every interface and says which discovery
// uses (names as for Interfaces; nil means the default choice) and why it
// skips the others; on each used interface it announces a short-lived
// test instance of its own (probeType, never listed as a room) and
// listens for wait (zero means DefaultDiagnoseWait) for that announcement
// and for rooms. On Linux multicast is looped back, so a working
// interface hears its own announcement; one that does not points to a
// firewall. Hints turn the findings into advice.
//
// It takes about wait when some interface is used, and returns at once
// when none is. Rooms hosted on this machine answer too and are marked
// Here. An error means the interfaces could not be listed; if ctx ends
// first, Diagnose returns what it found so far with ctx's error.
func Diagnose(ctx context.Context, names []string, wait time.Duration, log *slog.Logger) (Report, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if wait <= 0 {
		wait = DefaultDiagnoseWait
	}
	all, err := systemInterfaces()
	if err != nil {
		return Report{}, fmt.Errorf("diagnose: %w", err)
	}
	r, missing := inventory(all, names)
	if used := usedInterfaces(all, r); len(used) > 0 {
		listenTest(ctx, used, wait, &r, localAddrs(all), log)
	}
	r.Hints = hints(r, missing, wait)
	return r, ctx.Err()
}

// inventory reports on every interface and which are used; it also
// returns the names asked for that do not exist.
func inventory(all []ifaceInfo, names []string) (Report, []string) {
	var r Report
	for _, info := range all {
		ir := IfaceReport{Name: info.Name, Up: info.Flags&net.FlagUp != 0,
			Multicast: info.Flags&net.FlagMulticast != 0, Loopback: info.Flags&net.FlagLoopback != 0}
		for _, p := range info.Prefixes {
			ir.Addrs = append(ir.Addrs, p.String())
		}
		ir.Skipped = skipReason(info)
		if len(names) > 0 {
			ir.Skipped = namedSkipReason(info, names)
		}
		ir.Used = ir.Skipped == ""
		r.Interfaces = append(r.Interfaces, ir)
	}
	var missing []string
	for _, n := range names {
		if !slices.ContainsFunc(all, func(i ifaceInfo) bool { return i.Name == n }) && !slices.Contains(missing, n) {
			missing = append(missing, n)
		}
	}
	return r, missing
}

// namedSkipReason is skipReason when the user named the interfaces: any
// named one that can carry mDNS is used, loopback and virtual ones too.
func namedSkipReason(info ifaceInfo, names []string) string {
	switch {
	case !slices.Contains(names, info.Name):
		return "not among the chosen interfaces"
	case info.Flags&net.FlagUp == 0:
		return "down"
	case info.Flags&net.FlagMulticast == 0:
		return "multicast is off"
	case !slices.ContainsFunc(info.addrs(), usableAddr):
		return "no address"
	}
	return ""
}

func usedInterfaces(all []ifaceInfo, r Report) []net.Interface {
	var used []net.Interface
	for i, ir := range r.Interfaces {
		if ir.Used {
			used = append(used, all[i].Interface)
		}
	}
	return used
}

// localAddrs lists the machine's own addresses, unzoned.
func localAddrs(all []ifaceInfo) []netip.Addr {
	var out []netip.Addr
	for _, info := range all {
		out = append(out, info.addrs()...)
	}
	return out
}

// listenTest announces a probe on used, listens for wait and fills in
// SelfSeen, Rooms and Problem.
func listenTest(ctx context.Context, used []net.Interface, wait time.Duration, r *Report, local []netip.Addr, log *slog.Logger) {
	label := "probe-" + randomHex(6)
	probe := newService(probeType, label, "parley-"+label, 9, []string{"v=1", "probe=1"})
	probes := newLinkSet(probe, slog.New(slog.DiscardHandler))
	defer probes.close()
	failed := ifaceErrors(probes.sync(wantsFor(used)))
	started := probes.links()
	for i := range r.Interfaces {
		ir := &r.Interfaces[i]
		switch {
		case !ir.Used || slices.ContainsFunc(started, func(l Link) bool { return l.Interface == ir.Name }):
		case errors.Is(failed[ir.Name], syscall.EADDRINUSE):
			ir.Problem = "could not open UDP port 5353 (mDNS): another program keeps it to itself"
		case failed[ir.Name] != nil:
			ir.Problem = "could not open its mDNS sockets (" + strings.ReplaceAll(failed[ir.Name].Error(), "\n", "; ") + ")"
		default:
			ir.Problem = "has no address to announce"
		}
	}
	bctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	answers := make(chan answer)
	errc := make(chan error, 1)
	go func() {
		errc <- browseLinks(bctx, used, []string{roomKinds[0], probeType + "." + domain}, log, answers)
		close(answers)
	}()
	seen := &findings{label: label, local: local, self: map[string]bool{}}
	for a := range answers {
		seen.add(a)
	}
	if err := <-errc; err != nil {
		log.Warn("diagnose: browse failed", "err", err)
	}
	seen.fill(r)
}

// findings collects what a diagnosis hears.
type findings struct {
	label string       // the probe's instance label
	local []netip.Addr // this machine's addresses
	self  map[string]bool
	rooms []RoomSeen
}

func (f *findings) add(a answer) {
	if strings.HasPrefix(a.kind, lowerASCII(probeType)) {
		if inst, err := unescape(a.instance); err == nil && inst == f.label && !a.bye {
			f.self[a.iface] = true
		}
		return
	}
	s, err := parseAnswer(a)
	if err != nil || s.bye || len(s.addrs) == 0 {
		return
	}
	here := slices.Contains(f.local, a.from.WithZone(""))
	i := slices.IndexFunc(f.rooms, func(r RoomSeen) bool { return r.Room.ID == s.room.ID && r.Interface == a.iface })
	if i < 0 {
		f.rooms = append(f.rooms, RoomSeen{Room: s.room, Interface: a.iface})
		i = len(f.rooms) - 1
	}
	rs := &f.rooms[i]
	rs.Here = rs.Here || here
	rs.Room.Name, rs.Room.Host = s.room.Name, s.room.Host
	for _, ap := range formatAddrs(s.addrs) {
		if !slices.Contains(rs.Room.Addrs, ap) {
			rs.Room.Addrs = append(rs.Room.Addrs, ap)
		}
	}
}

// fill writes the findings into r.
func (f *findings) fill(r *Report) {
	slices.SortFunc(f.rooms, func(a, b RoomSeen) int {
		return cmp.Or(compareRooms(a.Room, b.Room), strings.Compare(a.Interface, b.Interface))
	})
	for i := range f.rooms {
		f.rooms[i].Room.Addrs = sortAddrStrings(f.rooms[i].Room.Addrs)
	}
	r.Rooms = f.rooms
	for i := range r.Interfaces {
		ir := &r.Interfaces[i]
		ir.SelfSeen = f.self[ir.Name]
		for _, rs := range f.rooms {
			if rs.Interface == ir.Name {
				ir.Rooms++
			}
		}
	}
}

// sortAddrStrings sorts "ip:port" strings as compareAddrs does.
func sortAddrStrings(addrs []string) []string {
	aps := make([]netip.AddrPort, 0, len(addrs))
	for _, s := range addrs {
		if ap, err := netip.ParseAddrPort(s); err == nil {
			aps = append(aps, ap)
		}
	}
	slices.SortFunc(aps, compareAddrs)
	return formatAddrs(aps)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
