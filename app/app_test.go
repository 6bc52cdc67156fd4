package app

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a Window that keeps what it was given.
type recorder struct {
	mu        sync.Mutex
	events    []emitted
	clipboard string
}

func (r *recorder) SetClipboard(text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clipboard = text
	return nil
}

type emitted struct {
	name string
	data any
}

func (r *recorder) Emit(name string, data any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, emitted{name, data})
}

// waitFor returns the first event named name whose payload satisfies ok.
func (r *recorder) waitFor(t *testing.T, name string, ok func(any) bool) any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for _, e := range r.events {
			if e.name == name && ok(e.data) {
				r.mu.Unlock()
				return e.data
			}
		}
		r.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s event matched", name)
	return nil
}

// messages lists the messages of every room:activity event so far.
func (r *recorder) messages() []MessageDTO {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []MessageDTO
	for _, e := range r.events {
		if b, ok := e.data.(ActivityDTO); ok && e.name == EventActivity {
			out = append(out, b.Messages...)
		}
	}
	return out
}

// waitForMessage returns the first message of a room:activity event that
// satisfies ok.
func (r *recorder) waitForMessage(t *testing.T, ok func(MessageDTO) bool) MessageDTO {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range r.messages() {
			if ok(m) {
				return m
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no room:activity event held a matching message")
	return MessageDTO{}
}

// newApp returns a started App with discovery off (these tests run in the
// default network namespace, where mDNS must stay quiet) and a nickname.
func newApp(t *testing.T, nick string) (*App, *recorder) {
	t.Helper()
	dir := t.TempDir()
	a, err := New(Config{ConfigDir: dir, DatabasePath: dir + "/parley.db", NoDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	a.start(rec)
	t.Cleanup(a.stop)
	if nick != "" {
		if _, err := a.SetNick(nick); err != nil {
			t.Fatal(err)
		}
	}
	return a, rec
}

func TestNicknameIsValidatedAndRemembered(t *testing.T) {
	dir := t.TempDir()
	a, err := New(Config{ConfigDir: dir, NoDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := a.Profile(); err != nil || p.Nick != "" {
		t.Fatalf("fresh profile = %+v, %v; want empty", p, err)
	}
	for _, bad := range []string{"", "a:b", "tab\there", strings.Repeat("x", 40)} {
		if _, err := a.SetNick(bad); err == nil {
			t.Errorf("SetNick(%q) accepted", bad)
		} else if err.Error() == "" || !strings.HasSuffix(err.Error(), ".") {
			t.Errorf("SetNick(%q) error %q is not a sentence", bad, err)
		}
	}
	if _, err := a.SetNick("  Zoë 🦊 "); err != nil {
		t.Fatal(err)
	}
	again, _ := New(Config{ConfigDir: dir, NoDiscovery: true})
	if p, err := again.Profile(); err != nil || p.Nick != "Zoë 🦊" {
		t.Errorf("after restart profile = %+v, %v; want Zoë 🦊", p, err)
	}
}

func TestCorruptProfileIsReportedAndReplaced(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/profile.json", []byte("{garbage"), 0o600)
	a, _ := New(Config{ConfigDir: dir, NoDiscovery: true})
	if _, err := a.Profile(); err == nil {
		t.Error("corrupt profile read without error")
	}
	if _, err := a.SetNick("bob"); err != nil {
		t.Fatalf("SetNick over a corrupt profile: %v", err)
	}
	if p, _ := a.Profile(); p.Nick != "bob" {
		t.Errorf("nick = %q, want bob", p.Nick)
	}
}

func TestHostJoinChatAndClose(t *testing.T) {
	host, hostRec := newApp(t, "alice")
	guest, guestRec := newApp(t, "bob")

	if _, err := host.HostRoom("  "); err == nil {
		t.Error("empty room name accepted")
	}
	hs, err := host.HostRoom("Café ☕")
	if err != nil {
		t.Fatalf("HostRoom: %v", err)
	}
	if !hs.Hosting || hs.Room.Name != "Café ☕" || hs.You != "alice" || hs.State != "connected" {
		t.Errorf("host session = %+v", hs)
	}
	rooms, _ := host.Rooms()
	if len(rooms) != 1 || !rooms[0].Mine || rooms[0].Name != "Café ☕" {
		t.Errorf("host's lobby = %+v, want its own room, marked mine", rooms)
	}

	gs, err := guest.JoinAddress(hs.Room.Address)
	if err != nil {
		t.Fatalf("JoinAddress: %v", err)
	}
	if gs.Hosting || gs.You != "bob" || len(gs.Members) != 2 || !gs.Members[1].You || !gs.Members[0].Host {
		t.Errorf("guest session = %+v", gs)
	}
	hostRec.waitFor(t, EventActivity, func(d any) bool {
		return slices.ContainsFunc(d.(ActivityDTO).Changes, func(c ChangeDTO) bool { return c.Kind == "join" && c.Nick == "bob" })
	})

	id, err := guest.Send("hello <b>alice</b>")
	if err != nil || id == "" {
		t.Fatalf("Send: %q, %v", id, err)
	}
	got := hostRec.waitForMessage(t, func(m MessageDTO) bool { return m.ID == id })
	if got.From != "bob" || got.Text != "hello <b>alice</b>" || got.Mine {
		t.Errorf("host got %+v", got)
	}
	mine := guestRec.waitForMessage(t, func(m MessageDTO) bool { return m.ID == id })
	if !mine.Mine {
		t.Errorf("guest's own message not marked mine: %+v", mine)
	}
	if s, _ := guest.Session(); s == nil || len(s.Messages) != 1 {
		t.Errorf("guest snapshot = %+v, want one message", s)
	}
	if _, err := guest.Send("   "); err == nil {
		t.Error("blank message accepted")
	}

	if err := host.Leave(); err != nil {
		t.Fatal(err)
	}
	closed := guestRec.waitFor(t, EventClosed, func(any) bool { return true }).(ClosedDTO)
	if closed.Reason != "The host closed the room." {
		t.Errorf("guest told %q", closed.Reason)
	}
	if s, _ := guest.Session(); s != nil {
		t.Errorf("guest still has a session after the room closed")
	}
	if rooms, _ := host.Rooms(); len(rooms) != 0 {
		t.Errorf("host's lobby still lists %+v after closing", rooms)
	}
}

func TestJoinErrorsAreSentences(t *testing.T) {
	host, _ := newApp(t, "alice")
	hs, _ := host.HostRoom("Room")
	twin, _ := newApp(t, "alice")
	noNick, _ := newApp(t, "")
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"taken", func() error { _, err := twin.JoinAddress(hs.Room.Address); return err }, `"alice" is already in use`},
		{"not an address", func() error { _, err := twin.JoinAddress("nonsense"); return err }, "is not host:port"},
		{"closed port", func() error { _, err := twin.JoinAddress("127.0.0.1:1"); return err }, "Nobody is answering"},
		{"no nickname", func() error { _, err := noNick.HostRoom("x"); return err }, "Choose a nickname"},
		{"unknown room", func() error { _, err := twin.JoinRoom("0123456789abcdef"); return err }, "discovery is not running"},
		{"send outside a room", func() error { _, err := twin.Send("hi"); return err }, "not in a room"},
	}
	for _, tt := range tests {
		err := tt.call()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want it to say %q", tt.name, err, tt.want)
		}
	}
}

func TestGuardTurnsPanicIntoError(t *testing.T) {
	a, _ := newApp(t, "")
	f := func() (err error) {
		defer a.guard("Boom", &err)
		panic("boom")
	}
	if err := f(); err == nil || !strings.Contains(err.Error(), "Boom") {
		t.Errorf("guard returned %v", err)
	}
}

// TestAPIContract keeps frontend/src/lib/api.ts and the bound methods in
// step: every call('X') there is an exported method here and vice versa.
func TestAPIContract(t *testing.T) {
	src, err := os.ReadFile("../frontend/src/lib/api.ts")
	if err != nil {
		t.Fatal(err)
	}
	var ts []string
	for _, m := range regexp.MustCompile(`call\('(\w+)'`).FindAllSubmatch(src, -1) {
		ts = append(ts, string(m[1]))
	}
	var goMethods []string
	typ := reflect.TypeFor[*App]()
	for i := range typ.NumMethod() {
		goMethods = append(goMethods, typ.Method(i).Name)
	}
	slices.Sort(ts)
	ts = slices.Compact(ts)
	if !slices.Equal(ts, goMethods) {
		t.Errorf("api.ts calls %v, App binds %v", ts, goMethods)
	}
}

func TestUserErrorKeepsCause(t *testing.T) {
	cause := errors.New("cause")
	err := userError(cause)
	if !errors.Is(err, cause) {
		t.Error("userError lost its cause")
	}
	if userError(err) != err {
		t.Error("userError reworded an already friendly error")
	}
}

func TestInterfacesSetting(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/profile.json", []byte(`{"nick":"ann","interfaces":["eth7"]}`), 0o600)
	a, err := New(Config{ConfigDir: dir, DatabasePath: dir + "/parley.db", NoDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	a.start(&recorder{})
	defer a.stop()
	if got := fmt.Sprint(a.cfg.Interfaces); got != "[eth7]" {
		t.Errorf("interfaces = %s, want the profile's [eth7]", got)
	}
}
