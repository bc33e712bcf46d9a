package hwkey

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/fxamacker/cbor/v2"
)

// ErrMalformed means authenticator output could not be parsed.
var ErrMalformed = errors.New("malformed authenticator data")

// Authenticator data flags (WebAuthn §6.1).
const (
	FlagUP = 0x01 // user present
	FlagUV = 0x04 // user verified
	FlagAT = 0x40 // attested credential data included
	FlagED = 0x80 // extension data included
)

var decMode, _ = cbor.DecOptions{
	MaxNestedLevels:  16,
	MaxArrayElements: 1024,
	MaxMapPairs:      1024,
	DupMapKey:        cbor.DupMapKeyEnforcedAPF,
}.DecMode()

var encMode, _ = cbor.CTAP2EncOptions().EncMode()

// UnwrapAuthData returns the raw authenticator data that libfido2 hands
// out CBOR-wrapped (a byte string, as go-libfido2's AuthData and
// AuthDataCBOR carry it).
func UnwrapAuthData(b []byte) ([]byte, error) {
	var raw []byte
	if err := decMode.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(raw) < 37 {
		return nil, fmt.Errorf("%w: %d bytes, want at least 37", ErrMalformed, len(raw))
	}
	return raw, nil
}

// AuthData is parsed authenticator data.
type AuthData struct {
	RPIDHash  [32]byte
	Flags     byte
	SignCount uint32
	// Set when FlagAT is: the new credential.
	AAGUID       [16]byte
	CredentialID []byte
	// PublicKey is the credential's COSE_Key, as encoded by the key.
	PublicKey []byte
}

// ParseAuthData parses raw authenticator data.
func ParseAuthData(b []byte) (*AuthData, error) {
	if len(b) < 37 {
		return nil, fmt.Errorf("%w: %d bytes, want at least 37", ErrMalformed, len(b))
	}
	a := &AuthData{Flags: b[32], SignCount: binary.BigEndian.Uint32(b[33:37])}
	copy(a.RPIDHash[:], b[:32])
	rest := b[37:]
	if a.Flags&FlagAT != 0 {
		if len(rest) < 18 {
			return nil, fmt.Errorf("%w: attested credential data truncated", ErrMalformed)
		}
		copy(a.AAGUID[:], rest[:16])
		n := int(binary.BigEndian.Uint16(rest[16:18]))
		rest = rest[18:]
		if n == 0 || len(rest) < n {
			return nil, fmt.Errorf("%w: credential id truncated", ErrMalformed)
		}
		a.CredentialID = rest[:n]
		rest = rest[n:]
		var key cbor.RawMessage
		tail, err := decMode.UnmarshalFirst(rest, &key)
		if err != nil {
			return nil, fmt.Errorf("%w: credential public key: %v", ErrMalformed, err)
		}
		a.PublicKey = key
		rest = tail
	}
	if a.Flags&FlagED != 0 {
		var ext map[string]any
		tail, err := decMode.UnmarshalFirst(rest, &ext)
		if err != nil {
			return nil, fmt.Errorf("%w: extensions: %v", ErrMalformed, err)
		}
		rest = tail
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(rest))
	}
	return a, nil
}

// coseEC2 is an EC2 COSE_Key (RFC 9053).
type coseEC2 struct {
	Kty int    `cbor:"1,keyasint"`
	Alg int    `cbor:"3,keyasint"`
	Crv int    `cbor:"-1,keyasint"`
	X   []byte `cbor:"-2,keyasint"`
	Y   []byte `cbor:"-3,keyasint"`
}

// ECDSAPublicKey decodes an ES256 COSE_Key.
func ECDSAPublicKey(coseKey []byte) (*ecdsa.PublicKey, error) {
	var k coseEC2
	if err := decMode.Unmarshal(coseKey, &k); err != nil {
		return nil, fmt.Errorf("%w: public key: %v", ErrMalformed, err)
	}
	if k.Kty != 2 || k.Alg != -7 || k.Crv != 1 || len(k.X) != 32 || len(k.Y) != 32 {
		return nil, fmt.Errorf("%w: public key is not an es256 p-256 key", ErrMalformed)
	}
	return pointKey(append(append([]byte{}, k.X...), k.Y...))
}

// pointKey turns x‖y into a P-256 public key, checking it is on the curve.
func pointKey(xy []byte) (*ecdsa.PublicKey, error) {
	if len(xy) != 64 {
		return nil, fmt.Errorf("%w: public key is %d bytes, want 64", ErrMalformed, len(xy))
	}
	// ecdh validates the point; ecdsa.PublicKey is what verifiers use.
	uncompressed := append([]byte{4}, xy...)
	if _, err := ecdh.P256().NewPublicKey(uncompressed); err != nil {
		return nil, fmt.Errorf("%w: public key is not on p-256", ErrMalformed)
	}
	return &ecdsa.PublicKey{
		Curve: elliptic.P256(),
		X:     new(big.Int).SetBytes(xy[:32]),
		Y:     new(big.Int).SetBytes(xy[32:]),
	}, nil
}

// COSEKey encodes x‖y as an ES256 COSE_Key.
func COSEKey(xy []byte) ([]byte, error) {
	if _, err := pointKey(xy); err != nil {
		return nil, err
	}
	return encMode.Marshal(coseEC2{Kty: 2, Alg: -7, Crv: 1, X: xy[:32], Y: xy[32:]})
}

// ParseAttestationObject returns the format and raw authenticator data of
// a WebAuthn attestation object.
func ParseAttestationObject(b []byte) (format string, authData []byte, err error) {
	var att struct {
		Fmt      string          `cbor:"fmt"`
		AttStmt  cbor.RawMessage `cbor:"attStmt"`
		AuthData []byte          `cbor:"authData"`
	}
	if err := decMode.Unmarshal(b, &att); err != nil {
		return "", nil, fmt.Errorf("%w: attestation object: %v", ErrMalformed, err)
	}
	if att.Fmt == "" || len(att.AuthData) < 37 {
		return "", nil, fmt.Errorf("%w: attestation object lacks fmt or authData", ErrMalformed)
	}
	return att.Fmt, att.AuthData, nil
}
