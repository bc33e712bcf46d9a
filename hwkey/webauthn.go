package hwkey

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/internal/webauthn"
)

// Ceremony types for ClientDataJSON.
const (
	TypeCreate = webauthn.TypeCreate
	TypeGet    = webauthn.TypeGet
)

// ClientDataJSON serialises client data as a browser would.
func ClientDataJSON(typ string, challenge []byte, origin string) []byte {
	return webauthn.ClientDataJSON(typ, challenge, origin)
}

func checkOrigin(origin string) error {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" && u.Path != "/" {
		return fmt.Errorf("%w: origin %q must look like https://example.com", ErrInvalidRequest, webauthn.Clip(origin))
	}
	return nil
}

// AttestationObject encodes the registration as WebAuthn's attestation
// object: the CBOR map {fmt, attStmt, authData}.
func (r *Registration) AttestationObject() ([]byte, error) {
	return webauthn.EncodeAttestationObject(r.Format, int64(r.Alg), r.Sig, r.Cert, r.AuthData)
}

// RegistrationCredential is the PublicKeyCredential JSON (WebAuthn L3
// RegistrationResponseJSON) that navigator.credentials.create resolves to,
// as servers accept it.
type RegistrationCredential = webauthn.RegistrationCredential

// AssertionCredential is the PublicKeyCredential JSON (WebAuthn L3
// AuthenticationResponseJSON) of navigator.credentials.get.
type AssertionCredential = webauthn.AssertionCredential

// RegistrationJSON builds the PublicKeyCredential for a registration.
func RegistrationJSON(reg *Registration, clientDataJSON []byte) (*RegistrationCredential, error) {
	att, err := reg.AttestationObject()
	if err != nil {
		return nil, err
	}
	return &RegistrationCredential{
		CredentialFields: webauthn.NewCredentialFields(reg.CredentialID),
		Response: webauthn.AttestationResponse{
			ClientDataJSON:    webauthn.B64(clientDataJSON),
			AttestationObject: webauthn.B64(att),
			Transports:        []string{"usb"},
		},
	}, nil
}

// AssertionJSON builds the PublicKeyCredential for an assertion.
func AssertionJSON(a *Assertion, clientDataJSON []byte) *AssertionCredential {
	c := &AssertionCredential{
		CredentialFields: webauthn.NewCredentialFields(a.CredentialID),
		Response: webauthn.AssertionResponse{
			ClientDataJSON:    webauthn.B64(clientDataJSON),
			AuthenticatorData: webauthn.B64(a.AuthData),
			Signature:         webauthn.B64(a.Signature),
		},
	}
	if len(a.UserHandle) > 0 {
		c.Response.UserHandle = webauthn.B64(a.UserHandle)
	}
	return c
}

// CreationOptions is PublicKeyCredentialCreationOptionsJSON, as servers
// send it to browsers.
type CreationOptions = webauthn.CreationOptions

// RequestOptions is PublicKeyCredentialRequestOptionsJSON.
type RequestOptions = webauthn.RequestOptions

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
		return fmt.Errorf("%w: the options are not json: %s", ErrInvalidRequest, textutil.JSONError(err, nil))
	}
	if len(wrapper.PublicKey) > 0 {
		data = wrapper.PublicKey
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: the options are malformed: %s", ErrInvalidRequest, textutil.JSONError(err, nil))
	}
	return nil
}

// Client performs WebAuthn ceremonies with one key, as a browser would:
// it builds the client data, drives the key and returns the
// PublicKeyCredential a server expects.
type Client struct {
	// Path is the key's device path (see Choose).
	Path string
	// Origin is reported in the client data; empty means what a browser
	// would report (webauthn.DefaultOrigin: https://<rp id>, or
	// http://localhost).
	Origin string
	// PIN is sent to FIDO2 keys that have one.
	PIN string
	// ChooseAccount picks one of the accounts a key offers for a login
	// without allowCredentials (discoverable credentials, passkeys), as a
	// browser's account chooser does (newest first; a chooser may take
	// the only one without asking). nil takes the first, the newest.
	ChooseAccount func(accounts []Account) (int, error)
}

// Create runs navigator.credentials.create with opts.
func (c *Client) Create(ctx context.Context, opts *CreationOptions) (*RegistrationCredential, error) {
	return c.create(ctx, opts, "")
}

// CreateAppID registers under a legacy U2F AppID instead of opts.RP.ID:
// the credential is scoped to SHA-256(appID), as the U2F JavaScript API
// did (so without resident key or user verification). The client data
// still names the RP's origin.
func (c *Client) CreateAppID(ctx context.Context, opts *CreationOptions, appID string) (*RegistrationCredential, error) {
	if appID == "" {
		return nil, fmt.Errorf("%w: empty appid", ErrInvalidRequest)
	}
	return c.create(ctx, opts, appID)
}

