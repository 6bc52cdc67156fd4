package discovery

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func info(name string, flags net.Flags, addrs ...string) ifaceInfo {
	i := ifaceInfo{Interface: net.Interface{Name: name, Flags: flags, Index: len(name)}}
	for _, a := range addrs {
		ip := netip.MustParseAddr(a)
		i.Prefixes = append(i.Prefixes, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return i
}

const (
	upMC   = net.FlagUp | net.FlagMulticast | net.FlagBroadcast | net.FlagRunning
	lo     = net.FlagUp | net.FlagLoopback | net.FlagRunning
	upNoMC = net.FlagUp | net.FlagRunning
)

// machine is a made-up laptop with a LAN, Wi-Fi and every kind of
// virtual interface.
var machine = []ifaceInfo{
	info("lo", lo, "127.0.0.1", "::1"),
	info("eth0", upMC, "192.168.1.20", "fe80::1"),
	info("wlan0", upMC, "fe80::2", "2001:db8::20"),
	info("eth1", upMC, "fe80::3"),                                          // link-local IPv6 only
	info("eth2", net.FlagUp|net.FlagBroadcast|net.FlagRunning, "10.0.0.5"), // no multicast
	info("eth3", upMC&^net.FlagUp, "10.0.1.5"),                             // down
	info("enp0s31f6", upMC),                                                // no address
	info("eth4", upMC&^net.FlagRunning, "10.0.2.5"),                        // no carrier
	info("docker0", upMC, "172.17.0.1"),
	info("br-3f2a9c", upMC, "172.18.0.1"),
	info("veth12ab", upMC, "169.254.3.3"),
	info("virbr0", upMC, "192.168.122.1"),
	info("vboxnet0", upMC, "192.168.56.1"),
	info("vmnet8", upMC, "172.16.5.1"),
	info("tun0", upMC, "10.8.0.2"),
	info("tap0", upMC, "10.9.0.2"),
	info("wg0", net.FlagUp|net.FlagPointToPoint, "10.10.0.2"),
	info("tailscale0", upMC|net.FlagPointToPoint, "100.64.0.2"),
	info("ZT7nnig26", upMC, "10.147.17.5"),
	info("utun3", upMC, "fd00::3"),
	info("lxcbr0", upMC, "10.0.3.1"),
	info("cni0", upMC, "10.88.0.1"),
	info("flannel.1", upMC, "10.244.0.0"),
	info("podman0", upMC, "10.89.0.1"),
	info("ppp0", net.FlagUp|net.FlagRunning|net.FlagPointToPoint|net.FlagMulticast, "10.64.64.64"),
}

func names(ifs []net.Interface) []string {
	out := []string{}
	for _, i := range ifs {
		out = append(out, i.Name)
	}
	return out
}

func TestPickInterfaces(t *testing.T) {
	tests := []struct {
		name    string
		all     []ifaceInfo
		names   []string
		want    []string
		wantErr string
	}{
		{"lan only", machine, nil, []string{"eth0", "wlan0", "eth1"}, ""},
		{"named", machine, []string{"tun0", "eth0"}, []string{"tun0", "eth0"}, ""},
		{"named loopback", machine, []string{"lo"}, []string{"lo"}, ""},
		{"named twice", machine, []string{"eth0", "eth0"}, []string{"eth0"}, ""},
		{"named unknown", machine, []string{"eth9"}, nil, `interface "eth9" not found`},
		{"named down", machine, []string{"eth3"}, nil, `interface "eth3" is down`},
		{"nothing usable", machine[:1], nil, nil, "join by address"},
		{"no interfaces", nil, nil, nil, "LAN discovery is unavailable"},
		{"only virtual", machine[8:], nil, nil, "multicast-capable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pickInterfaces(tt.all, tt.names)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(names(got), tt.want) {
				t.Errorf("got %v, %v; want %v", names(got), err, tt.want)
			}
		})
	}
}

func TestNoInterfacesIsSentinel(t *testing.T) {
	_, err := pickInterfaces(machine[:1], nil)
	if !errors.Is(err, ErrNoInterfaces) {
		t.Errorf("got %v, want an error wrapping ErrNoInterfaces", err)
	}
}

func TestIsVirtualName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"eth0", false}, {"wlan0", false}, {"en0", false}, {"br0", false},
		{"enp3s0", false}, {"wlp2s0", false}, {"bond0", false},
		{"docker0", true}, {"br-0a1b2c", true}, {"veth9", true}, {"virbr0", true},
		{"vboxnet1", true}, {"vmnet1", true}, {"tun0", true}, {"tap3", true},
		{"wg0", true}, {"tailscale0", true}, {"zt0", true}, {"utun2", true},
		{"lxdbr0", true}, {"cni0", true}, {"flannel.1", true}, {"podman1", true},
		{"Docker0", true},
	}
	for _, tt := range tests {
		if got := isVirtualName(tt.name); got != tt.want {
			t.Errorf("isVirtualName(%q): got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestUsableAddr(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"192.168.1.2", true}, {"169.254.1.1", true}, {"127.0.0.1", true},
		{"2001:db8::1", true}, {"fd00::1", true}, {"::ffff:10.0.0.1", true},
		{"fe80::1", true}, {"fe80::1%eth0", true}, {"0.0.0.0", false}, {"::", false},
		{"224.0.0.251", false}, {"ff02::fb", false},
	}
	for _, tt := range tests {
		if got := usableAddr(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("usableAddr(%s): got %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestSkipReason(t *testing.T) {
	want := map[string]string{
		"lo": "loopback", "eth0": "", "wlan0": "", "eth1": "",
		"eth2": "multicast is off", "eth3": "down", "enp0s31f6": "no address",
		"eth4":      "no link (cable unplugged or not connected)",
		"docker0":   "virtual interface (docker)",
		"br-3f2a9c": "virtual interface (docker)",
		"tun0":      "virtual interface (VPN tunnel)",
		"wg0":       "virtual interface (WireGuard)",
		"ppp0":      "point-to-point link (VPN or modem)",
		"ZT7nnig26": "virtual interface (ZeroTier)",
	}
	for _, info := range machine {
		w, ok := want[info.Name]
		if !ok {
			continue
		}
		if got := skipReason(info); got != w {
			t.Errorf("skipReason(%s): got %q, want %q", info.Name, got, w)
		}
	}
}
