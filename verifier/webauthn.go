package verifier

import (
	"bytes"
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

// This file holds the WebAuthn wire formats: the PublicKeyCredential JSON a
// browser (or vmfa key) produces, clientDataJSON, authenticator data, the
// attestation object and COSE keys. The parsers take untrusted bytes: they
// bound sizes, reject trailing data and never panic (see the fuzz targets).

// Size limits for untrusted input.
const (
	maxResponseJSON  = 256 << 10
	maxClientData    = 16 << 10
	maxAuthData      = 16 << 10
	maxAttestation   = 64 << 10
	maxCredentialID  = 1023
	coseAlgES256     = -7
	coseKtyEC2       = 2
	coseCrvP256      = 1
	flagUP           = 0x01
	flagUV           = 0x04
	flagBE           = 0x08
	flagBS           = 0x10
	flagAT           = 0x40
	flagED           = 0x80
	authDataMinLen   = 37
	attestedMinLen   = 16 + 2
	ceremonyCreate   = "webauthn.create"
	ceremonyGet      = "webauthn.get"
	credentialTypePK = "public-key"
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

// CollectedClientData is the parsed clientDataJSON.
type CollectedClientData struct {
	Type        string `json:"type"`
	Challenge   string `json:"challenge"`
	Origin      string `json:"origin"`
	CrossOrigin bool   `json:"crossOrigin"`
	TopOrigin   string `json:"topOrigin,omitempty"`
}

// ParseClientData parses clientDataJSON: a UTF-8 JSON object with string
// type, challenge (base64url) and origin members.
func ParseClientData(b []byte) (*CollectedClientData, error) {
	if len(b) == 0 || len(b) > maxClientData {
		return nil, fmt.Errorf("%w: client data is empty or too large", ErrMalformedResponse)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: client data is not utf-8", ErrMalformedResponse)
	}
	var raw struct {
		Type        *string `json:"type"`
		Challenge   *string `json:"challenge"`
		Origin      *string `json:"origin"`
		CrossOrigin *bool   `json:"crossOrigin"`
		TopOrigin   *string `json:"topOrigin"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: client data is not a json object with string type, challenge and origin", ErrMalformedResponse)
	}
	var c CollectedClientData
	for _, f := range []struct {
		name string
		src  *string
		dst  *string
	}{{"type", raw.Type, &c.Type}, {"challenge", raw.Challenge, &c.Challenge}, {"origin", raw.Origin, &c.Origin}} {
		if f.src == nil || *f.src == "" {
			return nil, fmt.Errorf("%w: client data has no %s", ErrMalformedResponse, f.name)
		}
		*f.dst = *f.src
	}
	if raw.CrossOrigin != nil {
		c.CrossOrigin = *raw.CrossOrigin
	}
	if raw.TopOrigin != nil {
		c.TopOrigin = *raw.TopOrigin
	}
	if _, err := decodeB64(c.Challenge); err != nil {
		return nil, fmt.Errorf("%w: client data challenge is not base64url", ErrMalformedResponse)
	}
	return &c, nil
}

// AuthenticatorData is parsed authenticator data (WebAuthn §6.1).
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
func (a *AuthenticatorData) UserPresent() bool { return a.Flags&flagUP != 0 }

// UserVerified reports the UV flag.
func (a *AuthenticatorData) UserVerified() bool { return a.Flags&flagUV != 0 }

// ParseAuthenticatorData parses authenticator data: rpIdHash, flags,
// signCount, then attested credential data if AT is set and extensions if
// ED is set, with nothing left over.
func ParseAuthenticatorData(b []byte) (*AuthenticatorData, error) {
	if len(b) < authDataMinLen || len(b) > maxAuthData {
		return nil, fmt.Errorf("%w: authenticator data is %d bytes", ErrMalformedResponse, len(b))
	}
	a := &AuthenticatorData{Raw: b, RPIDHash: b[:32], Flags: b[32], SignCount: binary.BigEndian.Uint32(b[33:37])}
	if a.Flags&flagBS != 0 && a.Flags&flagBE == 0 {
		return nil, fmt.Errorf("%w: backup state set without backup eligibility", ErrMalformedResponse)
	}
	rest := b[authDataMinLen:]
	if a.Flags&flagAT != 0 {
		if len(rest) < attestedMinLen {
			return nil, fmt.Errorf("%w: attested credential data is truncated", ErrMalformedResponse)
		}
		a.AAGUID = rest[:16]
		n := int(binary.BigEndian.Uint16(rest[16:18]))
		rest = rest[18:]
		if n == 0 || n > maxCredentialID || len(rest) < n {
			return nil, fmt.Errorf("%w: credential id length %d is invalid", ErrMalformedResponse, n)
		}
		a.CredentialID, rest = rest[:n], rest[n:]
		var key cbor.RawMessage
		r, err := decMode.UnmarshalFirst(rest, &key)
		if err != nil {
			return nil, fmt.Errorf("%w: credential public key is not cbor", ErrMalformedResponse)
		}
		a.PublicKey, rest = rest[:len(rest)-len(r)], r
	}
	if a.Flags&flagED != 0 {
		var ext map[string]cbor.RawMessage
		r, err := decMode.UnmarshalFirst(rest, &ext)
		if err != nil {
			return nil, fmt.Errorf("%w: extensions are not a cbor map", ErrMalformedResponse)
		}
		a.Extensions, rest = rest[:len(rest)-len(r)], r
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the authenticator data", ErrMalformedResponse, len(rest))
	}
	return a, nil
}

// AttestationObject is a parsed attestation object.
type AttestationObject struct {
	Format   string
	Stmt     AttestationStatement
	AuthData *AuthenticatorData
	stmtRaw  cbor.RawMessage
}

// AttestationStatement holds the members of the packed and fido-u2f
// statements.
type AttestationStatement struct {
	Alg int64    `cbor:"alg"`
	Sig []byte   `cbor:"sig"`
	X5C [][]byte `cbor:"x5c"`
}

// ParseAttestationObject parses the CBOR attestation object {fmt, attStmt,
// authData} and the authenticator data inside it.
func ParseAttestationObject(b []byte) (*AttestationObject, error) {
	if len(b) == 0 || len(b) > maxAttestation {
		return nil, fmt.Errorf("%w: attestation object is empty or too large", ErrMalformedResponse)
	}
	var raw struct {
		Fmt      *string         `cbor:"fmt"`
		AttStmt  cbor.RawMessage `cbor:"attStmt"`
		AuthData []byte          `cbor:"authData"`
	}
	rest, err := decMode.UnmarshalFirst(b, &raw)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: attestation object is not a cbor map", ErrMalformedResponse)
	}
	if raw.Fmt == nil || *raw.Fmt == "" || raw.AttStmt == nil || raw.AuthData == nil {
		return nil, fmt.Errorf("%w: attestation object lacks fmt, attStmt or authData", ErrMalformedResponse)
	}
	ao := &AttestationObject{Format: *raw.Fmt, stmtRaw: raw.AttStmt}
	var stmt map[string]cbor.RawMessage
	if err := decMode.Unmarshal(raw.AttStmt, &stmt); err != nil {
		return nil, fmt.Errorf("%w: attStmt is not a cbor map", ErrMalformedResponse)
	}
	if len(stmt) > 0 {
		if err := decMode.Unmarshal(raw.AttStmt, &ao.Stmt); err != nil {
			return nil, fmt.Errorf("%w: attStmt members have the wrong types", ErrAttestation)
		}
	}
	if ao.AuthData, err = ParseAuthenticatorData(raw.AuthData); err != nil {
		return nil, err
	}
	if ao.AuthData.Flags&flagAT == 0 {
		return nil, fmt.Errorf("%w: registration without attested credential data", ErrMalformedResponse)
	}
	return ao, nil
}

// stmtKeys returns the member names of the attestation statement.
func (ao *AttestationObject) stmtKeys() []string {
	var m map[string]cbor.RawMessage
	if decMode.Unmarshal(ao.stmtRaw, &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
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
	if decMode.Unmarshal(m[1], &kty) != nil || decMode.Unmarshal(m[3], &alg) != nil {
		return 0, nil, fmt.Errorf("%w: kty or alg missing", ErrBadPublicKey)
	}
	if alg != coseAlgES256 {
		return alg, nil, fmt.Errorf("%w (alg %d)", ErrUnsupportedAlgorithm, alg)
	}
	var x, y []byte
	if kty != coseKtyEC2 || decMode.Unmarshal(m[-1], &crv) != nil || crv != coseCrvP256 ||
		decMode.Unmarshal(m[-2], &x) != nil || decMode.Unmarshal(m[-3], &y) != nil ||
		len(x) != 32 || len(y) != 32 {
		return alg, nil, fmt.Errorf("%w: want an EC2 P-256 key with 32-byte x and y", ErrBadPublicKey)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return alg, nil, fmt.Errorf("%w: point is not on P-256", ErrBadPublicKey)
	}
	return alg, pub, nil
}

// decodeB64 decodes base64url with or without padding, and tolerates the
// standard alphabet.
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "+/") {
		s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// credentialJSON is the PublicKeyCredential JSON encoding (WebAuthn L3
// RegistrationResponseJSON / AuthenticationResponseJSON).
type credentialJSON struct {
	ID       string `json:"id"`
	RawID    string `json:"rawId"`
	Type     string `json:"type"`
	Response struct {
		ClientDataJSON    string   `json:"clientDataJSON"`
		AttestationObject string   `json:"attestationObject"`
		AuthenticatorData string   `json:"authenticatorData"`
		Signature         string   `json:"signature"`
		UserHandle        *string  `json:"userHandle"`
		Transports        []string `json:"transports"`
	} `json:"response"`
	ClientExtensionResults struct {
		AppID *bool `json:"appid"`
	} `json:"clientExtensionResults"`
	AuthenticatorAttachment *string `json:"authenticatorAttachment"`
}

// parsedCredential is a decoded PublicKeyCredential.
type parsedCredential struct {
	ID                []byte
	ClientDataJSON    []byte
	ClientData        *CollectedClientData
	AttestationObject []byte
	AuthenticatorData []byte
	Signature         []byte
	UserHandle        []byte
	Transports        []string
	AppIDUsed         bool
}

func parseCredentialJSON(b []byte, create bool) (*parsedCredential, error) {
	if len(b) > maxResponseJSON {
		return nil, fmt.Errorf("%w: response larger than %d bytes", ErrMalformedResponse, maxResponseJSON)
	}
	var cj credentialJSON
	if err := json.Unmarshal(b, &cj); err != nil {
		return nil, fmt.Errorf("%w: not PublicKeyCredential json", ErrMalformedResponse)
	}
	if cj.Type != credentialTypePK {
		return nil, fmt.Errorf("%w: type is %q, want public-key", ErrMalformedResponse, clip(cj.Type))
	}
	p := &parsedCredential{Transports: cj.Response.Transports}
	var err error
	if p.ID, err = decodeB64(cj.ID); err != nil || len(p.ID) == 0 || len(p.ID) > maxCredentialID {
		return nil, fmt.Errorf("%w: id is not a base64url credential id", ErrMalformedResponse)
	}
	if cj.RawID != "" {
		raw, err := decodeB64(cj.RawID)
		if err != nil || !bytes.Equal(raw, p.ID) {
			return nil, fmt.Errorf("%w: rawId does not match id", ErrMalformedResponse)
		}
	}
	if p.ClientDataJSON, err = decodeB64(cj.Response.ClientDataJSON); err != nil {
		return nil, fmt.Errorf("%w: clientDataJSON is not base64url", ErrMalformedResponse)
	}
	if p.ClientData, err = ParseClientData(p.ClientDataJSON); err != nil {
		return nil, err
	}
	if create {
		if p.AttestationObject, err = decodeB64(cj.Response.AttestationObject); err != nil || len(p.AttestationObject) == 0 {
			return nil, fmt.Errorf("%w: attestationObject is missing or not base64url", ErrMalformedResponse)
		}
		return p, nil
	}
	if p.AuthenticatorData, err = decodeB64(cj.Response.AuthenticatorData); err != nil || len(p.AuthenticatorData) == 0 {
		return nil, fmt.Errorf("%w: authenticatorData is missing or not base64url", ErrMalformedResponse)
	}
	if p.Signature, err = decodeB64(cj.Response.Signature); err != nil || len(p.Signature) == 0 {
		return nil, fmt.Errorf("%w: signature is missing or not base64url", ErrMalformedResponse)
	}
	if cj.Response.UserHandle != nil && *cj.Response.UserHandle != "" {
		if p.UserHandle, err = decodeB64(*cj.Response.UserHandle); err != nil {
			return nil, fmt.Errorf("%w: userHandle is not base64url", ErrMalformedResponse)
		}
	}
	p.AppIDUsed = cj.ClientExtensionResults.AppID != nil && *cj.ClientExtensionResults.AppID
	return p, nil
}

// clip shortens untrusted text quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
