//go:build !cgo

package fidoshim

import (
	"errors"
	"time"
)

// Without cgo there is no libfido2 to attach devices under: this file
// keeps the package's names so that its users compile, and every attach
// fails.

// Prefix starts the path of every attached device.
const Prefix = "vmfa-virtual:"

// ReportLen is the size of a CTAPHID report without the report-ID byte.
const ReportLen = 64

// Device is an in-process HID device speaking CTAPHID.
type Device interface {
	WriteReport(p []byte) error
	ReadReport(timeout time.Duration) ([]byte, error)
}

// ErrBadPath is returned by Attach for a path without Prefix.
var ErrBadPath = errors.New("virtual device path must start with " + Prefix)

// ErrUnavailable: this build has no libfido2.
var ErrUnavailable = errors.New("this build has no libfido2: security keys need the standard build")

// Attach fails: there is no libfido2 in this build.
func Attach(path, product string, d Device) error { return ErrUnavailable }

// Detach does nothing: nothing is ever attached.
func Detach(path string) {}

// IsAttached is always false.
func IsAttached(path string) bool { return false }

// Paths is always empty.
func Paths() []string { return nil }

// Cancel cancels nothing.
func Cancel(path string) int { return 0 }

// Abort aborts nothing.
func Abort(path string) int { return 0 }

// SetTimeout fails: there is no libfido2 in this build.
func SetTimeout(path string, d time.Duration) error { return ErrUnavailable }

// ClearTimeout does nothing.
func ClearTimeout(path string) {}

// Touch never sees a touch.
func Touch(path string, timeout time.Duration, stop <-chan struct{}) (touched bool, code int) {
	return false, -1
}

// OpenCount is always 0.
func OpenCount() int { return 0 }
