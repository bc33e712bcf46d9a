package hwkey

import (
	"context"
	"errors"
	"fmt"

	libfido2 "github.com/vmfa/vmfa/hwkey/internal/fido"

	"github.com/vmfa/vmfa/internal/webauthn"
)

// Info describes a key: what it speaks and how it is set up.
type Info struct {
	Path string `json:"path"`
	// Type is "fido2" or "u2f" (U2F-only: no PIN, resident keys or UV).
	Type       string          `json:"type"`
	Versions   []string        `json:"versions"`
	Extensions []string        `json:"extensions,omitempty"`
	AAGUID     []byte          `json:"aaguid,omitempty"`
	Options    map[string]bool `json:"options,omitempty"`
	// PINRetries is the number of PIN attempts left, or -1 when the key
	// has no PIN set (or no PIN support).
	PINRetries int `json:"pin_retries"`
	// PINProtocols are the PIN/UV auth protocols the key offers (libfido2
	// uses the highest it knows, 2 before 1).
	PINProtocols []int `json:"pin_protocols,omitempty"`
	// RemainingResident is how many more discoverable credentials
	// (passkeys) the key can store, or -1 when it does not say (CTAP 2.0
	// keys).
	RemainingResident int `json:"remaining_resident"`
}

// FIDO2 reports whether the key speaks CTAP2.
func (i *Info) FIDO2() bool { return i.Type == string(libfido2.FIDO2) }

// PINSet reports whether a PIN is set.
func (i *Info) PINSet() bool { return i.Options["clientPin"] }

// PINSupported reports whether the key supports a PIN at all.
func (i *Info) PINSupported() bool { _, ok := i.Options["clientPin"]; return ok }

// UV reports whether built-in user verification (e.g. fingerprint) is
// configured.
func (i *Info) UV() bool { return i.Options["uv"] }

// RK reports whether the key can store resident (discoverable) keys.
func (i *Info) RK() bool { return i.Options["rk"] }

// GetInfo asks the key at path for its capabilities.
func GetInfo(ctx context.Context, path string) (*Info, error) {
	return run(ctx, path, func(d *libfido2.Device) (*Info, error) {
		typ, err := d.Type()
		if err != nil {
			return nil, err
		}
		info := &Info{Path: path, Type: string(typ), PINRetries: -1, RemainingResident: -1}
		if typ != libfido2.FIDO2 {
			info.Versions = []string{"U2F_V2"}
			return info, nil
		}
		di, err := d.Info()
		if err != nil {
			return nil, err
		}
		info.Versions = di.Versions
		info.Extensions = di.Extensions
		info.AAGUID = di.AAGUID
		for _, p := range di.Protocols {
			info.PINProtocols = append(info.PINProtocols, int(p))
		}
		info.RemainingResident = rkRemaining(path)
		info.Options = make(map[string]bool, len(di.Options))
		for _, o := range di.Options {
			info.Options[o.Name] = o.Value == libfido2.True
		}
		if info.PINSet() {
			if n, err := d.RetryCount(); err == nil {
				info.PINRetries = n
			}
		}
		return info, nil
	})
}

// RegisterRequest is a make-credential request (always ES256).
type RegisterRequest struct {
	// RPID is the WebAuthn relying party ID (a domain). For a legacy U2F
	// registration set AppID instead: the key then scopes the credential
	// to SHA-256(AppID), as U2F does.
	RPID   string
	RPName string
	AppID  string
	// ClientDataHash is SHA-256 of the clientDataJSON (32 bytes).
	ClientDataHash []byte
	UserID         []byte
	UserName       string
	DisplayName    string
	// PIN, when set, is sent to the key (FIDO2 keys with a PIN require it).
	PIN string
	// ResidentKey asks for a discoverable credential; UserVerification
	// asks the key to verify the user (PIN or built-in). Neither works on
	// U2F-only keys.
	ResidentKey      bool
	UserVerification bool
	// CredProtect is the credProtect level to ask for (1 to 3; 0 leaves
	// the extension out): 2 hides a discoverable credential from
	// assertions without user verification unless it is named, 3 allows
	// it only with user verification.
	CredProtect int
}

// Registration is what a key returns for a new credential.
type Registration struct {
	// Format is the attestation format: "packed" or "fido-u2f".
	Format string
	// AuthData is the raw authenticator data (unwrapped from libfido2's
	// CBOR byte string).
	AuthData     []byte
	CredentialID []byte
	// PublicKey is the credential's P-256 point as x‖y (64 bytes).
	PublicKey []byte
	// Alg is the COSE algorithm (-7, ES256).
	Alg int
	// Sig and Cert are the attestation signature and certificate (DER);
	// Cert is empty for self attestation.
	Sig  []byte
	Cert []byte
	// ClientDataHash echoes the request.
	ClientDataHash []byte
}

