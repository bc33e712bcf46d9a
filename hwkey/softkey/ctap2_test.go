package softkey

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

type testInfo struct {
	Versions     []string        `cbor:"1,keyasint"`
	Extensions   []string        `cbor:"2,keyasint"`
	AAGUID       []byte          `cbor:"3,keyasint"`
	Options      map[string]bool `cbor:"4,keyasint"`
	MaxMsgSize   int             `cbor:"5,keyasint"`
	PinProtocols []int           `cbor:"6,keyasint"`
	MaxCredCount int             `cbor:"7,keyasint"`
	MaxCredIDLen int             `cbor:"8,keyasint"`
	Transports   []string        `cbor:"9,keyasint"`
	Algorithms   []struct {
		Alg  int    `cbor:"alg"`
		Type string `cbor:"type"`
	} `cbor:"10,keyasint"`
}

func getInfo(t testing.TB, send func([]byte) []byte) testInfo {
	t.Helper()
	var info testInfo
	mustOK(t, send([]byte{cmdGetInfo}), &info)
	return info
}

func TestGetInfo(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	h := openChannel(t, k)
	info := getInfo(t, h.cbor)
	aaguid := k.AAGUID()
	if !slices.Equal(info.Versions, []string{"U2F_V2", "FIDO_2_0", "FIDO_2_1"}) {
		t.Errorf("versions %q", info.Versions)
	}
	if !bytes.Equal(info.AAGUID, aaguid[:]) {
		t.Errorf("aaguid % x, want % x", info.AAGUID, aaguid)
	}
	wantOpts := map[string]bool{"plat": false, "rk": true, "up": true, "clientPin": false,
		"pinUvAuthToken": true, "credMgmt": true, "credentialMgmtPreview": true}
	if len(info.Options) != len(wantOpts) {
		t.Errorf("options %v, want %v", info.Options, wantOpts)
	}
	for name, v := range wantOpts {
		if got, ok := info.Options[name]; !ok || got != v {
			t.Errorf("option %s = %v (present %v), want %v", name, got, ok, v)
		}
	}
	if _, ok := info.Options["uv"]; ok {
		t.Error("uv advertised without built-in user verification")
	}
	if !slices.Equal(info.Extensions, []string{"credProtect", "hmac-secret"}) {
		t.Errorf("extensions %q", info.Extensions)
	}
	if info.MaxMsgSize != 7609 || !slices.Equal(info.PinProtocols, []int{2, 1}) {
		t.Errorf("maxMsgSize %d pinProtocols %v", info.MaxMsgSize, info.PinProtocols)
	}
	if info.MaxCredIDLen != CredentialIDLen || info.MaxCredCount == 0 || !slices.Equal(info.Transports, []string{"usb"}) {
		t.Errorf("maxCredIdLen %d maxCredCount %d transports %q", info.MaxCredIDLen, info.MaxCredCount, info.Transports)
	}
	if len(info.Algorithms) != 1 || info.Algorithms[0].Alg != -7 || info.Algorithms[0].Type != "public-key" {
		t.Errorf("algorithms %+v", info.Algorithms)
	}

	// clientPin turns true once a PIN is set.
	p := newPlatform(t, k.CTAP2)
	status(t, p.setPIN("1234"), statusOK)
	if info := getInfo(t, k.CTAP2); !info.Options["clientPin"] {
		t.Error("clientPin false after setting a PIN")
	}
}

func TestCTAP2OnU2FOnlyKey(t *testing.T) {
	k := newTestKey(t, U2FOnly, Options{})
	status(t, k.CTAP2([]byte{cmdGetInfo}), errInvalidCommand)
}

