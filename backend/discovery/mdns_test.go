package discovery

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/parley-lan/parley/backend/chat"
)

var testAddrs = []netip.Addr{netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("fe80::5")}

func testService(t *testing.T) *service {
	t.Helper()
	svc, err := roomService(chat.Room{ID: id16, Name: `Café "Room"`, Host: "zoë"}, 4242)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// types lists records as "TYPE name ttl", for compact comparison.
func types(rrs []dns.RR) string {
	var out []string
	for _, rr := range rrs {
		h := rr.Header()
		out = append(out, fmt.Sprintf("%s/%d", dns.TypeToString[h.Rrtype], h.Ttl))
	}
	return strings.Join(out, " ")
}

// wire sends m through miekg/dns, as the network does.
func wire(t *testing.T, m *dns.Msg) *dns.Msg {
	t.Helper()
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	var got dns.Msg
	if err := got.Unpack(b); err != nil {
		t.Fatal(err)
	}
	return &got
}

func TestReply(t *testing.T) {
	svc := testService(t)
	q := func(name string, typ uint16) dns.Question {
		return dns.Question{Name: name, Qtype: typ, Qclass: dns.ClassINET}
	}
	known := func(ttl uint32) []dns.RR { return []dns.RR{svc.ptr(ttl)} }
	tests := []struct {
		name        string
		qs          []dns.Question
		known       []dns.RR
		answer, add string // "" for no reply at all
	}{
		{"browse", []dns.Question{q("_parley._tcp.local.", dns.TypePTR)}, nil, "PTR/120", "SRV/120 TXT/120 A/120 AAAA/120"},
		{"browse, any case", []dns.Question{q("_PARLEY._tcp.Local.", dns.TypePTR)}, nil, "PTR/120", "SRV/120 TXT/120 A/120 AAAA/120"},
		{"browse, known", []dns.Question{q("_parley._tcp.local.", dns.TypePTR)}, known(120), "", ""},
		{"browse, known but stale", []dns.Question{q("_parley._tcp.local.", dns.TypePTR)}, known(30), "PTR/120", "SRV/120 TXT/120 A/120 AAAA/120"},
		{"service types", []dns.Question{q(servicesName, dns.TypePTR)}, nil, "PTR/120", ""},
		{"srv", []dns.Question{q(svc.instance, dns.TypeSRV)}, nil, "SRV/120", "A/120 AAAA/120"},
		{"txt", []dns.Question{q(svc.instance, dns.TypeTXT)}, nil, "TXT/120", ""},
		{"srv and txt", []dns.Question{q(svc.instance, dns.TypeSRV), q(svc.instance, dns.TypeTXT)}, nil, "SRV/120 TXT/120", "A/120 AAAA/120"},
		{"any instance", []dns.Question{q(svc.instance, dns.TypeANY)}, nil, "SRV/120 TXT/120", "A/120 AAAA/120"},
		{"a", []dns.Question{q(svc.host, dns.TypeA)}, nil, "A/120", ""},
		{"aaaa", []dns.Question{q(svc.host, dns.TypeAAAA)}, nil, "AAAA/120", ""},
		{"other service", []dns.Question{q("_http._tcp.local.", dns.TypePTR)}, nil, "", ""},
		{"other host", []dns.Question{q("printer.local.", dns.TypeA)}, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &dns.Msg{Question: tt.qs, Answer: tt.known}
			got := svc.reply(wire(t, m), testAddrs)
			if tt.answer == "" {
				if got != nil {
					t.Fatalf("got %v, want no reply", got)
				}
				return
			}
			if got == nil || types(got.Answer) != tt.answer || types(got.Extra) != tt.add {
				t.Fatalf("got %v, want answer %q, additional %q", got, tt.answer, tt.add)
			}
			if !got.Response || !got.Authoritative || len(got.Question) != 0 {
				t.Errorf("header: got %+v, want an authoritative response without questions", got.MsgHdr)
			}
		})
	}
}

func TestLegacyReply(t *testing.T) {
	svc := testService(t)
	query := &dns.Msg{MsgHdr: dns.MsgHdr{Id: 4711}, Question: []dns.Question{{Name: svc.kind, Qtype: dns.TypePTR, Qclass: dns.ClassINET}}}
	r := legacyReply(svc.reply(query, testAddrs), query)
	if r.Id != 4711 || len(r.Question) != 1 {
		t.Errorf("legacy reply: got id %d, %d questions; want 4711, 1", r.Id, len(r.Question))
	}
	for _, rr := range slices.Concat(r.Answer, r.Extra) {
		if h := rr.Header(); h.Ttl > legacyTTL || h.Class&cacheFlush != 0 {
			t.Errorf("%v: want TTL <= %d and no cache-flush bit", rr, legacyTTL)
		}
	}
	if wantsUnicast(query) {
		t.Errorf("wantsUnicast without the QU bit: got true")
	}
	query.Question[0].Qclass |= unicastReply
	if !wantsUnicast(query) {
		t.Errorf("wantsUnicast with the QU bit: got false")
	}
}

