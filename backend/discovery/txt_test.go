package discovery

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parley-lan/parley/backend/chat"
)

const id16 = "0123456789abcdef"

var parseTXTTests = []struct {
	name string
	txt  []string
	want chat.Room
	ok   bool
}{
	{"plain", []string{"v=1", "id=" + id16, "name=Lobby", "host=ann"}, chat.Room{ID: id16, Name: "Lobby", Host: "ann"}, true},
	{"escaped utf-8", []string{"v=1", "id=" + id16, `name=Caf\195\169\ Room`, `host=zo\195\171`}, chat.Room{ID: id16, Name: "Café Room", Host: "zoë"}, true},
	{"quote and backslash", []string{"v=1", "id=" + id16, `name=say \"hi\" \\o/`, "host=x"}, chat.Room{ID: id16, Name: `say "hi" \o/`, Host: "x"}, true},
	{"keys any case, any order", []string{"NAME=a.b c", "Host=bo", "ID=" + id16, "V=1"}, chat.Room{ID: id16, Name: "a.b c", Host: "bo"}, true},
	{"first key wins", []string{"v=1", "id=" + id16, "name=first", "name=second", "host=h"}, chat.Room{ID: id16, Name: "first", Host: "h"}, true},
	{"unknown keys ignored", []string{"v=1", "fp=abc", "id=" + id16, "name=n", "host=h", "flag", ""}, chat.Room{ID: id16, Name: "n", Host: "h"}, true},
	{"host optional", []string{"v=1", "id=" + id16, "name=n"}, chat.Room{ID: id16, Name: "n"}, true},
	{"name trimmed", []string{"v=1", "id=" + id16, "name=  n  ", "host=h"}, chat.Room{ID: id16, Name: "n", Host: "h"}, true},
	{"value with equals", []string{"v=1", "id=" + id16, "name=a=b", "host=h"}, chat.Room{ID: id16, Name: "a=b", Host: "h"}, true},
	{"no version", []string{"id=" + id16, "name=n", "host=h"}, chat.Room{}, false},
	{"version 2", []string{"v=2", "id=" + id16, "name=n", "host=h"}, chat.Room{}, false},
	{"no id", []string{"v=1", "name=n", "host=h"}, chat.Room{}, false},
	{"bad id", []string{"v=1", "id=<script>", "name=n", "host=h"}, chat.Room{}, false},
	{"no name", []string{"v=1", "id=" + id16, "host=h"}, chat.Room{}, false},
	{"empty name", []string{"v=1", "id=" + id16, "name=", "host=h"}, chat.Room{}, false},
	{"bad utf-8", []string{"v=1", "id=" + id16, `name=Caf\195`, "host=h"}, chat.Room{}, false},
	{"control char", []string{"v=1", "id=" + id16, `name=a\010b`, "host=h"}, chat.Room{}, false},
	{"bidi override", []string{"v=1", "id=" + id16, `name=a\226\128\174b`, "host=h"}, chat.Room{}, false},
	{"bad host", []string{"v=1", "id=" + id16, "name=n", "host=a:b"}, chat.Room{}, false},
	{"bad escape", []string{"v=1", "id=" + id16, `name=n\`, "host=h"}, chat.Room{}, false},
	{"bad escape elsewhere", []string{"v=1", "id=" + id16, "name=n", `x=\999`}, chat.Room{}, false},
	{"empty", nil, chat.Room{}, false},
}

func TestParseTXT(t *testing.T) {
	for _, tt := range parseTXTTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTXT(tt.txt)
			if (err == nil) != tt.ok || !sameRooms([]chat.Room{got}, []chat.Room{tt.want}) {
				t.Fatalf("got %+v, %v; want %+v, ok=%v", got, err, tt.want, tt.ok)
			}
			if err != nil && !errors.Is(err, errNoRoom) {
				t.Errorf("error %v does not wrap errNoRoom", err)
			}
		})
	}
}

var roundTripRooms = []chat.Room{
	{ID: id16, Name: "Café Room", Host: "zoë"},
	{ID: id16, Name: "a.b c", Host: "dot.ted"},
	{ID: id16, Name: "🎉 party", Host: "🦊 fox"},
	{ID: id16, Name: "会议室", Host: "李雷"},
	{ID: id16, Name: `back\slash "quoted"`, Host: `q"uote`},
	{ID: id16, Name: "Team: standup", Host: "ann"},
	{ID: id16, Name: strings.Repeat("é", chat.MaxRoomNameRunes), Host: strings.Repeat("x", chat.MaxNickRunes)},
	{ID: "legacy_ID-with-dash", Name: "👩‍💻 devs", Host: "👩‍💻"},
}

// TestTXTRoundTrip sends each room's TXT through miekg/dns and back.
func TestTXTRoundTrip(t *testing.T) {
	for _, room := range roundTripRooms {
		txt, err := roomTXT(room)
		if err != nil {
			t.Fatalf("roomTXT(%+v): %v", room, err)
		}
		wire, err := overTheWire(txt)
		if err != nil {
			t.Fatalf("pack %q: %v", txt, err)
		}
		got, err := parseTXT(wire)
		if err != nil || !sameRooms([]chat.Room{got}, []chat.Room{room}) {
			t.Errorf("round trip of %+v: got %+v, %v", room, got, err)
		}
	}
}

func TestRoomTXTRejects(t *testing.T) {
	tests := []struct {
		name string
		room chat.Room
	}{
		{"bad id", chat.Room{ID: "has space", Name: "n", Host: "h"}},
		{"empty id", chat.Room{Name: "n", Host: "h"}},
		{"empty name", chat.Room{ID: id16, Host: "h"}},
		{"control in name", chat.Room{ID: id16, Name: "a\nb", Host: "h"}},
		{"long name", chat.Room{ID: id16, Name: strings.Repeat("x", chat.MaxRoomNameRunes+1), Host: "h"}},
		{"bad nick", chat.Room{ID: id16, Name: "n", Host: "a:b"}},
		{"empty nick", chat.Room{ID: id16, Name: "n"}},
	}
	for _, tt := range tests {
		if txt, err := roomTXT(tt.room); err == nil {
			t.Errorf("%s: roomTXT(%+v) = %q, want an error", tt.name, tt.room, txt)
		}
	}
}

func FuzzParseTXT(f *testing.F) {
	for _, tt := range parseTXTTests {
		f.Add(strings.Join(tt.txt, "\x00"))
	}
	f.Fuzz(func(t *testing.T, joined string) {
		room, err := parseTXT(strings.Split(joined, "\x00"))
		if err != nil {
			return
		}
		if !chat.ValidID(room.ID) || !utf8.ValidString(room.Name) || !utf8.ValidString(room.Host) {
			t.Fatalf("parseTXT accepted an invalid room %+v", room)
		}
		if name, err := chat.ValidateRoomName(room.Name); err != nil || name != room.Name {
			t.Fatalf("parseTXT accepted room name %q: %v", room.Name, err)
		}
		if nick, err := chat.ValidateNick(room.Host); room.Host != "" && (err != nil || nick != room.Host) {
			t.Fatalf("parseTXT accepted host %q: %v", room.Host, err)
		}
	})
}

// FuzzRoomTXTRoundTrip checks that every room Advertise would accept comes
// back the same through miekg/dns and parseTXT.
func FuzzRoomTXTRoundTrip(f *testing.F) {
	for _, r := range roundTripRooms {
		f.Add(r.ID, r.Name, r.Host)
	}
	f.Fuzz(func(t *testing.T, id, name, host string) {
		txt, err := roomTXT(chat.Room{ID: id, Name: name, Host: host})
		if err != nil {
			return
		}
		wire, err := overTheWire(txt)
		if err != nil {
			t.Fatalf("pack %q: %v", txt, err)
		}
		got, err := parseTXT(wire)
		name, _ = chat.ValidateRoomName(name)
		host, _ = chat.ValidateNick(host)
		if err != nil || got.ID != id || got.Name != name || got.Host != host {
			t.Fatalf("round trip of %q/%q/%q: got %+v, %v", id, name, host, got, err)
		}
	})
}
