// Package verifier is the relying-party side of MFA: TOTP/HOTP, hardware
// OATH token and security-key verification, the one-device policy the
// consoles enforce, throttling, replay protection and an audit log.
//
// It plays the console (Alibaba Cloud RAM, Microsoft Entra and the like)
// against vmfa's device side, and developers import it in their own tests.
//
// # Policy
//
// A user has at most one MFA device: a virtual MFA device (TOTP or HOTP), an
// assigned hardware OATH token, or a security key. Binding another is refused
// with ErrDeviceBound ("unbind the current device first"). A virtual device
// goes none → pending (Enroll issued a secret) → bound (Bind received two
// consecutive codes); Unbind, the administrator's "disable MFA", returns to
// none and is the recovery path for a lost device. While an enrollment is
// pending (and not expired), logins are refused with ErrPending ("bind it
// first"), and a token or a security key is not added over it (an error
// matching ErrPending: unbind first); Enroll again replaces it.
//
// # One-time codes
//
// Codes are compared in constant time (vault.EqualCodes) with the codes of
// the steps in a ±Skew window centred on the user's last drift, itself kept
// within ±Skew of real time; a time step accepted once is never accepted
// again (RFC 6238 §5.2: a *ReplayError, matching ErrReplay, says what used
// it and when the next code comes); failures are throttled (MaxFailures
// within FailureWindow lock the user for Lockout, a locked user gets a
// LockedError saying until when and after which failures, not "wrong
// code", and Unlock, the administrator's action, ends it). The two codes of
// a binding may be typed in groups (BindCodes); a pair that is right but
// not consecutive is told apart (ErrCodesOrder, ErrCodesSameStep,
// ErrCodesApart, ErrCodesClock).
// HOTP devices get a look-ahead window and resynchronisation from two
// consecutive codes; a code of a counter value just behind the expected
// one is a replay (ErrHOTPReplay, matching ErrReplay), which, like a TOTP
// replay, is refused without counting as a guess. Tokens verify at their own period. The OTP maths is
// package vault's; token files are parsed by package scanner.
//
// # Security keys
//
// BeginRegistration/FinishRegistration and BeginLogin/FinishLogin take and
// return the standard WebAuthn JSON (PublicKeyCredentialCreationOptionsJSON,
// PublicKeyCredentialRequestOptionsJSON, and the PublicKeyCredential a
// browser or `vmfa key` produces). Challenges are random, single use and
// expire (ChallengeTTL, 180 s). Registration verifies the client data, the
// rpIdHash, user presence (and verification when required), an ES256 COSE
// key and the attestation statement: none, packed with x5c, packed self,
// fido-u2f, optionally against a store of trusted roots (with which none
// and self attestation are refused: ErrAttestationRequired). Authentication
// verifies the signature over authData‖SHA-256(clientDataJSON), the rpIdHash
// (or a legacy U2F AppID's), and the signature counter: a counter that does
// not increase flags the credential as possibly cloned and is refused.
// The wire formats are parsed by internal/webauthn, which package hwkey
// shares.
//
// # State and secrets
//
// State lives behind the small Store interface: MemoryStore, or FileStore,
// one JSON file that is locked, written atomically and created with mode
// 0600 (StatePath and OpenFileStore find it as every vmfa front end does).
// A file that is empty or not a state is ErrStateDamaged, reported and
// never overwritten; a change that would pass MaxUsers, MaxTokens or
// MaxStateSize is ErrLimit and writes nothing. The state holds the verifier's own copies of every TOTP/HOTP and
// token secret in the clear — exactly what a console's database holds — so
// anyone who can read the file can mint valid codes: keep it private and do
// not put production secrets in it. Secrets and codes never appear in errors
// or in the audit log.
//
// # Audit
//
// Every verification (bind, login, resync, register) and every
// administrative change (assign, unbind, unlock) is recorded as an Event with the
// user, method, action, result, deny reason (see Reason), time, client name
// and IP (validated: ErrBadClient), and the verifier's name; Log queries it
// and ExportLog writes JSON lines (a LogFilter naming an unknown method or
// result is ErrLogFilter). Code gives each denial a stable error code
// modelled on the consoles' APIs ("CheckAuthenticationCodeFail", …).
package verifier
