//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// The conversation. Text typed into the window goes through xdotool; the
// emoji in it are typed too, and the ones sent from terminals show that
// the window renders what other peers send.
const (
	gardenParty = "Garden Party 🌷"
	studio      = "Kai's Studio"
	appNick     = "Kai"
	termNick    = "hana"
	ncNick      = "sam"

	helloFromApp   = "Hello from the desktop app 👋"
	welcomeKai     = "Welcome, Kai!"
	hiFromTerm     = "Hi Kai, joining from a terminal ☕"
	gladFromApp    = "Glad you made it"
	heyFromNC      = "hey from nc"
	welcomeFromApp = "Welcome sam, plain text works too"
)

// Waits. Everything here happens on one machine, so these are generous
// bounds, not expectations; the test reports how long things really took.
const (
	launchTimeout = 20 * time.Second // window up and page painted
	stepTimeout   = 5 * time.Second  // a log line or chat line after an action
	nickTimeout   = 3 * time.Second  // before typing the nickname again
	lobbyTimeout  = 10 * time.Second // the room seen across namespaces
	testTimeout   = 3 * time.Minute  // everything, including cleanup
)

// uiSettle is how long the test lets the webview catch up after a log line
// from the Go side: the app logs a change (a join, a lobby update) just
// before the frontend hears of it and re-renders, and keys pressed in
// between would reach the previous screen.
const uiSettle = 300 * time.Millisecond

// TestDesktopConversation drives the real window through a whole session:
// choose a nickname, join a room found over mDNS in another namespace and
// chat with its headless host, leave, host a room and chat in it with a
// terminal client and a plain-text nc client.
func TestDesktopConversation(t *testing.T) {
	began := time.Now()
	bin := desktopBinary(t)
	requireTools(t, "Xvfb", "xdotool", "import", "nc")
	arts := artifactsDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)

	x := startXvfb(t)
	lab := netlab.New(t, "app", "peer")
	t.Logf("%v; display %s", lab, x.display)

	garden := parley(t, ctx, lab, "peer", bin, "host", "--room", gardenParty, "--nick", termNick)
	garden.waitFor(garden.stderr, 0, literal(fmt.Sprintf("Hosting %q as %s", gardenParty, termNick)), stepTimeout)

	app := launchDesktop(t, ctx, lab, x, bin, arts)
	app.chooseNick(appNick)
	app.waitRoomListed()
	app.screenshotAfterSettle(filepath.Join(arts, "desktop-lobby.png"))
	app.checkNetwork(filepath.Join(arts, "desktop-network.png"))
	app.joinFirstRoom()
	app.say(helloFromApp)
	garden.waitFor(garden.stdout, 0, literal(appNick+": "+helloFromApp), stepTimeout)
	garden.send(welcomeKai)
	app.screenshotAfterSettle(filepath.Join(arts, "desktop-joined.png"))

	app.leaveRoom()
	app.hostRoom(studio)
	hostInStudio(t, ctx, lab, bin, app)

	// Both end on SIGTERM: each must close its room and exit 0.
	if err := app.stop(10 * time.Second); err != nil {
		t.Errorf("desktop app after SIGTERM: %v", err)
	}
	if err := garden.stop(5 * time.Second); err != nil {
		t.Errorf("parley host after SIGTERM: %v", err)
	}
	t.Logf("timing: whole test %v", time.Since(began).Round(time.Millisecond))
}

