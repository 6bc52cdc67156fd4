package app

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
)

// batches records what a messageBatcher emits.
type batches struct {
	mu    sync.Mutex
	got   []MessagesDTO
	times []time.Time
}

func (b *batches) emit(m MessagesDTO) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, m)
	b.times = append(b.times, time.Now())
}

// at is when event i went.
func (b *batches) at(i int) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.times[i]
}

// texts returns the texts of each event, one string per event.
func (b *batches) texts() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, ev := range b.got {
		s := ""
		for _, m := range ev.Messages {
			s += m.Text
		}
		out = append(out, s)
	}
	return out
}

func dto(text string, mine bool) MessageDTO {
	return MessageDTO{ID: "id-" + text, Text: text, Mine: mine}
}

// TestMessageBatcherPaces: the first message after a quiet spell goes at
// once; the ones right behind it wait for the pacing interval and go
// together; after another quiet spell, a message goes at once again.
// The window says it has shown each batch.
func TestMessageBatcherPaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batches{}
		b := newMessageBatcher(rec.emit)
		b.add(dto("a", false))
		if got := rec.texts(); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("after the first message: got %q, want [a]", got)
		}
		b.shown()
		time.Sleep(10 * time.Millisecond)
		b.add(dto("b", false))
		b.add(dto("c", false))
		time.Sleep(messageBatchEvery - 20*time.Millisecond)
		synctest.Wait()
		if got := rec.texts(); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("before the interval is up: got %q, want [a]", got)
		}
		time.Sleep(20 * time.Millisecond)
		synctest.Wait()
		if got := rec.texts(); !slices.Equal(got, []string{"a", "bc"}) {
			t.Fatalf("once the interval is up: got %q, want [a bc]", got)
		}
		b.shown()
		time.Sleep(2 * messageBatchEvery)
		b.add(dto("d", false))
		if got := rec.texts(); !slices.Equal(got, []string{"a", "bc", "d"}) {
			t.Fatalf("after a quiet spell: got %q, want [a bc d]", got)
		}
	})
}

// TestMessageBatcherWaitsForTheWindow: the next batch waits until the
// window has shown the last one, however long the interval; without a
// word from the window, it goes after messageShownWait.
func TestMessageBatcherWaitsForTheWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batches{}
		b := newMessageBatcher(rec.emit)
		b.add(dto("a", false))
		b.add(dto("b", false))
		time.Sleep(10 * messageBatchEvery)
		synctest.Wait()
		if got := rec.texts(); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("before the window showed the first: got %q, want [a]", got)
		}
		b.shown()
		if got := rec.texts(); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("once it did: got %q, want [a b]", got)
		}
		start := time.Now()
		b.add(dto("c", false))
		time.Sleep(messageShownWait)
		synctest.Wait()
		if got := rec.texts(); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("without a word from the window: got %q, want [a b c]", got)
		}
		if waited := rec.at(2).Sub(start); waited != messageShownWait {
			t.Errorf("c went after %v, want %v", waited, messageShownWait)
		}
	})
}

// TestMessageBatcherKeepsTheNewest: a burst bigger than an event holds
// goes as its newest messages, with how many were left out and which of
// those were ours.
func TestMessageBatcherKeepsTheNewest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batches{}
		b := newMessageBatcher(rec.emit)
		b.max = 3
		for i := range 10 {
			b.add(dto(fmt.Sprint(i), i%4 == 1))
		}
		b.shown()
		time.Sleep(messageBatchEvery)
		synctest.Wait()
		if got := rec.texts(); !slices.Equal(got, []string{"0", "789"}) {
			t.Fatalf("got %q, want [0 789]", got)
		}
		last := rec.got[1]
		if last.Skipped != 6 || !slices.Equal(last.Confirmed, []string{"id-1", "id-5"}) {
			t.Errorf("got skipped %d, confirmed %q; want 6 and [id-1 id-5]", last.Skipped, last.Confirmed)
		}
		if rec.got[0].Confirmed == nil {
			t.Error("confirmed is null in JSON; want []")
		}
	})
}

// TestMessageBatcherStop: after stop, nothing pending or later is sent.
func TestMessageBatcherStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batches{}
		b := newMessageBatcher(rec.emit)
		b.add(dto("a", false))
		b.add(dto("b", false))
		b.stop()
		b.add(dto("c", false))
		time.Sleep(2 * messageBatchEvery)
		synctest.Wait()
		if got := rec.texts(); !slices.Equal(got, []string{"a"}) {
			t.Errorf("got %q, want [a]", got)
		}
	})
}

// TestOtherEventsFollowTheirMessages: a presence or state event sends the
// messages waiting before it first, so the window sees the room's order.
func TestOtherEventsFollowTheirMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		r := (&roomSession{app: &App{window: rec}, nick: "ada"}).withBatcher()
		msg := func(text string) client.Event {
			return client.MessageEvent{Message: chat.Message{ID: text, From: "bo", Text: text}}
		}
		r.onEvent(msg("1"))
		r.onEvent(msg("2"))
		r.onEvent(client.PresenceEvent{Kind: "join", Nick: "cy"})
		r.onEvent(msg("3"))
		r.onEvent(client.StateEvent{State: client.StateReconnecting})
		var got []string
		for _, e := range rec.events {
			switch d := e.data.(type) {
			case MessagesDTO:
				for _, m := range d.Messages {
					got = append(got, m.Text)
				}
			case PresenceDTO:
				got = append(got, "join")
			case StateDTO:
				got = append(got, string(d.State))
			}
		}
		want := []string{"1", "2", "join", "3", string(client.StateReconnecting)}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}
