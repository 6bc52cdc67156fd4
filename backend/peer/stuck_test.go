package peer

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
	"github.com/parley-lan/parley/backend/protocol"
	"github.com/parley-lan/parley/backend/store"
)

// TestStuckMemberResumesWithCompleteHistory: a member stops reading while
// the others send 10,000 messages. They are not held up; it is cut off and
// told why; when it reads again and reconnects it gets everything it
// missed, in order, once — from the host's database, since that is far
// more than its queue or the host's memory window holds.
func TestStuckMemberResumesWithCompleteHistory(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "host.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h, err := StartHost(HostConfig{RoomName: "Busy", Nick: "alice", NoAdvertise: true, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	alice, aliceRec := joinRoom(t, h.LocalAddr(), "alice", h.Token())
	_, bobRec := joinRoom(t, h.LocalAddr(), "bob", "")

	stuck := dialRaw(t, h.LocalAddr())
	hello, _ := protocol.Encode(protocol.Hello{V: protocol.Version, Nick: "stuck", ClientID: "stuck-1"})
	stuck.Write(hello) // then it reads nothing for a long while
	bobRec.waitFor(t, "stuck joins", func(r *recorder) bool { return strings.Contains(fmt.Sprint(r.joins), "stuck") })

	n := testBurst()
	text := strings.Repeat("m", 1000) // 10 MB in all: past every buffer and the host's memory window
	start := time.Now()
	for i := range n {
		if _, err := alice.Send(fmt.Sprintf("%d %s", i, text)); err != nil {
			t.Fatal(err)
		}
		if i%200 == 199 { // a real sender does not race far ahead of its acks
			aliceRec.waitFor(t, "acks", func(r *recorder) bool { return len(r.msgs) >= i-400 })
		}
	}
	bobRec.waitFor(t, "all messages", func(r *recorder) bool { return len(r.msgs) >= n })
	took := time.Since(start)
	t.Logf("burst done in %v", took)
	bobRec.mu.Lock()
	problems := missingSeqs(bobRec.msgs, n)
	bobRec.mu.Unlock()
	if problems != "" {
		t.Errorf("bob: %s", problems)
	}

	// The stuck member now reads what reached it, up to the reason it was
	// cut off, then reconnects from the last seq it saw.
	last, reason := drainUntilError(t, stuck)
	t.Logf("stuck drained: last %d reason %q after %v", last, reason, time.Since(start))
	if reason != chat.CodeSlow && reason != chat.CodeTimeout {
		t.Errorf("stuck member's stream ended with %q, want a reason (%q or %q)", reason, chat.CodeSlow, chat.CodeTimeout)
	}
	back := dialRaw(t, h.LocalAddr())
	hello, _ = protocol.Encode(protocol.Hello{V: protocol.Version, Nick: "stuck", ClientID: "stuck-1", ResumeFrom: &last})
	back.Write(hello)
	got, want := readSeqs(t, back, last, n), n-int(last)
	t.Logf("FIGURES: stuck member: %d messages sent to the room while it did not read (bob had them all after %v); it was cut off having read %d, resumed and got the other %d: missing %d, repeated %d",
		n, took.Round(time.Millisecond), last, got.delivered, got.missing, got.repeated)
	if got.delivered != want || got.missing != 0 || got.repeated != 0 {
		t.Errorf("after resuming: %+v, want %d delivered, none missing or repeated", got, want)
	}
}

func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// drainUntilError reads a connection's frames until an error frame or the
// end, and returns the last msg seq seen and the error code.
func drainUntilError(t *testing.T, c net.Conn) (uint64, chat.Code) {
	t.Helper()
	lr := protocol.NewLineReader(c, 0, nil)
	var last uint64
	for {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		line, err := lr.ReadLine()
		if errors.Is(err, io.EOF) || err != nil {
			return last, ""
		}
		switch f, _ := protocol.Decode(line); f := f.(type) {
		case protocol.Msg:
			last = f.Seq
		case protocol.Error:
			return last, f.Code
		}
	}
}

type seqCount struct{ delivered, missing, repeated int }

