package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/bench"
)

// TestBenchSmoke runs `parley bench --suite smoke`: real `parley host`
// processes (this test binary as parley) with native and legacy members
// at saturation, the Go reference as its own process, and the Python
// tutorial server at a gentle rate. Every message must reach every member
// exactly once, intact.
func TestBenchSmoke(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatalf("python3 is needed for the tutorial server (make test installs it): %v", err)
	}
	// Two processes in parallel keep this quick.
	groups := [][]string{{"parley-native", "parley-legacy"}, {"goref", "tutorial"}}
	results := make([]string, len(groups))
	procs := make([]*proc, len(groups))
	for i, targets := range groups {
		results[i] = filepath.Join(t.TempDir(), "results.json")
		procs[i] = parley(t, nil, "", "bench", "--suite", "smoke", "--targets", targets[0]+","+targets[1], "--json", results[i])
	}
	for i, p := range procs {
		if code := p.wait(30 * time.Second); code != 0 {
			t.Fatalf("parley bench exited with %d: %s", code, p.stderr.all())
		}
		data, err := os.ReadFile(results[i])
		if err != nil {
			t.Fatal(err)
		}
		var rep bench.Report
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		checkSmoke(t, &rep, groups[i])
	}
}

func checkSmoke(t *testing.T, rep *bench.Report, targets []string) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range rep.Measurements {
		seen[m.Target]++
		name := m.Scenario + "/" + m.Target
		if m.Error != "" {
			t.Errorf("%s failed: %s", name, m.Error)
			continue
		}
		r := m.Result
		receivers := uint64(r.Members - 1)
		if m.Target == "tutorial" || m.Target == "parley-native" {
			receivers++ // these hosts send the sender its own message back
		}
		if r.Sent == 0 || r.Received != r.Sent*receivers || r.Expected != r.Received {
			t.Errorf("%s: received %d, expected %d; want sent %d x %d receivers", name, r.Received, r.Expected, r.Sent, receivers)
		}
		if r.Lost != 0 || r.Duplicated != 0 || r.Garbled != 0 || r.Dropped != 0 || r.SeqGaps != 0 {
			t.Errorf("%s: lost %d, duplicated %d, garbled %d (%q), dropped %d, seq gaps %d",
				name, r.Lost, r.Duplicated, r.Garbled, r.FirstGarbled, r.Dropped, r.SeqGaps)
		}
		if !r.ProcessMeasurement || r.RSSIdleKiB <= 0 || r.DeliveriesPerSec <= 0 {
			t.Errorf("%s: no process figures: %+v", name, r)
		}
	}
	for _, target := range targets {
		if seen[target] == 0 {
			t.Errorf("no measurement of %s", target)
		}
	}
}
