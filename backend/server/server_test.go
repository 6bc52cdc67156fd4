package server

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/protocol"
)

func TestWelcomeAndPresence(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, w := join(t, addr, "alice")
	if w.You != "alice" || w.Room.Name != "Test Room" || w.Room.ID != testRoomID || w.V != protocol.Version {
		t.Errorf("welcome = %+v, want alice in Test Room", w)
	}
	if got, want := fmt.Sprint(w.Members), "[{alice false false}]"; got != want {
		t.Errorf("members = %s, want %s", got, want)
	}
	if f := alice.next(); f != (protocol.Join{Member: chat.Member{Nick: "alice"}, TS: f.(protocol.Join).TS}) {
		t.Errorf("alice's own join = %#v", f)
	}
	bob, w := join(t, addr, "bob")
	if got, want := fmt.Sprint(w.Members), "[{alice false false} {bob false false}]"; got != want {
		t.Errorf("members = %s, want %s", got, want)
	}
	if j, ok := alice.next().(protocol.Join); !ok || j.Nick != "bob" {
		t.Errorf("alice got %#v, want bob's join", j)
	}
	bob.conn.Close()
	if l, ok := alice.next().(protocol.Leave); !ok || l.Nick != "bob" {
		t.Errorf("alice got %#v, want bob's leave", l)
	}
}

func TestRefusedHandshakes(t *testing.T) {
	_, addr := startServer(t, Config{HostToken: "secret"})
	join(t, addr, "alice")
	tests := []struct {
		name  string
		hello string
		want  chat.Code
	}{
		{"taken", `{"type":"hello","v":1,"nick":"alice","client_id":"x1"}`, chat.CodeNickTaken},
		{"taken other case", `{"type":"hello","v":1,"nick":"ALICE","client_id":"x2"}`, chat.CodeNickTaken},
		{"host nick without token", `{"type":"hello","v":1,"nick":"host","client_id":"x3"}`, chat.CodeNickTaken},
		{"host nick wrong token", `{"type":"hello","v":1,"nick":"host","client_id":"x4","host_token":"guess"}`, chat.CodeNickTaken},
		{"control chars", `{"type":"hello","v":1,"nick":"a\u0007b","client_id":"x5"}`, chat.CodeBadNick},
		{"colon", `{"type":"hello","v":1,"nick":"a:b","client_id":"x6"}`, chat.CodeBadNick},
		{"future version", `{"type":"hello","v":99,"nick":"zed","client_id":"x7"}`, chat.CodeVersion},
		{"not hello", `{"type":"send","id":"m1","text":"hi"}`, chat.CodeBadFrame},
		{"garbage", `{"nope`, chat.CodeBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := dialPeer(t, addr)
			p.write(tt.hello + "\n")
			e, ok := p.next().(protocol.Error)
			if !ok || e.Code != tt.want || e.Message == "" {
				t.Fatalf("got %#v, want an error %q with a message", e, tt.want)
			}
			p.expectClosed(2 * time.Second)
		})
	}
}

func TestHostToken(t *testing.T) {
	_, addr := startServer(t, Config{HostToken: "secret"})
	join(t, addr, "zoe")
	p := dialPeer(t, addr)
	p.send(protocol.Hello{V: 1, Nick: "host", ClientID: "h1", HostToken: "secret"})
	w, ok := p.next().(protocol.Welcome)
	if !ok {
		t.Fatal("host refused")
	}
	if got, want := fmt.Sprint(w.Members), "[{host true false} {zoe false false}]"; got != want {
		t.Errorf("members = %s, want host first: %s", got, want)
	}
}

func TestMessagesInOrderToEveryone(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	bob, _ := join(t, addr, "bob")
	const n = 50
	for i := range n {
		alice.send(protocol.Send{ID: fmt.Sprintf("a%d", i), Text: fmt.Sprintf("hello %d", i)})
	}
	for _, p := range []*peer{alice, bob} {
		for i := range n {
			m := p.nextMsg()
			if m.Seq != uint64(i+1) || m.From != "alice" || m.Text != fmt.Sprintf("hello %d", i) || m.ID != fmt.Sprintf("a%d", i) {
				t.Fatalf("message %d = %+v", i, m)
			}
		}
	}
}

