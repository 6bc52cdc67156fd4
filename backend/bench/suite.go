package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Programs says how to start the hosts the suite measures.
type Programs struct {
	// Parley is the command that runs the parley binary (its "host" and
	// "bench --serve-reference" subcommands are used).
	Parley []string
	// Env is added to the environment of every process started.
	Env []string
	// Python runs the tutorial server; "" means "python3".
	Python string
	// CPUProfileDir, if set, gets a CPU profile of every Parley host.
	CPUProfileDir string
}

// Suite runs the scenarios against the targets, Reps times, interleaved:
// each repetition runs every scenario against every target before the
// next begins, so slow drifts of a shared machine hit all alike.
type Suite struct {
	Programs Programs
	// Reps is the number of repetitions; zero means 5.
	Reps int
	// Duration is each measurement's measured part; zero means 3 s.
	// Warmup precedes it; zero means 0.5 s.
	Duration, Warmup time.Duration
	// Window is the saturating senders' window; zero means DefaultWindow.
	Window int
	// StuckWatch is how long to watch for a stuck member's disconnection
	// after the host cut it off; zero means 3 s.
	StuckWatch time.Duration
	// Scenarios selects scenarios by id; empty means DefaultScenarios.
	Scenarios []string
	// Targets, if not empty, keeps only these targets.
	Targets []string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Scenario is one situation measured against several targets.
type Scenario struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Members int      `json:"members"`
	Senders int      `json:"senders"`
	Rate    float64  `json:"rate_per_sender,omitempty"` // 0: saturation
	Stuck   bool     `json:"stuck,omitempty"`
	Targets []string `json:"targets"`
	// From names the scenario whose runs this one reads (idle memory is
	// measured during the 1,000-member runs' idle phase).
	From string `json:"from,omitempty"`
}

// Target is a host under test.
type Target struct {
	ID    string   `json:"id"`
	Label string   `json:"label"`
	Proto Protocol `json:"proto"`
	Echo  bool     `json:"echo"`
}

// Targets lists every host the suite knows.
var Targets = []Target{
	{ID: "parley-legacy", Label: "Parley, legacy clients", Proto: Legacy},
	{ID: "parley-native", Label: "Parley, native clients", Proto: Native, Echo: true},
	{ID: "parley-native-db", Label: "Parley, native, --db", Proto: Native, Echo: true},
	{ID: "goref", Label: "Go reference", Proto: Legacy},
	{ID: "tutorial", Label: "Tutorial (Python)", Proto: Legacy, Echo: true},
}

// AllScenarios lists every scenario; DefaultScenarios are the ones make
// bench runs.
var AllScenarios = []Scenario{
	{ID: "sat100-legacy", Title: "Saturation, 100 members, 10 senders, legacy text", Members: 100, Senders: 10,
		Targets: []string{"parley-legacy", "goref", "tutorial"}},
	{ID: "sat100-native-db", Title: "Saturation, 100 members, 10 senders, native, persisted history", Members: 100, Senders: 10,
		Targets: []string{"parley-native-db"}},
	{ID: "sat1000", Title: "Saturation, 1,000 members, 10 senders", Members: 1000, Senders: 10,
		Targets: []string{"parley-legacy", "parley-native", "goref", "tutorial"}},
	{ID: "lat100", Title: "Chat load, 100 members, 10 senders x 10 msg/s", Members: 100, Senders: 10, Rate: 10,
		Targets: []string{"parley-native", "goref"}},
	{ID: "lat1000", Title: "Chat load, 1,000 members, 10 senders x 10 msg/s", Members: 1000, Senders: 10, Rate: 10,
		Targets: []string{"parley-native", "goref"}},
	{ID: "idle1000", Title: "Memory, 1,000 idle members", Members: 1000, From: "sat1000",
		Targets: []string{"parley-native", "parley-legacy", "goref"}},
	{ID: "stuck100-base", Title: "Saturation, 100 members, 10 senders, nobody stuck", Members: 100, Senders: 10,
		Targets: []string{"parley-native", "goref"}},
	{ID: "stuck100", Title: "Saturation, 100 members, 10 senders, plus one that never reads", Members: 100, Senders: 10, Stuck: true,
		Targets: []string{"parley-native", "goref"}},
	// Quick checks that every target works (go test, --suite smoke): the
	// tutorial server garbles lines at saturation (it relays raw recv
	// chunks), so its check runs at a gentle rate where it should not.
	{ID: "smoke", Title: "Smoke: 5 members, 2 senders, saturation", Members: 5, Senders: 2,
		Targets: []string{"parley-native", "parley-legacy", "goref"}},
	{ID: "smoke-paced", Title: "Smoke: 5 members, 2 senders x 50 msg/s", Members: 5, Senders: 2, Rate: 50,
		Targets: []string{"tutorial", "parley-native", "goref"}},
}

// DefaultScenarios is what `parley bench --suite` and make bench run.
var DefaultScenarios = []string{"sat100-legacy", "sat100-native-db", "sat1000", "lat100", "lat1000", "idle1000", "stuck100-base", "stuck100"}

