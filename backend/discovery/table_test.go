package discovery

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// step is one input to a table followed by the visible list it must show,
// written compactly as "id=name@addr,addr;id=..." (ids sorted by name).
type step struct {
	op   string // "begin", "end", "see[@IFACE] ID NAME ADDR...", "move ID NAME NEW OLD", "bye@IFACE ID", "suspect ID"
	want string
}

func apply1(t *testing.T, tb *table, op string) {
	t.Helper()
	f := strings.Fields(op)
	verb, iface, _ := strings.Cut(f[0], "@")
	switch verb {
	case "begin":
		tb.begin()
	case "end":
		tb.end()
	case "suspect":
		tb.suspect(f[1])
	case "see":
		s := sighting{room: chat.Room{ID: f[1], Name: f[2], Host: "h"}, iface: iface}
		for _, a := range f[3:] {
			s.addrs = append(s.addrs, netip.MustParseAddrPort(a))
		}
		tb.see(s)
	case "move":
		tb.see(sighting{room: chat.Room{ID: f[1], Name: f[2], Host: "h"},
			addrs: []netip.AddrPort{netip.MustParseAddrPort(f[3])}, gone: []netip.AddrPort{netip.MustParseAddrPort(f[4])}})
	case "bye":
		tb.see(sighting{room: chat.Room{ID: f[1], Name: "n", Host: "h"}, bye: true, iface: iface})
	default:
		t.Fatalf("bad op %q", op)
	}
}

func show(rooms []chat.Room) string {
	var parts []string
	for _, r := range rooms {
		parts = append(parts, fmt.Sprintf("%s=%s@%s", r.ID, r.Name, strings.Join(r.Addrs, ",")))
	}
	return strings.Join(parts, ";")
}

const (
	a1 = "10.0.0.1:4000"
	a2 = "10.0.0.2:4000"
	a6 = "[2001:db8::1]:4000"
)

