package cli_test

import (
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// TestRoomsAcrossTheLAN runs hosts and clients in separate network
// namespaces on one bridge: real mDNS, real addresses. A watcher in
// another namespace must see a room within a second of it being
// announced, and see it go within ten seconds of the host exiting, cleanly
// or killed.
func TestRoomsAcrossTheLAN(t *testing.T) {
	lab := netlab.New(t, "host", "guest")
	watch := parley(t, lab, "guest", "rooms", "--watch")
	time.Sleep(300 * time.Millisecond) // let the watcher's first browse start

	const name = "Café Room 🎉"
	h := parley(t, lab, "host", "host", "--room", name, "--nick", "alice")
	h.stderr.waitFor(t, `^Hosting "Café Room 🎉" as alice on port \d+\.$`, 10*time.Second)
	announced := time.Now()
	watch.stdout.waitFor(t, `^\+ Café Room 🎉\talice\t`+lab.Addr("host")+`:\d+(,\S+)*\t[0-9a-f]{16}$`, 5*time.Second)
	seen := time.Since(announced)
	t.Logf("room listed by a watcher in another namespace %v after it was announced", seen)
	if seen > time.Second {
		t.Errorf("room listed after %v, want within 1s", seen)
	}

	rooms := listRooms(t, lab)
	if len(rooms) != 1 || rooms[0].Name != name || rooms[0].Host != "alice" || len(rooms[0].Addrs) == 0 {
		t.Fatalf("parley rooms --json = %+v, want the one room", rooms)
	}
	table := parley(t, lab, "guest", "rooms", "--wait", "1s")
	table.wait(10 * time.Second)
	if !table.stdout.has(`^NAME\s+HOST\s+ADDRESS\s+ID$`) || !table.stdout.has(`^Café Room 🎉\s+alice\s+`) {
		t.Errorf("parley rooms table:\n%s", table.stdout.all())
	}

	chatByName(t, lab, h, name)

	missing := parley(t, lab, "guest", "join", "No Such Room", "--nick", "bob", "--wait", "1s")
	if code := missing.wait(10 * time.Second); code != 5 || !strings.Contains(missing.stderr.all(), "Café Room 🎉 (host alice") {
		t.Errorf("join of an unknown room: exit %d, stderr %q; want 5 and a list of the rooms there are", code, missing.stderr.all())
	}

	h.signal(syscall.SIGTERM)
	closed := time.Now()
	if code := h.wait(10 * time.Second); code != 0 {
		t.Errorf("host exited %d, want 0", code)
	}
	watch.stdout.waitFor(t, `^- Café Room 🎉\talice\t`, 10*time.Second)
	t.Logf("cleanly closed room gone from the watcher's list after %v", time.Since(closed))

	crash := parley(t, lab, "host", "host", "--room", "Crash Room", "--nick", "carl")
	watch.stdout.waitFor(t, `^\+ Crash Room\t`, 5*time.Second)
	crash.cmd.Process.Signal(syscall.SIGKILL)
	killed := time.Now()
	watch.stdout.waitFor(t, `^- Crash Room\t`, 10*time.Second)
	t.Logf("killed host's room gone from the watcher's list after %v", time.Since(killed))
}

// chatByName joins the room by its name from the other namespace and
// checks messages both ways.
func chatByName(t *testing.T, lab *netlab.Lab, h *proc, name string) {
	t.Helper()
	bob := parley(t, lab, "guest", "join", name, "--nick", "bob")
	bob.stderr.waitFor(t, `^Joined "Café Room 🎉" as bob\.`, 10*time.Second)
	bob.send("bonjour 🇫🇷")
	h.stdout.waitFor(t, `\] bob: bonjour 🇫🇷$`, 5*time.Second)
	h.send("salut bob")
	bob.stdout.waitFor(t, `\] alice: salut bob$`, 5*time.Second)

	taken := parley(t, lab, "guest", "join", name, "--nick", "Bob")
	if code := taken.wait(15 * time.Second); code != 3 || !strings.Contains(taken.stderr.all(), `"Bob" is already in use`) {
		t.Errorf("taken nickname: exit %d, stderr %q; want 3", code, taken.stderr.all())
	}
	bob.stdin.Close()
	if code := bob.wait(10 * time.Second); code != 0 {
		t.Errorf("join exited %d, want 0", code)
	}
}

func listRooms(t *testing.T, lab *netlab.Lab) []chat.Room {
	t.Helper()
	return listRoomsIn(t, lab, "guest")
}

// listRoomsIn runs `parley rooms --json` in host.
func listRoomsIn(t *testing.T, lab *netlab.Lab, host string) []chat.Room {
	t.Helper()
	p := parley(t, lab, host, "rooms", "--wait", "1s", "--json")
	if code := p.wait(10 * time.Second); code != 0 {
		t.Fatalf("parley rooms exited %d: %s", code, p.stderr.all())
	}
	var rooms []chat.Room
	if err := json.Unmarshal([]byte(p.stdout.all()), &rooms); err != nil {
		t.Fatalf("parley rooms --json: %v\n%s", err, p.stdout.all())
	}
	return rooms
}
