package softkey_test

// These tests drive the key through the real libfido2 (via go-libfido2 and
// the hwkey shim) for what the hwkey full-stack tests do not exercise: the
// hmac-secret extension and CTAPHID_CANCEL while waiting for a touch.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
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
