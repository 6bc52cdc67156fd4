package discovery

import (
	"net"
	"strings"
	"testing"

	"github.com/parley-lan/parley/backend/chat"
)

// nowhere is an interface that does not exist: should validation ever let
// a bad call through, Advertise fails on it instead of multicasting from
// the default namespace.
var nowhere = []net.Interface{{Index: 1 << 20, Name: "nowhere0", Flags: net.FlagUp | net.FlagMulticast}}

func TestAdvertiseValidates(t *testing.T) {
	good := chat.Room{ID: chat.NewID(), Name: "Lobby", Host: "ann"}
	tests := []struct {
		name    string
		room    chat.Room
		port    int
		ifaces  []net.Interface
		wantErr string
	}{
		{"bad id", chat.Room{ID: "no spaces please", Name: "n", Host: "h"}, 4000, nowhere, "room id"},
		{"bad name", chat.Room{ID: good.ID, Name: "\x1b[31m", Host: "h"}, 4000, nowhere, "room name"},
		{"bad host", chat.Room{ID: good.ID, Name: "n", Host: "a:b"}, 4000, nowhere, "host nickname"},
		{"port 0", good, 0, nowhere, "port 0"},
		{"port too big", good, 65536, nowhere, "port 65536"},
		{"empty ifaces", good, 4000, []net.Interface{}, "empty interface list"},
		{"missing iface", good, 4000, nowhere, "nowhere0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Advertise(tt.room, tt.port, tt.ifaces, nil)
			if err == nil {
				a.Close()
				t.Fatalf("got nil error, want one containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "advertise: ") {
				t.Errorf("got %q, want an error starting %q containing %q", err, "advertise: ", tt.wantErr)
			}
		})
	}
}

func TestShortLabel(t *testing.T) {
	tests := []struct{ id, want string }{
		{"0123456789abcdef", "01234567"},
		{"DEADBEEF00", "deadbeef"},
		{"legacy_ID-with-dash", "2ac2aab2"}, // sha256 prefix
		{"abc", "ba7816bf"},
	}
	for _, tt := range tests {
		if got := shortLabel(tt.id); got != tt.want {
			t.Errorf("shortLabel(%q): got %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestBrowserRejectsEmptyIfaces(t *testing.T) {
	b := &Browser{Ifaces: []net.Interface{}}
	if err := b.Run(t.Context(), func([]chat.Room) {}); err == nil {
		t.Errorf("Run with an empty interface list: got nil, want an error")
	}
	if _, err := Lookup(t.Context(), []net.Interface{}, 0); err == nil {
		t.Errorf("Lookup with an empty interface list: got nil, want an error")
	}
}
