package softkey

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"
)

// tokenWith gets a pinUvAuthToken with permissions (subcommand 9),
// optionally bound to rpID.
func (p *platform) tokenWith(pin string, perms byte, rpID string) ([]byte, byte) {
	req := map[int]any{1: int(p.proto), 2: pinGetTokenWithPermissions, 3: p.cose(), 6: p.pinHashEnc(pin), 9: int(perms)}
	if rpID != "" {
		req[10] = rpID
	}
	resp := p.send(ctapReq(p.t, cmdClientPIN, req))
	if resp[0] != statusOK {
		return nil, resp[0]
	}
	var r testPINResp
	mustOK(p.t, resp, &r)
	tok, ok := p.proto.decrypt(p.shared, r.PinToken)
	if !ok || len(tok) != 32 {
		p.t.Fatalf("pin token of %d bytes", len(r.PinToken))
	}
	return tok, statusOK
}

// A PIN attempt is saved as used before the PIN is compared: a process
// killed at that point (the hook) has spent the attempt.
func TestPINAttemptPersistedBeforeCompare(t *testing.T) {
	var saved []byte
	var k *Key
	persist := func() error {
		var err error
		saved, err = k.State()
		return err
	}
	k = newTestKey(t, FIDO2, Options{Persist: persist})
	status(t, newPlatform(t, k.CTAP2).setPIN("1234"), statusOK)
	var atKill []byte
	testHookBeforePINCompare = func() { atKill = bytes.Clone(saved) }
	t.Cleanup(func() { testHookBeforePINCompare = nil })
	for _, pin := range []string{"0000", "1234"} { // wrong and right alike
		atKill = nil
		before := retries(t, k.CTAP2)
		newPlatform(t, k.CTAP2).pinToken(pin)
		if atKill == nil {
			t.Fatalf("pin %s: nothing persisted before the comparison", pin)
		}
		restarted, err := Load(atKill, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n := retries(t, restarted.CTAP2); n != before-1 {
			t.Errorf("pin %s: a key killed before the comparison has %d retries, want %d", pin, n, before-1)
		}
	}
	// When saving fails the PIN is not tried at all.
	k.persist = func() error { return errors.New("disk full") }
	testHookBeforePINCompare = func() { t.Error("PIN compared although the attempt was not saved") }
	if _, st := newPlatform(t, k.CTAP2).pinToken("1234"); st != errOther {
		t.Errorf("status %#x with a failing Persist, want CTAP1_ERR_OTHER", st)
	}
}

func TestPINTokenRenewedAndExpires(t *testing.T) {
	for _, proto := range []pinProtocol{1, 2} {
		t.Run(fmt.Sprintf("protocol %d", proto), func(t *testing.T) {
			c := fakeClock()
			k := newTestKey(t, FIDO2, Options{Now: c.now})
			np := func() *platform { return newPlatformProto(t, k.CTAP2, proto) }
			status(t, np().setPIN("1234"), statusOK)
			req := makeCredReq("example.com", []byte("u"), hash("cdh"))
			use := func(tok []byte) byte { return k.CTAP2(ctapReq(t, cmdMakeCredential, withPINProto(req, tok, proto)))[0] }

			tok, _ := np().pinToken("1234")
			if st := use(tok); st != statusOK {
				t.Fatalf("fresh token: %#x", st)
			}
			status(t, np().changePIN("1234", "5678"), statusOK)
			if st := use(tok); st != errPINAuthInvalid {
				t.Errorf("token from before the PIN change: %#x, want PIN_AUTH_INVALID", st)
			}
			tok, _ = np().pinToken("5678")
			c.advance(PINTokenLifetime - time.Second)
			if st := use(tok); st != statusOK {
				t.Errorf("token within its lifetime: %#x", st)
			}
			c.advance(2 * time.Second)
			if st := use(tok); st != errPINAuthInvalid {
				t.Errorf("token past its lifetime: %#x, want PIN_AUTH_INVALID", st)
			}
			// A new grant replaces the previous token.
			old, _ := np().pinToken("5678")
			np().pinToken("5678")
			if st := use(old); st != errPINAuthInvalid {
				t.Errorf("superseded token: %#x, want PIN_AUTH_INVALID", st)
			}
		})
	}
}

func TestTokenPermissions(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	np := func() *platform { return newPlatformProto(t, k.CTAP2, 2) }
	status(t, np().setPIN("1234"), statusOK)
	mc := makeCredReq("example.com", []byte("u"), hash("cdh"))
	tests := []struct {
		name  string
		perms byte
		rpID  string
		req   testMakeCred
		want  byte
	}{
		{"mc for its rp", permMakeCredential, "example.com", mc, statusOK},
		{"mc without rp binds on use", permMakeCredential, "", mc, statusOK},
		{"ga only", permGetAssertion, "example.com", mc, errPINAuthInvalid},
		{"cm only", permCredMgmt, "", mc, errPINAuthInvalid},
		{"other rp", permMakeCredential, "other.example", mc, errPINAuthInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, st := np().tokenWith("1234", tc.perms, tc.rpID)
			if st != statusOK {
				t.Fatalf("token: %#x", st)
			}
			status(t, k.CTAP2(ctapReq(t, cmdMakeCredential, withPINProto(tc.req, tok, 2))), tc.want)
		})
	}
	if _, st := np().tokenWith("1234", permBioEnroll, ""); st != errUnauthorizedPermission {
		t.Errorf("bio enrollment permission: %#x, want UNAUTHORIZED_PERMISSION", st)
	}
	// A token bound on first use stays bound.
	tok, _ := np().tokenWith("1234", permMakeCredential|permGetAssertion, "")
	status(t, k.CTAP2(ctapReq(t, cmdMakeCredential, withPINProto(mc, tok, 2))), statusOK)
	other := makeCredReq("other.example", []byte("u"), hash("cdh"))
	status(t, k.CTAP2(ctapReq(t, cmdMakeCredential, withPINProto(other, tok, 2))), errPINAuthInvalid)
}

