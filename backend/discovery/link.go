package discovery

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// maxPacket is the largest mDNS message read (RFC 6762 §17: 9000 bytes).
const maxPacket = 9000

// link holds the mDNS sockets of one interface: an IPv4 one if the
// interface has an IPv4 address, an IPv6 one if it has an IPv6 address
// (a link-local one is enough). Each socket joins the mDNS group on this
// interface alone and sends there alone.
//
// Every socket bound to port 5353 may also receive what arrives on other
// interfaces (on Linux, a socket bound to the wildcard address gets the
// multicast of every group any socket joined, on any interface:
// IP_MULTICAST_ALL), so reads check the interface index the kernel gives
// with each packet and drop the others. Where the platform gives none,
// the socket's own membership is all there is to go on.
type link struct {
	ifi net.Interface
	v4  *ipv4.PacketConn // nil without IPv4
	v6  *ipv6.PacketConn // nil without IPv6
	// tells4 and tells6 say whether the socket reports the arrival
	// interface of each packet (IP_PKTINFO, IPV6_PKTINFO).
	tells4, tells6 bool
}

// packet is one mDNS message heard on a link.
type packet struct {
	msg  *dns.Msg
	from netip.AddrPort // the sender; link-local addresses zoned
	v6   bool           // it came over IPv6
}

// openLink opens the sockets of ifi for the families asked for. It fails
// if none of them works.
func openLink(ifi net.Interface, has4, has6 bool) (*link, error) {
	l := &link{ifi: ifi}
	var err4, err6 error
	if has4 {
		l.v4, l.tells4, err4 = listen4(&ifi)
	}
	if has6 {
		l.v6, l.tells6, err6 = listen6(&ifi)
	}
	if l.v4 == nil && l.v6 == nil {
		return nil, fmt.Errorf("%s: join mDNS group: %w", ifi.Name, errors.Join(err4, err6, errNoFamily(has4, has6)))
	}
	return l, nil
}

func errNoFamily(has4, has6 bool) error {
	if !has4 && !has6 {
		return errors.New("no address")
	}
	return nil
}

// families reports which address families addrs has.
func families(addrs []netip.Addr) (has4, has6 bool) {
	for _, a := range addrs {
		has4 = has4 || a.Unmap().Is4()
		has6 = has6 || !a.Unmap().Is4()
	}
	return has4, has6
}

// listen4 opens ifi's IPv4 socket and reports whether it tells the
// arrival interface of each packet (some platforms cannot).
func listen4(ifi *net.Interface) (*ipv4.PacketConn, bool, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: groupV4.AsSlice(), Port: mdnsPort})
	if err != nil {
		return nil, false, err
	}
	p := ipv4.NewPacketConn(c)
	tells := p.SetControlMessage(ipv4.FlagInterface, true) == nil
	group := &net.UDPAddr{IP: groupV4.AsSlice()}
	err = errors.Join(p.JoinGroup(ifi, group), p.SetMulticastInterface(ifi),
		p.SetMulticastTTL(255), p.SetTTL(255), p.SetMulticastLoopback(true))
	if err != nil {
		p.Close()
		return nil, false, err
	}
	return p, tells, nil
}

// listen6 is listen4 for IPv6.
func listen6(ifi *net.Interface) (*ipv6.PacketConn, bool, error) {
	c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: groupV6.AsSlice(), Port: mdnsPort})
	if err != nil {
		return nil, false, err
	}
	p := ipv6.NewPacketConn(c)
	tells := p.SetControlMessage(ipv6.FlagInterface, true) == nil
	group := &net.UDPAddr{IP: groupV6.AsSlice()}
	err = errors.Join(p.JoinGroup(ifi, group), p.SetMulticastInterface(ifi),
		p.SetMulticastHopLimit(255), p.SetHopLimit(255), p.SetMulticastLoopback(true))
	if err != nil {
		p.Close()
		return nil, false, err
	}
	return p, tells, nil
}

