package discovery

import (
	"errors"
	"strings"
)

var errBadEscape = errors.New("bad escape in DNS presentation format")

// unescape decodes a string in DNS presentation format, the way
// github.com/miekg/dns presents instance names and TXT values:
// "\DDD" (exactly three decimal digits, at most 255) is that byte and "\X"
// for any non-digit X is X itself. It returns the raw bytes, which need not
// be valid UTF-8; a lone trailing backslash or a malformed \DDD is an error.
func unescape(s string) (string, error) {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		n, width, err := unescapeOne(s[i+1:])
		if err != nil {
			return "", err
		}
		b.WriteByte(n)
		i += width
	}
	return b.String(), nil
}

// unescapeOne decodes what follows a backslash and returns the byte and how
// many bytes of rest it used.
func unescapeOne(rest string) (byte, int, error) {
	switch {
	case rest == "":
		return 0, 0, errBadEscape
	case !isDigit(rest[0]):
		return rest[0], 1, nil
	case len(rest) < 3 || !isDigit(rest[1]) || !isDigit(rest[2]):
		return 0, 0, errBadEscape
	}
	n := int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
	if n > 255 {
		return 0, 0, errBadEscape
	}
	return byte(n), 3, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// escapeTXT prepares a TXT string for miekg/dns, which reads TXT strings in
// presentation format when it packs them: only the backslash would be
// misread, so it is doubled. Everything else, UTF-8 included, goes on the
// wire as is.
func escapeTXT(s string) string {
	return strings.ReplaceAll(s, `\`, `\\`)
}
