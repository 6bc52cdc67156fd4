package bench

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkXML fails unless b is well-formed XML with an <svg> root, and
// returns all its text content.
func checkXML(t *testing.T, b []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var text strings.Builder
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			for _, a := range tok.Attr {
				if strings.Contains(a.Value, "NaN") || strings.Contains(a.Value, "Inf") {
					t.Errorf("<%s %s=%q>: not a number", tok.Name.Local, a.Name.Local, a.Value)
				}
			}
		case xml.CharData:
			text.Write(tok)
			text.WriteByte('\n')
		}
	}
	if root != "svg" {
		t.Errorf("root element %q, want svg", root)
	}
	return text.String()
}

func TestWriteSVG(t *testing.T) {
	charts := []BarChart{
		{
			Title: "Deliveries <per> second & more", YLabel: "deliveries / s",
			Groups: []string{"100 members\nlegacy", "1,000 members"},
			Series: []Series{
				{Name: "Parley", Color: "#2b6cb0", Values: []float64{5e6, 6.7e6}},
				{Name: "Go \"reference\"", Color: "#dd6b20", Values: []float64{6e6, math.NaN()}},
				{Name: "Tutorial", Color: "#a0aec0", Values: []float64{4.2e6}},
			},
		},
		{
			Title: "Latency", YLabel: "ms", Log: true,
			Groups: []string{"a", "b"},
			Series: []Series{{Name: "p50", Color: "#000", Values: []float64{0.8, 5.3}}, {Name: "p99.9", Color: "#111", Values: []float64{1.8, 60}}},
		},
		{Title: "Empty panel"},
	}
	var b bytes.Buffer
	if err := writeSVG(&b, "Parley & friends", charts); err != nil {
		t.Fatal(err)
	}
	text := checkXML(t, b.Bytes())
	for _, want := range []string{"Parley & friends", "Deliveries <per> second & more", `Go "reference"`, "Tutorial", "1,000 members", "p99.9", "6.7M", "60.0"} {
		if !strings.Contains(text, want) {
			t.Errorf("chart text lacks %q", want)
		}
	}
	if n := strings.Count(b.String(), "<rect x="); n != 4+4+5 {
		t.Errorf("%d rects (bars and legend keys), want %d", n, 4+4+5)
	}
}

func TestReportSVG(t *testing.T) {
	rep := sampleReport()
	path := filepath.Join(t.TempDir(), "chart.svg")
	if err := rep.WriteSVG(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := checkXML(t, b)
	for _, want := range []string{"Parley, legacy clients", "Go reference", "Tutorial (Python)", "p99", "100 members"} {
		if !strings.Contains(text, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
}

func TestNiceStep(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{{0.3, 0.5}, {1, 1}, {1.2, 2}, {3, 5}, {7, 10}, {1.3e6, 2e6}, {0, 1}} {
		if got := niceStep(tt.in); math.Abs(got-tt.want) > 1e-9*tt.want {
			t.Errorf("niceStep(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
