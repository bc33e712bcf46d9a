package webauthn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// Size limits for untrusted input.
const (
	maxResponseJSON = 256 << 10
	maxClientData   = 16 << 10
	maxAuthData     = 16 << 10
	maxAttestation  = 64 << 10
	// MaxCredentialID is the longest credential ID WebAuthn allows.
	MaxCredentialID = 1023
	// AuthDataMinLen is the length of authenticator data without attested
	// credential data or extensions: rpIdHash, flags, signCount.
	AuthDataMinLen = 37
	attestedMinLen = 16 + 2
)

// Authenticator data flags (WebAuthn §6.1).
const (
	FlagUP = 0x01 // user present
	FlagUV = 0x04 // user verified
	FlagBE = 0x08 // backup eligible
	FlagBS = 0x10 // backup state
	FlagAT = 0x40 // attested credential data included
	FlagED = 0x80 // extension data included
)

// COSE identifiers of the one credential algorithm vmfa uses.
const (
	AlgES256  = -7 // ECDSA P-256 with SHA-256
	ktyEC2    = 2
	crvP256   = 1
	coseKty   = 1
	coseAlg   = 3
	coseCrv   = -1
	coseX     = -2
	coseY     = -3
	ec2CoordL = 32
)

// Ceremony types (CollectedClientData.Type) and the credential type.
const (
	TypeCreate    = "webauthn.create"
	TypeGet       = "webauthn.get"
	TypePublicKey = "public-key"
)

// decMode is strict CBOR: no duplicate map keys, no indefinite lengths,
// bounded nesting and sizes.
var decMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		MaxNestedLevels:  16,
		MaxArrayElements: 64,
		MaxMapPairs:      64,
	}.DecMode()
	if err != nil {
		panic(err) // static options
	}
	return dm
}()

// encMode is CTAP2 canonical CBOR.
var encMode = func() cbor.EncMode {
	em, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		panic(err) // static options
	}
	return em
}()

