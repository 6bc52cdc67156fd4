package discovery

import (
	"net/netip"
	"testing"

	"github.com/miekg/dns"
	"github.com/parley-lan/parley/backend/chat"
)

// fuzzSeeds are packed messages a link hears: announcements, goodbyes,
// replies and queries.
func fuzzSeeds(f *testing.F) [][]byte {
	svc, err := roomService(chat.Room{ID: id16, Name: `Café \ "Room"`, Host: "zoë"}, 4242)
	if err != nil {
		f.Fatal(err)
	}
	q := browseQuery(roomKinds)
	msgs := []*dns.Msg{
		svc.announcement(testAddrs, nil),
		svc.announcement(testAddrs[:1], testAddrs[1:]),
		svc.goodbye(testAddrs),
		svc.reply(q, testAddrs),
		q,
	}
	var out [][]byte
	for _, m := range msgs {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzObserve feeds arbitrary packets to an observer and the answers to
// parseAnswer: nothing may panic, and every address listed must be
// usable and, when link-local, zoned with the observer's interface.
func FuzzObserve(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	o := newObserver("eth0", []string{roomKinds[0], probeType + "." + domain})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m dns.Msg
		if m.Unpack(b) != nil {
			return
		}
		for _, a := range o.observe(&m, netip.Addr{}) {
			s, err := parseAnswer(a)
			if err != nil {
				continue
			}
			for _, ap := range s.addrs {
				if !usableAddr(ap.Addr()) || (ap.Addr().IsLinkLocalUnicast() && ap.Addr().Is6() && ap.Addr().Zone() != "eth0") {
					t.Fatalf("listed %v", ap)
				}
			}
		}
	})
}

// FuzzReply answers arbitrary queries: nothing may panic, and every reply
// packs.
func FuzzReply(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	svc, _ := roomService(chat.Room{ID: id16, Name: "n", Host: "h"}, 4242)
	f.Fuzz(func(t *testing.T, b []byte) {
		var q dns.Msg
		if q.Unpack(b) != nil {
			return
		}
		if r := svc.reply(&q, testAddrs); r != nil {
			if _, err := legacyReply(r, &q).Pack(); err != nil {
				t.Fatalf("legacy reply does not pack: %v", err)
			}
			if _, err := r.Pack(); err != nil {
				t.Fatalf("reply does not pack: %v", err)
			}
		}
	})
}
