package cli_test

import (
	"net"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostOnLoopback starts `parley host` without advertising (this runs in
// the default namespace) and returns it with its port.
func hostOnLoopback(t *testing.T, room, nick string) (*proc, string) {
	t.Helper()
	h := parley(t, nil, "", "host", "--room", room, "--nick", nick, "--no-advertise")
	line := h.stderr.waitFor(t, `^Hosting .* on port \d+\.$`, 10*time.Second)
	port := regexp.MustCompile(`port (\d+)`).FindStringSubmatch(line)[1]
	return h, port
}

func TestHostAndJoinByAddress(t *testing.T) {
	h, port := hostOnLoopback(t, "Loop Room", "alice")
	addr := "127.0.0.1:" + port

	bob := parley(t, nil, "", "join", addr, "--nick", "bob")
	bob.stderr.waitFor(t, `^Joined "Loop Room" as bob\. In the room: alice \(host\), bob$`, 10*time.Second)
	h.stdout.waitFor(t, `^\* bob joined$`, 5*time.Second)
	bob.send("hello from bob ☕")
	h.stdout.waitFor(t, `^\[\d\d:\d\d\] bob: hello from bob ☕$`, 5*time.Second)
	h.send("hi bob")
	bob.stdout.waitFor(t, `^\[\d\d:\d\d\] alice: hi bob$`, 5*time.Second)
	bob.send("/who")
	bob.stderr.waitFor(t, `in the room: alice \(host\), bob`, 5*time.Second)
	bob.send("last words")
	bob.stdin.Close() // a script's last line is delivered before exit
	if code := bob.wait(10 * time.Second); code != 0 {
		t.Errorf("join exited %d after EOF, want 0", code)
	}
	h.stdout.waitFor(t, `bob: last words$`, 5*time.Second)
	h.stdout.waitFor(t, `^\* bob left$`, 5*time.Second)
	if bob.stdout.has("bob: ") {
		t.Errorf("bob's own messages were echoed to him:\n%s", bob.stdout.all())
	}

	h.signal(syscall.SIGTERM)
	if code := h.wait(10 * time.Second); code != 0 {
		t.Errorf("host exited %d on SIGTERM, want 0", code)
	}
}

func TestJoinFailuresHaveExitCodes(t *testing.T) {
	_, port := hostOnLoopback(t, "Busy Room", "alice")
	free, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := free.Addr().String()
	free.Close()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"nick taken", []string{"join", "127.0.0.1:" + port, "--nick", "ALICE"}, 3, `already in use`},
		{"unreachable", []string{"join", closed, "--nick", "bob"}, 4, "connection refused"},
		{"port in use", []string{"host", "--room", "Two", "--nick", "x", "--port", port, "--no-advertise"}, 4, "port already in use"},
	}
	for _, tt := range tests {
		p := parley(t, nil, "", tt.args...)
		p.stdin.Close()
		if code := p.wait(15 * time.Second); code != tt.code || !strings.Contains(p.stderr.all(), tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d mentioning %q", tt.name, code, p.stderr.all(), tt.code, tt.want)
		}
	}
}

// TestLegacyClientsThroughTheBinary joins a real `nc` and the original
// tutorial's Python client to a room hosted by the parley binary.
func TestLegacyClientsThroughTheBinary(t *testing.T) {
	for _, tool := range []string{"nc", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed for this test (make test installs it): %v", tool, err)
		}
	}
	h, port := hostOnLoopback(t, "Old School", "alice")

	nc := start(t, "nc", exec.Command("nc", "127.0.0.1", port))
	// nc prints "NICK" with no newline; the prompt shows up once the
	// greeting's line arrives.
	nc.send("dave")
	nc.stdout.waitFor(t, `Connected to "Old School"! In the room: alice, dave`, 10*time.Second)
	h.stdout.waitFor(t, `^\* dave joined$`, 5*time.Second)

	py := start(t, "tutorial client", exec.Command("python3", "-u", "testdata/tutorial_client.py", "127.0.0.1", port, "carol"))
	h.stdout.waitFor(t, `^\* carol joined$`, 10*time.Second)
	nc.stdout.waitFor(t, `^carol joined!$`, 5*time.Second)

	nc.send("hello from nc")
	h.stdout.waitFor(t, `\] dave: hello from nc$`, 5*time.Second)
	py.stdout.waitFor(t, `^dave: hello from nc$`, 5*time.Second)

	py.send("hello from python")
	h.stdout.waitFor(t, `\] carol: hello from python$`, 5*time.Second)
	nc.stdout.waitFor(t, `^carol: hello from python$`, 5*time.Second)

	h.send("hi both")
	nc.stdout.waitFor(t, `^alice: hi both$`, 5*time.Second)
	py.stdout.waitFor(t, `^alice: hi both$`, 5*time.Second)
	if py.stdout.has(`carol: carol:`) || h.stdout.has(`carol: carol:`) {
		t.Errorf("the tutorial client's own prefix was doubled")
	}

	h.send("/close") // for good: Ctrl+C would only stop hosting
	nc.stdout.waitFor(t, `The host closed the room\.`, 5*time.Second)
	py.stdout.waitFor(t, `The host closed the room\.`, 5*time.Second)
	if code := h.wait(10 * time.Second); code != 0 {
		t.Errorf("host exited %d after /close, want 0", code)
	}
}
