//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/netlab"
)

// TestDesktopKeepsUpWithABusyRoom: the window stays usable while a crowd
// fills the room and floods it. 500 members of `parley bench` join a room
// the app has joined, and five of them send 1,000 messages a second for
// five seconds; right after, a message typed in the window must reach the
// room within stepTimeout, as any step of a quiet conversation must.
// (When every message and every join was its own window event, each
// redrawing the whole timeline or member list, the window fell minutes
// behind: at 500 messages a second for ten seconds, a message typed
// afterwards had not gone out a minute later; after 500 joins, it took
// 36 s. The build before this test fails it.)
func TestDesktopKeepsUpWithABusyRoom(t *testing.T) {
	bin := desktopBinary(t)
	requireTools(t, "Xvfb", "xdotool", "import")
	arts := artifactsDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)

	x := startXvfb(t)
	lab := netlab.New(t, "app", "peer")
	garden := parley(t, ctx, lab, "peer", bin, "host", "--room", gardenParty, "--nick", termNick)
	garden.waitFor(garden.stderr, 0, literal(fmt.Sprintf("Hosting %q as %s", gardenParty, termNick)), stepTimeout)
	app := launchDesktop(t, ctx, lab, x, bin, arts)
	app.chooseNick(appNick)
	app.waitRoomListed()
	app.joinFirstRoom()
	addr := addrIn(t, findRoom(t, ctx, lab, bin, gardenParty), lab.Addr("peer"))

	before := treeRSS(app.cmd.Process.Pid)
	peak := before
	flood := parley(t, ctx, lab, "peer", bin, "bench", addr, "--members", "500", "--senders", "5", "--rate", "200", "--duration", "5s")
	for !flood.exited() && ctx.Err() == nil {
		time.Sleep(500 * time.Millisecond)
		peak = max(peak, treeRSS(app.cmd.Process.Pid))
	}
	if code := flood.waitExit(10 * time.Second); code != 0 {
		t.Fatalf("parley bench exited with %d", code)
	}
	out, _ := flood.stdout.snapshot()
	t.Logf("flood: %s", strings.TrimSpace(out))
	t.Logf("the app and its web views: %d MiB before the flood, at most %d MiB during it", before>>10, peak>>10)

	mark := garden.stdout.mark()
	typed := time.Now()
	app.say(afterTheFlood)
	_, at := garden.waitFor(garden.stdout, mark, literal(appNick+": "+afterTheFlood), stepTimeout)
	t.Logf("timing: typed after the flood → in the room %v", at.Sub(typed).Round(time.Millisecond))
	app.screenshotAfterSettle(filepath.Join(arts, "desktop-busy-room.png"))
}

const afterTheFlood = "still here after the flood"

// treeRSS is the resident memory, in KiB, of pid and every process below
// it (the desktop app runs its web views in processes of their own).
func treeRSS(pid int) int {
	out, err := exec.Command("ps", "-e", "-o", "pid=,ppid=,rss=").Output()
	if err != nil {
		return 0
	}
	children, rss := map[int][]int{}, map[int]int{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		p, _ := strconv.Atoi(f[0])
		parent, _ := strconv.Atoi(f[1])
		kib, _ := strconv.Atoi(f[2])
		children[parent] = append(children[parent], p)
		rss[p] = kib
	}
	var sum func(int) int
	sum = func(p int) int {
		total := rss[p]
		for _, c := range children[p] {
			total += sum(c)
		}
		return total
	}
	return sum(pid)
}
