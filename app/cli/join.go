package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/peer"
)

// runJoin joins a room by name (found on the LAN) or by address, and chats
// from the terminal until input ends, /quit, or a signal.
func runJoin(args []string, env Env) error {
	fs := newFlags("join", env)
	nick := fs.String("nick", "", "your nickname (default: your login name)")
	wait := fs.Duration("wait", 3*time.Second, "how long to look for a room given by name")
	ifaces := fs.String("iface", "", "comma-separated interfaces to browse on (default: the LAN ones)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("expected one room name or HOST:PORT, got %d arguments", len(pos))
	}
	n, err := nickFlag(*nick, env)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(env)
	cfg := peer.JoinConfig{Nick: n, Logger: log}
	if addr, err := peer.ParseAddress(pos[0]); err == nil && looksLikeAddress(pos[0]) {
		cfg.Addrs = []string{addr}
	} else {
		room, err := findRoom(ctx, pos[0], splitList(*ifaces), *wait)
		if err != nil {
			return err
		}
		cfg.Addrs = room.Addrs
	}
	t := &terminal{env: env, you: n}
	cfg.OnEvent = t.onEvent
	jctx, cancel := peer.JoinTimeout(ctx)
	defer cancel()
	sess, err := peer.Join(jctx, cfg)
	if err != nil {
		return fmt.Errorf("join %s: %w", strings.Join(cfg.Addrs, ", "), err)
	}
	defer sess.Leave()
	w := sess.Welcome()
	var nicks []string
	for _, m := range w.Members {
		nicks = append(nicks, memberLabel(m))
	}
	t.status("Joined %q as %s. In the room: %s\n", w.Room.Name, w.You, strings.Join(nicks, ", "))
	return t.chat(ctx, sess, env.Stdin, chatOptions{quitOnEOF: true})
}

// looksLikeAddress tells "host:port" from a room name that happens to
// contain a colon ("Team: standup").
func looksLikeAddress(s string) bool {
	return !strings.ContainsAny(strings.TrimSpace(s), " \t")
}

// findRoom browses until a room of that name (or id) shows up, or wait
// passes.
func findRoom(ctx context.Context, name string, ifaces []string, wait time.Duration) (chat.Room, error) {
	found := make(chan struct{}, 1)
	lobby, err := peer.OpenLobby(ifaces, nil, func(rooms []chat.Room) {
		if len(peer.MatchRooms(rooms, name)) > 0 {
			select {
			case found <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		return chat.Room{}, err
	}
	defer lobby.Close()
	select {
	case <-found:
	case <-time.After(wait):
	case <-ctx.Done():
		return chat.Room{}, ctx.Err()
	}
	rooms := lobby.Rooms()
	matches := peer.MatchRooms(rooms, name)
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return chat.Room{}, noRoomError{fmt.Sprintf("no room named %q on this network (looked for %v)%s", name, wait, listing(rooms))}
	}
	return chat.Room{}, noRoomError{fmt.Sprintf("%d rooms are named %q; join one by its id or address:%s", len(matches), name, listing(matches))}
}

func listing(rooms []chat.Room) string {
	if len(rooms) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n")
	for _, r := range rooms {
		fmt.Fprintf(&b, "  %s (host %s, id %s, %s)\n", r.Name, r.Host, r.ID, strings.Join(r.Addrs, ", "))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
