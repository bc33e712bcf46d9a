package hwkey

import (
	"context"
	"errors"
	"fmt"

	libfido2 "github.com/vmfa/vmfa/hwkey/internal/fido"

	"github.com/vmfa/vmfa/internal/webauthn"
)

// ResidentCredential is a discoverable credential (a passkey) stored on a
// key, as credential management lists it.
type ResidentCredential struct {
	RPID        string `json:"rp_id"`
	RPName      string `json:"rp_name,omitempty"`
	ID          []byte `json:"id"`
	UserID      []byte `json:"user_id"`
	UserName    string `json:"user_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
}

// ResidentCredentials is what a key holds: its discoverable credentials
// and how many more fit.
type ResidentCredentials struct {
	Credentials []ResidentCredential `json:"credentials"`
	// Existing counts every discoverable credential on the key (all
	// relying parties); Remaining is how many more it can store.
	Existing  int `json:"existing"`
	Remaining int `json:"remaining"`
}

// checkCredMgmt returns why a key cannot list or delete its resident
// credentials with pin, or nil: credential management needs a FIDO2 key
// that supports it, a PIN set on it and that PIN.
func checkCredMgmt(ctx context.Context, path, pin string) error {
	info, err := GetInfo(ctx, path)
	if err != nil {
		return err
	}
	switch {
	case !info.FIDO2():
		return ErrUnsupported
	case !info.Options["credMgmt"] && !info.Options["credentialMgmtPreview"]:
		return ErrNoCredMgmt
	case !info.PINSet():
		return fmt.Errorf("%w (credential management needs it)", ErrPINNotSet)
	case pin == "":
		return fmt.Errorf("%w to manage its credentials", ErrPINRequired)
	}
	return nil
}

// ListResidentCredentials lists the discoverable credentials on the key
// at path through CTAP 2.1 credential management (libfido2's
// fido_credman_*): every relying party's, or rpID's only. It needs the
// key's PIN (ErrPINRequired without it, ErrPINNotSet when the key has
// none).
func ListResidentCredentials(ctx context.Context, path, pin, rpID string) (*ResidentCredentials, error) {
	if err := checkCredMgmt(ctx, path, pin); err != nil {
		return nil, err
	}
	out, err := run(ctx, path, func(d *libfido2.Device) (*ResidentCredentials, error) {
		meta, err := d.CredentialsInfo(pin)
		if err != nil {
			return nil, err
		}
		res := &ResidentCredentials{Existing: int(meta.RKExisting), Remaining: int(meta.RKRemaining), Credentials: []ResidentCredential{}}
		if meta.RKExisting == 0 {
			return res, nil
		}
		rps := []*libfido2.RelyingParty{{ID: rpID}}
		if rpID == "" {
			if rps, err = d.RelyingParties(pin); err != nil {
				return nil, err
			}
		}
		for _, rp := range rps {
			creds, err := d.Credentials(rp.ID, pin)
			if errors.Is(err, libfido2.ErrNoCredentials) {
				continue
			}
			if err != nil {
				return nil, err
			}
			for _, c := range creds {
				res.Credentials = append(res.Credentials, ResidentCredential{
					RPID: rp.ID, RPName: rp.Name, ID: c.ID,
					UserID: c.User.ID, UserName: c.User.Name, DisplayName: c.User.DisplayName,
				})
			}
		}
		return res, nil
	})
	if err != nil {
		return nil, withRetries(ctx, path, err)
	}
	return out, nil
}

// DeleteResidentCredential deletes the discoverable credential id from the
// key at path (credential management, with the key's PIN). The sites it
// was registered with no longer accept it. ErrNoCredentials means the key
// holds no such credential.
func DeleteResidentCredential(ctx context.Context, path, pin string, id []byte) error {
	if len(id) == 0 || len(id) > webauthn.MaxCredentialID {
		return fmt.Errorf("%w: credential id must be 1 to 1023 bytes", ErrInvalidRequest)
	}
	if err := checkCredMgmt(ctx, path, pin); err != nil {
		return err
	}
	_, err := run(ctx, path, func(d *libfido2.Device) (struct{}, error) {
		return struct{}{}, d.DeleteCredential(id, pin)
	})
	return withRetries(ctx, path, err)
}
