package hwkey_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
	"github.com/vmfa/vmfa/internal/webauthn"
)

// A key refuses user verification it cannot do with "unsupported option";
// the error must say what to do about it for this key.
func TestUnsupportedOptionExplained(t *testing.T) {
	tests := []struct {
		name    string
		mode    softkey.Mode
		pin     bool // set a pin on the key first
		algs    []int64
		get     bool // an assertion instead of a registration
		want    error
		notWant error
		msg     string
	}{
		{name: "pin set, uv without pin", mode: softkey.FIDO2, pin: true,
			want: hwkey.ErrPINRequired, notWant: hwkey.ErrUnsupported, msg: "needs its pin for user verification"},
		{name: "pin set, uv login without pin", mode: softkey.FIDO2, pin: true, get: true,
			want: hwkey.ErrPINRequired, notWant: hwkey.ErrUnsupported, msg: "needs its pin"},
		{name: "no pin, uv", mode: softkey.FIDO2,
			want: hwkey.ErrPINNotSet, notWant: hwkey.ErrUnsupported, msg: "set a pin first"},
		{name: "u2f, uv", mode: softkey.U2FOnly,
			want: hwkey.ErrUnsupported, msg: "u2f-only"},
		{name: "rs256 only", mode: softkey.FIDO2, algs: []int64{-257},
			want: hwkey.ErrAlgorithm, notWant: hwkey.ErrUnsupported, msg: "only ES256 (-7) is supported by vmfa, but the server's options allow only RS256 (-257)"},
		{name: "eddsa and unknown", mode: softkey.FIDO2, algs: []int64{-8, -999},
			want: hwkey.ErrAlgorithm, msg: "EdDSA (-8), alg -999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, path := attach(t, tt.mode, softkey.Options{})
			c := ctx(t)
			if tt.pin {
				if err := hwkey.SetPIN(c, path, "1234"); err != nil {
					t.Fatal(err)
				}
			}
			client := &hwkey.Client{Path: path}
			var err error
			if tt.get {
				_, err = client.Get(c, &hwkey.RequestOptions{Challenge: challenge(1), RPID: "example.com",
					AllowCredentials: []webauthn.CredentialDescriptor{{ID: webauthn.B64([]byte("some credential"))}},
					UserVerification: "required"})
			} else {
				opts := creationOptions("example.com", "dan", challenge(1))
				if tt.algs != nil {
					opts.PubKeyCredParams = nil
					for _, a := range tt.algs {
						opts.PubKeyCredParams = append(opts.PubKeyCredParams, webauthn.CredentialParameter{Type: "public-key", Alg: a})
					}
				} else {
					opts.AuthenticatorSelection.UserVerification = "required"
				}
				_, err = client.Create(c, opts)
			}
			if !errors.Is(err, tt.want) || tt.notWant != nil && errors.Is(err, tt.notWant) || err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error %v, want %v containing %q", err, tt.want, tt.msg)
			}
		})
	}
}
