//go:build cgo

package hwkey

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"testing"

	libfido2 "github.com/keys-pub/go-libfido2"
)

func TestDeviceFromFixesIDSign(t *testing.T) {
	tests := []struct {
		vendor, product int16
		wantV, wantP    uint16
	}{
		{0x1050, 0x0407, 0x1050, 0x0407},     // Yubico YubiKey 5
		{-4336, -12288, 0xef10, 0xd000},      // IDs above 0x7fff
		{int16(-0x8000), -1, 0x8000, 0xffff}, // extremes
	}
	for _, tt := range tests {
		d := deviceFrom(&libfido2.DeviceLocation{Path: "/dev/hidraw0", VendorID: tt.vendor, ProductID: tt.product})
		if d.VendorID != tt.wantV || d.ProductID != tt.wantP || d.Virtual {
			t.Errorf("deviceFrom(%d, %d) = %04x:%04x virtual=%v, want %04x:%04x", tt.vendor, tt.product, d.VendorID, d.ProductID, d.Virtual, tt.wantV, tt.wantP)
		}
	}
	if d := deviceFrom(&libfido2.DeviceLocation{Path: "vmfa-virtual:fido2"}); !d.Virtual {
		t.Error("virtual path not marked virtual")
	}
}

func TestInaccessible(t *testing.T) {
	defer func(o func(string) error, r string) { openRW, devRoot = o, r }(openRW, devRoot)
	devRoot = "/devfake"
	// hidraw0 and hidraw2 are FIDO keys (usage page 0xF1D0), hidraw1 a
	// keyboard; only hidraw2 is readable.
	openRW = func(path string) error {
		if path == filepath.Join(devRoot, "hidraw2") {
			return nil
		}
		return &fs.PathError{Op: "open", Path: path, Err: fs.ErrPermission}
	}
	got := inaccessible("testdata/sysfs")
	want := []string{"/devfake/hidraw0"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("inaccessible = %v, want %v", got, want)
	}
	if err := accessible("/devfake/hidraw0"); !errors.Is(err, ErrNotAccessible) {
		t.Fatalf("accessible = %v, want ErrNotAccessible", err)
	}
	if got := inaccessible("testdata/no-such-dir"); got != nil {
		t.Fatalf("no sysfs: %v", got)
	}
}

func TestListReportsInaccessibleKeys(t *testing.T) {
	defer func(o func(string) error, r, h string) { openRW, devRoot, hidrawRoot = o, r, h }(openRW, devRoot, hidrawRoot)
	hidrawRoot, devRoot = "testdata/sysfs", "/devfake"
	openRW = func(path string) error { return fs.ErrPermission }
	// No key libfido2 can open (none attached here), FIDO nodes present.
	_, err := List()
	if !errors.Is(err, ErrNotAccessible) {
		t.Fatalf("List = %v, want ErrNotAccessible", err)
	}
	if _, err := Choose(""); !errors.Is(err, ErrNotAccessible) {
		t.Fatalf("Choose = %v, want ErrNotAccessible", err)
	}
}

func TestTranslate(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("failed to make credential: %w", err) }
	tests := []struct {
		in   error
		want error
	}{
		{wrap(libfido2.ErrPinRequired), ErrPINRequired},
		{wrap(libfido2.ErrPinInvalid), ErrPINInvalid},
		{wrap(libfido2.ErrPinAuthBlocked), ErrPINAuthBlocked},
		{libfido2.Error{Code: 0x34}, ErrPINAuthBlocked},
		{libfido2.Error{Code: 0x32}, ErrPINBlocked},
		{wrap(libfido2.ErrPinNotSet), ErrPINNotSet},
		{wrap(libfido2.ErrPinPolicyViolation), ErrPINPolicy},
		{wrap(libfido2.ErrNoCredentials), ErrNoCredentials},
		{wrap(libfido2.ErrUnsupportedOption), ErrUnsupported},
		{wrap(libfido2.ErrNotFIDO2), ErrUnsupported},
		{wrap(libfido2.Error{Code: 47}), ErrTimeout}, // CTAP2_ERR_USER_ACTION_TIMEOUT
		{wrap(libfido2.ErrActionTimeout), ErrTimeout},
		{wrap(libfido2.ErrKeepaliveCancel), ErrTimeout},
		{wrap(libfido2.Error{Code: 25}), ErrExcluded}, // CTAP2_ERR_CREDENTIAL_EXCLUDED
		{wrap(libfido2.ErrOperationDenied), ErrDenied},
		{wrap(libfido2.ErrUserPresenceRequired), ErrPresenceRequired},
		{wrap(libfido2.ErrRX), ErrDevice},
		{wrap(libfido2.ErrTX), ErrDevice},
		{wrap(libfido2.Error{Code: 0x7e}), ErrDevice},
		{wrap(libfido2.ErrInvalidArgument), ErrInvalidRequest},
		{errors.New("something else"), ErrDevice},
	}
	for _, tt := range tests {
		got := translate(tt.in)
		if !errors.Is(got, tt.want) {
			t.Errorf("translate(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if translate(nil) != nil {
		t.Error("translate(nil) != nil")
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&PINError{Retries: 3}, "wrong pin: 3 attempts left"},
		{&PINError{Retries: 1}, "wrong pin: 1 attempt left before the key blocks its pin"},
		{&PINError{Retries: -1}, "wrong pin"},
		{&TimeoutError{}, ErrTimeout.Error()},
		{&MultipleDevicesError{Devices: []Device{{Path: "/dev/hidraw0"}, {Path: "/dev/hidraw3"}}}, "several security keys found (/dev/hidraw0, /dev/hidraw3): choose one"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v: %q, want %q", tt.err, got, tt.want)
		}
	}
	if !errors.Is(&TimeoutError{Abandoned: true}, ErrTimeout) || !errors.Is(&PINError{}, ErrPINInvalid) || !errors.Is(&MultipleDevicesError{}, ErrMultipleDevices) {
		t.Error("typed errors do not match their sentinels")
	}
}