// makeCredential runs makeCredential and verifies the packed attestation:
// signature over authData ‖ clientDataHash with the x5c certificate, the
// certificate's AAGUID extension, the COSE key.
func makeCredential(t testing.TB, k *Key, send func([]byte) []byte, req testMakeCred) (authData, testMakeCredResp) {
	t.Helper()
	var resp testMakeCredResp
	mustOK(t, send(ctapReq(t, cmdMakeCredential, req)), &resp)
	if resp.Fmt != "packed" {
		t.Fatalf("fmt %q, want packed", resp.Fmt)
	}
	if resp.AttStmt.Alg != -7 || len(resp.AttStmt.X5c) != 1 {
		t.Fatalf("attStmt alg %d, %d certificates", resp.AttStmt.Alg, len(resp.AttStmt.X5c))
	}
	cert, err := x509.ParseCertificate(resp.AttStmt.X5c[0])
	if err != nil {
		t.Fatalf("x5c: %v", err)
	}
	verifySig(t, cert.PublicKey.(*ecdsa.PublicKey), resp.AttStmt.Sig, resp.AuthData, req.CDH)
	ad := parseAuthData(t, resp.AuthData)
	if !bytes.Equal(ad.rpIDHash, hash(req.RP.ID)) {
		t.Error("rpIdHash is not SHA-256 of the RP ID")
	}
	if ad.flags&(flagUP|flagAT) != flagUP|flagAT {
		t.Errorf("flags %#x lack UP and AT", ad.flags)
	}
	aaguid := k.AAGUID()
	if !bytes.Equal(ad.aaguid, aaguid[:]) {
		t.Errorf("authData aaguid % x", ad.aaguid)
	}
	return ad, resp
}

func TestPackedAttestationCertificate(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	_, resp := makeCredential(t, k, k.CTAP2, makeCredReq("example.com", []byte("user"), hash("cdh")))
	cert, _ := x509.ParseCertificate(resp.AttStmt.X5c[0])
	if cert.Version != 3 || cert.IsCA || !cert.BasicConstraintsValid {
		t.Errorf("version %d isCA %v", cert.Version, cert.IsCA)
	}
	if ou := cert.Subject.OrganizationalUnit; len(ou) != 1 || ou[0] != "Authenticator Attestation" {
		t.Errorf("subject OU %q", ou)
	}
	if len(cert.Subject.Country) != 1 || len(cert.Subject.Organization) != 1 || cert.Subject.CommonName == "" {
		t.Errorf("subject %v lacks C, O or CN", cert.Subject)
	}
	found := false
	aaguid := k.AAGUID()
	for _, e := range cert.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 45724, 1, 1, 4}) {
			found = true
			var v []byte
			if _, err := asn1.Unmarshal(e.Value, &v); err != nil || !bytes.Equal(v, aaguid[:]) || e.Critical {
				t.Errorf("aaguid extension % x critical %v: %v", e.Value, e.Critical, err)
			}
		}
	}
	if !found {
		t.Error("no id-fido-gen-ce-aaguid extension")
	}
	root, err := x509.ParseCertificate(k.RootCertificate())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("attestation certificate does not chain to the root: %v", err)
	}
}

func getAssertion(t testing.TB, send func([]byte) []byte, req testGetAssertion) (authData, testAssertionResp) {
	t.Helper()
	var resp testAssertionResp
	mustOK(t, send(ctapReq(t, cmdGetAssertion, req)), &resp)
	return parseAuthData(t, resp.AuthData), resp
}

