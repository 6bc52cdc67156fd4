package bench

import (
	"fmt"
	"math"
	"strings"
)

// ScenarioSummary is one scenario's medians per target.
type ScenarioSummary struct {
	ID      string          `json:"id"`
	Title   string          `json:"title"`
	Targets []TargetSummary `json:"targets"`
}

// TargetSummary is one target's figures in one scenario: the median over
// the repetitions, with their range. Counts of damage are totals.
type TargetSummary struct {
	Target           string  `json:"target"`
	Label            string  `json:"label"`
	Runs             int     `json:"runs"`
	Failed           int     `json:"failed"`
	FirstError       string  `json:"first_error,omitempty"`
	DeliveriesPerSec Spread  `json:"deliveries_per_s"`
	MessagesPerSec   Spread  `json:"messages_per_s"`
	DeliveriesPerCPU Spread  `json:"deliveries_per_cpu_s"`
	HostCPUPercent   Spread  `json:"host_cpu_percent"`
	GeneratorCPUPct  Spread  `json:"generator_cpu_percent"`
	OtherCPUPct      Spread  `json:"other_cpu_percent"`
	P50Ms            Spread  `json:"p50_ms"`
	P99Ms            Spread  `json:"p99_ms"`
	P999Ms           Spread  `json:"p999_ms"`
	ArrivalP50Ms     Spread  `json:"arrival_p50_ms"`
	ArrivalP99Ms     Spread  `json:"arrival_p99_ms"`
	ArrivalP999Ms    Spread  `json:"arrival_p999_ms"`
	RSSIdleKiB       Spread  `json:"rss_idle_kib"`
	RSSPeakKiB       Spread  `json:"rss_peak_kib"`
	KiBPerIdleMember Spread  `json:"kib_per_idle_member"`
	Sent             uint64  `json:"sent"`
	Lost             uint64  `json:"lost"`
	Duplicated       uint64  `json:"duplicated"`
	Garbled          uint64  `json:"garbled"`
	Dropped          int     `json:"dropped"`
	HostErrors       uint64  `json:"host_errors"`
	SeqGaps          uint64  `json:"seq_gaps"`
	Stuck            []Stuck `json:"stuck,omitempty"`
}

// results returns the successful results of a scenario for a target, by
// repetition (nil where the run failed).
func (r *Report) results(scenario, target string) map[int]*Result {
	out := map[int]*Result{}
	for _, m := range r.Measurements {
		if m.Scenario == scenario && m.Target == target && m.Result != nil {
			out[m.Rep] = m.Result
		}
	}
	return out
}

// Summarise computes the medians and the goals from the measurements
// (again, for a report read back from JSON).
func (r *Report) Summarise() {
	r.Summary = nil
	for _, sc := range r.Scenarios {
		src := sc.ID
		if sc.From != "" {
			src = sc.From
		}
		ss := ScenarioSummary{ID: sc.ID, Title: sc.Title}
		for _, id := range sc.Targets {
			ss.Targets = append(ss.Targets, r.summariseTarget(src, targetByID(id)))
		}
		r.Summary = append(r.Summary, ss)
	}
	r.Goals = r.goals()
}

func (r *Report) summariseTarget(scenario string, t Target) TargetSummary {
	ts := TargetSummary{Target: t.ID, Label: t.Label}
	var f [15][]float64
	for _, m := range r.Measurements {
		if m.Scenario != scenario || m.Target != t.ID {
			continue
		}
		if m.Result == nil {
			ts.Failed++
			if ts.FirstError == "" {
				ts.FirstError = m.Error
			}
			continue
		}
		res := m.Result
		ts.Runs++
		opt := func(v float64) float64 {
			if !res.ProcessMeasurement {
				return math.NaN()
			}
			return v
		}
		for i, v := range []float64{res.DeliveriesPerSec, res.MessagesPerSec, opt(res.DeliveriesPerCPU), opt(res.HostCPUPercent),
			res.GeneratorCPUPct, res.P50Ms, res.P99Ms, res.P999Ms, opt(res.RSSIdleKiB), opt(res.RSSPeakKiB), opt(res.KiBPerIdleMember), res.OtherCPUPct,
			arrival(res.ArrivalP50Ms), arrival(res.ArrivalP99Ms), arrival(res.ArrivalP999Ms)} {
			f[i] = append(f[i], v)
		}
		ts.Sent += res.Sent
		ts.Lost += res.Lost
		ts.Duplicated += res.Duplicated
		ts.Garbled += res.Garbled
		ts.Dropped += res.Dropped
		ts.HostErrors += res.HostErrors
		ts.SeqGaps += res.SeqGaps
		if res.Stuck != nil {
			ts.Stuck = append(ts.Stuck, *res.Stuck)
		}
	}
	for i, dst := range []*Spread{&ts.DeliveriesPerSec, &ts.MessagesPerSec, &ts.DeliveriesPerCPU, &ts.HostCPUPercent,
		&ts.GeneratorCPUPct, &ts.P50Ms, &ts.P99Ms, &ts.P999Ms, &ts.RSSIdleKiB, &ts.RSSPeakKiB, &ts.KiBPerIdleMember, &ts.OtherCPUPct,
		&ts.ArrivalP50Ms, &ts.ArrivalP99Ms, &ts.ArrivalP999Ms} {
		*dst = SpreadOf(f[i])
	}
	return ts
}

