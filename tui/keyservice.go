package tui

import (
	"context"
	"time"

	"github.com/vmfa/vmfa/hwkey"
)

// KeyService is what the security keys screen needs: the keys present,
// what each supports, and the console's binding flow against the
// companion verifier. The screen calls it only inside tea.Cmds, each with
// a deadline; it parses nothing itself. cmd/vmfa implements it over
// package hwkey (libfido2, vmfa's virtual keys kept in the vault) and the
// verifier over the state file of 'vmfa verifier'; tests use a fake.
type KeyService interface {
	// Account names the relying party and the user the screen binds a
	// key for.
	Account() (rp, user string)
	// Devices lists USB keys and vmfa's virtual keys. It may return
	// devices together with an error that concerns the others (a key
	// plugged in but not accessible).
	Devices(ctx context.Context) ([]KeyDevice, error)
	// Info asks a key what it supports and how it is set up.
	Info(ctx context.Context, path string) (KeyInfo, error)
	// Register asks the verifier for a challenge and has the key make a
	// credential (the key waits for a touch). Nothing is bound yet.
	Register(ctx context.Context, req KeyRequest) (*KeyRegistration, error)
	// Bind hands a registration to the verifier, which verifies it and
	// binds the key as the user's one MFA device. An error is the
	// verifier's refusal (or a failure to reach it).
	Bind(ctx context.Context, reg *KeyRegistration) (KeyBinding, error)
	// Authenticate signs a fresh verifier challenge with the bound key
	// (another touch) and has the verifier check the assertion.
	Authenticate(ctx context.Context, req KeyRequest) (KeyAssertion, error)
	// Unbind removes the user's key from the verifier, the lost-device
	// path, so that another can be registered.
	Unbind(ctx context.Context) error
	// PowerCycle removes and reinserts a virtual key, as a power cycle:
	// it ends the PIN block of three wrong PINs in a row
	// (hwkey.ErrPINAuthBlocked). Physical keys are reinserted by hand:
	// it returns an error for them.
	PowerCycle(ctx context.Context, path string) error
	// Binding reports the security key bound to the user at the
	// verifier, nil when none: the verifier's state outlives the
	// session and is shared with 'vmfa verifier'.
	Binding(ctx context.Context) (*KeyBinding, error)
	// SetPIN sets a FIDO2 key's first PIN (req.PIN empty) or changes
	// req.PIN to pin.
	SetPIN(ctx context.Context, req KeyRequest, pin string) error
	// Credentials lists the discoverable credentials (passkeys) on a key
	// through credential management, with req.PIN.
	Credentials(ctx context.Context, req KeyRequest) (*hwkey.ResidentCredentials, error)
	// DeleteCredential deletes one discoverable credential from a key.
	DeleteCredential(ctx context.Context, req KeyRequest, id []byte) error
}

// KeyDevice is a security key found by KeyService.Devices.
type KeyDevice struct {
	Path      string
	Name      string // manufacturer and product
	VendorID  uint16
	ProductID uint16
	// Virtual is set for vmfa's software keys: their touch is confirmed
	// on the screen (or given automatically).
	Virtual bool
}

// KeyInfo is what a key says about itself.
type KeyInfo struct {
	Type     string // "fido2" or "u2f"
	Versions []string
	AAGUID   string // formatted UUID, "" when the key has none
	// PIN is "set", "not set" or "unsupported".
	PIN string
	// PINRetries is the number of PIN attempts left, -1 if unknown.
	PINRetries int
	// Options lists the options the key reports as on (rk, up, uv…).
	Options []string
}

// KeyRequest is one operation on a key.
type KeyRequest struct {
	Path string
	// PIN is the key's PIN, when it asked for one.
	PIN string
	// Touch delivers the user's touch to a virtual key: the operation
	// waits for a value (or its deadline). Nil touches automatically.
	// Physical keys are touched with a finger and ignore it.
	Touch <-chan struct{}
}

// KeyRegistration is what a key produced when it registered, read by the
// service from the attestation object, before the verifier saw it.
type KeyRegistration struct {
	Path         string
	CredentialID string // base64url
	Format       string // "packed", "fido-u2f", "none"
	AAGUID       string // formatted UUID
	// CertSubject is the attestation certificate's subject ("" without
	// one).
	CertSubject string
	Counter     uint32
	// Response is the PublicKeyCredential JSON handed to the verifier;
	// the screen never reads it.
	Response []byte
}

// KeyBinding is the verifier's verdict on a registration it accepted.
type KeyBinding struct {
	// Attestation is the verifier's attestation type: "basic" (the
	// certificate chains to a trusted root), "basic-unverified" (no trust
	// store for this key), "self" or "none".
	Attestation string
	Counter     uint32
	BoundAt     time.Time
	// CredentialID (base64url) names the bound credential.
	CredentialID string
}

// KeyAssertion is the result of an authentication the verifier accepted.
type KeyAssertion struct {
	Counter      uint32
	UserVerified bool
}
