//go:build cgo

package softkey_test

// These tests drive the key through the real libfido2 (via go-libfido2 and
// the hwkey shim) for what the hwkey full-stack tests do not exercise: the
// hmac-secret extension and CTAPHID_CANCEL while waiting for a touch.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	libfido2 "github.com/keys-pub/go-libfido2"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/internal/fidoshim"
	"github.com/vmfa/vmfa/hwkey/softkey"
)

func attachLibfido2(t *testing.T, opts softkey.Options) (*libfido2.Device, string) {
	t.Helper()
	k, err := softkey.New(softkey.FIDO2, opts)
	if err != nil {
		t.Fatal(err)
	}
	path, err := hwkey.AttachVirtual(k)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hwkey.DetachVirtual(path) })
	dev, err := libfido2.NewDevice(path)
	if err != nil {
		t.Fatal(err)
	}
	return dev, path
}

func sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func TestLibfido2HMACSecret(t *testing.T) {
	dev, _ := attachLibfido2(t, softkey.Options{})
	rp := libfido2.RelyingParty{ID: "example.com", Name: "Example"}
	mc := &libfido2.MakeCredentialOpts{Extensions: []libfido2.Extension{libfido2.HMACSecretExtension}}
	var creds [][]byte
	for _, user := range []string{"alice", "bob"} {
		att, err := dev.MakeCredential(sum("cdh"), rp, libfido2.User{ID: []byte(user), Name: user}, libfido2.ES256, "", mc)
		if err != nil {
			t.Fatalf("MakeCredential: %v", err)
		}
		creds = append(creds, att.CredentialID)
	}
	secret := func(cred []byte, salt string) []byte {
		t.Helper()
		a, err := dev.Assertion("example.com", sum("assert"), [][]byte{cred}, "", &libfido2.AssertionOpts{
			Extensions: []libfido2.Extension{libfido2.HMACSecretExtension},
			HMACSalt:   sum(salt),
		})
		if err != nil {
			t.Fatalf("Assertion: %v", err)
		}
		if len(a.HMACSecret) != 32 {
			t.Fatalf("hmac-secret of %d bytes", len(a.HMACSecret))
		}
		return a.HMACSecret
	}
	one, again := secret(creds[0], "salt"), secret(creds[0], "salt")
	if !bytes.Equal(one, again) {
		t.Error("hmac-secret differs for the same credential and salt")
	}
	if bytes.Equal(one, secret(creds[0], "other salt")) {
		t.Error("hmac-secret equal for different salts")
	}
	if bytes.Equal(one, secret(creds[1], "salt")) {
		t.Error("hmac-secret equal for different credentials")
	}
}

func TestLibfido2CancelWhileWaitingForTouch(t *testing.T) {
	asked := make(chan struct{}, 1)
	dev, path := attachLibfido2(t, softkey.Options{Touch: func(ctx context.Context, _ string) bool {
		asked <- struct{}{}
		<-ctx.Done()
		return false
	}})
	go func() {
		select {
		case <-asked:
			fidoshim.Cancel(path)
		case <-time.After(10 * time.Second):
		}
	}()
	_, err := dev.MakeCredential(sum("cdh"), libfido2.RelyingParty{ID: "example.com"}, libfido2.User{ID: []byte("u"), Name: "u"}, libfido2.ES256, "", nil)
	if !errors.Is(err, libfido2.ErrKeepaliveCancel) {
		t.Fatalf("MakeCredential cancelled while waiting for touch: %v, want ErrKeepaliveCancel", err)
	}
}

