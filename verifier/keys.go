package verifier

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/webauthn"
)

// RegisterOptions override the verifier's relying party for one
// registration. Zero fields take the Config's values.
type RegisterOptions struct {
	RPID   string // e.g. "example.org"
	RPName string
	Origin string // e.g. "https://example.org"; default "https://" + RPID
	// AppID is a legacy U2F AppID: a fido-u2f registration whose rpIdHash
	// is SHA-256(AppID) is accepted, and logins may then use it.
	AppID     string
	RequireUV bool
}

func uvRequirement(required bool) string {
	if required {
		return "required"
	}
	return "discouraged"
}

// newChallenge draws a 32-byte challenge and records it, pruning challenges
// expired more than an hour ago (kept that long so that a reuse is told
// apart from an unknown challenge).
func (v *Verifier) newChallenge(st *State, c *Challenge, fixed []byte, now time.Time) (string, error) {
	raw := fixed
	if raw == nil {
		raw = make([]byte, 32)
		if _, err := io.ReadFull(v.cfg.Rand, raw); err != nil {
			return "", fmt.Errorf("generate challenge: %w", err)
		}
	}
	if n := len(st.Challenges); n < 64 || n%64 == 0 {
		// Amortised: a busy verifier does not scan every challenge on
		// every ceremony.
		for k, old := range st.Challenges {
			if now.After(old.Expires.Add(time.Hour)) {
				delete(st.Challenges, k)
			}
		}
	}
	for len(st.Challenges) >= MaxChallenges {
		// Full: drop the challenge that expires first (its ceremony
		// must begin again).
		oldest := ""
		for k, old := range st.Challenges {
			if oldest == "" || old.Expires.Before(st.Challenges[oldest].Expires) {
				oldest = k
			}
		}
		delete(st.Challenges, oldest)
	}
	key := webauthn.B64(raw)
	c.Expires = now.Add(v.cfg.ChallengeTTL).UTC()
	st.Challenges[key] = c
	return key, nil
}

// DefaultOrigin is the origin a relying party ID implies when none is
// given: https://<rp id>, or http://localhost for localhost.
func DefaultOrigin(rpID string) string { return webauthn.DefaultOrigin(rpID) }

// KeyOrigin returns the origin the user's bound security key was
// registered for (what a client must report when logging in).
func (v *Verifier) KeyOrigin(user string) (string, error) {
	var origin string
	err := v.store.View(func(st *State) error {
		c, err := boundKey(st.Users[user])
		if err != nil {
			return err
		}
		origin = c.Origin
		return nil
	})
	return origin, err
}

// BeginRegistration starts registering a security key for user and returns
// the creation options to hand to the browser or key. A user with a bound
// device is refused with ErrDeviceBound (one device per user).
func (v *Verifier) BeginRegistration(user string, opts RegisterOptions) (*CreationOptions, error) {
	return v.beginRegistration(user, opts, nil)
}

