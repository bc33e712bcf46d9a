//go:build !unix

package procsec

// Harden does nothing here: Windows writes no core dumps unless asked to.
func Harden() error { return nil }