func TestDuplicateSendIsAcknowledgedOnce(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	bob, _ := join(t, addr, "bob")
	alice.send(protocol.Send{ID: "m1", Text: "once"})
	first := alice.nextMsg()
	// The ack got lost, say; the client sends it again.
	alice.send(protocol.Send{ID: "m1", Text: "once", Resend: true})
	again := alice.nextMsg()
	alice.send(protocol.Send{ID: "m2", Text: "twice"})
	second := alice.nextMsg()
	if first.Seq != 1 || again.Seq != 1 || second.Seq != 2 {
		t.Errorf("sender got seqs %d, %d, %d; want 1, 1 (re-ack), 2", first.Seq, again.Seq, second.Seq)
	}
	if m := bob.nextMsg(); m.Seq != 1 {
		t.Errorf("bob got seq %d, want 1", m.Seq)
	}
	if m := bob.nextMsg(); m.Seq != 2 || m.Text != "twice" {
		t.Errorf("bob got %+v, want seq 2 (the duplicate is not re-broadcast)", m)
	}
}

func TestDuplicateInFlightIsPostedOnce(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	for range 5 {
		alice.send(protocol.Send{ID: "m1", Text: "once"})
	}
	alice.send(protocol.Send{ID: "m2", Text: "next"})
	var seqs []uint64
	for m := alice.nextMsg(); ; m = alice.nextMsg() {
		seqs = append(seqs, m.Seq)
		if m.ID == "m2" {
			break
		}
	}
	if got := fmt.Sprint(seqs); got != "[1 2]" && got != "[1 1 2]" && got != "[1 1 1 2]" && got != "[1 1 1 1 2]" && got != "[1 1 1 1 1 2]" {
		t.Errorf("seqs = %s; want m1 stamped once (acknowledged one or more times), then m2 as 2", got)
	}
}

func TestBadSendIsRefusedWithItsID(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	alice.next() // own join
	alice.send(protocol.Send{ID: "m1", Text: "   "})
	e, ok := alice.next().(protocol.Error)
	if !ok || e.Code != chat.CodeBadText || e.ID != "m1" {
		t.Errorf("got %#v, want bad_text for m1", e)
	}
}

func TestResumeReplaysMissedMessagesAndReplacesStaleConnection(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	bob := dialPeer(t, addr)
	bob.send(protocol.Hello{V: 1, Nick: "bob", ClientID: "bob-1"})
	bob.next()
	for i := range 5 {
		alice.send(protocol.Send{ID: fmt.Sprintf("a%d", i), Text: fmt.Sprint(i)})
	}
	for range 2 {
		bob.nextMsg()
	}
	// Bob comes back on a new connection before the host noticed the old
	// one died: same client id, so it is not "nickname taken".
	again := dialPeer(t, addr)
	again.send(protocol.Hello{V: 1, Nick: "bob", ClientID: "bob-1", ResumeFrom: ptr(2)})
	if _, ok := again.next().(protocol.Welcome); !ok {
		t.Fatal("resume refused")
	}
	var seqs []uint64
	for range 3 {
		seqs = append(seqs, again.nextMsg().Seq)
	}
	if got, want := fmt.Sprint(seqs), "[3 4 5]"; got != want {
		t.Errorf("replayed after resume = %s, want %s", got, want)
	}
	bob.expectClosed(2 * time.Second)
	alice.send(protocol.Send{ID: "a9", Text: "after"})
	if m := again.nextMsg(); m.Seq != 6 {
		t.Errorf("after resume got seq %d, want 6", m.Seq)
	}
	// Alice heard neither a leave nor a join for the swap.
	for i := 0; i < 7; i++ {
		if f := alice.next(); f.Type() == "leave" {
			t.Fatalf("alice saw %#v during a quiet resume", f)
		}
	}
}

func TestLateJoinerGetsRecentHistory(t *testing.T) {
	_, addr := startServer(t, Config{Keep: 300})
	alice, _ := join(t, addr, "alice")
	total := protocol.HistoryLimit + 20
	// 2 KB messages: the history is far larger than one frame may be.
	text := strings.Repeat("h", 2000)
	for i := range total {
		alice.send(protocol.Send{ID: fmt.Sprintf("a%d", i), Text: fmt.Sprint(i, text)})
	}
	for range total {
		alice.nextMsg()
	}
	late, w := join(t, addr, "late")
	if w.Seq != uint64(total) {
		t.Errorf("welcome seq = %d, want %d", w.Seq, total)
	}
	for i := range protocol.HistoryLimit {
		if m := late.nextMsg(); m.Seq != uint64(21+i) {
			t.Fatalf("history message %d has seq %d, want %d", i, m.Seq, 21+i)
		}
	}
	alice.send(protocol.Send{ID: "live", Text: "live"})
	if m := late.nextMsg(); m.Text != "live" {
		t.Errorf("after the history got %q, want the live message", m.Text)
	}
}

