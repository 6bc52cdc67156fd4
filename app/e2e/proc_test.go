//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// output collects what a process writes to one stream and lets the test
// wait for a pattern in it without polling.
type output struct {
	mu     sync.Mutex // guards the following
	buf    []byte
	stamps []stamp       // when each write arrived, for timings
	grew   chan struct{} // closed, and replaced, on every write
}

// stamp records that the output reached end bytes at time at.
type stamp struct {
	end int
	at  time.Time
}

func newOutput() *output { return &output{grew: make(chan struct{})} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = append(o.buf, p...)
	o.stamps = append(o.stamps, stamp{end: len(o.buf), at: time.Now()})
	close(o.grew)
	o.grew = make(chan struct{})
	return len(p), nil
}

// snapshot returns the output so far and a channel closed when more arrives.
func (o *output) snapshot() (string, <-chan struct{}) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.buf), o.grew
}

// mark returns the current end of the output: waits that start from it
// see only what is written afterwards.
func (o *output) mark() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.buf)
}

// arrival returns when the byte at offset end-1 was written.
func (o *output) arrival(end int) time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range o.stamps {
		if s.end >= end {
			return s.at
		}
	}
	return time.Now()
}

// proc is a program the test started, with its output captured and its
// stdin held open.
type proc struct {
	t       testing.TB
	name    string
	cmd     *exec.Cmd
	started time.Time
	stdin   io.WriteCloser
	stdout  *output
	stderr  *output
	done    chan struct{} // closed when the process has exited
	err     error         // Wait's result; read it only after done is closed
}

// startProc starts cmd with pipes for all three streams. At the end of the
// test it is stopped if still running, and its output is logged if the
// test failed.
func startProc(t testing.TB, name string, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{t: t, name: name, cmd: cmd, stdout: newOutput(), stderr: newOutput(), done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	// WebKit's helper processes inherit the desktop app's stderr and may
	// outlive it for a moment; without a WaitDelay, Wait would block on
	// them after the app itself has exited.
	cmd.WaitDelay = 3 * time.Second
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatalf("%s: stdin pipe: %v", name, err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p.started = time.Now()
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(5 * time.Second)
		if t.Failed() {
			p.dump()
		}
	})
	return p
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and, if the process is still running after grace,
// SIGKILL. It returns Wait's result, or an error if it never ended.
func (p *proc) stop(grace time.Duration) error {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM) // fails harmlessly if it just exited
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
		return fmt.Errorf("%s ignored SIGTERM for %v and was killed (%v)", p.name, grace, p.err)
	case <-time.After(5 * time.Second):
		return fmt.Errorf("%s survived SIGKILL for 5s", p.name)
	}
}

// waitExit waits up to timeout for the process to end on its own and
// returns its exit code.
func (p *proc) waitExit(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.t.Fatalf("%s: still running after %v", p.name, timeout)
	}
	var exit *exec.ExitError
	switch {
	case p.err == nil:
		return 0
	case errors.As(p.err, &exit):
		return exit.ExitCode()
	}
	p.t.Fatalf("%s: %v", p.name, p.err)
	return -1
}

// send writes one line to the process's stdin.
func (p *proc) send(line string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		p.t.Fatalf("%s: write %q to stdin: %v", p.name, line, err)
	}
}

// waitFor waits up to timeout for re to match what o received after the
// offset from, and returns the match and when it arrived. It fails the
// test, with the output so far, on timeout or if the process exits first.
func (p *proc) waitFor(o *output, from int, re *regexp.Regexp, timeout time.Duration) (string, time.Time) {
	p.t.Helper()
	match, at, err := p.await(o, from, re, timeout)
	if err != nil {
		p.t.Fatal(err)
	}
	return match, at
}

// await is waitFor that returns an error instead of failing the test.
func (p *proc) await(o *output, from int, re *regexp.Regexp, timeout time.Duration) (string, time.Time, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		text, grew := o.snapshot()
		if loc := re.FindStringIndex(text[from:]); loc != nil {
			return text[from+loc[0] : from+loc[1]], o.arrival(from + loc[1]), nil
		}
		select {
		case <-grew:
		case <-p.done:
			// Wait has returned, so the output is complete: one last look.
			text, _ = o.snapshot()
			if loc := re.FindStringIndex(text[from:]); loc != nil {
				return text[from+loc[0] : from+loc[1]], o.arrival(from + loc[1]), nil
			}
			return "", time.Time{}, fmt.Errorf("%s exited (%v) before printing %q; it printed:\n%s", p.name, p.err, re, tail(text[from:]))
		case <-deadline.C:
			return "", time.Time{}, fmt.Errorf("%s: no %q within %v; it printed:\n%s", p.name, re, timeout, tail(text[from:]))
		}
	}
}

// dump logs everything the process printed, for a failed test.
func (p *proc) dump() {
	for _, s := range []struct {
		name string
		o    *output
	}{{"stdout", p.stdout}, {"stderr", p.stderr}} {
		if text, _ := s.o.snapshot(); text != "" {
			p.t.Logf("--- %s %s:\n%s", p.name, s.name, tail(text))
		}
	}
}

// tail keeps the last few kilobytes of s: enough to see what went wrong
// without burying the failure.
func tail(s string) string {
	const max = 8 << 10
	if len(s) > max {
		s = "…" + s[len(s)-max:]
	}
	return strings.TrimRight(s, "\n")
}

// literal matches s exactly.
func literal(s string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(s))
}

// logLine matches a slog text line with message msg and, in order, the
// given key=value attributes (values as slog prints them); the match runs
// from msg= to the end of the line.
func logLine(msg string, attrs ...string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`msg=` + regexp.QuoteMeta(fmt.Sprintf("%q", msg)))
	for _, a := range attrs {
		b.WriteString(`[^\n]* ` + regexp.QuoteMeta(a) + `(?: |$)`)
	}
	return regexp.MustCompile(`(?m)` + b.String() + `[^\n]*`)
}
