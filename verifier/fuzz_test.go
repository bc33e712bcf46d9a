package verifier

import (
	"testing"

	"github.com/vmfa/vmfa/internal/webauthn"
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
