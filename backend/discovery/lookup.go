package discovery

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

// Lookup browses once for wait and returns the rooms seen, de-duplicated
// by id and sorted like Browser's list. Nil ifaces means Interfaces(nil).
// If ctx ends first, it returns what it saw so far with ctx's error.
func Lookup(ctx context.Context, ifaces []net.Interface, wait time.Duration) ([]chat.Room, error) {
	b := &Browser{Ifaces: ifaces}
	return b.lookup(ctx, wait)
}

// lookup is Lookup on b's interfaces and browse function.
func (b *Browser) lookup(ctx context.Context, wait time.Duration) ([]chat.Room, error) {
	ifaces, err := b.interfaces()
	if err != nil {
		return nil, err
	}
	events := make(chan event)
	errc := make(chan error, 1)
	go func() {
		errc <- b.runBrowse(ctx, ifaces, wait, events)
		close(events)
	}()
	t := newTable()
	t.begin()
	for ev := range events {
		t.see(ev.sight)
	}
	if err := <-errc; err != nil {
		return nil, fmt.Errorf("lookup: %w", err)
	}
	return t.list(), ctx.Err()
}
