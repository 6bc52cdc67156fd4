package netlab

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMain plays a helper role when the test binary is re-executed inside a
// lab namespace (see Reexec): NETLAB_HELPER=listen, dial, udprecv or
// udpsend, on NETLAB_ADDR.
func TestMain(m *testing.M) {
	switch os.Getenv("NETLAB_HELPER") {
	case "":
		os.Exit(m.Run())
	case "listen":
		exitOn(listenOnce(os.Getenv("NETLAB_ADDR")))
	case "dial":
		exitOn(dialOnce(os.Getenv("NETLAB_ADDR")))
	case "udprecv":
		exitOn(udpRecv(os.Getenv("NETLAB_ADDR")))
	case "udpsend":
		exitOn(udpSend(os.Getenv("NETLAB_ADDR")))
	default:
		exitOn(fmt.Errorf("unknown helper %q", os.Getenv("NETLAB_HELPER")))
	}
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// listenOnce accepts one connection on addr, echoes one line back in upper
// case and exits; it gives up after 10 s.
func listenOnce(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Println("ready")
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	c, err := ln.Accept()
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	_, err = io.WriteString(c, strings.ToUpper(line))
	return err
}

// dialOnce sends "ping" to addr and prints the reply; it gives up after 1 s.
func dialOnce(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "ping\n"); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	fmt.Print(line)
	return err
}

// startListener runs the listen helper in host on its eth0 address and
// waits until it is ready.
func startListener(t *testing.T, ctx context.Context, l *Lab, host, port string) *exec.Cmd {
	t.Helper()
	return startListenerOn(t, ctx, l, host, net.JoinHostPort(l.Addr(host), port))
}

// startListenerOn runs the listen helper in host on addr.
func startListenerOn(t *testing.T, ctx context.Context, l *Lab, host, addr string) *exec.Cmd {
	t.Helper()
	cmd := l.Reexec(ctx, host, "NETLAB_HELPER=listen", "NETLAB_ADDR="+addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start listener: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Wait() }) // runs before the lab's teardown kill
	line, err := bufio.NewReader(out).ReadString('\n')
	if got, want := strings.TrimSpace(line), "ready"; got != want {
		t.Fatalf("listener said %q (%v), want %q", got, err, want)
	}
	return cmd
}

// dial runs the dial helper in host against addr and returns its output.
func dial(ctx context.Context, l *Lab, host, addr string) (string, error) {
	cmd := l.Reexec(ctx, host, "NETLAB_HELPER=dial", "NETLAB_ADDR="+addr)
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

func TestTwoHostsTalk(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := New(t, "a", "b")
	if l.Addr("a") == l.Addr("b") || !l.Subnet().Contains(mustAddr(t, l.Addr("b"))) {
		t.Fatalf("addresses %s, %s not distinct in %s", l.Addr("a"), l.Addr("b"), l.Subnet())
	}
	startListener(t, ctx, l, "a", "7000")
	got, err := dial(ctx, l, "b", l.Addr("a")+":7000")
	if want := "PING"; err != nil || got != want {
		t.Errorf("dial a from b: got %q, %v; want %q", got, err, want)
	}
}

func TestLinkDownCutsHostOff(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := New(t, "a", "b")
	startListener(t, ctx, l, "a", "7000")
	l.LinkDown("b")
	if got, err := dial(ctx, l, "b", l.Addr("a")+":7000"); err == nil {
		t.Fatalf("dial with eth0 down: got %q, want an error", got)
	}
	l.LinkUp("b")
	if got, err := dial(ctx, l, "b", l.Addr("a")+":7000"); err != nil || got != "PING" {
		t.Errorf("dial after LinkUp: got %q, %v; want %q", got, err, "PING")
	}
}

func TestAddIface(t *testing.T) {
	t.Parallel()
	l := New(t, "a")
	l.AddIface("a", "docker0", "172.17.0.1/16")
	l.AddIface("a", "tun0", "10.8.0.2/24")
	l.IP("a", "link", "set", "lo", "multicast", "on")
	out, err := runIP("-n", l.NS("a"), "-br", "addr", "show", "up")
	if err != nil {
		t.Fatalf("ip addr: %v: %s", err, out)
	}
	for _, want := range []string{"eth0", l.Addr("a") + "/24", "docker0", "172.17.0.1/16", "tun0", "10.8.0.2/24"} {
		if !strings.Contains(out, want) {
			t.Errorf("ip addr in a: got %q, want it to contain %q", out, want)
		}
	}
	if out, err := runIP("-n", l.NS("a"), "link", "show", "lo"); err != nil || !strings.Contains(out, "MULTICAST") {
		t.Errorf("lo after IP(multicast on): got %q, %v; want MULTICAST", out, err)
	}
}

func TestTeardownRemovesNamespaces(t *testing.T) {
	t.Parallel()
	var sw string
	waited := make(chan error, 1)
	t.Run("lab", func(t *testing.T) {
		l := New(t, "a", "b")
		sw = l.sw
		cmd := l.Command(context.Background(), "a", "sleep", "30")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { waited <- cmd.Wait() }()
	})
	select {
	case err := <-waited:
		if err == nil {
			t.Errorf("sleep 30 exited cleanly, want it killed by teardown")
		}
	case <-time.After(5 * time.Second):
		t.Errorf("sleep 30 still running 5 s after teardown")
	}
	out, err := runIP("netns", "list")
	if err != nil {
		t.Fatalf("ip netns list: %v: %s", err, out)
	}
	if strings.Contains(out, sw) {
		t.Errorf("after teardown: ip netns list = %q, want no %s*", out, sw)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
