//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Display numbers tried for Xvfb: high enough to stay clear of a real
// session's :0 and of other tools' usual picks.
const (
	firstDisplay = 90
	lastDisplay  = 189
)

// xcmdTimeout bounds every X client command (xdotool, xdpyinfo, import);
// they normally take milliseconds.
const xcmdTimeout = 10 * time.Second

// xvfb is a virtual X screen. It runs in the test's own network namespace
// (it sends nothing on the network); programs in other namespaces reach it
// through its socket file /tmp/.X11-unix/X<n>.
type xvfb struct {
	t       testing.TB
	display string // ":93"
}

// startXvfb starts Xvfb on the first free display number and waits until
// it accepts clients. It is stopped when the test ends.
func startXvfb(t testing.TB) *xvfb {
	t.Helper()
	for n := firstDisplay; n <= lastDisplay; n++ {
		if displayInUse(n) {
			continue
		}
		x := &xvfb{t: t, display: ":" + strconv.Itoa(n)}
		// -nolisten tcp: reachable only through the socket file.
		// -noreset: by default the server resets when its last client
		// leaves, and a window opened during the reset fails ("failed to
		// init GTK"): that happened to about one launch in twenty when a
		// test started the app again right after the previous one quit.
		p := startProc(t, "Xvfb "+x.display, exec.Command("Xvfb", x.display, "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"))
		if x.waitReady(p) {
			return x
		}
		// Another server took the number between our check and its start
		// (Xvfb exits at once then): try the next one.
		t.Logf("Xvfb %s did not start (%v); trying the next display", x.display, p.err)
	}
	t.Fatalf("no free X display between :%d and :%d", firstDisplay, lastDisplay)
	return nil
}

// displayInUse reports whether display n has a socket or lock file.
func displayInUse(n int) bool {
	for _, f := range []string{fmt.Sprintf("/tmp/.X11-unix/X%d", n), fmt.Sprintf("/tmp/.X%d-lock", n)} {
		if _, err := os.Lstat(f); err == nil {
			return true
		}
	}
	return false
}

// waitReady polls the display until a client can connect, for up to 10 s.
// It returns false if Xvfb exits first.
func (x *xvfb) waitReady(p *proc) bool {
	x.t.Helper()
	probe := []string{"xdpyinfo"}
	if _, err := exec.LookPath("xdpyinfo"); err != nil {
		probe = []string{"xdotool", "getdisplaygeometry"}
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if p.exited() {
			return false
		}
		if _, err := x.try(probe[0], probe[1:]...); err == nil {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	x.t.Fatalf("Xvfb %s accepted no client within 10s", x.display)
	return false
}

// try runs an X client against the display and returns its output.
func (x *xvfb) try(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), xcmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// run is try that fails the test on error.
func (x *xvfb) run(name string, args ...string) string {
	x.t.Helper()
	out, err := x.try(name, args...)
	if err != nil {
		x.t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// gtkSettings turns off the blinking caret, so that a window showing a
// text field can look the same twice in a row (see waitStill). It goes in
// $XDG_CONFIG_HOME/gtk-3.0/settings.ini.
const gtkSettings = "[Settings]\ngtk-cursor-blink = false\n"

// window is one top-level window on the display, driven like a user would:
// the keyboard through XTEST, which reaches the window with input focus.
type window struct {
	x  *xvfb
	id string
}

// waitWindow waits up to timeout for a visible window titled exactly
// title, shown by owner. GTK also creates an unmapped leader window with
// the same title; --onlyvisible skips it.
func (x *xvfb) waitWindow(title string, owner *proc, timeout time.Duration) *window {
	x.t.Helper()
	return x.waitWindowEvery(title, owner, 100*time.Millisecond, timeout)
}

// waitWindowEvery is waitWindow looking every poll.
func (x *xvfb) waitWindowEvery(title string, owner *proc, poll, timeout time.Duration) *window {
	x.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if owner.exited() {
			x.t.Fatalf("%s exited (%v) before showing its window", owner.name, owner.err)
		}
		out, err := x.try("xdotool", "search", "--onlyvisible", "--name", "^"+title+"$")
		if ids := strings.Fields(out); err == nil && len(ids) > 0 {
			return &window{x: x, id: ids[0]}
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("no visible window titled %q within %v", title, timeout)
		}
		time.Sleep(poll)
	}
}

// focus gives the window the keyboard. There is no window manager, so
// windowactivate fails (BadMatch); XSetInputFocus (windowfocus) works. The
// pointer is also parked in the window's top-left corner, so that even if
// focus reverted to PointerRoot the keys would still land here; a move
// sends no click, so the page's own focus (an input) is kept.
func (w *window) focus() {
	w.x.t.Helper()
	w.x.run("xdotool", "mousemove", "--window", w.id, "2", "2")
	w.x.run("xdotool", "windowfocus", "--sync", w.id)
}

// typeText types s as key presses; xdotool maps characters missing from
// the keymap (emoji) onto spare keycodes.
func (w *window) typeText(s string) {
	w.x.t.Helper()
	w.focus()
	w.x.run("xdotool", "type", "--delay", "25", "--", s)
}

// key presses each key combination in turn, e.g. "ctrl+n", "Return".
func (w *window) key(keys ...string) {
	w.x.t.Helper()
	w.focus()
	w.x.run("xdotool", append([]string{"key", "--delay", "60"}, keys...)...)
}

// colours returns how many distinct colours the window shows: 1 while the
// webview has not painted the page yet.
func (w *window) colours() int {
	w.x.t.Helper()
	n, err := strconv.Atoi(w.x.run("import", "-window", w.id, "-format", "%k", "info:"))
	if err != nil {
		w.x.t.Fatalf("import: colour count: %v", err)
	}
	return n
}

// waitPainted waits up to timeout until the page has painted something:
// the window maps (with its plain background colour) before the webview
// has loaded, and keys typed then would be lost.
func (w *window) waitPainted(timeout time.Duration) {
	w.x.t.Helper()
	deadline := time.Now().Add(timeout)
	for w.colours() < 16 {
		if time.Now().After(deadline) {
			w.x.t.Fatalf("window %s still blank after %v", w.id, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitStill waits up to timeout until the window has shown the same
// picture for still, and reports whether it did. The webview paints some
// time after the page changes (up to a second or two while the app starts
// on a busy machine), so a picture taken at once can be out of date.
// Carets must not blink for this to work (see gtkSettings).
func (w *window) waitStill(still, timeout time.Duration) bool {
	w.x.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	var since time.Time
	for time.Now().Before(deadline) {
		sig := w.x.run("import", "-window", w.id, "-format", "%#", "info:")
		now := time.Now()
		if sig != last {
			last, since = sig, now
		} else if now.Sub(since) >= still {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// screenshot saves the window as a PNG at path once it has stopped
// changing.
func (w *window) screenshot(path string) {
	w.x.t.Helper()
	if !w.waitStill(time.Second, 8*time.Second) {
		w.x.t.Logf("window %s kept changing; taking the screenshot anyway", w.id)
	}
	w.x.run("import", "-window", w.id, path)
	w.x.t.Logf("screenshot: %s", path)
}

// screenshotRoot saves the whole screen, for when the window itself may be
// the problem.
func (x *xvfb) screenshotRoot(path string) error {
	out, err := x.try("import", "-window", "root", path)
	if err != nil {
		return fmt.Errorf("import -window root: %v: %s", err, out)
	}
	return nil
}
