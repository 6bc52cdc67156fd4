package discovery

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// ErrNoInterfaces is returned (wrapped) by Interfaces when no interface
// can carry mDNS. The app should offer "join by address" instead.
var ErrNoInterfaces = errors.New("no multicast-capable LAN interface: LAN discovery is unavailable, join by address (host:port) instead")

// errNoIfacesGiven rejects an empty, non-nil interface list, which
// zeroconf would take to mean "every interface".
var errNoIfacesGiven = errors.New("empty interface list")

// virtualPrefixes are name prefixes of interfaces that are not the LAN:
// container and VM bridges, VPNs and tunnels. Matched case-insensitively.
var virtualPrefixes = []string{
	"docker", "br-", "veth", "virbr", "vnet", "vmnet", "vboxnet", "tun",
	"tap", "wg", "tailscale", "zt", "utun", "lxc", "lxd", "cni", "flannel",
	"podman", "cali", "cilium", "vxlan", "weave", "kube", "nordlynx", "awdl", "llw",
}

// ifaceInfo is an interface with its addresses, the input of
// pickInterfaces so the choice can be tested without real interfaces.
type ifaceInfo struct {
	net.Interface
	Addrs []netip.Addr
}

// Interfaces returns the interfaces to advertise and browse on. With no
// names it picks the real LAN interfaces: up, multicast-capable, not
// loopback or point-to-point, with an IPv4 or non-link-local IPv6 address,
// and not named like a container bridge, VPN or tunnel (docker0, br-*,
// veth*, virbr*, tun*, tap*, wg*, tailscale*, ...). With names it returns
// exactly those, in order, loopback included: "lo" alone works for a test
// inside one private network namespace (ip netns or `unshare -rn`; turning
// on lo's multicast flag does no harm). An unknown or down interface is an
// error. When nothing is left the error wraps ErrNoInterfaces.
func Interfaces(names []string) ([]net.Interface, error) {
	all, err := systemInterfaces()
	if err != nil {
		return nil, err
	}
	return pickInterfaces(all, names)
}

// systemInterfaces lists the machine's interfaces with their addresses.
func systemInterfaces() ([]ifaceInfo, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	infos := make([]ifaceInfo, 0, len(ifs))
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			continue // vanished since net.Interfaces; treat as absent
		}
		info := ifaceInfo{Interface: ifi}
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				info.Addrs = append(info.Addrs, p.Addr().Unmap())
			}
		}
		infos = append(infos, info)
	}
	return infos, nil
}

// pickInterfaces is Interfaces without the system: see there.
func pickInterfaces(all []ifaceInfo, names []string) ([]net.Interface, error) {
	if len(names) > 0 {
		return namedInterfaces(all, names)
	}
	var out []net.Interface
	for _, info := range all {
		if isLAN(info) {
			out = append(out, info.Interface)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w (checked %d interfaces)", ErrNoInterfaces, len(all))
	}
	return out, nil
}

// namedInterfaces returns the interfaces called names, each once.
func namedInterfaces(all []ifaceInfo, names []string) ([]net.Interface, error) {
	var out []net.Interface
	for _, name := range names {
		i := slices.IndexFunc(all, func(info ifaceInfo) bool { return info.Name == name })
		switch {
		case i < 0:
			return nil, fmt.Errorf("interface %q not found (have %s)", name, ifaceNames(all))
		case all[i].Flags&net.FlagUp == 0:
			return nil, fmt.Errorf("interface %q is down", name)
		case slices.ContainsFunc(out, func(o net.Interface) bool { return o.Name == name }):
			continue
		}
		out = append(out, all[i].Interface)
	}
	return out, nil
}

// isLAN reports whether an interface is a plausible LAN interface.
func isLAN(info ifaceInfo) bool {
	const need = net.FlagUp | net.FlagMulticast
	if info.Flags&need != need || info.Flags&(net.FlagLoopback|net.FlagPointToPoint) != 0 {
		return false
	}
	if isVirtualName(info.Name) {
		return false
	}
	return slices.ContainsFunc(info.Addrs, usableAddr)
}

// isVirtualName reports whether name looks like a container bridge, VM
// network, VPN or tunnel.
func isVirtualName(name string) bool {
	name = strings.ToLower(name)
	return slices.ContainsFunc(virtualPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}

// usableAddr reports whether a can be advertised to others: IPv4 or a
// routable IPv6 address. IPv6 link-local addresses need a zone that the
// other side cannot know, so they are left out.
func usableAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() {
		return false
	}
	return a.Is4() || !a.IsLinkLocalUnicast()
}

func ifaceNames(all []ifaceInfo) string {
	names := make([]string, len(all))
	for i, info := range all {
		names[i] = info.Name
	}
	return strings.Join(names, ", ")
}