// Measurement is one run of one scenario against one target.
type Measurement struct {
	Scenario string  `json:"scenario"`
	Target   string  `json:"target"`
	Rep      int     `json:"rep"`
	Seconds  float64 `json:"seconds"`
	Error    string  `json:"error,omitempty"`
	Result   *Result `json:"result,omitempty"`
}

// Meta describes the machine and the settings of a suite run.
type Meta struct {
	Started    time.Time `json:"started"`
	Seconds    float64   `json:"seconds"`
	GoVersion  string    `json:"go_version"`
	CPUs       int       `json:"cpus"`
	CPUModel   string    `json:"cpu_model,omitempty"`
	Kernel     string    `json:"kernel,omitempty"`
	Reps       int       `json:"reps"`
	DurationS  float64   `json:"duration_s"`
	WarmupS    float64   `json:"warmup_s"`
	Window     int       `json:"window"`
	StuckWatch float64   `json:"stuck_watch_s"`
}

// Report is a suite run: every measurement, the medians and the goals.
type Report struct {
	Meta         Meta              `json:"meta"`
	Scenarios    []Scenario        `json:"scenarios"`
	Targets      []Target          `json:"targets"`
	Measurements []Measurement     `json:"measurements"`
	Summary      []ScenarioSummary `json:"summary"`
	Goals        []Goal            `json:"goals"`
}

func (s *Suite) defaults() {
	if s.Reps <= 0 {
		s.Reps = 5
	}
	if s.Duration <= 0 {
		s.Duration = 3 * time.Second
	}
	if s.Warmup <= 0 {
		s.Warmup = 500 * time.Millisecond
	}
	if s.Window <= 0 {
		s.Window = DefaultWindow
	}
	if s.StuckWatch <= 0 {
		s.StuckWatch = 3 * time.Second
	}
	if len(s.Scenarios) == 0 {
		s.Scenarios = DefaultScenarios
	}
	if s.Programs.Python == "" {
		s.Programs.Python = "python3"
	}
	if s.Log == nil {
		s.Log = io.Discard
	}
}

func (s *Suite) logf(format string, args ...any) {
	fmt.Fprintf(s.Log, format+"\n", args...)
}

// plan returns the scenarios to report and the ones to run.
func (s *Suite) plan() (report, run []Scenario, err error) {
	byID := map[string]Scenario{}
	for _, sc := range AllScenarios {
		byID[sc.ID] = sc
	}
	for _, id := range s.Scenarios {
		sc, ok := byID[id]
		if !ok {
			return nil, nil, fmt.Errorf("no scenario %q", id)
		}
		if len(s.Targets) > 0 {
			sc.Targets = slices.DeleteFunc(slices.Clone(sc.Targets), func(t string) bool { return !slices.Contains(s.Targets, t) })
		}
		report = append(report, sc)
	}
	for _, sc := range report {
		if sc.From == "" {
			run = append(run, sc)
			continue
		}
		// A derived scenario needs its source's runs of its targets.
		src := byID[sc.From]
		i := slices.IndexFunc(run, func(r Scenario) bool { return r.ID == src.ID })
		if i < 0 && !slices.ContainsFunc(report, func(r Scenario) bool { return r.ID == src.ID }) {
			src.Targets = nil
			run = append(run, src)
			i = len(run) - 1
		}
		if i >= 0 {
			for _, t := range sc.Targets {
				if !slices.Contains(run[i].Targets, t) {
					run[i].Targets = append(run[i].Targets, t)
				}
			}
		}
	}
	return report, run, nil
}

// Run runs the suite. It returns the report so far with the error if ctx
// ends early.
func (s *Suite) Run(ctx context.Context) (*Report, error) {
	s.defaults()
	report, plan, err := s.plan()
	if err != nil {
		return nil, err
	}
	most := 0
	for _, sc := range plan {
		most = max(most, sc.Members+1)
	}
	// Before any host starts: they inherit the limit.
	if err := raiseFileLimit(uint64(2*most + 256)); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "parley-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	rep := &Report{Meta: s.meta(), Scenarios: report, Targets: Targets}
	total := 0
	for _, sc := range plan {
		total += len(sc.Targets) * s.Reps
	}
	n := 0
	for r := range s.Reps {
		for _, sc := range plan {
			for _, id := range rotate(sc.Targets, r) {
				n++
				if ctx.Err() != nil {
					break
				}
				s.logf("[%d/%d] rep %d, %s, %s", n, total, r+1, sc.ID, id)
				m := s.measure(ctx, sc, targetByID(id), r, tmp)
				if m.Error != "" {
					s.logf("    failed: %s", m.Error)
				} else {
					s.logf("    %s", brief(m.Result))
				}
				rep.Measurements = append(rep.Measurements, m)
			}
		}
	}
	rep.Meta.Seconds = time.Since(rep.Meta.Started).Seconds()
	rep.Summarise()
	return rep, ctx.Err()
}

