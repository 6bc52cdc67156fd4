package chat

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on user-chosen strings. Room names also travel in an mDNS TXT
// string, which holds at most 255 bytes including "name=".
const (
	MaxNickRunes     = 32
	MaxNickBytes     = 96
	MaxRoomNameRunes = 48
	MaxRoomNameBytes = 200
	MaxTextBytes     = 16 << 10
)

// ValidateNick trims surrounding spaces and checks a nickname: 1 to
// MaxNickRunes characters, valid UTF-8, no control, format (bidi overrides,
// zero-width) or line-separator characters, and no ':' — legacy clients
// write "<nick>: <text>", so a colon would make that ambiguous. It returns
// the cleaned nickname or an error with CodeBadNick.
func ValidateNick(s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := checkName(s, "nickname", MaxNickRunes, MaxNickBytes); err != nil {
		return "", Errorf(CodeBadNick, err.Error())
	}
	if strings.ContainsRune(s, ':') {
		return "", Errorf(CodeBadNick, "nickname may not contain ':'")
	}
	return s, nil
}

// ValidateRoomName trims surrounding spaces and checks a room name with the
// same character rules as ValidateNick, except that ':' is allowed.
func ValidateRoomName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if err := checkName(s, "room name", MaxRoomNameRunes, MaxRoomNameBytes); err != nil {
		return "", Errorf(CodeBadText, err.Error())
	}
	return s, nil
}

func checkName(s, what string, maxRunes, maxBytes int) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty", what)
	case !utf8.ValidString(s):
		return fmt.Errorf("%s is not valid UTF-8", what)
	case utf8.RuneCountInString(s) > maxRunes || len(s) > maxBytes:
		return fmt.Errorf("%s is longer than %d characters", what, maxRunes)
	}
	for _, r := range s {
		if !nameRune(r) {
			return fmt.Errorf("%s contains the invisible or control character %U", what, r)
		}
	}
	return nil
}

// nameRune reports whether r may appear in a nickname or room name.
// Everything visible is allowed, plus the plain space and the zero-width
// joiner that glues emoji sequences together.
func nameRune(r rune) bool {
	switch {
	case r == ' ' || r == '\u200d':
		return true
	case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Zs, unicode.Co, unicode.Cs):
		return false
	case r == utf8.RuneError:
		return false
	}
	return true
}

// CleanText prepares a chat message: it replaces invalid UTF-8 with U+FFFD,
// turns CRLF and CR into LF, drops control characters other than newline
// and tab, and trims trailing whitespace. An empty or over-long result is
// an error with CodeBadText.
func CleanText(s string) (string, error) {
	if len(s) > MaxTextBytes {
		return "", Errorf(CodeBadText, fmt.Sprintf("message is longer than %d bytes", MaxTextBytes))
	}
	if cleanAlready(s) {
		return s, nil
	}
	return cleanFull(s)
}

// cleanFull is CleanText without the fast path.
func cleanFull(s string) (string, error) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.Is(unicode.Cc, r) || isBidiControl(r):
			return -1
		}
		return r
	}, s)
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	if strings.TrimSpace(s) == "" {
		return "", Errorf(CodeBadText, "message is empty")
	}
	return s, nil
}

// isBidiControl reports the explicit direction overrides and isolates, which
// let one message reorder how the text after it is displayed.
func isBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// NewID returns 16 random lowercase hex digits, used for room and message
// ids.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b[:])
}

// ValidID reports whether s looks like an id made by NewID: 1 to 64 bytes of
// ASCII letters, digits, '-' or '_'. Clients may choose their own ids, so
// the rule is loose, but ids never carry spaces or markup.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// cleanAlready reports whether CleanText would return s unchanged: plain
// printable ASCII (tabs and newlines allowed) with no trailing space. Most
// messages are like that, and then cleaning costs one pass and nothing
// more.
func cleanAlready(s string) bool {
	if s == "" {
		return false
	}
	visible := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c > ' ' && c < 0x7f:
			visible = true
		case c == ' ' || c == '\n' || c == '\t':
		default:
			return false // control, DEL, CR, or non-ASCII: the full path
		}
	}
	last := s[len(s)-1]
	return visible && last != ' ' && last != '\n' && last != '\t'
}
