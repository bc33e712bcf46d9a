package hwkey_test

import (
	"errors"
	"testing"

	"github.com/vmfa/vmfa/hwkey"
)

// Seeds in testdata/fuzz/FuzzXxx are options as servers send them. The
// authenticator-data and attestation-object parsers are fuzzed in
// internal/webauthn, with the software key's real outputs as seeds.

func FuzzParseOptions(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, err := range []error{
			func() error { _, err := hwkey.ParseCreationOptions(b); return err }(),
			func() error { _, err := hwkey.ParseRequestOptions(b); return err }(),
		} {
			if err != nil && !errors.Is(err, hwkey.ErrInvalidRequest) {
				t.Fatalf("error %v is not ErrInvalidRequest", err)
			}
		}
	})
}