// readSeqs reads msgs after the welcome until it has seen seq until, and
// counts what arrived between after and until.
func readSeqs(t *testing.T, c net.Conn, after uint64, until int) seqCount {
	t.Helper()
	lr := protocol.NewLineReader(c, 0, nil)
	seen := map[uint64]int{}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := lr.ReadLine()
		if err != nil {
			t.Logf("resume read ended: %v", err)
			break
		}
		f, _ := protocol.Decode(line)
		if p, ok := f.(protocol.Ping); ok {
			_ = p
			pong, _ := protocol.Encode(protocol.Pong{})
			c.Write(pong)
		}
		if m, ok := f.(protocol.Msg); ok {
			seen[m.Seq]++
		}
		if seen[uint64(until)] > 0 || after >= uint64(until) {
			break
		}
	}
	var got seqCount
	for s := after + 1; s <= uint64(until); s++ {
		switch seen[s] {
		case 0:
			got.missing++
		case 1:
			got.delivered++
		default:
			got.delivered++
			got.repeated += seen[s] - 1
		}
	}
	return got
}

func testBurst() int {
	if v := os.Getenv("PARLEY_TEST_BURST"); v != "" {
		n, _ := strconv.Atoi(v)
		return n
	}
	return 10000
}

// TestFullDiskRefusesClearly fills the host's database (a page limit
// stands in for a full disk): members are told their message could not be
// saved, nothing half-written shows up, and the host keeps running and
// accepts messages again once there is room.
func TestFullDiskRefusesClearly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tiny.db")
	db, err := store.Open(path, store.Options{MaxPageCount: 40})
	if err != nil {
		t.Fatal(err)
	}
	h, err := StartHost(HostConfig{RoomName: "Tiny", Nick: "alice", NoAdvertise: true, Store: db})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	alice, rec := joinRoom(t, h.LocalAddr(), "alice", h.Token())
	text := strings.Repeat("x", 4000)
	var refused string
	var posted int
	for i := 0; i < 200 && refused == ""; i++ {
		id, err := alice.Send(text)
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); ; {
			rec.mu.Lock()
			done := len(rec.msgs) > posted
			if done {
				posted = len(rec.msgs)
			}
			r := rec.refusals[id]
			rec.mu.Unlock()
			if r != "" {
				refused = r
			}
			if done || r != "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("message %d neither acknowledged nor refused", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	t.Logf("the database filled up after %d messages", posted)
	if !strings.Contains(refused, "disk is full") {
		t.Fatalf("refusal = %q, want it to say the host's disk is full", refused)
	}
	if alice.Pending() != 0 {
		t.Errorf("a refused message is still pending")
	}
	// Still a working room: a newcomer joins and sees exactly what was saved.
	_, late := joinRoom(t, h.LocalAddr(), "late", "")
	late.waitFor(t, "the saved history", func(r *recorder) bool { return len(r.msgs) == posted })
}

// TestMembersComeBackAfterACleanRestart: the host program stops cleanly
// (not closing the room) and the room is hosted again from the same
// database. Members are told the host went away, keep trying, and are back
// in the same room — same id, same port, history intact — by themselves;
// what they typed meanwhile is delivered once.
func TestMembersComeBackAfterACleanRestart(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "host.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := HostConfig{RoomName: "Night Shift", Nick: "alice", NoAdvertise: true, Store: db}
	h1, err := StartHost(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bob, rec := joinRoom(t, h1.LocalAddr(), "bob", "")
	bob.Send("before")
	rec.waitFor(t, "ack", func(r *recorder) bool { return len(r.msgs) == 1 })

	h1.Close() // the program stops; the room is not closed
	rec.waitFor(t, "reconnecting", func(r *recorder) bool { return slices.Contains(r.states, client.StateReconnecting) })
	select {
	case <-bob.Done():
		t.Fatalf("the session ended (%v) although the room was not closed", bob.Err())
	case <-time.After(300 * time.Millisecond):
	}
	bob.Send("while the host was away")

	h2, err := StartHost(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h2.Close() })
	if h2.Room().ID != h1.Room().ID || h2.Port() != h1.Port() {
		t.Errorf("hosted again as %s on port %d, want %s on %d", h2.Room().ID, h2.Port(), h1.Room().ID, h1.Port())
	}
	_, late := joinRoom(t, h2.LocalAddr(), "carol", "")
	late.waitFor(t, "both messages", func(r *recorder) bool { return len(r.msgs) == 2 })
	late.mu.Lock()
	defer late.mu.Unlock()
	if got := fmt.Sprint(late.msgs[0].Text, " | ", late.msgs[1].Text); got != "before | while the host was away" {
		t.Errorf("history after the restart: %s", got)
	}
}
