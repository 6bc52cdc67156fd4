package netlab

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// udpRecv waits up to 2 s for one datagram on addr and prints "got" or
// "nothing".
func udpRecv(addr string) error {
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Println("ready")
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, _, err := c.ReadFrom(make([]byte, 64)); err != nil {
		fmt.Println("nothing")
		return nil
	}
	fmt.Println("got")
	return nil
}

// udpSend sends ten datagrams to addr, 50 ms apart.
func udpSend(addr string) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	for range 10 {
		c.Write([]byte("hi"))
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// udpThrough sends datagrams from host from to addr, received in host to,
// and reports whether any arrived.
func udpThrough(t *testing.T, ctx context.Context, l *Lab, from, to, addr string) bool {
	t.Helper()
	recv := l.Reexec(ctx, to, "NETLAB_HELPER=udprecv", "NETLAB_ADDR="+addr)
	out, err := recv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	recv.Stderr = os.Stderr
	if err := recv.Start(); err != nil {
		t.Fatal(err)
	}
	defer recv.Wait()
	r := bufio.NewReader(out)
	if line, _ := r.ReadString('\n'); strings.TrimSpace(line) != "ready" {
		t.Fatalf("udprecv said %q, want ready", line)
	}
	if out, err := l.Reexec(ctx, from, "NETLAB_HELPER=udpsend", "NETLAB_ADDR="+addr).CombinedOutput(); err != nil {
		t.Fatalf("udpsend: %v: %s", err, out)
	}
	line, _ := r.ReadString('\n')
	return strings.TrimSpace(line) == "got"
}

func TestTwoLANs(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := New(t, "h", "a")
	subB := l.AddLAN("b")
	l.AddHost("b", "b")
	hB := l.Attach("h", "b", "eth1")
	if subB == l.Subnet() || !subB.Contains(mustAddr(t, hB)) || !subB.Contains(mustAddr(t, l.Addr("b"))) {
		t.Fatalf("LAN b %s: h's eth1 %s, b's eth0 %s; want distinct subnets, both in b's", subB, hB, l.Addr("b"))
	}
	if got := l.IfaceAddr("h", "eth1"); got != hB {
		t.Errorf("IfaceAddr(h, eth1): got %s, want %s", got, hB)
	}
	startListener(t, ctx, l, "h", "7000")
	if got, err := dial(ctx, l, "a", l.Addr("h")+":7000"); err != nil || got != "PING" {
		t.Errorf("dial h's eth0 from LAN a: got %q, %v; want PING", got, err)
	}
	startListenerOn(t, ctx, l, "h", hB+":7001")
	if got, err := dial(ctx, l, "b", hB+":7001"); err != nil || got != "PING" {
		t.Errorf("dial h's eth1 from LAN b: got %q, %v; want PING", got, err)
	}
	startListener(t, ctx, l, "a", "7002")
	if got, err := dial(ctx, l, "b", l.Addr("a")+":7002"); err == nil {
		t.Errorf("dial LAN a from LAN b: got %q, want an error (nothing routes between LANs)", got)
	}
}

func TestIPv6Only(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := NewWith(t, Options{NoIPv4: true, ULA: true}, "a", "b")
	out, err := runIP("-n", l.NS("a"), "-o", "addr", "show", "dev", "eth0")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "inet ") || strings.Contains(out, "tentative") {
		t.Errorf("eth0 in a: got %q, want no IPv4 and nothing tentative", out)
	}
	ll := l.LinkLocal("a", "eth0")
	if !mustAddr(t, ll).IsLinkLocalUnicast() {
		t.Fatalf("LinkLocal: got %s", ll)
	}
	for _, addr := range []string{"[" + ll + "%eth0]:7000", "[" + l.ULA("a", "eth0") + "]:7000"} {
		startListenerOn(t, ctx, l, "a", "[::]:7000") // it serves one connection
		if got, err := dial(ctx, l, "b", addr); err != nil || got != "PING" {
			t.Errorf("dial %s from b: got %q, %v; want PING", addr, got, err)
		}
	}
}

func TestChangeAddr(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := New(t, "a", "b")
	old := l.Addr("a")
	next := l.ChangeAddr("a")
	if next == old || l.Addr("a") != next || !l.Subnet().Contains(mustAddr(t, next)) {
		t.Fatalf("ChangeAddr: %s -> %s (Addr now %s), want a new address in %s", old, next, l.Addr("a"), l.Subnet())
	}
	out, err := runIP("-n", l.NS("a"), "-4", "-o", "addr", "show", "dev", "eth0")
	if err != nil || strings.Contains(out, old+"/") || !strings.Contains(out, next+"/") {
		t.Errorf("eth0 after ChangeAddr: got %q, %v; want %s and not %s", out, err, next, old)
	}
	startListener(t, ctx, l, "a", "7000")
	if got, err := dial(ctx, l, "b", next+":7000"); err != nil || got != "PING" {
		t.Errorf("dial the new address: got %q, %v; want PING", got, err)
	}
}

func TestSetMulticast(t *testing.T) {
	t.Parallel()
	l := New(t, "a")
	flags := func() string {
		out, err := runIP("-n", l.NS("a"), "-o", "link", "show", "eth0")
		if err != nil {
			t.Fatal(err)
		}
		return out[strings.Index(out, "<"):strings.Index(out, ">")]
	}
	l.SetMulticast("a", "eth0", false)
	if got := flags(); strings.Contains(got, "MULTICAST") {
		t.Errorf("flags after multicast off: got %s, want no MULTICAST", got)
	}
	l.SetMulticast("a", "eth0", true)
	if got := flags(); !strings.Contains(got, "MULTICAST") {
		t.Errorf("flags after multicast on: got %s, want MULTICAST", got)
	}
}

func TestDropUDP(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l := New(t, "a", "b")
	addr := l.Addr("a") + ":5353"
	if !udpThrough(t, ctx, l, "b", "a", addr) {
		t.Fatalf("UDP to %s before DropUDP: nothing arrived", addr)
	}
	l.DropUDP("a", 5353)
	if udpThrough(t, ctx, l, "b", "a", addr) {
		t.Errorf("UDP to %s after DropUDP: got a datagram, want none", addr)
	}
	if udpThrough(t, ctx, l, "a", "a", "127.0.0.1:5353") {
		t.Errorf("UDP to 127.0.0.1:5353 inside a after DropUDP: got a datagram, want none")
	}
	if !udpThrough(t, ctx, l, "b", "a", l.Addr("a")+":5354") {
		t.Errorf("UDP to another port after DropUDP: nothing arrived, want it to pass")
	}
	if !udpThrough(t, ctx, l, "a", "b", l.Addr("b")+":5353") {
		t.Errorf("UDP to b, which has no rule: nothing arrived")
	}
}