func rotate(xs []string, k int) []string {
	if len(xs) == 0 {
		return nil
	}
	k %= len(xs)
	return append(slices.Clone(xs[k:]), xs[:k]...)
}

func targetByID(id string) Target {
	for _, t := range Targets {
		if t.ID == id {
			return t
		}
	}
	panic("bench: unknown target " + id)
}

func brief(r *Result) string {
	s := fmt.Sprintf("%.0f deliveries/s, %.0f msg/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, lost %d, dup %d, garbled %d",
		r.DeliveriesPerSec, r.MessagesPerSec, r.P50Ms, r.P99Ms, r.P999Ms, r.Lost, r.Duplicated, r.Garbled)
	if r.ProcessMeasurement {
		s += fmt.Sprintf(", host CPU %.0f%%, gen CPU %.0f%%, other %.0f%%, %.1f KiB/idle member", r.HostCPUPercent, r.GeneratorCPUPct, r.OtherCPUPct, r.KiBPerIdleMember)
	}
	if r.Dropped > 0 {
		s += fmt.Sprintf(", %d dropped", r.Dropped)
	}
	if st := r.Stuck; st != nil {
		s += fmt.Sprintf(", stuck: cap at %.0f ms, disconnected %.0f ms after, told why %v", st.CapAfterMs, st.DisconnectAfterCapMs, st.ToldWhy)
	}
	return s
}

// measure starts the target, runs the scenario against it, and stops it.
func (s *Suite) measure(ctx context.Context, sc Scenario, t Target, rep int, tmp string) (m Measurement) {
	m = Measurement{Scenario: sc.ID, Target: t.ID, Rep: rep + 1}
	began := time.Now()
	defer func() { m.Seconds = time.Since(began).Seconds() }()
	p, err := s.start(ctx, t, fmt.Sprintf("%s-%s-r%d", sc.ID, t.ID, rep+1), tmp)
	if err != nil {
		m.Error = err.Error()
		return m
	}
	defer p.Stop()
	time.Sleep(100 * time.Millisecond) // let it settle before measuring its memory
	cfg := LoadConfig{
		Addr: p.Addr, Proto: t.Proto, Echo: t.Echo, Host: p,
		Members: sc.Members, Senders: max(sc.Senders, 1), Rate: sc.Rate, Stuck: sc.Stuck,
		Window: s.Window, Warmup: s.Warmup, Duration: s.Duration, StuckWatch: s.StuckWatch,
		Progress: func(format string, args ...any) { s.logf("    "+format, args...) },
	}
	res, err := Run(ctx, cfg)
	if err != nil {
		m.Error = err.Error()
		if p.Exited() {
			m.Error += " (host exited: " + p.Tail(5) + ")"
		}
		return m
	}
	m.Result = res
	return m
}

var (
	parleyReady = regexp.MustCompile(`on port (\d+)\.`)
	refReady    = regexp.MustCompile(`listening on 127\.0\.0\.1:(\d+)`)
)

// start launches target t on a port of 127.0.0.1 chosen by the system.
func (s *Suite) start(ctx context.Context, t Target, tag, tmp string) (*Process, error) {
	pr := s.Programs
	switch t.ID {
	case "goref":
		argv := append(slices.Clone(pr.Parley), "bench", "--serve-reference", "127.0.0.1:0")
		return StartProcess(ctx, ProcSpec{Name: "go reference", Argv: argv, Env: pr.Env, Ready: refReady})
	case "tutorial":
		script, err := WriteTutorialServer(tmp)
		if err != nil {
			return nil, err
		}
		argv := []string{pr.Python, script, "127.0.0.1", "0"}
		return StartProcess(ctx, ProcSpec{Name: "tutorial server", Argv: argv, Env: pr.Env, Ready: refReady, Dir: tmp})
	}
	host := []string{"host", "--no-advertise", "--room", "bench", "--nick", "host", "--port", "0"}
	if t.ID == "parley-native-db" {
		host = append(host, "--db", filepath.Join(tmp, tag+".db"))
	} else {
		host = append(host, "--memory")
	}
	argv := slices.Clone(pr.Parley)
	if pr.CPUProfileDir != "" {
		argv = append(argv, "bench", "--run-host", "--cpuprofile", filepath.Join(pr.CPUProfileDir, tag+".prof"), "--")
	}
	argv = append(argv, host...)
	env := append(slices.Clone(pr.Env), "XDG_DATA_HOME="+filepath.Join(tmp, "data"))
	return StartProcess(ctx, ProcSpec{Name: "parley host", Argv: argv, Env: env, Ready: parleyReady, DiscardStdout: true})
}

func (s *Suite) meta() Meta {
	m := Meta{
		Started: time.Now(), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
		Reps: s.Reps, DurationS: s.Duration.Seconds(), WarmupS: s.Warmup.Seconds(), Window: s.Window,
		StuckWatch: s.StuckWatch.Seconds(),
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}