func TestAnnouncementAndGoodbye(t *testing.T) {
	svc := testService(t)
	gone := []netip.Addr{netip.MustParseAddr("10.0.0.4")}
	a := svc.announcement(testAddrs, gone)
	if got, want := types(a.Answer), "A/0 PTR/120 SRV/120 TXT/120 A/120 AAAA/120"; got != want {
		t.Errorf("announcement: got %s, want %s", got, want)
	}
	for _, rr := range a.Answer {
		h := rr.Header()
		flush := h.Rrtype != dns.TypePTR && h.Ttl > 0
		if (h.Class&cacheFlush != 0) != flush {
			t.Errorf("%v: cache-flush bit %v, want %v", rr, h.Class&cacheFlush != 0, flush)
		}
	}
	if got, want := types(svc.goodbye(testAddrs).Answer), "PTR/0 SRV/0 TXT/0 A/0 AAAA/0"; got != want {
		t.Errorf("goodbye: got %s, want %s", got, want)
	}
}

func TestObserver(t *testing.T) {
	svc := testService(t)
	from := netip.MustParseAddr("10.0.0.5")
	o := newObserver("eth1", roomKinds)
	got := o.observe(wire(t, svc.announcement(testAddrs, nil)), from)
	if len(got) != 1 {
		t.Fatalf("announcement: got %d answers, want 1", len(got))
	}
	s, err := parseAnswer(got[0])
	want := []string{"10.0.0.5:4242", "[fe80::5%eth1]:4242"}
	if err != nil || s.room.Name != `Café "Room"` || s.room.Host != "zoë" || !slices.Equal(formatAddrs(s.addrs), want) || got[0].from != from {
		t.Errorf("announcement: got %+v (%v), want %q by zoë at %v", s, err, `Café "Room"`, want)
	}

	moved := []netip.Addr{netip.MustParseAddr("10.0.0.6"), testAddrs[1]}
	got = o.observe(wire(t, svc.announcement(moved, testAddrs[:1])), from)
	s, _ = parseAnswer(got[0])
	if g, w := fmt.Sprint(formatAddrs(s.addrs), formatAddrs(s.gone)), "[10.0.0.6:4242 [fe80::5%eth1]:4242] [10.0.0.5:4242]"; g != w {
		t.Errorf("new address: got %s, want %s", g, w)
	}

	got = o.observe(wire(t, svc.goodbye(moved)), from)
	if len(got) != 1 || !got[0].bye {
		t.Errorf("goodbye: got %+v, want one bye", got)
	}
}

func TestObserverSplitResponses(t *testing.T) {
	svc := testService(t)
	o := newObserver("eth0", roomKinds)
	first := response()
	first.Answer = []dns.RR{svc.ptr(120), svc.srv(120, true), svc.text(120, true)}
	if got := o.observe(wire(t, first), netip.Addr{}); len(got) != 0 {
		t.Errorf("without addresses: got %+v, want nothing yet", got)
	}
	second := response()
	second.Answer = append([]dns.RR{svc.srv(120, true)}, svc.addrRRs(testAddrs[:1], 120, true, true, true)...)
	got := o.observe(wire(t, second), netip.Addr{})
	if len(got) != 1 || got[0].port != 4242 || fmt.Sprint(got[0].addrs) != "[10.0.0.5]" {
		t.Errorf("with the address: got %+v, want the whole room", got)
	}
}

func TestObserverIgnoresOthers(t *testing.T) {
	svc := testService(t)
	probe := newService(probeType, "probe-1", "parley-probe-1", 9, []string{"v=1"})
	o := newObserver("eth0", roomKinds)
	if got := o.observe(wire(t, probe.announcement(testAddrs, nil)), netip.Addr{}); len(got) != 0 {
		t.Errorf("probe seen by a room observer: %+v", got)
	}
	other := newService("_http._tcp", "printer", "printer", 80, []string{"x=y"})
	if got := o.observe(wire(t, other.announcement(testAddrs, nil)), netip.Addr{}); len(got) != 0 {
		t.Errorf("other service seen: %+v", got)
	}
	both := newObserver("eth0", []string{roomKinds[0], probeType + "." + domain})
	m := svc.announcement(testAddrs, nil)
	m.Answer = append(m.Answer, probe.announcement(testAddrs, nil).Answer...)
	got := both.observe(wire(t, m), netip.Addr{})
	var kinds []string
	for _, a := range got {
		kinds = append(kinds, a.kind+" "+a.instance)
	}
	slices.Sort(kinds)
	if want := []string{"_parley-probe._udp.local. probe-1", "_parley._tcp.local. room-01234567"}; !slices.Equal(kinds, want) {
		t.Errorf("watching both: got %q, want %q", kinds, want)
	}
}

func TestAnnounceValidates(t *testing.T) {
	good := chat.Room{ID: chat.NewID(), Name: "Lobby", Host: "ann"}
	tests := []struct {
		name    string
		cfg     AnnounceConfig
		wantErr string
	}{
		{"bad room", AnnounceConfig{Room: chat.Room{ID: "x y", Name: "n"}, Port: 4000, Names: []string{"nowhere0"}}, "room id"},
		{"bad port", AnnounceConfig{Room: good, Port: 0, Names: []string{"nowhere0"}}, "port 0"},
		{"unknown interface", AnnounceConfig{Room: good, Port: 4000, Names: []string{"nowhere0"}}, `interface "nowhere0"`},
		{"empty names", AnnounceConfig{Room: good, Port: 4000, Names: []string{}}, "empty interface list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Announce(tt.cfg)
			if err == nil {
				a.Close()
				t.Fatalf("got nil error, want one containing %q", tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "announce: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %q, want an error starting %q containing %q", err, "announce: ", tt.wantErr)
			}
		})
	}
}
