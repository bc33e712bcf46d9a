package hwkey

import (
	"context"
	"fmt"

	libfido2 "github.com/vmfa/vmfa/hwkey/internal/fido"
)

// Account is a discoverable credential a key offered for a relying party:
// what a browser shows in its account chooser.
type Account struct {
	UserHandle []byte `json:"user_handle"`
	// Name and DisplayName are only given by keys that verified the user
	// (a PIN).
	Name        string `json:"name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
}

// AuthenticateDiscoverable asks the key for every discoverable credential
// it holds for req.RPID (req.AllowCredentials must be empty) with one
// touch, and returns an assertion for each, newest first, as WebAuthn's
// account chooser gets them. go-libfido2 returns only the first, so this
// calls libfido2 directly.
func AuthenticateDiscoverable(ctx context.Context, path string, req AssertRequest) ([]Assertion, error) {
	if req.RPID == "" {
		return nil, fmt.Errorf("%w: no relying party id", ErrInvalidRequest)
	}
	if len(req.ClientDataHash) != 32 {
		return nil, fmt.Errorf("%w: client data hash must be 32 bytes", ErrInvalidRequest)
	}
	if len(req.AllowCredentials) > 0 {
		return nil, fmt.Errorf("%w: a discoverable assertion takes no allow list", ErrInvalidRequest)
	}
	out, err := run(ctx, path, func(*libfido2.Device) ([]Assertion, error) {
		return getAssertAll(path, req)
	})
	if err != nil {
		return nil, withRetries(ctx, path, explainUnsupported(ctx, path, err, req.UserVerification, req.PIN))
	}
	return out, nil
}
