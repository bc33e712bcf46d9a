package webauthn

import (
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Attestation statement formats vmfa writes and verifies.
const (
	FormatNone    = "none"
	FormatPacked  = "packed"
	FormatFIDOU2F = "fido-u2f"
)

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
// authData} and the authenticator data inside it, which must carry
// attested credential data.
func ParseAttestationObject(b []byte) (*AttestationObject, error) {
	if len(b) == 0 || len(b) > maxAttestation {
		return nil, fmt.Errorf("%w: attestation object is empty or too large", ErrMalformed)
	}
	var raw struct {
		Fmt      *string         `cbor:"fmt"`
		AttStmt  cbor.RawMessage `cbor:"attStmt"`
		AuthData []byte          `cbor:"authData"`
	}
	rest, err := decMode.UnmarshalFirst(b, &raw)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: attestation object is not a cbor map", ErrMalformed)
	}
	if raw.Fmt == nil || *raw.Fmt == "" || raw.AttStmt == nil || raw.AuthData == nil {
		return nil, fmt.Errorf("%w: attestation object lacks fmt, attStmt or authData", ErrMalformed)
	}
	ao := &AttestationObject{Format: *raw.Fmt, stmtRaw: raw.AttStmt}
	var stmt map[string]cbor.RawMessage
	if err := decMode.Unmarshal(raw.AttStmt, &stmt); err != nil {
		return nil, fmt.Errorf("%w: attStmt is not a cbor map", ErrMalformed)
	}
	if len(stmt) > 0 {
		if err := decMode.Unmarshal(raw.AttStmt, &ao.Stmt); err != nil {
			return nil, fmt.Errorf("%w: attStmt members have the wrong types", ErrAttestation)
		}
	}
	if ao.AuthData, err = ParseAuthenticatorData(raw.AuthData); err != nil {
		return nil, err
	}
	if ao.AuthData.Flags&FlagAT == 0 {
		return nil, fmt.Errorf("%w: registration without attested credential data", ErrMalformed)
	}
	return ao, nil
}

// StmtKeys returns the member names of the attestation statement.
func (ao *AttestationObject) StmtKeys() []string {
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

// EncodeAttestationObject encodes the attestation object {fmt, attStmt,
// authData} of a registration: format none (empty statement), packed
// ({alg, sig} and x5c when cert is set; without it, self attestation) or
// fido-u2f ({x5c, sig}, no alg, WebAuthn §8.6).
func EncodeAttestationObject(format string, alg int64, sig, cert, authData []byte) ([]byte, error) {
	stmt := map[string]any{}
	switch format {
	case FormatNone:
	case FormatPacked:
		stmt["alg"] = alg
		stmt["sig"] = sig
		if len(cert) > 0 {
			stmt["x5c"] = [][]byte{cert}
		}
	case FormatFIDOU2F:
		if len(cert) == 0 {
			return nil, fmt.Errorf("%w: fido-u2f attestation without a certificate", ErrMalformed)
		}
		stmt["sig"] = sig
		stmt["x5c"] = [][]byte{cert}
	default:
		return nil, fmt.Errorf("%w: unknown attestation format %q", ErrMalformed, Clip(format))
	}
	return encMode.Marshal(map[string]any{"fmt": format, "attStmt": stmt, "authData": authData})
}
