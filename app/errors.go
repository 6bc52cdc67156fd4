package app

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/parley-lan/parley/backend/chat"
	"github.com/parley-lan/parley/backend/client"
	"github.com/parley-lan/parley/backend/peer"
)

// friendlyError is an error reworded for people; errors.Is and errors.As
// still see the cause.
type friendlyError struct {
	text  string
	cause error
}

func (e *friendlyError) Error() string { return e.text }
func (e *friendlyError) Unwrap() error { return e.cause }

// userError rewrites an error into a sentence for the person at the
// window. Errors that are already phrased for people (validation, refusals
// from the host) keep their text.
func userError(err error) error {
	if err == nil {
		return nil
	}
	var fe *friendlyError
	if errors.As(err, &fe) {
		return fe
	}
	return &friendlyError{text: userText(err).Error(), cause: err}
}

func userText(err error) error {
	var ce *chat.Error
	switch {
	case errors.Is(err, chat.ErrHostClosed):
		return errors.New("The host closed the room.")
	case errors.Is(err, client.ErrHostAway):
		return errors.New("The host went away; waiting for the room to come back.")
	case errors.Is(err, chat.ErrSlow):
		return errors.New("Your connection fell too far behind; reconnecting.")
	case errors.Is(err, chat.ErrTimeout):
		return errors.New("The host stopped answering.")
	case errors.As(err, &ce):
		return errors.New(capitalize(ce.Message) + ".")
	case errors.Is(err, peer.ErrPortInUse):
		return fmt.Errorf("That port is already in use by another program.")
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("Nobody is answering at that address. Is the room still open?")
	case errors.Is(err, os.ErrDeadlineExceeded), isTimeout(err):
		return errors.New("The room did not answer in time. Check the address and the network.")
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return errors.New("That address cannot be reached from this network.")
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("Unknown host %q.", dnsErr.Name)
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isRefusal reports whether the host answered and said no, as opposed to
// not answering at all.
func isRefusal(err error) bool {
	var ce *chat.Error
	return errors.As(err, &ce)
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
