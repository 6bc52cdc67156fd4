package app

import (
	"context"
	"errors"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// Event names, shared with frontend/src/lib/events.ts.
const (
	EventRooms    = "lobby:rooms"   // []RoomDTO, the whole list
	EventActivity = "room:activity" // ActivityDTO: messages, joins, leaves, members, in batches
	EventState    = "room:state"    // StateDTO
	EventClosed   = "room:closed"   // ClosedDTO: the session is over
	EventRefused  = "room:refused"  // RefusedDTO: the host refused a message
)

// Window is what the app needs from the desktop window: sending events to
// the frontend and putting text on the clipboard. It is injected so that
// tests run without Wails.
type Window interface {
	Emit(name string, data any)
	SetClipboard(text string) error
}

// wailsWindow reaches the window through the Wails runtime. Its context
// must be the one Wails passed to OnStartup: any other makes the runtime
// exit.
type wailsWindow struct{ ctx context.Context }

func (w wailsWindow) Emit(name string, data any) { runtime.EventsEmit(w.ctx, name, data) }

func (w wailsWindow) SetClipboard(text string) error { return runtime.ClipboardSetText(w.ctx, text) }

// noWindow stands in until the window exists.
type noWindow struct{}

func (noWindow) Emit(string, any) {}

func (noWindow) SetClipboard(string) error { return errors.New("no window") }
