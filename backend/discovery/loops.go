package discovery

import (
	"context"
	"time"
)

// freshLoop runs a fresh browse every cycle, each bounded to a window
// shorter than the cycle and framed by evBegin and evEnd, until ctx is
// done; each browses the interfaces of the moment. If the very first
// browse fails it sends evFatal and stops; later failures, and cycles with
// no interface to browse on, are logged and count as a browse that saw
// nothing.
func (b *Browser) freshLoop(ctx context.Context, events chan<- event) {
	cycle := b.cycle()
	window := cycle * windowPart / windowOf
	tick := time.NewTicker(cycle)
	defer tick.Stop()
	for first := true; ; first = false {
		if !send(ctx, events, event{kind: evBegin}) {
			return
		}
		var err error
		if ifaces := b.currentIfaces(); len(ifaces) > 0 {
			err = b.runBrowse(ctx, ifaces, window, events)
		}
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

// longLoop keeps a browse running for fast adds (it hears the
// announcements hosts send when they start or change) until ctx is done,
// restarting it every longCycles cycles on the interfaces of the moment.
// A browse that ends early (it failed, or there was no interface) is
// restarted no sooner than one cycle after it started.
func (b *Browser) longLoop(ctx context.Context, events chan<- event) {
	cycle := b.cycle()
	for ctx.Err() == nil {
		start := time.Now()
		var err error
		if ifaces := b.currentIfaces(); len(ifaces) > 0 {
			err = b.runBrowse(ctx, ifaces, cycle*longCycles, events)
		}
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
