package discovery

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

func TestParseAnswer(t *testing.T) {
	tests := []struct {
		name     string
		instance string
		port     int
		ips      []string
		want     []string
		ok       bool
	}{
		{"ipv4", "room-1", 4000, []string{"10.0.0.2"}, []string{"10.0.0.2:4000"}, true},
		{"sorted: v4, routable v6, link-local; deduped", `Caf\195\169\ Room`, 4000,
			[]string{"fe80::1", "2001:db8::1", "10.0.0.9", "fd00::2", "10.0.0.2", "10.0.0.9"},
			[]string{"10.0.0.2:4000", "10.0.0.9:4000", "[2001:db8::1]:4000", "[fd00::2]:4000", "[fe80::1%fake0]:4000"}, true},
		{"v4-mapped v6", "room-1", 4000, []string{"::ffff:10.0.0.3"}, []string{"10.0.0.3:4000"}, true},
		{"only link-local", "room-1", 4000, []string{"fe80::1"}, []string{"[fe80::1%fake0]:4000"}, true},
		{"only multicast", "room-1", 4000, []string{"ff02::fb"}, nil, false},
		{"no address", "room-1", 4000, nil, nil, false},
		{"port 0", "room-1", 0, []string{"10.0.0.2"}, nil, false},
		{"port too big", "room-1", 70000, []string{"10.0.0.2"}, nil, false},
	}
	room := chat.Room{ID: id16, Name: "n", Host: "h"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseAnswer(entryFor(t, tt.instance, room, tt.port, tt.ips...))
			if (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
			if got := formatAddrs(s.addrs); tt.ok && (!slices.Equal(got, tt.want) || s.room.ID != id16 || s.iface != fakeIface) {
				t.Errorf("got %v (room %+v, iface %q), want %v", got, s.room, s.iface, tt.want)
			}
		})
	}
}

func TestParseAnswerGoodbyes(t *testing.T) {
	room := chat.Room{ID: id16, Name: "n", Host: "h"}
	bye := entryFor(t, "room-1", room, 0)
	bye.bye = true
	s, err := parseAnswer(bye)
	if err != nil || !s.bye || s.room.ID != id16 {
		t.Errorf("goodbye without port or address: got %+v, %v; want a bye for %s", s, err, id16)
	}
	moved := entryFor(t, "room-1", room, 4000, "10.0.0.3")
	moved.gone = []netip.Addr{netip.MustParseAddr("10.0.0.2")}
	s, err = parseAnswer(moved)
	if got, want := formatAddrs(s.gone), []string{"10.0.0.2:4000"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("gone: got %v, %v; want %v", got, err, want)
	}
}

func TestParseAnswerInstanceName(t *testing.T) {
	s, err := parseAnswer(entryFor(t, `Caf\195\169\ Room`, chat.Room{ID: id16, Name: "n", Host: "h"}, 1, "10.0.0.1"))
	if err != nil || s.instance != "Café Room" {
		t.Errorf("got instance %q, %v; want %q", s.instance, err, "Café Room")
	}
}

func TestFormatAddrsDialable(t *testing.T) {
	for _, s := range []string{"10.0.0.1", "2001:db8::1", "fe80::1%eth0"} {
		ap := netip.AddrPortFrom(netip.MustParseAddr(s), 4242)
		got := formatAddrs([]netip.AddrPort{ap})[0]
		if back, err := netip.ParseAddrPort(got); err != nil || back != ap {
			t.Errorf("formatAddrs(%v) = %q, which parses as %v, %v", ap, got, back, err)
		}
	}
}