func TestCredProtect(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	np := func() *platform { return newPlatformProto(t, k.CTAP2, 2) }
	ids := map[int][]byte{}
	for level := 1; level <= 3; level++ {
		req := makeCredReq("example.com", []byte{byte(level)}, hash("cdh"))
		req.Options = map[string]bool{"rk": true}
		req.Extensions = map[string]any{"credProtect": level}
		ad, _ := makeCredential(t, k, k.CTAP2, req)
		ids[level] = ad.credID
		if ad.flags&flagED == 0 {
			t.Fatalf("level %d: no extension output", level)
		}
	}
	bad := makeCredReq("example.com", []byte("x"), hash("cdh"))
	bad.Extensions = map[string]any{"credProtect": 4}
	status(t, k.CTAP2(ctapReq(t, cmdMakeCredential, bad)), errInvalidParameter)

	count := func(ga testGetAssertion) int {
		resp := k.CTAP2(ctapReq(t, cmdGetAssertion, ga))
		if resp[0] == errNoCredentials {
			return 0
		}
		var r testAssertionResp
		mustOK(t, resp, &r)
		return max(r.NumberOfCredentials, 1)
	}
	// Discoverable without UV: only level 1.
	if n := count(testGetAssertion{RPID: "example.com", CDH: hash("a")}); n != 1 {
		t.Errorf("%d credentials discoverable without UV, want 1 (level 1 only)", n)
	}
	// Named in an allow list without UV: levels 1 and 2.
	for level, want := range map[int]int{1: 1, 2: 1, 3: 0} {
		ga := testGetAssertion{RPID: "example.com", CDH: hash("a"), Allow: []testDesc{{ID: ids[level], Type: "public-key"}}}
		if n := count(ga); n != want {
			t.Errorf("level %d in an allow list without UV: %d credentials, want %d", level, n, want)
		}
	}
	// With UV all three are discoverable.
	status(t, np().setPIN("1234"), statusOK)
	tok, _ := np().pinToken("1234")
	ga := testGetAssertion{RPID: "example.com", CDH: hash("a")}
	pa := pinProtocol(2).authenticate(tok, ga.CDH)
	ga.PinAuth, ga.PinProtocol = &pa, 2
	if n := count(ga); n != 3 {
		t.Errorf("%d credentials discoverable with UV, want 3", n)
	}
}

