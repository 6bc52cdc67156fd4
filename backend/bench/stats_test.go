package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ten := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	thousand := make([]float64, 1000)
	for i := range thousand {
		thousand[i] = float64(i + 1)
	}
	tests := []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"empty", nil, 50, 0},
		{"single", []float64{7}, 99.9, 7},
		{"p50 of ten", ten, 50, 5},
		{"p10 of ten", ten, 10, 1},
		{"p11 of ten rounds up", ten, 11, 2},
		{"p99 of ten", ten, 99, 10},
		{"p100", ten, 100, 10},
		{"tiny p is the smallest", ten, 0.001, 1},
		{"p99 of 1000", thousand, 99, 990},
		{"p99.9 of 1000", thousand, 99.9, 999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tt.name, tt.p, got, tt.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"one", []float64{3}, 3},
		{"odd, unsorted", []float64{5, 1, 3}, 3},
		{"even: mean of the middle two", []float64{4, 1, 3, 2}, 2.5},
		{"NaNs ignored", []float64{nan, 1, 9, nan, 5}, 5},
		{"only NaNs", []float64{nan, nan}, 0},
		{"does not reorder its input", []float64{3, 2, 1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.xs)
			if got := Median(tt.xs); got != tt.want {
				t.Errorf("Median(%v) = %v, want %v", tt.xs, got, tt.want)
			}
			if !slices.EqualFunc(in, tt.xs, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
				t.Errorf("Median changed its input to %v", tt.xs)
			}
		})
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		a, b   float64
		want   float64
		wantOK bool
	}{
		{3, 2, 1.5, true},
		{0, 2, 0, true},
		{1, 0, 0, false},
		{1, -1, 0, false},
		{math.NaN(), 1, 0, false},
		{1, math.NaN(), 0, false},
	}
	for _, tt := range tests {
		got, ok := Ratio(tt.a, tt.b)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Ratio(%v, %v) = %v, %v; want %v, %v", tt.a, tt.b, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestSpreadOf(t *testing.T) {
	got := SpreadOf([]float64{4, math.NaN(), 1, 10})
	want := Spread{Median: 4, Min: 1, Max: 10, N: 3}
	if got != want {
		t.Errorf("SpreadOf = %+v, want %+v", got, want)
	}
	if got := SpreadOf(nil); got != (Spread{}) {
		t.Errorf("SpreadOf(nil) = %+v, want zero", got)
	}
}

func TestHistogramSmallValuesExact(t *testing.T) {
	var h Histogram
	for v := range int64(100) {
		h.Record(v + 1) // 1..100
	}
	for _, tt := range []struct {
		q    float64
		want uint64
	}{{0.5, 50}, {0.99, 99}, {0.01, 1}, {1, 100}} {
		if got := h.Quantile(tt.q); got != tt.want {
			t.Errorf("Quantile(%v) = %d, want %d", tt.q, got, tt.want)
		}
	}
}

// TestHistogramAgainstExact compares the histogram's quantiles with the
// exact percentiles of the same values: within one bucket (1/64).
func TestHistogramAgainstExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	var xs []float64
	for range 200000 {
		// Latency-like: mostly ~1 ms, a long tail to ~1 s.
		v := int64(math.Exp(rng.NormFloat64()*1.5) * 1e6)
		h.Record(v)
		xs = append(xs, float64(v))
	}
	slices.Sort(xs)
	for _, p := range []float64{50, 90, 99, 99.9, 99.99} {
		exact := Percentile(xs, p)
		got := float64(h.Quantile(p / 100))
		if math.Abs(got-exact) > exact/64+1 {
			t.Errorf("p%v = %.0f, exact %.0f: off by more than 1/64", p, got, exact)
		}
	}
	if got, want := h.Quantile(1), uint64(xs[len(xs)-1]); got != want {
		t.Errorf("Quantile(1) = %d, want the largest value %d", got, want)
	}
	if h.Count() != uint64(len(xs)) {
		t.Errorf("Count = %d, want %d", h.Count(), len(xs))
	}
}

func TestHistogramMergeAndEdges(t *testing.T) {
	var a, b, all Histogram
	for i := range int64(1000) {
		v := i * i * 997
		all.Record(v)
		if i%2 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	a.Merge(&b)
	if a != all {
		t.Errorf("merged halves differ from the whole")
	}
	var empty Histogram
	if got := empty.Quantile(0.99); got != 0 {
		t.Errorf("empty Quantile = %d, want 0", got)
	}
	var h Histogram
	h.Record(-5)      // counts as 0
	h.Record(1 << 50) // clamped into the last bucket, max kept exactly
	if got := h.Quantile(0.5); got != 0 {
		t.Errorf("Quantile(0.5) = %d, want 0", got)
	}
	if got := h.Quantile(1); got != 1<<50 {
		t.Errorf("Quantile(1) = %d, want %d", got, uint64(1)<<50)
	}
}

func TestHistogramBuckets(t *testing.T) {
	// Buckets are contiguous and each value's bucket contains it.
	prev := -1
	for _, v := range []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 1 << 20, 1<<40 + 12345} {
		i := histBucket(v)
		if i < prev {
			t.Errorf("bucket of %d is %d, before %d", v, i, prev)
		}
		prev = i
		mid := histValue(i)
		if diff := math.Abs(float64(mid) - float64(v)); diff > float64(v)/64+1 {
			t.Errorf("value %d: bucket %d middle %d is too far", v, i, mid)
		}
	}
	if got := histBucket(math.MaxUint64); got != histBuckets-1 {
		t.Errorf("largest bucket = %d, want %d", got, histBuckets-1)
	}
}

func TestMedianMS(t *testing.T) {
	ds := []time.Duration{3 * time.Millisecond, 500 * time.Microsecond, 2 * time.Second}
	if got := MedianMS(ds); got != 3 {
		t.Errorf("MedianMS(%v) = %v, want 3", ds, got)
	}
}
