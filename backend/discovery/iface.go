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

// errNoIfacesGiven rejects an empty, non-nil interface list, which is most
// likely a mistake and which mDNS libraries take to mean "every interface".
var errNoIfacesGiven = errors.New("empty interface list")

// virtualKinds maps name prefixes of interfaces that are not the LAN
// (container and VM bridges, VPNs and tunnels) to what they are, for
// reports. Matched case-insensitively, first match wins.
var virtualKinds = []struct{ prefix, kind string }{
	{"docker", "docker"}, {"br-", "docker"}, {"veth", "container link"},
	{"virbr", "virtual machines"}, {"vnet", "virtual machines"}, {"vmnet", "VMware"},
	{"vboxnet", "VirtualBox"}, {"tun", "VPN tunnel"}, {"tap", "VPN tunnel"},
	{"utun", "VPN tunnel"}, {"wg", "WireGuard"}, {"tailscale", "Tailscale"},
	{"zt", "ZeroTier"}, {"lxc", "LXC"}, {"lxd", "LXD"}, {"cni", "containers"},
	{"flannel", "containers"}, {"podman", "podman"}, {"cali", "containers"},
	{"cilium", "containers"}, {"vxlan", "VXLAN tunnel"}, {"weave", "containers"},
	{"kube", "containers"}, {"nordlynx", "NordVPN"}, {"awdl", "Apple Wireless Direct Link"},
	{"llw", "Apple Wireless Direct Link"},
}

// ifaceInfo is an interface with its addresses, the input of
// pickInterfaces so the choice can be tested without real interfaces.
type ifaceInfo struct {
	net.Interface
	Prefixes []netip.Prefix
}

// addrs returns the interface's addresses without their prefix lengths.
func (i ifaceInfo) addrs() []netip.Addr {
	out := make([]netip.Addr, len(i.Prefixes))
	for k, p := range i.Prefixes {
		out[k] = p.Addr()
	}
	return out
}

// Interfaces returns the interfaces to advertise and browse on. With no
// names it picks the real LAN interfaces: up with a link (carrier),
// multicast-capable, not loopback or point-to-point, with an address (an
// IPv6 link-local one is enough), and not named like a container bridge,
// VPN or tunnel (docker0, br-*, veth*, virbr*, tun*, tap*, wg*,
// tailscale*, ...). With names it returns exactly those, in order,
// loopback included: "lo" alone works for a test inside one private
// network namespace (ip netns or `unshare -rn`, with lo's multicast flag
// turned on). An unknown or down interface is an error. When nothing is
// left the error wraps ErrNoInterfaces.
//
// The answer is a snapshot: interfaces come and go. Announce and a Browser
// with nil Ifaces call it again as they run.
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
				info.Prefixes = append(info.Prefixes, netip.PrefixFrom(p.Addr().Unmap(), p.Bits()))
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
		if skipReason(info) == "" {
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

// skipReason says why an interface is not a LAN interface discovery should
// use by default, in a few plain words, or "" when it is one.
func skipReason(info ifaceInfo) string {
	f := info.Flags
	switch kind := virtualKind(info.Name); {
	case f&net.FlagLoopback != 0:
		return "loopback"
	case kind != "":
		return "virtual interface (" + kind + ")"
	case f&net.FlagUp == 0:
		return "down"
	case f&net.FlagRunning == 0:
		return "no link (cable unplugged or not connected)"
	case f&net.FlagPointToPoint != 0:
		return "point-to-point link (VPN or modem)"
	case f&net.FlagMulticast == 0:
		return "multicast is off"
	case !slices.ContainsFunc(info.addrs(), usableAddr):
		return "no address"
	}
	return ""
}

// virtualKind says what kind of container bridge, VM network, VPN or
// tunnel name looks like, or "" if it looks like none.
func virtualKind(name string) string {
	name = strings.ToLower(name)
	for _, v := range virtualKinds {
		if strings.HasPrefix(name, v.prefix) {
			return v.kind
		}
	}
	return ""
}

// isVirtualName reports whether name looks like a container bridge, VM
// network, VPN or tunnel.
func isVirtualName(name string) bool { return virtualKind(name) != "" }

// usableAddr reports whether a can be advertised and dialled: IPv4, or
// IPv6 of any scope. A link-local IPv6 address is only dialable with a
// zone, the interface it is reached through, which the browsing side adds
// (it knows where it heard the answer).
func usableAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && !a.IsUnspecified() && !a.IsMulticast()
}

func ifaceNames(all []ifaceInfo) string {
	names := make([]string, len(all))
	for i, info := range all {
		names[i] = info.Name
	}
	return strings.Join(names, ", ")
}
