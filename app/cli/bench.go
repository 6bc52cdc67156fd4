package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/parley-lan/parley/backend/bench"
)

// runBench is `parley bench`: a load test of a room the user hosts, or
// (--suite) the benchmark of docs/performance.md. Two modes are for the
// suite's own use and not listed: --serve-reference ADDR runs the Go
// reference server, and --run-host [--cpuprofile FILE] -- ARGS runs
// `parley host ARGS` with a CPU profile.
func runBench(args []string, env Env) error {
	if len(args) > 0 {
		switch args[0] {
		case "--serve-reference", "-serve-reference":
			return serveReference(args[1:], env)
		case "--run-host", "-run-host":
			return runProfiledHost(args[1:], env)
		}
	}
	fs := newFlags("bench", env)
	members := fs.Int("members", 100, "members to connect")
	senders := fs.Int("senders", 10, "how many of them send")
	rate := fs.Float64("rate", 0, "messages per second per sender (0: as fast as the room takes them)")
	duration := fs.Duration("duration", 5*time.Second, "how long to measure")
	warmup := fs.Duration("warmup", 500*time.Millisecond, "load before measuring")
	legacy := fs.Bool("legacy", false, "speak the plain-text protocol (as nc) instead of Parley's")
	window := fs.Int("window", 0, fmt.Sprintf("saturation: messages in flight per sender (default %d)", bench.DefaultWindow))
	jsonOut := fs.String("json", "", "write the results as JSON to `FILE`")
	suite := fs.String("suite", "", "run the benchmark suite instead: \"default\", \"smoke\" or scenario ids (comma-separated)")
	reps := fs.Int("reps", 5, "suite: repetitions")
	targets := fs.String("targets", "", "suite: only these targets (comma-separated)")
	svgOut := fs.String("svg", "", "suite: write the chart to `FILE`")
	stuckWatch := fs.Duration("stuck-watch", 3*time.Second, "suite: how long to wait for a stuck member's disconnection after the host cut it off")
	profiles := fs.String("cpuprofile", "", "suite: write CPU profiles of the Parley hosts into `DIR`")
	genProfile := fs.String("genprofile", "", "write a CPU profile of the load generator to `FILE`")
	from := fs.String("from", "", "instead of running, print the tables of a report saved with --json (--svg, --json: write its chart, rewrite it)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: parley bench HOST:PORT [flags]
       parley bench --suite default|smoke|SCENARIO,... [flags]

Load-tests a room: --members members join HOST:PORT, --senders of them send
(at --rate messages per second each, or as fast as the room takes them), and
the delivery rate, latency and any lost, duplicated or damaged message are
printed. Only run it against a room you host: it fills the room with
members and floods it. --suite runs the benchmark of docs/performance.md
on this machine (its own hosts, on 127.0.0.1).

`)
		fs.PrintDefaults()
	}
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *from != "" {
		return rerender(*from, *jsonOut, *svgOut, env)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *genProfile != "" {
		f, err := os.Create(*genProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *suite != "" {
		if *profiles != "" {
			if err := os.MkdirAll(*profiles, 0o755); err != nil {
				return err
			}
		}
		if len(pos) > 0 {
			return usagef("--suite runs its own hosts; leave out %q", pos[0])
		}
		s := &bench.Suite{
			Reps: *reps, Window: *window, Targets: SplitList(*targets), Log: env.Stderr,
			Programs: bench.Programs{CPUProfileDir: *profiles},
		}
		if set["duration"] {
			s.Duration = *duration
		}
		if set["warmup"] {
			s.Warmup = *warmup
		}
		if set["stuck-watch"] {
			s.StuckWatch = *stuckWatch
		}
		return runSuite(ctx, s, *suite, set["reps"], *jsonOut, *svgOut, env)
	}
	if len(pos) != 1 {
		return usagef("give the room's address: parley bench HOST:PORT (or --suite)")
	}
	proto := bench.Native
	if *legacy {
		proto = bench.Legacy
	}
	cfg := bench.LoadConfig{
		Addr: pos[0], Proto: proto, Members: *members, Senders: *senders, Rate: *rate,
		Duration: *duration, Warmup: *warmup, Window: *window, Echo: proto == bench.Native,
		Progress: func(format string, args ...any) { fmt.Fprintf(env.Stderr, "* "+format+"\n", args...) },
	}
	return runOne(ctx, cfg, *jsonOut, env)
}

// runOne measures a room somebody runs elsewhere: no process figures.
func runOne(ctx context.Context, cfg bench.LoadConfig, jsonOut string, env Env) error {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return usagef("%q is not HOST:PORT", cfg.Addr)
	}
	fmt.Fprintf(env.Stderr, "* %d members (%d sending) join %s for %v: only do this to a room you host.\n",
		cfg.Members, cfg.Senders, cfg.Addr, cfg.Warmup+cfg.Duration)
	res, err := bench.Run(ctx, cfg)
	if errors.Is(err, context.Canceled) {
		return errors.New("interrupted")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "deliveries/s  %.0f  (a message reaching one member)\n", res.DeliveriesPerSec)
	fmt.Fprintf(env.Stdout, "messages/s    %.0f\n", res.MessagesPerSec)
	fmt.Fprintf(env.Stdout, "latency       p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%d samples)\n",
		res.P50Ms, res.P99Ms, res.P999Ms, res.MaxMs, res.LatencySamples)
	fmt.Fprintf(env.Stdout, "sent %d, lost %d, duplicated %d, garbled %d, members dropped %d\n",
		res.Sent, res.Lost, res.Duplicated, res.Garbled, res.Dropped)
	if res.FirstGarbled != "" {
		fmt.Fprintf(env.Stdout, "first garbled line: %q\n", res.FirstGarbled)
	}
	if jsonOut != "" {
		return writeJSONFile(jsonOut, res)
	}
	return nil
}

func runSuite(ctx context.Context, s *bench.Suite, which string, repsSet bool, jsonOut, svgOut string, env Env) error {
	switch which {
	case "default":
	case "smoke":
		s.Scenarios = []string{"smoke", "smoke-paced"}
		if !repsSet {
			s.Reps = 1
		}
		if s.Duration == 0 {
			s.Duration = 500 * time.Millisecond
		}
		if s.Warmup == 0 {
			s.Warmup = 200 * time.Millisecond
		}
	default:
		s.Scenarios = SplitList(which)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	s.Programs.Parley = []string{exe}
	rep, err := s.Run(ctx)
	if errors.Is(err, context.Canceled) {
		err = errors.New("interrupted; the report covers the runs that finished")
	}
	if rep == nil {
		return err
	}
	if werr := writeReport(rep, jsonOut, svgOut, env); werr != nil {
		return werr
	}
	return err
}

// writeReport prints a report's tables and writes its JSON and chart, if
// asked for.
func writeReport(rep *bench.Report, jsonOut, svgOut string, env Env) error {
	rep.WriteText(env.Stdout)
	if jsonOut != "" {
		if err := rep.WriteJSON(jsonOut); err != nil {
			return err
		}
	}
	if svgOut != "" {
		return rep.WriteSVG(svgOut)
	}
	return nil
}

// rerender prints a saved report with this version's tables and goals.
func rerender(path, jsonOut, svgOut string, env Env) error {
	rep, err := bench.ReadReport(path)
	if err != nil {
		return err
	}
	return writeReport(rep, jsonOut, svgOut, env)
}

// serveReference runs the Go reference server on a loopback address until
// interrupted.
func serveReference(args []string, env Env) error {
	if len(args) != 1 {
		return usagef("--serve-reference 127.0.0.1:PORT")
	}
	host, _, err := net.SplitHostPort(args[0])
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return usagef("--serve-reference: %q is not a loopback address", args[0])
	}
	ln, err := net.Listen("tcp", args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "listening on %s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	s := &bench.RefServer{Logger: slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	return s.Serve(ln)
}

// runProfiledHost is `parley host` with a CPU profile: --cpuprofile FILE
// -- HOST ARGS.
func runProfiledHost(args []string, env Env) error {
	var file string
	if len(args) >= 2 && strings.TrimLeft(args[0], "-") == "cpuprofile" {
		file, args = args[1], args[2:]
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 || args[0] != "host" {
		return usagef("--run-host [--cpuprofile FILE] -- host ARGS")
	}
	if file != "" {
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	err := runHost(args[1:], env)
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
