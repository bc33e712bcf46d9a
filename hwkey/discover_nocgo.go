//go:build !cgo

package hwkey

import libfido2 "github.com/vmfa/vmfa/hwkey/internal/fido"

// getAssertAll is discover.go's call into libfido2; a build without cgo
// has none (and run refuses before getting here).
func getAssertAll(path string, req AssertRequest) ([]Assertion, error) {
	return nil, libfido2.ErrUnavailable
}

// rkRemaining is discover.go's getInfo call; without libfido2 the key
// says nothing (-1).
func rkRemaining(path string) int { return -1 }
