package softkey

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

func TestStateRoundTrip(t *testing.T) {
	var changes atomic.Int32
	k := newTestKey(t, FIDO2, Options{Changed: func() { changes.Add(1) }})
	cred, _ := makeCredential(t, k, k.CTAP2, makeCredReq("example.com", []byte("u"), hash("1")))
	rkReq := makeCredReq("example.com", []byte("resident"), hash("2"))
	rkReq.Options = map[string]bool{"rk": true}
	makeCredential(t, k, k.CTAP2, rkReq)
	reg := register(t, k.U2F, hash("c"), hash("app"))
	status(t, newPlatform(t, k.CTAP2).setPIN("1234"), statusOK)
	tok, _ := newPlatform(t, k.CTAP2).pinToken("1234")
	ga := testGetAssertion{RPID: "example.com", CDH: hash("a"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}}
	pa := pinAuthOf(tok, ga.CDH)
	ga.PinAuth, ga.PinProtocol = &pa, 1
	ad, _ := getAssertion(t, k.CTAP2, ga)
	if changes.Load() == 0 {
		t.Error("Changed never called")
	}

	st, err := k.State()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := Load(st, Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if k2.Mode() != FIDO2 || k2.AAGUID() != k.AAGUID() || k2.Counter() != k.Counter() {
		t.Errorf("mode %v aaguid %x counter %d", k2.Mode(), k2.AAGUID(), k2.Counter())
	}
	if !bytes.Equal(k2.AttestationCertificate(), k.AttestationCertificate()) || !bytes.Equal(k2.RootCertificate(), k.RootCertificate()) {
		t.Error("attestation certificate changed across Load")
	}
	// The credential still works, the counter continues, the PIN is kept
	// (the old PIN token is not: it belongs to the previous power-up).
	ga.PinAuth, ga.PinProtocol = nil, 0
	ad2, resp := getAssertion(t, k2.CTAP2, ga)
	verifySig(t, cred.pub, resp.Signature, resp.AuthData, ga.CDH)
	if ad2.counter <= ad.counter {
		t.Errorf("counter %d after reload, was %d", ad2.counter, ad.counter)
	}
	status(t, k2.CTAP2(ctapReq(t, cmdMakeCredential, withPIN(makeCredReq("example.com", []byte("u"), hash("1")), tok))), errPINAuthInvalid)
	if _, st := newPlatform(t, k2.CTAP2).pinToken("1234"); st != statusOK {
		t.Errorf("PIN lost across Load: %#x", st)
	}
	_, disc := getAssertion(t, k2.CTAP2, testGetAssertion{RPID: "example.com", CDH: hash("d")})
	if disc.User == nil || string(disc.User.ID) != "resident" {
		t.Errorf("resident credential lost: %+v", disc.User)
	}
	sw, data := swOf(t, k2.U2F(authAPDU(u2fEnforcePresent, hash("c2"), hash("app"), reg.kh)))
	if sw != swNoError {
		t.Fatalf("U2F key handle after reload: SW %#04x", sw)
	}
	verifySig(t, reg.pub, data[5:], hash("app"), data[:5], hash("c2"))

	// A U2F-only key keeps its mode.
	u, _ := New(U2FOnly, Options{})
	ust, _ := u.State()
	if u2, err := Load(ust, Options{}); err != nil || u2.Mode() != U2FOnly {
		t.Errorf("U2F-only round trip: %v %v", u2.Mode(), err)
	}
}

func TestLoadRejectsBadState(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	good, _ := k.State()
	other := newTestKey(t, FIDO2, Options{})
	otherState, _ := other.State()
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	var om map[string]any
	json.Unmarshal(otherState, &om)
	tests := []struct {
		name  string
		state []byte
	}{
		{"empty", nil},
		{"not JSON", []byte("hello")},
		{"future version", edit(func(m map[string]any) { m["version"] = 2 })},
		{"unknown mode", edit(func(m map[string]any) { m["mode"] = "ctap3" })},
		{"short master key", edit(func(m map[string]any) { m["master_key"] = "AAAA" })},
		{"short aaguid", edit(func(m map[string]any) { m["aaguid"] = "AAAA" })},
		{"garbage attestation key", edit(func(m map[string]any) { m["attestation_key"] = "AAAA" })},
		{"certificate of another key", edit(func(m map[string]any) { m["attestation_cert"] = om["attestation_cert"] })},
		{"pin retries out of range", edit(func(m map[string]any) { m["pin_retries"] = 9 })},
		{"pin hash of the wrong size", edit(func(m map[string]any) { m["pin_hash"] = "AAAA" })},
		{"foreign resident credential", edit(func(m map[string]any) {
			m["resident"] = []map[string]any{{"id": "AQID", "rp_id": "x", "user_id": "AQ==", "seq": 1}}
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.state, Options{})
			if !errors.Is(err, ErrInvalidState) {
				t.Fatalf("Load: %v, want ErrInvalidState", err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || strings.HasSuffix(msg, ".") {
				t.Errorf("error %q is not one line without a trailing period", msg)
			}
		})
	}
}

func TestNewRejectsUnknownMode(t *testing.T) {
	if _, err := New(Mode(7), Options{}); !errors.Is(err, ErrInvalidMode) {
		t.Errorf("New(Mode(7)): %v, want ErrInvalidMode", err)
	}
	if _, err := ParseMode("ctap"); !errors.Is(err, ErrInvalidMode) {
		t.Errorf("ParseMode: %v", err)
	}
	for _, m := range []Mode{U2FOnly, FIDO2} {
		if got, err := ParseMode(m.String()); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v", m.String(), got, err)
		}
	}
}

func TestStateDoesNotLeakIntoErrors(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	good, _ := k.State()
	var m map[string]any
	json.Unmarshal(good, &m)
	secret := m["master_key"].(string)
	m["version"] = 99
	bad, _ := json.Marshal(m)
	_, err := Load(bad, Options{})
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("error %v", err)
	}
}