// hostInStudio is the second half: the app hosts a room, and a terminal
// client and an nc client from the other namespace join it.
func hostInStudio(t testing.TB, ctx context.Context, lab *netlab.Lab, bin string, app *desktop) {
	t.Helper()
	room := findRoom(t, ctx, lab, bin, studio)
	if room.Host != appNick {
		t.Fatalf("room %q: got host %q, want %q", studio, room.Host, appNick)
	}
	addr := addrIn(t, room, lab.Addr("app"))

	join := parley(t, ctx, lab, "peer", bin, "join", studio, "--nick", termNick)
	join.waitFor(join.stderr, 0, literal(fmt.Sprintf("Joined %q as %s.", studio, termNick)), stepTimeout)
	join.send(hiFromTerm)
	app.say(gladFromApp)
	join.waitFor(join.stdout, 0, literal(appNick+": "+gladFromApp), stepTimeout)

	nc := plainTextClient(t, ctx, lab, addr, ncNick)
	join.waitFor(join.stdout, 0, literal("* "+ncNick+" joined"), stepTimeout)
	nc.send(heyFromNC)
	join.waitFor(join.stdout, 0, literal(ncNick+": "+heyFromNC), stepTimeout)
	app.say(welcomeFromApp)
	nc.waitFor(nc.stdout, 0, literal(appNick+": "+welcomeFromApp), stepTimeout)
	join.waitFor(join.stdout, 0, literal(appNick+": "+welcomeFromApp), stepTimeout)
	app.screenshotAfterSettle(filepath.Join(app.arts, "desktop-hosting.png"))

	// A scripted client leaves when its input ends, after its messages
	// are acknowledged.
	if err := join.stdin.Close(); err != nil {
		t.Fatalf("close join's stdin: %v", err)
	}
	if code := join.waitExit(15 * time.Second); code != 0 {
		t.Errorf("parley join after stdin EOF: got exit code %d, want 0", code)
	}
	_ = nc.stop(2 * time.Second) // nc keeps the line open until told otherwise
}

// desktop is the running desktop app and its window.
type desktop struct {
	*proc
	win  *window
	arts string
}

// launchDesktop starts the desktop app in host "app" of lab, on display x,
// with a fresh profile so that it opens on the nickname screen, and waits
// until its page has painted.
func launchDesktop(t testing.TB, ctx context.Context, lab *netlab.Lab, x *xvfb, bin, arts string) *desktop {
	t.Helper()
	d := &desktop{proc: startProc(t, "desktop app", desktopCommand(t, ctx, lab, x, bin, t.TempDir())), arts: arts}
	// Registered after the app's own cleanup, so it runs first: the
	// picture is taken while the window is still there.
	t.Cleanup(func() {
		if t.Failed() {
			shot := filepath.Join(arts, "desktop-failure.png")
			if err := x.screenshotRoot(shot); err != nil {
				t.Logf("failure screenshot: %v", err)
			} else {
				t.Logf("failure screenshot: %s", shot)
			}
		}
	})
	d.win = x.waitWindow("Parley", d.proc, launchTimeout)
	d.win.waitPainted(launchTimeout)
	t.Logf("timing: launch → window painted %v", time.Since(d.started).Round(time.Millisecond))
	// The first picture may be the page's loading view, which gives way to
	// the nickname screen as soon as Go answers; a key typed during that
	// change is lost. A picture that holds still is past it.
	if !d.win.waitStill(500*time.Millisecond, launchTimeout) {
		t.Fatalf("window kept changing for %v after it first painted", launchTimeout)
	}
	return d
}

// desktopCommand is the desktop app in host "app" of lab, on display x,
// with its configuration, cache and data under home.
func desktopCommand(t testing.TB, ctx context.Context, lab *netlab.Lab, x *xvfb, bin, home string) *exec.Cmd {
	t.Helper()
	writeFile(t, filepath.Join(home, "config", "gtk-3.0", "settings.ini"), gtkSettings)
	cmd := lab.Command(ctx, "app", bin)
	cmd.Env = append(environ("WAYLAND_DISPLAY"),
		"DISPLAY="+x.display,
		"GDK_BACKEND=x11",
		"NO_AT_BRIDGE=1", // no accessibility bus here; don't wait for one
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"XDG_DATA_HOME="+filepath.Join(home, "data"),
	)
	return cmd
}

// waitLog waits for a log line of the app after offset from.
func (d *desktop) waitLog(from int, re *regexp.Regexp, timeout time.Duration) time.Time {
	d.t.Helper()
	_, at := d.waitFor(d.stderr, from, re, timeout)
	return at
}

