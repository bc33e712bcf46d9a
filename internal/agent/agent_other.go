//go:build !linux

package agent

import (
	"errors"
	"io"
	"time"
)

// ErrUnsupported: the unlock agent needs Linux (SO_PEERCRED).
var ErrUnsupported = errors.New("the unlock agent is only available on Linux")

// Get always fails here: ErrNoAgent.
func Get(string) ([]byte, error) { return nil, ErrNoAgent }

// Lookup always returns nil here.
func Lookup(string) []byte { return nil }

// Put fails: ErrUnsupported.
func Put(string, []byte, time.Duration) error { return ErrUnsupported }

// Query fails: ErrNoAgent.
func Query() (Status, error) { return Status{}, ErrNoAgent }

// Stop fails: ErrNoAgent.
func Stop() error { return ErrNoAgent }

// Run fails: ErrUnsupported.
func Run(io.Reader, io.Writer) error { return ErrUnsupported }

// Start fails: ErrUnsupported.
func Start(string, []string, []string, string, []byte, time.Duration) (int, error) {
	return 0, ErrUnsupported
}
