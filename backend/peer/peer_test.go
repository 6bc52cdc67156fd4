package peer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
	"github.com/parley-lan/parley/backend/protocol"
)

// startHost hosts a room on loopback without advertising it: these tests
// run in the default network namespace, where mDNS must stay silent.
func startHost(t *testing.T, nick string) *Host {
	t.Helper()
	var log *slog.Logger
	if os.Getenv("PARLEY_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	h, err := StartHost(HostConfig{RoomName: "Integration Room", Nick: nick, NoAdvertise: true, Logger: log})
	if err != nil {
		t.Fatalf("StartHost: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// recorder collects a session's events.
type recorder struct {
	mu       sync.Mutex
	msgs     []chat.Message
	refusals map[string]string // message id → why the host refused it
	joins    []string
	leaves   []string
	states   []client.State
	update   chan struct{}
}

func newRecorder() *recorder { return &recorder{update: make(chan struct{}, 1)} }

func (r *recorder) on(e client.Event) {
	r.mu.Lock()
	switch e := e.(type) {
	case client.MessageEvent:
		r.msgs = append(r.msgs, e.Message)
	case client.PresenceEvent:
		if e.Kind == "join" {
			r.joins = append(r.joins, e.Nick)
		} else {
			r.leaves = append(r.leaves, e.Nick)
		}
	case client.StateEvent:
		r.states = append(r.states, e.State)
	case client.RefusedEvent:
		if r.refusals == nil {
			r.refusals = map[string]string{}
		}
		r.refusals[e.ID] = e.Err.Error()
	}
	r.mu.Unlock()
	select {
	case r.update <- struct{}{}:
	default:
	}
}

// waitFor polls cond under the lock until it holds or 10 s pass.
func (r *recorder) waitFor(t *testing.T, what string, cond func(r *recorder) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		ok := cond(r)
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.update:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("timed out waiting for %s; have %d msgs, joins %v, leaves %v, states %v", what, len(r.msgs), r.joins, r.leaves, r.states)
		}
	}
}

func joinRoom(t *testing.T, addr, nick, token string) (*Session, *recorder) {
	t.Helper()
	rec := newRecorder()
	s, err := Join(context.Background(), JoinConfig{Addrs: []string{addr}, Nick: nick, HostToken: token, OnEvent: rec.on})
	if err != nil {
		t.Fatalf("join %s: %v", nick, err)
	}
	t.Cleanup(s.Leave)
	return s, rec
}

// tutorialClient is the original Python client's behaviour in Go: it
// answers the first "NICK" with the bare name and sends "nick: text"
// without a newline, one write per message.
type tutorialClient struct {
	conn net.Conn
	mu   sync.Mutex
	got  strings.Builder
}

func dialTutorial(t *testing.T, addr, nick string) *tutorialClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	buf := make([]byte, 1024)
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, err := conn.Read(buf)
	if err != nil || string(buf[:n]) != "NICK" {
		t.Fatalf("first recv = %q, %v; want NICK", buf[:n], err)
	}
	_ = conn.SetReadDeadline(time.Time{})
	conn.Write([]byte(nick))
	tc := &tutorialClient{conn: conn}
	go func() {
		for {
			n, err := conn.Read(buf)
			tc.mu.Lock()
			tc.got.Write(buf[:n])
			tc.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return tc
}

func (tc *tutorialClient) text() string {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.got.String()
}

// TestRoomOfThreeNativeAndOneLegacy: every message reaches every other
// member exactly once and in the same order everywhere.
func TestRoomOfThreeNativeAndOneLegacy(t *testing.T) {
	h := startHost(t, "alice")
	alice, aliceRec := joinRoom(t, h.LocalAddr(), "alice", h.Token())
	bob, bobRec := joinRoom(t, h.LocalAddr(), "bob", "")
	carol, carolRec := joinRoom(t, h.LocalAddr(), "carol", "")
	dave := dialTutorial(t, h.LocalAddr(), "dave")
	for _, r := range []*recorder{aliceRec, bobRec, carolRec} {
		r.waitFor(t, "dave's join", func(r *recorder) bool { return strings.Contains(fmt.Sprint(r.joins), "dave") })
	}
	if got := fmt.Sprint(h.Members()); got != "[{alice true false} {bob false false} {carol false false} {dave false true}]" {
		t.Errorf("members = %s", got)
	}

	const perSender = 30 // from each native member
	const perLegacy = 10 // a tutorial client's messages are paced like typing
	var wg sync.WaitGroup
	for _, s := range []*Session{alice, bob, carol} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				if _, err := s.Send(fmt.Sprintf("%s #%d", s.Welcome().You, i)); err != nil {
					t.Errorf("send: %v", err)
				}
			}
		}()
	}
	for i := range perLegacy {
		dave.conn.Write([]byte(fmt.Sprintf("dave: dave #%d", i)))
		time.Sleep(legacyGap) // a pause ends an unterminated message
	}
	wg.Wait()

	total := 3*perSender + perLegacy
	var orders []string
	for _, r := range []*recorder{aliceRec, bobRec, carolRec} {
		r.waitFor(t, "all messages", func(r *recorder) bool { return len(r.msgs) >= total })
		r.mu.Lock()
		checkOnceInOrder(t, r.msgs, map[string]int{"alice": perSender, "bob": perSender, "carol": perSender, "dave": perLegacy})
		orders = append(orders, fmt.Sprint(r.msgs))
		r.mu.Unlock()
	}
	if orders[0] != orders[1] || orders[1] != orders[2] {
		t.Errorf("members saw different orders")
	}
	// The legacy member sees everyone else's lines, once each, and not its own.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(dave.text(), " #") < 3*perSender && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := dave.text()
	for _, nick := range []string{"alice", "bob", "carol"} {
		for i := range perSender {
			// Like the original server, lines to a tutorial client carry no
			// newline, so two that arrive together share one recv.
			line := fmt.Sprintf("%s: %s #%d", nick, nick, i)
			if n := len(regexp.MustCompile(regexp.QuoteMeta(line)+`(\D|$)`).FindAllString(got, -1)); n != 1 {
				t.Errorf("dave saw %q %d times", line, n)
			}
		}
	}
	if strings.Contains(got, "dave: dave") {
		t.Errorf("dave's own lines were echoed back to him")
	}
}

