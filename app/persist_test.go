package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/netlab"
)

// appAt returns a started App whose profile and database live in dir, so
// that a second App on the same dir is the same app reopened.
func appAt(t *testing.T, dir, nick string) (*App, *recorder) {
	t.Helper()
	a, err := New(Config{ConfigDir: dir, DatabasePath: dir + "/parley.db", NoDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	a.start(rec)
	if nick != "" {
		if _, err := a.SetNick(nick); err != nil {
			t.Fatal(err)
		}
	}
	return a, rec
}

// messagesFrom lists the texts of the messages from nick in room:activity
// events.
func (r *recorder) messagesFrom(nick string) []string {
	var out []string
	for _, m := range r.messages() {
		if m.From == nick {
			out = append(out, m.Text)
		}
	}
	return out
}

// TestReopenedAppDeliversPendingMessages: messages typed while the room was
// unreachable stay pending; the app is closed and opened again; it rejoins
// the room by itself and delivers them, each exactly once.
func TestReopenedAppDeliversPendingMessages(t *testing.T) {
	host, hostRec := newApp(t, "alice")
	hs, err := host.HostRoom("Patchy Wi-Fi")
	if err != nil {
		t.Fatal(err)
	}
	link := netlab.NewProxy(t, strings.Replace(hs.Room.Address, hs.Room.Address[:strings.LastIndex(hs.Room.Address, ":")], "127.0.0.1", 1))

	dir := t.TempDir()
	guest, _ := appAt(t, dir, "bob")
	if _, err := guest.JoinAddress(link.Addr()); err != nil {
		t.Fatalf("JoinAddress: %v", err)
	}
	if _, err := guest.Send("before the outage"); err != nil {
		t.Fatal(err)
	}
	hostRec.waitForMessage(t, func(m MessageDTO) bool { return m.Text == "before the outage" })

	link.Cut()
	for _, text := range []string{"typed offline 1", "typed offline 2"} {
		if _, err := guest.Send(text); err != nil {
			t.Fatalf("Send while offline: %v", err)
		}
	}
	s, _ := guest.Session()
	if s == nil || len(s.Pending) != 2 {
		t.Fatalf("pending before closing = %+v, want 2", s)
	}
	guest.stop() // the app is closed with two messages undelivered

	reopened, _ := appAt(t, dir, "")
	t.Cleanup(reopened.stop)
	s, _ = reopened.Session()
	if s == nil || s.State != "connecting" || len(s.Pending) != 2 || s.Room.Name != "Patchy Wi-Fi" {
		t.Fatalf("reopened session = %+v, want the room, connecting, with 2 pending", s)
	}
	if ts := s.Pending[0].TS; ts == 0 || time.Since(time.UnixMilli(ts)) > time.Minute {
		t.Errorf("restored pending message written at %d, want the time it was typed", ts)
	}
	link.Restore()
	hostRec.waitForMessage(t, func(m MessageDTO) bool { return m.Text == "typed offline 2" })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	got := hostRec.messagesFrom("bob")
	want := []string{"before the outage", "typed offline 1", "typed offline 2"}
	t.Logf("FIGURES: app closed with 2 pending and reopened: sent %d, delivered %d", len(want), len(got))
	if !slices.Equal(got, want) {
		t.Errorf("host received %q, want %q (each once, in order)", got, want)
	}
	if s, _ := reopened.Session(); s == nil || len(s.Pending) != 0 || s.State != "connected" {
		t.Errorf("after delivery session = %+v, want connected and nothing pending", s)
	}
}

// TestLeavingForgetsTheRoom: after Leave, reopening the app does not
// rejoin.
func TestLeavingForgetsTheRoom(t *testing.T) {
	host, _ := newApp(t, "alice")
	hs, _ := host.HostRoom("Quick chat")
	dir := t.TempDir()
	guest, _ := appAt(t, dir, "bob")
	if _, err := guest.JoinAddress(hs.Room.Address); err != nil {
		t.Fatal(err)
	}
	guest.Leave()
	guest.stop()
	reopened, _ := appAt(t, dir, "")
	t.Cleanup(reopened.stop)
	if s, _ := reopened.Session(); s != nil {
		t.Errorf("after Leave the reopened app is in %+v", s.Room)
	}
}

// TestHostingAgainBringsTheRoomBack: the same name brings back the same
// room: id, history, and sequence numbers that go on where they stopped.
func TestHostingAgainBringsTheRoomBack(t *testing.T) {
	dir := t.TempDir()
	host, _ := appAt(t, dir, "alice")
	t.Cleanup(host.stop)
	first, err := host.HostRoom("Book Club")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		host.Send(fmt.Sprint("chapter ", i))
	}
	waitSession(t, host, func(s *SessionDTO) bool { return len(s.Messages) == 3 })
	host.Leave()

	again, err := host.HostRoom("book club")
	if err != nil {
		t.Fatal(err)
	}
	if again.Room.ID != first.Room.ID || again.Room.Name != "Book Club" {
		t.Errorf("re-hosted room = %+v, want the same id and name as %+v", again.Room, first.Room)
	}
	guest, guestRec := newApp(t, "bob")
	if _, err := guest.JoinAddress(again.Room.Address); err != nil {
		t.Fatal(err)
	}
	guestRec.waitForMessage(t, func(m MessageDTO) bool { return m.Text == "chapter 2" })
	host.Send("new chapter")
	m := guestRec.waitForMessage(t, func(m MessageDTO) bool { return m.Text == "new chapter" })
	if m.Seq != 4 {
		t.Errorf("first message after re-hosting has seq %d, want 4", m.Seq)
	}
	rooms, err := host.HostedRooms()
	if err != nil || len(rooms) != 1 || rooms[0].Name != "Book Club" || rooms[0].LastUsed == 0 {
		t.Errorf("HostedRooms = %+v, %v", rooms, err)
	}
}

func TestLoadOlder(t *testing.T) {
	host, _ := newApp(t, "alice")
	hs, _ := host.HostRoom("Long history")
	for i := range 250 {
		host.Send(fmt.Sprint("m", i+1))
	}
	waitSession(t, host, func(s *SessionDTO) bool { return len(s.Messages) == 250 })
	guest, guestRec := newApp(t, "bob")
	if _, err := guest.JoinAddress(hs.Room.Address); err != nil {
		t.Fatal(err)
	}
	guestRec.waitForMessage(t, func(m MessageDTO) bool { return m.Text == "m250" })
	s, _ := guest.Session()
	oldest := s.Messages[0].Seq
	if oldest != 51 {
		t.Fatalf("a late joiner starts at seq %d, want 51 (the last 200)", oldest)
	}
	page, err := guest.LoadOlder(oldest)
	if err != nil || len(page.Messages) != 50 || page.Messages[0].Text != "m1" || page.Messages[49].Seq != 50 || page.More {
		t.Errorf("LoadOlder(51) = %d messages (more %v), %v; want m1…m50 and no more", len(page.Messages), page.More, err)
	}
}

func waitSession(t *testing.T, a *App, ok func(*SessionDTO) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s, _ := a.Session(); s != nil && ok(s) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s, _ := a.Session()
	t.Fatalf("session never matched; last: %+v", s)
}

func TestRecentRoomsAndInviteLinks(t *testing.T) {
	host, hostRec := newApp(t, "alice")
	hs, _ := host.HostRoom("Attic")
	link, err := host.CopyInviteLink()
	if err != nil || !strings.HasPrefix(link, "parley://") || !strings.HasSuffix(link, "/"+hs.Room.ID) {
		t.Fatalf("CopyInviteLink = %q, %v", link, err)
	}
	hostRec.mu.Lock()
	copied := hostRec.clipboard
	hostRec.mu.Unlock()
	if copied != link {
		t.Errorf("clipboard holds %q, want %q", copied, link)
	}

	// The link's address is this machine's LAN address, which the test
	// may not reach; join through loopback with the same link shape.
	local := "parley://" + strings.Replace(hs.Room.Address, hs.Room.Address[:strings.LastIndex(hs.Room.Address, ":")], "127.0.0.1", 1) + "/" + hs.Room.ID
	dir := t.TempDir()
	guest, _ := appAt(t, dir, "bob")
	t.Cleanup(guest.stop)
	if _, err := guest.JoinAddress(local); err != nil {
		t.Fatalf("JoinAddress(%q): %v", local, err)
	}
	guest.Leave()
	recent, err := guest.RecentRooms()
	if err != nil || len(recent) != 1 || recent[0].Name != "Attic" || recent[0].Host != "alice" || len(recent[0].Addrs) != 1 {
		t.Fatalf("RecentRooms = %+v, %v", recent, err)
	}
	s, err := guest.JoinRecent(recent[0].ID)
	if err != nil || s.Room.ID != hs.Room.ID {
		t.Fatalf("JoinRecent = %+v, %v", s.Room, err)
	}
	if _, err := guest.JoinRecent("0123456789abcdef"); err == nil {
		t.Error("JoinRecent of an unknown room succeeded")
	}
}