func TestTable(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"seen then kept while fresh browses see it", []step{
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
		}},
		{"dropped after two misses, not one", []step{
			{"begin", ""},
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"end", ""},
		}},
		{"a sighting resets the miss count", []step{
			{"begin", ""},
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
		}},
		{"seen between browses resets the misses", []step{
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"end", "r1=Lobby@" + a1},
			{"begin", "r1=Lobby@" + a1},
			{"end", ""},
		}},
		{"same id merges addresses, IPv4 first", []step{
			{"begin", ""},
			{"see r1 Lobby " + a6, "r1=Lobby@" + a6},
			{"see r1 Lobby " + a2, "r1=Lobby@" + a2 + "," + a6},
			{"see r1 Lobby " + a1 + " " + a2, "r1=Lobby@" + a1 + "," + a2 + "," + a6},
			{"end", "r1=Lobby@" + a1 + "," + a2 + "," + a6},
		}},
		{"addresses expire one by one", []step{
			{"begin", ""},
			{"see r1 Lobby " + a1 + " " + a2, "r1=Lobby@" + a1 + "," + a2},
			{"end", "r1=Lobby@" + a1 + "," + a2},
			{"begin", "r1=Lobby@" + a1 + "," + a2},
			{"see r1 Lobby " + a2, "r1=Lobby@" + a1 + "," + a2},
			{"end", "r1=Lobby@" + a1 + "," + a2},
			{"begin", "r1=Lobby@" + a1 + "," + a2},
			{"see r1 Lobby " + a2, "r1=Lobby@" + a1 + "," + a2},
			{"end", "r1=Lobby@" + a2},
		}},
		{"rename shows the latest name", []step{
			{"see r1 Old " + a1, "r1=Old@" + a1},
			{"see r1 New " + a1, "r1=New@" + a1},
		}},
		{"sorted by name then id", []step{
			{"see r2 beta " + a1, "r2=beta@" + a1},
			{"see r3 Alpha " + a2, "r3=Alpha@" + a2 + ";r2=beta@" + a1},
			{"see r1 beta " + a2, "r3=Alpha@" + a2 + ";r1=beta@" + a2 + ";r2=beta@" + a1},
		}},
		{"suspect hides, next browse restores", []step{
			{"begin", ""},
			{"see r1 Lobby " + a1 + " " + a2, "r1=Lobby@" + a1 + "," + a2},
			{"end", "r1=Lobby@" + a1 + "," + a2},
			{"suspect r1", ""},
			{"see r1 Lobby " + a1, ""}, // between browses: not a verdict
			{"begin", ""},
			{"see r1 Lobby " + a2, "r1=Lobby@" + a1 + "," + a2},
			{"end", "r1=Lobby@" + a2}, // unseen address of a suspect goes at once
			{"begin", "r1=Lobby@" + a2},
			{"end", "r1=Lobby@" + a2}, // an ordinary miss again
		}},
		{"suspect not seen again is dropped", []step{
			{"begin", ""},
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"see r2 Other " + a2, "r1=Lobby@" + a1 + ";r2=Other@" + a2},
			{"suspect r1", "r2=Other@" + a2},
			{"end", "r2=Other@" + a2}, // browse begun before the suspicion
			{"begin", "r2=Other@" + a2},
			{"see r2 Other " + a2, "r2=Other@" + a2},
			{"end", "r2=Other@" + a2},
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1 + ";r2=Other@" + a2}, // back later
		}},
		{"suspect unknown id", []step{
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"suspect nope", "r1=Lobby@" + a1},
		}},
		{"goodbye drops the room at once", []step{
			{"see@eth0 r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"bye@eth0 r1", ""},
			{"bye@eth0 r1", ""},
		}},
		{"goodbye on one interface keeps the other's addresses", []step{
			{"see@eth0 r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"see@eth1 r1 Lobby " + a2, "r1=Lobby@" + a1 + "," + a2},
			{"bye@eth0 r1", "r1=Lobby@" + a2},
		}},
		{"goodbye for an unknown room", []step{
			{"bye@eth0 r9", ""},
		}},
		{"a withdrawn address goes, the new one comes", []step{
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"move r1 Lobby " + a2 + " " + a1, "r1=Lobby@" + a2},
		}},
		{"link-local addresses last", []step{
			{"see r1 Lobby [fe80::1%eth0]:4000 " + a6 + " " + a1, "r1=Lobby@" + a1 + "," + a6 + ",[fe80::1%eth0]:4000"},
		}},
		{"suspect before any browse", []step{
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
			{"suspect r1", ""},
			{"begin", ""},
			{"end", ""},
			{"see r1 Lobby " + a1, "r1=Lobby@" + a1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTable()
			for i, s := range tt.steps {
				apply1(t, tb, s.op)
				if got := show(tb.list()); got != s.want {
					t.Fatalf("step %d %q: got %q, want %q", i, s.op, got, s.want)
				}
			}
		})
	}
}

func TestSameRooms(t *testing.T) {
	r := chat.Room{ID: "a", Name: "n", Host: "h", Addrs: []string{a1}}
	other := []chat.Room{
		{ID: "b", Name: "n", Host: "h", Addrs: []string{a1}},
		{ID: "a", Name: "m", Host: "h", Addrs: []string{a1}},
		{ID: "a", Name: "n", Host: "g", Addrs: []string{a1}},
		{ID: "a", Name: "n", Host: "h", Addrs: []string{a2}},
		{ID: "a", Name: "n", Host: "h"},
	}
	if !sameRooms([]chat.Room{r}, []chat.Room{r}) {
		t.Errorf("sameRooms(r, r): got false, want true")
	}
	for _, o := range other {
		if sameRooms([]chat.Room{r}, []chat.Room{o}) {
			t.Errorf("sameRooms(%+v, %+v): got true, want false", r, o)
		}
	}
}
