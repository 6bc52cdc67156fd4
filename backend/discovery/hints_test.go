package discovery

import (
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

func TestHints(t *testing.T) {
	lo := IfaceReport{Name: "lo", Loopback: true, Up: true, Skipped: "loopback"}
	ok := func(name string) IfaceReport {
		return IfaceReport{Name: name, Up: true, Multicast: true, Used: true, SelfSeen: true}
	}
	deaf := IfaceReport{Name: "eth0", Up: true, Multicast: true, Used: true}
	broken := IfaceReport{Name: "eth0", Up: true, Multicast: true, Used: true, Problem: "could not join the mDNS multicast group"}
	mcOff := IfaceReport{Name: "wlan0", Up: true, Skipped: "multicast is off"}
	docker := IfaceReport{Name: "docker0", Up: true, Multicast: true, Skipped: "virtual interface (docker)"}
	room := func(id, iface string, here bool) RoomSeen {
		return RoomSeen{Room: chat.Room{ID: id, Name: id}, Interface: iface, Here: here}
	}
	tests := []struct {
		name    string
		r       Report
		missing []string
		want    []string // each hint must start with its prefix, in order
	}{
		{"nothing usable", Report{Interfaces: []IfaceReport{lo, docker}}, nil,
			[]string{"LAN discovery can't run here: no network interface can carry it (docker0: virtual interface (docker)). Rooms can still be joined directly: use Join by address"}},
		{"loopback alone", Report{Interfaces: []IfaceReport{lo}}, nil,
			[]string{"LAN discovery can't run here: this machine has no network interface besides loopback."}},
		{"multicast off", Report{Interfaces: []IfaceReport{lo, mcOff}}, nil,
			[]string{"LAN discovery can't run here: no network interface can carry it (wlan0: multicast is off)",
				"Multicast is off on wlan0, so discovery can't use it. Turn it on with `sudo ip link set wlan0 multicast on`; if it goes off again, the Wi-Fi driver or a VPN client"}},
		{"firewall", Report{Interfaces: []IfaceReport{lo, deaf}}, nil,
			[]string{"This machine did not hear its own test announcement on eth0, so a firewall probably blocks UDP port 5353 (mDNS) there."}},
		{"could not start", Report{Interfaces: []IfaceReport{broken}}, nil,
			[]string{"Discovery could not start on eth0: it could not join the mDNS multicast group."}},
		{"nobody answered", Report{Interfaces: []IfaceReport{lo, ok("eth0"), mcOff}}, nil,
			[]string{"Multicast is off on wlan0",
				"Discovery works on eth0, but no other machine's room answered within 2s. If someone is hosting, the Wi-Fi access point may keep devices apart (common on guest Wi-Fi), they may be on another subnet or VLAN, or their firewall may block UDP port 5353. Use Join by address"}},
		{"own room only", Report{Interfaces: []IfaceReport{ok("eth0")}, Rooms: []RoomSeen{room("r1", "eth0", true)}}, nil,
			[]string{"Discovery works on eth0, but no other machine's room answered", "Only 1 room hosted on this machine answered."}},
		{"rooms answered", Report{Interfaces: []IfaceReport{ok("eth0"), ok("wlan0")},
			Rooms: []RoomSeen{room("r1", "eth0", false), room("r1", "wlan0", false), room("r2", "wlan0", false), room("r3", "wlan0", true)}}, nil,
			[]string{"Discovery works: 2 rooms answered (1 on eth0, 2 on wlan0)."}},
		{"one of two deaf", Report{Interfaces: []IfaceReport{deaf, ok("wlan0")}, Rooms: []RoomSeen{room("r1", "wlan0", false)}}, nil,
			[]string{"This machine did not hear its own test announcement on eth0", "Discovery works: 1 room answered (1 on wlan0)."}},
		{"unknown name", Report{Interfaces: []IfaceReport{{Name: "eth0", Skipped: "not among the chosen interfaces"}, lo}}, []string{"eht0"},
			[]string{"There is no interface called eht0 on this machine (it has eth0, lo).", "LAN discovery can't run here"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hints(tt.r, tt.missing, 2*time.Second)
			match := len(got) == len(tt.want)
			for i := 0; match && i < len(got); i++ {
				match = strings.HasPrefix(got[i], tt.want[i])
			}
			if !match {
				t.Errorf("got %q, want hints starting %q", got, tt.want)
			}
		})
	}
}

func TestInventoryNamed(t *testing.T) {
	all := []ifaceInfo{
		info("lo", lo|net.FlagMulticast, "127.0.0.1"),
		info("eth0", upMC, "10.0.0.1"),
		info("tun0", upMC, "10.8.0.2"),
		info("eth2", upNoMC, "10.0.0.5"),
	}
	r, missing := inventory(all, []string{"tun0", "eth2", "eth9", "lo"})
	want := map[string]string{"lo": "", "eth0": "not among the chosen interfaces", "tun0": "", "eth2": "multicast is off"}
	for _, ir := range r.Interfaces {
		if ir.Skipped != want[ir.Name] || ir.Used != (want[ir.Name] == "") {
			t.Errorf("%s: got used=%v skipped=%q, want skipped=%q", ir.Name, ir.Used, ir.Skipped, want[ir.Name])
		}
	}
	if !slices.Equal(missing, []string{"eth9"}) {
		t.Errorf("missing: got %v, want [eth9]", missing)
	}
	r, _ = inventory(all, nil)
	if got := r.Interfaces[1]; !got.Used || got.Addrs[0] != "10.0.0.1/32" {
		t.Errorf("eth0 by default: got %+v, want used, with its address", got)
	}
}

func TestIfaceErrors(t *testing.T) {
	boom := errors.New("boom")
	err := errors.Join(&ifaceError{iface: "eth0", err: boom}, &ifaceError{iface: "wlan0", err: io.EOF})
	got := ifaceErrors(err)
	if len(got) != 2 || got["eth0"] != boom || got["wlan0"] != io.EOF {
		t.Errorf("got %v, want eth0: boom, wlan0: EOF", got)
	}
	if got := ifaceErrors(nil); len(got) != 0 {
		t.Errorf("ifaceErrors(nil): got %v, want none", got)
	}
}
