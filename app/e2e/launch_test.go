//go:build e2e

package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/bench"
	"github.com/parley-lan/parley/backend/netlab"
)

// BenchmarkDesktopLaunch measures how long the desktop app takes, from
// launch to a lobby that answers the keyboard, under Xvfb: a returning
// user (the nickname is remembered) opens Parley while a room is hosted in
// another namespace. Each iteration launches the real binary and reports:
//
//   - window: the window is mapped;
//   - interactive: Ctrl+I, pressed every 50 ms from then on, has opened the
//     network panel, whose first act is a call into Go (the app logs
//     "checking network"): the page is up, takes keys and reaches Go;
//   - listed: the lobby lists the room of the other namespace.
//
// The medians are reported in ms:
//
//	make build && go test -tags e2e -run '^$' -bench DesktopLaunch -benchtime 5x ./app/e2e
func BenchmarkDesktopLaunch(b *testing.B) {
	bin := desktopBinary(b)
	requireTools(b, "Xvfb", "xdotool", "import")
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	b.Cleanup(cancel)
	x := startXvfb(b)
	lab := netlab.New(b, "app", "peer")
	peer := parley(b, ctx, lab, "peer", bin, "host", "--room", "bench", "--nick", "peer", "--memory")
	peer.waitFor(peer.stderr, 0, literal(`Hosting "bench" as peer`), stepTimeout)

	var window, interactive, listed []time.Duration
	for i := 0; i < b.N; i++ {
		home := b.TempDir()
		writeFile(b, filepath.Join(home, "config", "parley", "profile.json"), `{"nick":"kai"}`)
		app := startProc(b, "desktop app", desktopCommand(b, ctx, lab, x, bin, home))
		win := x.waitWindowEvery("Parley", app, 10*time.Millisecond, launchTimeout)
		window = append(window, time.Since(app.started))
		interactive = append(interactive, win.pressUntil(app, "ctrl+i", logLine("checking network"), launchTimeout).Sub(app.started))
		_, at := app.waitFor(app.stderr, 0, logLine("lobby updated", "rooms=1"), lobbyTimeout)
		listed = append(listed, at.Sub(app.started))
		if err := app.stop(10 * time.Second); err != nil {
			b.Fatalf("desktop app after SIGTERM: %v", err)
		}
		b.Logf("run %d: window %v, interactive lobby %v, room listed %v", i+1,
			window[i].Round(time.Millisecond), interactive[i].Round(time.Millisecond), listed[i].Round(time.Millisecond))
	}
	b.ReportMetric(0, "ns/op") // an iteration's length means nothing here
	b.ReportMetric(bench.MedianMS(window), "window-ms")
	b.ReportMetric(bench.MedianMS(interactive), "interactive-ms")
	b.ReportMetric(bench.MedianMS(listed), "listed-ms")
}

// pressUntil presses keys every 50 ms until the app logs a line matching
// re, and returns when that line arrived.
func (w *window) pressUntil(app *proc, keys string, re *regexp.Regexp, timeout time.Duration) time.Time {
	w.x.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if _, err := w.x.try("xdotool", "windowfocus", w.id); err == nil {
			_, _ = w.x.try("xdotool", "key", keys)
		}
		if _, at, err := app.await(app.stderr, 0, re, 50*time.Millisecond); err == nil {
			return at
		}
	}
	w.x.t.Fatalf("%s: pressing %s never gave %s within %v", app.name, keys, re, timeout)
	return time.Time{}
}
