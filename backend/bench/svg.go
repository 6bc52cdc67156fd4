package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// BarChart is a grouped bar chart: one group per label, one bar per
// series in each group. A NaN or non-positive value draws no bar.
type BarChart struct {
	Title  string
	YLabel string
	Groups []string
	Series []Series
	// Log draws the y axis in powers of ten.
	Log bool
	// Limit, if positive, is drawn as a dashed line labelled LimitLabel.
	Limit      float64
	LimitLabel string
}

// Series is one bar per group, in one colour.
type Series struct {
	Name   string
	Color  string
	Values []float64
}

const (
	chartWidth  = 960
	panelHeight = 360
)

// writeSVG writes the panels one above the other as one SVG document.
func writeSVG(w io.Writer, title string, panels []BarChart) error {
	var b bytes.Buffer
	height := 40 + panelHeight*len(panels)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold" text-anchor="middle">%s</text>`+"\n", chartWidth/2, esc(title))
	for i, p := range panels {
		p.draw(&b, 40+i*panelHeight)
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// draw renders the chart in the band starting at y0.
func (c BarChart) draw(b *bytes.Buffer, y0 int) {
	const left, right, top, bottom = 80, 190, 30, 70
	plotW, plotH := chartWidth-left-right, panelHeight-top-bottom
	x0, yBase := left, y0+top+plotH
	fmt.Fprintf(b, `<g class="panel"><text x="%d" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", left, y0+18, esc(c.Title))
	lo, hi := c.scale()
	yOf := func(v float64) float64 {
		if c.Log {
			return float64(yBase) - (math.Log10(v)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))*float64(plotH)
		}
		return float64(yBase) - v/hi*float64(plotH)
	}
	for _, t := range c.ticks(lo, hi) {
		y := yOf(t)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`, x0, y, x0+plotW, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", x0-6, y+4, esc(tickLabel(t)))
	}
	fmt.Fprintf(b, `<text transform="translate(%d,%d) rotate(-90)" text-anchor="middle">%s</text>`+"\n", 16, y0+top+plotH/2, esc(c.YLabel))
	groupW := float64(plotW) / float64(max(1, len(c.Groups)))
	barW := groupW * 0.8 / float64(max(1, len(c.Series)))
	for g, label := range c.Groups {
		gx := float64(x0) + float64(g)*groupW + groupW*0.1
		prevLabel := math.Inf(1) // baseline of the previous bar's value label
		for s, ser := range c.Series {
			if g >= len(ser.Values) {
				continue
			}
			v := ser.Values[g]
			if math.IsNaN(v) || v <= 0 {
				continue
			}
			y := max(yOf(v), float64(y0+top))
			bx := gx + float64(s)*barW
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`+"\n",
				bx, y, barW*0.92, float64(yBase)-y, ser.Color, esc(ser.Name+", "+label), esc(valueLabel(v)))
			// Labels are wider than bars: one as high as its neighbour's
			// goes a line above it instead of over it.
			labelY := y - 3
			if math.Abs(labelY-prevLabel) < labelLine {
				labelY = min(labelY, prevLabel) - labelLine
			}
			prevLabel = labelY
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="10" text-anchor="middle">%s</text>`+"\n", bx+barW*0.46, labelY, esc(valueLabel(v)))
		}
		for i, line := range strings.Split(label, "\n") {
			fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", gx+groupW*0.4, yBase+16+14*i, esc(line))
		}
	}
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", x0, yBase, x0+plotW, yBase)
	if c.Limit > 0 && c.Limit <= hi && (!c.Log || c.Limit >= lo) {
		y := yOf(c.Limit)
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#c53030" stroke-dasharray="6 4"/>`, x0, y, x0+plotW, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" fill="#c53030">%s</text>`+"\n", x0+4, y-4, esc(c.LimitLabel))
	}
	for s, ser := range c.Series {
		ly := y0 + top + 8 + 20*s
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="14" height="14" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n",
			x0+plotW+16, ly-11, ser.Color, x0+plotW+36, ly, esc(ser.Name))
	}
	b.WriteString("</g>\n")
}

// scale returns the y range: from 0 (or a power of ten below the smallest
// value, for a log axis) to a round number above the largest.
func (c BarChart) scale() (lo, hi float64) {
	lo, hi = math.Inf(1), 0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v > 0 && !math.IsNaN(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if hi == 0 {
		return 1, 10
	}
	if c.Log {
		return math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi*1.05)))
	}
	step := niceStep(hi / 5)
	return 0, math.Ceil(hi*1.1/step) * step
}