func TestMakeCredentialAndGetAssertion(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	h := openChannel(t, k)
	cred, _ := makeCredential(t, k, h.cbor, makeCredReq("example.com", []byte("user"), hash("cdh")))
	if cred.flags&flagUV != 0 {
		t.Error("UV set without a PIN")
	}
	var last uint32
	for i, up := range []bool{true, false, true} {
		cdh := hash("assert " + string(rune('0'+i)))
		req := testGetAssertion{RPID: "example.com", CDH: cdh, Allow: []testDesc{
			{ID: []byte("not ours"), Type: "public-key"},
			{ID: cred.credID, Type: "public-key"},
		}}
		if !up {
			req.Options = map[string]bool{"up": false}
		}
		ad, resp := getAssertion(t, h.cbor, req)
		verifySig(t, cred.pub, resp.Signature, resp.AuthData, cdh)
		if !bytes.Equal(resp.Credential.ID, cred.credID) || resp.Credential.Type != "public-key" {
			t.Errorf("credential %+v", resp.Credential)
		}
		if (ad.flags&flagUP != 0) != up || ad.flags&flagAT != 0 {
			t.Errorf("up=%v: flags %#x", up, ad.flags)
		}
		if ad.counter <= last {
			t.Errorf("counter %d after %d", ad.counter, last)
		}
		last = ad.counter
		if resp.User != nil || resp.NumberOfCredentials != 0 {
			t.Errorf("non-resident assertion has user %v / count %d", resp.User, resp.NumberOfCredentials)
		}
	}
	// Credentials are bound to their RP.
	status(t, h.cbor(ctapReq(t, cmdGetAssertion, testGetAssertion{RPID: "evil.com", CDH: hash("x"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}})), errNoCredentials)
	// Without an allow list only resident credentials count.
	status(t, h.cbor(ctapReq(t, cmdGetAssertion, testGetAssertion{RPID: "example.com", CDH: hash("x")})), errNoCredentials)
	// A U2F registration is a CTAP2 credential for the same RP ID hash.
	reg := register(t, k.U2F, hash("c"), hash("u2f.example.com"))
	ad, resp := getAssertion(t, k.CTAP2, testGetAssertion{RPID: "u2f.example.com", CDH: hash("y"), Allow: []testDesc{{ID: reg.kh, Type: "public-key"}}})
	verifySig(t, reg.pub, resp.Signature, resp.AuthData, hash("y"))
	if ad.counter <= last {
		t.Errorf("counter %d after %d", ad.counter, last)
	}
}

func TestResidentCredentials(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	rk := map[string]bool{"rk": true}
	pubs := map[string]*ecdsa.PublicKey{}
	for _, user := range []string{"alice", "bob", "alice"} { // alice twice: replaced
		req := makeCredReq("example.com", []byte(user), hash("cdh"))
		req.User.Name = user
		req.Options = rk
		ad, _ := makeCredential(t, k, k.CTAP2, req)
		pubs[user] = ad.pub
	}
	req := makeCredReq("other.com", []byte("carol"), hash("cdh"))
	req.Options = rk
	makeCredential(t, k, k.CTAP2, req)

	cdh := hash("discover")
	_, first := getAssertion(t, k.CTAP2, testGetAssertion{RPID: "example.com", CDH: cdh})
	if first.NumberOfCredentials != 2 {
		t.Fatalf("numberOfCredentials %d, want 2", first.NumberOfCredentials)
	}
	var next testAssertionResp
	mustOK(t, k.CTAP2([]byte{cmdGetNextAssertion}), &next)
	status(t, k.CTAP2([]byte{cmdGetNextAssertion}), errNotAllowed)
	got := map[string]bool{}
	for _, r := range []testAssertionResp{first, next} {
		if r.User == nil {
			t.Fatal("resident assertion without user")
		}
		user := string(r.User.ID)
		got[user] = true
		if r.User.Name != "" {
			t.Errorf("user name %q returned without user verification", r.User.Name)
		}
		verifySig(t, pubs[user], r.Signature, r.AuthData, cdh)
	}
	if !got["alice"] || !got["bob"] {
		t.Errorf("users %v", got)
	}
	// Newest first: bob was created before alice's replacement.
	if string(first.User.ID) != "alice" {
		t.Errorf("first assertion for %q, want the newest credential", first.User.ID)
	}
	status(t, k.CTAP2([]byte{cmdGetNextAssertion}), errNotAllowed)
}

