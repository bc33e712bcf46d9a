package verifier

import (
	"crypto/x509"
	"errors"
	"github.com/vmfa/vmfa/internal/webauthn"
	"strings"
	"testing"
	"time"
)

const (
	testRP     = "example.org"
	testOrigin = "https://example.org"
)

func keyVerifier(t *testing.T, mod func(*Config)) (*Verifier, *clock) {
	return newTestVerifier(t, func(c *Config) {
		c.RPID, c.Origin = testRP, testOrigin
		if mod != nil {
			mod(c)
		}
	})
}

func registerKey(t *testing.T, v *Verifier, k *testKey, user string, c ceremony) (*Credential, error) {
	t.Helper()
	opts, err := v.BeginRegistration(user, RegisterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return v.FinishRegistration(user, k.register(t, opts, testOrigin, c), Client{})
}

func loginKey(t *testing.T, v *Verifier, k *testKey, user string, c ceremony) error {
	t.Helper()
	opts, err := v.BeginLogin(user)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.FinishLogin(user, k.assert(t, opts, testOrigin, c), Client{})
	return err
}

func TestRegistrationFormats(t *testing.T) {
	ca, caKey := testCA(t)
	otherCA, _ := testCA(t)
	trusted := x509.NewCertPool()
	trusted.AddCert(ca)
	untrusted := x509.NewCertPool()
	untrusted.AddCert(otherCA)
	tests := []struct {
		name   string
		format string
		ou     string
		aaguid []byte // certificate extension
		crit   bool   // ... marked critical
		keyAAG []byte // the authenticator's AAGUID
		roots  *x509.CertPool
		uv     bool
		flags  byte
		tamper bool
		want   error
		att    string
	}{
		{name: "none", format: "none", att: AttestationNone},
		{name: "packed x5c, no trust store", format: "packed", ou: "Authenticator Attestation", att: AttestationUnverified},
		{name: "packed x5c, trusted root", format: "packed", ou: "Authenticator Attestation", roots: trusted, att: AttestationBasic},
		{name: "packed x5c, untrusted root", format: "packed", ou: "Authenticator Attestation", roots: untrusted, want: ErrUntrustedAttestation},
		{name: "packed x5c, wrong OU", format: "packed", ou: "Something", want: ErrAttestation},
		{name: "packed x5c, aaguid extension matches", format: "packed", ou: "Authenticator Attestation", aaguid: make([]byte, 16), att: AttestationUnverified},
		{name: "packed x5c, aaguid extension differs", format: "packed", ou: "Authenticator Attestation", aaguid: []byte("0123456789abcdef"), want: ErrAttestation},
		{name: "packed x5c, aaguid extension critical", format: "packed", ou: "Authenticator Attestation", aaguid: make([]byte, 16), crit: true, want: ErrAttestation},
		{name: "packed x5c, nonzero aaguid matching", format: "packed", ou: "Authenticator Attestation", aaguid: []byte("0123456789abcdef"), keyAAG: []byte("0123456789abcdef"), att: AttestationUnverified},
		{name: "fido-u2f, nonzero aaguid", format: "fido-u2f", keyAAG: []byte("0123456789abcdef"), want: ErrAttestation},
		{name: "packed x5c, tampered", format: "packed", ou: "Authenticator Attestation", tamper: true, want: ErrSignature},
		{name: "packed self", format: "packed-self", att: AttestationSelf},
		{name: "packed self, tampered", format: "packed-self", tamper: true, want: ErrSignature},
		{name: "fido-u2f", format: "fido-u2f", att: AttestationUnverified},
		{name: "fido-u2f, trusted root", format: "fido-u2f", roots: trusted, att: AttestationBasic},
		{name: "fido-u2f, tampered", format: "fido-u2f", tamper: true, want: ErrSignature},
		{name: "no user presence", format: "none", flags: webauthn.FlagUV, want: ErrUserPresence},
		{name: "uv required, not verified", format: "none", uv: true, want: ErrUserVerification},
		{name: "uv required, verified", format: "none", uv: true, flags: webauthn.FlagUP | webauthn.FlagUV, att: AttestationNone},
		// Issue 10 item 1: with trust roots, only attestation chaining
		// to them binds.
		{name: "none, trust roots set", format: "none", roots: trusted, want: ErrAttestationRequired},
		{name: "packed self, trust roots set", format: "packed-self", roots: trusted, want: ErrAttestationRequired},
		{name: "BS without BE", format: "none", flags: webauthn.FlagUP | webauthn.FlagBS, want: ErrMalformedResponse},
		{name: "BE and BS (a synced passkey)", format: "none", flags: webauthn.FlagUP | webauthn.FlagBE | webauthn.FlagBS, att: AttestationNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := keyVerifier(t, func(c *Config) { c.TrustRoots = tt.roots; c.RequireUV = tt.uv })
			k := newTestKey(t)
			if tt.keyAAG != nil {
				k.aaguid = tt.keyAAG
			}
			if tt.format == "packed" || tt.format == "fido-u2f" {
				k.attest(t, ca, caKey, tt.ou, tt.aaguid, tt.crit)
			}
			cred, err := registerKey(t, v, k, "mia", ceremony{format: tt.format, flags: tt.flags, tamper: tt.tamper})
			if tt.want != nil {
				mustErr(t, err, tt.want)
				st, _ := v.Status("mia")
				if st[0].State == StateBound {
					t.Fatal("bound after a refused registration")
				}
				return
			}
			if err != nil {
				t.Fatalf("register: %v", err)
			}
			if cred.Attestation != tt.att || string(cred.ID) != string(k.credID) || cred.RPID != testRP {
				t.Fatalf("credential %+v", cred)
			}
			if err := loginKey(t, v, k, "mia", ceremony{flags: webauthn.FlagUP | webauthn.FlagUV | tt.flags&(webauthn.FlagBE|webauthn.FlagBS)}); err != nil {
				t.Fatalf("login: %v", err)
			}
		})
	}
}