// TestLongResumeIsNotCutOff resumes a member that missed far more than its
// queue holds: the history goes out in batches as it reads, so it is not
// mistaken for a slow member.
func TestLongResumeIsNotCutOff(t *testing.T) {
	_, addr := startServer(t, Config{Keep: 2000, QueueBytes: 64 << 10})
	alice, _ := join(t, addr, "alice")
	text := strings.Repeat("r", 1000)
	const n = 1500 // 1.5 MB of history against a 64 KiB queue
	for sent := 0; sent < n; sent += 50 {
		for i := range 50 {
			alice.send(protocol.Send{ID: fmt.Sprintf("a%d", sent+i), Text: text})
		}
		for range 50 {
			alice.nextMsg()
		}
	}
	bob := dialPeer(t, addr)
	bob.send(protocol.Hello{V: 1, Nick: "bob", ClientID: "bob-1", ResumeFrom: ptr(1)})
	bob.next()
	for want := uint64(2); want <= n; want++ {
		if m := bob.nextMsg(); m.Seq != want {
			t.Fatalf("got seq %d, want %d", m.Seq, want)
		}
	}
}

func TestMalformedFramesThenDisconnect(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	alice.next()
	alice.write("not json\n")
	if e, ok := alice.next().(protocol.Error); !ok || e.Code != chat.CodeBadFrame {
		t.Fatalf("got %#v, want bad_frame", e)
	}
	alice.write(strings.Repeat("x", 10<<20) + "\n")
	if e, ok := alice.next().(protocol.Error); !ok || e.Code != chat.CodeTooLarge {
		t.Fatalf("got %#v, want too_large", e)
	}
	alice.send(protocol.Send{ID: "ok1", Text: "still here"})
	if m := alice.nextMsg(); m.Text != "still here" {
		t.Fatalf("got %+v after bad frames", m)
	}
	alice.write("{\n")
	alice.next()
	alice.expectClosed(2 * time.Second)
}

func TestUnknownFrameIgnored(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	alice.next()
	alice.write(`{"type":"reaction","emoji":"👍"}` + "\n")
	alice.send(protocol.Send{ID: "m1", Text: "hi"})
	if m := alice.nextMsg(); m.Text != "hi" {
		t.Errorf("got %+v", m)
	}
}

func TestPingPong(t *testing.T) {
	_, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	alice.next()
	alice.send(protocol.Ping{})
	if f := alice.next(); f != (protocol.Pong{}) {
		t.Errorf("got %#v, want pong", f)
	}
}

func TestSilentMemberIsDropped(t *testing.T) {
	_, addr := startServer(t, Config{PingInterval: 50 * time.Millisecond})
	alice, _ := join(t, addr, "alice")
	mute, _ := join(t, addr, "mute") // reads, but never answers pings
	_ = mute
	start := time.Now()
	for {
		f, err := alice.read(3 * time.Second)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if _, ok := f.(protocol.Ping); ok {
			alice.send(protocol.Pong{})
			continue
		}
		if l, ok := f.(protocol.Leave); ok && l.Nick == "mute" {
			break
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("silent member dropped after %v, want about 150ms", d)
	}
}

// TestStuckMemberDoesNotStallOthers has one member that never reads while
// another floods the room: the flooder keeps getting every message at once,
// and the stuck member is cut off with a reason.
func TestStuckMemberDoesNotStallOthers(t *testing.T) {
	_, addr := startServer(t, Config{QueueBytes: 256 << 10})
	alice, _ := join(t, addr, "alice")
	stuck, _ := join(t, addr, "stuck")
	_ = stuck
	text := strings.Repeat("z", 1000)
	const n = 8000 // ~8 MB: more than the socket buffers and the queue
	// Alice sends in batches and reads her echoes between them, as a real
	// client does; a sender that never read would be cut off too.
	start := time.Now()
	sawLeave := false
	for sent := 0; sent < n; {
		var batch []byte
		for i := 0; i < 100; i++ {
			b, _ := protocol.Encode(protocol.Send{ID: fmt.Sprintf("m%d", sent+i), Text: text})
			batch = append(batch, b...)
		}
		alice.write(string(batch))
		for got := 0; got < 100; {
			switch f := alice.next().(type) {
			case protocol.Msg:
				got++
			case protocol.Leave:
				sawLeave = sawLeave || f.Nick == "stuck"
			}
		}
		sent += 100
	}
	if !sawLeave {
		// The leave may trail the last message slightly.
		if l, ok := alice.next().(protocol.Leave); !ok || l.Nick != "stuck" {
			t.Errorf("stuck member never left")
		}
	}
	t.Logf("%d messages of 1 KB to the active member in %v with a stuck member present", n, time.Since(start))
	// The stuck member's connection ends with the reason as its last frame.
	var last protocol.Frame
	for {
		f, err := stuck.read(5 * time.Second)
		if err != nil {
			break
		}
		last = f
	}
	if e, ok := last.(protocol.Error); !ok || e.Code != chat.CodeSlow {
		t.Errorf("stuck member's last frame = %#v, want a slow_member error", last)
	}
}

func TestCloseSaysByeAndStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := New(Config{Room: chat.Room{ID: testRoomID, Name: "Bye Room", Host: "h"}})
	if err != nil {
		t.Fatal(err)
	}
	ln := listen(t)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	alice, _ := join(t, ln.Addr().String(), "alice")
	carol := dialText(t, ln.Addr().String())
	if got := carol.recv(2 * time.Second); got != "NICK" {
		t.Fatalf("got %q, want NICK", got)
	}
	carol.write("carol")
	carol.recvUntil("Connected to")
	loiterer := dialPeer(t, ln.Addr().String()) // connected, never says hello

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v, want ErrServerClosed", err)
	}
	var bye protocol.Frame
	for {
		f, err := alice.read(2 * time.Second)
		if err != nil {
			break
		}
		bye = f
	}
	if b, ok := bye.(protocol.Bye); !ok || b.Closed {
		t.Errorf("alice's last frame = %#v, want a bye that does not close the room", bye)
	}
	carol.recvUntil("The host went away; the room may come back.")
	loiterer.expectClosed(2 * time.Second)
	s.Close() // idempotent
	waitGoroutines(t, before)
}

