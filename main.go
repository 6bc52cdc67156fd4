// Command parley is a chat app for the local network: with no arguments it
// opens the desktop window; `parley host`, `parley rooms` and `parley join`
// do the same from a terminal.
package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strings"

	"github.com/parley-lan/parley/app"
	"github.com/parley-lan/parley/app/cli"
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
)

//go:embed all:frontend/dist
var assets embed.FS

func main() {
	env := cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if len(os.Args) > 1 {
		os.Exit(cli.Main(os.Args[1:], env))
	}
	os.Exit(runDesktop())
}

// runDesktop opens the window and returns the exit code when it closes.
func runDesktop() int {
	if msg := noDisplay(); msg != "" {
		fmt.Fprint(os.Stderr, msg)
		return cli.ExitError
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// PARLEY_DB chooses the database (hosted rooms' history, unsent
	// messages); the default is in the user's data directory.
	// PARLEY_IFACES (comma-separated) limits discovery to those network
	// interfaces, like the "interfaces" setting in the profile.
	ifaces := cli.SplitList(os.Getenv("PARLEY_IFACES"))
	a, err := app.New(app.Config{Logger: log, DatabasePath: os.Getenv("PARLEY_DB"), Interfaces: ifaces})
	if err != nil {
		fmt.Fprintf(os.Stderr, "parley: %v\n", err)
		return cli.ExitError
	}
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintf(os.Stderr, "parley: %v\n", err)
		return cli.ExitError
	}
	startup, shutdown := app.Hooks(a)
	err = wails.Run(&options.App{
		Title:            "Parley",
		Width:            1024,
		Height:           700,
		MinWidth:         760,
		MinHeight:        520,
		AssetServer:      &assetserver.Options{Assets: dist},
		BackgroundColour: &options.RGBA{R: 24, G: 25, B: 28, A: 255},
		OnStartup:        startup,
		OnShutdown:       shutdown,
		Bind:             []any{a},
		Linux:            &linux.Options{ProgramName: "parley"},
	})
	if err != nil {
		if strings.Contains(err.Error(), "build tags") {
			err = errors.New("this binary was built without its desktop window (build it with `make build`)")
		}
		fmt.Fprintf(os.Stderr, "parley: the desktop window could not start: %v\n%s", err, headlessHint)
		return cli.ExitError
	}
	return cli.ExitOK
}

// headlessHint names the binary as it was invoked, so the commands can be
// pasted as they are.
var headlessHint = strings.ReplaceAll(`
To host a room from this terminal instead:
  parley host --room "My room" --nick yourname
Other terminal commands: parley rooms, parley join ROOM --nick yourname
`, "parley ", os.Args[0]+" ")

// noDisplay explains, before GTK would abort, that there is no screen to
// open a window on.
func noDisplay() string {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" {
		return ""
	}
	if os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" {
		return ""
	}
	return "parley: no graphical display here (neither DISPLAY nor WAYLAND_DISPLAY is set), so the desktop window cannot open.\n" + headlessHint
}
