package softkey

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"
)

// platform is the host half of a PIN/UV auth protocol.
type platform struct {
	t      testing.TB
	send   func([]byte) []byte
	proto  pinProtocol
	key    *ecdh.PrivateKey
	shared []byte
}

type testPINResp struct {
	KeyAgreement *coseKey `cbor:"1,keyasint"`
	PinToken     []byte   `cbor:"2,keyasint"`
	Retries      *int     `cbor:"3,keyasint"`
}

// newPlatform runs getKeyAgreement and derives the shared secret, for PIN
// protocol 1.
func newPlatform(t testing.TB, send func([]byte) []byte) *platform {
	t.Helper()
	return newPlatformProto(t, send, 1)
}

func newPlatformProto(t testing.TB, send func([]byte) []byte, proto pinProtocol) *platform {
	t.Helper()
	var resp testPINResp
	mustOK(t, send(ctapReq(t, cmdClientPIN, map[int]int{1: int(proto), 2: pinGetKeyAgreement})), &resp)
	ka := resp.KeyAgreement
	if ka == nil || ka.Kty != 2 || ka.Crv != 1 || ka.Alg != -25 {
		t.Fatalf("key agreement %+v", ka)
	}
	dev, err := ecdh.P256().NewPublicKey(append(append([]byte{4}, ka.X...), ka.Y...))
	if err != nil {
		t.Fatalf("key agreement point: %v", err)
	}
	key, _ := ecdh.P256().GenerateKey(rand.Reader)
	z, err := key.ECDH(dev)
	if err != nil {
		t.Fatal(err)
	}
	var shared []byte
	if proto == 1 {
		s := sha256.Sum256(z)
		shared = s[:]
	} else {
		// CTAP 2.1 §6.5.7, computed independently of pinProtocol.kdf.
		salt := make([]byte, 32)
		hk, _ := hkdf.Key(sha256.New, z, salt, "CTAP2 HMAC key", 32)
		ak, _ := hkdf.Key(sha256.New, z, salt, "CTAP2 AES key", 32)
		shared = append(hk, ak...)
	}
	return &platform{t: t, send: send, proto: proto, key: key, shared: shared}
}

func (p *platform) encrypt(b []byte) []byte {
	enc, ok := p.proto.encrypt(p.shared, b)
	if !ok {
		p.t.Fatal("encrypt failed")
	}
	return enc
}

func (p *platform) auth(msg ...[]byte) []byte { return p.proto.authenticate(p.shared, msg...) }

func (p *platform) cose() coseKey {
	return coseFromUncompressed(p.key.PublicKey().Bytes(), coseECDHESHKDF256)
}

func (p *platform) padPIN(pin string) []byte {
	padded := make([]byte, 64)
	copy(padded, pin)
	return p.encrypt(padded)
}

func (p *platform) pinHashEnc(pin string) []byte {
	h := sha256.Sum256([]byte(pin))
	return p.encrypt(h[:16])
}

func (p *platform) setPIN(pin string) []byte {
	enc := p.padPIN(pin)
	return p.send(ctapReq(p.t, cmdClientPIN, map[int]any{1: int(p.proto), 2: pinSetPIN, 3: p.cose(), 4: p.auth(enc), 5: enc}))
}

func (p *platform) changePIN(old, pin string) []byte {
	enc, hashEnc := p.padPIN(pin), p.pinHashEnc(old)
	return p.send(ctapReq(p.t, cmdClientPIN, map[int]any{1: int(p.proto), 2: pinChangePIN, 3: p.cose(), 4: p.auth(enc, hashEnc), 5: enc, 6: hashEnc}))
}

