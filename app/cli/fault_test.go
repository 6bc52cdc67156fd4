package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/netlab"
)

// This file injects faults into real parley processes and counts what
// every member ends up with. The figures go to docs/reliability.md; the
// tests log them as "FIGURES: …".

// countLines counts, in a member's output, each of the lines
// "[hh:mm] <from>: <prefix><n>" for n in [0, total).
func countLines(out, from, prefix string, total int) (delivered, lost, duplicated int) {
	seen := map[int]int{}
	re := regexp.MustCompile(`(?m)^\[\d\d:\d\d\] ` + regexp.QuoteMeta(from) + `: ` + regexp.QuoteMeta(prefix) + `(\d+)$`)
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		seen[n]++
	}
	for n := range total {
		switch c := seen[n]; {
		case c == 0:
			lost++
		case c > 1:
			duplicated += c - 1
			delivered++
		default:
			delivered++
		}
	}
	return delivered, lost, duplicated
}

// waitCount waits until a member has seen all total lines of from, or the
// timeout passes, and returns the final count.
func waitCount(t *testing.T, p *proc, from, prefix string, total int, timeout time.Duration) (int, int, int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		d, l, dup := countLines(p.stdout.all(), from, prefix, total)
		if d == total || time.Now().After(deadline) {
			return d, l, dup
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHostKilledMidBurst: two members each send a burst; the host is
// killed with SIGKILL in the middle and restarted on the same database.
// The room comes back on the same port, the members resume by themselves,
// and each sees every message of the other exactly once: what the host had
// acknowledged was on disk, what it had not was still in the senders'
// outboxes and went out again once.
func TestHostKilledMidBurst(t *testing.T) {
	db := filepath.Join(t.TempDir(), "room.db")
	args := []string{"host", "--room", "Crashy", "--nick", "hostess", "--no-advertise", "--db", db}
	h, port := startHost(t, args)
	addr := "127.0.0.1:" + port
	ann := parley(t, nil, "", "join", addr, "--nick", "ann")
	ben := parley(t, nil, "", "join", addr, "--nick", "ben")
	ann.stderr.waitFor(t, `^Joined`, 10*time.Second)
	ben.stderr.waitFor(t, `^Joined`, 10*time.Second)

	const burst = 400
	go func() { // about 1000 messages a second from each, for 0.4 s
		for i := range burst {
			ann.send(fmt.Sprint("ann-", i))
			ben.send(fmt.Sprint("ben-", i))
			time.Sleep(time.Millisecond)
		}
	}()
	h.stdout.waitFor(t, `\] ann: ann-100$`, 20*time.Second)
	h.cmd.Process.Signal(syscall.SIGKILL)
	h.wait(5 * time.Second)
	before, _, _ := countLines(h.stdout.all(), "ann", "ann-", burst)
	beforeB, _, _ := countLines(h.stdout.all(), "ben", "ben-", burst)
	t.Logf("host killed after it had shown %d of %d messages", before+beforeB, 2*burst)
	if before+beforeB >= 2*burst {
		t.Fatal("the burst was over before the kill; the test proves nothing")
	}
	ann.stderr.waitFor(t, `connection lost`, 20*time.Second)

	h2, port2 := startHost(t, args)
	if port2 != port {
		t.Errorf("restarted host listens on port %s, want the room's port %s", port2, port)
	}
	a, aLost, aDup := waitCount(t, ben, "ann", "ann-", burst, 30*time.Second)
	b, bLost, bDup := waitCount(t, ann, "ben", "ben-", burst, 30*time.Second)
	t.Logf("FIGURES: kill -9 mid-burst: sent %d, delivered %d, lost %d, duplicated %d", 2*burst, a+b, aLost+bLost, aDup+bDup)
	if aLost+bLost+aDup+bDup != 0 {
		t.Errorf("ann→ben: %d delivered, %d lost, %d duplicated; ben→ann: %d, %d, %d", a, aLost, aDup, b, bLost, bDup)
	}

	// A newcomer gets the room's last 200 messages, from before and after
	// the crash alike.
	cat := parley(t, nil, "", "join", addr, "--nick", "cat")
	msgLine := regexp.MustCompile(`(?m)^\[\d\d:\d\d\] (ann|ben): `)
	deadline := time.Now().Add(10 * time.Second)
	for len(msgLine.FindAllString(cat.stdout.all(), -1)) < 200 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(msgLine.FindAllString(cat.stdout.all(), -1)); n != 200 {
		t.Errorf("a newcomer after the restart got %d messages of history, want 200", n)
	}
	h2.signal(syscall.SIGTERM)
	h2.wait(10 * time.Second)
}

// TestSecondHostOnTheSameDatabaseIsRefused: two hosts must never write the
// same database; the second one says who has it and exits.
func TestSecondHostOnTheSameDatabaseIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "room.db")
	startHost(t, []string{"host", "--room", "One", "--nick", "a", "--no-advertise", "--db", db})
	second := parley(t, nil, "", "host", "--room", "Two", "--nick", "b", "--no-advertise", "--db", db)
	second.stdin.Close()
	if code := second.wait(10 * time.Second); code != 1 || !strings.Contains(second.stderr.all(), "in use by another Parley") {
		t.Errorf("second host: exit %d, stderr %q; want 1 and a clear refusal", code, second.stderr.all())
	}
}