// TestLibfido2CredentialManagement drives a resident credential through
// libfido2 with each PIN/UV auth protocol: make it with the PIN, list the
// RPs and credentials with credential management (fido_credman_*),
// authenticate without an allow list, delete it.
func TestLibfido2CredentialManagement(t *testing.T) {
	for _, proto := range []int{2, 1} {
		t.Run(fmt.Sprintf("protocol %d", proto), func(t *testing.T) {
			opts := softkey.Options{}
			if proto == 1 {
				opts.PINProtocols = []int{1}
			}
			k, err := softkey.New(softkey.FIDO2, opts)
			if err != nil {
				t.Fatal(err)
			}
			path, err := hwkey.AttachVirtual(k)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { hwkey.DetachVirtual(path) })
			dev, err := libfido2.NewDevice(path)
			if err != nil {
				t.Fatal(err)
			}
			const pin = "123456"
			if err := dev.SetPIN(pin, ""); err != nil {
				t.Fatalf("SetPIN: %v", err)
			}
			var ids [][]byte
			for _, u := range []string{"alice", "bob"} {
				att, err := dev.MakeCredential(sum("cdh"), libfido2.RelyingParty{ID: "example.com", Name: "Example"},
					libfido2.User{ID: []byte(u), Name: u, DisplayName: "User " + u}, libfido2.ES256, pin,
					&libfido2.MakeCredentialOpts{RK: libfido2.True, CredProtect: libfido2.CredProtectUVOptionalWithID})
				if err != nil {
					t.Fatalf("MakeCredential: %v", err)
				}
				ids = append(ids, att.CredentialID)
			}
			if p, sub, perms := k.LastTokenGrant(); p != proto || sub != 9 || perms != 0x01 {
				t.Errorf("makeCredential token: protocol %d subcommand %d perms %#x, want protocol %d, subcommand 9, mc", p, sub, perms, proto)
			}
			if _, err := dev.MakeCredential(sum("cdh"), libfido2.RelyingParty{ID: "other.example"},
				libfido2.User{ID: []byte("carol"), Name: "carol"}, libfido2.ES256, pin, &libfido2.MakeCredentialOpts{RK: libfido2.True}); err != nil {
				t.Fatalf("MakeCredential: %v", err)
			}

			info, err := dev.CredentialsInfo(pin)
			if err != nil {
				t.Fatalf("CredentialsInfo: %v", err)
			}
			if info.RKExisting != 3 || info.RKRemaining != softkey.MaxResident-3 {
				t.Errorf("metadata: %d existing, %d remaining", info.RKExisting, info.RKRemaining)
			}
			if p, sub, perms := k.LastTokenGrant(); p != proto || sub != 9 || perms != 0x04 {
				t.Errorf("credman token: protocol %d subcommand %d perms %#x, want cm", p, sub, perms)
			}
			rps, err := dev.RelyingParties(pin)
			if err != nil {
				t.Fatalf("RelyingParties: %v", err)
			}
			if len(rps) != 2 || rps[0].ID != "example.com" || rps[0].Name != "Example" || rps[1].ID != "other.example" {
				t.Errorf("relying parties %+v %+v", rps[0], rps[1:])
			}
			creds, err := dev.Credentials("example.com", pin)
			if err != nil {
				t.Fatalf("Credentials: %v", err)
			}
			if len(creds) != 2 {
				t.Fatalf("%d credentials, want 2", len(creds))
			}
			for i, c := range creds {
				if !bytes.Equal(c.ID, ids[i]) || c.User.Name != []string{"alice", "bob"}[i] || c.User.DisplayName == "" {
					t.Errorf("credential %d: %x %+v", i, c.ID, c.User)
				}
			}

			// Discoverable: with the PIN both accounts (credProtect 2
			// hides them without UV).
			a, err := dev.Assertion("example.com", sum("login"), nil, pin, nil)
			if err != nil {
				t.Fatalf("discoverable Assertion: %v", err)
			}
			if !bytes.Equal(a.User.ID, []byte("bob")) {
				t.Errorf("first account %q, want the newest (bob)", a.User.ID)
			}
			if _, err := dev.Assertion("example.com", sum("login"), nil, "", nil); !errors.Is(err, libfido2.ErrNoCredentials) {
				t.Errorf("discoverable without UV of credProtect 2 credentials: %v, want ErrNoCredentials", err)
			}
			if _, err := dev.Assertion("example.com", sum("login"), ids[:1], "", nil); err != nil {
				t.Errorf("credProtect 2 credential named in an allow list, no UV: %v", err)
			}

			if err := dev.DeleteCredential(ids[0], pin); err != nil {
				t.Fatalf("DeleteCredential: %v", err)
			}
			creds, err = dev.Credentials("example.com", pin)
			if err != nil || len(creds) != 1 || !bytes.Equal(creds[0].ID, ids[1]) {
				t.Fatalf("after delete: %v, %d credentials", err, len(creds))
			}
			if err := dev.DeleteCredential(ids[0], pin); !errors.Is(err, libfido2.ErrNoCredentials) {
				t.Errorf("deleting it again: %v, want ErrNoCredentials", err)
			}
		})
	}
}
