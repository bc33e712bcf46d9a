package hwkey

import (
	"errors"
	"fmt"

	libfido2 "github.com/vmfa/vmfa/hwkey/internal/fido"
)

// Errors users run into. Each says what happened and what to do; callers
// check them with errors.Is.
var (
	// ErrNoLibfido2 means this vmfa was built without cgo (the static
	// build, CGO_ENABLED=0), so without libfido2: every function that
	// reaches a key returns it. See Available.
	ErrNoLibfido2 = libfido2.ErrUnavailable
	// ErrNoDevice means no security key was found.
	ErrNoDevice = errors.New("no security key found: insert one and try again")
	// ErrMultipleDevices means several keys are present and none was chosen.
	ErrMultipleDevices = errors.New("several security keys found: choose one")
	// ErrNotAccessible means a key is plugged in but this user may not open
	// its /dev/hidraw node.
	ErrNotAccessible = errors.New("a security key is plugged in but not accessible: install the libfido2 udev rules (70-u2f.rules) or add yourself to the plugdev group, then reinsert the key")
	// ErrDeviceGone means the path names no present key.
	ErrDeviceGone = errors.New("security key not found")
	// ErrBusy means another operation is still waiting on the key.
	ErrBusy = errors.New("the security key is busy with another request: touch it or reinsert it, then try again")

	// ErrPINRequired means the key has a PIN and the request needs it.
	ErrPINRequired = errors.New("the security key needs its pin")
	// ErrPINInvalid means the PIN was wrong; see PINError for retries left.
	ErrPINInvalid = errors.New("wrong pin")
	// ErrPINBlocked means the PIN is blocked for good (no attempts left,
	// CTAP2_ERR_PIN_BLOCKED): only resetting the key, which erases its
	// credentials, makes it usable again.
	ErrPINBlocked = errors.New("pin blocked after too many wrong attempts: erase its credentials and pin by resetting it")
	// ErrPINAuthBlocked means three wrong PINs in a row
	// (CTAP2_ERR_PIN_AUTH_BLOCKED): the key refuses PINs until it is
	// powered off and on; its remaining attempts are kept.
	ErrPINAuthBlocked = errors.New("too many wrong pins in a row: remove and reinsert the key, then try again")
	// ErrPINNotSet means the request needs a PIN but none is set.
	ErrPINNotSet = errors.New("the security key has no pin: set one first")
	// ErrPINPolicy means the new PIN breaks the key's rules.
	ErrPINPolicy = errors.New("the pin does not meet the key's rules: use 4 to 63 characters")
	// ErrPINSet means SetPIN was called on a key that already has a PIN.
	ErrPINSet = errors.New("the security key already has a pin: change it instead")

	// ErrNoCredentials means the key holds no credential for this site.
	ErrNoCredentials = errors.New("this security key has no credential for this site: register it first, or try another key")
	// ErrUnsupported means the key cannot do what was asked, typically a
	// PIN, resident key or user verification on a U2F-only key.
	ErrUnsupported = errors.New("the security key does not support this option (u2f-only keys have no pin, resident keys or user verification)")
	// ErrAlgorithm means the relying party allows no algorithm vmfa
	// implements (vmfa makes ES256 credentials only), or the key does not
	// offer ES256.
	ErrAlgorithm = errors.New("only ES256 (-7) is supported by vmfa")
	// ErrNoUserVerification matches ErrPINNotSet: user verification was
	// asked of a FIDO2 key that has neither a PIN nor built-in
	// verification (a fingerprint), so a PIN must be set first.
	ErrNoUserVerification error = noUVError{}
	// ErrTimeout means nobody touched the key in time.
	ErrTimeout = errors.New("timed out waiting for a touch on the security key: try again and touch it when it blinks")
	// ErrCancelled means the caller cancelled the request (its context).
	ErrCancelled = errors.New("security key request cancelled")
	// ErrExcluded means the key is already registered with this site.
	ErrExcluded = errors.New("this security key is already registered for this account")
	// ErrPresenceRequired is returned for a silent assertion
	// (NoUserPresence) by a U2F-only key that holds the credential: U2F
	// keys only sign after a touch.
	ErrPresenceRequired = errors.New("the security key holds this credential but signs only after a touch")
	// ErrResetWindow means the key refused a reset because it was plugged
	// in too long ago: keys accept authenticatorReset only within 10
	// seconds of power-up.
	ErrResetWindow = errors.New("the security key allows a reset only within 10 seconds of being plugged in: reinsert it and reset it at once")
	// ErrKeyStoreFull means the key has no room for another discoverable
	// credential (CTAP2_ERR_KEY_STORE_FULL).
	ErrKeyStoreFull = errors.New("the security key's storage for resident credentials (passkeys) is full: delete some of them first")
	// ErrNoCredMgmt means the key cannot list or delete its resident
	// credentials (no CTAP 2.1 credential management).
	ErrNoCredMgmt = errors.New("this security key does not support credential management (CTAP 2.1), so its resident credentials cannot be listed or deleted")
	// ErrDenied means the key refused the operation.
	ErrDenied = errors.New("the security key refused the request")
	// ErrInvalidRequest means the request itself is malformed (for example an
	// empty challenge or credential ID).
	ErrInvalidRequest = errors.New("invalid security key request")
	// ErrDevice means the key failed or the connection to it broke.
	ErrDevice = errors.New("communication with the security key failed: reinsert it and try again")
)

