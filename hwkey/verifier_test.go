package hwkey_test

// The companion verifier, as a relying party, checks what hwkey produces
// through real libfido2 from the software key: registration (packed and
// fido-u2f attestation chained to the key's root) and logins.

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"testing"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
	"github.com/vmfa/vmfa/verifier"
)

func newVerifier(t *testing.T, roots ...[]byte) *verifier.Verifier {
	t.Helper()
	cfg := verifier.DefaultConfig()
	cfg.RPID, cfg.RPName = "example.com", "Example"
	pool := x509.NewCertPool()
	for _, der := range roots {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		pool.AddCert(cert)
	}
	cfg.TrustRoots = pool
	v, err := verifier.New(verifier.NewMemoryStore(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// roundTrip hands verifier options to the client the way a browser gets
// them: as JSON.
func roundTrip[T any](t *testing.T, v any, parse func([]byte) (T, error)) T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifierAcceptsKeyThroughLibfido2(t *testing.T) {
	tests := []struct {
		mode   softkey.Mode
		pin    string
		format string
	}{
		{softkey.U2FOnly, "", "fido-u2f"},
		{softkey.FIDO2, "", "packed"},
		{softkey.FIDO2, "246810", "packed"},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+"/pin="+tt.pin, func(t *testing.T) {
			k, path := attach(t, tt.mode, softkey.Options{})
			c := ctx(t)
			if tt.pin != "" {
				if err := hwkey.SetPIN(c, path, tt.pin); err != nil {
					t.Fatal(err)
				}
			}
			v := newVerifier(t, k.RootCertificate())
			client := &hwkey.Client{Path: path, PIN: tt.pin}
			from := verifier.Client{}

			copts, err := v.BeginRegistration("alice", verifier.RegisterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cred, err := client.Create(c, roundTrip(t, copts, hwkey.ParseCreationOptions))
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := json.Marshal(cred)
			vc, err := v.FinishRegistration("alice", resp, from)
			if err != nil {
				t.Fatalf("verifier refused the registration: %v", err)
			}
			if vc.Format != tt.format || vc.Attestation != "basic" {
				t.Fatalf("registered %s attestation %q, want %s basic", vc.Format, vc.Attestation, tt.format)
			}

			var last []byte
			for i := 0; i < 2; i++ {
				ropts, err := v.BeginLogin("alice")
				if err != nil {
					t.Fatal(err)
				}
				a, err := client.Get(c, roundTrip(t, ropts, hwkey.ParseRequestOptions))
				if err != nil {
					t.Fatal(err)
				}
				last, _ = json.Marshal(a)
				if _, err := v.FinishLogin("alice", last, from); err != nil {
					t.Fatalf("verifier refused login %d: %v", i, err)
				}
			}
			// A replayed assertion is refused.
			if _, err := v.FinishLogin("alice", last, from); err == nil {
				t.Fatal("verifier accepted a replayed assertion")
			}
		})
	}
}

func TestVerifierRefusesForeignAttestation(t *testing.T) {
	_, path := attach(t, softkey.FIDO2, softkey.Options{})
	other, err := softkey.New(softkey.FIDO2, softkey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, other.RootCertificate()) // trusts another key's root only
	copts, err := v.BeginRegistration("bob", verifier.RegisterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := (&hwkey.Client{Path: path}).Create(context.Background(), roundTrip(t, copts, hwkey.ParseCreationOptions))
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := json.Marshal(cred)
	if _, err := v.FinishRegistration("bob", resp, verifier.Client{}); !errors.Is(err, verifier.ErrUntrustedAttestation) {
		t.Fatalf("FinishRegistration = %v, want ErrUntrustedAttestation", err)
	}
}
