package discovery

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// mDNS (RFC 6762) constants.
const (
	mdnsPort     = 5353
	recordTTL    = 120 // seconds, for every record this package sends
	legacyTTL    = 10  // cap for replies to legacy unicast queries (§6.7)
	cacheFlush   = 1 << 15
	unicastReply = 1 << 15 // the QU bit in a question's class (§5.4)
	servicesName = "_services._dns-sd._udp.local."
)

// The mDNS multicast groups.
var (
	groupV4 = netip.MustParseAddr("224.0.0.251")
	groupV6 = netip.MustParseAddr("ff02::fb")
)

// service is one DNS-SD service instance as it goes on the air. Its
// fields are fixed once made; the addresses vary by link and are passed
// to each method.
type service struct {
	kind     string // service type, e.g. "_parley._tcp.local."
	instance string // e.g. "room-0123abcd._parley._tcp.local."
	host     string // SRV target, e.g. "parley-0123abcd.local."
	port     uint16
	txt      []string // presentation format (see escapeTXT)
}

// newService names an instance label of serviceType ("_parley._tcp")
// served on host label hostLabel at port.
func newService(serviceType, label, hostLabel string, port int, txt []string) *service {
	kind := serviceType + "." + domain
	return &service{kind: kind, instance: label + "." + kind, host: hostLabel + "." + domain, port: uint16(port), txt: txt}
}

func hdr(name string, typ uint16, ttl uint32, flush bool) dns.RR_Header {
	class := uint16(dns.ClassINET)
	if flush && ttl > 0 {
		class |= cacheFlush
	}
	return dns.RR_Header{Name: name, Rrtype: typ, Class: class, Ttl: ttl}
}

func (s *service) ptr(ttl uint32) dns.RR {
	return &dns.PTR{Hdr: hdr(s.kind, dns.TypePTR, ttl, false), Ptr: s.instance}
}

func (s *service) typePTR(ttl uint32) dns.RR {
	return &dns.PTR{Hdr: hdr(servicesName, dns.TypePTR, ttl, false), Ptr: s.kind}
}

func (s *service) srv(ttl uint32, flush bool) dns.RR {
	return &dns.SRV{Hdr: hdr(s.instance, dns.TypeSRV, ttl, flush), Port: s.port, Target: s.host}
}

func (s *service) text(ttl uint32, flush bool) dns.RR {
	return &dns.TXT{Hdr: hdr(s.instance, dns.TypeTXT, ttl, flush), Txt: s.txt}
}

// addrRRs returns A and AAAA records for addrs of the given families.
func (s *service) addrRRs(addrs []netip.Addr, ttl uint32, flush, v4, v6 bool) []dns.RR {
	var rrs []dns.RR
	for _, a := range addrs {
		switch {
		case a.Is4() && v4:
			rrs = append(rrs, &dns.A{Hdr: hdr(s.host, dns.TypeA, ttl, flush), A: a.AsSlice()})
		case a.Is6() && v6:
			rrs = append(rrs, &dns.AAAA{Hdr: hdr(s.host, dns.TypeAAAA, ttl, flush), AAAA: a.WithZone("").AsSlice()})
		}
	}
	return rrs
}

// announcement is an unsolicited response with every record of s and
// addrs, plus goodbyes (TTL 0) for the addresses in gone.
func (s *service) announcement(addrs, gone []netip.Addr) *dns.Msg {
	m := response()
	m.Answer = s.addrRRs(gone, 0, false, true, true)
	m.Answer = append(m.Answer, s.ptr(recordTTL), s.srv(recordTTL, true), s.text(recordTTL, true))
	m.Answer = append(m.Answer, s.addrRRs(addrs, recordTTL, true, true, true)...)
	return m
}

// goodbye withdraws s and addrs: every record with TTL 0 (§10.1).
func (s *service) goodbye(addrs []netip.Addr) *dns.Msg {
	m := response()
	m.Answer = append([]dns.RR{s.ptr(0), s.srv(0, false), s.text(0, false)}, s.addrRRs(addrs, 0, false, true, true)...)
	return m
}

func response() *dns.Msg {
	m := new(dns.Msg)
	m.Response, m.Authoritative = true, true
	return m
}

