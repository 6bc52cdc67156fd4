package netlab

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ipTimeout bounds every ip command; they normally take milliseconds.
const ipTimeout = 10 * time.Second

// runIP runs the ip command and returns its combined, trimmed output.
func runIP(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ipTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// mustIP runs the ip command and fails the test if it fails.
func (l *Lab) mustIP(args ...string) {
	l.t.Helper()
	if out, err := runIP(args...); err != nil {
		l.t.Fatalf("netlab: ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// usedSubnets holds the subnets of this process's live labs.
var usedSubnets sync.Map // netip.Prefix → struct{}

// pickSubnet returns a random 10.X.Y.0/24 with X in 64..191, avoiding the
// subnets of other labs in this process. Labs are isolated from each other
// anyway; distinct subnets just keep logs unambiguous.
func pickSubnet() netip.Prefix {
	var b [2]byte
	for range 1000 {
		_, _ = rand.Read(b[:])
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 64 + b[0]%128, b[1], 0}), 24)
		if _, taken := usedSubnets.LoadOrStore(p, struct{}{}); !taken {
			return p
		}
	}
	panic("netlab: no free subnet after 1000 tries")
}

// randomULA returns a random unique local /64: fd, a 40-bit global ID
// and a 16-bit subnet ID (RFC 4193).
func randomULA() netip.Prefix {
	var b [16]byte
	_, _ = rand.Read(b[1:8])
	b[0] = 0xfd
	return netip.PrefixFrom(netip.AddrFrom16(b), 64)
}

// teardown kills the lab's processes and deletes its namespaces. Errors are
// reported with t.Errorf: a namespace left behind is a bug worth failing on.
func (l *Lab) teardown() {
	l.mu.Lock()
	cmds, nsList := l.cmds, l.nsList
	l.cmds, l.nsList = nil, nil
	l.mu.Unlock()
	for _, c := range cmds {
		if c.Process != nil {
			_ = c.Process.Kill() // fails harmlessly if it already exited
		}
	}
	for i := len(nsList) - 1; i >= 0; i-- {
		killStragglers(nsList[i])
		if out, err := runIP("netns", "del", nsList[i]); err != nil {
			l.t.Errorf("netlab: ip netns del %s: %v: %s", nsList[i], err, out)
		}
	}
	l.mu.Lock()
	for _, ln := range l.lans {
		usedSubnets.Delete(ln.subnet)
	}
	l.mu.Unlock()
}

// killStragglers kills, by PID, processes still running inside ns: children
// of processes the lab started, which only this lab's test can have put
// there. Deleting the namespace name alone would leave them running.
func killStragglers(ns string) {
	out, err := runIP("netns", "pids", ns)
	if err != nil || out == "" {
		return
	}
	for _, f := range strings.Fields(out) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// String describes the lab for logs.
func (l *Lab) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var nets []string
	for name, ln := range l.lans {
		nets = append(nets, name+"="+ln.subnet.String())
	}
	slices.Sort(nets)
	return fmt.Sprintf("netlab %s (%s)", l.sw, strings.Join(nets, " "))
}
