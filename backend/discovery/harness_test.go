package discovery

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// helper is a running helper process, seen from the test.
type helper struct {
	t     testing.TB
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan timedMsg // closed when the helper's stdout ends
	exit  chan error    // the helper's Wait result, once
	last  []chat.Room   // latest room list read by waitFor
}

// timedMsg is a helper's report line with the time the test read it.
type timedMsg struct {
	helperMsg
	at time.Time
}

// startHelper runs the test binary as helper role in host's namespace.
// The helper is stopped (stdin closed, then killed after 10 s) when the
// test ends, before the lab is torn down.
func startHelper(t testing.TB, lab *netlab.Lab, host, role string, args helperArgs) *helper {
	t.Helper()
	js, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), helperLife)
	h := &helper{t: t, name: role + "@" + host, lines: make(chan timedMsg, 64), exit: make(chan error, 1)}
	h.cmd = lab.Reexec(ctx, host, helperEnv+"="+role, argsEnv+"="+string(js))
	h.cmd.Stderr = &logWriter{t: t, prefix: h.name}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if h.stdin, err = h.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", h.name, err)
	}
	go h.read(stdout)
	t.Cleanup(func() {
		h.stdin.Close()
		h.wait(10 * time.Second)
		cancel()
	})
	return h
}

// read turns the helper's stdout into timed messages, then reaps it.
func (h *helper) read(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var m helperMsg
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			m = helperMsg{Event: "garbage", Err: sc.Text()}
		}
		h.lines <- timedMsg{m, time.Now()}
	}
	close(h.lines)
	h.exit <- h.cmd.Wait()
}

// waitFor returns the first message within timeout for which ok is true.
// It fails the test on timeout, on the helper's end, or on an error line.
func (h *helper) waitFor(what string, timeout time.Duration, ok func(helperMsg) bool) timedMsg {
	h.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m, open := <-h.lines:
			if m.Event == "rooms" {
				h.last = m.Rooms
			}
			switch {
			case !open:
				h.t.Fatalf("%s ended while waiting for %s", h.name, what)
			case m.Event == "error" || m.Event == "garbage":
				h.t.Fatalf("%s: %s: %s", h.name, m.Event, m.Err)
			case ok(m.helperMsg):
				return m
			}
		case <-deadline:
			h.t.Fatalf("%s: no %s within %v", h.name, what, timeout)
		}
	}
}

// event waits for the next message with the given event name.
func (h *helper) event(name string, timeout time.Duration) timedMsg {
	h.t.Helper()
	return h.waitFor(name, timeout, func(m helperMsg) bool { return m.Event == name })
}

// rooms waits for a room list for which ok is true.
func (h *helper) rooms(what string, timeout time.Duration, ok func([]chat.Room) bool) timedMsg {
	h.t.Helper()
	return h.waitFor(what, timeout, func(m helperMsg) bool { return m.Event == "rooms" && ok(m.Rooms) })
}

// watch reads room lists until each of conds has held for one of them,
// and returns when each first held. It fails the test after timeout.
func (h *helper) watch(timeout time.Duration, conds map[string]func([]chat.Room) bool) map[string]time.Time {
	h.t.Helper()
	at := map[string]time.Time{}
	h.waitFor("all of "+strings.Join(slices.Sorted(maps.Keys(conds)), ", "), timeout, func(m helperMsg) bool {
		for name, ok := range conds {
			if _, done := at[name]; !done && m.Event == "rooms" && ok(m.Rooms) {
				at[name] = time.Now()
			}
		}
		return len(at) == len(conds)
	})
	return at
}

// stop asks the helper to finish (it reads "stop" on stdin).
func (h *helper) stop() {
	h.t.Helper()
	if _, err := io.WriteString(h.stdin, "stop\n"); err != nil {
		h.t.Errorf("stop %s: %v", h.name, err)
	}
}

// lastRooms stops a browse helper and returns its last room list.
func (h *helper) lastRooms() []chat.Room {
	h.t.Helper()
	h.stop()
	h.event("done", 10*time.Second)
	return h.last
}

// kill sends SIGKILL to the helper, by PID.
func (h *helper) kill() {
	h.t.Helper()
	if err := h.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		h.t.Fatalf("kill %s: %v", h.name, err)
	}
}

// wait waits up to timeout for the helper to exit, reading and dropping
// its remaining output, and kills it after that.
func (h *helper) wait(timeout time.Duration) error {
	lines, deadline := h.lines, time.After(timeout)
	for {
		select {
		case _, open := <-lines:
			if !open {
				lines = nil
			}
		case err := <-h.exit:
			h.exit <- err
			return err
		case <-deadline:
			_ = h.cmd.Process.Kill()
			deadline = nil
		}
	}
}

// logWriter sends a helper's stderr to the test log, line by line.
type logWriter struct {
	t      testing.TB
	prefix string
}

func (w *logWriter) Write(p []byte) (int, error) {
	if _, bench := w.t.(*testing.B); bench {
		return len(p), nil // a benchmark prints figures; helpers report failures as events
	}
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Logf("%s: %s", w.prefix, line)
	}
	return len(p), nil
}

// findRoom returns the room with id in rooms.
func findRoom(rooms []chat.Room, id string) (chat.Room, bool) {
	for _, r := range rooms {
		if r.ID == id {
			return r, true
		}
	}
	return chat.Room{}, false
}

func hasRoom(id string) func([]chat.Room) bool {
	return func(rooms []chat.Room) bool { _, ok := findRoom(rooms, id); return ok }
}

func lacksRoom(id string) func([]chat.Room) bool {
	return func(rooms []chat.Room) bool { _, ok := findRoom(rooms, id); return !ok }
}