// startHost runs `parley host` with args and returns it with its port.
func startHost(t *testing.T, args []string) (*proc, string) {
	t.Helper()
	h := parley(t, nil, "", args...)
	line := h.stderr.waitFor(t, `^Hosting .* on port \d+\.$`, 10*time.Second)
	return h, regexp.MustCompile(`port (\d+)`).FindStringSubmatch(line)[1]
}

// TestLinkCutLongerThanHeartbeat pulls the member's cable (its namespace's
// interface goes down) for longer than the heartbeat allows. Both sides
// notice; messages written on both sides meanwhile arrive once the link is
// back, each exactly once.
func TestLinkCutLongerThanHeartbeat(t *testing.T) {
	lab := netlab.New(t, "host", "member")
	h := parleyEnv(t, lab, "host", []string{"PARLEY_LOG=debug"}, "host", "--room", "Flaky", "--nick", "hank", "--no-advertise", "--memory")
	port := regexp.MustCompile(`port (\d+)`).FindStringSubmatch(h.stderr.waitFor(t, `^Hosting .* on port \d+\.$`, 10*time.Second))[1]
	m := parley(t, lab, "member", "join", lab.Addr("host")+":"+port, "--nick", "mia")
	m.stderr.waitFor(t, `^Joined`, 10*time.Second)
	m.send("hello before")
	h.stdout.waitFor(t, `\] mia: hello before$`, 5*time.Second)

	lab.LinkDown("member")
	cut := time.Now()
	const each = 20
	for i := range each {
		h.send(fmt.Sprint("h-", i))
		m.send(fmt.Sprint("m-", i))
	}
	m.stderr.waitFor(t, `connection lost \(no heartbeat`, 25*time.Second)
	memberNoticed := time.Since(cut)
	h.stderr.waitFor(t, `member connection ended.*nick=mia`, 25*time.Second)
	hostNoticed := time.Since(cut)
	t.Logf("link down: the member noticed after %v, the host after %v", memberNoticed.Round(100*time.Millisecond), hostNoticed.Round(100*time.Millisecond))
	if memberNoticed > 20*time.Second || hostNoticed > 20*time.Second {
		t.Errorf("half-open link noticed after %v (member) and %v (host), want within 15s plus a little", memberNoticed, hostNoticed)
	}

	time.Sleep(time.Until(cut.Add(18 * time.Second))) // clearly longer than the heartbeat
	lab.LinkUp("member")
	toMember, mLost, mDup := waitCount(t, m, "hank", "h-", each, 20*time.Second)
	toHost, hLost, hDup := waitCount(t, h, "mia", "m-", each, 20*time.Second)
	t.Logf("FIGURES: link cut for %v: sent %d, delivered %d, lost %d, duplicated %d", time.Since(cut).Round(time.Second), 2*each, toMember+toHost, mLost+hLost, mDup+hDup)
	if mLost+hLost+mDup+hDup != 0 {
		t.Errorf("to the member: %d delivered, %d lost, %d duplicated; to the host: %d, %d, %d", toMember, mLost, mDup, toHost, hLost, hDup)
	}
}

// TestDamagedDatabaseIsReportedNotTouched: a host pointed at a file that is
// not a usable database says so, and how to recover, and leaves it alone.
func TestDamagedDatabaseIsReportedNotTouched(t *testing.T) {
	db := filepath.Join(t.TempDir(), "room.db")
	garbage := []byte(strings.Repeat("not a database ", 500))
	if err := os.WriteFile(db, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	h := parley(t, nil, "", "host", "--room", "R", "--nick", "a", "--no-advertise", "--db", db)
	h.stdin.Close()
	if code := h.wait(10 * time.Second); code != 1 || !strings.Contains(h.stderr.all(), "move it aside") {
		t.Errorf("host on a damaged database: exit %d, stderr %q; want 1 and advice", code, h.stderr.all())
	}
	if after, _ := os.ReadFile(db); string(after) != string(garbage) {
		t.Error("the damaged file was changed")
	}
}
