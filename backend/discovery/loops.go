package discovery

import (
	"context"
	"net"
	"time"
)

// freshLoop runs a fresh browse every cycle, each bounded to a window
// shorter than the cycle and framed by evBegin and evEnd, until ctx is
// done. If the very first browse fails it sends evFatal and stops; later
// failures are logged and count as a browse that saw nothing.
func (b *Browser) freshLoop(ctx context.Context, ifaces []net.Interface, events chan<- event) {
	cycle := b.cycle()
	window := cycle * windowPart / windowOf
	tick := time.NewTicker(cycle)
	defer tick.Stop()
	for first := true; ; first = false {
		if !send(ctx, events, event{kind: evBegin}) {
			return
		}
		err := b.runBrowse(ctx, ifaces, window, events)
		if ctx.Err() != nil {
			return
		}
		if err != nil && first {
			send(ctx, events, event{kind: evFatal, err: err})
			return
		}
		if err != nil {
			b.logger().Warn("fresh mDNS browse failed", "err", err)
		}
		if !send(ctx, events, event{kind: evEnd}) {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}

// longLoop keeps a browse running for fast adds until ctx is done,
// restarting it every longCycles cycles: a running zeroconf browse reports
// each instance name only once, so a room that crashed and came back under
// the same name would otherwise be reported late, by a fresh browse.
// A browse that ends early (it failed) is restarted no sooner than one
// cycle after it started.
func (b *Browser) longLoop(ctx context.Context, ifaces []net.Interface, events chan<- event) {
	cycle := b.cycle()
	for ctx.Err() == nil {
		start := time.Now()
		err := b.runBrowse(ctx, ifaces, cycle*longCycles, events)
		if err != nil && ctx.Err() == nil {
			b.logger().Warn("mDNS browse failed", "err", err)
		}
		if wait := cycle - time.Since(start); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
	}
}