// The attestation-required refusal has its own reason and code, and says
// what to do.
func TestAttestationRequiredReason(t *testing.T) {
	ca, _ := testCA(t)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	v, _ := keyVerifier(t, func(c *Config) { c.TrustRoots = roots })
	_, err := registerKey(t, v, newTestKey(t), "ned", ceremony{format: "none"})
	if Reason(err) != "attestation-required" || Code(err) != "SecurityKey.AttestationRequired" ||
		!strings.HasPrefix(err.Error(), "attestation required: ") {
		t.Fatalf("got %q (%s, %s)", err, Reason(err), Code(err))
	}
	evs, _ := v.Log(LogFilter{User: "ned"})
	if len(evs) != 1 || evs[0].Reason != "attestation-required" {
		t.Fatalf("audit %+v", evs)
	}
}

// Status shows the credential flags of a bound key: UV once verified, BE
// and BS as the key reports them, and whether UV is required.
func TestStatusShowsCredentialFlags(t *testing.T) {
	v, _ := keyVerifier(t, nil)
	k := newTestKey(t)
	if _, err := registerKey(t, v, k, "flo", ceremony{format: "none"}); err != nil {
		t.Fatal(err)
	}
	st, _ := v.Status("flo")
	if f := st[0].Flags; f == nil || f.UV || f.BE || f.BS || f.RequireUV {
		t.Fatalf("flags after registration without uv: %+v", f)
	}
	if err := loginKey(t, v, k, "flo", ceremony{flags: webauthn.FlagUP | webauthn.FlagUV}); err != nil {
		t.Fatal(err)
	}
	st, _ = v.Status("flo")
	if f := st[0].Flags; f == nil || !f.UV {
		t.Fatalf("flags after a verified login: %+v", f)
	}
	// A login whose data claims BS without BE is refused.
	mustErr(t, loginKey(t, v, k, "flo", ceremony{flags: webauthn.FlagUP | webauthn.FlagBS}), ErrMalformedResponse)
}

