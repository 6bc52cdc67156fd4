package cli_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parley-lan/parley/app/cli"
	"github.com/parley-lan/parley/backend/netlab"
)

// TestMain lets the test binary stand in for the parley binary: run with
// PARLEY_TEST_AS_CLI=1 it is `parley` with the given arguments. That way
// the tests drive the real command line, in other network namespaces too,
// without a separate build step.
func TestMain(m *testing.M) {
	if os.Getenv("PARLEY_TEST_AS_CLI") == "1" {
		os.Exit(cli.Main(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

// proc is a running program whose output the test reads line by line.
type proc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *lines
	stderr *lines
	done   chan struct{}
	code   int
}

// parley starts the CLI with args, in lab's host namespace (or in this
// one when lab is nil: only for commands that send no multicast).
func parley(t *testing.T, lab *netlab.Lab, host string, args ...string) *proc {
	t.Helper()
	return parleyEnv(t, lab, host, nil, args...)
}

// parleyEnv is parley with extra environment variables.
func parleyEnv(t *testing.T, lab *netlab.Lab, host string, env []string, args ...string) *proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	if lab != nil {
		cmd = lab.Command(context.Background(), host, exe, args...)
	} else {
		cmd = exec.Command(exe, args...)
	}
	// Each process gets its own data directory, never the user's: a host
	// keeps its history there. Tests that restart a host pass --db.
	cmd.Env = append(os.Environ(), "PARLEY_TEST_AS_CLI=1", "GORACE=atexit_sleep_ms=0", "USER=", "XDG_DATA_HOME="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	return start(t, "parley "+strings.Join(args, " "), cmd)
}

// start runs cmd with its output captured; it is killed when the test ends.
func start(t *testing.T, name string, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{t: t, name: name, cmd: cmd, stdout: newLines(), stderr: newLines(), done: make(chan struct{})}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, _ := cmd.StdoutPipe()
	errOut, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	var readers sync.WaitGroup
	readers.Add(2)
	go func() { defer readers.Done(); p.stdout.read(out) }()
	go func() { defer readers.Done(); p.stderr.read(errOut) }()
	go func() {
		readers.Wait()
		err := cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		_ = err
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s\n  stdout: %s\n  stderr: %s", name, p.stdout.all(), p.stderr.all())
		}
	})
	return p
}

func (p *proc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatalf("%s: write stdin: %v", p.name, err)
	}
}

func (p *proc) signal(sig syscall.Signal) { p.cmd.Process.Signal(sig) }

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		p.t.Fatalf("%s still running after %v", p.name, timeout)
		return -1
	}
}

// lines collects a stream's lines and lets tests wait for one.
type lines struct {
	mu     sync.Mutex
	text   []string
	closed bool
	notify chan struct{}
}

func newLines() *lines { return &lines{notify: make(chan struct{})} }

func (l *lines) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l.mu.Lock()
		l.text = append(l.text, sc.Text())
		close(l.notify)
		l.notify = make(chan struct{})
		l.mu.Unlock()
	}
	l.mu.Lock()
	l.closed = true
	close(l.notify)
	l.notify = make(chan struct{})
	l.mu.Unlock()
}

func (l *lines) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.text, "\n")
}

// waitFor returns the first line matching re, failing after timeout.
func (l *lines) waitFor(t *testing.T, re string, timeout time.Duration) string {
	t.Helper()
	pat := regexp.MustCompile(re)
	deadline := time.After(timeout)
	for i := 0; ; {
		l.mu.Lock()
		for ; i < len(l.text); i++ {
			if pat.MatchString(l.text[i]) {
				line := l.text[i]
				l.mu.Unlock()
				return line
			}
		}
		notify, closed := l.notify, l.closed
		l.mu.Unlock()
		if closed {
			t.Fatalf("stream ended without a line matching %q; got:\n%s", re, l.all())
		}
		select {
		case <-notify:
		case <-deadline:
			t.Fatalf("no line matching %q within %v; got:\n%s", re, timeout, l.all())
		}
	}
}

// has reports whether some line so far matches re.
func (l *lines) has(re string) bool {
	pat := regexp.MustCompile(re)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.text {
		if pat.MatchString(s) {
			return true
		}
	}
	return false
}
