// Package webauthn owns the WebAuthn and CTAP2 wire formats vmfa reads and
// writes: base64url, clientDataJSON, authenticator data, the attestation
// object, ES256 COSE keys, the PublicKeyCredential JSON of a registration
// or an assertion, and the creation and request options JSON.
//
// Package verifier (the relying party) and package hwkey (the client that
// drives keys) both use it, so that there is one parser for each format.
// The parsers take untrusted bytes: they bound sizes, use strict CBOR (no
// duplicate map keys, no indefinite lengths, bounded nesting), reject
// trailing data and never panic (see the fuzz targets and their corpora in
// testdata/fuzz). Every parse error wraps one of the sentinels below.
package webauthn

import (
	"errors"

	"github.com/vmfa/vmfa/internal/textutil"
)

// Errors returned by the parsers, checked with errors.Is.
var (
	// ErrMalformed means the bytes are not the format they should be.
	ErrMalformed = errors.New("malformed webauthn response")
	// ErrBadPublicKey means a COSE key is not a valid key.
	ErrBadPublicKey = errors.New("credential public key is invalid")
	// ErrUnsupportedAlgorithm means a COSE key is valid CBOR but not ES256.
	ErrUnsupportedAlgorithm = errors.New("credential algorithm is not supported (want ES256)")
	// ErrAttestation means an attestation statement's members have the
	// wrong types.
	ErrAttestation = errors.New("attestation statement is invalid")
)

// Clip shortens untrusted text (an origin, a type, an ID) to at most 40
// bytes, cut at a character boundary, for quoting in an error. It is
// textutil.Clip, kept here for the packages that quote WebAuthn values.
func Clip(s string) string { return textutil.Clip(s) }
