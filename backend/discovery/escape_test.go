package discovery

import (
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

var unescapeTests = []struct {
	in, want string
	ok       bool
}{
	{`plain`, "plain", true},
	{``, "", true},
	{`Caf\195\169\ Room`, "Café Room", true},
	{`a\.b\ c`, "a.b c", true},
	{`\\`, `\`, true},
	{`\"quoted\"`, `"quoted"`, true},
	{`\240\159\142\137\ party`, "🎉 party", true},
	{`\228\188\154\232\174\174\229\174\164`, "会议室", true},
	{`name=Caf\195\169`, "name=Café", true},
	{`\000\255`, "\x00\xff", true},
	{`\065BC`, "ABC", true},
	{`\1234`, "{4", true},
	{`\195`, "\xc3", true}, // a lone UTF-8 lead byte: unescape does not judge
	{`trailing\`, "", false},
	{`\256`, "", false},
	{`\999`, "", false},
	{`\25`, "", false},
	{`\2a5`, "", false},
	{`\1`, "", false},
}

func TestUnescape(t *testing.T) {
	for _, tt := range unescapeTests {
		got, err := unescape(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("unescape(%q): got %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// present escapes raw bytes the way miekg/dns prints a TXT string.
func present(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			fmt.Fprintf(&b, `\%03d`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// overTheWire packs txt into a TXT record as a zeroconf Server does and
// unpacks it as a zeroconf Resolver does, returning what the Resolver sees.
func overTheWire(txt []string) ([]string, error) {
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: "room-1._parley._tcp.local.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 120}, Txt: txt}
	m := new(dns.Msg)
	m.Answer = []dns.RR{rr}
	buf, err := m.Pack()
	if err != nil {
		return nil, err
	}
	var got dns.Msg
	if err := got.Unpack(buf); err != nil {
		return nil, err
	}
	return got.Answer[0].(*dns.TXT).Txt, nil
}

func TestPresentMatchesMiekg(t *testing.T) {
	for _, s := range []string{"Café Room", `back\slash "q"`, "\x00\x1f\x7f\xff", "会议室"} {
		got, err := overTheWire([]string{escapeTXT(s)})
		if err != nil || len(got) != 1 || got[0] != present(s) {
			t.Errorf("miekg presents %q as %q, %v; want %q", s, got, err, present(s))
		}
	}
}

func FuzzUnescape(f *testing.F) {
	for _, tt := range unescapeTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := unescape(in)
		if err != nil {
			return
		}
		if len(out) > len(in) {
			t.Fatalf("unescape(%q) = %q grew", in, out)
		}
		if !strings.Contains(in, `\`) && out != in {
			t.Fatalf("unescape(%q) = %q changed a string without escapes", in, out)
		}
		if again, err := unescape(present(out)); err != nil || again != out {
			t.Fatalf("unescape(present(%q)) = %q, %v; want it back", out, again, err)
		}
	})
}

// FuzzTXTOverTheWire checks that any string escaped with escapeTXT and
// sent through miekg/dns comes back unchanged from unescape.
func FuzzTXTOverTheWire(f *testing.F) {
	for _, tt := range unescapeTests {
		f.Add(tt.want)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 255 {
			return
		}
		got, err := overTheWire([]string{escapeTXT(s)})
		if err != nil {
			t.Fatalf("pack %q: %v", s, err)
		}
		if len(got) != 1 {
			t.Fatalf("pack %q: got %d strings", s, len(got))
		}
		if back, err := unescape(got[0]); err != nil || back != s {
			t.Fatalf("unescape(%q): got %q, %v; want %q", got[0], back, err, s)
		}
	})
}