func TestKeyStoreFull(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	for i := range MaxResident {
		req := makeCredReq("example.com", []byte(fmt.Sprint(i)), hash("cdh"))
		req.Options = map[string]bool{"rk": true}
		makeCredential(t, k, k.CTAP2, req)
		var info struct {
			Remaining int `cbor:"20,keyasint"`
		}
		mustOK(t, k.CTAP2([]byte{cmdGetInfo}), &info)
		if info.Remaining != MaxResident-i-1 {
			t.Fatalf("remainingDiscoverableCredentials %d after %d, want %d", info.Remaining, i+1, MaxResident-i-1)
		}
	}
	req := makeCredReq("example.com", []byte("one more"), hash("cdh"))
	req.Options = map[string]bool{"rk": true}
	status(t, k.CTAP2(ctapReq(t, cmdMakeCredential, req)), errKeyStoreFull)
	// Replacing a user's credential still works when full.
	same := makeCredReq("example.com", []byte("0"), hash("cdh"))
	same.Options = map[string]bool{"rk": true}
	makeCredential(t, k, k.CTAP2, same)
}

type testCredMgmtResp struct {
	Existing    *int        `cbor:"1,keyasint"`
	Remaining   *int        `cbor:"2,keyasint"`
	RP          *testRP     `cbor:"3,keyasint"`
	RPIDHash    []byte      `cbor:"4,keyasint"`
	TotalRPs    int         `cbor:"5,keyasint"`
	User        *testUser   `cbor:"6,keyasint"`
	Cred        *testDesc   `cbor:"7,keyasint"`
	PublicKey   map[int]any `cbor:"8,keyasint"`
	Total       int         `cbor:"9,keyasint"`
	CredProtect int         `cbor:"10,keyasint"`
}

// credman sends a credential management subcommand, authenticated with
// tok over subCommand ‖ params when tok is not nil.
func credman(t *testing.T, k *Key, cmd byte, sub int, params map[int]any, tok []byte, proto pinProtocol) []byte {
	t.Helper()
	req := map[int]any{1: sub}
	var raw []byte
	if params != nil {
		var err error
		if raw, err = encMode.Marshal(params); err != nil {
			t.Fatal(err)
		}
		req[2] = params
	}
	if tok != nil {
		req[3] = int(proto)
		req[4] = proto.authenticate(tok, append([]byte{byte(sub)}, raw...))
	}
	return k.CTAP2(ctapReq(t, cmd, req))
}

func TestCredentialManagementDirect(t *testing.T) {
	for _, cmd := range []byte{cmdCredentialManagement, cmdCredentialMgmtPreview} {
		t.Run(fmt.Sprintf("command %#x", cmd), func(t *testing.T) { testCredentialManagement(t, cmd) })
	}
}

