package verifier

import (
	"errors"
	"fmt"
	"strings"
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
	// ErrBadClient means the client name or IP given for the audit log is
	// not one: names are 1 to 64 printable characters, IPs IPv4 or IPv6.
	ErrBadClient = errors.New("bad audit client: the name must be up to 64 printable characters and the ip an ipv4 or ipv6 address")

	// One-time codes.
	ErrWrongCode     = errors.New("wrong code")
	ErrMalformedCode = errors.New("malformed code (type the digits the authenticator shows)")
	// ErrReplay is a code of a time step (or counter) already accepted.
	// For TOTP the error is a *ReplayError, which says what spent the
	// step and when the next code appears.
	ErrReplay = errors.New("code already used (wait for the next code)")
	// The two codes of a binding or resync are each right but are not
	// two consecutive codes.
	ErrCodesOrder    = errors.New("the two codes are in the wrong order: enter the earlier code first, then the next one")
	ErrCodesSameStep = errors.New("both codes are the same code: wait for the next code and enter it as the second")
	ErrCodesApart    = errors.New("the two codes are not consecutive")
	// ErrCodesClock means two consecutive codes that are right but too
	// far from the verifier's time to bind.
	ErrCodesClock = errors.New("the two codes are consecutive but too far from the verifier's time: check the device's clock")
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
	// ErrAttestationRequired refuses none and self attestation when
	// Config.TrustRoots is set: they prove nothing about the key.
	ErrAttestationRequired = errors.New("attestation required")
	ErrCredentialExists    = errors.New("credential is already registered")
	ErrUnknownCredential   = errors.New("credential is not registered for this user")
	ErrUserHandle          = errors.New("user handle does not match the user")
	ErrSignature           = errors.New("signature is invalid")
	ErrCounterRegression   = errors.New("signature counter did not increase: the key may be cloned (unbind it and register a new key)")
)

type hotpReplayError struct{}

func (hotpReplayError) Error() string {
	return "code already used (generate the next code on the device)"
}

// Is reports ErrReplay.
func (hotpReplayError) Is(target error) bool { return target == ErrReplay }

// pendingError refuses a second device while an enrollment is pending.
// noRegistrationError is ErrUnknownUser for a security-key registration
// response whose user never began one: the way out is BeginRegistration
// (vmfa verifier key register --begin), not an enrollment.
type noRegistrationError struct{}

func (noRegistrationError) Error() string {
	return "unknown user (begin a security key registration first)"
}

// Is reports ErrUnknownUser.
func (noRegistrationError) Is(target error) bool { return target == ErrUnknownUser }

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
	// ErrLimit means a change would pass one of the state's limits
	// (MaxUsers, MaxTokens, MaxChallenges) or the size a FileStore reads
	// back; nothing is changed.
	ErrLimit = errors.New("verifier limit reached")
)

// LockedError is returned while a user is locked out by throttling. It
// matches ErrLocked; on the attempt that caused the lock it also wraps that
// attempt's own denial (usually ErrWrongCode).
type LockedError struct {
	Until time.Time
	Cause error
	// Failures are the failed attempts that caused the lock.
	Failures []Failure
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("locked until %s after too many failed attempts (wait, or ask an administrator to unlock)",
		e.Until.UTC().Format(time.RFC3339))
}

// Is reports ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Unwrap returns the denial that caused the lock, if any.
func (e *LockedError) Unwrap() error { return e.Cause }

