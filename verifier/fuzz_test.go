package verifier

import (
	"errors"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/internal/webauthn"
	"github.com/vmfa/vmfa/vault"
)

// The WebAuthn parsers are fuzzed in internal/webauthn. This target feeds
// what they accept to the attestation checks, which must not panic on any
// of it. Seeds in testdata/fuzz/FuzzVerifyAttestation are the W3C vectors
// and the test authenticator's fido-u2f output.
func FuzzVerifyAttestation(f *testing.F) {
	f.Add([]byte{0xa0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ao, err := webauthn.ParseAttestationObject(b)
		if err != nil {
			return
		}
		v, _ := New(NewMemoryStore(), DefaultConfig())
		alg, pub, err := webauthn.ParseCOSEKey(ao.AuthData.PublicKey)
		if err == nil {
			v.verifyAttestation(ao, make([]byte, 32), alg, pub, start)
		}
	})
}

// FuzzCodePair feeds typed code groups to the binding's pair reader: it
// must not panic, and a pair it returns is two codes of the device's
// length, made of the digits typed, in order. Seeds in
// testdata/fuzz/FuzzCodePair.
func FuzzCodePair(f *testing.F) {
	f.Add("756 935", "787 331", 6)
	f.Add("1234 5678 8765 4321", "", 8)
	f.Add("12-34", "5678", 8)
	f.Fuzz(func(t *testing.T, a, b string, digits int) {
		acct := vault.Account{Type: vault.TOTP, Digits: 6 + (digits&3)%3}
		codes := []string{a}
		if b != "" {
			codes = append(codes, b)
		}
		c1, c2, err := codePair(&acct, codes)
		if err != nil {
			if !errors.Is(err, ErrMalformedCode) {
				t.Fatalf("error %v is not ErrMalformedCode", err)
			}
			return
		}
		if len(c1) != acct.Digits || len(c2) != acct.Digits {
			t.Fatalf("%q %q: codes %q %q for %d digits", a, b, c1, c2, acct.Digits)
		}
		typed := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, a+b)
		if c1+c2 != typed {
			t.Fatalf("%q %q: codes %q %q are not the digits typed", a, b, c1, c2)
		}
	})
}