type noUVError struct{}

func (noUVError) Error() string {
	return "user verification needs the key's pin, and this security key has no pin (nor built-in verification): set a pin first"
}

// Is makes errors.Is(err, ErrPINNotSet) true.
func (noUVError) Is(target error) bool { return target == ErrPINNotSet }

// PINError is a wrong PIN, with the attempts left when the key says.
type PINError struct {
	// Retries is the number of attempts left, or -1 if unknown.
	Retries int
}

func (e *PINError) Error() string {
	switch {
	case e.Retries < 0:
		return "wrong pin"
	case e.Retries == 1:
		return "wrong pin: 1 attempt left before the key blocks its pin"
	default:
		return fmt.Sprintf("wrong pin: %d attempts left", e.Retries)
	}
}

// Is makes errors.Is(err, ErrPINInvalid) true.
func (e *PINError) Is(target error) bool { return target == ErrPINInvalid }

// TimeoutError is ErrTimeout with how the request ended.
type TimeoutError struct {
	// Abandoned is set when the key could not be cancelled (U2F-only keys):
	// vmfa stopped waiting but the key may still blink until touched or
	// reinserted.
	Abandoned bool
}

func (e *TimeoutError) Error() string {
	if e.Abandoned {
		return "timed out waiting for a touch: vmfa stopped waiting, but this u2f key cannot be cancelled and may keep blinking until touched or reinserted"
	}
	return ErrTimeout.Error()
}

// Is makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// CTAP status codes that go-libfido2 passes through as Error{Code}.
const (
	ctapCredentialExcluded  = 0x19
	ctapUserActionTimeout   = 0x2f
	ctapPINBlocked          = 0x32
	ctapPINAuthInvalid      = 0x33
	ctapPINAuthBlocked      = 0x34
	ctapUnsupportedAlg      = 0x26
	ctapKeepaliveCancel     = 0x2d
	ctapUnsupportedExtnsion = 0x16
	ctapKeyStoreFull        = 0x28
)

// translate maps go-libfido2's errors to this package's. It keeps err in
// the chain (%w) only for the unexpected ones, so messages stay one line
// that says what to do.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var code libfido2.Error
	if errors.As(err, &code) {
		switch code.Code {
		case ctapCredentialExcluded:
			return ErrExcluded
		case ctapUserActionTimeout:
			return ErrTimeout
		case ctapPINBlocked:
			return ErrPINBlocked
		case ctapPINAuthInvalid:
			return &PINError{Retries: -1}
		case ctapPINAuthBlocked:
			return ErrPINAuthBlocked
		case ctapKeepaliveCancel:
			return ErrTimeout
		case ctapUnsupportedAlg:
			return fmt.Errorf("%w, and this security key does not offer it", ErrAlgorithm)
		case ctapUnsupportedExtnsion:
			return ErrUnsupported
		case ctapKeyStoreFull:
			return ErrKeyStoreFull
		}
		return fmt.Errorf("%w (ctap error 0x%02x)", ErrDevice, code.Code)
	}
	switch {
	case errors.Is(err, libfido2.ErrPinRequired):
		return ErrPINRequired
	case errors.Is(err, libfido2.ErrPinInvalid):
		return &PINError{Retries: -1}
	case errors.Is(err, libfido2.ErrPinAuthBlocked):
		return ErrPINAuthBlocked
	case errors.Is(err, libfido2.ErrPinNotSet):
		return ErrPINNotSet
	case errors.Is(err, libfido2.ErrPinPolicyViolation):
		return ErrPINPolicy
	case errors.Is(err, libfido2.ErrNoCredentials):
		return ErrNoCredentials
	case errors.Is(err, libfido2.ErrUnsupportedOption), errors.Is(err, libfido2.ErrInvalidOption),
		errors.Is(err, libfido2.ErrNotFIDO2):
		return ErrUnsupported
	case errors.Is(err, libfido2.ErrActionTimeout), errors.Is(err, libfido2.ErrKeepaliveCancel):
		return ErrTimeout
	case errors.Is(err, libfido2.ErrUserPresenceRequired):
		return ErrPresenceRequired
	case errors.Is(err, libfido2.ErrOperationDenied), errors.Is(err, libfido2.ErrNotAllowed):
		return ErrDenied
	case errors.Is(err, libfido2.ErrInvalidArgument), errors.Is(err, libfido2.ErrMissingParameter),
		errors.Is(err, libfido2.ErrInvalidLength):
		return fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	case errors.Is(err, libfido2.ErrTX), errors.Is(err, libfido2.ErrRX),
		errors.Is(err, libfido2.ErrRXNotCBOR), errors.Is(err, libfido2.ErrRXInvalidCBOR),
		errors.Is(err, libfido2.ErrInternal), errors.Is(err, libfido2.ErrOther),
		errors.Is(err, libfido2.ErrInvalidCommand):
		return ErrDevice
	}
	return fmt.Errorf("%w: %v", ErrDevice, err)
}
