// Package hwkey drives FIDO U2F/FIDO2 security keys through libfido2
// (github.com/keys-pub/go-libfido2 over the system libfido2) and attaches
// the software security key of package softkey under the same libfido2, so
// that everything here works the same with a USB key or with no hardware.
//
// Devices: List finds keys (vendor and product IDs fixed from go-libfido2's
// signed int16), Choose picks the one to use and WaitForTouch lets the user
// pick among several by touching one. GetInfo reports versions, AAGUID,
// options (PIN set, UV, RK) and PIN retries.
//
// Operations: Register (make credential, ES256, RP ID or U2F AppID, PIN,
// resident key, UV, credProtect), Authenticate (assertion with an allow
// list), AuthenticateDiscoverable (every passkey the key holds for an RP,
// with one touch: libfido2 through this package's own cgo, as go-libfido2
// returns only the first), SetPIN and ChangePIN (virtual keys included),
// ListResidentCredentials and DeleteResidentCredential (CTAP 2.1 credential
// management, with the key's PIN). Each runs on its own goroutine with a deadline from its context
// (DefaultTimeout otherwise), one request per key at a time (a go-libfido2
// Device must not be used concurrently). At the deadline a FIDO2 request is
// cancelled (CTAPHID_CANCEL); a virtual U2F-only key is unplugged from the
// request; a physical U2F-only key, which libfido2 cannot cancel, is
// released by the libfido2 timeout set at open or, failing that,
// abandoned: the call returns a *TimeoutError with Abandoned set and the key
// answers ErrBusy until it lets go. Inputs that make go-libfido2 panic
// (empty client-data hash or credential ID) are refused first, and a panic
// inside it becomes ErrDevice.
//
// Errors are this package's sentinels, checked with errors.Is, each saying
// what to do: ErrNoDevice, ErrMultipleDevices, ErrNotAccessible (hidraw
// permissions), ErrPINRequired, ErrPINInvalid (*PINError with retries left),
// ErrPINBlocked (Reset is the way out), ErrPINAuthBlocked (three wrong PINs
// in a row: reinserting the key is the way out), ErrNoCredentials, ErrUnsupported
// (PIN/RK/UV on a U2F-only key), ErrNoUserVerification (UV asked of a FIDO2
// key without a PIN; it matches ErrPINNotSet), ErrAlgorithm (a server that
// allows no ES256), ErrTimeout (CTAP 0x2f included), ErrExcluded (CTAP
// 0x19) and more. User verification asked without a PIN of a key that has
// one is ErrPINRequired, as the key's "unsupported option" really means.
//
// WebAuthn: Client runs navigator.credentials.create/get from a server's
// options (CreationOptions, RequestOptions: the standard JSON) and returns
// the PublicKeyCredential JSON a server verifies (RegistrationCredential,
// AssertionCredential), honouring residentKey, userVerification and the
// credProtect and credProps extensions; a login without allowCredentials
// is discoverable, the account picked by Client.ChooseAccount; CreateAppID registers under a legacy U2F AppID.
// ClientDataJSON, the attestation object and UnwrapAuthData (libfido2
// hands authenticator data out CBOR-wrapped) are exposed for callers that
// drive Register/Authenticate themselves. The wire formats are parsed and
// encoded by internal/webauthn, which package verifier shares: the option
// and credential types here are its types.
//
// Virtual keys: AttachVirtual makes a *softkey.Key appear to libfido2 as
// the device vmfa-virtual:fido2 or vmfa-virtual:u2f. The cgo package
// internal/fidoshim defines fido_dev_info_manifest, fido_dev_open and
// fido_dev_close in the executable; the dynamic linker binds go-libfido2's
// calls to them, they call the library's own through dlsym(RTLD_NEXT), and
// for an attached path they install libfido2 I/O functions that carry the
// 64-byte CTAPHID reports to the software key. With nothing attached they
// pass straight through, so physical keys keep working.
package hwkey
