package app

import (
	"context"
	"time"

	"github.com/parley-lan/parley/backend/discovery"
)

// NetworkDTO is the Network panel: the diagnosis of LAN discovery here.
type NetworkDTO struct {
	Interfaces []NetIfaceDTO `json:"interfaces"`
	Rooms      []SeenRoomDTO `json:"rooms"`
	Hints      []string      `json:"hints"`
}

// NetIfaceDTO is one network interface in the Network panel.
type NetIfaceDTO struct {
	Name      string   `json:"name"`
	Addrs     []string `json:"addrs"`
	Up        bool     `json:"up"`
	Multicast bool     `json:"multicast"`
	Loopback  bool     `json:"loopback"`
	Used      bool     `json:"used"`
	Skipped   string   `json:"skipped"`
	SelfSeen  bool     `json:"selfSeen"`
	Rooms     int      `json:"rooms"`
}

// SeenRoomDTO is a room that answered the check, and where.
type SeenRoomDTO struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Host      string `json:"host"`
	Interface string `json:"interface"`
}

// networkWait is how long the check listens for its own announcement and
// for rooms.
const networkWait = 2 * time.Second

// Network checks LAN discovery on this machine: which interfaces it uses
// and why it skips others, whether each hears its own announcement, which
// rooms answered, and what to do about what is wrong. It takes about two
// seconds.
func (a *App) Network() (report NetworkDTO, err error) {
	defer a.guard("Network", &err)
	a.log.Info("checking network")
	ctx, cancel := context.WithTimeout(context.Background(), networkWait+5*time.Second)
	defer cancel()
	r, err := discovery.Diagnose(ctx, a.cfg.Interfaces, networkWait, a.log.With("part", "diagnose"))
	if err != nil {
		return report, userError(err)
	}
	a.log.Info("network checked", "rooms", len(r.Rooms), "hints", len(r.Hints))
	return networkDTO(r), nil
}

func networkDTO(r discovery.Report) NetworkDTO {
	out := NetworkDTO{Interfaces: []NetIfaceDTO{}, Rooms: []SeenRoomDTO{}, Hints: orEmpty(r.Hints)}
	for _, i := range r.Interfaces {
		out.Interfaces = append(out.Interfaces, NetIfaceDTO{
			Name: i.Name, Addrs: orEmpty(i.Addrs), Up: i.Up, Multicast: i.Multicast, Loopback: i.Loopback,
			Used: i.Used, Skipped: i.Skipped, SelfSeen: i.SelfSeen, Rooms: i.Rooms,
		})
	}
	for _, s := range r.Rooms {
		out.Rooms = append(out.Rooms, SeenRoomDTO{ID: s.Room.ID, Name: s.Room.Name, Host: s.Room.Host, Interface: s.Interface})
	}
	return out
}
