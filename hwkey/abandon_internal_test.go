package hwkey

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/vmfa/vmfa/hwkey/internal/fidoshim"
)

// stuckU2F is a U2F-only key that answers CTAPHID_INIT but never answers a
// request, and whose reads ignore libfido2's timeout: the worst case of a
// key that cannot be cancelled. Closing release unblocks it.
type stuckU2F struct {
	out     chan []byte
	release chan struct{}
}

func (s *stuckU2F) WriteReport(p []byte) error {
	if p[4] == 0x86 { // INIT: answer as a U2F-only key (no CBOR capability)
		r := make([]byte, 64)
		copy(r, p[:5])
		binary.BigEndian.PutUint16(r[5:], 17)
		copy(r[7:], p[7:15])
		copy(r[15:], []byte{0, 0, 0, 9, 2, 1, 0, 0, 0})
		s.out <- r
	}
	return nil
}

func (s *stuckU2F) ReadReport(time.Duration) ([]byte, error) {
	select {
	case r := <-s.out:
		return r, nil
	case <-s.release:
		return nil, errors.New("released")
	}
}

func TestAbandonsUncancellableKey(t *testing.T) {
	defer func(g time.Duration) { cancelGrace = g }(cancelGrace)
	cancelGrace = 50 * time.Millisecond

	stuck := &stuckU2F{out: make(chan []byte, 4), release: make(chan struct{})}
	path := fidoshim.Prefix + "stuck"
	if err := fidoshim.Attach(path, "stuck key", stuck); err != nil {
		t.Fatal(err)
	}
	defer fidoshim.Detach(path)
	released := false
	release := func() {
		if !released {
			close(stuck.release)
			released = true
		}
	}
	defer release()

	cdh := sha256.Sum256([]byte("c"))
	req := RegisterRequest{RPID: "example.com", ClientDataHash: cdh[:], UserID: []byte{1}, UserName: "u"}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Register(ctx, path, req)
	var te *TimeoutError
	if !errors.As(err, &te) || !te.Abandoned {
		t.Fatalf("Register = %v, want an abandoned TimeoutError", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("gave up only after %v", waited)
	}

	// The abandoned request still holds the key: the next one is told it
	// is busy instead of queueing forever.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if _, err := GetInfo(ctx2, path); !errors.Is(err, ErrBusy) {
		t.Fatalf("GetInfo on the stuck key = %v, want ErrBusy", err)
	}

	// Once the key lets go (reinserted), it can be used again.
	release()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx3, cancel3 := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := GetInfo(ctx3, path)
		cancel3()
		if !errors.Is(err, ErrBusy) {
			break // no longer locked (it fails otherwise: the key is gone)
		}
		if time.Now().After(deadline) {
			t.Fatal("the key stayed locked after the request ended")
		}
	}
}

func TestGuardRecoversPanics(t *testing.T) {
	err := guard(func() error {
		var b []byte
		_ = b[0] // what go-libfido2 does with an empty slice
		return nil
	})
	if !errors.Is(err, ErrDevice) {
		t.Fatalf("guard = %v, want ErrDevice", err)
	}
}
