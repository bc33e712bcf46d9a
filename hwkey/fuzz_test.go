package hwkey_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/vmfa/vmfa/hwkey"
)

// Seeds in testdata/fuzz/FuzzXxx are real outputs of the software key
// through libfido2.

func FuzzUnwrapAuthData(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		raw, err := hwkey.UnwrapAuthData(b)
		if err != nil {
			if !errors.Is(err, hwkey.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if len(raw) < 37 {
			t.Fatalf("accepted %d bytes of authenticator data", len(raw))
		}
	})
}

func FuzzParseAuthData(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		ad, err := hwkey.ParseAuthData(b)
		if err != nil {
			if !errors.Is(err, hwkey.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if !bytes.Equal(ad.RPIDHash[:], b[:32]) || ad.Flags != b[32] {
			t.Fatal("header fields do not match the input")
		}
		if ad.Flags&hwkey.FlagAT != 0 && len(ad.CredentialID) == 0 {
			t.Fatal("attested credential data without a credential id")
		}
		if ad.PublicKey != nil {
			_, _ = hwkey.ECDSAPublicKey(ad.PublicKey) // must not panic
		}
	})
}

func FuzzParseAttestationObject(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		format, authData, err := hwkey.ParseAttestationObject(b)
		if err != nil {
			if !errors.Is(err, hwkey.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if format == "" || len(authData) < 37 {
			t.Fatal("accepted an attestation object without fmt or authData")
		}
	})
}

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
