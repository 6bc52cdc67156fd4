package client

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// dialFirst dials every address at once and returns the first connection
// that succeeds, closing the others: a room advertised on several networks
// answers on whichever address is reachable from here.
func dialFirst(ctx context.Context, dial func(context.Context, string) (net.Conn, error), addrs []string) (net.Conn, error) {
	if len(addrs) == 0 {
		return nil, errors.New("no address to dial")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		conn net.Conn
		err  error
	}
	results := make(chan result, len(addrs))
	for _, addr := range addrs {
		go func() {
			c, err := dial(ctx, addr)
			results <- result{c, err}
		}()
	}
	var errs []error
	var won net.Conn
	for range addrs {
		r := <-results
		switch {
		case r.err != nil:
			errs = append(errs, r.err)
		case won == nil:
			won = r.conn
			cancel()
		default:
			r.conn.Close()
		}
	}
	if won != nil {
		return won, nil
	}
	return nil, fmt.Errorf("no address answered: %w", errors.Join(errs...))
}
