// Package e2e drives Parley's real desktop window end to end: the built
// binary runs under Xvfb inside a network namespace, xdotool types into it,
// and headless `parley` peers and a plain `nc` in a second namespace talk
// to it over real mDNS and TCP.
//
// The tests carry the e2e build tag and need root, Xvfb, xdotool,
// ImageMagick, nc and a desktop build (make build):
//
//	go test -tags e2e -count=1 -v ./app/e2e/
//
// PARLEY_DESKTOP_BIN picks another binary; screenshots go to
// PARLEY_ARTIFACTS (default: .artifacts at the repository root).
package e2e
