package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
)

// run calls Main in-process. Only for command lines that fail before
// touching the network: these tests run in the default namespace.
func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, ExitUsage, "Usage:"},
		{[]string{"bogus"}, ExitUsage, `unknown command "bogus"`},
		{[]string{"help"}, ExitOK, ""},
		{[]string{"host"}, ExitUsage, "--room is required"},
		{[]string{"host", "--room", "R"}, ExitUsage, "--nick is required"},
		{[]string{"host", "--room", "R", "--nick", "a:b"}, ExitUsage, "may not contain ':'"},
		{[]string{"host", "--room", "R", "--nick", "bo\x07b"}, ExitUsage, "control character"},
		{[]string{"host", "Room"}, ExitUsage, "did you mean --room"},
		{[]string{"host", "--port", "x"}, ExitUsage, "invalid value"},
		{[]string{"host", "--room", "R", "--nick", "n", "--port", "70000"}, ExitUsage, "--port must be"},
		{[]string{"join"}, ExitUsage, "expected one room name"},
		{[]string{"join", "a", "b", "--nick", "n"}, ExitUsage, "got 2 arguments"},
		{[]string{"rooms", "--wait", "-1s"}, ExitUsage, "--wait must be"},
		{[]string{"rooms", "extra"}, ExitUsage, "unexpected argument"},
		{[]string{"join", "-h"}, ExitOK, "-nick"},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("parley %q: exit %d, output %q; want exit %d and %q", tt.args, code, stdout+stderr, tt.code, tt.want)
		}
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	fs := newFlags("x", Env{Stderr: &bytes.Buffer{}})
	nick := fs.String("nick", "", "")
	pos, err := parse(fs, []string{"My Room", "--nick", "bob", "extra"})
	if err != nil || *nick != "bob" || strings.Join(pos, "|") != "My Room|extra" {
		t.Errorf("got %q, nick %q, %v", pos, *nick, err)
	}
}

func TestLooksLikeAddress(t *testing.T) {
	for in, want := range map[string]bool{"10.0.0.2:4000": true, "host.lan:80": true, "Team: standup": false, "Café Room": false} {
		if got := looksLikeAddress(in); got != want {
			t.Errorf("looksLikeAddress(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestAppendMessage(t *testing.T) {
	ts := time.Date(2026, 1, 2, 15, 4, 0, 0, time.Local).UnixMilli()
	for _, tt := range []struct{ text, want string }{
		{"one\ntwo", "[15:04] zoë: one\n        two\n"},
		{"one", "[15:04] zoë: one\n"},
		{"one\n\nthree\n", "[15:04] zoë: one\n        \n        three\n        \n"},
	} {
		got := appendMessage([]byte("> "), chat.Message{From: "zoë", Text: tt.text, TS: ts})
		if want := "> " + tt.want; string(got) != want {
			t.Errorf("appendMessage(%q) = %q, want %q", tt.text, got, want)
		}
	}
}
