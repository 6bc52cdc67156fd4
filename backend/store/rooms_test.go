package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

func hosted(id, name string, lastUsed int64) HostedRoom {
	return HostedRoom{
		Room:     chat.Room{ID: id, Name: name, Host: "host-" + id},
		Port:     40000,
		LastUsed: time.UnixMilli(lastUsed),
	}
}

func TestFindRoom(t *testing.T) {
	s := openTemp(t)
	for _, r := range []HostedRoom{
		hosted("cafe", "café", 1),
		hosted("fox", "🦊 Den", 2),
		hosted("plain", "Team Standup", 3),
		hosted("greek", "Σίσυφος", 4),
		hosted("kelvin", "k", 5),
	} {
		if err := s.SaveRoom(r); err != nil {
			t.Fatalf("SaveRoom(%+v): %v", r, err)
		}
	}
	tests := []struct {
		name   string
		wantID string // "" means not found
	}{
		{"café", "cafe"},
		{"CAFÉ", "cafe"},
		{"Café", "cafe"},
		{"cafe", ""}, // no accent, another name
		{"café ", ""},
		{"🦊 den", "fox"},
		{"🦊 DEN", "fox"},
		{"team standup", "plain"},
		{"TEAM STANDUP", "plain"},
		{"ΣΊΣΥΦΟΣ", "greek"}, // final sigma folds with Σ
		{"σίσυφοσ", "greek"},
		{"\u212a", "kelvin"}, // KELVIN SIGN folds with k
		{"K", "kelvin"},
		{"", ""},
		{"nothing", ""},
	}
	for _, tt := range tests {
		got, ok, err := s.FindRoom(tt.name)
		if err != nil {
			t.Fatalf("FindRoom(%q): %v", tt.name, err)
		}
		if ok != (tt.wantID != "") || got.ID != tt.wantID {
			t.Errorf("FindRoom(%q): got %q, %v, want %q", tt.name, got.ID, ok, tt.wantID)
		}
	}
}

func TestFindRoomPrefersRecent(t *testing.T) {
	s := openTemp(t)
	for _, r := range []HostedRoom{hosted("old", "Lunch", 100), hosted("new", "LUNCH", 200), hosted("mid", "lunch", 150)} {
		if err := s.SaveRoom(r); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := s.FindRoom("Lunch")
	if err != nil || !ok || got.ID != "new" {
		t.Errorf("FindRoom: got %q, %v, %v, want %q", got.ID, ok, err, "new")
	}
}

func TestSaveRoomUpdatesByID(t *testing.T) {
	s := openTemp(t)
	if err := s.SaveRoom(hosted("r1", "Before", 1)); err != nil {
		t.Fatal(err)
	}
	after := hosted("r1", "After", 2)
	after.Host, after.Port = "newnick", 50505
	if err := s.SaveRoom(after); err != nil {
		t.Fatal(err)
	}
	rooms, err := s.Rooms()
	if err != nil {
		t.Fatal(err)
	}
	if len(rooms) != 1 {
		t.Fatalf("Rooms: got %d rooms, want 1", len(rooms))
	}
	got := rooms[0]
	if got.Name != "After" || got.Host != "newnick" || got.Port != 50505 || got.LastUsed.UnixMilli() != 2 {
		t.Errorf("updated room: got %+v, want %+v", got, after)
	}
	if _, ok, _ := s.FindRoom("before"); ok {
		t.Errorf("FindRoom(old name) still finds the renamed room")
	}
}

func TestRoomsMostRecentFirst(t *testing.T) {
	s := openTemp(t)
	if rooms, err := s.Rooms(); err != nil || len(rooms) != 0 {
		t.Fatalf("Rooms of an empty store: got %v, %v, want none", rooms, err)
	}
	for _, r := range []HostedRoom{hosted("a", "A", 300), hosted("b", "B", 100), hosted("c", "C", 200)} {
		if err := s.SaveRoom(r); err != nil {
			t.Fatal(err)
		}
	}
	rooms, err := s.Rooms()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rooms {
		ids = append(ids, r.ID)
	}
	if got, want := fmt.Sprint(ids), "[a c b]"; got != want {
		t.Errorf("Rooms order: got %v, want %v", got, want)
	}
}

func TestSaveRoomZeroLastUsedIsNow(t *testing.T) {
	s := openTemp(t)
	before := time.Now().Add(-time.Second)
	if err := s.SaveRoom(HostedRoom{Room: chat.Room{ID: "z", Name: "Zero"}}); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.FindRoom("zero")
	if err != nil {
		t.Fatal(err)
	}
	if got.LastUsed.Before(before) || got.LastUsed.After(time.Now().Add(time.Second)) {
		t.Errorf("LastUsed: got %v, want about now", got.LastUsed)
	}
}

func TestSaveRoomInvalid(t *testing.T) {
	s := openTemp(t)
	tests := []struct {
		name string
		room HostedRoom
	}{
		{"no id", HostedRoom{Room: chat.Room{Name: "x"}}},
		{"no name", HostedRoom{Room: chat.Room{ID: "x"}}},
		{"negative port", HostedRoom{Room: chat.Room{ID: "x", Name: "x"}, Port: -1}},
		{"port too big", HostedRoom{Room: chat.Room{ID: "x", Name: "x"}, Port: 65536}},
	}
	for _, tt := range tests {
		if err := s.SaveRoom(tt.room); !errors.Is(err, ErrInvalid) {
			t.Errorf("SaveRoom(%s): got %v, want ErrInvalid", tt.name, err)
		}
	}
	if rooms, _ := s.Rooms(); len(rooms) != 0 {
		t.Errorf("invalid rooms were saved: %v", rooms)
	}
}

func TestFoldKey(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"café", "CAFÉ", true},
		{"ǅ", "ǆ", true}, // title case
		{"ß", "ẞ", true},
		{"ß", "ss", false}, // full folding is not done
		{"i", "İ", false},
		{"👩‍💻", "👩‍💻", true},
		{"a", "b", false},
	}
	for _, tt := range tests {
		if got := foldKey(tt.a) == foldKey(tt.b); got != tt.same {
			t.Errorf("foldKey(%q) == foldKey(%q): got %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}
