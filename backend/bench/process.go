package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ProcSpec says how to start a host process.
type ProcSpec struct {
	Name string
	// Argv is the program and its arguments.
	Argv []string
	// Env is added to this process's environment.
	Env []string
	// Dir is the working directory ("" for ours).
	Dir string
	// Ready matches the line (on stdout or stderr) that says the host
	// listens; its first group is the port.
	Ready *regexp.Regexp
	// DiscardStdout sends stdout to /dev/null: a Parley host prints every
	// message there, and reading it would cost the generator.
	DiscardStdout bool
}

// Process is a host the benchmark started. It is killed when Stop is
// called, and also if the benchmark dies (the kernel sends it SIGKILL).
type Process struct {
	Name string
	Pid  int
	// Addr is where it listens: always 127.0.0.1.
	Addr string

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited

	mu    sync.Mutex // guards lines
	lines []logLine  // the last few hundred lines of output
}

type logLine struct {
	at   time.Time
	text string
}

const keepLines = 400

// StartProcess starts spec and waits (at most 20 s) until it says it
// listens.
func StartProcess(ctx context.Context, spec ProcSpec) (*Process, error) {
	cmd := exec.Command(spec.Argv[0], spec.Argv[1:]...)
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.Dir = spec.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p := &Process{Name: spec.Name, cmd: cmd, done: make(chan struct{})}
	var pipes []io.Reader
	if !spec.DiscardStdout {
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		pipes = append(pipes, out)
	}
	errOut, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	pipes = append(pipes, errOut)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.Name, err)
	}
	p.Pid = cmd.Process.Pid
	ready := make(chan string, 1)
	var readers sync.WaitGroup
	for _, r := range pipes {
		readers.Add(1)
		go func() {
			defer readers.Done()
			p.collect(r, spec.Ready, ready)
		}()
	}
	go func() {
		readers.Wait()
		_ = cmd.Wait()
		close(p.done)
	}()
	select {
	case port := <-ready:
		p.Addr = net.JoinHostPort("127.0.0.1", port)
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited before listening: %s", spec.Name, p.Tail(10))
	case <-time.After(20 * time.Second):
		p.Stop()
		return nil, fmt.Errorf("%s did not say it listens within 20 s: %s", spec.Name, p.Tail(10))
	case <-ctx.Done():
		p.Stop()
		return nil, ctx.Err()
	}
}

// collect keeps the output's lines and reports the port from the first
// line matching ready.
func (p *Process) collect(r io.Reader, ready *regexp.Regexp, port chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		text := sc.Text()
		p.mu.Lock()
		p.lines = append(p.lines, logLine{at: time.Now(), text: text})
		if len(p.lines) > keepLines {
			p.lines = append(p.lines[:0], p.lines[len(p.lines)-keepLines/2:]...)
		}
		p.mu.Unlock()
		if m := ready.FindStringSubmatch(text); m != nil {
			select {
			case port <- m[1]:
			default:
			}
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// LineSince returns when the first line containing sub arrived at or
// after t.
func (p *Process) LineSince(t time.Time, sub string) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lines {
		if !l.at.Before(t) && strings.Contains(l.text, sub) {
			return l.at, true
		}
	}
	return time.Time{}, false
}

// Tail returns the last n lines of output.
func (p *Process) Tail(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, l := range p.lines[max(0, len(p.lines)-n):] {
		b.WriteString(l.text)
		b.WriteString(" | ")
	}
	return strings.TrimSuffix(b.String(), " | ")
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop ends the process: SIGTERM, then SIGKILL after 5 s. It waits for
// the exit and may be called more than once.
func (p *Process) Stop() error {
	if p.Exited() {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(5 * time.Second):
	}
	err := p.cmd.Process.Kill()
	<-p.done
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s (pid %d): %w", p.Name, p.Pid, err)
	}
	return nil
}
