package verifier

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Seeds come from testdata/fuzz/FuzzXxx (the W3C vectors and the test
// authenticator's output, with truncations); these targets check the
// parsers never panic and that what they accept is self-consistent.

func FuzzParseClientData(f *testing.F) {
	f.Add([]byte(`{"type":"webauthn.get","challenge":"AAAA","origin":"https://example.org","crossOrigin":false}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseClientData(b)
		if err != nil {
			return
		}
		if c.Type == "" || c.Origin == "" || c.Challenge == "" {
			t.Fatalf("accepted client data without type, origin or challenge: %+v", c)
		}
		if _, err := decodeB64(c.Challenge); err != nil {
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
			return
		}
		if !bytes.Equal(a.Raw, b) || len(a.RPIDHash) != 32 {
			t.Fatal("raw or rp id hash wrong")
		}
		n := 37
		if a.Flags&flagAT != 0 {
			if len(a.AAGUID) != 16 || len(a.CredentialID) == 0 || len(a.CredentialID) > maxCredentialID || len(a.PublicKey) == 0 {
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
			return
		}
		if ao.Format == "" || ao.AuthData == nil || ao.AuthData.Flags&flagAT == 0 {
			t.Fatal("accepted an attestation object without fmt or attested credential data")
		}
		// Verification of an arbitrary accepted object must not panic.
		v, _ := New(NewMemoryStore(), DefaultConfig())
		alg, pub, err := ParseCOSEKey(ao.AuthData.PublicKey)
		if err == nil {
			v.verifyAttestation(ao, make([]byte, 32), alg, pub, start)
		}
	})
}

func FuzzParseCredentialJSON(f *testing.F) {
	f.Add([]byte(`{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AAAA"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseCredentialJSON(b, true)
		parseCredentialJSON(b, false)
	})
}
