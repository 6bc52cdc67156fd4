package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/parley-lan/parley/backend/peer"
	"github.com/parley-lan/parley/backend/store"
)

// runHost hosts a room and chats from the terminal until interrupted.
func runHost(args []string, env Env) error {
	fs := newFlags("host", env)
	room := fs.String("room", "", "the room's name (required)")
	nick := fs.String("nick", "", "your nickname (default: your login name)")
	port := fs.Int("port", 0, "TCP port to listen on (default: chosen by the system)")
	ifaces := fs.String("iface", "", "comma-separated interfaces to advertise on (default: the LAN ones)")
	noAdvertise := fs.Bool("no-advertise", false, "do not announce the room on the LAN")
	noLegacy := fs.Bool("no-legacy", false, "refuse plain-text (nc, tutorial) clients")
	dbPath := fs.String("db", "", "database for the room's history (default: the user's data directory)")
	keep := fs.Int("keep", 0, fmt.Sprintf("messages to keep per room (default %d)", store.DefaultKeepMessages))
	memory := fs.Bool("memory", false, "keep history in memory only (a restart starts a new room)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q (did you mean --room %q?)", pos[0], pos[0])
	}
	if *room == "" {
		return usagef("--room is required")
	}
	if *port < 0 || *port > 65535 {
		return usagef("--port must be from 1 to 65535 (or 0 for any), got %d", *port)
	}
	if *keep < 0 {
		return usagef("--keep must be positive, got %d", *keep)
	}
	n, err := nickFlag(*nick, env)
	if err != nil {
		return err
	}
	log := newLogger(env)
	db, err := openStore(*dbPath, *keep, *memory, log)
	if err != nil {
		return err
	}
	if db != nil {
		defer db.Close()
	}
	h, err := peer.StartHost(peer.HostConfig{
		RoomName: *room, Nick: n, Port: *port, Interfaces: SplitList(*ifaces), Store: db,
		NoAdvertise: *noAdvertise, NoLegacy: *noLegacy, Logger: log,
	})
	if err != nil {
		return err
	}
	defer h.Close()

	closed := false
	t := &terminal{env: env, you: n, closeRoom: func() { closed = true; h.CloseRoom() }}
	defer t.flushOut() // after the session has ended, below
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	jctx, cancel := peer.JoinTimeout(ctx)
	defer cancel()
	sess, err := peer.Join(jctx, peer.JoinConfig{Addrs: []string{h.LocalAddr()}, Nick: n, HostToken: h.Token(), OnEvent: t.onEvent, Logger: log})
	if err != nil {
		return fmt.Errorf("join own room: %w", err)
	}
	defer sess.Leave()
	printHostBanner(t, h, db)
	err = t.chat(ctx, sess, env.Stdin, chatOptions{})
	if closed {
		t.status("* the room is closed\n")
	} else {
		t.status("* stopping; members will wait for the room to come back (/close closes it for good)\n")
	}
	return err
}

// openStore opens the host's database, unless history is kept in memory.
func openStore(path string, keep int, memory bool, log *slog.Logger) (*store.Store, error) {
	if memory {
		return nil, nil
	}
	if path == "" {
		var err error
		if path, err = store.DefaultPath(); err != nil {
			return nil, fmt.Errorf("%w (use --db PATH, or --memory)", err)
		}
	}
	db, err := store.Open(path, store.Options{KeepMessages: keep, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("%w (use --db to choose another file, or --memory)", err)
	}
	return db, nil
}

// hostPortSpace turns "host:port" into "host port", as nc wants it.
func hostPortSpace(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host + " " + port
}

func printHostBanner(t *terminal, h *peer.Host, db *store.Store) {
	r := h.Room()
	t.status("Hosting %q as %s on port %d.\n", r.Name, r.Host, h.Port())
	if db != nil {
		t.status("History is kept in %s.\n", db.Path())
	} else {
		t.status("History is kept in memory only.\n")
	}
	if err := h.AdvertiseErr(); err != nil {
		t.status("Not announced on the network: %v\n", err)
	} else {
		t.status("People on this network will see it in their room list.\n")
	}
	if addrs := h.Addrs(); len(addrs) > 0 {
		t.status("Invite link: %s   (parley join LINK; plain text: nc %s)\n", peer.InviteLink(addrs[0], r.ID), hostPortSpace(addrs[0]))
		if len(addrs) > 1 {
			t.status("Other addresses: %s\n", strings.Join(addrs[1:], ", "))
		}
	}
	t.status("Type a message and press Enter. Ctrl+C stops hosting (members wait for the room to come back); /close closes it for good.\n")
}
