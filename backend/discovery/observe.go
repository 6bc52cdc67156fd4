package discovery

import (
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// maxNames bounds what an observer remembers, so a flood of made-up
// records cannot grow it without limit during a browse.
const maxNames = 512

// answer is what mDNS responses heard on one link say about one service
// instance.
type answer struct {
	kind     string       // service type, lowercase, e.g. "_parley._tcp.local."
	instance string       // instance label in presentation format, e.g. `Caf\195\169`
	text     []string     // TXT strings in presentation format
	port     int          // 0 when the SRV record is unknown
	addrs    []netip.Addr // live addresses, link-local ones zoned with iface
	gone     []netip.Addr // addresses just withdrawn (TTL 0), zoned likewise
	bye      bool         // the instance itself was withdrawn (TTL 0)
	iface    string       // the interface it was heard on
	from     netip.Addr   // who sent the last response about it
}

// observer turns the mDNS responses heard on one link into answers about
// instances of the service types it watches. Records about one instance
// may come in several responses, so it remembers SRV, TXT and address
// records for the life of one browse. An observer is owned by one
// goroutine.
type observer struct {
	iface string
	kinds []string // lowercase service types to watch
	srv   map[string]*dns.SRV
	txt   map[string]*dns.TXT
	addrs map[string]map[netip.Addr]bool // by host name, live addresses
}

func newObserver(iface string, kinds []string) *observer {
	o := &observer{iface: iface, srv: map[string]*dns.SRV{}, txt: map[string]*dns.TXT{}, addrs: map[string]map[netip.Addr]bool{}}
	for _, k := range kinds {
		o.kinds = append(o.kinds, lowerASCII(k))
	}
	return o
}

// observe takes in one response and returns an answer for every watched
// instance it mentions that is now whole (TXT, SRV and an address), that
// lost addresses, or that was withdrawn.
func (o *observer) observe(m *dns.Msg, from netip.Addr) []answer {
	records := append(append(append([]dns.RR(nil), m.Answer...), m.Ns...), m.Extra...)
	gone := map[string][]netip.Addr{} // by host
	mentioned := map[string]bool{}    // instance names, lowercase
	byes := map[string]bool{}
	for _, rr := range records {
		o.remember(rr, gone, mentioned, byes)
	}
	var out []answer
	for name := range mentioned {
		if a, ok := o.answerFor(name, gone, byes[name]); ok {
			a.from = from
			out = append(out, a)
		}
	}
	return out
}

// remember files one record away and notes what it mentions.
func (o *observer) remember(rr dns.RR, gone map[string][]netip.Addr, mentioned, byes map[string]bool) {
	h := rr.Header()
	name := lowerASCII(h.Name)
	switch r := rr.(type) {
	case *dns.PTR:
		if inst := lowerASCII(r.Ptr); o.kindOf(inst) != "" && o.watches(name) {
			mentioned[inst] = true
			byes[inst] = byes[inst] || h.Ttl == 0
		}
	case *dns.SRV:
		if o.kindOf(name) != "" && o.room(name) {
			mentioned[name] = true
			o.srv[name] = r
			byes[name] = byes[name] || h.Ttl == 0
		}
	case *dns.TXT:
		if o.kindOf(name) != "" && o.room(name) {
			mentioned[name] = true
			o.txt[name] = r
		}
	case *dns.A:
		o.address(name, r.A, h.Ttl, gone)
	case *dns.AAAA:
		o.address(name, r.AAAA, h.Ttl, gone)
	}
}

// address records a live address of host, or its withdrawal.
func (o *observer) address(host string, ip []byte, ttl uint32, gone map[string][]netip.Addr) {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return
	}
	a = a.Unmap()
	if a.Is6() && a.IsLinkLocalUnicast() {
		a = a.WithZone(o.iface)
	}
	set := o.addrs[host]
	if set == nil {
		if len(o.addrs) >= maxNames {
			return
		}
		set = map[netip.Addr]bool{}
		o.addrs[host] = set
	}
	if ttl == 0 {
		delete(set, a)
		gone[host] = append(gone[host], a)
		return
	}
	if len(set) < maxNames {
		set[a] = true
	}
}

// answerFor builds the answer about instance name, if there is one to give.
func (o *observer) answerFor(name string, gone map[string][]netip.Addr, bye bool) (answer, bool) {
	txt := o.txt[name]
	if txt == nil {
		return answer{}, false
	}
	kind := o.kindOf(name)
	a := answer{kind: kind, instance: strings.TrimSuffix(txt.Hdr.Name[:len(name)-len(kind)], "."), text: txt.Txt, bye: bye, iface: o.iface}
	if srv := o.srv[name]; srv != nil {
		a.port = int(srv.Port)
		host := lowerASCII(srv.Target)
		for addr := range o.addrs[host] {
			a.addrs = append(a.addrs, addr)
		}
		a.gone = gone[host]
	}
	if bye {
		delete(o.srv, name)
		delete(o.txt, name)
	}
	return a, bye || len(a.gone) > 0 || (a.port > 0 && len(a.addrs) > 0)
}

// kindOf returns the watched service type that name is an instance of,
// or "".
func (o *observer) kindOf(name string) string {
	for _, k := range o.kinds {
		if len(name) > len(k)+1 && strings.HasSuffix(name, "."+k) {
			return k
		}
	}
	return ""
}

func (o *observer) watches(kind string) bool {
	for _, k := range o.kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// room reports whether there is room to remember another instance name.
func (o *observer) room(name string) bool {
	_, known := o.txt[name]
	_, known2 := o.srv[name]
	return known || known2 || len(o.txt)+len(o.srv) < maxNames
}

// lowerASCII lowercases the ASCII letters of a DNS name and nothing else,
// so its length never changes (names in presentation format are ASCII).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
