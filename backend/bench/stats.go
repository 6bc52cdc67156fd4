package bench

import (
	"math"
	"math/bits"
	"slices"
	"time"
)

// Histogram counts durations in nanoseconds in log-linear buckets: exact
// below 128 ns, then 64 buckets per power of two, so any value is known to
// within 1/64 (1.6 %). It needs no allocation to record and merges by
// adding counts, so every member keeps its own and the run adds them up.
// The zero value is empty and ready to use.
type Histogram struct {
	counts [histBuckets]uint32
	n      uint64
	max    uint64
}

const (
	histSubBits = 7 // 2^7 exact values, then 2^6 buckets per octave
	histHalf    = 1 << (histSubBits - 1)
	histMaxBits = 41 // values are clamped below 2^41 ns (about 36 minutes)
	histBuckets = (histMaxBits-histSubBits+1)*histHalf + histHalf
)

func histBucket(v uint64) int {
	if v >= 1<<histMaxBits {
		v = 1<<histMaxBits - 1
	}
	if v < 1<<histSubBits {
		return int(v)
	}
	shift := bits.Len64(v) - histSubBits
	return shift*histHalf + int(v>>shift)
}

// histValue is the middle of bucket i's range.
func histValue(i int) uint64 {
	if i < 1<<histSubBits {
		return uint64(i)
	}
	shift := i/histHalf - 1
	low := uint64(i%histHalf+histHalf) << shift
	return low + (uint64(1)<<shift-1)/2
}

// Record adds one value; negative values count as zero.
func (h *Histogram) Record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	v := uint64(ns)
	h.counts[histBucket(v)]++
	h.n++
	h.max = max(h.max, v)
}

// Merge adds o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count returns how many values were recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Quantile returns the value below which the fraction q (0 < q ≤ 1) of the
// recorded values lie, by the nearest-rank method, to within a bucket; the
// largest value exactly for q = 1; and 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) uint64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q*float64(h.n) - 1e-9)) // 0.999*1000 is 999.0000000000001
	if rank >= h.n {
		return h.max
	}
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			return min(histValue(i), h.max)
		}
	}
	return h.max
}

// Percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// sorted, or 0 when it is empty.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p*float64(len(sorted))/100 - 1e-9))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Median returns the median of xs (the mean of the middle two for an even
// count), ignoring NaNs; 0 when nothing is left.
func Median(xs []float64) float64 {
	s := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return 0
	}
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// MedianMS returns the median of ds in milliseconds.
func MedianMS(ds []time.Duration) float64 {
	ms := make([]float64, len(ds))
	for i, d := range ds {
		ms[i] = float64(d) / float64(time.Millisecond)
	}
	return Median(ms)
}

// Ratio returns a/b, and false when b is not positive (there is no
// meaningful ratio to a zero or missing figure).
func Ratio(a, b float64) (float64, bool) {
	if b <= 0 || math.IsNaN(a) || math.IsNaN(b) {
		return 0, false
	}
	return a / b, true
}

// Spread is a median with the smallest and largest of the values it came
// from, so a reader can see how much the repetitions agreed.
type Spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"n"`
}

// SpreadOf summarises xs, ignoring NaNs.
func SpreadOf(xs []float64) Spread {
	s := Spread{Median: Median(xs)}
	first := true
	for _, x := range xs {
		if math.IsNaN(x) {
			continue
		}
		if first {
			s.Min, s.Max, first = x, x, false
		}
		s.Min, s.Max = min(s.Min, x), max(s.Max, x)
		s.N++
	}
	return s
}