func (c BarChart) ticks(lo, hi float64) []float64 {
	var ts []float64
	if c.Log {
		for t := lo; t <= hi*1.0001; t *= 10 {
			ts = append(ts, t)
		}
		return ts
	}
	step := niceStep(hi / 5)
	for t := 0.0; t <= hi*1.0001; t += step {
		ts = append(ts, t)
	}
	return ts
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

func tickLabel(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	default:
		return fmt.Sprintf("%g", v)
	}
}

// labelLine is the height of a bar's value label (10 px text).
const labelLine = 11

func valueLabel(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// targetColors gives each target the same colour in every panel.
var targetColors = map[string]string{
	"parley-legacy":    "#2b6cb0",
	"parley-native":    "#38a169",
	"parley-native-db": "#276749",
	"goref":            "#dd6b20",
	"tutorial":         "#a0aec0",
}

// WriteSVG writes the report's chart: delivered messages per second in
// the saturation scenarios, and latency percentiles at chat load.
func (r *Report) WriteSVG(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = writeSVG(f, "Parley benchmark (medians; this machine, "+fmt.Sprint(r.Meta.CPUs)+" CPUs, shared)", r.charts())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (r *Report) charts() []BarChart {
	rate := BarChart{Title: "Deliveries per second at saturation (a message reaching one member)", YLabel: "deliveries / s"}
	perCPU := BarChart{Title: "Deliveries per second of host CPU at saturation (how much work each delivery costs)", YLabel: "deliveries / CPU-s"}
	mem := BarChart{Title: "Memory per idle member (RSS with 1,000 idle members minus RSS with none, / 1,000)", YLabel: "KiB",
		Limit: 10, LimitLabel: "Parley's target: 10 KiB"}
	lat := BarChart{Title: "Latency at chat load (10 senders x 10 msg/s): p50, p99, p99.9", YLabel: "ms (log scale)", Log: true}
	for i, ss := range r.Summary {
		sc := r.Scenarios[i]
		switch {
		case sc.From != "":
			for _, t := range ss.Targets {
				mem.add("1,000 idle members", targetColors[t.Target], t.Label, t.KiBPerIdleMember.Median)
			}
		case sc.Rate > 0:
			for _, t := range ss.Targets {
				group := fmt.Sprintf("%s members\n%s", thousands(sc.Members), t.Label)
				for pi, v := range []float64{t.P50Ms.Median, t.P99Ms.Median, t.P999Ms.Median} {
					lat.add(group, []string{"#90cdf4", "#3182ce", "#1a365d"}[pi], []string{"p50", "p99", "p99.9"}[pi], v)
				}
			}
		default:
			for _, t := range ss.Targets {
				rate.add(shortTitle(sc), targetColors[t.Target], t.Label, t.DeliveriesPerSec.Median)
				perCPU.add(shortTitle(sc), targetColors[t.Target], t.Label, t.DeliveriesPerCPU.Median)
			}
		}
	}
	var panels []BarChart
	for _, p := range []BarChart{rate, perCPU, lat, mem} {
		if len(p.Groups) > 0 {
			panels = append(panels, p)
		}
	}
	return panels
}

// add sets the bar of series name in group to v, creating either as
// needed.
func (c *BarChart) add(group, color, name string, v float64) {
	g := len(c.Groups) - 1
	if g < 0 || c.Groups[g] != group {
		c.Groups = append(c.Groups, group)
		g++
	}
	k := -1
	for j, s := range c.Series {
		if s.Name == name {
			k = j
		}
	}
	if k < 0 {
		c.Series = append(c.Series, Series{Name: name, Color: color})
		k = len(c.Series) - 1
	}
	s := &c.Series[k]
	for len(s.Values) < g {
		s.Values = append(s.Values, math.NaN())
	}
	s.Values = append(s.Values, v)
}

func thousands(n int) string {
	if n >= 1000 {
		return fmt.Sprintf("%d,%03d", n/1000, n%1000)
	}
	return fmt.Sprint(n)
}

// shortTitle is a scenario's name under its bars.
func shortTitle(sc Scenario) string {
	switch sc.ID {
	case "sat100-legacy":
		return "100 members\nlegacy"
	case "sat100-native-db":
		return "100 members\nnative, --db"
	case "sat1000":
		return "1,000 members"
	case "stuck100-base":
		return "100 members\nnobody stuck"
	case "stuck100":
		return "100 members\n+ 1 stuck"
	}
	return sc.ID
}
