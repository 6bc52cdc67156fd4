package cli

import (
	"context"
	"fmt"
	"log/slog"
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
	if addr, roomID, err := peer.ParseLink(pos[0]); err == nil && looksLikeAddress(pos[0]) {
		cfg.Addrs = []string{addr}
		if roomID != "" { // a link names the room: follow it if it moves
			if lobby, err := peer.OpenLobby(SplitList(*ifaces), log, nil); err == nil {
				defer lobby.Close()
				cfg.Resolve = lobby.Resolver(roomID)
			}
		}
	} else {
		room, lobby, err := findRoom(ctx, pos[0], SplitList(*ifaces), *wait, log)
		if err != nil {
			return err
		}
		defer lobby.Close()
		cfg.Addrs, cfg.Resolve = room.Addrs, lobby.Resolver(room.ID)
	}
	t := &terminal{env: env, you: n}
	defer t.flushOut() // after the session has ended, below
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
// passes. The lobby stays open, for the caller to follow the room if its
// address changes; the caller closes it.
func findRoom(ctx context.Context, name string, ifaces []string, wait time.Duration, log *slog.Logger) (chat.Room, *peer.Lobby, error) {
	found := make(chan struct{}, 1)
	lobby, err := peer.OpenLobby(ifaces, log, func(rooms []chat.Room) {
		if len(peer.MatchRooms(rooms, name)) > 0 {
			select {
			case found <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		return chat.Room{}, nil, err
	}
	select {
	case <-found:
	case <-time.After(wait):
	case <-ctx.Done():
		lobby.Close()
		return chat.Room{}, nil, ctx.Err()
	}
	rooms := lobby.Rooms()
	matches := peer.MatchRooms(rooms, name)
	switch len(matches) {
	case 1:
		return matches[0], lobby, nil
	case 0:
		err = noRoomError{fmt.Sprintf("no room named %q on this network (looked for %v)%s", name, wait, listing(rooms))}
	default:
		err = noRoomError{fmt.Sprintf("%d rooms are named %q; join one by its id or address:%s", len(matches), name, listing(matches))}
	}
	lobby.Close()
	return chat.Room{}, nil, err
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