func (v *Verifier) beginRegistration(user string, opts RegisterOptions, fixed []byte) (*CreationOptions, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	if opts.RPID == "" {
		opts.RPID = v.cfg.RPID
	}
	if opts.RPName == "" {
		opts.RPName = v.cfg.RPName
	}
	if opts.Origin == "" {
		opts.Origin = v.cfg.Origin
		if opts.Origin == "" || opts.RPID != v.cfg.RPID {
			opts.Origin = DefaultOrigin(opts.RPID)
		}
	}
	if err := checkOrigin(opts.Origin, opts.RPID); err != nil {
		return nil, err
	}
	opts.RequireUV = opts.RequireUV || v.cfg.RequireUV
	now := v.cfg.Now()
	var out *CreationOptions
	var denial error
	err := v.store.Update(func(st *State) error {
		u, err := unboundUser(st, user)
		if err != nil {
			denial = err
			return nil
		}
		if u.State == StatePending && now.Before(u.PendingUntil) {
			denial = pendingError{} // a second device, as a token would be
			return nil
		}
		if len(u.Handle) == 0 {
			u.Handle = make([]byte, 16)
			if _, err := io.ReadFull(v.cfg.Rand, u.Handle); err != nil {
				return fmt.Errorf("generate user handle: %w", err)
			}
		}
		ch, err := v.newChallenge(st, &Challenge{User: user, Ceremony: webauthn.TypeCreate, RPID: opts.RPID,
			Origin: opts.Origin, AppID: opts.AppID, RequireUV: opts.RequireUV}, fixed, now)
		if err != nil {
			return err
		}
		out = &CreationOptions{
			RP:                 webauthn.RPEntity{ID: opts.RPID, Name: opts.RPName},
			User:               webauthn.UserEntity{ID: webauthn.B64(u.Handle), Name: user, DisplayName: user},
			Challenge:          ch,
			PubKeyCredParams:   []webauthn.CredentialParameter{{Type: webauthn.TypePublicKey, Alg: webauthn.AlgES256}},
			Timeout:            v.cfg.ChallengeTTL.Milliseconds(),
			ExcludeCredentials: []webauthn.CredentialDescriptor{},
			AuthenticatorSelection: webauthn.AuthenticatorSelection{ResidentKey: "discouraged",
				UserVerification: uvRequirement(opts.RequireUV)},
			Attestation: "direct",
		}
		if opts.AppID != "" {
			out.Extensions.AppIDExclude = opts.AppID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, denial
}

// checkOrigin requires an http(s) origin whose host is the RP ID or a
// subdomain of it.
func checkOrigin(origin, rpID string) error {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("origin %q is not an http(s) origin such as https://example.org", webauthn.Clip(origin))
	}
	h := u.Hostname()
	if u.Scheme == "http" && h != "localhost" {
		return fmt.Errorf("origin %q: plain http is only allowed for localhost", webauthn.Clip(origin))
	}
	if h != rpID && !strings.HasSuffix(h, "."+rpID) {
		return fmt.Errorf("origin %q is not within rp id %q", webauthn.Clip(origin), webauthn.Clip(rpID))
	}
	return nil
}

// takeChallenge finds and spends the challenge a response answers.
func (v *Verifier) takeChallenge(st *State, user, ceremony string, cd *webauthn.CollectedClientData, now time.Time) (*Challenge, error) {
	if cd.Type != ceremony {
		return nil, fmt.Errorf("%w: got %q, want %q", ErrClientDataType, webauthn.Clip(cd.Type), ceremony)
	}
	raw, _ := webauthn.DecodeB64(cd.Challenge)
	c, ok := st.Challenges[webauthn.B64(raw)]
	if !ok || c.User != user || c.Ceremony != ceremony {
		return nil, ErrUnknownChallenge
	}
	if c.Used {
		return nil, ErrChallengeReused
	}
	c.Used = true
	if !now.Before(c.Expires) {
		return nil, ErrChallengeExpired
	}
	return c, nil
}

func (v *Verifier) checkClientData(cd *webauthn.CollectedClientData, origin string) error {
	if cd.Origin != origin {
		return fmt.Errorf("%w: got %q, want %q", ErrOrigin, webauthn.Clip(cd.Origin), origin)
	}
	if cd.CrossOrigin && !v.cfg.AllowCrossOrigin {
		return ErrCrossOrigin
	}
	return nil
}

// FinishRegistration verifies a registration response (the
// PublicKeyCredential JSON of navigator.credentials.create or vmfa key) for
// user (WebAuthn §7.1): the challenge is known, unexpired and spent; client
// data type, challenge and origin; rpIdHash; UP (and UV when required); an
// ES256 credential key; and the attestation statement (none, packed with
// x5c, packed self, fido-u2f), against TrustRoots when configured. On
// success the key is bound as the user's one MFA device.
func (v *Verifier) FinishRegistration(user string, response []byte, from Client) (*Credential, error) {
	var cred *Credential
	err := v.audited(user, "register", from, func(st *State, now time.Time) (Method, error) {
		var err error
		cred, err = v.finishRegistration(st, user, response, now)
		return MethodSecurityKey, err
	})
	if err != nil {
		return nil, err
	}
	return cred, nil
}

func (v *Verifier) finishRegistration(st *State, user string, response []byte, now time.Time) (*Credential, error) {
	u := st.Users[user]
	if u == nil {
		return nil, noRegistrationError{}
	}
	if u.State == StateBound {
		return nil, ErrDeviceBound
	}
	if u.State == StatePending && now.Before(u.PendingUntil) {
		return nil, pendingError{}
	}
	p, err := webauthn.ParseRegistration(response)
	if err != nil {
		return nil, err
	}
	ch, err := v.takeChallenge(st, user, webauthn.TypeCreate, p.ClientData, now)
	if err != nil {
		return nil, err
	}
	if err := v.checkClientData(p.ClientData, ch.Origin); err != nil {
		return nil, err
	}
	ao, err := webauthn.ParseAttestationObject(p.AttestationObject)
	if err != nil {
		return nil, err
	}
	ad := ao.AuthData
	appID := ""
	rpHash := sha256.Sum256([]byte(ch.RPID))
	if subtle.ConstantTimeCompare(ad.RPIDHash, rpHash[:]) != 1 {
		appHash := sha256.Sum256([]byte(ch.AppID))
		if ch.AppID == "" || ao.Format != webauthn.FormatFIDOU2F || subtle.ConstantTimeCompare(ad.RPIDHash, appHash[:]) != 1 {
			return nil, ErrRPIDHash
		}
		appID = ch.AppID
	}
	if !ad.UserPresent() {
		return nil, ErrUserPresence
	}
	if ch.RequireUV && !ad.UserVerified() {
		return nil, ErrUserVerification
	}
	if !bytes.Equal(ad.CredentialID, p.ID) {
		return nil, fmt.Errorf("%w: credential id differs from the authenticator data's", ErrMalformedResponse)
	}
	alg, pub, err := webauthn.ParseCOSEKey(ad.PublicKey)
	if err != nil {
		return nil, err
	}
	att, err := v.verifyAttestation(ao, sha256Sum(p.ClientDataJSON), alg, pub, now)
	if err != nil {
		return nil, err
	}
	for _, o := range st.Users {
		if o.Credential != nil && bytes.Equal(o.Credential.ID, ad.CredentialID) {
			return nil, ErrCredentialExists
		}
	}
	c := &Credential{
		ID:             bytes.Clone(ad.CredentialID),
		PublicKey:      bytes.Clone(ad.PublicKey),
		Algorithm:      alg,
		SignCount:      ad.SignCount,
		AAGUID:         bytes.Clone(ad.AAGUID),
		Format:         ao.Format,
		Attestation:    att,
		RPID:           ch.RPID,
		Origin:         ch.Origin,
		AppID:          appID,
		UVInitialized:  ad.UserVerified(),
		BackupEligible: ad.Flags&webauthn.FlagBE != 0,
		BackupState:    ad.Flags&webauthn.FlagBS != 0,
		Transports:     p.Transports,
		Created:        now.UTC(),
		RequireUV:      ch.RequireUV,
	}
	resetDevice(st, u)
	u.State, u.Method, u.Credential, u.BoundAt = StateBound, MethodSecurityKey, c, now.UTC()
	out := *c
	return &out, nil
}

// BeginLogin starts authenticating user with the bound security key and
// returns the request options (with the appid extension for a legacy U2F
// credential).
func (v *Verifier) BeginLogin(user string) (*RequestOptions, error) {
	return v.beginLogin(user, nil)
}

func (v *Verifier) beginLogin(user string, fixed []byte) (*RequestOptions, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	now := v.cfg.Now()
	var out *RequestOptions
	var denial error
	err := v.store.Update(func(st *State) error {
		c, err := boundKey(st.Users[user])
		if err != nil {
			denial = err
			return nil
		}
		ch, err := v.newChallenge(st, &Challenge{User: user, Ceremony: webauthn.TypeGet, RPID: c.RPID,
			Origin: c.Origin, AppID: c.AppID, RequireUV: c.RequireUV || v.cfg.RequireUV}, fixed, now)
		if err != nil {
			return err
		}
		out = &RequestOptions{
			Challenge:        ch,
			Timeout:          v.cfg.ChallengeTTL.Milliseconds(),
			RPID:             c.RPID,
			AllowCredentials: []webauthn.CredentialDescriptor{{Type: webauthn.TypePublicKey, ID: webauthn.B64(c.ID), Transports: c.Transports}},
			UserVerification: uvRequirement(c.RequireUV || v.cfg.RequireUV),
		}
		if c.AppID != "" {
			out.Extensions.AppID = c.AppID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, denial
}

// FinishLogin verifies an assertion (the PublicKeyCredential JSON of
// navigator.credentials.get or vmfa key) for user (WebAuthn §7.2): the
// challenge; the credential is the user's; client data type and origin;
// rpIdHash (or the U2F AppID's for a legacy credential); UP and UV when
// required; the signature over authData‖SHA-256(clientDataJSON); and the
// signature counter rule of §6.1.1: a counter that does not increase flags
// the credential as possibly cloned and is refused (ErrCounterRegression).
func (v *Verifier) FinishLogin(user string, response []byte, from Client) (*Credential, error) {
	var cred *Credential
	err := v.audited(user, "login", from, func(st *State, now time.Time) (Method, error) {
		var err error
		cred, err = v.finishLogin(st, user, response, now)
		return MethodSecurityKey, err
	})
	if err != nil {
		return nil, err
	}
	return cred, nil
}

func (v *Verifier) finishLogin(st *State, user string, response []byte, now time.Time) (*Credential, error) {
	u := st.Users[user]
	c, err := boundKey(u)
	if err != nil {
		return nil, err
	}
	if err := v.locked(u, now); err != nil {
		return nil, err
	}
	p, err := webauthn.ParseAssertion(response)
	if err != nil {
		return nil, err
	}
	ch, err := v.takeChallenge(st, user, webauthn.TypeGet, p.ClientData, now)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(p.ID, c.ID) {
		return nil, v.fail(u, now, ErrUnknownCredential)
	}
	if p.UserHandle != nil && !bytes.Equal(p.UserHandle, u.Handle) {
		return nil, v.fail(u, now, ErrUserHandle)
	}
	if err := v.checkClientData(p.ClientData, ch.Origin); err != nil {
		return nil, v.fail(u, now, err)
	}
	ad, err := webauthn.ParseAuthenticatorData(p.AuthenticatorData)
	if err != nil {
		return nil, v.fail(u, now, err)
	}
	want := sha256.Sum256([]byte(c.RPID))
	if c.AppID != "" && p.AppIDUsed {
		want = sha256.Sum256([]byte(c.AppID))
	}
	if subtle.ConstantTimeCompare(ad.RPIDHash, want[:]) != 1 {
		return nil, v.fail(u, now, ErrRPIDHash)
	}
	if !ad.UserPresent() {
		return nil, v.fail(u, now, ErrUserPresence)
	}
	if ch.RequireUV && !ad.UserVerified() {
		return nil, v.fail(u, now, ErrUserVerification)
	}
	pub, err := c.key()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(p.ClientDataJSON)
	cdh := h.Sum(nil)
	h.Reset()
	h.Write(ad.Raw)
	h.Write(cdh)
	if !ecdsa.VerifyASN1(pub, h.Sum(nil), p.Signature) {
		return nil, v.fail(u, now, ErrSignature)
	}
	if c.PossiblyCloned {
		return nil, ErrCounterRegression
	}
	if (ad.SignCount != 0 || c.SignCount != 0) && ad.SignCount <= c.SignCount {
		c.PossiblyCloned = true
		return nil, ErrCounterRegression
	}
	c.SignCount = ad.SignCount
	c.LastUsed = now.UTC()
	if ad.UserVerified() {
		c.UVInitialized = true
	}
	if c.BackupEligible {
		c.BackupState = ad.Flags&webauthn.FlagBS != 0
	}
	v.succeed(u)
	out := *c
	return &out, nil
}

// boundKey returns the security key bound to u, or the denial saying why
// there is none.
func boundKey(u *User) (*Credential, error) {
	switch {
	case u == nil:
		return nil, ErrUnknownUser
	case u.State != StateBound:
		return nil, ErrNoDevice
	case u.Method != MethodSecurityKey || u.Credential == nil:
		return nil, ErrWrongMethod
	}
	return u.Credential, nil
}

// key returns the credential's parsed public key, cached.
func (c *Credential) key() (*ecdsa.PublicKey, error) {
	if c.publicKeyParsed != nil {
		return c.publicKeyParsed, nil
	}
	_, pub, err := webauthn.ParseCOSEKey(c.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("stored credential key: %w", err)
	}
	c.publicKeyParsed = pub
	return pub, nil
}
