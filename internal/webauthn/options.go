package webauthn

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
}
