package discovery

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// diagWait is how long the namespace tests let Diagnose listen.
const diagWait = 1500 * time.Millisecond

// diagnose runs Diagnose in host's namespace and returns its report and
// how long it took.
func diagnose(t *testing.T, lab *netlab.Lab, host string) (Report, time.Duration) {
	t.Helper()
	m := startHelper(t, lab, host, "diagnose", helperArgs{Wait: diagWait}).event("report", 20*time.Second)
	d := time.Duration(m.Elapsed * float64(time.Millisecond))
	t.Logf("Diagnose in %s took %v; hints: %q", host, d, m.Report.Hints)
	return *m.Report, d
}

func ifaceReport(t *testing.T, r Report, name string) IfaceReport {
	t.Helper()
	i := slices.IndexFunc(r.Interfaces, func(i IfaceReport) bool { return i.Name == name })
	if i < 0 {
		t.Fatalf("no report on %s: %+v", name, r.Interfaces)
	}
	return r.Interfaces[i]
}

// hintWith fails the test unless some hint contains every one of parts.
func hintWith(t *testing.T, hints []string, parts ...string) {
	t.Helper()
	if !slices.ContainsFunc(hints, func(h string) bool {
		return !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(h, p) })
	}) {
		t.Errorf("hints %q: want one containing %q", hints, parts)
	}
}

func TestDiagnose(t *testing.T) {
	t.Parallel()
	t.Run("works", func(t *testing.T) {
		t.Parallel()
		lab := netlab.New(t, "a", "b")
		room := chat.Room{ID: chat.NewID(), Name: "diagnosed", Host: "x"}
		startHelper(t, lab, "a", "announce", helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
		watcher := startHelper(t, lab, "b", "browse", helperArgs{})
		watcher.rooms("room listed", 5*time.Second, hasRoom(room.ID))

		r, took := diagnose(t, lab, "b")
		eth0 := ifaceReport(t, r, "eth0")
		if !eth0.Used || !eth0.SelfSeen || eth0.Rooms != 1 || eth0.Skipped != "" || !eth0.Up || !eth0.Multicast {
			t.Errorf("eth0: got %+v, want used, up, multicast, self seen, 1 room", eth0)
		}
		if lo := ifaceReport(t, r, "lo"); lo.Used || lo.Skipped != "loopback" || !lo.Loopback {
			t.Errorf("lo: got %+v, want skipped as loopback", lo)
		}
		want := RoomSeen{Room: chat.Room{ID: room.ID, Name: room.Name, Host: room.Host, Addrs: lanAddrs(lab, "a", "eth0", "eth0", 4242)}, Interface: "eth0"}
		if len(r.Rooms) != 1 || !sameRooms([]chat.Room{r.Rooms[0].Room}, []chat.Room{want.Room}) || r.Rooms[0].Interface != "eth0" || r.Rooms[0].Here {
			t.Errorf("rooms: got %+v, want [%+v]", r.Rooms, want)
		}
		if len(r.Hints) != 1 || r.Hints[0] != "Discovery works: 1 room answered (1 on eth0)." {
			t.Errorf("hints: got %q, want just that discovery works", r.Hints)
		}
		if took < diagWait || took > diagWait+time.Second {
			t.Errorf("Diagnose took %v, want about %v", took, diagWait)
		}

		r, _ = diagnose(t, lab, "a") // the host itself: only its own room
		if len(r.Rooms) != 1 || !r.Rooms[0].Here || !ifaceReport(t, r, "eth0").SelfSeen {
			t.Errorf("on the host: got rooms %+v, want its own room, marked Here", r.Rooms)
		}
		hintWith(t, r.Hints, "Discovery works on eth0, but no other machine's room answered")
		hintWith(t, r.Hints, "Only 1 room hosted on this machine answered.")

		time.Sleep(DefaultCycle) // the probes are never listed as rooms
		if got := watcher.lastRooms(); len(got) != 1 || got[0].ID != room.ID {
			t.Errorf("browser beside the diagnoses: got %+v, want the room alone", got)
		}
	})
	t.Run("multicast off", func(t *testing.T) {
		t.Parallel()
		lab := netlab.New(t, "c")
		lab.SetMulticast("c", "eth0", false)
		r, _ := diagnose(t, lab, "c")
		if eth0 := ifaceReport(t, r, "eth0"); eth0.Used || eth0.Skipped != "multicast is off" || eth0.Multicast {
			t.Errorf("eth0: got %+v, want skipped: multicast is off", eth0)
		}
		hintWith(t, r.Hints, "Multicast is off on eth0", "sudo ip link set eth0 multicast on")
		hintWith(t, r.Hints, "LAN discovery can't run here", "eth0: multicast is off", "Join by address")
	})
	t.Run("no interface", func(t *testing.T) {
		t.Parallel()
		lab := netlab.New(t, "d")
		lab.LinkDown("d")
		r, took := diagnose(t, lab, "d")
		if eth0 := ifaceReport(t, r, "eth0"); eth0.Used || eth0.Skipped != "down" || eth0.Up {
			t.Errorf("eth0: got %+v, want skipped: down", eth0)
		}
		if len(r.Hints) != 1 || !strings.HasPrefix(r.Hints[0], "LAN discovery can't run here: no network interface can carry it (eth0: down)") {
			t.Errorf("hints: got %q, want the no-interface hint alone", r.Hints)
		}
		if took > 500*time.Millisecond {
			t.Errorf("Diagnose with nothing to test took %v, want it to return at once", took)
		}
	})
	t.Run("port taken", func(t *testing.T) {
		t.Parallel()
		lab := netlab.New(t, "g")
		startHelper(t, lab, "g", "holdport", helperArgs{}).event("holding", 10*time.Second)
		r, _ := diagnose(t, lab, "g")
		if eth0 := ifaceReport(t, r, "eth0"); !eth0.Used || eth0.SelfSeen || !strings.Contains(eth0.Problem, "another program") {
			t.Errorf("eth0: got %+v, want used, with a problem: another program has the port", eth0)
		}
		hintWith(t, r.Hints, "Discovery could not start on eth0: it could not open UDP port 5353 (mDNS): another program keeps it to itself.")
	})
	t.Run("firewall", func(t *testing.T) {
		t.Parallel()
		lab := netlab.New(t, "e", "f")
		room := chat.Room{ID: chat.NewID(), Name: "behind a wall", Host: "x"}
		startHelper(t, lab, "f", "announce", helperArgs{Rooms: []chat.Room{room}, Port: 4242}).event("advertising", 10*time.Second)
		lab.DropUDP("e", mdnsPort)
		r, _ := diagnose(t, lab, "e")
		if eth0 := ifaceReport(t, r, "eth0"); !eth0.Used || eth0.SelfSeen || eth0.Rooms != 0 {
			t.Errorf("eth0: got %+v, want used, not self seen, no rooms", eth0)
		}
		hintWith(t, r.Hints, "did not hear its own test announcement on eth0", "firewall", "UDP port 5353")
	})
}