// reasons maps each denial to the short reason written to the audit log
// and to its stable error code, modelled on the consoles' API error codes
// (Alibaba Cloud RAM's EntityNotExist.User.MFADevice, AWS IAM's
// InvalidAuthenticationCode…). Both are part of the API: never rename one.
var reasons = []struct {
	err    error
	reason string
	code   string
}{
	{ErrLocked, "locked", "MFADevice.Locked"},
	{ErrUnknownUser, "unknown-user", "EntityNotExist.User"},
	{ErrDeviceBound, "device-already-bound", "EntityAlreadyExists.User.MFADevice"},
	{ErrNoDevice, "no-device", "EntityNotExist.User.MFADevice"},
	{ErrNotPending, "not-pending", "EntityNotExist.VirtualMFADevice"},
	{ErrPending, "enrollment-pending", "MFADevice.PendingBinding"},
	{ErrEnrollmentExpired, "enrollment-expired", "VirtualMFADevice.Expired"},
	{ErrEnrollType, "bad-device-type", "InvalidParameter.MFADeviceType"},
	{ErrWrongMethod, "wrong-method", "MFADevice.TypeMismatch"},
	{ErrBadUser, "bad-user", "InvalidParameter.UserName"},
	{ErrBadClient, "bad-client", "InvalidParameter.Client"},
	{ErrWrongCode, "wrong-code", "CheckAuthenticationCodeFail"},
	{ErrMalformedCode, "malformed-code", "InvalidParameter.AuthenticationCode.Format"},
	{ErrReplay, "replay", "AuthenticationCode.AlreadyUsed"},
	{ErrCodesOrder, "codes-wrong-order", "AuthenticationCode.WrongOrder"},
	{ErrCodesSameStep, "codes-same-step", "AuthenticationCode.SameStep"},
	{ErrCodesApart, "codes-not-consecutive", "AuthenticationCode.NotConsecutive"},
	{ErrCodesClock, "codes-out-of-window", "AuthenticationCode.OutOfWindow"},
	{ErrNotHOTP, "not-hotp", "MFADevice.NotCounterBased"},
	{ErrUnknownToken, "unknown-token", "EntityNotExist.HardwareMFADevice"},
	{ErrTokenAssigned, "token-assigned", "HardwareMFADevice.AlreadyAssigned"},
	{ErrNoSerial, "no-serial", "InvalidParameter.SerialNumber"},
	{ErrMalformedResponse, "malformed-response", "SecurityKey.MalformedResponse"},
	{ErrClientDataType, "client-data-type", "SecurityKey.ClientDataType"},
	{ErrUnknownChallenge, "unknown-challenge", "SecurityKey.ChallengeUnknown"},
	{ErrChallengeReused, "challenge-reused", "SecurityKey.ChallengeReused"},
	{ErrChallengeExpired, "challenge-expired", "SecurityKey.ChallengeExpired"},
	{ErrOrigin, "origin-mismatch", "SecurityKey.OriginMismatch"},
	{ErrCrossOrigin, "cross-origin", "SecurityKey.CrossOrigin"},
	{ErrRPIDHash, "rp-id-mismatch", "SecurityKey.RPIDMismatch"},
	{ErrUserPresence, "user-not-present", "SecurityKey.UserNotPresent"},
	{ErrUserVerification, "user-not-verified", "SecurityKey.UserNotVerified"},
	{ErrUnsupportedAlgorithm, "unsupported-algorithm", "SecurityKey.UnsupportedAlgorithm"},
	{ErrBadPublicKey, "bad-public-key", "SecurityKey.BadPublicKey"},
	{ErrUnsupportedAttestation, "unsupported-attestation", "SecurityKey.AttestationUnsupported"},
	{ErrUntrustedAttestation, "untrusted-attestation", "SecurityKey.AttestationUntrusted"},
	{ErrAttestationRequired, "attestation-required", "SecurityKey.AttestationRequired"},
	{ErrAttestation, "bad-attestation", "SecurityKey.AttestationInvalid"},
	{ErrCredentialExists, "credential-exists", "EntityAlreadyExists.SecurityKey"},
	{ErrUnknownCredential, "unknown-credential", "EntityNotExist.SecurityKey"},
	{ErrUserHandle, "user-handle-mismatch", "SecurityKey.UserHandleMismatch"},
	{ErrSignature, "bad-signature", "SecurityKey.SignatureInvalid"},
	{ErrCounterRegression, "counter-regression", "SecurityKey.CounterRegression"},
	{ErrLimit, "limit", "LimitExceeded"},
	{ErrStateDamaged, "state-damaged", "Verifier.StateDamaged"},
	{ErrLogFilter, "bad-filter", "InvalidParameter.LogFilter"},
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

// Code returns the stable, machine-readable error code of err, modelled
// on the consoles' API error codes ("CheckAuthenticationCodeFail",
// "EntityAlreadyExists.User.MFADevice", "MFADevice.Locked", …): "" for
// nil and "InternalError" for an error that is not a verifier denial (a
// file that cannot be written, say). A lock caused by an attempt reports
// MFADevice.Locked; Reason tells the attempt's own reason.
func Code(err error) string {
	if err == nil {
		return ""
	}
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.code
		}
	}
	return "InternalError"
}

// Codes lists every reason and error code the verifier reports, in the
// order of the README's table.
func Codes() [][2]string {
	out := make([][2]string, len(reasons))
	for i, r := range reasons {
		out[i] = [2]string{r.reason, r.code}
	}
	return out
}

// ReplayError refuses a TOTP code whose time step was already spent. It
// matches ErrReplay and says what spent the step and when the next code
// the verifier accepts appears on the device.
type ReplayError struct {
	// By is the action that accepted the step ("bind", "login",
	// "resync") or "" when the verifier does not know (a state written by
	// an older vmfa); At is when.
	By string
	At time.Time
	// Older is set when the code is older than the last accepted one
	// (a step passed over) rather than the very step accepted.
	Older bool
	// Next is when the next acceptable code becomes the device's
	// current code; Now is the verifier's time of the refusal, whose
	// location the message's times are shown in.
	Next, Now time.Time
}

// Wait is how long until Next, rounded up to the second; 0 when the
// device's current code is acceptable now.
func (e *ReplayError) Wait() time.Duration {
	if !e.Next.After(e.Now) {
		return 0
	}
	return (e.Next.Sub(e.Now) + time.Second - 1).Truncate(time.Second)
}

// UsedBy words By for a message: "the binding", "an earlier login".
func (e *ReplayError) UsedBy() string {
	switch e.By {
	case "bind":
		return "the binding"
	case "login":
		return "an earlier login"
	case "resync":
		return "the resync"
	case "":
		return ""
	}
	return "an earlier " + e.By
}

func (e *ReplayError) Error() string {
	var b strings.Builder
	b.WriteString("code already used")
	if by := e.UsedBy(); by != "" {
		if e.Older {
			b.WriteString(" (older than the code accepted by " + by)
		} else {
			b.WriteString(" by " + by)
		}
		if !e.At.IsZero() {
			b.WriteString(" at " + e.At.In(e.Now.Location()).Format("15:04:05"))
		}
		if e.Older {
			b.WriteString(")")
		}
	}
	if w := e.Wait(); w > 0 {
		fmt.Fprintf(&b, ": next code valid from %s, in %d s", e.Next.In(e.Now.Location()).Format("15:04:05"), int(w/time.Second))
	} else {
		b.WriteString(": enter the code the device shows now")
	}
	return b.String()
}

// Is reports ErrReplay.
func (e *ReplayError) Is(target error) bool { return target == ErrReplay }
