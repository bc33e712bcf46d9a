// Package fido is hwkey's one door to libfido2: with cgo it is
// github.com/keys-pub/go-libfido2 itself (type aliases and the same
// functions); without cgo (CGO_ENABLED=0, the static build and the
// cross-compiled ones) it is a stand-in with the same names whose every
// device operation fails with ErrUnavailable, so the rest of hwkey compiles
// unchanged and a build without C has everything but security keys.
//
// Using something new from go-libfido2 in hwkey means naming it in both
// files; `make test` cross-compiles the no-cgo build and says which name
// is missing.
package fido

import "errors"

// ErrUnavailable is what every device operation returns in a build
// without cgo.
var ErrUnavailable = errors.New("this build has no libfido2: security keys need the standard build")
