package discovery

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// hints turns a report into advice, most important first: interfaces that
// do not exist, discovery that cannot run at all, multicast switched off,
// interfaces where discovery could not start or this machine did not hear
// itself (a firewall), then what answered, or that nothing did.
func hints(r Report, missing []string, wait time.Duration) []string {
	var out []string
	for _, name := range missing {
		out = append(out, fmt.Sprintf("There is no interface called %s on this machine (it has %s).", name, ifaceList(r)))
	}
	used := slices.ContainsFunc(r.Interfaces, func(i IfaceReport) bool { return i.Used })
	if !used {
		out = append(out, noInterfaceHint(r))
	}
	for _, i := range r.Interfaces {
		if i.Skipped == "multicast is off" && !i.Loopback {
			out = append(out, fmt.Sprintf("Multicast is off on %s, so discovery can't use it. Turn it on with `sudo ip link set %s multicast on`; if it goes off again, the Wi-Fi driver or a VPN client is switching it off.", i.Name, i.Name))
		}
	}
	for _, i := range r.Interfaces {
		switch {
		case !i.Used:
		case i.Problem != "":
			out = append(out, fmt.Sprintf("Discovery could not start on %s: it %s. Use Join by address on that network.", i.Name, i.Problem))
		case !i.SelfSeen:
			out = append(out, fmt.Sprintf("This machine did not hear its own test announcement on %s, so a firewall probably blocks UDP port 5353 (mDNS) there. Allow incoming UDP 5353 on %s (for example `sudo ufw allow 5353/udp`, or the mdns service in firewalld); until then, use Join by address.", i.Name, i.Name))
		}
	}
	if used {
		out = append(out, roomHints(r, wait)...)
	}
	return out
}

// noInterfaceHint says discovery cannot run, and why, interface by interface.
func noInterfaceHint(r Report) string {
	var why []string
	for _, i := range r.Interfaces {
		if !i.Loopback {
			why = append(why, i.Name+": "+i.Skipped)
		}
	}
	reason := "this machine has no network interface besides loopback"
	if len(why) > 0 {
		reason = "no network interface can carry it (" + strings.Join(why, "; ") + ")"
	}
	return "LAN discovery can't run here: " + reason + ". Rooms can still be joined directly: use Join by address with the address and port the host's Parley shows."
}

// roomHints says which rooms answered where, or that none did although
// discovery works.
func roomHints(r Report, wait time.Duration) []string {
	ids, own := map[string]bool{}, map[string]bool{}
	perIface := map[string]map[string]bool{}
	for _, rs := range r.Rooms {
		if rs.Here {
			own[rs.Room.ID] = true
			continue
		}
		ids[rs.Room.ID] = true
		if perIface[rs.Interface] == nil {
			perIface[rs.Interface] = map[string]bool{}
		}
		perIface[rs.Interface][rs.Room.ID] = true
	}
	if len(ids) > 0 {
		var where []string
		for _, i := range r.Interfaces {
			if n := len(perIface[i.Name]); n > 0 {
				where = append(where, fmt.Sprintf("%d on %s", n, i.Name))
			}
		}
		return []string{fmt.Sprintf("Discovery works: %s answered (%s).", plural(len(ids), "room"), strings.Join(where, ", "))}
	}
	var works []string
	for _, i := range r.Interfaces {
		if i.Used && i.SelfSeen {
			works = append(works, i.Name)
		}
	}
	if len(works) == 0 {
		return nil
	}
	out := []string{fmt.Sprintf("Discovery works on %s, but no other machine's room answered within %v. If someone is hosting, the Wi-Fi access point may keep devices apart (common on guest Wi-Fi), they may be on another subnet or VLAN, or their firewall may block UDP port 5353. Use Join by address with the address their Parley shows.", strings.Join(works, ", "), wait.Round(100*time.Millisecond))}
	if len(own) > 0 {
		out = append(out, fmt.Sprintf("Only %s hosted on this machine answered.", plural(len(own), "room")))
	}
	return out
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func ifaceList(r Report) string {
	names := make([]string, len(r.Interfaces))
	for i, ir := range r.Interfaces {
		names[i] = ir.Name
	}
	return strings.Join(names, ", ")
}