// serve reads both sockets on goroutines added to wg, handing each mDNS
// message that arrived on this interface to handle, until close. handle
// is called from two goroutines at once.
func (l *link) serve(wg *sync.WaitGroup, handle func(packet)) {
	if l.v4 != nil {
		wg.Go(func() {
			l.read(func(b []byte) (int, int, net.Addr, error) {
				n, cm, from, err := l.v4.ReadFrom(b)
				if cm == nil {
					return n, 0, from, err
				}
				return n, cm.IfIndex, from, err
			}, false, l.tells4, handle)
		})
	}
	if l.v6 != nil {
		wg.Go(func() {
			l.read(func(b []byte) (int, int, net.Addr, error) {
				n, cm, from, err := l.v6.ReadFrom(b)
				if cm == nil {
					return n, 0, from, err
				}
				return n, cm.IfIndex, from, err
			}, true, l.tells6, handle)
		})
	}
}

// read is the loop of one socket; readFrom returns the arrival interface
// index, 0 when unknown, and tells says whether the socket reports it. It
// returns once the socket is closed, or after 100 read errors in a row,
// each followed by a 10 ms pause.
func (l *link) read(readFrom func([]byte) (int, int, net.Addr, error), v6, tells bool, handle func(packet)) {
	buf := make([]byte, maxPacket)
	for failures := 0; failures < 100; {
		n, ifIndex, from, err := readFrom(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			failures++
			time.Sleep(10 * time.Millisecond)
			continue
		}
		failures = 0
		if !l.heardHere(ifIndex, tells) {
			continue
		}
		m := new(dns.Msg)
		if m.Unpack(buf[:n]) != nil {
			continue
		}
		handle(packet{msg: m, from: l.sender(from), v6: v6})
	}
}

// heardHere reports whether a packet with arrival interface ifIndex is
// this link's. A socket that tells interfaces still gives index 0 for a
// packet it queued before it was asked to tell them (Linux): a packet
// from any interface, dropped like those from other interfaces, as mDNS
// says everything again soon. Only a socket that cannot tell takes 0 as
// its own.
func (l *link) heardHere(ifIndex int, tells bool) bool {
	if ifIndex == 0 {
		return !tells
	}
	return ifIndex == l.ifi.Index
}

// sender returns from as an AddrPort, zoned with this interface when it is
// link-local.
func (l *link) sender(from net.Addr) netip.AddrPort {
	u, ok := from.(*net.UDPAddr)
	if !ok {
		return netip.AddrPort{}
	}
	ap := u.AddrPort()
	a := ap.Addr().Unmap()
	if a.Is6() && (a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast()) {
		a = a.WithZone(l.ifi.Name)
	}
	return netip.AddrPortFrom(a, ap.Port())
}

// multicast sends m to the mDNS group on this interface, over IPv4 and/or
// IPv6 as asked and as open.
func (l *link) multicast(m *dns.Msg, v4, v6 bool) error {
	b, err := m.Pack()
	if err != nil {
		return err
	}
	var errs []error
	if v4 && l.v4 != nil {
		_, err := l.v4.WriteTo(b, nil, &net.UDPAddr{IP: groupV4.AsSlice(), Port: mdnsPort})
		errs = append(errs, err)
	}
	if v6 && l.v6 != nil {
		_, err := l.v6.WriteTo(b, nil, &net.UDPAddr{IP: groupV6.AsSlice(), Port: mdnsPort, Zone: l.ifi.Name})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// unicast sends m to one address over the matching socket.
func (l *link) unicast(m *dns.Msg, to netip.AddrPort) error {
	b, err := m.Pack()
	if err != nil {
		return err
	}
	dst := net.UDPAddrFromAddrPort(to)
	switch {
	case to.Addr().Is4() && l.v4 != nil:
		_, err = l.v4.WriteTo(b, nil, dst)
	case to.Addr().Is6() && l.v6 != nil:
		_, err = l.v6.WriteTo(b, nil, dst)
	default:
		err = fmt.Errorf("no socket for %s on %s", to, l.ifi.Name)
	}
	return err
}

// has reports whether the link has a socket of the given family.
func (l *link) has(v6 bool) bool {
	if v6 {
		return l.v6 != nil
	}
	return l.v4 != nil
}

// close closes the sockets; serve's goroutines then return.
func (l *link) close() {
	if l.v4 != nil {
		l.v4.Close()
	}
	if l.v6 != nil {
		l.v6.Close()
	}
}