// Goal is one of the targets Parley is held to, and how this run did.
type Goal struct {
	ID    string  `json:"id"`
	Text  string  `json:"text"`
	Value string  `json:"value"`
	Met   bool    `json:"met"`
	Known bool    `json:"known"` // false when the runs needed are missing
	Ratio *Spread `json:"ratio,omitempty"`
}

// metric picks a figure from a result.
type metric func(*Result) float64

func deliveries(r *Result) float64 { return r.DeliveriesPerSec }
func p99(r *Result) float64        { return r.P99Ms }
func arrivalP99(r *Result) float64 { return arrival(r.ArrivalP99Ms) }

// arrival is an arrival latency, NaN (no figure) where none was measured.
func arrival(ms float64) float64 {
	if ms == 0 {
		return math.NaN()
	}
	return ms
}

// ratio is the goal "a is at least (or at most) k times b", judged on the
// median of the per-repetition ratios: only figures from the same run are
// compared, because the machine is shared and noisy.
func (r *Report) ratio(id, text string, a, b [2]string, f metric, k float64, atMost bool) Goal {
	g := Goal{ID: id, Text: text}
	ra, rb := r.results(a[0], a[1]), r.results(b[0], b[1])
	var xs []float64
	for rep, x := range ra {
		if y, ok := rb[rep]; ok {
			if q, ok := Ratio(f(x), f(y)); ok {
				xs = append(xs, q)
			}
		}
	}
	if len(xs) == 0 {
		g.Value = "not measured"
		return g
	}
	sp := SpreadOf(xs)
	g.Ratio, g.Known = &sp, true
	g.Value = fmt.Sprintf("%.3gx (runs: %.3g to %.3g)", sp.Median, sp.Min, sp.Max)
	if atMost {
		g.Met = sp.Median <= k
	} else {
		g.Met = sp.Median >= k
	}
	return g
}

// bound is the goal "the median of f is at most k".
func (r *Report) bound(id, text string, a [2]string, f metric, k float64, unit string) Goal {
	g := Goal{ID: id, Text: text}
	var xs []float64
	for _, x := range r.results(a[0], a[1]) {
		xs = append(xs, f(x))
	}
	if len(xs) == 0 {
		g.Value = "not measured"
		return g
	}
	sp := SpreadOf(xs)
	g.Known, g.Met = true, sp.Median <= k
	g.Value = fmt.Sprintf("%.3g %s (runs: %.3g to %.3g)", sp.Median, unit, sp.Min, sp.Max)
	return g
}

