package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
)

// ReadReport reads a report written by WriteJSON and summarises it again
// (so a newer benchmark can re-render an older run).
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read report %s: %w", path, err)
	}
	r.Summarise()
	return &r, nil
}

// WriteJSON writes the report, indented, to path.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// WriteText writes the report as tables, one per scenario, then the goals.
func (r *Report) WriteText(w io.Writer) {
	m := r.Meta
	fmt.Fprintf(w, "Parley benchmark: %d repetitions, %.1f s measured after %.1f s warm-up, window %d, %d CPUs (%s), %s; took %.0f s.\n",
		m.Reps, m.DurationS, m.WarmupS, m.Window, m.CPUs, m.CPUModel, m.GoVersion, m.Seconds)
	fmt.Fprintf(w, "Figures are medians over the repetitions; ratios are medians of the ratios within each repetition.\n")
	for i, ss := range r.Summary {
		sc := r.Scenarios[i]
		fmt.Fprintf(w, "\n%d. %s\n", i+1, ss.Title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		switch {
		case sc.From != "":
			r.memoryTable(tw, ss)
		case sc.Rate > 0:
			r.latencyTable(tw, ss)
		default:
			r.saturationTable(tw, ss)
		}
		tw.Flush()
		r.writeNoise(w, sc)
		r.writeFailures(w, ss)
		r.writeRatios(w, sc, ss)
		if sc.Stuck {
			r.writeStuck(w, ss)
		}
	}
	fmt.Fprintf(w, "\nTargets\n")
	unknown := 0
	for _, g := range r.Goals {
		if !g.Known {
			unknown++
			continue
		}
		verdict := "MISSED"
		if g.Met {
			verdict = "met"
		}
		fmt.Fprintf(w, "  %-6s %s: %s\n", verdict, g.Text, g.Value)
	}
	if unknown > 0 {
		fmt.Fprintf(w, "  (%d of %d targets need scenarios this run did not include)\n", unknown, len(r.Goals))
	}
}

func f0(s Spread) string { return num(s.Median, 0) }

func num(v float64, prec int) string {
	if math.IsNaN(v) || v == 0 {
		return "-"
	}
	if prec == 0 && v >= 10000 {
		return fmt.Sprintf("%.0fk", v/1000)
	}
	return fmt.Sprintf("%.*f", prec, v)
}

func (r *Report) saturationTable(tw io.Writer, ss ScenarioSummary) {
	fmt.Fprintln(tw, "target\tdeliveries/s\tmsgs/s\tdeliv/CPU-s\thost CPU%\tgen CPU%\tother%\tp50 ms\tp99 ms\tp99.9 ms\tlost\tdup\tgarbled\tdropped\tpeak RSS MiB\t")
	for _, t := range ss.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t\n", t.Label,
			f0(t.DeliveriesPerSec), f0(t.MessagesPerSec), f0(t.DeliveriesPerCPU), f0(t.HostCPUPercent), f0(t.GeneratorCPUPct), f0(t.OtherCPUPct),
			num(t.P50Ms.Median, 1), num(t.P99Ms.Median, 1), num(t.P999Ms.Median, 1),
			t.Lost, t.Duplicated, t.Garbled, t.Dropped, num(t.RSSPeakKiB.Median/1024, 1))
	}
}

func (r *Report) latencyTable(tw io.Writer, ss ScenarioSummary) {
	fmt.Fprintln(tw, "target\tmsgs/s\tdeliveries/s\tp50 ms\tp99 ms\tp99.9 ms\tarrival p50\tarrival p99\tarrival p99.9\thost CPU%\tgen CPU%\tother%\tlost\tdup\tgarbled\tdropped\t")
	for _, t := range ss.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t\n", t.Label,
			f0(t.MessagesPerSec), f0(t.DeliveriesPerSec), num(t.P50Ms.Median, 2), num(t.P99Ms.Median, 2), num(t.P999Ms.Median, 2),
			num(t.ArrivalP50Ms.Median, 2), num(t.ArrivalP99Ms.Median, 2), num(t.ArrivalP999Ms.Median, 2),
			f0(t.HostCPUPercent), f0(t.GeneratorCPUPct), f0(t.OtherCPUPct), t.Lost, t.Duplicated, t.Garbled, t.Dropped)
	}
}

