package webauthn

import (
	"encoding/json"
	"errors"
	"fmt"
)

// The JSON forms of WebAuthn's PublicKeyCredentialCreationOptions and
// PublicKeyCredentialRequestOptions (WebAuthn L3 §5.1.1, §5.5.1; binary
// members base64url), as servers send them to browsers: the verifier
// writes them and the client (package hwkey) reads them.

// CreationOptions is PublicKeyCredentialCreationOptionsJSON: pass it to
// PublicKeyCredential.parseCreationOptionsFromJSON, or to vmfa key
// register.
type CreationOptions struct {
	RP                     RPEntity               `json:"rp"`
	User                   UserEntity             `json:"user"`
	Challenge              string                 `json:"challenge"`
	PubKeyCredParams       []CredentialParameter  `json:"pubKeyCredParams"`
	Timeout                int64                  `json:"timeout,omitempty"`
	ExcludeCredentials     []CredentialDescriptor `json:"excludeCredentials,omitzero"`
	AuthenticatorSelection AuthenticatorSelection `json:"authenticatorSelection,omitzero"`
	Attestation            string                 `json:"attestation,omitempty"`
	Extensions             Extensions             `json:"extensions,omitzero"`
}

// RequestOptions is PublicKeyCredentialRequestOptionsJSON.
type RequestOptions struct {
	Challenge        string                 `json:"challenge"`
	Timeout          int64                  `json:"timeout,omitempty"`
	RPID             string                 `json:"rpId,omitempty"`
	AllowCredentials []CredentialDescriptor `json:"allowCredentials,omitzero"`
	UserVerification string                 `json:"userVerification,omitempty"`
	Extensions       Extensions             `json:"extensions,omitzero"`
}

// RPEntity is PublicKeyCredentialRpEntity: it names the relying party.
type RPEntity struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// UserEntity is PublicKeyCredentialUserEntityJSON; ID is the base64url
// user handle.
type UserEntity struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// CredentialParameter is PublicKeyCredentialParameters: one acceptable
// credential algorithm.
type CredentialParameter struct {
	Type string `json:"type"`
	Alg  int64  `json:"alg"`
}

// CredentialDescriptor is PublicKeyCredentialDescriptorJSON: a credential
// named by base64url ID.
type CredentialDescriptor struct {
	Type       string   `json:"type"`
	ID         string   `json:"id"`
	Transports []string `json:"transports,omitempty"`
}

// AuthenticatorSelection is AuthenticatorSelectionCriteria.
type AuthenticatorSelection struct {
	AuthenticatorAttachment string `json:"authenticatorAttachment,omitempty"`
	ResidentKey             string `json:"residentKey,omitempty"`
	RequireResidentKey      bool   `json:"requireResidentKey,omitempty"`
	UserVerification        string `json:"userVerification,omitempty"`
}

// Extensions are the client extension inputs vmfa understands.
type Extensions struct {
	// AppID is the FIDO AppID extension: assert a credential registered
	// through the legacy U2F API under this AppID.
	AppID string `json:"appid,omitempty"`
	// AppIDExclude is the exclusion counterpart for registration.
	AppIDExclude string `json:"appidExclude,omitempty"`
	// CredentialProtectionPolicy is the credProtect extension's input
	// (CTAP 2.1 §12.1): "userVerificationOptional",
	// "userVerificationOptionalWithCredentialIDList" or
	// "userVerificationRequired".
	CredentialProtectionPolicy string `json:"credentialProtectionPolicy,omitempty"`
	// EnforceCredentialProtectionPolicy makes the registration fail on a
	// key without credProtect instead of leaving the extension out.
	EnforceCredentialProtectionPolicy bool `json:"enforceCredentialProtectionPolicy,omitempty"`
	// CredProtect is the same input as some servers send it: the level 1
	// to 3 (or a policy name).
	CredProtect *CredProtect `json:"credProtect,omitempty"`
	// CredProps asks for the credProps output: whether the credential is
	// discoverable.
	CredProps bool `json:"credProps,omitempty"`
}

// Credential protection policies, by level.
var credProtectPolicies = [...]string{1: "userVerificationOptional", 2: "userVerificationOptionalWithCredentialIDList", 3: "userVerificationRequired"}

// CredProtect is a credProtect level, 1 to 3, read from a number or a
// policy name.
type CredProtect int

// UnmarshalJSON accepts 1, 2, 3 or a policy name.
func (c *CredProtect) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		if n < 1 || n > 3 {
			return fmt.Errorf("credProtect %d: use 1, 2 or 3", n)
		}
		*c = CredProtect(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("credProtect must be 1, 2, 3 or a credentialProtectionPolicy name")
	}
	l, err := ProtectionLevel(s)
	if err != nil {
		return err
	}
	*c = CredProtect(l)
	return nil
}

// ProtectionLevel returns the credProtect level (1–3) of a
// credentialProtectionPolicy name.
func ProtectionLevel(policy string) (int, error) {
	for l, p := range credProtectPolicies {
		if l > 0 && p == policy {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown credentialProtectionPolicy %q: use userVerificationOptional, userVerificationOptionalWithCredentialIDList or userVerificationRequired", Clip(policy))
}

// ProtectionLevel returns the credProtect level the extensions ask for (0
// for none) and whether it must be enforced. Both spellings agreeing is
// fine; disagreeing is an error.
func (e Extensions) ProtectionLevel() (int, bool, error) {
	level := 0
	if e.CredentialProtectionPolicy != "" {
		l, err := ProtectionLevel(e.CredentialProtectionPolicy)
		if err != nil {
			return 0, false, err
		}
		level = l
	}
	if e.CredProtect != nil {
		if level != 0 && level != int(*e.CredProtect) {
			return 0, false, errors.New("credProtect and credentialProtectionPolicy disagree")
		}
		level = int(*e.CredProtect)
	}
	return level, e.EnforceCredentialProtectionPolicy && level != 0, nil
}