func TestExcludeList(t *testing.T) {
	touch := &scriptedTouch{}
	k := newTestKey(t, FIDO2, Options{Touch: touch.touch})
	cred, _ := makeCredential(t, k, k.CTAP2, makeCredReq("example.com", []byte("u"), hash("1")))
	req := makeCredReq("example.com", []byte("u"), hash("2"))
	req.Exclude = []testDesc{{ID: cred.credID, Type: "public-key"}}
	status(t, k.CTAP2(ctapReq(t, cmdMakeCredential, req)), errCredentialExcluded)
	// The same ID does not exclude at another RP.
	req.RP = testRP{ID: "other.com"}
	makeCredential(t, k, k.CTAP2, req)
	if want := []string{"register example.com", "register example.com", "register other.com"}; !slices.Equal(touch.purposes, want) {
		t.Errorf("touch purposes %q, want %q", touch.purposes, want)
	}
}

func TestTouchDenied(t *testing.T) {
	touch := &scriptedTouch{answers: []bool{false, true, false}}
	k := newTestKey(t, FIDO2, Options{Touch: touch.touch})
	status(t, k.CTAP2(ctapReq(t, cmdMakeCredential, makeCredReq("example.com", []byte("u"), hash("1")))), errOperationDenied)
	cred, _ := makeCredential(t, k, k.CTAP2, makeCredReq("example.com", []byte("u"), hash("1")))
	ga := testGetAssertion{RPID: "example.com", CDH: hash("x"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}}
	status(t, k.CTAP2(ctapReq(t, cmdGetAssertion, ga)), errOperationDenied)
	if k.Counter() != 0 {
		t.Errorf("counter %d after refused assertion", k.Counter())
	}
	want := []string{"register example.com", "register example.com", "authenticate example.com"}
	if !slices.Equal(touch.purposes, want) {
		t.Errorf("purposes %q, want %q", touch.purposes, want)
	}
}

func TestCTAP2RequestErrors(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	good := makeCredReq("example.com", []byte("u"), hash("1"))
	enc := func(v any) []byte { b, _ := encMode.Marshal(v); return b }
	withParams := func(p []testParam) testMakeCred { r := good; r.Params = p; return r }
	withOpts := func(o map[string]bool) testMakeCred { r := good; r.Options = o; return r }
	tests := []struct {
		name string
		req  []byte
		want byte
	}{
		{"empty", nil, errInvalidLength},
		{"unknown command", []byte{0x40}, errInvalidCommand},
		{"getInfo with parameters", []byte{cmdGetInfo, 0xa0}, errInvalidLength},
		{"truncated CBOR", append([]byte{cmdMakeCredential}, enc(good)[:20]...), errInvalidCBOR},
		{"not a map", append([]byte{cmdMakeCredential}, enc([]int{1, 2})...), errCBORUnexpectedType},
		{"trailing bytes", append(append([]byte{cmdMakeCredential}, enc(good)...), 0), errInvalidCBOR},
		{"duplicate key", []byte{cmdClientPIN, 0xa2, 0x01, 0x01, 0x01, 0x01}, errInvalidCBOR},
		{"wrong type for rp", append([]byte{cmdMakeCredential}, enc(map[int]any{1: hash("x"), 2: "rp", 3: map[string]any{"id": []byte{1}}, 4: []any{}})...), errCBORUnexpectedType},
		{"missing user", append([]byte{cmdMakeCredential}, enc(map[int]any{1: hash("x"), 2: map[string]string{"id": "rp"}, 4: []any{}})...), errMissingParameter},
		{"missing clientDataHash", append([]byte{cmdGetAssertion}, enc(map[int]any{1: "rp"})...), errMissingParameter},
		{"only RS256", ctapReq(t, cmdMakeCredential, withParams([]testParam{{Alg: -257, Type: "public-key"}})), errUnsupportedAlgorithm},
		{"no algorithms", ctapReq(t, cmdMakeCredential, withParams([]testParam{})), errUnsupportedAlgorithm},
		{"uv option", ctapReq(t, cmdMakeCredential, withOpts(map[string]bool{"uv": true})), errUnsupportedOption},
		{"up false on makeCredential", ctapReq(t, cmdMakeCredential, withOpts(map[string]bool{"up": false})), errInvalidOption},
		{"rk option on getAssertion", ctapReq(t, cmdGetAssertion, testGetAssertion{RPID: "x", CDH: hash("x"), Options: map[string]bool{"rk": true}}), errInvalidOption},
		{"user id longer than 64 bytes", ctapReq(t, cmdMakeCredential, func() testMakeCred { r := good; r.User.ID = make([]byte, 65); return r }()), errInvalidLength},
		{"getNextAssertion without getAssertion", []byte{cmdGetNextAssertion}, errNotAllowed},
		{"clientPIN without subcommand", ctapReq(t, cmdClientPIN, map[int]int{1: 1}), errMissingParameter},
		{"clientPIN protocol 3", ctapReq(t, cmdClientPIN, map[int]int{1: 3, 2: 1}), errInvalidParameter},
		{"clientPIN unknown subcommand", ctapReq(t, cmdClientPIN, map[int]int{1: 1, 2: 0x0b}), errInvalidParameter},
		{"token with permissions but none named", ctapReq(t, cmdClientPIN, map[int]int{1: 2, 2: 9}), errMissingParameter},
		{"pinAuth without protocol", ctapReq(t, cmdMakeCredential, func() testMakeCred { r := good; pa := make([]byte, 16); r.PinAuth = &pa; return r }()), errMissingParameter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status(t, k.CTAP2(tc.req), tc.want)
		})
	}
}

