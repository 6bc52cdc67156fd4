package netlab

import (
	"context"
	"os"
	"os/exec"
)

// Command returns a command that runs name with args inside host's
// namespace ("ip netns exec NS name args..."; ip execs name in place, so
// the command's PID is that of the program itself). The lab kills it at
// teardown if it is still running; the caller still owns Start and Wait.
func (l *Lab) Command(ctx context.Context, host, name string, args ...string) *exec.Cmd {
	l.t.Helper()
	argv := append([]string{"netns", "exec", l.NS(host), name}, args...)
	cmd := exec.CommandContext(ctx, "ip", argv...)
	l.mu.Lock()
	l.cmds = append(l.cmds, cmd)
	l.mu.Unlock()
	return cmd
}

// Reexec returns a Command that runs the current test binary inside host's
// namespace with env added to the environment. The binary runs no tests
// ("-test.run=^$"), so the package's TestMain must recognise env and play
// the helper's role before calling m.Run. Unless GORACE is already set, it
// sets GORACE=atexit_sleep_ms=0 so that a -race helper exits at once
// instead of sleeping a second.
func (l *Lab) Reexec(ctx context.Context, host string, env ...string) *exec.Cmd {
	l.t.Helper()
	exe, err := os.Executable()
	if err != nil {
		l.t.Fatalf("netlab: find test binary: %v", err)
	}
	cmd := l.Command(ctx, host, exe, "-test.run=^$")
	cmd.Env = os.Environ()
	if _, ok := os.LookupEnv("GORACE"); !ok {
		cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0")
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}
