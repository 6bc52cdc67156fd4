package chat

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateNick(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"alice", "alice", true},
		{"  bob  ", "bob", true},
		{"Zoë", "Zoë", true},
		{"李雷", "李雷", true},
		{"🦊 fox", "🦊 fox", true},
		{"👩‍💻", "👩‍💻", true}, // zero-width joiner sequence
		{"", "", false},
		{"   ", "", false},
		{"a:b", "", false},
		{"tab\there", "", false},
		{"new\nline", "", false},
		{"bell\a", "", false},
		{"evil\u202egnp.exe", "", false}, // right-to-left override
		{"zero\u200bwidth", "", false},
		{"nb\u00a0sp", "", false},
		{"bad\xffutf8", "", false},
		{strings.Repeat("x", MaxNickRunes), strings.Repeat("x", MaxNickRunes), true},
		{strings.Repeat("x", MaxNickRunes+1), "", false},
		{strings.Repeat("🦊", MaxNickRunes), "", false}, // 128 bytes > MaxNickBytes
	}
	for _, tt := range tests {
		got, err := ValidateNick(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ValidateNick(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadNick) {
			t.Errorf("ValidateNick(%q) error %v is not ErrBadNick", tt.in, err)
		}
	}
}

func TestValidateRoomName(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"Café Room", true},
		{"Team: standup", true},
		{"🎉 party 🎉", true},
		{"", false},
		{"a.b", true},
		{"line\nbreak", false},
		{strings.Repeat("é", MaxRoomNameRunes), true},
		{strings.Repeat("é", MaxRoomNameRunes+1), false},
	}
	for _, tt := range tests {
		_, err := ValidateRoomName(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateRoomName(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"hello", "hello", true},
		{"two\r\nlines\r", "two\nlines", true},
		{"tab\tkept", "tab\tkept", true},
		{"esc\x1b[31mred", "esc[31mred", true},
		{"bad\xffbyte", "bad\uFFFDbyte", true},
		{"rtl\u202eoverride", "rtloverride", true},
		{"   ", "", false},
		{"\x00\x01", "", false},
		{strings.Repeat("a", MaxTextBytes+1), "", false},
	}
	for _, tt := range tests {
		got, err := CleanText(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("CleanText(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestErrorIs(t *testing.T) {
	err := error(Errorf(CodeNickTaken, `"bob" is already in the room`))
	if !errors.Is(err, ErrNickTaken) {
		t.Errorf("errors.Is(%v, ErrNickTaken) = false, want true", err)
	}
	if errors.Is(err, ErrBadNick) {
		t.Errorf("errors.Is(%v, ErrBadNick) = true, want false", err)
	}
}

func TestNewID(t *testing.T) {
	a, b := NewID(), NewID()
	if len(a) != 16 || a == b || !ValidID(a) {
		t.Errorf("NewID() = %q, %q; want two different valid 16-digit ids", a, b)
	}
	for _, bad := range []string{"", "has space", "<b>", strings.Repeat("a", 65)} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true, want false", bad)
		}
	}
}

// FuzzCleanText checks that the fast path agrees with the full one, and
// that cleaning is idempotent.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"hello", "two\r\nlines", "tab\tkept ", " x", "\x1b[31m", "é", "a\n", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CleanText(s)
		if cleanAlready(s) {
			if full, ferr := cleanFull(s); ferr != nil || full != s {
				t.Fatalf("the fast path keeps %q, but the full cleaning gives %q, %v", s, full, ferr)
			}
		}
		if err == nil {
			again, err2 := CleanText(got)
			if err2 != nil || again != got {
				t.Fatalf("CleanText is not idempotent: %q → %q → %q, %v", s, got, again, err2)
			}
		}
	})
}