// legacyGap separates a tutorial client's writes, as a person typing would.
const legacyGap = 120 * time.Millisecond

// checkOnceInOrder checks that msgs has each sender's messages exactly once,
// in the order sent, with consecutive sequence numbers.
func checkOnceInOrder(t *testing.T, msgs []chat.Message, want map[string]int) {
	t.Helper()
	next := map[string]int{}
	for i, m := range msgs {
		if m.Seq != uint64(i+1) {
			t.Errorf("message %d has seq %d, want %d", i, m.Seq, i+1)
		}
		want := fmt.Sprintf("%s #%d", m.From, next[m.From])
		if m.Text != want {
			t.Errorf("from %s got %q, want %q (lost, duplicated or reordered)", m.From, m.Text, want)
		}
		next[m.From]++
	}
	for nick, n := range want {
		if next[nick] != n {
			t.Errorf("%s: got %d messages, want %d", nick, next[nick], n)
		}
	}
}

func TestPresence(t *testing.T) {
	h := startHost(t, "alice")
	_, rec := joinRoom(t, h.LocalAddr(), "alice", h.Token())
	bob, _ := joinRoom(t, h.LocalAddr(), "bob", "")
	rec.waitFor(t, "bob joins", func(r *recorder) bool { return fmt.Sprint(r.joins) == "[bob]" })
	bob.Leave()
	rec.waitFor(t, "bob leaves", func(r *recorder) bool { return fmt.Sprint(r.leaves) == "[bob]" })
}

func TestNicknameCollisionRefused(t *testing.T) {
	h := startHost(t, "alice")
	joinRoom(t, h.LocalAddr(), "bob", "")
	for _, nick := range []string{"bob", "BOB", "alice"} {
		_, err := Join(context.Background(), JoinConfig{Addrs: []string{h.LocalAddr()}, Nick: nick})
		if !errors.Is(err, chat.ErrNickTaken) || !strings.Contains(err.Error(), nick) {
			t.Errorf("join as %q: error = %v, want nick_taken naming the nickname", nick, err)
		}
	}
}

func TestHostClosingEndsSessions(t *testing.T) {
	h := startHost(t, "alice")
	bob, rec := joinRoom(t, h.LocalAddr(), "bob", "")
	h.CloseRoom()
	select {
	case <-bob.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("session still running after the host closed")
	}
	if !errors.Is(bob.Err(), chat.ErrHostClosed) {
		t.Errorf("session error = %v, want ErrHostClosed", bob.Err())
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if last := rec.states[len(rec.states)-1]; last != client.StateClosed {
		t.Errorf("last state = %s, want closed", last)
	}
}

func TestUnreachableHost(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := Join(ctx, JoinConfig{Addrs: []string{addr}, Nick: "bob"})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("join closed port: error = %v, want connection refused", err)
	}
}

