package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// run is one measurement in progress.
type run struct {
	cfg     LoadConfig
	base    time.Time
	members []*member // Members, then the stuck one
	// acks[s][r] is the highest sequence number + 1 of sender s that
	// member r has received; MaxUint64 for members that do not count
	// (the sender itself, the stuck member, members gone).
	acks  [][]atomic.Uint64
	sent  []atomic.Uint64
	syncs atomic.Int64
	// A saturating sender waiting for its window: the member it waits
	// for (-1: none), the ack value it needs, and where to wake it.
	waitFor []atomic.Int64
	need    []atomic.Uint64
	wake    []chan struct{}

	winStart, winEnd atomic.Int64 // latency is recorded for messages sent in [winStart, winEnd)

	senderErr atomic.Pointer[string]
	closedAt  time.Duration // when closeAll first ran, since base
	closing   atomic.Bool   // set by closeAll: what arrives now is not counted
	aborted   atomic.Bool   // the context ended: senders stop
}

func (r *run) now() int64 { return int64(time.Since(r.base)) }

// Run performs one measurement against a running host.
func Run(ctx context.Context, cfg LoadConfig) (*Result, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := raiseFileLimit(uint64(2*cfg.Members + 256)); err != nil {
		return nil, err
	}
	r := newRun(cfg)
	defer r.closeAll()
	res := &Result{Proto: cfg.Proto, Members: cfg.Members, Senders: cfg.Senders, Rate: cfg.Rate, Duration: cfg.Duration.Seconds()}
	if cfg.Rate == 0 {
		res.Window = cfg.Window
	}
	if err := r.join(ctx, res); err != nil {
		return nil, err
	}
	if err := r.load(ctx, res); err != nil {
		return nil, err
	}
	r.closeAll()
	r.waitReaders(5 * time.Second)
	r.tally(res)
	return res, nil
}

func newRun(cfg LoadConfig) *run {
	r := &run{cfg: cfg, base: time.Now()}
	n := cfg.Members
	if cfg.Stuck {
		n++
	}
	r.acks = make([][]atomic.Uint64, cfg.Senders)
	for s := range r.acks {
		r.acks[s] = make([]atomic.Uint64, n)
		r.acks[s][s].Store(math.MaxUint64)
		if cfg.Stuck {
			r.acks[s][n-1].Store(math.MaxUint64)
		}
	}
	r.sent = make([]atomic.Uint64, cfg.Senders)
	r.waitFor = make([]atomic.Int64, cfg.Senders)
	r.need = make([]atomic.Uint64, cfg.Senders)
	r.wake = make([]chan struct{}, cfg.Senders)
	for s := range r.wake {
		r.waitFor[s].Store(-1)
		r.wake[s] = make(chan struct{}, 1)
	}
	r.members = make([]*member, n)
	for i := range r.members {
		r.members[i] = newMember(r, i)
	}
	if cfg.Stuck {
		r.members[n-1].stuck = true
	}
	r.winStart.Store(math.MaxInt64)
	return r
}

// join connects every member, waits until the room is quiet, passes the
// sync message round, and measures the host's memory with 0 and with N
// idle members.
func (r *run) join(ctx context.Context, res *Result) error {
	if p := r.cfg.Host; p != nil {
		if rss, _, err := ProcMem(p.Pid); err == nil {
			res.RSSZeroKiB = float64(rss) / 1024
			res.ProcessMeasurement = true
		}
	}
	start := time.Now()
	normal := r.members[:r.cfg.Members]
	if err := r.connectAll(ctx, normal); err != nil {
		return err
	}
	r.waitQuiet(ctx, 30*time.Second)
	if r.cfg.Stuck {
		st := r.members[r.cfg.Members]
		if err := st.connect(ctx); err != nil {
			return err
		}
		r.waitQuiet(ctx, 5*time.Second)
	}
	res.ConnectSec = time.Since(start).Seconds()
	r.cfg.Progress("%d members joined in %.1fs", r.cfg.Members, res.ConnectSec)
	if err := r.sync(ctx); err != nil {
		return err
	}
	if p := r.cfg.Host; p != nil {
		time.Sleep(200 * time.Millisecond)
		if rss, _, err := ProcMem(p.Pid); err == nil {
			res.RSSIdleKiB = float64(rss) / 1024
			res.KiBPerIdleMember = (res.RSSIdleKiB - res.RSSZeroKiB) / float64(r.cfg.Members)
		}
	}
	return nil
}

