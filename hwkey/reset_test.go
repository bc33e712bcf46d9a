package hwkey_test

import (
	"crypto/sha256"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
)

func TestReset(t *testing.T) {
	var elapsed atomic.Int64 // seconds since the key was plugged in
	start := time.Now()
	clock := func() time.Time { return start.Add(time.Duration(elapsed.Load()) * time.Second) }
	cdh := sha256.Sum256([]byte("c"))
	register := func(path, pin string) (*hwkey.Registration, error) {
		return hwkey.Register(ctx(t), path, hwkey.RegisterRequest{RPID: "example.com", ClientDataHash: cdh[:], UserID: []byte{1}, UserName: "u", PIN: pin})
	}
	tests := []struct {
		name    string
		mode    softkey.Mode
		blocked bool  // block the pin first (8 wrong pins)
		after   int64 // seconds between plugging in and the reset
		want    error
	}{
		{name: "fido2 with a pin", mode: softkey.FIDO2},
		{name: "fido2 with a blocked pin", mode: softkey.FIDO2, blocked: true},
		{name: "fido2 too long after plugging in", mode: softkey.FIDO2, after: 11, want: hwkey.ErrResetWindow},
		{name: "u2f-only", mode: softkey.U2FOnly, want: hwkey.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elapsed.Store(0)
			k, path := attach(t, tt.mode, softkey.Options{Now: clock})
			c := ctx(t)
			pin := ""
			if tt.mode == softkey.FIDO2 {
				pin = "1234"
				if err := hwkey.SetPIN(c, path, pin); err != nil {
					t.Fatal(err)
				}
			}
			reg, err := register(path, pin)
			if err != nil {
				t.Fatal(err)
			}
			if tt.blocked {
				for i := 0; i < 8; i++ {
					if i%3 == 2 {
						k.Reset() // reinsert: three in a row block until then
					}
					register(path, "0000")
				}
				k.Reset()
				if _, err := register(path, pin); !errors.Is(err, hwkey.ErrPINBlocked) {
					t.Fatalf("after eight wrong pins: %v, want ErrPINBlocked", err)
				}
			}
			elapsed.Store(tt.after)
			err = hwkey.Reset(c, path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Reset: %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				return
			}
			info, err := hwkey.GetInfo(c, path)
			if err != nil || info.PINSet() || info.PINRetries != -1 {
				t.Fatalf("info after reset: %+v %v, want no pin", info, err)
			}
			_, err = hwkey.Authenticate(c, path, hwkey.AssertRequest{RPID: "example.com", ClientDataHash: cdh[:], AllowCredentials: [][]byte{reg.CredentialID}})
			if !errors.Is(err, hwkey.ErrNoCredentials) {
				t.Fatalf("old credential after reset: %v, want ErrNoCredentials", err)
			}
			if _, err := register(path, ""); err != nil {
				t.Fatalf("register without a pin after reset: %v", err)
			}
		})
	}
}
