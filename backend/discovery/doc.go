// Package discovery announces hosted rooms on the LAN and lists the rooms
// others announce, with mDNS/DNS-SD (RFC 6762/6763), and diagnoses why
// discovery does not work on a machine. It speaks mDNS itself, on
// github.com/miekg/dns and golang.org/x/net/ipv4+ipv6: a responder that
// announces and answers, a querier that browses (see "Why not zeroconf").
//
// # What goes on the air
//
// A room is one DNS-SD service of type ServiceType ("_parley._tcp") in
// "local.":
//
//	instance  room-<8 hex of the room id>._parley._tcp.local.
//	SRV       parley-<8 hex>.local. : the room's TCP port
//	A/AAAA    the addresses of the interface the answer goes out on, only
//	TXT       v=1  id=<room id>  name=<room name>  host=<host nickname>
//
// Every record has a TTL of 120 s. The human room name travels as plain
// UTF-8 in TXT, not in the instance name, so avahi-browse, dns-sd and
// python-zeroconf show it readably and no name can break a DNS label.
// Rooms are identified by id: two answers with the same id are one room,
// and their addresses are merged (a browser on two LANs that both reach
// the host lists the room once, with the addresses of both).
//
// # One interface, its own addresses
//
// A host announces on each chosen interface separately (one responder per
// interface: sockets that join the mDNS group on that interface alone),
// with that interface's addresses alone: IPv4, routable IPv6 (global and
// ULA) and IPv6 link-local. A host with one leg on LAN A and one on LAN B
// is found from both, and a joiner on A sees only A's addresses. Queries
// are answered over the family they came in on; a query with the QU bit,
// or from a port other than 5353 (legacy unicast, e.g. dig), gets a
// unicast reply. Announcements go out at 0, 1 and 3 s after a start or a
// change; a withdrawal is a goodbye (TTL 0).
//
// On Linux a socket bound to port 5353 receives the mDNS multicast of
// every interface on which any socket of the machine joined the group
// (IP_MULTICAST_ALL), avahi-daemon's included. Every read therefore checks
// the interface index the kernel reports (IP_PKTINFO / IPV6_PKTINFO) and
// drops packets from other interfaces, and those a new socket queued
// before it was set to report interfaces (the kernel gives them index 0,
// whichever interface they came from); where a platform reports none, the
// socket's own membership is what there is. Queries that arrive on
// docker0 or a VPN are never answered, even when the host's own sockets
// receive them.
//
// # Choosing interfaces
//
// Interfaces picks the real LAN interfaces (up with a carrier, multicast,
// not loopback, point-to-point or named like a container bridge, VM
// network or VPN, with an address; an IPv6 link-local address is enough)
// or exactly the named ones. Advertise and Lookup take a fixed list.
// Announce (the Announcer) and a Browser with nil Ifaces evaluate the
// choice again as they run, so they follow Wi-Fi roaming, cables, DHCP
// renewals and network cards that come and go:
//
//   - An Announcer polls every AnnounceConfig.Poll (DefaultPoll, 2 s). An
//     interface that went gets a goodbye; one whose addresses changed is
//     announced again with goodbyes for the old addresses (a new socket
//     pair if an address family came or went); a new one is announced.
//     Measured between namespaces: a replaced IPv4 address is listed, and
//     the old one dropped, about 2 s after the change (one poll); a host
//     plugged into a second LAN is listed there about 2 s later.
//   - A Browser with nil Ifaces uses the interfaces of the moment for
//     every browse: a browser that joins a LAN lists its rooms within a
//     cycle (1.5 s measured). With no LAN interface at all it does not
//     fail; it keeps looking.
//
// # Addresses a joiner can dial
//
// Room.Addrs are strings net.Dial accepts, IPv4 first, then routable
// IPv6, then link-local IPv6. A link-local address carries the zone of the
// interface the browser heard it on ("[fe80::1%eth0]:4242"): each browse
// listens per interface and knows where every answer arrived. On a LAN
// without IPv4 (no DHCP server), a room is found and joined over IPv6
// link-local alone.
//
// # Browsing
//
// A Browser runs a fresh, single-use browse every Cycle (DefaultCycle,
// 1.5 s), each bounded to two thirds of a cycle, and drops an address that
// two fresh browses in a row did not see; a room goes with its last
// address. Alongside, a long-running browse (restarted every five cycles)
// hears the announcements hosts send, so a new room is listed within
// milliseconds of its announcement. Goodbyes are believed at once: a room
// whose host closes it cleanly leaves the list immediately, a withdrawn
// address likewise; a host that dies without a word leaves within about
// two cycles and a browse window (3.5–4 s). Browser.Suspect lets a joiner
// report a failed connect: the room is hidden at once and comes back only
// if the next fresh browse sees it.
//
// Every browse opens its own sockets and, when its context ends, closes
// them and waits for its goroutines; Run and Lookup return only once
// every goroutine they started has finished.
//
// Instance names and TXT strings come back in DNS presentation format
// (`Caf\195\169\ Room`, `\.`, `\\`, `\"`), and miekg/dns reads backslashes
// in outgoing TXT strings as escapes. Outgoing values have their
// backslashes doubled; incoming ones are unescaped, must be valid UTF-8
// and pass the chat package's validators, or the whole record is skipped
// (logged at debug level): a room is listed whole or not at all. Records
// about one instance may arrive in several responses; a browse remembers
// them (up to 512 names) until the instance is whole.
//
// # Diagnosis
//
// Diagnose reports every interface (used or why not), announces a
// short-lived probe of its own on each used interface (service type
// "_parley-probe._udp", a TXT without a room id: no Parley browser ever
// lists it) and listens for it and for rooms. On Linux multicast is looped
// back to the sender, so an interface that works hears its own probe; one
// that does not points to a firewall dropping UDP 5353; one where the
// sockets cannot even open (another program keeping port 5353 to itself)
// gets a Problem. Hints turn the findings into advice. It takes about its wait (DefaultDiagnoseWait, 2 s)
// and returns at once when no interface can be used. Rooms hosted on the
// same machine answer too; they are marked RoomSeen.Here and do not count
// as proof that the network works.
//
// # Why not zeroconf
//
// This package used github.com/grandcat/zeroconf v1.0.0 until per-
// interface announcing and link-local addresses were needed. Measured
// between namespaces: with one zeroconf Server per interface (RegisterProxy
// with that interface and its addresses), a browser on LAN A also received
// LAN B's address and vice versa, because each Server answers queries
// from every interface (IP_MULTICAST_ALL, above) on the interface they
// came from, with its own fixed addresses. zeroconf's Resolver discards
// the interface a response arrived on, so link-local addresses could not
// be zoned, nor could a diagnosis say what was heard where. It also drops
// goodbyes, reports each instance once per browse, races its own Shutdown
// and logs through the standard logger. Older Parley versions still use
// it; the tests check that they and this package list each other's rooms
// (zeroconf remains a test-only dependency).
//
// # Testing
//
// mDNS is multicast: nothing in this package's tests advertises or browses
// in the machine's own network namespace. Tests that need the network
// re-execute the test binary inside namespaces built with backend/netlab
// (two LANs, IPv6-only LANs, changed addresses, multicast off, a firewall
// dropping UDP 5353); in a single namespace, Interfaces([]string{"lo"})
// gives a loopback-only setup.
package discovery
