package webauthn

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// Seeds come from testdata/fuzz/FuzzXxx: the W3C vectors, the verifier's
// test authenticator and real outputs of the software key through
// libfido2 (hwkey-*), with truncations. The targets check that the parsers
// never panic, fail only with their sentinels, and that what they accept is
// self-consistent.

func FuzzParseClientData(f *testing.F) {
	f.Add([]byte(`{"type":"webauthn.get","challenge":"AAAA","origin":"https://example.org","crossOrigin":false}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseClientData(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if c.Type == "" || c.Origin == "" || c.Challenge == "" {
			t.Fatalf("accepted client data without type, origin or challenge: %+v", c)
		}
		if _, err := DecodeB64(c.Challenge); err != nil {
			t.Fatal("accepted a challenge that is not base64url")
		}
		if !json.Valid(b) {
			t.Fatal("accepted invalid json")
		}
	})
}

func FuzzParseAuthenticatorData(f *testing.F) {
	f.Add(make([]byte, 37))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseAuthenticatorData(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if !bytes.Equal(a.Raw, b) || len(a.RPIDHash) != 32 || !bytes.Equal(a.RPIDHash, b[:32]) || a.Flags != b[32] {
			t.Fatal("raw, rp id hash or flags do not match the input")
		}
		n := 37
		if a.Flags&FlagAT != 0 {
			if len(a.AAGUID) != 16 || len(a.CredentialID) == 0 || len(a.CredentialID) > MaxCredentialID || len(a.PublicKey) == 0 {
				t.Fatalf("attested credential data accepted with bad fields")
			}
			n += 18 + len(a.CredentialID) + len(a.PublicKey)
			// The key parser must not panic either.
			ParseCOSEKey(a.PublicKey)
		}
		n += len(a.Extensions)
		if n != len(b) {
			t.Fatalf("parsed %d of %d bytes", n, len(b))
		}
	})
}

func FuzzParseAttestationObject(f *testing.F) {
	f.Add([]byte{0xa0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ao, err := ParseAttestationObject(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrAttestation) {
				t.Fatalf("error %v is neither ErrMalformed nor ErrAttestation", err)
			}
			return
		}
		if ao.Format == "" || ao.AuthData == nil || ao.AuthData.Flags&FlagAT == 0 || len(ao.AuthData.Raw) < AuthDataMinLen {
			t.Fatal("accepted an attestation object without fmt or attested credential data")
		}
		ao.StmtKeys()
		ParseCOSEKey(ao.AuthData.PublicKey)
	})
}

func FuzzParseCredentialJSON(f *testing.F) {
	f.Add([]byte(`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, parse := range []func([]byte) (*Credential, error){ParseRegistration, ParseAssertion} {
			p, err := parse(b)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v is not ErrMalformed", err)
				}
				continue
			}
			if len(p.ID) == 0 || p.ClientData == nil {
				t.Fatal("accepted a credential without id or client data")
			}
		}
	})
}

func FuzzUnwrapAuthData(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		raw, err := UnwrapAuthData(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if len(raw) < 37 {
			t.Fatalf("accepted %d bytes of authenticator data", len(raw))
		}
	})
}

func FuzzParseCOSEKey(f *testing.F) {
	f.Add([]byte{0xa0})
	f.Fuzz(func(t *testing.T, b []byte) {
		alg, pub, err := ParseCOSEKey(b)
		if err != nil {
			if !errors.Is(err, ErrBadPublicKey) && !errors.Is(err, ErrUnsupportedAlgorithm) {
				t.Fatalf("error %v is neither ErrBadPublicKey nor ErrUnsupportedAlgorithm", err)
			}
			return
		}
		if alg != AlgES256 || pub == nil {
			t.Fatalf("accepted alg %d without an ES256 key", alg)
		}
		// What parses re-encodes to a key that parses to the same point.
		pt, _ := pub.Bytes()
		again, err := COSEKey(pt[1:])
		if err != nil {
			t.Fatal(err)
		}
		if _, pub2, err := ParseCOSEKey(again); err != nil || !pub2.Equal(pub) {
			t.Fatalf("re-encoded key does not parse back: %v", err)
		}
	})
}