func testCredentialManagement(t *testing.T, cmd byte) {
	k := newTestKey(t, FIDO2, Options{})
	np := func() *platform { return newPlatformProto(t, k.CTAP2, 2) }
	status(t, np().setPIN("1234"), statusOK)
	for _, rp := range []string{"a.example", "b.example", "a.example"} {
		tok, _ := np().tokenWith("1234", permMakeCredential, rp)
		req := makeCredReq(rp, []byte(rp+fmt.Sprint(len(k.resident))), hash("cdh"))
		req.Options = map[string]bool{"rk": true}
		makeCredential(t, k, k.CTAP2, withPINProto(req, tok, 2))
	}
	cm, _ := np().tokenWith("1234", permCredMgmt, "")
	// Without a token: PUAT_REQUIRED; with a token lacking cm: refused.
	status(t, credman(t, k, cmd, cmGetCredsMetadata, nil, nil, 2), errPINRequired)
	mcOnly, _ := np().tokenWith("1234", permMakeCredential, "")
	status(t, credman(t, k, cmd, cmGetCredsMetadata, nil, mcOnly, 2), errPINAuthInvalid)
	cm, _ = np().tokenWith("1234", permCredMgmt, "")

	var meta testCredMgmtResp
	mustOK(t, credman(t, k, cmd, cmGetCredsMetadata, nil, cm, 2), &meta)
	if *meta.Existing != 3 || *meta.Remaining != MaxResident-3 {
		t.Errorf("metadata %d existing, %d remaining", *meta.Existing, *meta.Remaining)
	}
	var rp testCredMgmtResp
	mustOK(t, credman(t, k, cmd, cmEnumerateRPsBegin, nil, cm, 2), &rp)
	if rp.TotalRPs != 2 || rp.RP.ID != "a.example" || !bytes.Equal(rp.RPIDHash, hash("a.example")) {
		t.Errorf("first rp %+v of %d", rp.RP, rp.TotalRPs)
	}
	mustOK(t, credman(t, k, cmd, cmEnumerateRPsNext, nil, nil, 2), &rp)
	if rp.RP.ID != "b.example" {
		t.Errorf("second rp %+v", rp.RP)
	}
	status(t, credman(t, k, cmd, cmEnumerateRPsNext, nil, nil, 2), errNotAllowed)

	var c testCredMgmtResp
	mustOK(t, credman(t, k, cmd, cmEnumerateCredsBegin, map[int]any{1: hash("a.example")}, cm, 2), &c)
	if c.Total != 2 || c.Cred == nil || c.User == nil || c.PublicKey == nil || c.CredProtect != 1 {
		t.Fatalf("first credential %+v", c)
	}
	first := c.Cred.ID
	// Another command ends the enumeration.
	getInfo(t, k.CTAP2)
	status(t, credman(t, k, cmd, cmEnumerateCredsNext, nil, nil, 2), errNotAllowed)

	// A token bound to b.example cannot reach a.example's credentials.
	bound, _ := np().tokenWith("1234", permCredMgmt, "b.example")
	status(t, credman(t, k, cmd, cmEnumerateCredsBegin, map[int]any{1: hash("a.example")}, bound, 2), errPINAuthInvalid)
	status(t, credman(t, k, cmd, cmDeleteCredential, map[int]any{2: testDesc{ID: first, Type: "public-key"}}, bound, 2), errPINAuthInvalid)
	status(t, credman(t, k, cmd, cmGetCredsMetadata, nil, bound, 2), errPINAuthInvalid)

	cm, _ = np().tokenWith("1234", permCredMgmt, "")
	upd := map[int]any{2: testDesc{ID: first, Type: "public-key"}, 3: testUser{ID: []byte("a.example0"), Name: "renamed", DisplayName: "Renamed"}}
	status(t, credman(t, k, cmd, cmUpdateUserInformation, upd, cm, 2), statusOK)
	if r := k.findResident(first); r == nil || r.UserName != "renamed" {
		t.Errorf("after update: %+v", r)
	}
	wrongUser := map[int]any{2: testDesc{ID: first, Type: "public-key"}, 3: testUser{ID: []byte("someone else")}}
	status(t, credman(t, k, cmd, cmUpdateUserInformation, wrongUser, cm, 2), errInvalidParameter)
	del := map[int]any{2: testDesc{ID: first, Type: "public-key"}}
	status(t, credman(t, k, cmd, cmDeleteCredential, del, cm, 2), statusOK)
	status(t, credman(t, k, cmd, cmDeleteCredential, del, cm, 2), errNoCredentials)
	mustOK(t, credman(t, k, cmd, cmGetCredsMetadata, nil, cm, 2), &meta)
	if *meta.Existing != 2 {
		t.Errorf("%d credentials after a delete, want 2", *meta.Existing)
	}
}
