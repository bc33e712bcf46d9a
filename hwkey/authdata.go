package hwkey

import "github.com/vmfa/vmfa/internal/webauthn"

// ErrMalformed means authenticator output could not be parsed. It is the
// WebAuthn parsers' sentinel (the verifier's ErrMalformedResponse), so one
// errors.Is check covers both packages.
var ErrMalformed = webauthn.ErrMalformed

// UnwrapAuthData returns the raw authenticator data that libfido2 hands
// out CBOR-wrapped (a byte string, as go-libfido2's AuthData and
// AuthDataCBOR carry it). Parse it with the WebAuthn parsers.
func UnwrapAuthData(b []byte) ([]byte, error) { return webauthn.UnwrapAuthData(b) }