func (r *Report) memoryTable(tw io.Writer, ss ScenarioSummary) {
	fmt.Fprintln(tw, "target\tRSS idle MiB\tKiB per idle member\t(runs: min to max)\t")
	for _, t := range ss.Targets {
		k := t.KiBPerIdleMember
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s to %s\t\n", t.Label, num(t.RSSIdleKiB.Median/1024, 1), num(k.Median, 1), num(k.Min, 1), num(k.Max, 1))
	}
}

// noisyOther is how much of a CPU other work may take during a run
// before the run is pointed out as noisy.
const noisyOther = 25

// writeNoise points out runs during which other work on the machine took
// a good part of a CPU: their figures are less trustworthy.
func (r *Report) writeNoise(w io.Writer, sc Scenario) {
	src := sc.ID
	if sc.From != "" {
		src = sc.From
	}
	noisy, all := 0, 0
	for _, m := range r.Measurements {
		if m.Scenario == src && m.Result != nil {
			all++
			if m.Result.OtherCPUPct > noisyOther {
				noisy++
			}
		}
	}
	if noisy > 0 {
		fmt.Fprintf(w, "  noise: in %d of %d runs other work took more than %d%% of a CPU (other_cpu_percent in the JSON)\n", noisy, all, noisyOther)
	}
}

func (r *Report) writeFailures(w io.Writer, ss ScenarioSummary) {
	for _, t := range ss.Targets {
		if t.Failed > 0 {
			fmt.Fprintf(w, "  %s: %d of %d runs failed: %s\n", t.Label, t.Failed, t.Failed+t.Runs, t.FirstError)
		}
	}
}

// writeRatios compares each Parley target with each other target in the
// scenario, on the scenario's main figure.
func (r *Report) writeRatios(w io.Writer, sc Scenario, ss ScenarioSummary) {
	src := sc.ID
	if sc.From != "" {
		src = sc.From
	}
	f, what := metric(deliveries), "deliveries/s"
	switch {
	case sc.From != "":
		f, what = func(x *Result) float64 { return x.KiBPerIdleMember }, "KiB per idle member"
	case sc.Rate > 0:
		f, what = p99, "p99"
	}
	var parts []string
	for _, a := range ss.Targets {
		if !strings.HasPrefix(a.Target, "parley") {
			continue
		}
		for _, b := range ss.Targets {
			if strings.HasPrefix(b.Target, "parley") {
				continue
			}
			g := r.ratio("", "", [2]string{src, a.Target}, [2]string{src, b.Target}, f, 0, false)
			if g.Ratio != nil {
				parts = append(parts, fmt.Sprintf("%s / %s = %.3gx", a.Label, b.Label, g.Ratio.Median))
			}
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "  %s: %s\n", what, strings.Join(parts, "; "))
	}
}

func (r *Report) writeStuck(w io.Writer, ss ScenarioSummary) {
	for _, t := range ss.Targets {
		for i, st := range t.Stuck {
			cut, closed := "not cut off", fmt.Sprintf("still open %.1f s into the load", st.WatchedMs/1000)
			if st.CapAfterMs >= 0 {
				cut = fmt.Sprintf("cut off %.2f s into the load", st.CapAfterMs/1000)
				closed = fmt.Sprintf("still open %.1f s after the cut", st.WatchedMs/1000)
			}
			if st.DisconnectAfterCapMs >= 0 {
				closed = fmt.Sprintf("closed %.2f s after the cut", st.DisconnectAfterCapMs/1000)
			}
			fmt.Fprintf(w, "  %s, run %d, stuck member: %s, %s, told why: %v (kernel buffers held up to %d KiB; last line %q)\n",
				t.Label, i+1, cut, closed, st.ToldWhy, st.KernelBytes/1024, st.LastLine)
		}
	}
}
