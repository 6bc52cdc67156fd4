package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-lan/parley/backend/discovery"
)

// runDoctor checks LAN discovery here and says what is wrong, if anything.
func runDoctor(args []string, env Env) error {
	fs := newFlags("doctor", env)
	wait := fs.Duration("wait", discovery.DefaultDiagnoseWait, "how long to listen for this machine's own announcement and for rooms")
	ifaces := fs.String("iface", "", "comma-separated interfaces to check (default: the ones discovery would use)")
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
	ctx, cancel := context.WithTimeout(context.Background(), *wait+10*time.Second)
	defer cancel()
	r, err := discovery.Diagnose(ctx, SplitList(*ifaces), *wait, newLogger(env))
	if err != nil {
		return err
	}
	printReport(env, r)
	return nil
}

func printReport(env Env, r discovery.Report) {
	w := env.Stdout
	fmt.Fprintln(w, "Interfaces:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, i := range r.Interfaces {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", i.Name, ifaceState(i), strings.Join(i.Addrs, " "))
	}
	tw.Flush()
	fmt.Fprintln(w)
	if len(r.Rooms) == 0 {
		fmt.Fprintln(w, "Rooms that answered: none")
	} else {
		fmt.Fprintln(w, "Rooms that answered:")
		for _, s := range r.Rooms {
			here := ""
			if s.Here {
				here = " (hosted here)"
			}
			fmt.Fprintf(w, "  %s, hosted by %s, on %s: %s%s\n", s.Room.Name, s.Room.Host, s.Interface, strings.Join(s.Room.Addrs, ", "), here)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "What this means:")
	for _, h := range r.Hints {
		fmt.Fprintf(w, "  - %s\n", h)
	}
}

// ifaceState summarises an interface in a few words.
func ifaceState(i discovery.IfaceReport) string {
	switch {
	case !i.Used:
		return "not used: " + i.Skipped
	case i.Problem != "":
		return "used, but " + i.Problem
	case i.SelfSeen:
		return fmt.Sprintf("used, hears itself, %d room(s) answered", i.Rooms)
	}
	return fmt.Sprintf("used, does NOT hear itself, %d room(s) answered", i.Rooms)
}
