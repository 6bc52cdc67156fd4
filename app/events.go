package app

import (
	"context"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Event names, shared with frontend/src/lib/events.ts.
const (
	EventRooms    = "lobby:rooms"   // []RoomDTO, the whole list
	EventMessage  = "room:message"  // MessageDTO
	EventPresence = "room:presence" // PresenceDTO
	EventState    = "room:state"    // StateDTO
	EventClosed   = "room:closed"   // ClosedDTO: the session is over
	EventRefused  = "room:refused"  // RefusedDTO: the host refused a message
)

// Emitter sends an event to the frontend.
type Emitter interface {
	Emit(name string, data any)
}

// wailsEmitter emits through the Wails runtime. Its context must be the
// one Wails passed to OnStartup: any other makes the runtime exit.
type wailsEmitter struct{ ctx context.Context }

func (w wailsEmitter) Emit(name string, data any) { runtime.EventsEmit(w.ctx, name, data) }

// discard is the emitter until the window exists.
type discard struct{}

func (discard) Emit(string, any) {}
