package discovery

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/parley-lan/parley/backend/chat"
)

// sighting is one answer about a room: its TXT data, the addresses it was
// reached at and those it withdrew, all on one interface.
type sighting struct {
	room     chat.Room // Addrs unset; see addrs
	addrs    []netip.AddrPort
	gone     []netip.AddrPort // withdrawn (goodbye)
	bye      bool             // the room withdrew itself from iface
	iface    string
	instance string // the unescaped instance name, for logs
}

// parseAnswer turns an answer into a sighting, or an error if the answer
// is not about a whole, valid Parley room.
func parseAnswer(a answer) (sighting, error) {
	instance, err := unescape(a.instance)
	if err != nil {
		instance = a.instance
	}
	room, err := parseTXT(a.text)
	if err != nil {
		return sighting{}, fmt.Errorf("instance %q: %w", instance, err)
	}
	s := sighting{room: room, bye: a.bye, iface: a.iface, instance: instance}
	if a.bye {
		return s, nil
	}
	if a.port < 1 || a.port > 65535 {
		return sighting{}, fmt.Errorf("instance %q: bad port %d", instance, a.port)
	}
	s.addrs = addrPorts(a.addrs, uint16(a.port))
	s.gone = addrPorts(a.gone, uint16(a.port))
	if len(s.addrs) == 0 && len(s.gone) == 0 {
		return sighting{}, fmt.Errorf("instance %q: no usable address", instance)
	}
	return s, nil
}

// addrPorts returns the usable addresses among ips with port, sorted
// (see compareAddrs) and without duplicates.
func addrPorts(ips []netip.Addr, port uint16) []netip.AddrPort {
	var out []netip.AddrPort
	for _, a := range ips {
		if a = a.Unmap(); usableAddr(a) {
			out = append(out, netip.AddrPortFrom(a, port))
		}
	}
	slices.SortFunc(out, compareAddrs)
	return slices.Compact(out)
}

// compareAddrs orders addresses as a joiner should try them: IPv4 first,
// then routable IPv6, then link-local IPv6; by address and port within.
func compareAddrs(a, b netip.AddrPort) int {
	return cmp.Or(cmp.Compare(addrRank(a.Addr()), addrRank(b.Addr())), a.Compare(b))
}

func addrRank(a netip.Addr) int {
	switch {
	case a.Is4():
		return 0
	case !a.IsLinkLocalUnicast():
		return 1
	}
	return 2
}

// formatAddrs renders addresses as strings net.Dial accepts: "ip:port",
// "[ip]:port", or "[fe80::1%eth0]:port" for a zoned link-local address.
func formatAddrs(addrs []netip.AddrPort) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}
