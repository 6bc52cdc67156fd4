package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

// TestRestoredOutboxIsDeliveredWhenTheRoomComesBack: a client started
// without Connect (an app reopened with unsent messages) keeps trying while
// the host is away, then sends its restored outbox, marked as resends, and
// reports every change of the outbox for saving.
func TestRestoredOutboxIsDeliveredWhenTheRoomComesBack(t *testing.T) {
	// Reserve an address, then keep it closed for a while: "host down".
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()

	var mu sync.Mutex
	var saved []string
	ev := &events{}
	c, err := New(Config{
		Addrs: []string{addr}, Nick: "bob", ClientID: "bob-1", OnEvent: ev.on, MaxBackoff: 200 * time.Millisecond,
		Outbox: []protocol.Send{{ID: "p1", Text: "written yesterday"}, {ID: "p2", Text: "and this"}},
		SaveOutbox: func(out []protocol.Send) {
			mu.Lock()
			defer mu.Unlock()
			saved = append(saved, fmt.Sprint(len(out)))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-ran })
	ev.wait(t, "connecting", hasState(StateConnecting))
	time.Sleep(300 * time.Millisecond) // a few failed attempts

	h := &fakeHost{t: t, conns: make(chan *hostConn, 8)}
	h.ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("relisten on %s: %v", addr, err)
	}
	t.Cleanup(func() { h.ln.Close() })
	go h.acceptLoop()
	hc, hello := h.accept()
	if hello.ClientID != "bob-1" {
		t.Errorf("client id = %q, want the saved one", hello.ClientID)
	}
	hc.welcome("bob", 7)
	s1, s2 := hc.read().(protocol.Send), hc.read().(protocol.Send)
	if s1.ID != "p1" || s2.ID != "p2" || !s1.Resend || !s2.Resend {
		t.Errorf("sent %+v, %+v; want p1 then p2, marked as resends", s1, s2)
	}
	hc.write(protocol.Msg{Message: msg(8, "p1", "bob", "written yesterday")})
	hc.write(protocol.Msg{Message: msg(9, "p2", "bob", "and this")})
	ev.wait(t, "acks", countMsgs(2))
	mu.Lock()
	defer mu.Unlock()
	if got := fmt.Sprint(saved); got != "[1 0]" {
		t.Errorf("outbox saves = %s, want [1 0] (one left after the first ack, none after the second)", got)
	}
}

func TestOlderAsksTheHost(t *testing.T) {
	h := newFakeHost(t)
	c, _, hc, _ := start(t, h, Config{})
	type result struct {
		n    int
		more bool
		err  error
	}
	done := make(chan result, 1)
	go func() {
		msgs, more, err := c.Older(context.Background(), 50, 20)
		done <- result{len(msgs), more, err}
	}()
	req, ok := hc.read().(protocol.GetHistory)
	if !ok || req.Before != 50 || req.Limit != 20 {
		t.Fatalf("host got %#v, want get_history before 50 limit 20", req)
	}
	hc.write(protocol.History{Before: 10, Messages: nil}) // an answer to something else
	hc.write(protocol.History{Before: 50, Messages: []chat.Message{msg(48, "x", "h", "a"), msg(49, "y", "h", "b")}, More: true})
	r := <-done
	if r.err != nil || r.n != 2 || !r.more {
		t.Errorf("Older = %d messages, more %v, %v; want 2, true, nil", r.n, r.more, r.err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := c.Older(ctx, 48, 20); err == nil {
		t.Error("Older without an answer returned no error")
	}
}

// TestFollowsTheRoomToANewAddress: when the room is announced elsewhere
// and no longer where we are connected, the client goes there at the next
// heartbeat instead of waiting for the old path to time out.
func TestFollowsTheRoomToANewAddress(t *testing.T) {
	oldHost, newHost := newFakeHost(t), newFakeHost(t)
	var mu sync.Mutex
	where := []string{oldHost.addr()}
	resolve := func(context.Context) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		return where, nil
	}
	_, ev, hc, _ := start(t, oldHost, Config{Resolve: resolve})
	ev.wait(t, "connected", hasState(StateConnected))
	time.Sleep(200 * time.Millisecond) // the connection notes where the room is
	mu.Lock()
	where = []string{newHost.addr()} // the host got a new address
	mu.Unlock()
	oldHost.ln.Close() // and the old one is gone; the open connection just goes quiet
	_ = hc
	ev.wait(t, "moved", func(evs []Event) bool {
		for _, e := range evs {
			if s, ok := e.(StateEvent); ok && s.State == StateReconnecting && errors.Is(s.Err, ErrRoomMoved) {
				return true
			}
		}
		return false
	})
	if _, hello := newHost.accept(); hello.ResumeFrom == nil {
		t.Error("did not resume at the new address")
	}
}
