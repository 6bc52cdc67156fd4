package netlab

// DropUDP makes host's firewall drop every UDP datagram to port that
// arrives in it, over IPv4 and IPv6 and on every interface (lo and
// multicast looped back to the host itself included), as a desktop
// firewall that blocks mDNS (port 5353) does. It is an nftables rule in
// the host's namespace ("table inet netlab", chain "input", hook input),
// added through netlink, so neither nft nor iptables need be installed.
// It lasts as long as the namespace.
func (l *Lab) DropUDP(host string, port int) {
	l.t.Helper()
	if port < 1 || port > 65535 {
		l.t.Fatalf("netlab: DropUDP: port %d is not in 1..65535", port)
	}
	if err := inNS(l.NS(host), func() error { return nftDropUDP(uint16(port)) }); err != nil {
		l.t.Fatalf("netlab: DropUDP %d in %s: %v", port, host, err)
	}
}