func (r *RegisterRequest) check() error {
	switch {
	case r.RPID == "" && r.AppID == "":
		return fmt.Errorf("%w: no relying party id", ErrInvalidRequest)
	case len(r.ClientDataHash) != 32:
		return fmt.Errorf("%w: client data hash must be 32 bytes", ErrInvalidRequest)
	case len(r.UserID) == 0 || len(r.UserID) > 64:
		return fmt.Errorf("%w: user id must be 1 to 64 bytes", ErrInvalidRequest)
	case r.UserName == "":
		return fmt.Errorf("%w: no user name", ErrInvalidRequest)
	case r.CredProtect < 0 || r.CredProtect > 3:
		return fmt.Errorf("%w: credProtect level must be 1, 2 or 3", ErrInvalidRequest)
	}
	return nil
}

// Register makes a credential on the key at path. It waits for a touch,
// bounded by ctx (DefaultTimeout when ctx has no deadline).
func Register(ctx context.Context, path string, req RegisterRequest) (*Registration, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	rpID := req.RPID
	if req.AppID != "" {
		rpID = req.AppID
	}
	opts := &libfido2.MakeCredentialOpts{}
	if req.ResidentKey {
		opts.RK = libfido2.True
	}
	if req.UserVerification {
		opts.UV = libfido2.True
	}
	if req.CredProtect > 0 {
		opts.CredProtect = []libfido2.CredProtect{libfido2.CredProtectUVOptional, libfido2.CredProtectUVOptionalWithID, libfido2.CredProtectUVRequired}[req.CredProtect-1]
	}
	att, err := run(ctx, path, func(d *libfido2.Device) (*libfido2.Attestation, error) {
		return d.MakeCredential(req.ClientDataHash,
			libfido2.RelyingParty{ID: rpID, Name: req.RPName},
			libfido2.User{ID: req.UserID, Name: req.UserName, DisplayName: req.DisplayName},
			libfido2.ES256, req.PIN, opts)
	})
	if err != nil {
		return nil, withRetries(ctx, path, explainUnsupported(ctx, path, err, req.UserVerification, req.PIN))
	}
	authData, err := UnwrapAuthData(att.AuthData)
	if err != nil {
		return nil, err
	}
	return &Registration{
		Format:         att.Format,
		AuthData:       authData,
		CredentialID:   att.CredentialID,
		PublicKey:      att.PubKey,
		Alg:            int(att.CredentialType),
		Sig:            att.Sig,
		Cert:           att.Cert,
		ClientDataHash: att.ClientDataHash,
	}, nil
}

// AssertRequest is a get-assertion request.
type AssertRequest struct {
	// RPID is the relying party ID, or the U2F AppID the credential was
	// registered under.
	RPID           string
	ClientDataHash []byte
	// AllowCredentials lists acceptable credential IDs; empty asks a FIDO2
	// key for a resident credential.
	AllowCredentials [][]byte
	PIN              string
	// NoUserPresence asks for a silent assertion (no touch), which most
	// keys only allow to check whether they hold a credential.
	NoUserPresence   bool
	UserVerification bool
}

// Assertion is a key's signature over authenticator data and client data.
type Assertion struct {
	CredentialID []byte
	// AuthData is the raw authenticator data.
	AuthData  []byte
	Signature []byte
	// UserHandle is the user ID of a resident credential (empty otherwise).
	UserHandle []byte
	// UserName and DisplayName come with a discoverable assertion the key
	// made after verifying the user (AuthenticateDiscoverable).
	UserName    string
	DisplayName string
}

// Authenticate gets an assertion from the key at path, waiting for a touch
// bounded by ctx.
func Authenticate(ctx context.Context, path string, req AssertRequest) (*Assertion, error) {
	if req.RPID == "" {
		return nil, fmt.Errorf("%w: no relying party id", ErrInvalidRequest)
	}
	if len(req.ClientDataHash) != 32 {
		return nil, fmt.Errorf("%w: client data hash must be 32 bytes", ErrInvalidRequest)
	}
	for _, id := range req.AllowCredentials {
		// go-libfido2 panics on an empty credential ID.
		if len(id) == 0 || len(id) > webauthn.MaxCredentialID {
			return nil, fmt.Errorf("%w: credential id must be 1 to 1023 bytes", ErrInvalidRequest)
		}
	}
	opts := &libfido2.AssertionOpts{}
	if req.NoUserPresence {
		opts.UP = libfido2.False
	}
	if req.UserVerification {
		opts.UV = libfido2.True
	}
	a, err := run(ctx, path, func(d *libfido2.Device) (*libfido2.Assertion, error) {
		return d.Assertion(req.RPID, req.ClientDataHash, req.AllowCredentials, req.PIN, opts)
	})
	if err != nil {
		return nil, withRetries(ctx, path, explainUnsupported(ctx, path, err, req.UserVerification, req.PIN))
	}
	authData, err := UnwrapAuthData(a.AuthDataCBOR)
	if err != nil {
		return nil, err
	}
	return &Assertion{
		CredentialID: a.CredentialID,
		AuthData:     authData,
		Signature:    a.Sig,
		UserHandle:   a.User.ID,
	}, nil
}