// B64 encodes b as unpadded base64url, the encoding of WebAuthn's JSON.
func B64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// DecodeB64 decodes base64url with or without padding, and tolerates the
// standard alphabet, which some servers emit.
func DecodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "+/") {
		s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// DefaultOrigin is the origin a browser reports for a page of rpID when
// nothing else is said: https://<rp id>, or http://localhost for
// localhost, the one host browsers let WebAuthn use over plain http.
func DefaultOrigin(rpID string) string {
	if rpID == "localhost" {
		return "http://localhost"
	}
	return "https://" + rpID
}

// CollectedClientData is the parsed clientDataJSON.
type CollectedClientData struct {
	Type        string `json:"type"`
	Challenge   string `json:"challenge"`
	Origin      string `json:"origin"`
	CrossOrigin bool   `json:"crossOrigin"`
	TopOrigin   string `json:"topOrigin,omitempty"`
}

// ClientDataJSON serialises client data as a browser would.
func ClientDataJSON(typ string, challenge []byte, origin string) []byte {
	b, _ := json.Marshal(CollectedClientData{Type: typ, Challenge: B64(challenge), Origin: origin})
	return b
}

// ParseClientData parses clientDataJSON: a UTF-8 JSON object with string
// type, challenge (base64url) and origin members.
func ParseClientData(b []byte) (*CollectedClientData, error) {
	if len(b) == 0 || len(b) > maxClientData {
		return nil, fmt.Errorf("%w: client data is empty or too large", ErrMalformed)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: client data is not utf-8", ErrMalformed)
	}
	var raw struct {
		Type        *string `json:"type"`
		Challenge   *string `json:"challenge"`
		Origin      *string `json:"origin"`
		CrossOrigin *bool   `json:"crossOrigin"`
		TopOrigin   *string `json:"topOrigin"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: client data is not a json object with string type, challenge and origin", ErrMalformed)
	}
	var c CollectedClientData
	for _, f := range []struct {
		name string
		src  *string
		dst  *string
	}{{"type", raw.Type, &c.Type}, {"challenge", raw.Challenge, &c.Challenge}, {"origin", raw.Origin, &c.Origin}} {
		if f.src == nil || *f.src == "" {
			return nil, fmt.Errorf("%w: client data has no %s", ErrMalformed, f.name)
		}
		*f.dst = *f.src
	}
	if raw.CrossOrigin != nil {
		c.CrossOrigin = *raw.CrossOrigin
	}
	if raw.TopOrigin != nil {
		c.TopOrigin = *raw.TopOrigin
	}
	if _, err := DecodeB64(c.Challenge); err != nil {
		return nil, fmt.Errorf("%w: client data challenge is not base64url", ErrMalformed)
	}
	return &c, nil
}

// AuthenticatorData is parsed authenticator data (WebAuthn §6.1). The
// slices alias the parsed bytes.
type AuthenticatorData struct {
	Raw          []byte
	RPIDHash     []byte // 32 bytes
	Flags        byte
	SignCount    uint32
	AAGUID       []byte // with attested credential data
	CredentialID []byte
	PublicKey    []byte // COSE_Key, raw CBOR
	Extensions   []byte // raw CBOR map, if ED
}

// UserPresent reports the UP flag.
func (a *AuthenticatorData) UserPresent() bool { return a.Flags&FlagUP != 0 }

// UserVerified reports the UV flag.
func (a *AuthenticatorData) UserVerified() bool { return a.Flags&FlagUV != 0 }

// ParseAuthenticatorData parses authenticator data: rpIdHash, flags,
// signCount, then attested credential data if AT is set and extensions if
// ED is set, with nothing left over.
func ParseAuthenticatorData(b []byte) (*AuthenticatorData, error) {
	if len(b) < AuthDataMinLen || len(b) > maxAuthData {
		return nil, fmt.Errorf("%w: authenticator data is %d bytes", ErrMalformed, len(b))
	}
	a := &AuthenticatorData{Raw: b, RPIDHash: b[:32], Flags: b[32], SignCount: binary.BigEndian.Uint32(b[33:37])}
	if a.Flags&FlagBS != 0 && a.Flags&FlagBE == 0 {
		return nil, fmt.Errorf("%w: backup state set without backup eligibility", ErrMalformed)
	}
	rest := b[AuthDataMinLen:]
	if a.Flags&FlagAT != 0 {
		if len(rest) < attestedMinLen {
			return nil, fmt.Errorf("%w: attested credential data is truncated", ErrMalformed)
		}
		a.AAGUID = rest[:16]
		n := int(binary.BigEndian.Uint16(rest[16:18]))
		rest = rest[18:]
		if n == 0 || n > MaxCredentialID || len(rest) < n {
			return nil, fmt.Errorf("%w: credential id length %d is invalid", ErrMalformed, n)
		}
		a.CredentialID, rest = rest[:n], rest[n:]
		var key cbor.RawMessage
		r, err := decMode.UnmarshalFirst(rest, &key)
		if err != nil {
			return nil, fmt.Errorf("%w: credential public key is not cbor", ErrMalformed)
		}
		a.PublicKey, rest = rest[:len(rest)-len(r)], r
	}
	if a.Flags&FlagED != 0 {
		var ext map[string]cbor.RawMessage
		r, err := decMode.UnmarshalFirst(rest, &ext)
		if err != nil {
			return nil, fmt.Errorf("%w: extensions are not a cbor map", ErrMalformed)
		}
		a.Extensions, rest = rest[:len(rest)-len(r)], r
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the authenticator data", ErrMalformed, len(rest))
	}
	return a, nil
}

// UnwrapAuthData returns the raw authenticator data that CTAP2 (and so
// libfido2) hands out CBOR-wrapped, as one byte string.
func UnwrapAuthData(b []byte) ([]byte, error) {
	var raw []byte
	rest, err := decMode.UnmarshalFirst(b, &raw)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: authenticator data is not one cbor byte string", ErrMalformed)
	}
	if len(raw) < AuthDataMinLen {
		return nil, fmt.Errorf("%w: authenticator data is %d bytes, want at least %d", ErrMalformed, len(raw), AuthDataMinLen)
	}
	return raw, nil
}

// ParseCOSEKey parses a COSE_Key and returns its algorithm and, for ES256
// (EC2, P-256), the public key. Other algorithms are ErrUnsupportedAlgorithm.
func ParseCOSEKey(b []byte) (int64, *ecdsa.PublicKey, error) {
	var m map[int64]cbor.RawMessage
	rest, err := decMode.UnmarshalFirst(b, &m)
	if err != nil || len(rest) != 0 {
		return 0, nil, fmt.Errorf("%w: not a cbor map", ErrBadPublicKey)
	}
	var kty, alg, crv int64
	if decMode.Unmarshal(m[coseKty], &kty) != nil || decMode.Unmarshal(m[coseAlg], &alg) != nil {
		return 0, nil, fmt.Errorf("%w: kty or alg missing", ErrBadPublicKey)
	}
	if alg != AlgES256 {
		return alg, nil, fmt.Errorf("%w (alg %d)", ErrUnsupportedAlgorithm, alg)
	}
	var x, y []byte
	if kty != ktyEC2 || decMode.Unmarshal(m[coseCrv], &crv) != nil || crv != crvP256 ||
		decMode.Unmarshal(m[coseX], &x) != nil || decMode.Unmarshal(m[coseY], &y) != nil ||
		len(x) != ec2CoordL || len(y) != ec2CoordL {
		return alg, nil, fmt.Errorf("%w: want an EC2 P-256 key with 32-byte x and y", ErrBadPublicKey)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return alg, nil, fmt.Errorf("%w: point is not on P-256", ErrBadPublicKey)
	}
	return alg, pub, nil
}

// COSEKey encodes a P-256 point given as x‖y (what libfido2 returns) as
// an ES256 COSE_Key, checking that the point is on the curve.
func COSEKey(xy []byte) ([]byte, error) {
	if len(xy) != 2*ec2CoordL {
		return nil, fmt.Errorf("%w: public key is %d bytes, want 64", ErrBadPublicKey, len(xy))
	}
	if _, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{4}, xy...)); err != nil {
		return nil, fmt.Errorf("%w: point is not on P-256", ErrBadPublicKey)
	}
	return encMode.Marshal(map[int]any{coseKty: ktyEC2, coseAlg: AlgES256, coseCrv: crvP256,
		coseX: xy[:ec2CoordL], coseY: xy[ec2CoordL:]})
}
