package discovery

import (
	"fmt"
	"net"
	"net/netip"
	"slices"

	"github.com/grandcat/zeroconf"
	"github.com/parley-lan/parley/backend/chat"
)

// sighting is one zeroconf answer about a room: its TXT data and the
// addresses it was reached at.
type sighting struct {
	room     chat.Room // Addrs unset; see addrs
	addrs    []netip.AddrPort
	instance string // the unescaped instance name, for logs
}

// parseEntry turns a zeroconf entry into a sighting, or an error if the
// entry is not a whole, valid Parley room.
func parseEntry(e *zeroconf.ServiceEntry) (sighting, error) {
	instance, err := unescape(e.Instance)
	if err != nil {
		instance = e.Instance
	}
	room, err := parseTXT(e.Text)
	if err != nil {
		return sighting{}, fmt.Errorf("instance %q: %w", instance, err)
	}
	if e.Port < 1 || e.Port > 65535 {
		return sighting{}, fmt.Errorf("instance %q: bad port %d", instance, e.Port)
	}
	addrs := entryAddrs(e.AddrIPv4, e.AddrIPv6, uint16(e.Port))
	if len(addrs) == 0 {
		return sighting{}, fmt.Errorf("instance %q: no usable address", instance)
	}
	return sighting{room: room, addrs: addrs, instance: instance}, nil
}

// entryAddrs returns the usable addresses among ips with port, sorted
// (IPv4 first) and without duplicates.
func entryAddrs(v4, v6 []net.IP, port uint16) []netip.AddrPort {
	var out []netip.AddrPort
	for _, ip := range slices.Concat(v4, v6) {
		a, ok := netip.AddrFromSlice(ip)
		if ok && usableAddr(a) {
			out = append(out, netip.AddrPortFrom(a.Unmap(), port))
		}
	}
	slices.SortFunc(out, netip.AddrPort.Compare)
	return slices.Compact(out)
}

// formatAddrs renders sorted addresses as "ip:port" strings.
func formatAddrs(addrs []netip.AddrPort) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}
