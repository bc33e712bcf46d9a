package hwkey_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
)

// finger is a Touch function: the key is touched once touched is set.
func finger(touched *atomic.Bool) func(ctx context.Context, _ string) bool {
	return func(ctx context.Context, _ string) bool {
		for !touched.Load() {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(5 * time.Millisecond):
			}
		}
		return true
	}
}

func TestWaitForTouch(t *testing.T) {
	tests := []struct {
		name  string
		touch softkey.Mode
		pin   bool
	}{
		{"u2f touched", softkey.U2FOnly, false},
		{"fido2 touched", softkey.FIDO2, false},
		{"fido2 with a pin touched", softkey.FIDO2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fidoTouched, u2fTouched atomic.Bool
			_, fidoPath := attach(t, softkey.FIDO2, softkey.Options{Touch: finger(&fidoTouched)})
			_, u2fPath := attach(t, softkey.U2FOnly, softkey.Options{Touch: finger(&u2fTouched)})
			if tt.pin {
				fidoTouched.Store(true) // setting a PIN needs no touch, but be safe
				if err := hwkey.SetPIN(ctx(t), fidoPath, "1234"); err != nil {
					t.Fatal(err)
				}
				fidoTouched.Store(false)
			}
			devs := []hwkey.Device{{Path: fidoPath}, {Path: u2fPath}}
			want := fidoPath
			go func() {
				time.Sleep(150 * time.Millisecond)
				if tt.touch == softkey.U2FOnly {
					u2fTouched.Store(true)
				} else {
					fidoTouched.Store(true)
				}
			}()
			if tt.touch == softkey.U2FOnly {
				want = u2fPath
			}
			got, err := hwkey.WaitForTouch(ctx(t), devs)
			if err != nil || got.Path != want {
				t.Fatalf("WaitForTouch = %v, %v, want %s", got.Path, err, want)
			}
			// Both keys are free again.
			for _, p := range []string{fidoPath, u2fPath} {
				if _, err := hwkey.GetInfo(ctx(t), p); err != nil {
					t.Fatalf("%s after WaitForTouch: %v", p, err)
				}
			}
		})
	}
}

func TestWaitForTouchTimeout(t *testing.T) {
	var never atomic.Bool
	_, fidoPath := attach(t, softkey.FIDO2, softkey.Options{Touch: finger(&never)})
	_, u2fPath := attach(t, softkey.U2FOnly, softkey.Options{Touch: finger(&never)})
	c, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	_, err := hwkey.WaitForTouch(c, []hwkey.Device{{Path: fidoPath}, {Path: u2fPath}})
	if !errors.Is(err, hwkey.ErrTimeout) {
		t.Fatalf("WaitForTouch = %v, want ErrTimeout", err)
	}
	if _, err := hwkey.WaitForTouch(c, nil); !errors.Is(err, hwkey.ErrNoDevice) {
		t.Fatalf("WaitForTouch(nil) = %v, want ErrNoDevice", err)
	}
}

// TestCancelVirtualU2F: libfido2 cannot cancel a U2F request, but a
// virtual U2F key's request ends as soon as the caller cancels it, and
// the key is free at once for the next one (not busy until the first
// request's deadline).
func TestCancelVirtualU2F(t *testing.T) {
	var touched atomic.Bool
	_, path := attach(t, softkey.U2FOnly, softkey.Options{Touch: finger(&touched)})
	cdh := make([]byte, 32)
	req := hwkey.RegisterRequest{RPID: "example.com", ClientDataHash: cdh, UserID: []byte{1}, UserName: "u"}
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	errc := make(chan error, 1)
	go func() {
		_, err := hwkey.Register(c, path, req)
		errc <- err
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, hwkey.ErrCancelled) {
		t.Fatalf("cancelled register: %v, want ErrCancelled", err)
	}
	// The first request's deadline is a minute away: a key still busy
	// with it would make this one fail.
	c2, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel2()
	if info, err := hwkey.GetInfo(c2, path); err != nil || info.Type != "u2f" {
		t.Fatalf("info after a cancelled request: %+v, %v", info, err)
	}
}
