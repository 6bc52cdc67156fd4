package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
	rooms, err := peer.FindRooms(context.Background(), splitList(*ifaces), *wait)
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