func (c *Client) create(ctx context.Context, opts *CreationOptions, appID string) (*RegistrationCredential, error) {
	if opts.RP.ID == "" {
		return nil, fmt.Errorf("%w: options have no rp.id", ErrInvalidRequest)
	}
	challenge, err := webauthn.DecodeB64(opts.Challenge)
	if err != nil || len(challenge) < 16 {
		return nil, fmt.Errorf("%w: challenge must be at least 16 base64url-encoded bytes", ErrInvalidRequest)
	}
	userID, err := webauthn.DecodeB64(opts.User.ID)
	if err != nil || len(userID) == 0 || len(userID) > 64 {
		return nil, fmt.Errorf("%w: user.id must be 1 to 64 base64url-encoded bytes", ErrInvalidRequest)
	}
	if err := checkAlgorithms(opts.PubKeyCredParams); err != nil {
		return nil, err
	}
	origin, err := c.origin(opts.RP.ID)
	if err != nil {
		return nil, err
	}
	if err := c.checkExcluded(ctx, opts.RP.ID, opts.ExcludeCredentials, opts.Extensions.AppIDExclude); err != nil {
		return nil, err
	}
	cdj := ClientDataJSON(TypeCreate, challenge, origin)
	cdh := sha256.Sum256(cdj)
	req := RegisterRequest{
		RPID: opts.RP.ID, RPName: opts.RP.Name,
		ClientDataHash: cdh[:],
		UserID:         userID, UserName: opts.User.Name, DisplayName: opts.User.DisplayName,
		PIN: c.PIN,
	}
	var credProps *webauthn.CredProps
	if appID != "" {
		req.AppID = appID
	} else {
		sel := opts.AuthenticatorSelection
		req.ResidentKey = sel.ResidentKey == "required" || sel.ResidentKey == "" && sel.RequireResidentKey
		req.UserVerification = sel.UserVerification == "required"
		level, enforce, err := opts.Extensions.ProtectionLevel()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidRequest, err)
		}
		if sel.ResidentKey == "preferred" || level > 0 && !enforce {
			// What the key can do decides: a discoverable credential when
			// it stores them, credProtect when it knows the extension
			// (unless the server enforces it, which then fails).
			info, err := GetInfo(ctx, c.Path)
			if err != nil {
				return nil, err
			}
			if sel.ResidentKey == "preferred" {
				req.ResidentKey = info.RK()
			}
			if level > 0 && !enforce && !slices.Contains(info.Extensions, "credProtect") {
				level = 0
			}
		}
		req.CredProtect = level
		if opts.Extensions.CredProps {
			credProps = &webauthn.CredProps{RK: req.ResidentKey}
		}
	}
	reg, err := Register(ctx, c.Path, req)
	if err != nil {
		return nil, err
	}
	cred, err := RegistrationJSON(reg, cdj)
	if err != nil {
		return nil, err
	}
	cred.ClientExtensionResults.CredProps = credProps
	return cred, nil
}

// algNames names the COSE algorithms servers commonly allow.
var algNames = map[int64]string{-7: "ES256", -8: "EdDSA", -35: "ES384", -36: "ES512", -37: "PS256", -257: "RS256", -65535: "RS1"}

// checkAlgorithms returns ErrAlgorithm when the server's
// pubKeyCredParams (empty means ES256 and RS256, as WebAuthn says) leave
// out ES256, the only algorithm vmfa's credentials use.
func checkAlgorithms(params []webauthn.CredentialParameter) error {
	if len(params) == 0 {
		return nil
	}
	for _, p := range params {
		if p.Type == webauthn.TypePublicKey && p.Alg == webauthn.AlgES256 {
			return nil
		}
	}
	var allowed []string
	for _, p := range params {
		if len(allowed) == 4 {
			allowed = append(allowed, "…")
			break
		}
		name := fmt.Sprintf("alg %d", p.Alg)
		if n, ok := algNames[p.Alg]; ok {
			name = fmt.Sprintf("%s (%d)", n, p.Alg)
		}
		if p.Type != webauthn.TypePublicKey {
			name += fmt.Sprintf(" of type %q", webauthn.Clip(p.Type))
		}
		allowed = append(allowed, name)
	}
	return fmt.Errorf("%w, but the server's options allow only %s: have the server accept ES256", ErrAlgorithm, strings.Join(allowed, ", "))
}

// checkExcluded fails with ErrExcluded when the key already holds one of
// the excluded credentials: go-libfido2 cannot pass an exclude list, so a
// silent (no touch) assertion asks the key instead.
func (c *Client) checkExcluded(ctx context.Context, rpID string, exclude []webauthn.CredentialDescriptor, appID string) error {
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

func descriptorIDs(ds []webauthn.CredentialDescriptor) ([][]byte, error) {
	var ids [][]byte
	for _, d := range ds {
		if d.Type != "" && d.Type != webauthn.TypePublicKey {
			continue
		}
		id, err := webauthn.DecodeB64(d.ID)
		if err != nil || len(id) == 0 {
			return nil, fmt.Errorf("%w: credential id %q is not base64url", ErrInvalidRequest, webauthn.Clip(d.ID))
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
	challenge, err := webauthn.DecodeB64(opts.Challenge)
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
	if len(ids) == 0 && opts.Extensions.AppID == "" {
		a, err := c.discoverable(ctx, req)
		if err != nil {
			return nil, err
		}
		return AssertionJSON(a, cdj), nil
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
		cred.ClientExtensionResults.AppID = &usedAppID
	}
	return cred, nil
}

// discoverable gets the key's assertions for every discoverable credential
// of the RP and returns the account ChooseAccount picks.
func (c *Client) discoverable(ctx context.Context, req AssertRequest) (*Assertion, error) {
	as, err := AuthenticateDiscoverable(ctx, c.Path, req)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, ErrNoCredentials
	}
	i := 0
	if c.ChooseAccount != nil {
		accounts := make([]Account, len(as))
		for j, a := range as {
			accounts[j] = Account{UserHandle: a.UserHandle, Name: a.UserName, DisplayName: a.DisplayName}
		}
		if i, err = c.ChooseAccount(accounts); err != nil {
			return nil, err
		}
		if i < 0 || i >= len(as) {
			return nil, fmt.Errorf("%w: account %d of %d chosen", ErrInvalidRequest, i+1, len(as))
		}
	}
	return &as[i], nil
}

func (c *Client) origin(rpID string) (string, error) {
	origin := c.Origin
	if origin == "" {
		origin = webauthn.DefaultOrigin(rpID)
	}
	return origin, checkOrigin(origin)
}
