package verifier

import (
	"errors"
	"fmt"
	"time"

	"github.com/vmfa/vmfa/internal/webauthn"
)

// Denials and errors. Every refusal of the verifier wraps exactly one of
// these, so callers check them with errors.Is; the audit log records the
// matching short reason (see Reason). Messages say what happened and what to
// do, and never contain a code, a secret or a key.
var (
	// Policy.
	ErrUnknownUser = errors.New("unknown user (enroll an mfa device first)")
	ErrDeviceBound = errors.New("user already has an mfa device: unbind the current device first")
	ErrNoDevice    = errors.New("user has no mfa device bound (enroll one first)")
	// ErrPending means the user's virtual MFA device is enrolled but not
	// yet bound. Assigning another device then is refused with an error
	// that matches it too.
	ErrPending = errors.New("enrollment pending: bind it with two consecutive codes first")
	// ErrEnrollType means Enroll was asked for a kind of device the
	// verifier does not issue.
	ErrEnrollType        = errors.New("the verifier issues totp or hotp devices only")
	ErrNotPending        = errors.New("no pending enrollment for this user (run totp enroll first)")
	ErrEnrollmentExpired = errors.New("enrollment expired (run totp enroll again)")
	ErrWrongMethod       = errors.New("the user's mfa device is of another kind (codes: login; security keys: key login)")
	ErrBadUser           = errors.New("user name must be 1 to 128 printable characters")

	// One-time codes.
	ErrWrongCode     = errors.New("wrong code")
	ErrMalformedCode = errors.New("malformed code (type the digits the authenticator shows)")
	ErrReplay        = errors.New("code already used (wait for the next code)")
	// ErrHOTPReplay is ErrReplay for a counter-based device, whose next
	// code comes with the next press rather than with time.
	ErrHOTPReplay error = hotpReplayError{}
	ErrLocked           = errors.New("locked after too many failed attempts")
	ErrNotHOTP          = errors.New("the user's device is not counter based (hotp)")

	// Hardware OATH tokens.
	ErrUnknownToken  = errors.New("unknown token serial (import the token file first)")
	ErrTokenAssigned = errors.New("token is assigned to another user (unbind that user first)")
	ErrNoSerial      = errors.New("token has no serial number")

	// Security keys (WebAuthn).
	ErrMalformedResponse      = webauthn.ErrMalformed
	ErrClientDataType         = errors.New("client data has the wrong type for this ceremony")
	ErrUnknownChallenge       = errors.New("unknown challenge (begin the ceremony again)")
	ErrChallengeReused        = errors.New("challenge already used (begin the ceremony again)")
	ErrChallengeExpired       = errors.New("challenge expired (begin the ceremony again)")
	ErrOrigin                 = errors.New("origin does not match the relying party")
	ErrCrossOrigin            = errors.New("cross-origin ceremony is not allowed")
	ErrRPIDHash               = errors.New("rp id hash does not match the relying party")
	ErrUserPresence           = errors.New("user presence flag not set (touch the key)")
	ErrUserVerification       = errors.New("user verification required but not performed (use the key's pin or biometrics)")
	ErrUnsupportedAlgorithm   = webauthn.ErrUnsupportedAlgorithm
	ErrBadPublicKey           = webauthn.ErrBadPublicKey
	ErrAttestation            = webauthn.ErrAttestation
	ErrUnsupportedAttestation = errors.New("attestation format is not supported (want none, packed or fido-u2f)")
	ErrUntrustedAttestation   = errors.New("attestation certificate does not chain to a trusted root")
	ErrCredentialExists       = errors.New("credential is already registered")
	ErrUnknownCredential      = errors.New("credential is not registered for this user")
	ErrUserHandle             = errors.New("user handle does not match the user")
	ErrSignature              = errors.New("signature is invalid")
	ErrCounterRegression      = errors.New("signature counter did not increase: the key may be cloned (unbind it and register a new key)")
)

type hotpReplayError struct{}

func (hotpReplayError) Error() string {
	return "code already used (generate the next code on the device)"
}

// Is reports ErrReplay.
func (hotpReplayError) Is(target error) bool { return target == ErrReplay }

// pendingError refuses a second device while an enrollment is pending.
type pendingError struct{}

func (pendingError) Error() string {
	return "user has a pending enrollment: unbind it first to drop it, then add the new device"
}

// Is reports ErrPending.
func (pendingError) Is(target error) bool { return target == ErrPending }

// Errors about the verifier's state and queries.
var (
	// ErrStateDamaged means a FileStore's file cannot be read as a state;
	// it is left as it is.
	ErrStateDamaged = errors.New("the verifier state file is damaged")
	// ErrLogFilter means a LogFilter names no method or result there is.
	ErrLogFilter = errors.New("bad audit log filter")
)

// LockedError is returned while a user is locked out by throttling. It
// matches ErrLocked; on the attempt that caused the lock it also wraps that
// attempt's own denial (usually ErrWrongCode).
type LockedError struct {
	Until time.Time
	Cause error
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("locked until %s after too many failed attempts (wait, or ask an administrator to unbind)",
		e.Until.UTC().Format(time.RFC3339))
}

// Is reports ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Unwrap returns the denial that caused the lock, if any.
func (e *LockedError) Unwrap() error { return e.Cause }

// reasons maps each denial to the short reason written to the audit log.
var reasons = []struct {
	err    error
	reason string
}{
	{ErrLocked, "locked"},
	{ErrUnknownUser, "unknown-user"},
	{ErrDeviceBound, "device-already-bound"},
	{ErrNoDevice, "no-device"},
	{ErrNotPending, "not-pending"},
	{ErrPending, "enrollment-pending"},
	{ErrEnrollmentExpired, "enrollment-expired"},
	{ErrWrongMethod, "wrong-method"},
	{ErrBadUser, "bad-user"},
	{ErrWrongCode, "wrong-code"},
	{ErrMalformedCode, "malformed-code"},
	{ErrReplay, "replay"},
	{ErrNotHOTP, "not-hotp"},
	{ErrUnknownToken, "unknown-token"},
	{ErrTokenAssigned, "token-assigned"},
	{ErrMalformedResponse, "malformed-response"},
	{ErrClientDataType, "client-data-type"},
	{ErrUnknownChallenge, "unknown-challenge"},
	{ErrChallengeReused, "challenge-reused"},
	{ErrChallengeExpired, "challenge-expired"},
	{ErrOrigin, "origin-mismatch"},
	{ErrCrossOrigin, "cross-origin"},
	{ErrRPIDHash, "rp-id-mismatch"},
	{ErrUserPresence, "user-not-present"},
	{ErrUserVerification, "user-not-verified"},
	{ErrUnsupportedAlgorithm, "unsupported-algorithm"},
	{ErrBadPublicKey, "bad-public-key"},
	{ErrUnsupportedAttestation, "unsupported-attestation"},
	{ErrUntrustedAttestation, "untrusted-attestation"},
	{ErrAttestation, "bad-attestation"},
	{ErrCredentialExists, "credential-exists"},
	{ErrUnknownCredential, "unknown-credential"},
	{ErrUserHandle, "user-handle-mismatch"},
	{ErrSignature, "bad-signature"},
	{ErrCounterRegression, "counter-regression"},
}

// Reason returns the short audit reason of a denial ("wrong-code",
// "replay", "locked", …), "" for nil and "error" for anything else.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	var le *LockedError
	if errors.As(err, &le) && le.Cause != nil {
		return Reason(le.Cause) + "+locked"
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return "error"
}