func TestHMACSecret(t *testing.T) {
	for _, proto := range []pinProtocol{1, 2} {
		t.Run(fmt.Sprintf("protocol %d", proto), func(t *testing.T) { testHMACSecret(t, proto) })
	}
}

func testHMACSecret(t *testing.T, proto pinProtocol) {
	newPlatform := func(t testing.TB, send func([]byte) []byte) *platform { return newPlatformProto(t, send, proto) }
	k := newTestKey(t, FIDO2, Options{})
	req := makeCredReq("example.com", []byte("u"), hash("1"))
	req.Extensions = map[string]any{"hmac-secret": true}
	cred, _ := makeCredential(t, k, k.CTAP2, req)
	if cred.flags&flagED == 0 || cred.ext["hmac-secret"] != true {
		t.Fatalf("makeCredential extensions %v flags %#x", cred.ext, cred.flags)
	}
	plain, _ := makeCredential(t, k, k.CTAP2, makeCredReq("example.com", []byte("v"), hash("1")))

	eval := func(credID []byte, salts []byte) (authData, []byte) {
		p := newPlatform(t, k.CTAP2)
		saltEnc := p.encrypt(salts)
		ext := map[string]any{"hmac-secret": map[int]any{1: p.cose(), 2: saltEnc, 3: p.auth(saltEnc), 4: int(proto)}}
		ad, _ := getAssertion(t, k.CTAP2, testGetAssertion{RPID: "example.com", CDH: hash("c"), Allow: []testDesc{{ID: credID, Type: "public-key"}}, Extensions: ext})
		if ad.ext == nil {
			return ad, nil
		}
		enc, _ := ad.ext["hmac-secret"].([]byte)
		out, ok := p.proto.decrypt(p.shared, enc)
		if !ok {
			t.Fatalf("hmac-secret output of %d bytes", len(enc))
		}
		return ad, out
	}
	salt1, salt2 := hash("salt1"), hash("salt2")
	_, one := eval(cred.credID, salt1)
	_, again := eval(cred.credID, salt1)
	_, two := eval(cred.credID, append(bytes.Clone(salt1), salt2...))
	if len(one) != 32 || !bytes.Equal(one, again) || len(two) != 64 || !bytes.Equal(two[:32], one) || bytes.Equal(two[32:], one) {
		t.Errorf("hmac-secret outputs not deterministic per salt: %x / %x / %x", one, again, two)
	}
	if ad, out := eval(plain.credID, salt1); out != nil || ad.flags&flagED != 0 {
		t.Errorf("hmac-secret output for a credential created without it")
	}
	// A bad saltAuth is refused.
	p := newPlatform(t, k.CTAP2)
	saltEnc := p.encrypt(salt1)
	ext := map[string]any{"hmac-secret": map[int]any{1: p.cose(), 2: saltEnc, 3: make([]byte, len(p.auth(saltEnc))), 4: int(proto)}}
	status(t, k.CTAP2(ctapReq(t, cmdGetAssertion, testGetAssertion{RPID: "example.com", CDH: hash("c"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}, Extensions: ext})), errPINAuthInvalid)
}

