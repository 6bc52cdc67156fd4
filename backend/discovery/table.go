package discovery

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/parley-lan/parley/backend/chat"
)

// missLimit is how many fresh browses in a row may miss an address before
// it is dropped; a room goes when its last address goes.
const missLimit = 2

// table is a browser's view of the LAN, fed with sightings and with the
// start and end of each fresh browse. It has no clock: fresh browses are
// numbered epochs, and expiry counts epochs, so it is tested without time.
// A table is owned by one goroutine.
type table struct {
	epoch int // number of the latest fresh browse begun
	rooms map[string]*roomState
}

// roomState is what the table knows about one room id.
type roomState struct {
	room      chat.Room // latest id, name and host seen; Addrs unused
	addrs     map[netip.AddrPort]*addrState
	hidden    bool // suspected, and not seen since by a later browse
	judging   bool // a suspicion awaits the end of the next fresh browse
	suspectAt int  // epoch when the room was last suspected
}

// addrState tracks one address of a room.
type addrState struct {
	seen   int    // latest epoch in which it was seen
	missed int    // fresh browses in a row that ended without seeing it
	iface  string // the interface it was last heard on
}

func newTable() *table { return &table{rooms: map[string]*roomState{}} }

// begin records the start of a fresh browse.
func (t *table) begin() { t.epoch++ }

// see records a sighting from any browse. It updates the room's name and
// host and marks its addresses as seen in the current epoch; it drops the
// addresses the sighting withdraws, or, for a goodbye, every address last
// heard on the sighting's interface.
func (t *table) see(s sighting) {
	r := t.rooms[s.room.ID]
	if r == nil && (s.bye || len(s.addrs) == 0) {
		return
	}
	if r == nil {
		r = &roomState{addrs: map[netip.AddrPort]*addrState{}}
		t.rooms[s.room.ID] = r
	}
	for _, a := range s.gone {
		delete(r.addrs, a)
	}
	if s.bye {
		maps.DeleteFunc(r.addrs, func(_ netip.AddrPort, st *addrState) bool { return st.iface == s.iface })
		if len(r.addrs) == 0 {
			delete(t.rooms, s.room.ID)
		}
		return
	}
	r.room = chat.Room{ID: s.room.ID, Name: s.room.Name, Host: s.room.Host}
	for _, a := range s.addrs {
		r.addrs[a] = &addrState{seen: t.epoch, iface: s.iface}
	}
	if len(r.addrs) == 0 {
		delete(t.rooms, s.room.ID)
	}
	if r.hidden && t.epoch > r.suspectAt {
		r.hidden = false
	}
}

// end records the end of the current fresh browse: addresses it did not
// see count a miss and go at missLimit; a suspected room that it did not
// see goes at once, as do the unseen addresses of a suspected room that it
// did see.
func (t *table) end() {
	for id, r := range t.rooms {
		judged := r.judging && t.epoch > r.suspectAt
		for a, st := range r.addrs {
			if st.seen == t.epoch {
				continue
			}
			st.missed++
			if st.missed >= missLimit || judged {
				delete(r.addrs, a)
			}
		}
		if judged {
			r.judging, r.hidden = false, false
		}
		if len(r.addrs) == 0 {
			delete(t.rooms, id)
		}
	}
}

// suspect hides room id until a fresh browse that begins later sees it
// again; if that browse does not, the room is dropped.
func (t *table) suspect(id string) {
	if r := t.rooms[id]; r != nil {
		r.hidden, r.judging, r.suspectAt = true, true, t.epoch
	}
}

// list returns the visible rooms sorted by name (case-insensitively, then
// exactly) and id, each with its addresses sorted: IPv4, routable IPv6,
// link-local IPv6 (see compareAddrs).
func (t *table) list() []chat.Room {
	rooms := make([]chat.Room, 0, len(t.rooms))
	for _, r := range t.rooms {
		if r.hidden {
			continue
		}
		addrs := make([]netip.AddrPort, 0, len(r.addrs))
		for a := range r.addrs {
			addrs = append(addrs, a)
		}
		slices.SortFunc(addrs, compareAddrs)
		room := r.room
		room.Addrs = formatAddrs(addrs)
		rooms = append(rooms, room)
	}
	slices.SortFunc(rooms, compareRooms)
	return rooms
}

func compareRooms(a, b chat.Room) int {
	return cmp.Or(
		strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
		strings.Compare(a.Name, b.Name),
		strings.Compare(a.ID, b.ID),
	)
}

// sameRooms reports whether two room lists are identical.
func sameRooms(a, b []chat.Room) bool {
	return slices.EqualFunc(a, b, func(x, y chat.Room) bool {
		return x.ID == y.ID && x.Name == y.Name && x.Host == y.Host && slices.Equal(x.Addrs, y.Addrs)
	})
}
