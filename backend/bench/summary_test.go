package bench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleReport is a report of three repetitions of the legacy saturation
// and chat-load scenarios, with made-up figures.
func sampleReport() *Report {
	rep := &Report{Meta: Meta{Reps: 3, CPUs: 2}, Targets: Targets}
	for _, id := range []string{"sat100-legacy", "lat100"} {
		for _, sc := range AllScenarios {
			if sc.ID == id {
				rep.Scenarios = append(rep.Scenarios, sc)
			}
		}
	}
	add := func(sc, target string, r int, res *Result) {
		res.ProcessMeasurement = true
		rep.Measurements = append(rep.Measurements, Measurement{Scenario: sc, Target: target, Rep: r, Result: res})
	}
	// Parley is 2x, 1x and 1.6x the reference in the three runs; the
	// tutorial's second run failed.
	parley := []float64{4e6, 5e6, 8e6}
	ref := []float64{2e6, 5e6, 5e6}
	for r := 1; r <= 3; r++ {
		add("sat100-legacy", "parley-legacy", r, &Result{DeliveriesPerSec: parley[r-1], Sent: 1000})
		add("sat100-legacy", "goref", r, &Result{DeliveriesPerSec: ref[r-1], Sent: 1000})
		add("lat100", "parley-native", r, &Result{P50Ms: 1, P99Ms: float64(r) * 3, P999Ms: 9, MessagesPerSec: 100})
		add("lat100", "goref", r, &Result{P50Ms: 1, P99Ms: 2, P999Ms: 3, MessagesPerSec: 100})
	}
	add("sat100-legacy", "tutorial", 1, &Result{DeliveriesPerSec: 1e6, Lost: 5, Garbled: 5})
	rep.Measurements = append(rep.Measurements, Measurement{Scenario: "sat100-legacy", Target: "tutorial", Rep: 2, Error: "boom"})
	add("sat100-legacy", "tutorial", 3, &Result{DeliveriesPerSec: 2e6, Lost: 1, Garbled: 2})
	rep.Summarise()
	return rep
}

func goal(t *testing.T, rep *Report, id string) Goal {
	t.Helper()
	for _, g := range rep.Goals {
		if g.ID == id {
			return g
		}
	}
	t.Fatalf("no goal %q", id)
	return Goal{}
}

func TestGoalsUseRatiosWithinEachRun(t *testing.T) {
	rep := sampleReport()
	// Per-run ratios 2, 1, 1.6: median 1.6. (The ratio of the medians,
	// 5e6/5e6, would be 1.)
	g := goal(t, rep, "sat100-vs-ref")
	if !g.Known || g.Ratio == nil || g.Ratio.Median != 1.6 || !g.Met {
		t.Errorf("sat100-vs-ref = %+v, want median ratio 1.6, met", g)
	}
	// Only runs 1 and 3 have a tutorial figure: ratios 4 and 4.
	g = goal(t, rep, "sat100-vs-tutorial")
	if g.Ratio == nil || g.Ratio.Median != 4 || g.Ratio.N != 2 || !g.Met {
		t.Errorf("sat100-vs-tutorial = %+v, want 4 over 2 runs, met", g)
	}
	g = goal(t, rep, "sat100-intact")
	if !g.Known || !g.Met {
		t.Errorf("sat100-intact = %+v, want met", g)
	}
	// p99 of 3, 6, 9 ms: median 6 > 5.
	if g := goal(t, rep, "lat100-p99"); !g.Known || g.Met || !strings.HasPrefix(g.Value, "6 ms") {
		t.Errorf("lat100-p99 = %+v, want 6 ms, missed", g)
	}
	if g := goal(t, rep, "sat1000-legacy-vs-ref"); g.Known || g.Met || g.Value != "not measured" {
		t.Errorf("sat1000 goal without runs = %+v, want not measured", g)
	}
}

func TestSummaryMediansAndFailures(t *testing.T) {
	rep := sampleReport()
	ss := rep.Summary[0]
	var tut, parley TargetSummary
	for _, ts := range ss.Targets {
		switch ts.Target {
		case "tutorial":
			tut = ts
		case "parley-legacy":
			parley = ts
		}
	}
	if parley.DeliveriesPerSec != (Spread{Median: 5e6, Min: 4e6, Max: 8e6, N: 3}) {
		t.Errorf("parley deliveries = %+v", parley.DeliveriesPerSec)
	}
	if tut.Runs != 2 || tut.Failed != 1 || tut.FirstError != "boom" || tut.Lost != 6 || tut.Garbled != 7 {
		t.Errorf("tutorial summary = %+v", tut)
	}
}

func TestReportTextAndJSON(t *testing.T) {
	rep := sampleReport()
	var b bytes.Buffer
	rep.WriteText(&b)
	out := b.String()
	for _, want := range []string{"Saturation, 100 members", "Parley, legacy clients", "1 of 3 runs failed: boom", "Targets", "met", "MISSED", "targets need scenarios this run did not include"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := rep.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("JSON does not read back: %v", err)
	}
	if len(back.Measurements) != len(rep.Measurements) || len(back.Goals) != len(rep.Goals) {
		t.Errorf("JSON round trip lost measurements or goals")
	}
}

func TestPlan(t *testing.T) {
	s := &Suite{Scenarios: []string{"idle1000"}}
	s.defaults()
	report, run, err := s.plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(report) != 1 || len(run) != 1 || run[0].ID != "sat1000" || len(run[0].Targets) != 3 {
		t.Errorf("plan for idle1000: report %v, run %+v; want sat1000 run for its 3 targets", report, run)
	}
	s = &Suite{}
	s.defaults()
	_, run, _ = s.plan()
	for _, sc := range run {
		if sc.From != "" {
			t.Errorf("derived scenario %s is run", sc.ID)
		}
	}
	s = &Suite{Scenarios: []string{"nope"}}
	if _, _, err := s.plan(); err == nil {
		t.Errorf("unknown scenario accepted")
	}
}

func TestRotate(t *testing.T) {
	xs := []string{"a", "b", "c"}
	if got := strings.Join(rotate(xs, 4), ""); got != "bca" {
		t.Errorf("rotate by 4 = %s, want bca", got)
	}
}