func TestCloseRoomSaysSo(t *testing.T) {
	s, addr := startServer(t, Config{})
	alice, _ := join(t, addr, "alice")
	carol := dialText(t, addr)
	carol.recv(2 * time.Second)
	carol.write("carol\n")
	carol.recvUntil("Connected to")
	s.CloseRoom()
	var last protocol.Frame
	for {
		f, err := alice.read(2 * time.Second)
		if err != nil {
			break
		}
		last = f
	}
	if b, ok := last.(protocol.Bye); !ok || !b.Closed {
		t.Errorf("alice's last frame = %#v, want a bye that closes the room", last)
	}
	carol.recvUntil("The host closed the room.")
}

func TestNoLegacyRefusesPlainText(t *testing.T) {
	_, addr := startServer(t, Config{NoLegacy: true})
	p := dialText(t, addr)
	p.write("hello\n")
	if got := p.recvUntil("error:"); !strings.Contains(got, "plain-text") {
		t.Errorf("got %q, want a refusal that mentions plain-text clients", got)
	}
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > want+2 { // +2: test framework slack
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d, want ≤ %d\n%s", runtime.NumGoroutine(), want+2, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPresenceAcrossDrops: a member who says bye leaves at once; one whose
// connection just drops is listed for the grace period, and coming back
// within it (same client id) is silent for everyone else.
func TestPresenceAcrossDrops(t *testing.T) {
	const grace = 400 * time.Millisecond
	_, addr := startServer(t, Config{ResumeGrace: grace})
	alice, _ := join(t, addr, "alice")
	alice.next()
	hello := func(p *peer, nick, id string) {
		p.send(protocol.Hello{V: 1, Nick: nick, ClientID: id})
		if _, ok := p.next().(protocol.Welcome); !ok {
			t.Fatalf("%s not welcomed", nick)
		}
	}

	bob := dialPeer(t, addr)
	hello(bob, "bob", "bob-1")
	alice.next() // bob joined
	bob.conn.Close()
	alice.quiet(grace / 2) // no leave yet: bob may be back
	again := dialPeer(t, addr)
	hello(again, "bob", "bob-1")
	alice.quiet(grace) // and no leave or join when he is
	again.send(protocol.Send{ID: "b1", Text: "back"})
	if m := alice.nextMsg(); m.From != "bob" {
		t.Errorf("got %+v from the resumed bob", m)
	}

	again.conn.Close()
	start := time.Now()
	if l, ok := alice.next().(protocol.Leave); !ok || l.Nick != "bob" {
		t.Fatalf("got %#v, want bob's leave after the grace period", l)
	}
	if d := time.Since(start); d < grace/2 {
		t.Errorf("leave announced after %v, before the grace period", d)
	}

	carol := dialPeer(t, addr)
	hello(carol, "carol", "carol-1")
	alice.next() // carol joined
	carol.send(protocol.Bye{Reason: "left"})
	start = time.Now()
	if l, ok := alice.next().(protocol.Leave); !ok || l.Nick != "carol" {
		t.Fatalf("got %#v, want carol's leave", l)
	}
	if d := time.Since(start); d > grace/2 {
		t.Errorf("a goodbye took %v to be announced, want at once", d)
	}
}
