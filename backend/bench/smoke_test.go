package bench

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/server"
)

// startRef runs the Go reference server in this process on 127.0.0.1.
func startRef(t *testing.T, queueLen int) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &RefServer{QueueLen: queueLen}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ln.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func smokeConfig(addr string, proto Protocol) LoadConfig {
	return LoadConfig{
		Addr: addr, Proto: proto, Members: 5, Senders: 2,
		Warmup: 100 * time.Millisecond, Duration: 500 * time.Millisecond,
	}
}

// checkIntact: every message reached every member it should, once.
func checkIntact(t *testing.T, res *Result, receiversPerMessage int) {
	t.Helper()
	if res.Sent == 0 {
		t.Fatalf("nothing was sent: %+v", res)
	}
	if want := res.Sent * uint64(receiversPerMessage); res.Expected != want || res.Received != want {
		t.Errorf("received %d of %d deliveries, want %d (sent %d x %d receivers)", res.Received, res.Expected, want, res.Sent, receiversPerMessage)
	}
	if res.Lost != 0 || res.Duplicated != 0 || res.Garbled != 0 || res.OutOfOrder != 0 || res.Dropped != 0 {
		t.Errorf("lost %d, duplicated %d, garbled %d (first %q), out of order %d, dropped %d; want none",
			res.Lost, res.Duplicated, res.Garbled, res.FirstGarbled, res.OutOfOrder, res.Dropped)
	}
	if res.DeliveriesPerSec <= 0 || res.LatencySamples == 0 || res.P50Ms <= 0 || res.P999Ms < res.P50Ms {
		t.Errorf("rate %v, %d latency samples, p50 %v, p99.9 %v", res.DeliveriesPerSec, res.LatencySamples, res.P50Ms, res.P999Ms)
	}
}

func TestSmokeReference(t *testing.T) {
	t.Parallel()
	res, err := Run(context.Background(), smokeConfig(startRef(t, 0), Legacy))
	if err != nil {
		t.Fatal(err)
	}
	checkIntact(t, res, 4)
	if res.ProcessMeasurement {
		t.Errorf("process figures for a host that is not a process of ours")
	}
}

// startParley runs Parley's host in this process on 127.0.0.1.
func startParley(t *testing.T) string {
	t.Helper()
	s, err := server.New(server.Config{Room: chat.Room{ID: "0123456789abcdef", Name: "bench", Host: "host"}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; !errors.Is(err, server.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// TestSmokeParleyNative runs native members against Parley's host: they
// ask for msgs frames and get them, and every message, its echo to its
// sender included, arrives once, intact, with the room's sequence numbers
// one by one.
func TestSmokeParleyNative(t *testing.T) {
	t.Parallel()
	cfg := smokeConfig(startParley(t), Native)
	cfg.Echo = true
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkIntact(t, res, 5)
	if res.SeqGaps != 0 {
		t.Errorf("%d sequence gaps, want none", res.SeqGaps)
	}
	// At saturation a frame carries many messages: far fewer frames than
	// deliveries.
	if res.MsgsFrames == 0 || res.MsgsFrames >= res.Received/2 {
		t.Errorf("%d msgs frames for %d deliveries; want msgs frames of several messages", res.MsgsFrames, res.Received)
	}
	t.Logf("%d deliveries in %d msgs frames", res.Received, res.MsgsFrames)
}

// TestSmokeReferenceDropsStuckMember: a member that never reads is cut
// off by the reference server, and nobody else loses anything.
func TestSmokeReferenceDropsStuckMember(t *testing.T) {
	t.Parallel()
	// A short queue, and a window well inside it so that only the stuck
	// member can fill its queue.
	cfg := smokeConfig(startRef(t, 64), Legacy)
	cfg.Stuck, cfg.StuckWatch, cfg.Window, cfg.Duration = true, time.Second, 16, time.Second
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkIntact(t, res, 4)
	st := res.Stuck
	if st == nil || st.DisconnectAfterCapMs < 0 {
		t.Errorf("stuck member not seen disconnected: %+v", st)
	}
}

// TestSmokeTutorial runs the original Python server: make test installs
// python3, so its absence is a failure. At a gentle rate it relays
// whole lines.
func TestSmokeTutorial(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed for the tutorial server (make test installs it): %v", err)
	}
	dir := t.TempDir()
	script, err := WriteTutorialServer(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := StartProcess(context.Background(), ProcSpec{Name: "tutorial", Argv: []string{python, script, "127.0.0.1", "0"}, Ready: refReady, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	cfg := smokeConfig(p.Addr, Legacy)
	cfg.Rate, cfg.Echo, cfg.Host = 50, true, p
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkIntact(t, res, 5) // the tutorial server echoes to the sender too
	if !res.ProcessMeasurement || res.RSSIdleKiB <= 0 || res.HostCPUPercent < 0 {
		t.Errorf("process figures missing: %+v", res)
	}
	if got := res.MessagesPerSec; got < 50 || got > 150 {
		t.Errorf("%v msg/s, want about 2 x 50", got)
	}
}

func TestLoadConfigChecked(t *testing.T) {
	for _, cfg := range []LoadConfig{
		{Proto: "ssh", Members: 5, Senders: 1, Duration: time.Second},
		{Proto: Legacy, Members: 1, Senders: 1, Duration: time.Second},
		{Proto: Legacy, Members: 5, Senders: 6, Duration: time.Second},
		{Proto: Legacy, Members: 5, Senders: 1},
		{Proto: Legacy, Members: 5, Senders: 1, Duration: time.Second, Rate: -1},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("Run(%+v) accepted", cfg)
		}
	}
}
