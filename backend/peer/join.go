package peer

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
	"github.com/parley-lan/parley/backend/protocol"
)

// JoinConfig configures a session in a room: the room's addresses, the
// nickname, a stable client id, a restored outbox and its save hook, the
// event callback. It is the client's configuration; see client.Config.
type JoinConfig = client.Config

// Session is a joined room. It reconnects by itself until Leave, or until
// the host closes the room.
type Session struct {
	c      *client.Client
	addr   string
	cancel context.CancelFunc
	done   chan struct{}

	mu  sync.Mutex
	err error // why Run ended
}

// Join connects to a room and starts the session. It returns once the
// host has welcomed us, or with the host's refusal or the network error.
func Join(ctx context.Context, cfg JoinConfig) (*Session, error) {
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := c.Connect(ctx); err != nil {
		return nil, err
	}
	return run(c, cfg), nil
}

// Resume starts a session without waiting for the room: it connects in
// the background, for as long as it takes, and delivers the restored
// outbox once in. For a session the app was in when it last stopped.
func Resume(cfg JoinConfig) (*Session, error) {
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	return run(c, cfg), nil
}

func run(c *client.Client, cfg JoinConfig) *Session {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{c: c, addr: strings.Join(cfg.Addrs, ", "), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		err := c.Run(ctx)
		s.mu.Lock()
		s.err = err
		s.mu.Unlock()
	}()
	return s
}

// Welcome returns the host's latest welcome: room, nickname, members. It
// is empty until a resumed session first gets in.
func (s *Session) Welcome() protocol.Welcome { return s.c.Welcome() }

// Older returns up to limit messages before seq before, ascending, and
// whether older ones remain.
func (s *Session) Older(ctx context.Context, before uint64, limit int) ([]chat.Message, bool, error) {
	return s.c.Older(ctx, before, limit)
}

// Pending returns the messages the host has not acknowledged yet.
func (s *Session) PendingMessages() []protocol.Send { return s.c.Pending() }

// Address is the address list the session was started with.
func (s *Session) Address() string { return s.addr }

// Members returns the current member list.
func (s *Session) Members() []chat.Member { return s.c.Members() }

// Send posts a message and returns its id; see client.Client.Send.
func (s *Session) Send(text string) (string, error) { return s.c.Send(text) }

// Pending returns how many sent messages the host has not acknowledged.
func (s *Session) Pending() int { return len(s.c.Pending()) }

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err says why the session ended: nil after Leave, chat.ErrHostClosed when
// the host closed the room, or the refusal that ended it.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Leave ends the session and waits for it to stop.
func (s *Session) Leave() {
	s.cancel()
	<-s.done
}

// joinTimeout bounds the whole of Join when the caller gives no deadline.
const joinTimeout = 10 * time.Second

// JoinTimeout returns a context for Join with the default deadline.
func JoinTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, joinTimeout)
}
