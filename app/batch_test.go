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

// batches records what an activityBatcher emits.
type batches struct {
	mu    sync.Mutex
	got   []ActivityDTO
	times []time.Time
}

func (b *batches) emit(m ActivityDTO) {
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

// expect stops the test unless the events so far carried want, one
// string per event; when says at what point of the test.
func (b *batches) expect(t *testing.T, when string, want ...string) {
	t.Helper()
	if got := b.texts(); !slices.Equal(got, want) {
		t.Fatalf("%s: got %q, want %q", when, got, want)
	}
}

func dto(text string, mine bool) MessageDTO {
	return MessageDTO{ID: "id-" + text, Text: text, Mine: mine}
}

// TestActivityBatcherPaces: the first message after a quiet spell goes at
// once; the ones right behind it wait for the pacing interval and go
// together; after another quiet spell, a message goes at once again.
// The window says it has shown each batch.
func TestActivityBatcherPaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batches{}
		b := newActivityBatcher(rec.emit)
		b.add(dto("a", false))
		rec.expect(t, "after the first message", "a")
		b.shown()
		time.Sleep(10 * time.Millisecond)
		b.add(dto("b", false))
		b.add(dto("c", false))
		time.Sleep(activityEvery - 20*time.Millisecond)
		synctest.Wait()
		rec.expect(t, "before the interval is up", "a")
		time.Sleep(20 * time.Millisecond)
		synctest.Wait()
		rec.expect(t, "once the interval is up", "a", "bc")
		b.shown()
		time.Sleep(2 * activityEvery)
		b.add(dto("d", false))
		rec.expect(t, "after a quiet spell", "a", "bc", "d")
	})
}

// TestActivityBatcherWaitsForTheWindow: the next batch waits until the
// window has shown the last one, however long the interval; without a
// word from the window, it goes after activityShownWait.
func TestActivityBatcherWaitsForTheWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batches{}
		b := newActivityBatcher(rec.emit)
		b.add(dto("a", false))
		b.add(dto("b", false))
		time.Sleep(10 * activityEvery)
		synctest.Wait()
		rec.expect(t, "before the window showed the first", "a")
		b.shown()
		rec.expect(t, "once it did", "a", "b")
		start := time.Now()
		b.add(dto("c", false))
		time.Sleep(activityShownWait)
		synctest.Wait()
		rec.expect(t, "without a word from the window", "a", "b", "c")
		if waited := rec.at(2).Sub(start); waited != activityShownWait {
			t.Errorf("c went after %v, want %v", waited, activityShownWait)
		}
	})
}

// TestActivityBatcherKeepsTheNewest: a burst bigger than an event holds
// goes as its newest messages, with how many were left out and which of
// those were ours.
func TestActivityBatcherKeepsTheNewest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batches{}
		b := newActivityBatcher(rec.emit)
		b.max = 3
		for i := range 10 {
			b.add(dto(fmt.Sprint(i), i%4 == 1))
		}
		b.shown()
		time.Sleep(activityEvery)
		synctest.Wait()
		rec.expect(t, "after a burst of ten", "0", "789")
		last := rec.got[1]
		if last.Skipped != 6 || !slices.Equal(last.Confirmed, []string{"id-1", "id-5"}) {
			t.Errorf("got skipped %d, confirmed %q; want 6 and [id-1 id-5]", last.Skipped, last.Confirmed)
		}
		if rec.got[0].Confirmed == nil {
			t.Error("confirmed is null in JSON; want []")
		}
	})
}

// TestActivityBatcherStop: after stop, nothing pending or later is sent.
func TestActivityBatcherStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batches{}
		b := newActivityBatcher(rec.emit)
		b.add(dto("a", false))
		b.add(dto("b", false))
		b.stop()
		b.add(dto("c", false))
		time.Sleep(2 * activityEvery)
		synctest.Wait()
		rec.expect(t, "after stop", "a")
	})
}

// TestActivityKeepsTheRoomsOrder: messages, joins and leaves go in one
// event, each change placed among the messages where it happened, with
// the member list after them; a state event sends the activity waiting
// before it first.
func TestActivityKeepsTheRoomsOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		r := (&roomSession{app: &App{window: rec}, nick: "ada"}).withBatcher()
		msg := func(text string) client.Event {
			return client.MessageEvent{Message: chat.Message{ID: text, From: "bo", Text: text}}
		}
		r.onEvent(msg("0"))
		r.onEvent(msg("1"))
		r.onEvent(msg("2"))
		r.onEvent(client.PresenceEvent{Kind: "join", Nick: "cy", Members: []chat.Member{{Nick: "ada"}, {Nick: "cy"}}})
		r.onEvent(msg("3"))
		r.onEvent(client.StateEvent{State: client.StateReconnecting})
		var got []string
		for _, e := range rec.events {
			switch d := e.data.(type) {
			case ActivityDTO:
				at := 0
				for _, c := range d.Changes {
					for ; at < c.At; at++ {
						got = append(got, d.Messages[at].Text)
					}
					got = append(got, c.Kind+" "+c.Nick)
				}
				for ; at < len(d.Messages); at++ {
					got = append(got, d.Messages[at].Text)
				}
				if d.Members != nil {
					got = append(got, fmt.Sprintf("%d members", len(d.Members)))
				}
			case StateDTO:
				got = append(got, string(d.State))
			}
		}
		want := []string{"0", "1", "2", "join cy", "3", "2 members", string(client.StateReconnecting)}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

// TestActivityDropsTheChangesAmongSkippedMessages: when the oldest
// messages are left out, so are the joins and leaves among them; the
// others keep their place, and the member list is the latest.
func TestActivityDropsTheChangesAmongSkippedMessages(t *testing.T) {
	p := ActivityDTO{
		Messages: []MessageDTO{dto("0", false), dto("1", true), dto("2", false), dto("3", false)},
		Changes:  []ChangeDTO{{Kind: "join", Nick: "a", At: 0}, {Kind: "join", Nick: "b", At: 2}, {Kind: "leave", Nick: "c", At: 3}},
	}
	dropMessages(&p, 2)
	if p.Skipped != 2 || !slices.Equal(p.Confirmed, []string{"id-1"}) || len(p.Messages) != 2 || p.Messages[0].Text != "2" {
		t.Fatalf("got %+v", p)
	}
	want := []ChangeDTO{{Kind: "join", Nick: "b", At: 0}, {Kind: "leave", Nick: "c", At: 1}}
	if !slices.Equal(p.Changes, want) {
		t.Errorf("changes: got %+v, want %+v", p.Changes, want)
	}
}

// TestActivityKeepsTheNewestChanges: a crowd joining faster than the
// window shows it sends the latest changes only, and the latest list.
func TestActivityKeepsTheNewestChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batches{}
		b := newActivityBatcher(rec.emit)
		b.max = 3
		for i := range 10 {
			b.change("join", fmt.Sprint(i), 0, make([]MemberDTO, i+1))
		}
		b.shown()
		time.Sleep(activityEvery)
		synctest.Wait()
		last := rec.got[len(rec.got)-1]
		var nicks []string
		for _, c := range last.Changes {
			nicks = append(nicks, c.Nick)
		}
		if len(rec.got) != 2 || !slices.Equal(nicks, []string{"7", "8", "9"}) || len(last.Members) != 10 {
			t.Errorf("got %d events, the last with changes %q and %d members", len(rec.got), nicks, len(last.Members))
		}
	})
}
