package netlab

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// netnsDir is where "ip netns add" keeps its namespaces.
const netnsDir = "/run/netns"

// inNS runs f on an OS thread that has joined network namespace ns, then
// moves the thread back. Should moving back fail, the thread stays locked
// to its goroutine, which then exits, so the runtime never reuses it.
func inNS(ns string, f func() error) error {
	target, err := os.Open(filepath.Join(netnsDir, ns))
	if err != nil {
		return fmt.Errorf("open namespace %s: %w", ns, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns, err)
			return
		}
		err = f()
		if e := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); e != nil {
			errc <- fmt.Errorf("setns back from %s: %w", ns, e)
			return // still locked: the thread goes with this goroutine
		}
		runtime.UnlockOSThread()
		errc <- err
	}()
	return <-errc
}

// noDAD turns IPv6 duplicate address detection off in namespace ns, for
// interfaces made from now on: their addresses are usable at once instead
// of staying "tentative" for a second or two.
func noDAD(ns string) error {
	return inNS(ns, func() error {
		for _, conf := range []string{"all", "default"} {
			p := "/proc/sys/net/ipv6/conf/" + conf + "/accept_dad"
			if err := os.WriteFile(p, []byte("0\n"), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}
