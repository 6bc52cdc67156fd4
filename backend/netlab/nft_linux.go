package netlab

import (
	"encoding/binary"
	"fmt"
	"syscall"
)

// Netlink and nftables constants (linux/netfilter/nf_tables.h and
// nfnetlink.h), for the few messages nftDropUDP sends.
const (
	netlinkNetfilter = 12
	nfnlSubsysNFT    = 10
	nfnlBatchBegin   = 0x10
	nfnlBatchEnd     = 0x11
	nftNewTable      = 0
	nftNewChain      = 3
	nftNewRule       = 6
	nfprotoInet      = 1
	nfInetLocalIn    = 1
	nfAccept         = 1
	nfDrop           = 0
	nftMetaL4Proto   = 16
	nftPayloadTHdr   = 2
	nlaNested        = 0x8000
	nftTable         = "netlab"
	nftChain         = "input"
)

// nftDropUDP adds, in the current thread's network namespace, the
// equivalent of
//
//	table inet netlab { chain input { type filter hook input priority 0;
//	    meta l4proto udp udp dport PORT drop } }
//
// in one batch, and waits for the kernel's acknowledgements.
func nftDropUDP(port uint16) error {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, netlinkNetfilter)
	if err != nil {
		return fmt.Errorf("netlink socket: %w", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return fmt.Errorf("netlink bind: %w", err)
	}
	msgs := [][]byte{
		nlMsg(nfnlBatchBegin, 0, 1, 0, nil),
		nlMsg(nftType(nftNewTable), syscall.NLM_F_CREATE|syscall.NLM_F_ACK, 2, nfprotoInet, nftTableAttrs()),
		nlMsg(nftType(nftNewChain), syscall.NLM_F_CREATE|syscall.NLM_F_ACK, 3, nfprotoInet, nftChainAttrs()),
		nlMsg(nftType(nftNewRule), syscall.NLM_F_CREATE|syscall.NLM_F_APPEND|syscall.NLM_F_ACK, 4, nfprotoInet, nftRuleAttrs(port)),
		nlMsg(nfnlBatchEnd, 0, 5, 0, nil),
	}
	var batch []byte
	for _, m := range msgs {
		batch = append(batch, m...)
	}
	if err := syscall.Sendto(fd, batch, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return fmt.Errorf("netlink send: %w", err)
	}
	return readAcks(fd, 3)
}

func nftType(msg uint16) uint16 { return nfnlSubsysNFT<<8 | msg }

func nftTableAttrs() []byte {
	return attr(1, cstr(nftTable)) // NFTA_TABLE_NAME
}

func nftChainAttrs() []byte {
	hook := cat(attr(1, be32(nfInetLocalIn)), attr(2, be32(0))) // HOOKNUM, PRIORITY
	return cat(
		attr(1, cstr(nftTable)), // NFTA_CHAIN_TABLE
		attr(3, cstr(nftChain)), // NFTA_CHAIN_NAME
		attr(4|nlaNested, hook), // NFTA_CHAIN_HOOK
		attr(5, be32(nfAccept)), // NFTA_CHAIN_POLICY
		attr(7, cstr("filter")), // NFTA_CHAIN_TYPE
	)
}

// nftRuleAttrs is "meta l4proto udp udp dport PORT drop": load the layer 4
// protocol into register 1 and compare, load the transport header's bytes
// 2-3 (the destination port) and compare, then the verdict.
func nftRuleAttrs(port uint16) []byte {
	exprs := cat(
		expr("meta", cat(attr(1, be32(1)), attr(2, be32(nftMetaL4Proto)))), // DREG 1, KEY
		expr("cmp", cmpEq([]byte{syscall.IPPROTO_UDP})),
		expr("payload", cat(attr(1, be32(1)), attr(2, be32(nftPayloadTHdr)), attr(3, be32(2)), attr(4, be32(2)))),
		expr("cmp", cmpEq(binary.BigEndian.AppendUint16(nil, port))),
		expr("immediate", cat(attr(1, be32(0)), // DREG: the verdict register
			attr(2|nlaNested, attr(2|nlaNested, attr(1, be32(nfDrop)))))), // DATA{VERDICT{CODE}}
	)
	return cat(
		attr(1, cstr(nftTable)),  // NFTA_RULE_TABLE
		attr(2, cstr(nftChain)),  // NFTA_RULE_CHAIN
		attr(4|nlaNested, exprs), // NFTA_RULE_EXPRESSIONS
	)
}

// cmpEq is a cmp expression's data: register 1 equals value.
func cmpEq(value []byte) []byte {
	return cat(attr(1, be32(1)), attr(2, be32(0)), attr(3|nlaNested, attr(1, value))) // SREG, OP eq, DATA{VALUE}
}

// expr is one element of a rule's expression list.
func expr(name string, data []byte) []byte {
	return attr(1|nlaNested, cat(attr(1, cstr(name)), attr(2|nlaNested, data))) // LIST_ELEM{NAME, DATA}
}

// nlMsg is a netlink message with an nfgenmsg header and attributes.
func nlMsg(typ, flags uint16, seq uint32, family uint8, attrs []byte) []byte {
	body := []byte{family, 0, 0, 0} // nfgenmsg: family, version, res_id
	if typ == nfnlBatchBegin || typ == nfnlBatchEnd {
		binary.BigEndian.PutUint16(body[2:], nfnlSubsysNFT)
	}
	body = append(body, attrs...)
	h := make([]byte, syscall.NLMSG_HDRLEN, syscall.NLMSG_HDRLEN+len(body))
	binary.NativeEndian.PutUint32(h[0:], uint32(syscall.NLMSG_HDRLEN+len(body)))
	binary.NativeEndian.PutUint16(h[4:], typ)
	binary.NativeEndian.PutUint16(h[6:], flags|syscall.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(h[8:], seq)
	return append(h, body...)
}

// attr is one netlink attribute, padded to 4 bytes.
func attr(typ uint16, data []byte) []byte {
	b := make([]byte, 4, 4+len(data)+3)
	binary.NativeEndian.PutUint16(b[0:], uint16(4+len(data)))
	binary.NativeEndian.PutUint16(b[2:], typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func cstr(s string) []byte { return append([]byte(s), 0) }

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// readAcks reads netlink replies until want acknowledgements arrived,
// returning the first error the kernel reported.
func readAcks(fd, want int) error {
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &syscall.Timeval{Sec: 5}); err != nil {
		return err
	}
	buf := make([]byte, 1<<16)
	for got := 0; got < want; {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			return fmt.Errorf("netlink receive: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return fmt.Errorf("netlink parse: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Type != syscall.NLMSG_ERROR || len(m.Data) < 4 {
				continue
			}
			if errno := int32(binary.NativeEndian.Uint32(m.Data)); errno != 0 {
				return fmt.Errorf("nftables message %d: %w", m.Header.Seq, syscall.Errno(-errno))
			}
			got++
		}
	}
	return nil
}