func TestAuthenticatorReset(t *testing.T) {
	now := fakeClock()
	k := newTestKey(t, FIDO2, Options{Now: now.now})
	cred, _ := makeCredential(t, k, k.CTAP2, makeCredReq("example.com", []byte("u"), hash("1")))
	p := newPlatform(t, k.CTAP2)
	status(t, p.setPIN("1234"), statusOK)
	now.advance(11e9)
	status(t, k.CTAP2([]byte{cmdReset}), errNotAllowed)
	k.Reset() // power cycle
	status(t, k.CTAP2([]byte{cmdReset}), statusOK)
	status(t, k.CTAP2(ctapReq(t, cmdGetAssertion, testGetAssertion{RPID: "example.com", CDH: hash("x"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}})), errNoCredentials)
	if info := getInfo(t, k.CTAP2); info.Options["clientPin"] {
		t.Error("PIN survived reset")
	}
}

func TestResponsesAreCanonical(t *testing.T) {
	// mustOK checks canonical form; decode generically to check key order of
	// the nested attestation statement too.
	k := newTestKey(t, FIDO2, Options{})
	resp := k.CTAP2(ctapReq(t, cmdMakeCredential, makeCredReq("example.com", []byte("u"), hash("1"))))
	mustOK(t, resp, nil)
	var m map[int]cbor.RawMessage
	if err := cbor.Unmarshal(resp[1:], &m); err != nil {
		t.Fatal(err)
	}
	// attStmt keys in canonical order: alg, sig, x5c.
	att := m[3]
	if !bytes.HasPrefix(att, []byte{0xa3, 0x63, 'a', 'l', 'g'}) {
		t.Errorf("attStmt starts % x", att[:8])
	}
}

func TestTouchTimeout(t *testing.T) {
	never := make(chan struct{})
	k := newTestKey(t, FIDO2, Options{Touch: blockingTouch(never)})
	k.touchTimeout = 50 * time.Millisecond
	status(t, k.CTAP2(ctapReq(t, cmdMakeCredential, makeCredReq("example.com", []byte("u"), hash("1")))), errUserActionTimeout)
}

func TestU2FTouchArrivesLater(t *testing.T) {
	release := make(chan struct{})
	k := newTestKey(t, U2FOnly, Options{Touch: blockingTouch(release)})
	apdu := extendedAPDU(u2fRegister, 0, append(hash("c"), hash("a")...))
	for range 3 {
		if st, _ := swOf(t, k.U2F(apdu)); st != swConditionsNotSatisfied {
			t.Fatalf("before the touch: SW %#04x", st)
		}
	}
	close(release)
	// The touch is picked up by the next poll.
	if st, _ := swOf(t, k.U2F(apdu)); st != swNoError {
		t.Fatalf("after the touch: SW %#04x", st)
	}
	// It is consumed: the next registration needs a new touch, which the
	// (now always-yes) Touch gives at once.
	if st, _ := swOf(t, k.U2F(apdu)); st != swNoError {
		t.Fatalf("second registration: SW %#04x", st)
	}
}

