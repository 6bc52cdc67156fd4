//go:build !linux

package netlab

func nftDropUDP(uint16) error { return errNotLinux }