func (r *Report) goals() []Goal {
	pl, pn, pd := "parley-legacy", "parley-native", "parley-native-db"
	gs := []Goal{
		r.ratio("sat100-vs-ref", "legacy saturation 100/10: Parley >= 1.5x the Go reference",
			[2]string{"sat100-legacy", pl}, [2]string{"sat100-legacy", "goref"}, deliveries, 1.5, false),
		r.ratio("sat100-vs-tutorial", "legacy saturation 100/10: Parley >= 2.5x the tutorial server",
			[2]string{"sat100-legacy", pl}, [2]string{"sat100-legacy", "tutorial"}, deliveries, 2.5, false),
		r.intact("sat100-intact", "legacy saturation 100/10: Parley loses and garbles nothing", "sat100-legacy", pl),
		r.ratio("sat100-db-vs-ref", "native saturation 100/10 with persisted history: Parley >= 1x the Go reference's legacy figure",
			[2]string{"sat100-native-db", pd}, [2]string{"sat100-legacy", "goref"}, deliveries, 1, false),
		r.ratio("sat1000-legacy-vs-ref", "1,000 members, 10 senders: Parley (legacy) >= 1.5x the Go reference",
			[2]string{"sat1000", pl}, [2]string{"sat1000", "goref"}, deliveries, 1.5, false),
		r.ratio("sat1000-native-vs-ref", "1,000 members, 10 senders: Parley (native) >= 1.5x the Go reference",
			[2]string{"sat1000", pn}, [2]string{"sat1000", "goref"}, deliveries, 1.5, false),
		r.bound("lat100-p99", "chat load 100 members, 10x10 msg/s: Parley p99 <= 5 ms",
			[2]string{"lat100", pn}, p99, 5, "ms"),
		r.ratio("lat1000-p99-vs-ref", "chat load 1,000 members, 10x10 msg/s: Parley p99 <= 0.7x the Go reference's",
			[2]string{"lat1000", pn}, [2]string{"lat1000", "goref"}, p99, 0.7, true),
		r.ratio("lat1000-arrival-p99-vs-ref", "chat load 1,000 members, 10x10 msg/s: Parley p99 at arrival in the members' sockets <= 0.7x the Go reference's",
			[2]string{"lat1000", pn}, [2]string{"lat1000", "goref"}, arrivalP99, 0.7, true),
		r.bound("idle1000-native", "1,000 idle members: Parley (native) <= 10 KiB RSS each",
			[2]string{"sat1000", pn}, func(x *Result) float64 { return x.KiBPerIdleMember }, 10, "KiB"),
		r.bound("idle1000-legacy", "1,000 idle members: Parley (legacy) <= 10 KiB RSS each",
			[2]string{"sat1000", pl}, func(x *Result) float64 { return x.KiBPerIdleMember }, 10, "KiB"),
		r.ratio("stuck-rate", "stuck member: the others' rate within 5 % of the run without it (ratio >= 0.95)",
			[2]string{"stuck100", pn}, [2]string{"stuck100-base", pn}, deliveries, 0.95, false),
		r.bound("stuck-p999", "stuck member: the others' p99.9 <= 50 ms",
			[2]string{"stuck100", pn}, func(x *Result) float64 { return x.P999Ms }, 50, "ms"),
		r.stuckGoal(),
	}
	return gs
}

// intact is the goal "nothing lost, duplicated or garbled in any run".
func (r *Report) intact(id, text, scenario, target string) Goal {
	g := Goal{ID: id, Text: text}
	res := r.results(scenario, target)
	if len(res) == 0 {
		g.Value = "not measured"
		return g
	}
	var lost, dup, garbled, sent uint64
	for _, x := range res {
		lost, dup, garbled, sent = lost+x.Lost, dup+x.Duplicated, garbled+x.Garbled, sent+x.Sent
	}
	g.Known, g.Met = true, lost == 0 && dup == 0 && garbled == 0
	g.Value = fmt.Sprintf("lost %d, duplicated %d, garbled %d of %d messages sent", lost, dup, garbled, sent)
	return g
}

// stuckGoal: the stuck member is disconnected within 2 s of reaching its
// cap, and its stream ends with the reason, in every run.
func (r *Report) stuckGoal() Goal {
	g := Goal{ID: "stuck-disconnect", Text: "stuck member: disconnected within 2 s of reaching its cap, and told why"}
	res := r.results("stuck100", "parley-native")
	if len(res) == 0 {
		g.Value = "not measured"
		return g
	}
	g.Known, g.Met = true, true
	var parts []string
	for rep := 1; rep <= len(r.Measurements); rep++ {
		x, ok := res[rep]
		if !ok {
			continue
		}
		st := x.Stuck
		if st == nil {
			g.Met = false
			continue
		}
		var p string
		switch {
		case st.CapAfterMs < 0:
			p = "cap never reached"
			g.Met = false
		case st.DisconnectAfterCapMs < 0:
			p = fmt.Sprintf("still connected %.1f s after the cap", st.WatchedMs/1000)
			g.Met = false
		default:
			p = fmt.Sprintf("disconnected %.2f s after the cap", st.DisconnectAfterCapMs/1000)
			g.Met = g.Met && st.DisconnectAfterCapMs <= 2000
		}
		if st.ToldWhy {
			p += ", told why"
		} else {
			p += ", not told why"
			g.Met = false
		}
		parts = append(parts, p)
	}
	g.Value = strings.Join(parts, "; ")
	return g
}
