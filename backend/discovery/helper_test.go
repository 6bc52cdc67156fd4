package discovery

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

// Namespace tests re-execute the test binary inside netlab namespaces; the
// copy reads its role from helperEnv and its arguments, as JSON, from
// argsEnv, and reports on stdout as JSON lines (helperMsg). Only these
// helpers ever advertise or browse for real: the test process itself stays
// in the default namespace and never opens an mDNS socket.
const (
	helperEnv = "PARLEY_DISCOVERY_HELPER"
	argsEnv   = "PARLEY_DISCOVERY_ARGS"
	// helperLife bounds every helper process.
	helperLife = 60 * time.Second
)

// helperArgs configures a helper.
type helperArgs struct {
	Rooms  []chat.Room   `json:"rooms,omitempty"`  // advertise, announce: one each
	Port   int           `json:"port,omitempty"`   // port of Rooms[0], then +1...; listen: the port
	Ifaces []string      `json:"ifaces,omitempty"` // nil: the default interfaces (browse: followed as they change)
	Cycle  time.Duration `json:"cycle,omitempty"`  // browse
	Wait   time.Duration `json:"wait,omitempty"`   // lookup, diagnose
	Poll   time.Duration `json:"poll,omitempty"`   // announce
	Addrs  []string      `json:"addrs,omitempty"`  // dial
	Count  int           `json:"count,omitempty"`  // reopen: sockets to open
}

// helperMsg is one line of a helper's report.
type helperMsg struct {
	Event      string            `json:"event"` // advertising, closed, started, rooms, done, listening, dialed, report, error
	Rooms      []chat.Room       `json:"rooms,omitempty"`
	Links      []Link            `json:"links,omitempty"`
	Dialed     map[string]string `json:"dialed,omitempty"` // address → "ok" or the error
	Report     *Report           `json:"report,omitempty"`
	Goroutines int               `json:"goroutines,omitempty"` // after Run or Lookup returned
	Baseline   int               `json:"baseline,omitempty"`   // before it started
	Elapsed    float64           `json:"elapsed_ms,omitempty"`
	Counts     map[string]int    `json:"counts,omitempty"` // flood, reopen: packets sent, heard
	Err        string            `json:"err,omitempty"`
}

func TestMain(m *testing.M) {
	role := os.Getenv(helperEnv)
	if role == "" {
		os.Exit(m.Run())
	}
	var args helperArgs
	err := json.Unmarshal([]byte(os.Getenv(argsEnv)), &args)
	if err == nil {
		err = runHelper(role, args)
	}
	if err != nil {
		report(helperMsg{Event: "error", Err: err.Error()})
		os.Exit(1)
	}
	os.Exit(0)
}

func runHelper(role string, args helperArgs) error {
	ctx, cancel := context.WithTimeout(context.Background(), helperLife)
	defer cancel()
	stop := stdinClosed(cancel)
	switch role {
	case "advertise":
		return helperAdvertise(ctx, stop, args)
	case "browse":
		return helperBrowse(ctx, args)
	case "lookup":
		return helperLookup(ctx, args)
	case "announce":
		return helperAnnounce(ctx, stop, args)
	case "listen":
		return helperListen(ctx, args)
	case "dial":
		return helperDial(args)
	case "diagnose":
		return helperDiagnose(ctx, args)
	case "holdport":
		return helperHoldPort(ctx)
	case "zcadvertise":
		return helperZCAdvertise(ctx, args)
	case "zcbrowse":
		return helperZCBrowse(ctx, args)
	case "flood":
		return helperFlood(ctx, args)
	case "reopen":
		return helperReopen(ctx, args)
	}
	return fmt.Errorf("unknown helper role %q", role)
}

// stdinClosed returns a channel closed when stdin says "stop" or ends; it
// also cancels the helper's context then.
func stdinClosed(cancel func()) <-chan struct{} {
	stop := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() && sc.Text() != "stop" {
		}
		close(stop)
		cancel()
	}()
	return stop
}

func report(m helperMsg) {
	b, _ := json.Marshal(m)
	fmt.Println(string(b))
}

func helperLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// helperAdvertise advertises args.Rooms until stop, then closes them and
// says "closed".
func helperAdvertise(ctx context.Context, stop <-chan struct{}, args helperArgs) error {
	ifaces, err := Interfaces(args.Ifaces)
	if err != nil {
		return err
	}
	var ads []*Advertiser
	var links []Link
	for i, room := range args.Rooms {
		a, err := Advertise(room, args.Port+i, ifaces, helperLogger())
		if err != nil {
			return err
		}
		ads = append(ads, a)
		links = a.Links()
	}
	report(helperMsg{Event: "advertising", Links: links})
	select {
	case <-stop:
	case <-ctx.Done():
	}
	for _, a := range ads {
		a.Close()
		a.Close() // idempotent
	}
	report(helperMsg{Event: "closed"})
	return nil
}

// helperBrowse runs a Browser, reporting every change, until stdin stops
// it; then it reports how many goroutines are left. Without args.Ifaces
// the Browser follows the interfaces (nil Ifaces).
func helperBrowse(ctx context.Context, args helperArgs) error {
	var ifaces []net.Interface
	if args.Ifaces != nil {
		var err error
		if ifaces, err = Interfaces(args.Ifaces); err != nil {
			return err
		}
	}
	base := runtime.NumGoroutine()
	b := &Browser{Ifaces: ifaces, Cycle: args.Cycle, Logger: helperLogger()}
	report(helperMsg{Event: "started"})
	start := time.Now()
	err := b.Run(ctx, func(rooms []chat.Room) {
		report(helperMsg{Event: "rooms", Rooms: rooms, Elapsed: ms(time.Since(start))})
	})
	if err != nil {
		return err
	}
	report(helperMsg{Event: "done", Goroutines: settle(base), Baseline: base})
	return nil
}

// helperLookup runs Lookup once and reports the rooms and goroutines.
func helperLookup(ctx context.Context, args helperArgs) error {
	ifaces, err := Interfaces(args.Ifaces)
	if err != nil {
		return err
	}
	base := runtime.NumGoroutine()
	start := time.Now()
	rooms, err := Lookup(ctx, ifaces, args.Wait)
	if err != nil {
		return err
	}
	report(helperMsg{Event: "rooms", Rooms: rooms, Elapsed: ms(time.Since(start)),
		Goroutines: settle(base), Baseline: base})
	return nil
}

// settle waits up to 2 s for the goroutine count to fall back to base and
// returns the last count.
func settle(base int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 200 && n > base; i++ {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