func TestMalformedAttestationStatements(t *testing.T) {
	ca, caKey := testCA(t)
	k := newTestKey(t)
	k.attest(t, ca, caKey, "Authenticator Attestation", nil)
	tests := []struct {
		name string
		fmt  string
		stmt map[string]any
		want error
	}{
		{"unsupported format", "tpm", map[string]any{}, ErrUnsupportedAttestation},
		{"none with a statement", "none", map[string]any{"sig": []byte{1}}, ErrAttestation},
		{"packed without alg", "packed", map[string]any{"sig": []byte{1}}, ErrAttestation},
		{"packed self with another alg", "packed", map[string]any{"alg": -257, "sig": []byte{1}}, ErrAttestation},
		{"packed with an unparsable certificate", "packed", map[string]any{"alg": -7, "sig": []byte{1}, "x5c": [][]byte{{1, 2, 3}}}, ErrAttestation},
		{"fido-u2f with two certificates", "fido-u2f", map[string]any{"sig": []byte{1}, "x5c": [][]byte{k.attCert, k.attCert}}, ErrAttestation},
		{"fido-u2f without sig", "fido-u2f", map[string]any{"x5c": [][]byte{k.attCert}}, ErrAttestation},
		{"sig of the wrong type", "packed", map[string]any{"alg": -7, "sig": "text"}, ErrAttestation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := keyVerifier(t, nil)
			opts, _ := v.BeginRegistration("nia", RegisterOptions{})
			resp := string(k.register(t, opts, testOrigin, ceremony{}))
			p, err := webauthn.ParseRegistration([]byte(resp))
			if err != nil {
				t.Fatal(err)
			}
			ao, _ := webauthn.ParseAttestationObject(p.AttestationObject)
			raw, _ := encMode.Marshal(map[string]any{"fmt": tt.fmt, "attStmt": tt.stmt, "authData": ao.AuthData.Raw})
			resp = strings.Replace(resp, webauthn.B64(p.AttestationObject), webauthn.B64(raw), 1)
			_, err = v.FinishRegistration("nia", []byte(resp), Client{})
			mustErr(t, err, tt.want)
		})
	}
}

// Each ceremony failure is refused with its own reason.
func TestRegistrationRejections(t *testing.T) {
	tests := []struct {
		name string
		c    ceremony
		prep func(v *Verifier, clk *clock)
		want error
	}{
		{"wrong origin", ceremony{origin: "https://evil.example"}, nil, ErrOrigin},
		{"wrong rp id", ceremony{rpID: "evil.example"}, nil, ErrRPIDHash},
		{"wrong type", ceremony{typ: "webauthn.get"}, nil, ErrClientDataType},
		{"unknown challenge", ceremony{challenge: webauthn.B64([]byte("not a challenge I issued"))}, nil, ErrUnknownChallenge},
		{"cross origin", ceremony{crossOrigin: true}, nil, ErrCrossOrigin},
		{"expired challenge", ceremony{}, func(v *Verifier, clk *clock) { clk.Advance(181 * time.Second) }, ErrChallengeExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, clk := keyVerifier(t, nil)
			k := newTestKey(t)
			opts, err := v.BeginRegistration("olga", RegisterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			resp := k.register(t, opts, testOrigin, tt.c)
			if tt.prep != nil {
				tt.prep(v, clk)
			}
			_, err = v.FinishRegistration("olga", resp, Client{})
			mustErr(t, err, tt.want)
			evs, _ := v.Log(LogFilter{User: "olga"})
			if len(evs) != 1 || evs[0].Result != ResultDenied || evs[0].Reason != Reason(tt.want) {
				t.Fatalf("audit %+v", evs)
			}
		})
	}
}

func TestChallengeIsSingleUse(t *testing.T) {
	v, _ := keyVerifier(t, nil)
	k := newTestKey(t)
	opts, _ := v.BeginRegistration("pat", RegisterOptions{})
	resp := k.register(t, opts, testOrigin, ceremony{})
	if _, err := v.FinishRegistration("pat", resp, Client{}); err != nil {
		t.Fatal(err)
	}
	lopts, _ := v.BeginLogin("pat")
	a := k.assert(t, lopts, testOrigin, ceremony{})
	if _, err := v.FinishLogin("pat", a, Client{}); err != nil {
		t.Fatal(err)
	}
	_, err := v.FinishLogin("pat", a, Client{})
	mustErr(t, err, ErrChallengeReused)
	// A fresh assertion on the spent challenge, with a higher counter, is
	// refused just the same.
	_, err = v.FinishLogin("pat", k.assert(t, lopts, testOrigin, ceremony{}), Client{})
	mustErr(t, err, ErrChallengeReused)
	// A tampered response also spends its challenge.
	lopts, _ = v.BeginLogin("pat")
	_, err = v.FinishLogin("pat", k.assert(t, lopts, testOrigin, ceremony{tamper: true}), Client{})
	mustErr(t, err, ErrSignature)
	_, err = v.FinishLogin("pat", k.assert(t, lopts, testOrigin, ceremony{}), Client{})
	mustErr(t, err, ErrChallengeReused)
}

