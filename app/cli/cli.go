// Package cli is Parley's terminal door: `parley host`, `parley rooms` and
// `parley join`. Each command parses its flags, calls backend/peer and
// prints; the exit code says what went wrong (see the Exit constants).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/discovery"
	"github.com/parley-lan/parley/backend/peer"
)

// Exit codes, documented in the README.
const (
	ExitOK      = 0
	ExitError   = 1 // anything not listed below
	ExitUsage   = 2 // bad command line
	ExitRefused = 3 // the host said no: nickname taken or invalid, room full, version
	ExitNetwork = 4 // host unreachable, port in use, no usable network
	ExitNoRoom  = 5 // no room by that name on the network, or several
)

// Env is what a command may touch: its streams and environment.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// Main runs the subcommand in args (without the program name) and returns
// the exit code.
func Main(args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 {
		usage(env.Stderr)
		return ExitUsage
	}
	commands := map[string]func([]string, Env) error{
		"host":   runHost,
		"rooms":  runRooms,
		"join":   runJoin,
		"doctor": runDoctor,
		"bench":  runBench,
	}
	switch name := args[0]; name {
	case "help", "-h", "-help", "--help":
		usage(env.Stdout)
		return ExitOK
	default:
		cmd, ok := commands[name]
		if !ok {
			fmt.Fprintf(env.Stderr, "parley: unknown command %q\n\n", name)
			usage(env.Stderr)
			return ExitUsage
		}
		err := cmd(args[1:], env)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(env.Stderr, "parley %s: %v\n", name, err)
		}
		return exitCode(err)
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Parley — chat rooms on your local network.

Usage:
  parley                                   open the desktop app
  parley host --room NAME [--nick NICK] [--port N]
                                           host a room here and chat from this terminal
  parley rooms [--wait 2s] [--json] [--watch]
                                           list the rooms on the network
  parley join ROOM|HOST:PORT|LINK [--nick NICK]
                                           join a room and chat from this terminal
  parley doctor [--wait 2s]                check why rooms do not show up here
  parley bench HOST:PORT [--members N]     load-test a room you host (see -h)

Run "parley COMMAND -h" for a command's flags.
`)
}

// usageError marks a bad command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// noRoomError marks a room name that matched nothing, or too much.
type noRoomError struct{ msg string }

func (e noRoomError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	var nr noRoomError
	var ce *chat.Error
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &nr):
		return ExitNoRoom
	case errors.Is(err, chat.ErrHostClosed):
		return ExitOK
	case errors.As(err, &ce):
		return ExitRefused
	case errors.Is(err, peer.ErrPortInUse), errors.Is(err, discovery.ErrNoInterfaces),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, os.ErrDeadlineExceeded), isNetErr(err):
		return ExitNetwork
	}
	return ExitError
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("parley "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parse parses flags that may come before or after the positional
// arguments ("parley join Room --nick bob" reads naturally).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// nickFlag resolves --nick, falling back to the login name.
func nickFlag(nick string, env Env) (string, error) {
	if nick == "" {
		nick = env.Getenv("USER")
	}
	if nick == "" {
		return "", usagef("--nick is required")
	}
	n, err := chat.ValidateNick(nick)
	if err != nil {
		return "", usagef("--nick %q: %v", nick, err)
	}
	return n, nil
}

// SplitList splits a comma-separated list (of interfaces, scenarios…),
// dropping spaces around items and empty items.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// newLogger logs warnings to stderr; PARLEY_LOG=debug or info says more.
func newLogger(env Env) *slog.Logger {
	level := slog.LevelWarn
	switch strings.ToLower(env.Getenv("PARLEY_LOG")) {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
}
