//go:build !linux

package netlab

import "errors"

var errNotLinux = errors.New("netlab needs Linux network namespaces")

func inNS(string, func() error) error { return errNotLinux }

func noDAD(string) error { return errNotLinux }