func TestAssertionRejections(t *testing.T) {
	zero := uint32(0)
	tests := []struct {
		name string
		c    ceremony
		prep func(v *Verifier, clk *clock)
		want error
	}{
		{"tampered signature", ceremony{tamper: true}, nil, ErrSignature},
		{"wrong rp id", ceremony{rpID: "evil.example"}, nil, ErrRPIDHash},
		{"wrong origin", ceremony{origin: "https://example.org.evil.example"}, nil, ErrOrigin},
		{"wrong type", ceremony{typ: webauthn.TypeCreate}, nil, ErrClientDataType},
		{"no user presence", ceremony{flags: webauthn.FlagUV}, nil, ErrUserPresence},
		{"expired challenge", ceremony{}, func(v *Verifier, clk *clock) { clk.Advance(3*time.Minute + time.Second) }, ErrChallengeExpired},
		{"counter regression", ceremony{counter: &zero}, nil, ErrCounterRegression},
		{"user handle of someone else", ceremony{userHandle: []byte("someone else")}, nil, ErrUserHandle},
		{"another credential", ceremony{otherKey: true}, nil, ErrUnknownCredential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, clk := keyVerifier(t, nil)
			k := newTestKey(t)
			if _, err := registerKey(t, v, k, "quin", ceremony{}); err != nil {
				t.Fatal(err)
			}
			if err := loginKey(t, v, k, "quin", ceremony{}); err != nil { // counter 1
				t.Fatal(err)
			}
			opts, _ := v.BeginLogin("quin")
			resp := k.assert(t, opts, testOrigin, tt.c)
			if tt.prep != nil {
				tt.prep(v, clk)
			}
			_, err := v.FinishLogin("quin", resp, Client{})
			mustErr(t, err, tt.want)
			evs, _ := v.Log(LogFilter{User: "quin", Result: ResultDenied})
			if len(evs) != 1 || evs[0].Reason != Reason(tt.want) || evs[0].Method != MethodSecurityKey {
				t.Fatalf("audit %+v", evs)
			}
		})
	}
}

func TestCounterRule(t *testing.T) {
	v, _ := keyVerifier(t, nil)
	k := newTestKey(t)
	five := uint32(5)
	if _, err := registerKey(t, v, k, "rita", ceremony{counter: &five}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		counter uint32
		want    error
	}{{6, nil}, {9, nil}, {9, ErrCounterRegression}} {
		c := tc.counter
		err := loginKey(t, v, k, "rita", ceremony{counter: &c})
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Fatalf("counter %d: got %v want %v", c, err, tc.want)
		}
	}
	st, _ := v.Status("rita")
	if !st[0].Cloned || st[0].SignCount != 9 {
		t.Fatalf("status %+v", st[0])
	}
	// Flagged: refused from now on, even with a higher counter, until the
	// administrator unbinds it.
	ten := uint32(10)
	mustErr(t, loginKey(t, v, k, "rita", ceremony{counter: &ten}), ErrCounterRegression)

	// A key without a counter (always 0) is allowed.
	v2, _ := keyVerifier(t, nil)
	k2 := newTestKey(t)
	zero := uint32(0)
	if _, err := registerKey(t, v2, k2, "sam", ceremony{counter: &zero}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := loginKey(t, v2, k2, "sam", ceremony{counter: &zero}); err != nil {
			t.Fatalf("zero counter: %v", err)
		}
	}
}

func TestLegacyU2FAppID(t *testing.T) {
	const appID = "https://example.org/u2f/app-id.json"
	v, _ := keyVerifier(t, nil)
	ca, caKey := testCA(t)
	k := newTestKey(t)
	k.attest(t, ca, caKey, "", nil)
	opts, err := v.BeginRegistration("tess", RegisterOptions{AppID: appID})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := v.FinishRegistration("tess", k.register(t, opts, testOrigin, ceremony{format: "fido-u2f", rpID: appID}), Client{})
	if err != nil {
		t.Fatalf("legacy registration: %v", err)
	}
	if cred.AppID != appID {
		t.Fatalf("appid %q", cred.AppID)
	}
	lopts, _ := v.BeginLogin("tess")
	if lopts.Extensions.AppID != appID {
		t.Fatalf("login options %+v", lopts)
	}
	if _, err := v.FinishLogin("tess", k.assert(t, lopts, testOrigin, ceremony{rpID: appID, appIDUsed: true}), Client{}); err != nil {
		t.Fatalf("appid login: %v", err)
	}
	// The AppID hash without the client saying it used the extension is
	// refused, as is a none registration claiming the AppID.
	lopts, _ = v.BeginLogin("tess")
	_, err = v.FinishLogin("tess", k.assert(t, lopts, testOrigin, ceremony{rpID: appID}), Client{})
	mustErr(t, err, ErrRPIDHash)

	v2, _ := keyVerifier(t, nil)
	opts, _ = v2.BeginRegistration("uma", RegisterOptions{AppID: appID})
	_, err = v2.FinishRegistration("uma", newTestKey(t).register(t, opts, testOrigin, ceremony{rpID: appID}), Client{})
	mustErr(t, err, ErrRPIDHash)
}

