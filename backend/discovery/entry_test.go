package discovery

import (
	"net"
	"slices"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

func TestParseEntry(t *testing.T) {
	tests := []struct {
		name     string
		instance string
		port     int
		ips      []string
		want     []string
		ok       bool
	}{
		{"ipv4", "room-1", 4000, []string{"10.0.0.2"}, []string{"10.0.0.2:4000"}, true},
		{"sorted, v4 first, deduped", `Caf\195\169\ Room`, 4000,
			[]string{"2001:db8::1", "10.0.0.9", "10.0.0.2", "10.0.0.9", "fe80::1"},
			[]string{"10.0.0.2:4000", "10.0.0.9:4000", "[2001:db8::1]:4000"}, true},
		{"v4-mapped v6", "room-1", 4000, []string{"::ffff:10.0.0.3"}, []string{"10.0.0.3:4000"}, true},
		{"only link-local", "room-1", 4000, []string{"fe80::1"}, nil, false},
		{"no address", "room-1", 4000, nil, nil, false},
		{"port 0", "room-1", 0, []string{"10.0.0.2"}, nil, false},
		{"port too big", "room-1", 70000, []string{"10.0.0.2"}, nil, false},
	}
	room := chat.Room{ID: id16, Name: "n", Host: "h"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := entryFor(t, tt.instance, room, tt.port, tt.ips...)
			if tt.name == "v4-mapped v6" {
				e.AddrIPv4, e.AddrIPv6 = nil, []net.IP{net.ParseIP(tt.ips[0]).To16()}
			}
			s, err := parseEntry(e)
			if (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
			if got := formatAddrs(s.addrs); tt.ok && (!slices.Equal(got, tt.want) || s.room.ID != id16) {
				t.Errorf("got %v (room %+v), want %v", got, s.room, tt.want)
			}
		})
	}
}

func TestParseEntryInstanceName(t *testing.T) {
	s, err := parseEntry(entryFor(t, `Caf\195\169\ Room`, chat.Room{ID: id16, Name: "n", Host: "h"}, 1, "10.0.0.1"))
	if err != nil || s.instance != "Café Room" {
		t.Errorf("got instance %q, %v; want %q", s.instance, err, "Café Room")
	}
}
