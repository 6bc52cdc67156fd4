// Package discovery announces hosted rooms on the LAN and lists the rooms
// others announce, with mDNS/DNS-SD (RFC 6762/6763) through
// github.com/grandcat/zeroconf v1.0.0.
//
// # What goes on the air
//
// A room is one DNS-SD service of type ServiceType ("_parley._tcp") in
// "local.":
//
//	instance  room-<8 hex of the room id>._parley._tcp.local.
//	SRV       parley-<8 hex>.local. : the room's TCP port
//	A/AAAA    the addresses of the chosen interfaces only
//	TXT       v=1  id=<room id>  name=<room name>  host=<host nickname>
//
// The human room name travels as plain UTF-8 in TXT, not in the instance
// name, so avahi-browse, dns-sd and python-zeroconf show it readably and
// no name can break a DNS label. Rooms are identified by id: two adverts
// with the same id are one room, and their addresses are merged.
//
// # Working around zeroconf v1.0.0
//
// These defects were measured between network namespaces on Linux; the
// tests cover the workarounds.
//
//   - Removals are never reported: goodbye packets (TTL 0) are dropped, and
//     a host that was SIGKILLed stays listed forever. So Browser runs a
//     fresh, single-use browse every Cycle (DefaultCycle, 1.5 s), each
//     bounded to two thirds of a cycle, and drops an address that two
//     fresh browses in a row did not see; a room goes with its last
//     address. A room that closes cleanly or dies leaves the list in about
//     3.5–4 s (worst case two cycles plus a browse window).
//   - A running Browse reports each instance name only once, so a
//     new TXT (a renamed room) or a crashed-and-restarted host is not
//     reported again. Fresh browses pick such changes up within a cycle,
//     and the long-running browse that gives fast adds (a new room is
//     listed in 140–380 ms) is restarted every five cycles.
//   - For the same reason a Resolver reports one entry per instance name:
//     advertise a room once, with all its interfaces (one Advertiser), not
//     once per interface.
//   - A Resolver is single-use, and its goroutine blocks forever on a send
//     if its consumer stops reading. Every browse here makes a new
//     Resolver and reads its channel until zeroconf closes it, after the
//     browse's context ends; Run and Lookup return only once every
//     goroutine they started has finished.
//   - NewResolver fails outright if either IPv4 or IPv6 cannot join the
//     multicast group; it is retried with IPv4 only.
//   - Register advertises the addresses of every interface, docker0 and
//     VPNs included, and an empty interface list means "all interfaces".
//     Advertise uses RegisterProxy with the chosen interfaces (Interfaces
//     skips virtual ones by name and flags) and only their IPv4 and
//     routable IPv6 addresses, and an empty, non-nil list is an error.
//   - Instance names and TXT strings come back in DNS presentation format
//     (`Caf\195\169\ Room`, `\.`, `\\`, `\"`), and miekg/dns reads
//     backslashes in outgoing TXT strings as escapes. Outgoing values have
//     their backslashes doubled; incoming ones are unescaped, must be valid
//     UTF-8 and pass the chat package's validators, or the whole record is
//     skipped (logged at debug level): a room is listed whole or not at
//     all. A label over 63 bytes fails only when sent, which the short
//     instance name avoids.
//   - Server starts its receive goroutines unsynchronised and registers
//     them in its WaitGroup only once they run: a Shutdown right after
//     RegisterProxy is a data race. Advertiser.Close therefore waits until
//     the advert is at least 250 ms old. Server's announcement goroutine is
//     not tracked at all and may outlive Close by up to about 3.5 s after
//     Advertise; it sends nothing once the sockets are closed.
//   - Server logs through the standard log package when IPv4 or IPv6 is
//     unavailable; that line cannot be routed to the injected logger.
//
// Browser.Suspect lets a joiner report a failed connect: the room is
// hidden at once and comes back only if the next fresh browse sees it.
//
// # Testing
//
// mDNS is multicast: nothing in this package's tests advertises or browses
// in the machine's own network namespace. Tests that need the network
// re-execute the test binary inside namespaces built with
// backend/netlab; in a single namespace, Interfaces([]string{"lo"}) gives
// a loopback-only setup.
package discovery