// connectAll runs the handshakes, cfg.Connects at a time, and starts each
// member's reader as soon as its handshake is done.
func (r *run) connectAll(ctx context.Context, ms []*member) error {
	sem := make(chan struct{}, r.cfg.Connects)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, m := range ms {
		select {
		case sem <- struct{}{}:
		case <-cctx.Done():
		}
		if cctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := m.connect(cctx); err != nil {
				once.Do(func() { first = err; cancel() })
				return
			}
			m.reading = true
			go m.readLoop()
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

// waitQuiet waits until no member has received anything for 250 ms.
func (r *run) waitQuiet(ctx context.Context, limit time.Duration) {
	deadline := time.Now().Add(limit)
	last, still := r.bytesIn(), 0
	for time.Now().Before(deadline) && ctx.Err() == nil && still < 5 {
		time.Sleep(50 * time.Millisecond)
		now := r.bytesIn()
		if now == last {
			still++
		} else {
			last, still = now, 0
		}
	}
}

func (r *run) bytesIn() uint64 {
	var n uint64
	for _, m := range r.members {
		n += m.bytesIn.Load()
	}
	return n
}

// sync has member 0 send the sync message and waits until every member
// (but the stuck one) has seen it: from then on every line counts.
func (r *run) sync(ctx context.Context) error {
	m0 := r.members[0]
	var line []byte
	if r.cfg.Proto == Native {
		line = []byte(`{"type":"send","id":"sync","text":"` + syncText + `"}` + "\n")
	} else {
		line = []byte("b0: " + syncText + "\n")
	}
	m0.synced.Store(true)
	r.syncs.Add(1)
	if _, err := m0.write(line, time.Now().Add(10*time.Second)); err != nil {
		return fmt.Errorf("send sync: %w", err)
	}
	want := int64(r.cfg.Members)
	deadline := time.Now().Add(10*time.Second + time.Duration(r.cfg.Members)*10*time.Millisecond)
	for r.syncs.Load() < want {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("only %d of %d members saw the sync message", r.syncs.Load(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// load runs the senders and measures the window in the middle.
func (r *run) load(ctx context.Context, res *Result) error {
	start := r.now() + int64(20*time.Millisecond)
	winStart := start + int64(r.cfg.Warmup)
	winEnd := winStart + int64(r.cfg.Duration)
	r.winEnd.Store(winEnd)
	r.winStart.Store(winStart)
	stop := context.AfterFunc(ctx, func() { r.aborted.Store(true) })
	defer stop()

	var senders sync.WaitGroup
	for s := range r.cfg.Senders {
		senders.Add(1)
		go func() {
			defer senders.Done()
			if r.cfg.Rate > 0 {
				r.pace(s, start, winEnd)
			} else {
				r.saturate(s, winEnd)
			}
		}()
	}
	var stuck chan *Stuck
	if r.cfg.Stuck {
		stuck = make(chan *Stuck, 1)
		go func() { stuck <- r.watchStuck(start, winEnd) }()
	}
	peak := r.pollRSS(winEnd)

	r.sleepUntil(ctx, winStart)
	first := r.snapshot()
	r.sleepUntil(ctx, winEnd)
	last := r.snapshot()
	senders.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	r.figures(res, first, last)
	r.drain(ctx)
	if p := <-peak; p > 0 {
		res.RSSPeakKiB = float64(p) / 1024
	}
	if stuck != nil {
		res.Stuck = <-stuck
		r.readStuck(res.Stuck)
	}
	if e := r.senderErr.Load(); e != nil {
		res.SenderError = *e
	}
	return nil
}

func (r *run) sleepUntil(ctx context.Context, t int64) {
	d := time.Duration(t - r.now())
	if d <= 0 {
		return
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-ctx.Done():
	}
}

// snapshot is the counters that the window's figures are made of.
type snapshot struct {
	at               int64 // r.now()
	delivered, sent  uint64
	hostCPU, self    time.Duration
	busy, steal      time.Duration // the whole machine
	hostErr, machErr error
}

func (r *run) snapshot() snapshot {
	sn := snapshot{at: r.now(), self: selfCPU()}
	for _, m := range r.members {
		sn.delivered += m.delivered.Load()
	}
	for s := range r.sent {
		sn.sent += r.sent[s].Load()
	}
	if r.cfg.Host != nil {
		sn.hostCPU, sn.hostErr = ProcCPU(r.cfg.Host.Pid)
	} else {
		sn.hostErr = errors.New("no process")
	}
	sn.busy, sn.steal, sn.machErr = machineCPU()
	return sn
}

// figures fills in the rates of the window between a and b.
func (r *run) figures(res *Result, a, b snapshot) {
	secs := float64(r.winEnd.Load()-r.winStart.Load()) / 1e9
	res.WindowDeliveries = b.delivered - a.delivered
	res.DeliveriesPerSec = float64(res.WindowDeliveries) / secs
	res.MessagesPerSec = float64(b.sent-a.sent) / secs
	self := b.self - a.self
	res.GeneratorCPUPct = 100 * self.Seconds() / secs
	var host time.Duration
	if a.hostErr == nil && b.hostErr == nil {
		host = b.hostCPU - a.hostCPU
		res.HostCPUPercent = 100 * host.Seconds() / secs
		if host > 0 {
			res.DeliveriesPerCPU = float64(res.WindowDeliveries) / host.Seconds()
		}
	}
	if a.machErr == nil && b.machErr == nil {
		res.OtherCPUPct = max(0, 100*(b.busy-a.busy-self-host).Seconds()/secs)
		res.StealPct = 100 * (b.steal - a.steal).Seconds() / secs
	}
}

// pollRSS samples the host's resident set every 50 ms until end and
// delivers the largest sample.
func (r *run) pollRSS(end int64) <-chan uint64 {
	out := make(chan uint64, 1)
	if r.cfg.Host == nil {
		out <- 0
		return out
	}
	go func() {
		var peak uint64
		for r.now() < end {
			if rss, _, err := ProcMem(r.cfg.Host.Pid); err == nil {
				peak = max(peak, rss)
			}
			time.Sleep(50 * time.Millisecond)
		}
		out <- peak
	}()
	return out
}

// drain waits, after the senders stopped, until every member has received
// everything sent (or nothing has moved for a second; at most 5 s).
func (r *run) drain(ctx context.Context) {
	deadline := time.Now().Add(5 * time.Second)
	last, lastMove := r.bytesIn(), time.Now()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if r.allAcked() {
			time.Sleep(20 * time.Millisecond) // echoes, which do not ack
			return
		}
		time.Sleep(10 * time.Millisecond)
		if now := r.bytesIn(); now != last {
			last, lastMove = now, time.Now()
		} else if time.Since(lastMove) > time.Second {
			return
		}
	}
}

// closeAll resets every connection.
func (r *run) closeAll() {
	if r.closedAt == 0 {
		r.closedAt = time.Duration(r.now())
	}
	r.closing.Store(true)
	for _, m := range r.members {
		m.closeNow()
	}
}

func (r *run) waitReaders(limit time.Duration) {
	deadline := time.After(limit)
	for _, m := range r.members {
		if !m.reading {
			continue
		}
		select {
		case <-m.done:
		case <-deadline:
			return
		}
	}
}

// hostPort is the port of cfg.Addr.
func (r *run) hostPort() int {
	_, p, _ := net.SplitHostPort(r.cfg.Addr)
	n, _ := strconv.Atoi(p)
	return n
}
