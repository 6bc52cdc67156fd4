package peer

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/parley-lan/parley/backend/chat"
)

// linkScheme starts an invite link: parley://HOST:PORT/ROOM-ID.
const linkScheme = "parley://"

// InviteLink returns the link that invites someone to the room with id at
// addr ("host:port"), for networks where discovery does not reach them.
func InviteLink(addr, roomID string) string {
	return linkScheme + addr + "/" + roomID
}

// ParseAddress checks what the user typed to join by address — "host:port"
// or an invite link "parley://host:port/room-id" — and returns the address
// as "host:port". IPv6 literals need brackets: "[fd00::1]:7878",
// "[fe80::1%eth0]:7878".
func ParseAddress(s string) (string, error) {
	addr, _, err := ParseLink(s)
	return addr, err
}

// ParseLink is ParseAddress that also returns the room id of an invite
// link ("" for a bare host:port).
func ParseLink(s string) (addr, roomID string, err error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, linkScheme); ok {
		s, roomID, _ = strings.Cut(rest, "/")
		roomID, _, _ = strings.Cut(roomID, "?")
		if roomID != "" && !chat.ValidID(roomID) {
			return "", "", fmt.Errorf("the link's room id %q is not valid", roomID)
		}
	}
	if s == "" {
		return "", "", fmt.Errorf("the address is empty; expected host:port (for example 192.168.1.20:40123) or a parley:// link")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", "", fmt.Errorf("%q is not host:port or a parley:// link (the host can copy one from the room header)", s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("%q: the port must be a number from 1 to 65535", s)
	}
	if host == "" {
		return "", "", fmt.Errorf("%q: the host is missing", s)
	}
	return net.JoinHostPort(host, port), roomID, nil
}