// reply answers query with s's records and addrs, or returns nil when it
// asks nothing about s. Questions about the service type get the PTR with
// SRV, TXT and addresses as additional records; about the instance, SRV
// and TXT; about the host, addresses; about "_services._dns-sd._udp", the
// service type. A PTR the querier already knows (its known-answer list has
// it with at least half our TTL) is left out (§7.1).
func (s *service) reply(query *dns.Msg, addrs []netip.Addr) *dns.Msg {
	m := response()
	for _, q := range query.Question {
		m.Answer = append(m.Answer, s.answers(q, query.Answer, addrs)...)
	}
	if len(m.Answer) == 0 {
		return nil
	}
	m.Answer = dedupRRs(m.Answer)
	m.Extra = s.additional(m.Answer, addrs)
	return m
}

// answers returns the answer records for one question.
func (s *service) answers(q dns.Question, known []dns.RR, addrs []netip.Addr) []dns.RR {
	all := q.Qtype == dns.TypeANY
	switch name := q.Name; {
	case strings.EqualFold(name, s.kind) && (q.Qtype == dns.TypePTR || all):
		if knowsPTR(known, s.instance) {
			return nil
		}
		return []dns.RR{s.ptr(recordTTL)}
	case strings.EqualFold(name, servicesName) && (q.Qtype == dns.TypePTR || all):
		return []dns.RR{s.typePTR(recordTTL)}
	case strings.EqualFold(name, s.instance):
		var rrs []dns.RR
		if q.Qtype == dns.TypeSRV || all {
			rrs = append(rrs, s.srv(recordTTL, true))
		}
		if q.Qtype == dns.TypeTXT || all {
			rrs = append(rrs, s.text(recordTTL, true))
		}
		return rrs
	case strings.EqualFold(name, s.host):
		return s.addrRRs(addrs, recordTTL, true, q.Qtype == dns.TypeA || all, q.Qtype == dns.TypeAAAA || all)
	}
	return nil
}

// additional returns the records a querier will want next, given the
// answers: SRV and TXT after the PTR to the instance, addresses after
// that PTR or an SRV.
func (s *service) additional(answers []dns.RR, addrs []netip.Addr) []dns.RR {
	has := func(t uint16) bool {
		return slices.ContainsFunc(answers, func(rr dns.RR) bool {
			p, isPTR := rr.(*dns.PTR)
			return rr.Header().Rrtype == t && (!isPTR || p.Ptr == s.instance)
		})
	}
	var extra []dns.RR
	if has(dns.TypePTR) && !has(dns.TypeSRV) {
		extra = append(extra, s.srv(recordTTL, true), s.text(recordTTL, true))
	}
	if (has(dns.TypePTR) || has(dns.TypeSRV)) && !has(dns.TypeA) && !has(dns.TypeAAAA) {
		extra = append(extra, s.addrRRs(addrs, recordTTL, true, true, true)...)
	}
	return extra
}

// knowsPTR reports whether a known-answer list has the PTR to instance
// with at least half of recordTTL left.
func knowsPTR(known []dns.RR, instance string) bool {
	return slices.ContainsFunc(known, func(rr dns.RR) bool {
		p, ok := rr.(*dns.PTR)
		return ok && strings.EqualFold(p.Ptr, instance) && p.Hdr.Ttl >= recordTTL/2
	})
}

func dedupRRs(rrs []dns.RR) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if !slices.ContainsFunc(out, func(o dns.RR) bool { return dns.IsDuplicate(o, rr) }) {
			out = append(out, rr)
		}
	}
	return out
}

// legacyReply turns reply into the answer to a legacy unicast query (one
// sent from a port other than 5353, §6.7): the query's id and questions,
// TTLs of at most legacyTTL, no cache-flush bits.
func legacyReply(reply, query *dns.Msg) *dns.Msg {
	m := reply.Copy()
	m.Id, m.Question = query.Id, query.Question
	for _, rr := range slices.Concat(m.Answer, m.Extra) {
		h := rr.Header()
		h.Class &^= cacheFlush
		h.Ttl = min(h.Ttl, legacyTTL)
	}
	return m
}

// wantsUnicast reports whether every question of query asks for a
// unicast reply (the QU bit).
func wantsUnicast(query *dns.Msg) bool {
	return len(query.Question) > 0 && !slices.ContainsFunc(query.Question, func(q dns.Question) bool {
		return q.Qclass&unicastReply == 0
	})
}

// browseQuery asks for instances of the service types in kinds.
func browseQuery(kinds []string) *dns.Msg {
	m := new(dns.Msg)
	for _, k := range kinds {
		m.Question = append(m.Question, dns.Question{Name: k, Qtype: dns.TypePTR, Qclass: dns.ClassINET})
	}
	return m
}
