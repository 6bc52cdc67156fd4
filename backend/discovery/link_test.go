package discovery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

func TestHeardHere(t *testing.T) {
	l := &link{ifi: net.Interface{Index: 3, Name: "eth1"}}
	tests := []struct {
		ifIndex int
		tells   bool
		want    bool
	}{
		{3, true, true},
		{2, true, false},
		{0, true, false}, // queued before the socket told interfaces: from anywhere
		{0, false, true}, // a platform that never tells
		{2, false, false},
	}
	for _, tt := range tests {
		if got := l.heardHere(tt.ifIndex, tt.tells); got != tt.want {
			t.Errorf("heardHere(%d, tells=%v) = %v, want %v", tt.ifIndex, tt.tells, got, tt.want)
		}
	}
}

// TestNewSocketsHearOnlyTheirLAN: a browser with a leg on two LANs opens
// fresh sockets on each every cycle. While mDNS traffic pours in from LAN
// a, the sockets opened on the leg on LAN b must pass on nothing of it,
// not even the packets that reached them before they were set to tell
// where each packet came from. (Before, 8 or 9 of about 1,100
// announcements got through per run, and TestTwoLANs once listed a room
// of LAN a with its link-local address zoned for LAN b.)
func TestNewSocketsHearOnlyTheirLAN(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "s", "w")
	lab.AddLAN("b")
	lab.Attach("w", "b", "eth1")
	flood := startHelper(t, lab, "s", "flood", helperArgs{Wait: 30 * time.Second})
	flood.event("flooding", 10*time.Second)
	got := startHelper(t, lab, "w", "reopen", helperArgs{Count: 500}).event("reopened", 40*time.Second)
	flood.stop()
	sent := flood.event("done", 10*time.Second).Counts["sent"]
	t.Logf("sent %d announcements; heard %d on LAN a, %d through the new sockets on LAN b", sent, got.Counts["held"], got.Counts["leaked"])
	if got.Counts["held"] == 0 {
		t.Fatal("no traffic from LAN a reached the browser: the test proves nothing")
	}
	if got.Counts["leaked"] != 0 {
		t.Errorf("the sockets on LAN b passed on %d packets from LAN a, want 0", got.Counts["leaked"])
	}
}

// helperFlood announces a room on eth0 over both families every 200 µs,
// at most 100,000 times, for args.Wait or until stopped; it reports
// "flooding" after the first one and "done" with the count at the end.
func helperFlood(ctx context.Context, args helperArgs) error {
	ifi, err := net.InterfaceByName("eth0")
	if err != nil {
		return err
	}
	l, err := openLink(*ifi, true, true)
	if err != nil {
		return err
	}
	defer l.close()
	ctx, cancel := context.WithTimeout(ctx, args.Wait)
	defer cancel()
	svc, err := roomService(chat.Room{ID: chat.NewID(), Name: "flood", Host: "x"}, 4242)
	if err != nil {
		return err
	}
	addrs, err := ifaceAddrs(*ifi)
	if err != nil {
		return err
	}
	m := svc.announcement(addrs, nil)
	sent := 0
	for ; sent < 100_000 && ctx.Err() == nil; sent++ {
		if err := l.multicast(m, true, true); err != nil {
			return fmt.Errorf("announcement %d: %w", sent, err)
		}
		if sent == 0 {
			report(helperMsg{Event: "flooding"})
		}
		time.Sleep(200 * time.Microsecond)
	}
	report(helperMsg{Event: "done", Counts: map[string]int{"sent": sent}})
	return nil
}

// helperReopen holds a link open on eth0 until it hears something there,
// then opens and closes args.Count links on eth1, each serving for 2 ms,
// and reports "reopened" with how many packets the eth0 link (held) and
// the eth1 links (leaked) passed on.
func helperReopen(ctx context.Context, args helperArgs) error {
	eth0, err0 := net.InterfaceByName("eth0")
	eth1, err1 := net.InterfaceByName("eth1")
	if err := errors.Join(err0, err1); err != nil {
		return err
	}
	var held, leaked atomic.Int64
	hold, err := openLink(*eth0, true, true)
	if err != nil {
		return err
	}
	var holdWG sync.WaitGroup
	defer holdWG.Wait()
	defer hold.close()
	hold.serve(&holdWG, func(packet) { held.Add(1) })
	for held.Load() == 0 {
		select {
		case <-ctx.Done():
			return errors.New("nothing heard on eth0")
		case <-time.After(10 * time.Millisecond):
		}
	}
	for range args.Count {
		l, err := openLink(*eth1, true, true)
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		l.serve(&wg, func(packet) { leaked.Add(1) })
		time.Sleep(2 * time.Millisecond)
		l.close()
		wg.Wait()
	}
	report(helperMsg{Event: "reopened", Counts: map[string]int{"held": int(held.Load()), "leaked": int(leaked.Load())}})
	return nil
}