// pinToken returns the decrypted PIN token, or nil and the status.
func (p *platform) pinToken(pin string) ([]byte, byte) {
	resp := p.send(ctapReq(p.t, cmdClientPIN, map[int]any{1: int(p.proto), 2: pinGetPINToken, 3: p.cose(), 6: p.pinHashEnc(pin)}))
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

func retries(t testing.TB, send func([]byte) []byte) int {
	t.Helper()
	var r testPINResp
	mustOK(t, send(ctapReq(t, cmdClientPIN, map[int]int{1: 1, 2: pinGetRetries})), &r)
	if r.Retries == nil {
		t.Fatal("getRetries without retries")
	}
	return *r.Retries
}

func withPIN(req testMakeCred, token []byte) testMakeCred {
	return withPINProto(req, token, 1)
}

func withPINProto(req testMakeCred, token []byte, proto pinProtocol) testMakeCred {
	pa := proto.authenticate(token, req.CDH)
	req.PinAuth, req.PinProtocol = &pa, int(proto)
	return req
}

func TestClientPINFlows(t *testing.T) {
	for _, proto := range []pinProtocol{1, 2} {
		t.Run(fmt.Sprintf("protocol %d", proto), func(t *testing.T) { testClientPINFlows(t, proto) })
	}
}

func testClientPINFlows(t *testing.T, proto pinProtocol) {
	newPlatform := func(t testing.TB, send func([]byte) []byte) *platform { return newPlatformProto(t, send, proto) }
	withPIN := func(req testMakeCred, token []byte) testMakeCred { return withPINProto(req, token, proto) }
	k := newTestKey(t, FIDO2, Options{})
	h := openChannel(t, k)
	send := h.cbor
	if n := retries(t, send); n != 8 {
		t.Fatalf("retries %d, want 8", n)
	}
	p := newPlatform(t, send)
	if _, st := p.pinToken("1234"); st != errPINNotSet {
		t.Errorf("getPinToken without PIN: %#x, want PIN_NOT_SET", st)
	}
	status(t, p.setPIN("123"), errPINPolicyViolation)
	status(t, p.setPIN("1234"), statusOK)
	status(t, newPlatform(t, send).setPIN("5678"), errPINAuthInvalid) // already set

	// PIN required, then accepted.
	req := makeCredReq("example.com", []byte("u"), hash("cdh"))
	status(t, send(ctapReq(t, cmdMakeCredential, req)), errPINRequired)
	tok, st := newPlatform(t, send).pinToken("1234")
	if st != statusOK {
		t.Fatalf("getPinToken: %#x", st)
	}
	cred, _ := makeCredential(t, k, send, withPIN(req, tok))
	if cred.flags&flagUV == 0 {
		t.Error("UV not set with a valid pinAuth")
	}
	// A wrong pinAuth is refused.
	status(t, send(ctapReq(t, cmdMakeCredential, withPIN(req, make([]byte, 32)))), errPINAuthInvalid)
	// getAssertion: pinAuth gives UV; without it the assertion has no UV.
	ga := testGetAssertion{RPID: "example.com", CDH: hash("a"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}}
	ad, _ := getAssertion(t, send, ga)
	if ad.flags&flagUV != 0 {
		t.Error("UV without pinAuth")
	}
	pa := proto.authenticate(tok, ga.CDH)
	ga.PinAuth, ga.PinProtocol = &pa, int(proto)
	if ad, _ := getAssertion(t, send, ga); ad.flags&flagUV == 0 {
		t.Error("no UV with pinAuth")
	}

	// Wrong PINs decrease the retries.
	for want := 7; want >= 6; want-- {
		if _, st := newPlatform(t, send).pinToken("0000"); st != errPINInvalid {
			t.Fatalf("wrong PIN: %#x, want PIN_INVALID", st)
		}
		if n := retries(t, send); n != want {
			t.Errorf("retries %d, want %d", n, want)
		}
	}
	// The right PIN restores them.
	if _, st := newPlatform(t, send).pinToken("1234"); st != statusOK {
		t.Fatalf("right PIN: %#x", st)
	}
	if n := retries(t, send); n != 8 {
		t.Errorf("retries %d after the right PIN, want 8", n)
	}

	// Change PIN: wrong current PIN, then right.
	status(t, newPlatform(t, send).changePIN("9999", "abcd"), errPINInvalid)
	status(t, newPlatform(t, send).changePIN("1234", "abc"), errPINPolicyViolation)
	status(t, newPlatform(t, send).changePIN("1234", "abcdef"), statusOK)
	if _, st := newPlatform(t, send).pinToken("1234"); st != errPINInvalid {
		t.Errorf("old PIN after change: %#x", st)
	}
	if _, st := newPlatform(t, send).pinToken("abcdef"); st != statusOK {
		t.Errorf("new PIN after change: %#x", st)
	}
	// The old token is still this power cycle's token; a new power cycle
	// invalidates it.
	k.Reset()
	h = openChannel(t, k)
	status(t, h.cbor(ctapReq(t, cmdMakeCredential, withPIN(req, tok))), errPINAuthInvalid)
}

func TestPINBlocking(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	status(t, newPlatform(t, k.CTAP2).setPIN("1234"), statusOK)
	wrong := func() byte { _, st := newPlatform(t, k.CTAP2).pinToken("0000"); return st }
	// Three in a row need a power cycle.
	for i, want := range []byte{errPINInvalid, errPINInvalid, errPINAuthBlocked, errPINAuthBlocked} {
		if st := wrong(); st != want {
			t.Fatalf("attempt %d: %#x, want %#x", i+1, st, want)
		}
	}
	if _, st := newPlatform(t, k.CTAP2).pinToken("1234"); st != errPINAuthBlocked {
		t.Errorf("right PIN while auth-blocked: %#x", st)
	}
	if n := retries(t, k.CTAP2); n != 5 {
		t.Errorf("retries %d, want 5", n)
	}
	// After 8 wrong PINs in all, the PIN is blocked for good.
	k.Reset()
	for i, want := range []byte{errPINInvalid, errPINInvalid, errPINAuthBlocked} {
		if st := wrong(); st != want {
			t.Fatalf("second cycle attempt %d: %#x, want %#x", i+1, st, want)
		}
	}
	k.Reset()
	for i, want := range []byte{errPINInvalid, errPINBlocked, errPINBlocked} {
		if st := wrong(); st != want {
			t.Fatalf("third cycle attempt %d: %#x, want %#x", i+1, st, want)
		}
	}
	if _, st := newPlatform(t, k.CTAP2).pinToken("1234"); st != errPINBlocked {
		t.Errorf("right PIN when blocked: %#x", st)
	}
	if n := retries(t, k.CTAP2); n != 0 {
		t.Errorf("retries %d, want 0", n)
	}
	k.Reset()
	if _, st := newPlatform(t, k.CTAP2).pinToken("1234"); st != errPINBlocked {
		t.Errorf("PIN block survived no power cycle: %#x", st)
	}
}

func TestTouchProbe(t *testing.T) {
	touch := &scriptedTouch{}
	k := newTestKey(t, FIDO2, Options{Touch: touch.touch})
	probe := func() []byte {
		req := makeCredReq("example.com", []byte("u"), hash("cdh"))
		empty := []byte{}
		req.PinAuth, req.PinProtocol = &empty, 1
		return k.CTAP2(ctapReq(t, cmdMakeCredential, req))
	}
	status(t, probe(), errPINNotSet)
	status(t, newPlatform(t, k.CTAP2).setPIN("1234"), statusOK)
	status(t, probe(), errPINInvalid)
	ga := testGetAssertion{RPID: "example.com", CDH: hash("x")}
	empty := []byte{}
	ga.PinAuth, ga.PinProtocol = &empty, 1
	status(t, k.CTAP2(ctapReq(t, cmdGetAssertion, ga)), errPINInvalid)
	if len(touch.purposes) != 3 {
		t.Errorf("touches %q, want one per probe", touch.purposes)
	}
	// A refused touch is reported as such.
	touch.answers = []bool{false}
	status(t, probe(), errOperationDenied)
}

func TestPINRequestErrors(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	p := newPlatform(t, k.CTAP2)
	enc := p.padPIN("1234")
	bad := p.cose()
	bad.X = bad.X[:31]
	offCurve := p.cose()
	offCurve.Y = append([]byte(nil), offCurve.X...)
	tests := []struct {
		name string
		req  map[int]any
		want byte
	}{
		{"setPIN without newPinEnc", map[int]any{1: 1, 2: pinSetPIN, 3: p.cose(), 4: pinAuthOf(p.shared, enc)}, errMissingParameter},
		{"setPIN with a short key", map[int]any{1: 1, 2: pinSetPIN, 3: bad, 4: pinAuthOf(p.shared, enc), 5: enc}, errInvalidParameter},
		{"setPIN with a point off the curve", map[int]any{1: 1, 2: pinSetPIN, 3: offCurve, 4: pinAuthOf(p.shared, enc), 5: enc}, errInvalidParameter},
		{"setPIN with a wrong pinAuth", map[int]any{1: 1, 2: pinSetPIN, 3: p.cose(), 4: make([]byte, 16), 5: enc}, errPINAuthInvalid},
		{"setPIN with a ragged newPinEnc", map[int]any{1: 1, 2: pinSetPIN, 3: p.cose(), 4: pinAuthOf(p.shared, enc[:50]), 5: enc[:50]}, errInvalidParameter},
		{"changePIN without a PIN", map[int]any{1: 1, 2: pinChangePIN, 3: p.cose(), 4: make([]byte, 16), 5: enc, 6: make([]byte, 16)}, errPINNotSet},
		{"keyAgreement of the wrong type", map[int]any{1: 1, 2: pinSetPIN, 3: "key", 4: make([]byte, 16), 5: enc}, errCBORUnexpectedType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status(t, k.CTAP2(ctapReq(t, cmdClientPIN, tc.req)), tc.want)
		})
	}
	// 64-character PIN: too long once padded to 64 bytes without a terminator.
	long := make([]byte, 64)
	for i := range long {
		long[i] = 'x'
	}
	status(t, p.setPIN(string(long)), errPINPolicyViolation)
}

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func fakeClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestChangePINCountsWrongPINs(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	status(t, newPlatform(t, k.CTAP2).setPIN("1234"), statusOK)
	for _, want := range []byte{errPINInvalid, errPINInvalid, errPINAuthBlocked} {
		status(t, newPlatform(t, k.CTAP2).changePIN("0000", "5678"), want)
	}
	status(t, newPlatform(t, k.CTAP2).changePIN("1234", "5678"), errPINAuthBlocked)
	k.Reset()
	status(t, newPlatform(t, k.CTAP2).changePIN("1234", "5678"), statusOK)
	if n := retries(t, k.CTAP2); n != 8 {
		t.Errorf("retries %d after a successful change, want 8", n)
	}
}
