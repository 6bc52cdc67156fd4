package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/parley-lan/parley/backend/chat"
)

// readAll drains lr, recording lines and "ERR:too_large" markers.
func readAll(t *testing.T, lr *LineReader) []string {
	t.Helper()
	var got []string
	for i := 0; i < 10000; i++ {
		line, err := lr.ReadLine()
		switch {
		case err == io.EOF:
			return got
		case errors.Is(err, chat.ErrTooLarge):
			got = append(got, "ERR:too_large")
		case err != nil:
			t.Fatalf("ReadLine: %v", err)
		default:
			got = append(got, string(line))
		}
	}
	t.Fatal("ReadLine did not reach EOF")
	return nil
}

func TestLineReader(t *testing.T) {
	const limit = 16
	tests := []struct {
		name, in string
		prefix   string
		want     []string
	}{
		{"simple", "a\nbb\n", "", []string{"a", "bb"}},
		{"crlf", "a\r\nb\r\n", "", []string{"a", "b"}},
		{"unterminated tail", "a\nb", "", []string{"a", "b"}},
		{"empty lines", "\n\nx\n", "", []string{"", "", "x"}},
		{"prefix", "rest\nnext\n", "pre", []string{"prerest", "next"}},
		{"exactly at limit", strings.Repeat("x", limit-1) + "\n", "", []string{strings.Repeat("x", limit-1)}},
		{"one over", strings.Repeat("x", limit) + "\nok\n", "", []string{"ERR:too_large", "ok"}},
		{"huge then fine", strings.Repeat("y", 10*limit+3) + "\nafter\n", "", []string{"ERR:too_large", "after"}},
		{"huge at eof", "a\n" + strings.Repeat("z", 5*limit), "", []string{"a", "ERR:too_large"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
				got := readAll(t, NewLineReader(r, limit, []byte(tt.prefix)))
				if strings.Join(got, "|") != strings.Join(tt.want, "|") {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
}

// TestLineReaderBoundedMemory feeds a 10 MB line and checks that the buffer
// never grows past the limit.
func TestLineReaderBoundedMemory(t *testing.T) {
	in := io.MultiReader(bytes.NewReader(bytes.Repeat([]byte("x"), 10<<20)), strings.NewReader("\n{\"type\":\"ping\"}\n"))
	lr := NewLineReader(in, 0, nil)
	if _, err := lr.ReadLine(); !errors.Is(err, chat.ErrTooLarge) {
		t.Fatalf("first ReadLine error = %v, want ErrTooLarge", err)
	}
	if len(lr.buf) > MaxFrame {
		t.Errorf("buffer grew to %d bytes, want at most %d", len(lr.buf), MaxFrame)
	}
	line, err := lr.ReadLine()
	if err != nil || string(line) != `{"type":"ping"}` {
		t.Errorf("second ReadLine = %q, %v; want the ping", line, err)
	}
}

func TestLineReaderSmallIdleBuffer(t *testing.T) {
	lr := NewLineReader(strings.NewReader("hi\n"), 0, nil)
	if got := len(lr.buf); got > initialReadBuffer {
		t.Errorf("initial buffer = %d bytes, want at most %d", got, initialReadBuffer)
	}
}

// countingReader counts the Read calls made on it. With perRead > 0 each
// call returns at most that many bytes, as a trickle of short writes does.
type countingReader struct {
	r       io.Reader
	perRead int
	reads   int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	if c.perRead > 0 && len(p) > c.perRead {
		p = p[:c.perRead]
	}
	return c.r.Read(p)
}

// TestLineReaderGrowsForABusyStream: a stream whose reads fill the buffer
// gets a bigger one, up to BusyReadBuffer, so that it takes few reads; a
// trickle of single lines keeps the small buffer of an idle member.
func TestLineReaderGrowsForABusyStream(t *testing.T) {
	line := `{"type":"msg","seq":1234567,"id":"b3-5418","from":"b3","text":"the quick brown fox jumps over the lazy dog","ts":1764118302123}` + "\n"
	const n = 5000 // readAll reads at most 10,000 lines
	stream := strings.Repeat(line, n)

	busy := &countingReader{r: strings.NewReader(stream)}
	lr := NewLineReader(busy, 0, nil)
	if got := len(readAll(t, lr)); got != n {
		t.Fatalf("read %d lines, want %d", got, n)
	}
	if len(lr.buf) != BusyReadBuffer {
		t.Errorf("a busy stream's buffer is %d bytes, want %d", len(lr.buf), BusyReadBuffer)
	}
	if most := 2 * len(stream) / BusyReadBuffer; busy.reads > most {
		t.Errorf("%d reads for %d bytes, want at most %d", busy.reads, len(stream), most)
	}

	trickle := &countingReader{r: strings.NewReader(strings.Repeat(line, 100)), perRead: len(line)}
	lr = NewLineReader(trickle, 0, nil)
	if got := len(readAll(t, lr)); got != 100 {
		t.Fatalf("read %d lines, want 100", got)
	}
	if len(lr.buf) != initialReadBuffer {
		t.Errorf("a trickle's buffer is %d bytes, want %d", len(lr.buf), initialReadBuffer)
	}
}

// FuzzLineReader checks that splitting never loses or invents bytes: the
// lines joined back equal the input minus newlines and too-long lines.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("a\nbb\n"), uint8(4))
	f.Add([]byte("xxxxxxxxxxxxxxxxxxxx\nok\n"), uint8(8))
	f.Add([]byte("\r\n\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, lim uint8) {
		limit := int(lim)%64 + 2
		lr := NewLineReader(bytes.NewReader(in), limit, nil)
		var lines int
		for i := 0; i <= len(in)+1; i++ {
			line, err := lr.ReadLine()
			if err == io.EOF {
				return
			}
			if err == nil {
				lines++
				if len(line) >= limit {
					t.Fatalf("line of %d bytes passed limit %d", len(line), limit)
				}
				if !bytes.Contains(in, line) {
					t.Fatalf("line %q is not in the input", line)
				}
			} else if !errors.Is(err, chat.ErrTooLarge) {
				t.Fatalf("ReadLine: %v", err)
			}
		}
		t.Fatalf("no EOF after %d reads", len(in)+2)
	})
}

func TestHasLine(t *testing.T) {
	lr := NewLineReader(strings.NewReader("one\ntwo\npart"), 0, nil)
	var got []bool
	for i := 0; i < 3; i++ {
		lr.ReadLine()
		got = append(got, lr.HasLine())
	}
	if fmt.Sprint(got) != "[true false false]" {
		t.Errorf("HasLine after each line = %v, want [true false false] (a partial line is not a line)", got)
	}
}