// SetPIN sets the first PIN of a FIDO2 key.
func SetPIN(ctx context.Context, path, pin string) error {
	return changePIN(ctx, path, pin, "")
}

// ChangePIN replaces the PIN of a FIDO2 key.
func ChangePIN(ctx context.Context, path, oldPIN, newPIN string) error {
	if oldPIN == "" {
		return fmt.Errorf("%w: the current pin is empty", ErrInvalidRequest)
	}
	return changePIN(ctx, path, newPIN, oldPIN)
}

func changePIN(ctx context.Context, path, pin, old string) error {
	if n := len(pin); n < 4 || n > 63 {
		return ErrPINPolicy
	}
	_, err := run(ctx, path, func(d *libfido2.Device) (struct{}, error) {
		info, err := d.Info() // ErrNotFIDO2 on U2F-only keys
		if err != nil {
			return struct{}{}, err
		}
		for _, o := range info.Options {
			if o.Name == "clientPin" && o.Value == libfido2.True && old == "" {
				return struct{}{}, ErrPINSet
			}
		}
		return struct{}{}, d.SetPIN(pin, old)
	})
	return withRetries(ctx, path, err)
}

// explainUnsupported turns the "unsupported option" a FIDO2 key answers to
// user verification without a PIN into what to do: give the PIN when one
// is set (ErrPINRequired), or set one when the key has neither a PIN nor
// built-in verification (ErrNoUserVerification). Other errors, and keys
// that cannot tell, keep err.
//
// A CTAP 2.1 key (pinUvAuthToken) makes libfido2 ask for a token by
// built-in verification instead, which it refuses itself as "pin
// required": that is explained the same way.
func explainUnsupported(ctx context.Context, path string, err error, uv bool, pin string) error {
	if !uv || pin != "" || !(errors.Is(err, ErrUnsupported) || errors.Is(err, ErrPINRequired)) || ctx.Err() != nil {
		return err
	}
	info, ierr := GetInfo(ctx, path)
	if ierr != nil || !info.FIDO2() || info.UV() {
		return err
	}
	switch {
	case info.PINSet() && errors.Is(err, ErrPINRequired):
		return fmt.Errorf("%w for user verification", err)
	case info.PINSet():
		return fmt.Errorf("%w for user verification", ErrPINRequired)
	case info.PINSupported():
		return ErrNoUserVerification
	}
	return err
}

// Reset erases a FIDO2 key (CTAP2 authenticatorReset): every credential,
// the PIN and the resident keys are gone, as on a new key. The key asks for
// a touch and allows a reset only within 10 seconds of being plugged in
// (ErrResetWindow otherwise). U2F-only keys have no reset command
// (ErrUnsupported).
func Reset(ctx context.Context, path string) error {
	_, err := run(ctx, path, func(d *libfido2.Device) (struct{}, error) {
		typ, err := d.Type()
		if err != nil {
			return struct{}{}, err
		}
		if typ != libfido2.FIDO2 {
			return struct{}{}, fmt.Errorf("%w: u2f-only keys have no reset command", ErrUnsupported)
		}
		err = d.Reset()
		if errors.Is(err, libfido2.ErrNotAllowed) {
			return struct{}{}, ErrResetWindow
		}
		return struct{}{}, err
	})
	return err
}

// withRetries completes a wrong-PIN error with the attempts left.
func withRetries(ctx context.Context, path string, err error) error {
	var pe *PINError
	if !errors.As(err, &pe) || pe.Retries >= 0 {
		return err
	}
	if ctx.Err() != nil {
		return err
	}
	n, rerr := run(ctx, path, func(d *libfido2.Device) (int, error) { return d.RetryCount() })
	if rerr != nil {
		return err
	}
	if n == 0 {
		return ErrPINBlocked
	}
	return &PINError{Retries: n}
}
