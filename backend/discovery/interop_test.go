package discovery

import (
	"fmt"
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// TestOldParleyInterop: Parley versions that used grandcat/zeroconf are
// still on LANs. A room they advertise is listed by the Browser, and a
// room announced here is listed by their zeroconf Resolver.
func TestOldParleyInterop(t *testing.T) {
	t.Parallel()
	lab := netlab.New(t, "old", "new", "b")
	oldRoom := chat.Room{ID: chat.NewID(), Name: "old host", Host: "x"}
	newRoom := chat.Room{ID: chat.NewID(), Name: "new host", Host: "y"}
	startHelper(t, lab, "old", "zcadvertise", helperArgs{Rooms: []chat.Room{oldRoom}, Port: 4242}).event("advertising", 10*time.Second)
	startHelper(t, lab, "new", "announce", helperArgs{Rooms: []chat.Room{newRoom}, Port: 4343}).event("advertising", 10*time.Second)

	browser := startHelper(t, lab, "b", "browse", helperArgs{})
	browser.rooms("old host's room", 5*time.Second, hasAddrs(oldRoom.ID, []string{lab.Addr("old") + ":4242"}))

	got := startHelper(t, lab, "b", "zcbrowse", helperArgs{Wait: time.Second}).event("rooms", 10*time.Second)
	r, ok := findRoom(got.Rooms, newRoom.ID)
	if want := []string{fmt.Sprintf("%s:4343", lab.Addr("new"))}; !ok || fmt.Sprint(r.Addrs) != fmt.Sprint(want) || r.Name != newRoom.Name {
		t.Errorf("zeroconf Resolver: got %+v, want %s with %v", got.Rooms, newRoom.Name, want)
	}
}