// chooseNick types the nickname on the first screen, whose input has focus.
// The page may still be on its loading view when the window first paints
// (it shows the nickname screen once Go has answered that there is no
// profile yet), and keys pressed then are lost: if the app sets no
// nickname, it tries again, first selecting whatever reached the field.
func (d *desktop) chooseNick(nick string) {
	d.t.Helper()
	for attempt := 1; ; attempt++ {
		mark := d.stderr.mark()
		d.win.key("ctrl+a")
		d.win.typeText(nick)
		d.win.key("Return")
		line, _, err := d.await(d.stderr, mark, logLine("nickname set"), nickTimeout)
		if err == nil {
			if !logLine("nickname set", "nick="+nick).MatchString(line) {
				d.t.Fatalf("typed nickname %q, but the app logged: %s", nick, line)
			}
			return
		}
		if attempt == 3 {
			d.t.Fatalf("no nickname set after typing it 3 times: %v", err)
		}
		d.t.Logf("no nickname set after typing it (attempt %d); the page was not ready yet", attempt)
	}
}

// waitRoomListed waits for the lobby to list the one room of the other
// namespace, and reports how long discovery took from launch.
func (d *desktop) waitRoomListed() {
	d.t.Helper()
	at := d.waitLog(0, logLine("lobby updated", "rooms=1"), lobbyTimeout)
	d.t.Logf("timing: launch → lobby listed the room %v", at.Sub(d.started).Round(time.Millisecond))
}

// joinFirstRoom joins the first room of the lobby with the keyboard alone.
func (d *desktop) joinFirstRoom() {
	d.t.Helper()
	time.Sleep(uiSettle)
	mark := d.stderr.mark()
	d.win.key("Down", "Return")
	d.waitLog(mark, logLine("joined room", "as="+appNick), stepTimeout)
}

// say types a message into the room's composer, which has focus, and
// sends it.
func (d *desktop) say(text string) {
	d.t.Helper()
	time.Sleep(uiSettle)
	d.win.typeText(text)
	d.win.key("Return")
}

// checkNetwork opens the Network check from the lobby (Ctrl+I), waits for
// the app to have run it — it must see the room of the other namespace —
// keeps a screenshot, and closes it (Escape).
func (d *desktop) checkNetwork(path string) {
	d.t.Helper()
	time.Sleep(uiSettle)
	mark := d.stderr.mark()
	d.win.key("ctrl+i")
	d.waitLog(mark, logLine("network checked", "rooms=1"), stepTimeout)
	d.screenshotAfterSettle(path)
	d.win.key("Escape")
	time.Sleep(uiSettle)
}

// leaveRoom leaves the current room with its shortcut.
func (d *desktop) leaveRoom() {
	d.t.Helper()
	mark := d.stderr.mark()
	d.win.key("ctrl+shift+l")
	d.waitLog(mark, logLine("left room"), stepTimeout)
}

// hostRoom opens the "Host room" dialog from the lobby, names the room and
// confirms; the app then hosts it and enters it.
func (d *desktop) hostRoom(name string) {
	d.t.Helper()
	time.Sleep(uiSettle)
	mark := d.stderr.mark()
	d.win.key("ctrl+n")
	time.Sleep(uiSettle) // the dialog mounts and focuses its input
	d.win.typeText(name)
	d.win.key("Return")
	d.waitLog(mark, logLine("hosting room", fmt.Sprintf("room=%q", name)), stepTimeout)
	d.waitLog(mark, logLine("joined room", "as="+appNick), stepTimeout)
}

// screenshotAfterSettle saves the window once the last message has had
// time to arrive and the picture has stopped changing. Nothing on the Go
// side logs a received message, so there is no line to wait for.
func (d *desktop) screenshotAfterSettle(path string) {
	d.t.Helper()
	time.Sleep(uiSettle)
	d.win.screenshot(path)
}

