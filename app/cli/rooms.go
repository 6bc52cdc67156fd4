package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/peer"
)

// runRooms lists the rooms on the LAN, like avahi-browse.
func runRooms(args []string, env Env) error {
	fs := newFlags("rooms", env)
	wait := fs.Duration("wait", 2*time.Second, "how long to listen for rooms")
	ifaces := fs.String("iface", "", "comma-separated interfaces to browse on (default: the LAN ones)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	watch := fs.Bool("watch", false, "keep listening; print + and - lines as rooms appear and go")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *wait <= 0 || *wait > time.Minute {
		return usagef("--wait must be between 0 and 1m, got %v", *wait)
	}
	if *watch {
		return watchRooms(env, SplitList(*ifaces))
	}
	rooms, err := peer.FindRooms(context.Background(), SplitList(*ifaces), *wait)
	if err != nil {
		return err
	}
	if *asJSON {
		if rooms == nil {
			rooms = []chat.Room{}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rooms)
	}
	if len(rooms) == 0 {
		fmt.Fprintf(env.Stderr, "No rooms found on this network (listened for %v).\n", *wait)
		return nil
	}
	printRooms(env, rooms)
	return nil
}

func printRooms(env Env, rooms []chat.Room) {
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tHOST\tADDRESS\tID")
	for _, r := range rooms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Host, strings.Join(r.Addrs, ","), r.ID)
	}
	tw.Flush()
}

// watchRooms prints a line per change until interrupted, as avahi-browse
// does: "+" and the room when it appears, "-" when it goes.
func watchRooms(env Env, ifaces []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var mu sync.Mutex
	seen := map[string]chat.Room{}
	lobby, err := peer.OpenLobby(ifaces, newLogger(env), func(rooms []chat.Room) {
		mu.Lock()
		defer mu.Unlock()
		now := map[string]chat.Room{}
		for _, r := range rooms {
			now[r.ID] = r
			if _, ok := seen[r.ID]; !ok {
				fmt.Fprintf(env.Stdout, "+ %s\t%s\t%s\t%s\n", r.Name, r.Host, strings.Join(r.Addrs, ","), r.ID)
			}
		}
		for id, r := range seen {
			if _, ok := now[id]; !ok {
				fmt.Fprintf(env.Stdout, "- %s\t%s\t%s\n", r.Name, r.Host, r.ID)
			}
		}
		seen = now
	})
	if err != nil {
		return err
	}
	<-ctx.Done()
	return lobby.Close()
}
