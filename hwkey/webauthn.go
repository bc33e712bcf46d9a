package hwkey

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// B64 encodes b as unpadded base64url, the encoding of WebAuthn's JSON.
func B64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// DecodeB64 decodes base64url with or without padding (and, leniently,
// standard base64, which some servers emit).
func DecodeB64(s string) ([]byte, error) {
	t := strings.TrimRight(strings.TrimSpace(s), "=")
	if b, err := base64.RawURLEncoding.DecodeString(t); err == nil {
		return b, nil
	}
	if b, err := base64.RawStdEncoding.DecodeString(t); err == nil {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %q is not base64url", ErrInvalidRequest, truncate(s, 24))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ClientData is WebAuthn's CollectedClientData.
type ClientData struct {
	Type        string `json:"type"`
	Challenge   string `json:"challenge"`
	Origin      string `json:"origin"`
	CrossOrigin bool   `json:"crossOrigin"`
}

// Ceremony types for ClientData.Type.
const (
	TypeCreate = "webauthn.create"
	TypeGet    = "webauthn.get"
)

// ClientDataJSON serialises client data as a browser would.
func ClientDataJSON(typ string, challenge []byte, origin string) []byte {
	b, _ := json.Marshal(ClientData{Type: typ, Challenge: B64(challenge), Origin: origin})
	return b
}

// DefaultOrigin is the origin a browser would report for rpID.
func DefaultOrigin(rpID string) string { return "https://" + rpID }

func checkOrigin(origin string) error {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" && u.Path != "/" {
		return fmt.Errorf("%w: origin %q must look like https://example.com", ErrInvalidRequest, truncate(origin, 40))
	}
	return nil
}

// AttestationObject encodes the registration as WebAuthn's attestation
// object: the CBOR map {fmt, attStmt, authData}.
func (r *Registration) AttestationObject() ([]byte, error) {
	stmt := map[string]any{}
	switch r.Format {
	case "none":
	case "packed":
		stmt["alg"] = r.Alg
		stmt["sig"] = r.Sig
		if len(r.Cert) > 0 {
			stmt["x5c"] = [][]byte{r.Cert}
		}
	case "fido-u2f":
		// §8.6: {x5c, sig}, no alg.
		if len(r.Cert) == 0 {
			return nil, fmt.Errorf("%w: fido-u2f attestation without a certificate", ErrMalformed)
		}
		stmt["sig"] = r.Sig
		stmt["x5c"] = [][]byte{r.Cert}
	default:
		return nil, fmt.Errorf("%w: unknown attestation format %q", ErrMalformed, r.Format)
	}
	return encMode.Marshal(map[string]any{"fmt": r.Format, "attStmt": stmt, "authData": r.AuthData})
}

// credentialFields are common to both PublicKeyCredential kinds.
type credentialFields struct {
	ID                      string         `json:"id"`
	RawID                   string         `json:"rawId"`
	Type                    string         `json:"type"`
	AuthenticatorAttachment string         `json:"authenticatorAttachment,omitempty"`
	ClientExtensionResults  map[string]any `json:"clientExtensionResults"`
}

// AttestationResponse is AuthenticatorAttestationResponseJSON.
type AttestationResponse struct {
	ClientDataJSON    string   `json:"clientDataJSON"`
	AttestationObject string   `json:"attestationObject"`
	Transports        []string `json:"transports"`
}

// RegistrationCredential is the PublicKeyCredential JSON (WebAuthn L3
// RegistrationResponseJSON) that navigator.credentials.create resolves to,
// as servers accept it.
type RegistrationCredential struct {
	credentialFields
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
	credentialFields
	Response AssertionResponse `json:"response"`
}

func fields(id []byte) credentialFields {
	return credentialFields{
		ID: B64(id), RawID: B64(id), Type: "public-key",
		AuthenticatorAttachment: "cross-platform",
		ClientExtensionResults:  map[string]any{},
	}
}

// RegistrationJSON builds the PublicKeyCredential for a registration.
func RegistrationJSON(reg *Registration, clientDataJSON []byte) (*RegistrationCredential, error) {
	att, err := reg.AttestationObject()
	if err != nil {
		return nil, err
	}
	return &RegistrationCredential{
		credentialFields: fields(reg.CredentialID),
		Response: AttestationResponse{
			ClientDataJSON:    B64(clientDataJSON),
			AttestationObject: B64(att),
			Transports:        []string{"usb"},
		},
	}, nil
}

// AssertionJSON builds the PublicKeyCredential for an assertion.
func AssertionJSON(a *Assertion, clientDataJSON []byte) *AssertionCredential {
	c := &AssertionCredential{
		credentialFields: fields(a.CredentialID),
		Response: AssertionResponse{
			ClientDataJSON:    B64(clientDataJSON),
			AuthenticatorData: B64(a.AuthData),
			Signature:         B64(a.Signature),
		},
	}
	if len(a.UserHandle) > 0 {
		c.Response.UserHandle = B64(a.UserHandle)
	}
	return c
}

// RPEntity, UserEntity, CredentialDescriptor and the option structs below
// are the JSON forms of WebAuthn's PublicKeyCredentialCreationOptions and
// PublicKeyCredentialRequestOptions (binary fields base64url), as servers
// send them to browsers.
type RPEntity struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// UserEntity is PublicKeyCredentialUserEntityJSON.
type UserEntity struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// CredentialDescriptor is PublicKeyCredentialDescriptorJSON.
type CredentialDescriptor struct {
	Type       string   `json:"type"`
	ID         string   `json:"id"`
	Transports []string `json:"transports,omitempty"`
}

// CredentialParameter is PublicKeyCredentialParameters.
type CredentialParameter struct {
	Type string `json:"type"`
	Alg  int    `json:"alg"`
}

// AuthenticatorSelection is AuthenticatorSelectionCriteria.
type AuthenticatorSelection struct {
	AuthenticatorAttachment string `json:"authenticatorAttachment,omitempty"`
	ResidentKey             string `json:"residentKey,omitempty"`
	RequireResidentKey      bool   `json:"requireResidentKey,omitempty"`
	UserVerification        string `json:"userVerification,omitempty"`
}

// Extensions are the client extension inputs this client understands.
type Extensions struct {
	// AppID is the FIDO AppID extension: assert a credential registered
	// through the legacy U2F API under this AppID.
	AppID string `json:"appid,omitempty"`
	// AppIDExclude is the exclusion counterpart for registration.
	AppIDExclude string `json:"appidExclude,omitempty"`
}

// CreationOptions is PublicKeyCredentialCreationOptionsJSON.
type CreationOptions struct {
	RP                     RPEntity               `json:"rp"`
	User                   UserEntity             `json:"user"`
	Challenge              string                 `json:"challenge"`
	PubKeyCredParams       []CredentialParameter  `json:"pubKeyCredParams"`
	Timeout                int                    `json:"timeout,omitempty"`
	ExcludeCredentials     []CredentialDescriptor `json:"excludeCredentials,omitempty"`
	AuthenticatorSelection AuthenticatorSelection `json:"authenticatorSelection,omitempty"`
	Attestation            string                 `json:"attestation,omitempty"`
	Extensions             Extensions             `json:"extensions,omitempty"`
}

// RequestOptions is PublicKeyCredentialRequestOptionsJSON.
type RequestOptions struct {
	Challenge        string                 `json:"challenge"`
	Timeout          int                    `json:"timeout,omitempty"`
	RPID             string                 `json:"rpId,omitempty"`
	AllowCredentials []CredentialDescriptor `json:"allowCredentials,omitempty"`
	UserVerification string                 `json:"userVerification,omitempty"`
	Extensions       Extensions             `json:"extensions,omitempty"`
}

// ParseCreationOptions reads creation options as a server sends them:
// either the bare options or wrapped as {"publicKey": {...}}.
func ParseCreationOptions(data []byte) (*CreationOptions, error) {
	var o CreationOptions
	if err := unwrapPublicKey(data, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// ParseRequestOptions reads request options (bare or {"publicKey": ...}).
func ParseRequestOptions(data []byte) (*RequestOptions, error) {
	var o RequestOptions
	if err := unwrapPublicKey(data, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

func unwrapPublicKey(data []byte, v any) error {
	var wrapper struct {
		PublicKey json.RawMessage `json:"publicKey"`
	}
	if err := json.Unmarshal(data, &wrapper); err != nil {
		return fmt.Errorf("%w: options are not json: %v", ErrInvalidRequest, err)
	}
	if len(wrapper.PublicKey) > 0 {
		data = wrapper.PublicKey
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: options: %v", ErrInvalidRequest, err)
	}
	return nil
}

// Client performs WebAuthn ceremonies with one key, as a browser would:
// it builds the client data, drives the key and returns the
// PublicKeyCredential a server expects.
type Client struct {
	// Path is the key's device path (see Choose).
	Path string
	// Origin is reported in the client data; empty means https://<rp id>.
	Origin string
	// PIN is sent to FIDO2 keys that have one.
	PIN string
}

// Create runs navigator.credentials.create with opts.
func (c *Client) Create(ctx context.Context, opts *CreationOptions) (*RegistrationCredential, error) {
	if opts.RP.ID == "" {
		return nil, fmt.Errorf("%w: options have no rp.id", ErrInvalidRequest)
	}
	challenge, err := DecodeB64(opts.Challenge)
	if err != nil || len(challenge) < 16 {
		return nil, fmt.Errorf("%w: challenge must be at least 16 base64url-encoded bytes", ErrInvalidRequest)
	}
	userID, err := DecodeB64(opts.User.ID)
	if err != nil || len(userID) == 0 || len(userID) > 64 {
		return nil, fmt.Errorf("%w: user.id must be 1 to 64 base64url-encoded bytes", ErrInvalidRequest)
	}
	if len(opts.PubKeyCredParams) > 0 {
		ok := false
		for _, p := range opts.PubKeyCredParams {
			ok = ok || p.Type == "public-key" && p.Alg == -7
		}
		if !ok {
			return nil, fmt.Errorf("%w: the server does not accept es256 (alg -7), the only algorithm used here", ErrUnsupported)
		}
	}
	origin, err := c.origin(opts.RP.ID)
	if err != nil {
		return nil, err
	}
	if err := c.checkExcluded(ctx, opts.RP.ID, opts.ExcludeCredentials, opts.Extensions.AppIDExclude); err != nil {
		return nil, err
	}
	sel := opts.AuthenticatorSelection
	cdj := ClientDataJSON(TypeCreate, challenge, origin)
	cdh := sha256.Sum256(cdj)
	reg, err := Register(ctx, c.Path, RegisterRequest{
		RPID: opts.RP.ID, RPName: opts.RP.Name,
		ClientDataHash: cdh[:],
		UserID:         userID, UserName: opts.User.Name, DisplayName: opts.User.DisplayName,
		PIN:              c.PIN,
		ResidentKey:      sel.ResidentKey == "required" || sel.RequireResidentKey,
		UserVerification: sel.UserVerification == "required",
	})
	if err != nil {
		return nil, err
	}
	return RegistrationJSON(reg, cdj)
}

// checkExcluded fails with ErrExcluded when the key already holds one of
// the excluded credentials: go-libfido2 cannot pass an exclude list, so a
// silent (no touch) assertion asks the key instead.
func (c *Client) checkExcluded(ctx context.Context, rpID string, exclude []CredentialDescriptor, appID string) error {
	ids, err := descriptorIDs(exclude)
	if err != nil || len(ids) == 0 {
		return err
	}
	cdh := sha256.Sum256([]byte("vmfa exclude check"))
	for _, rp := range []string{rpID, appID} {
		if rp == "" {
			continue
		}
		_, err := Authenticate(ctx, c.Path, AssertRequest{RPID: rp, ClientDataHash: cdh[:], AllowCredentials: ids, NoUserPresence: true})
		switch {
		case err == nil, errors.Is(err, ErrPresenceRequired):
			return ErrExcluded
		case errors.Is(err, ErrNoCredentials), errors.Is(err, ErrUnsupported), errors.Is(err, ErrDenied),
			errors.Is(err, ErrPINRequired), errors.Is(err, ErrDevice):
			// Not held (or the key cannot tell without a touch).
		default:
			return err
		}
	}
	return nil
}

func descriptorIDs(ds []CredentialDescriptor) ([][]byte, error) {
	var ids [][]byte
	for _, d := range ds {
		if d.Type != "" && d.Type != "public-key" {
			continue
		}
		id, err := DecodeB64(d.ID)
		if err != nil || len(id) == 0 {
			return nil, fmt.Errorf("%w: credential id %q is not base64url", ErrInvalidRequest, truncate(d.ID, 24))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Get runs navigator.credentials.get with opts.
func (c *Client) Get(ctx context.Context, opts *RequestOptions) (*AssertionCredential, error) {
	if opts.RPID == "" {
		return nil, fmt.Errorf("%w: options have no rpId", ErrInvalidRequest)
	}
	challenge, err := DecodeB64(opts.Challenge)
	if err != nil || len(challenge) < 16 {
		return nil, fmt.Errorf("%w: challenge must be at least 16 base64url-encoded bytes", ErrInvalidRequest)
	}
	ids, err := descriptorIDs(opts.AllowCredentials)
	if err != nil {
		return nil, err
	}
	origin, err := c.origin(opts.RPID)
	if err != nil {
		return nil, err
	}
	cdj := ClientDataJSON(TypeGet, challenge, origin)
	cdh := sha256.Sum256(cdj)
	req := AssertRequest{
		RPID: opts.RPID, ClientDataHash: cdh[:], AllowCredentials: ids, PIN: c.PIN,
		UserVerification: opts.UserVerification == "required",
	}
	a, err := Authenticate(ctx, c.Path, req)
	usedAppID := false
	if errors.Is(err, ErrNoCredentials) && opts.Extensions.AppID != "" {
		// The FIDO AppID extension: try the legacy U2F scope.
		req.RPID = opts.Extensions.AppID
		a, err = Authenticate(ctx, c.Path, req)
		usedAppID = err == nil
	}
	if err != nil {
		return nil, err
	}
	cred := AssertionJSON(a, cdj)
	if opts.Extensions.AppID != "" {
		cred.ClientExtensionResults["appid"] = usedAppID
	}
	return cred, nil
}

func (c *Client) origin(rpID string) (string, error) {
	origin := c.Origin
	if origin == "" {
		origin = DefaultOrigin(rpID)
	}
	return origin, checkOrigin(origin)
}