// parley starts the parley command line in host of lab.
func parley(t testing.TB, ctx context.Context, lab *netlab.Lab, host, bin string, args ...string) *proc {
	t.Helper()
	cmd := lab.Command(ctx, host, bin, args...)
	// Its own data directory: a host keeps its room's history there.
	cmd.Env = append(environ(), "PARLEY_LOG=info", "XDG_DATA_HOME="+t.TempDir())
	return startProc(t, "parley "+strings.Join(args, " ")+" (in "+host+")", cmd)
}

// findRoom lists the rooms seen from host "peer" and returns the one named
// name. It asks up to three times: the first browse may start before the
// advertisement has gone out.
func findRoom(t testing.TB, ctx context.Context, lab *netlab.Lab, bin, name string) chat.Room {
	t.Helper()
	var rooms []chat.Room
	for attempt := 1; attempt <= 3; attempt++ {
		rooms = listRooms(t, ctx, lab, bin)
		for _, r := range rooms {
			if r.Name == name {
				return r
			}
		}
		t.Logf("parley rooms (attempt %d) did not list %q: %+v", attempt, name, rooms)
	}
	t.Fatalf("parley rooms never listed %q; last saw %+v", name, rooms)
	return chat.Room{}
}

// listRooms runs `parley rooms --json` in host "peer".
func listRooms(t testing.TB, ctx context.Context, lab *netlab.Lab, bin string) []chat.Room {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := lab.Command(ctx, "peer", bin, "rooms", "--wait", "2s", "--json")
	cmd.Env = environ()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("parley rooms --json: %v\n%s", err, stderr.String())
	}
	var rooms []chat.Room
	if err := json.Unmarshal(out, &rooms); err != nil {
		t.Fatalf("parley rooms --json: %v in output:\n%s", err, out)
	}
	return rooms
}

// addrIn returns the room's address on ip.
func addrIn(t testing.TB, room chat.Room, ip string) string {
	t.Helper()
	for _, a := range room.Addrs {
		if host, _, err := net.SplitHostPort(a); err == nil && host == ip {
			return a
		}
	}
	t.Fatalf("room %q: got addresses %v, want one on %s", room.Name, room.Addrs, ip)
	return ""
}

// plainTextClient connects nc from host "peer" to addr and answers the
// host's NICK prompt with nick, as a user of the original tutorial would.
func plainTextClient(t testing.TB, ctx context.Context, lab *netlab.Lab, addr, nick string) *proc {
	t.Helper()
	ip, port, _ := net.SplitHostPort(addr)
	nc := startProc(t, "nc "+addr+" (in peer)", lab.Command(ctx, "peer", "nc", ip, port))
	nc.waitFor(nc.stdout, 0, regexp.MustCompile(`(?m)^NICK`), stepTimeout)
	nc.send(nick)
	return nc
}

// desktopBinary returns the desktop build to test: $PARLEY_DESKTOP_BIN, or
// the repository's build/bin/parley.
func desktopBinary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("PARLEY_DESKTOP_BIN")
	if bin == "" {
		bin = filepath.Join(repoRoot(t), "build", "bin", "parley")
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("build the desktop binary first (make build): %v", err)
	}
	return bin
}

// artifactsDir returns $PARLEY_ARTIFACTS, or .artifacts at the repository
// root, created and cleared of an old failure screenshot.
func artifactsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("PARLEY_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), ".artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, "desktop-failure.png")); err != nil && !os.IsNotExist(err) {
		t.Fatalf("artifacts: %v", err)
	}
	return dir
}

// repoRoot returns the repository root: this package is app/e2e.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s: %v", root, err)
	}
	return root
}

// requireTools fails the test early, with the Debian packages to install,
// if a program the test drives is missing.
func requireTools(t testing.TB, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("missing %s: apt-get install xvfb xdotool imagemagick netcat-openbsd", strings.Join(missing, ", "))
	}
}

// writeFile writes a file, making its directory.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// environ returns this process's environment without the named variables.
func environ(drop ...string) []string {
	var env []string
next:
	for _, kv := range os.Environ() {
		for _, d := range drop {
			if strings.HasPrefix(kv, d+"=") {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}