// TestStuckMemberDoesNotDelayOthers: a member that never reads sits in the
// room while the others exchange a burst; they get everything, each message
// once, promptly, and the stuck one is cut off and told why. (It stays in
// the member list for the resume grace period, in case it comes back.)
func TestStuckMemberDoesNotDelayOthers(t *testing.T) {
	h := startHost(t, "alice")
	alice, aliceRec := joinRoom(t, h.LocalAddr(), "alice", h.Token())
	_, bobRec := joinRoom(t, h.LocalAddr(), "bob", "")

	stuck, err := net.Dial("tcp", h.LocalAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	hello, _ := protocol.Encode(protocol.Hello{V: protocol.Version, Nick: "stuck", ClientID: "stuck1"})
	stuck.Write(hello) // and never reads again
	bobRec.waitFor(t, "stuck joins", func(r *recorder) bool { return strings.Contains(fmt.Sprint(r.joins), "stuck") })

	text := strings.Repeat("x", 2000)
	const n = 3000 // 6 MB: far past the stuck member's socket buffers and queue
	start := time.Now()
	for i := range n {
		if _, err := alice.Send(fmt.Sprintf("%d %s", i, text)); err != nil {
			t.Fatal(err)
		}
		if i%100 == 99 { // keep the outbox from racing far ahead of the echo
			aliceRec.waitFor(t, "echo", func(r *recorder) bool { return len(r.msgs) >= i-500 })
		}
	}
	bobRec.waitFor(t, "the burst", func(r *recorder) bool { return len(r.msgs) >= n })
	t.Logf("bob received %d messages of 2 KB in %v with a stuck member in the room", n, time.Since(start))
	bobRec.mu.Lock()
	if got := missingSeqs(bobRec.msgs, n); got != "" {
		t.Errorf("bob: %s", got)
	}
	bobRec.mu.Unlock()

	// Once it reads again it finds the reason at the end of its stream.
	data, _ := io.ReadAll(io.LimitReader(readWithDeadline{stuck, 30 * time.Second}, 64<<20))
	if !strings.Contains(string(data), `"code":"slow_member"`) {
		t.Errorf("stuck member was not told why it was dropped (read %d bytes)", len(data))
	}
}

type readWithDeadline struct {
	c    net.Conn
	wait time.Duration
}

func (r readWithDeadline) Read(p []byte) (int, error) {
	_ = r.c.SetReadDeadline(time.Now().Add(r.wait))
	return r.c.Read(p)
}

func TestParseAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.168.1.20:40123", "192.168.1.20:40123"},
		{" parley://10.0.0.2:7000/ ", "10.0.0.2:7000"},
		{"[fd00::1]:7000", "[fd00::1]:7000"},
		{"host.local:80", "host.local:80"},
		{"parley://10.0.0.2:7000/0123456789abcdef", "10.0.0.2:7000"},
		{"parley://[fe80::1%eth0]:7000/0123456789abcdef?name=x", "[fe80::1%eth0]:7000"},
		{"parley://10.0.0.2:7000/not a room id", ""},
		{"", ""},
		{"10.0.0.2", ""},
		{"10.0.0.2:0", ""},
		{"10.0.0.2:99999", ""},
		{":7000", ""},
		{"fd00::1", ""},
	}
	for _, tt := range tests {
		got, err := ParseAddress(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestInviteLinkRoundTrip(t *testing.T) {
	link := InviteLink("[fd00::2]:41000", "0123456789abcdef")
	addr, id, err := ParseLink(link)
	if err != nil || addr != "[fd00::2]:41000" || id != "0123456789abcdef" {
		t.Errorf("ParseLink(%q) = %q, %q, %v", link, addr, id, err)
	}
}

func TestStartHostErrors(t *testing.T) {
	h := startHost(t, "alice")
	_, err := StartHost(HostConfig{RoomName: "Other", Nick: "bob", Port: h.Port(), NoAdvertise: true})
	if !errors.Is(err, ErrPortInUse) {
		t.Errorf("second host on port %d: error = %v, want ErrPortInUse", h.Port(), err)
	}
	if _, err := StartHost(HostConfig{RoomName: "", Nick: "bob", NoAdvertise: true}); err == nil {
		t.Error("empty room name accepted")
	}
	if _, err := StartHost(HostConfig{RoomName: "Room", Nick: "b:b", NoAdvertise: true}); !errors.Is(err, chat.ErrBadNick) {
		t.Errorf("bad nick: error = %v, want ErrBadNick", err)
	}
}

// missingSeqs describes gaps and repeats in msgs, which should hold seqs 1
// to n once each; "" means none.
func missingSeqs(msgs []chat.Message, n int) string {
	count := map[uint64]int{}
	for _, m := range msgs {
		count[m.Seq]++
	}
	var problems []string
	for s := uint64(1); s <= uint64(n); s++ {
		switch count[s] {
		case 0:
			problems = append(problems, fmt.Sprintf("seq %d missing", s))
		case 1:
		default:
			problems = append(problems, fmt.Sprintf("seq %d seen %d times", s, count[s]))
		}
		if len(problems) > 10 {
			break
		}
	}
	return strings.Join(problems, ", ")
}
