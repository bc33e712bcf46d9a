package verifier

import "github.com/vmfa/vmfa/internal/webauthn"

// The WebAuthn wire formats (clientDataJSON, authenticator data, the
// attestation object, COSE keys, the PublicKeyCredential and options JSON)
// are parsed and encoded by internal/webauthn, which package hwkey shares;
// this package adds the relying party's checks.

// CreationOptions is PublicKeyCredentialCreationOptionsJSON (WebAuthn L3
// §5.1.1): pass it to PublicKeyCredential.parseCreationOptionsFromJSON, or
// to vmfa key register.
type CreationOptions = webauthn.CreationOptions

// RequestOptions is PublicKeyCredentialRequestOptionsJSON (WebAuthn L3
// §5.5.1).
type RequestOptions = webauthn.RequestOptions