func TestCredentialIDsAreUnique(t *testing.T) {
	v, _ := keyVerifier(t, nil)
	k := newTestKey(t)
	if _, err := registerKey(t, v, k, "vic", ceremony{}); err != nil {
		t.Fatal(err)
	}
	_, err := registerKey(t, v, k, "wes", ceremony{})
	mustErr(t, err, ErrCredentialExists)
}

func TestSecurityKeyOneDevice(t *testing.T) {
	v, clk := keyVerifier(t, nil)
	k := newTestKey(t)
	if _, err := registerKey(t, v, k, "xena", ceremony{}); err != nil {
		t.Fatal(err)
	}
	_, err := v.Enroll("xena", EnrollOptions{})
	mustErr(t, err, ErrDeviceBound)
	_, err = v.BeginRegistration("xena", RegisterOptions{})
	mustErr(t, err, ErrDeviceBound)
	mustErr(t, v.Login("xena", "123456", Client{}), ErrWrongMethod)
	if err := v.Unbind("xena", Client{}); err != nil {
		t.Fatal(err)
	}
	_, err = v.BeginLogin("xena")
	mustErr(t, err, ErrNoDevice)
	enrollAndBind(t, v, clk, "xena")
	_, err = v.BeginLogin("xena")
	mustErr(t, err, ErrWrongMethod)
}

func TestRegisterOptionsJSON(t *testing.T) {
	v, _ := keyVerifier(t, nil)
	opts, err := v.BeginRegistration("yan", RegisterOptions{RPID: "login.example.com", Origin: "https://login.example.com:8443"})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := webauthn.DecodeB64(opts.Challenge)
	if len(raw) != 32 || opts.RP.ID != "login.example.com" || opts.Timeout != 180000 ||
		len(opts.PubKeyCredParams) != 1 || opts.PubKeyCredParams[0].Alg != -7 || opts.User.Name != "yan" {
		t.Fatalf("options %+v", opts)
	}
	opts2, _ := v.BeginRegistration("yan", RegisterOptions{})
	if opts2.Challenge == opts.Challenge || opts2.User.ID != opts.User.ID {
		t.Fatal("challenge reused or user handle changed")
	}
	for _, bad := range []RegisterOptions{
		{RPID: "example.org", Origin: "https://evil.example"},
		{RPID: "example.org", Origin: "http://example.org"},
		{RPID: "example.org", Origin: "ftp://example.org"},
	} {
		if _, err := v.BeginRegistration("yan", bad); err == nil {
			t.Errorf("origin %q for rp %q accepted", bad.Origin, bad.RPID)
		}
	}
}

func TestLoginRequiresUVWhenRegisteredSo(t *testing.T) {
	v, _ := keyVerifier(t, nil)
	k := newTestKey(t)
	opts, _ := v.BeginRegistration("zed", RegisterOptions{RequireUV: true})
	if opts.AuthenticatorSelection.UserVerification != "required" {
		t.Fatalf("options %+v", opts.AuthenticatorSelection)
	}
	if _, err := v.FinishRegistration("zed", k.register(t, opts, testOrigin, ceremony{flags: webauthn.FlagUP | webauthn.FlagUV}), Client{}); err != nil {
		t.Fatal(err)
	}
	lo, _ := v.BeginLogin("zed")
	if lo.UserVerification != "required" {
		t.Fatalf("request options %+v", lo)
	}
	_, err := v.FinishLogin("zed", k.assert(t, lo, testOrigin, ceremony{flags: webauthn.FlagUP}), Client{})
	mustErr(t, err, ErrUserVerification)
	if err := loginKey(t, v, k, "zed", ceremony{flags: webauthn.FlagUP | webauthn.FlagUV}); err != nil {
		t.Fatal(err)
	}
}
