package discovery

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/grandcat/zeroconf"
)

// helperAnnounce runs an Announcer per room (args.Ifaces as Names) until
// stop, reporting "advertising" with the first one's links, then closes
// them and says "closed".
func helperAnnounce(ctx context.Context, stop <-chan struct{}, args helperArgs) error {
	var ans []*Announcer
	for i, room := range args.Rooms {
		a, err := Announce(AnnounceConfig{Room: room, Port: args.Port + i, Names: args.Ifaces, Poll: args.Poll, Logger: helperLogger()})
		if err != nil {
			return err
		}
		ans = append(ans, a)
	}
	report(helperMsg{Event: "advertising", Links: ans[0].Links()})
	select {
	case <-stop:
	case <-ctx.Done():
	}
	for _, a := range ans {
		a.Close()
		a.Close() // idempotent
	}
	report(helperMsg{Event: "closed"})
	return nil
}

// helperListen accepts TCP connections on every address, port args.Port,
// closing each at once, until ctx is done.
func helperListen(ctx context.Context, args helperArgs) error {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{Port: args.Port})
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	report(helperMsg{Event: "listening"})
	for {
		c, err := ln.Accept()
		if err != nil {
			return nil
		}
		c.Close()
	}
}

// helperHoldPort binds UDP port 5353 on IPv4 and IPv6 without
// SO_REUSEADDR, as a program that keeps mDNS to itself does, until ctx is
// done.
func helperHoldPort(ctx context.Context) error {
	c4, err := net.ListenUDP("udp4", &net.UDPAddr{Port: mdnsPort})
	if err != nil {
		return err
	}
	defer c4.Close()
	c6, err := net.ListenUDP("udp6", &net.UDPAddr{Port: mdnsPort})
	if err != nil {
		return err
	}
	defer c6.Close()
	report(helperMsg{Event: "holding"})
	<-ctx.Done()
	return nil
}

// helperDial connects to each of args.Addrs and reports the outcomes.
func helperDial(args helperArgs) error {
	res := map[string]string{}
	for _, a := range args.Addrs {
		c, err := net.DialTimeout("tcp", a, 2*time.Second)
		if err != nil {
			res[a] = err.Error()
			continue
		}
		c.Close()
		res[a] = "ok"
	}
	report(helperMsg{Event: "dialed", Dialed: res})
	return nil
}

// helperDiagnose runs Diagnose and reports the result.
func helperDiagnose(ctx context.Context, args helperArgs) error {
	start := time.Now()
	r, err := Diagnose(ctx, args.Ifaces, args.Wait, helperLogger())
	if err != nil {
		return err
	}
	report(helperMsg{Event: "report", Report: &r, Elapsed: ms(time.Since(start))})
	return nil
}

// helperZCAdvertise advertises args.Rooms[0] the way Parley did with
// grandcat/zeroconf (RegisterProxy on the default interfaces, every
// address on every one) until ctx is done: an older Parley on the LAN.
func helperZCAdvertise(ctx context.Context, args helperArgs) error {
	ifaces, err := Interfaces(args.Ifaces)
	if err != nil {
		return err
	}
	svc, err := roomService(args.Rooms[0], args.Port)
	if err != nil {
		return err
	}
	var ips []string
	for _, w := range wantsFor(ifaces) {
		for _, a := range w.addrs {
			if !a.IsLinkLocalUnicast() {
				ips = append(ips, a.String())
			}
		}
	}
	label := shortLabel(args.Rooms[0].ID)
	s, err := zeroconf.RegisterProxy("room-"+label, ServiceType, domain, args.Port, "parley-"+label, ips, svc.txt, ifaces)
	if err != nil {
		return err
	}
	report(helperMsg{Event: "advertising"})
	<-ctx.Done()
	time.Sleep(250 * time.Millisecond) // zeroconf's Shutdown races its own start
	s.Shutdown()
	return nil
}

// helperZCBrowse browses with a zeroconf Resolver, as an older Parley
// does, for args.Wait and reports the rooms it understood.
func helperZCBrowse(ctx context.Context, args helperArgs) error {
	ifaces, err := Interfaces(args.Ifaces)
	if err != nil {
		return err
	}
	r, err := zeroconf.NewResolver(zeroconf.SelectIfaces(ifaces), zeroconf.SelectIPTraffic(zeroconf.IPv4))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, args.Wait)
	defer cancel()
	entries := make(chan *zeroconf.ServiceEntry)
	if err := r.Browse(ctx, ServiceType, domain, entries); err != nil {
		return err
	}
	t := newTable()
	for e := range entries {
		a := answer{instance: e.Instance, text: e.Text, port: e.Port}
		for _, ip := range append(e.AddrIPv4, e.AddrIPv6...) {
			if addr, ok := netipFromIP(ip); ok && !addr.IsLinkLocalUnicast() {
				a.addrs = append(a.addrs, addr)
			}
		}
		if s, err := parseAnswer(a); err == nil {
			t.see(s)
		}
	}
	report(helperMsg{Event: "rooms", Rooms: t.list()})
	return nil
}

func netipFromIP(ip net.IP) (netip.Addr, bool) {
	a, ok := netip.AddrFromSlice(ip)
	return a.Unmap(), ok
}
