package webauthn

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// CredentialFields are common to both PublicKeyCredential kinds.
type CredentialFields struct {
	ID                      string                 `json:"id"`
	RawID                   string                 `json:"rawId"`
	Type                    string                 `json:"type"`
	AuthenticatorAttachment string                 `json:"authenticatorAttachment,omitempty"`
	ClientExtensionResults  ClientExtensionResults `json:"clientExtensionResults"`
}

// ClientExtensionResults are the client extension outputs vmfa knows.
type ClientExtensionResults struct {
	// AppID reports whether the FIDO AppID extension was used.
	AppID *bool `json:"appid,omitempty"`
	// CredProps is the credProps output of a registration that asked
	// for it.
	CredProps *CredProps `json:"credProps,omitempty"`
}

// CredProps is the credProps extension output.
type CredProps struct {
	// RK reports whether the credential is discoverable (resident).
	RK bool `json:"rk"`
}

// AttestationResponse is AuthenticatorAttestationResponseJSON.
type AttestationResponse struct {
	ClientDataJSON    string   `json:"clientDataJSON"`
	AttestationObject string   `json:"attestationObject"`
	Transports        []string `json:"transports"`
}

// RegistrationCredential is the PublicKeyCredential JSON (WebAuthn L3
// RegistrationResponseJSON) that navigator.credentials.create resolves to.
type RegistrationCredential struct {
	CredentialFields
	Response AttestationResponse `json:"response"`
}

// AssertionResponse is AuthenticatorAssertionResponseJSON.
type AssertionResponse struct {
	ClientDataJSON    string `json:"clientDataJSON"`
	AuthenticatorData string `json:"authenticatorData"`
	Signature         string `json:"signature"`
	UserHandle        string `json:"userHandle,omitempty"`
}

// AssertionCredential is the PublicKeyCredential JSON (WebAuthn L3
// AuthenticationResponseJSON) of navigator.credentials.get.
type AssertionCredential struct {
	CredentialFields
	Response AssertionResponse `json:"response"`
}

// NewCredentialFields returns the fields of a cross-platform (security
// key) credential with the given ID.
func NewCredentialFields(id []byte) CredentialFields {
	return CredentialFields{ID: B64(id), RawID: B64(id), Type: TypePublicKey, AuthenticatorAttachment: "cross-platform"}
}

// Credential is a decoded PublicKeyCredential: the registration members
// (AttestationObject, Transports) or the assertion members
// (AuthenticatorData, Signature, UserHandle, AppIDUsed).
type Credential struct {
	ID                []byte
	ClientDataJSON    []byte
	ClientData        *CollectedClientData
	AttestationObject []byte
	AuthenticatorData []byte
	Signature         []byte
	UserHandle        []byte
	Transports        []string
	AppIDUsed         bool
}

// ParseRegistration decodes the PublicKeyCredential JSON of a
// registration: id (equal to rawId when that is given), type public-key,
// parsed client data and a non-empty attestation object. The attestation
// object itself is left to ParseAttestationObject.
func ParseRegistration(b []byte) (*Credential, error) {
	var cj RegistrationCredential
	if err := unmarshalCredential(b, &cj); err != nil {
		return nil, err
	}
	p, err := parseFields(&cj.CredentialFields, cj.Response.ClientDataJSON)
	if err != nil {
		return nil, err
	}
	p.Transports = cj.Response.Transports
	if p.AttestationObject, err = DecodeB64(cj.Response.AttestationObject); err != nil || len(p.AttestationObject) == 0 {
		return nil, fmt.Errorf("%w: attestationObject is missing or not base64url", ErrMalformed)
	}
	return p, nil
}

// ParseAssertion decodes the PublicKeyCredential JSON of an assertion:
// id, type, parsed client data, non-empty authenticator data and
// signature, the user handle if any and the appid extension output. The
// authenticator data itself is left to ParseAuthenticatorData.
func ParseAssertion(b []byte) (*Credential, error) {
	var cj AssertionCredential
	if err := unmarshalCredential(b, &cj); err != nil {
		return nil, err
	}
	p, err := parseFields(&cj.CredentialFields, cj.Response.ClientDataJSON)
	if err != nil {
		return nil, err
	}
	r := cj.Response
	if p.AuthenticatorData, err = DecodeB64(r.AuthenticatorData); err != nil || len(p.AuthenticatorData) == 0 {
		return nil, fmt.Errorf("%w: authenticatorData is missing or not base64url", ErrMalformed)
	}
	if p.Signature, err = DecodeB64(r.Signature); err != nil || len(p.Signature) == 0 {
		return nil, fmt.Errorf("%w: signature is missing or not base64url", ErrMalformed)
	}
	if r.UserHandle != "" {
		if p.UserHandle, err = DecodeB64(r.UserHandle); err != nil {
			return nil, fmt.Errorf("%w: userHandle is not base64url", ErrMalformed)
		}
	}
	p.AppIDUsed = cj.ClientExtensionResults.AppID != nil && *cj.ClientExtensionResults.AppID
	return p, nil
}

func unmarshalCredential(b []byte, v any) error {
	if len(b) > maxResponseJSON {
		return fmt.Errorf("%w: response larger than %d bytes", ErrMalformed, maxResponseJSON)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: not PublicKeyCredential json", ErrMalformed)
	}
	return nil
}

func parseFields(f *CredentialFields, clientDataJSON string) (*Credential, error) {
	if f.Type != TypePublicKey {
		return nil, fmt.Errorf("%w: type is %q, want public-key", ErrMalformed, Clip(f.Type))
	}
	p := &Credential{}
	var err error
	if p.ID, err = DecodeB64(f.ID); err != nil || len(p.ID) == 0 || len(p.ID) > MaxCredentialID {
		return nil, fmt.Errorf("%w: id is not a base64url credential id", ErrMalformed)
	}
	if f.RawID != "" {
		raw, err := DecodeB64(f.RawID)
		if err != nil || !bytes.Equal(raw, p.ID) {
			return nil, fmt.Errorf("%w: rawId does not match id", ErrMalformed)
		}
	}
	if p.ClientDataJSON, err = DecodeB64(clientDataJSON); err != nil {
		return nil, fmt.Errorf("%w: clientDataJSON is not base64url", ErrMalformed)
	}
	if p.ClientData, err = ParseClientData(p.ClientDataJSON); err != nil {
		return nil, err
	}
	return p, nil
}
