package discovery

import (
	"testing"
	"time"

	"github.com/parley-lan/parley/backend/bench"
	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/netlab"
)

// BenchmarkDiscovery measures discovery between two network namespaces, as
// a user sees it in the lobby: how long a new room takes to be listed by a
// browser that is already running, and by one that starts after the room
// (opening the app); how long a room takes to leave the list after its host
// closes it cleanly, and after its host is killed (no goodbye). Each
// iteration times all four once; the medians are reported in ms.
//
//	go test -run '^$' -bench Discovery -benchtime 5x ./backend/discovery
//
// It needs root, for the namespaces. A crashed host is only noticed when
// its records go stale, so an iteration takes about 5 s.
func BenchmarkDiscovery(b *testing.B) {
	lab := netlab.New(b, "a", "b")
	var listed, cold, closed, crashed []time.Duration
	for i := 0; i < b.N; i++ {
		browser := startHelper(b, lab, "b", "browse", helperArgs{})
		browser.event("started", 10*time.Second)
		time.Sleep(300 * time.Millisecond) // the browser is in its long-running browse

		room := chat.Room{ID: chat.NewID(), Name: "bench room", Host: "bench"}
		adv := startHelper(b, lab, "a", "advertise", helperArgs{Rooms: []chat.Room{room}, Port: 4242})
		up := adv.event("advertising", 10*time.Second)
		seen := browser.rooms("room listed", 5*time.Second, hasRoom(room.ID))
		listed = append(listed, seen.at.Sub(up.at))

		late := startHelper(b, lab, "b", "browse", helperArgs{})
		started := late.event("started", 10*time.Second)
		seen = late.rooms("room listed on start", 5*time.Second, hasRoom(room.ID))
		cold = append(cold, seen.at.Sub(started.at))
		late.stop()

		closing := time.Now()
		adv.stop()
		gone := browser.rooms("room gone after close", 10*time.Second, lacksRoom(room.ID))
		closed = append(closed, gone.at.Sub(closing))

		room.ID = chat.NewID()
		adv = startHelper(b, lab, "a", "advertise", helperArgs{Rooms: []chat.Room{room}, Port: 4243})
		adv.event("advertising", 10*time.Second)
		browser.rooms("second room listed", 5*time.Second, hasRoom(room.ID))
		adv.kill()
		killed := time.Now()
		gone = browser.rooms("room gone after kill", 15*time.Second, lacksRoom(room.ID))
		crashed = append(crashed, gone.at.Sub(killed))
		browser.stop()

		b.Logf("run %d: listed %.1f ms, listed on start %.1f ms, gone after close %.1f ms, gone after kill %.1f ms",
			i+1, ms(listed[i]), ms(cold[i]), ms(closed[i]), ms(crashed[i]))
	}
	b.ReportMetric(0, "ns/op") // an iteration's length means nothing here
	b.ReportMetric(bench.MedianMS(listed), "listed-ms")
	b.ReportMetric(bench.MedianMS(cold), "listed-on-start-ms")
	b.ReportMetric(bench.MedianMS(closed), "closed-gone-ms")
	b.ReportMetric(bench.MedianMS(crashed), "crashed-gone-ms")
}