func TestHMACSecretInputErrors(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	req := makeCredReq("example.com", []byte("u"), hash("1"))
	req.Extensions = map[string]any{"hmac-secret": true}
	cred, _ := makeCredential(t, k, k.CTAP2, req)
	p := newPlatform(t, k.CTAP2)
	salt := p.encrypt(hash("salt"))
	short := p.encrypt(make([]byte, 16))
	tests := []struct {
		name string
		ext  any
		want byte
	}{
		{"not a map", "salt", errCBORUnexpectedType},
		{"no key agreement", map[int]any{2: salt, 3: p.auth(salt)}, errMissingParameter},
		{"no saltAuth", map[int]any{1: p.cose(), 2: salt}, errMissingParameter},
		{"unknown protocol", map[int]any{1: p.cose(), 2: salt, 3: p.auth(salt), 4: 7}, errInvalidParameter},
		{"16-byte salt", map[int]any{1: p.cose(), 2: short, 3: p.auth(short)}, errInvalidLength},
		{"wrong protocol for the saltAuth", map[int]any{1: p.cose(), 2: salt, 3: p.auth(salt), 4: 2}, errPINAuthInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ga := testGetAssertion{RPID: "example.com", CDH: hash("c"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}, Extensions: map[string]any{"hmac-secret": tc.ext}}
			status(t, k.CTAP2(ctapReq(t, cmdGetAssertion, ga)), tc.want)
		})
	}
	if k.Counter() != 0 {
		t.Errorf("counter %d after refused requests", k.Counter())
	}
}

func TestAttestationValidityFollowsClock(t *testing.T) {
	c := fakeClock()
	k := newTestKey(t, FIDO2, Options{Now: c.now})
	for _, der := range [][]byte{k.AttestationCertificate(), k.RootCertificate()} {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		if now := c.now(); now.Before(cert.NotBefore) || !now.Before(cert.NotAfter) || cert.NotAfter.Sub(now) < 10*365*24*time.Hour {
			t.Errorf("%s valid %v to %v, clock at %v", cert.Subject.CommonName, cert.NotBefore, cert.NotAfter, now)
		}
	}
}

func TestGetNextAssertionExpires(t *testing.T) {
	c := fakeClock()
	k := newTestKey(t, FIDO2, Options{Now: c.now})
	for _, u := range []string{"a", "b", "c"} {
		req := makeCredReq("example.com", []byte(u), hash("1"))
		req.Options = map[string]bool{"rk": true}
		makeCredential(t, k, k.CTAP2, req)
	}
	_, first := getAssertion(t, k.CTAP2, testGetAssertion{RPID: "example.com", CDH: hash("x")})
	if first.NumberOfCredentials != 3 {
		t.Fatalf("numberOfCredentials %d", first.NumberOfCredentials)
	}
	c.advance(20 * time.Second)
	mustOK(t, k.CTAP2([]byte{cmdGetNextAssertion}), nil) // within 30 s of the previous one
	c.advance(31 * time.Second)
	status(t, k.CTAP2([]byte{cmdGetNextAssertion}), errNotAllowed)
}

func TestChangedIsCalledForPersistentChangesOnly(t *testing.T) {
	var n int
	k := newTestKey(t, FIDO2, Options{Changed: func() { n++ }})
	getInfo(t, k.CTAP2)
	cred, _ := makeCredential(t, k, k.CTAP2, makeCredReq("example.com", []byte("u"), hash("1")))
	if n != 0 {
		t.Errorf("Changed called %d times for getInfo and a non-resident credential", n)
	}
	getAssertion(t, k.CTAP2, testGetAssertion{RPID: "example.com", CDH: hash("x"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}})
	if n != 1 {
		t.Errorf("Changed called %d times after an assertion, want 1", n)
	}
	req := makeCredReq("example.com", []byte("r"), hash("1"))
	req.Options = map[string]bool{"rk": true}
	makeCredential(t, k, k.CTAP2, req)
	status(t, newPlatform(t, k.CTAP2).setPIN("1234"), statusOK)
	if n != 3 {
		t.Errorf("Changed called %d times after a resident credential and a PIN, want 3", n)
	}
}
