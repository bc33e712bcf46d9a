package softkey

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"testing"
)

// extendedAPDU encodes an APDU the way libfido2 does: extended Lc and a
// two-byte Le.
func extendedAPDU(ins, p1 byte, data []byte) []byte {
	a := []byte{0, ins, p1, 0, 0, byte(len(data) >> 8), byte(len(data))}
	a = append(a, data...)
	return append(a, 0, 0)
}

func swOf(t testing.TB, resp []byte) (uint16, []byte) {
	t.Helper()
	if len(resp) < 2 {
		t.Fatalf("U2F response of %d bytes", len(resp))
	}
	return binary.BigEndian.Uint16(resp[len(resp)-2:]), resp[:len(resp)-2]
}

// u2fRegistration is a parsed U2F registration response.
type u2fRegistration struct {
	pub  *ecdsa.PublicKey
	kh   []byte
	cert *x509.Certificate
}

// register runs U2F_REGISTER through send and verifies the response: format,
// certificate and the attestation signature.
func register(t testing.TB, send func([]byte) []byte, chal, app []byte) u2fRegistration {
	t.Helper()
	resp := send(extendedAPDU(u2fRegister, 0, append(bytes.Clone(chal), app...)))
	st, data := swOf(t, resp)
	if st != swNoError {
		t.Fatalf("register: SW %#04x", st)
	}
	if data[0] != 0x05 {
		t.Fatalf("reserved byte %#x, want 0x05", data[0])
	}
	pubBytes := data[1:66]
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pubBytes)
	if err != nil {
		t.Fatalf("user public key: %v", err)
	}
	khLen := int(data[66])
	kh := data[67 : 67+khLen]
	rest := data[67+khLen:]
	cert, err := x509.ParseCertificate(rest)
	if err == nil {
		t.Fatal("certificate parsed with the signature still appended")
	}
	// The certificate is a DER SEQUENCE with a two-byte length.
	certLen := 4 + int(binary.BigEndian.Uint16(rest[2:4]))
	cert, err = x509.ParseCertificate(rest[:certLen])
	if err != nil {
		t.Fatalf("attestation certificate: %v", err)
	}
	sig := rest[certLen:]
	attPub := cert.PublicKey.(*ecdsa.PublicKey)
	verifySig(t, attPub, sig, []byte{0}, app, chal, kh, pubBytes)
	return u2fRegistration{pub: pub, kh: kh, cert: cert}
}

func authAPDU(control byte, chal, app, kh []byte) []byte {
	data := append(append(bytes.Clone(chal), app...), byte(len(kh)))
	return extendedAPDU(u2fAuthenticate, control, append(data, kh...))
}

func TestU2FRegisterAndAuthenticate(t *testing.T) {
	for _, mode := range []Mode{U2FOnly, FIDO2} {
		t.Run(mode.String(), func(t *testing.T) {
			k := newTestKey(t, mode, Options{})
			h := openChannel(t, k)
			chal, app := hash("challenge"), hash("https://example.com")
			reg := register(t, h.msg, chal, app)
			if len(reg.kh) != CredentialIDLen {
				t.Errorf("key handle of %d bytes", len(reg.kh))
			}
			if !bytes.Equal(reg.cert.Raw, k.AttestationCertificate()) {
				t.Error("registration does not carry the attestation certificate")
			}

			var last uint32
			for i, tc := range []struct {
				control byte
				flags   byte
			}{
				{u2fEnforcePresent, flagUP},
				{u2fDontEnforce, 0},
				{u2fEnforcePresent, flagUP},
			} {
				chal := hash("auth challenge " + string(rune('a'+i)))
				st, data := swOf(t, h.msg(authAPDU(tc.control, chal, app, reg.kh)))
				if st != swNoError {
					t.Fatalf("authenticate %#x: SW %#04x", tc.control, st)
				}
				if data[0] != tc.flags {
					t.Errorf("control %#x: flags %#x, want %#x", tc.control, data[0], tc.flags)
				}
				counter := binary.BigEndian.Uint32(data[1:5])
				if counter <= last {
					t.Errorf("counter %d after %d: not increasing", counter, last)
				}
				last = counter
				verifySig(t, reg.pub, data[5:], app, data[:5], chal)
			}
			if k.Counter() != last {
				t.Errorf("Counter() = %d, want %d", k.Counter(), last)
			}
		})
	}
}

func TestU2FAuthenticateControlAndErrors(t *testing.T) {
	k := newTestKey(t, U2FOnly, Options{})
	chal, app := hash("c"), hash("app")
	reg := register(t, k.U2F, chal, app)
	other := bytes.Clone(reg.kh)
	other[len(other)-1] ^= 1
	tests := []struct {
		name string
		apdu []byte
		want uint16
	}{
		{"check-only, our key handle", authAPDU(u2fCheckOnly, chal, app, reg.kh), swConditionsNotSatisfied},
		{"check-only, foreign key handle", authAPDU(u2fCheckOnly, chal, app, other), swWrongData},
		{"check-only, other application", authAPDU(u2fCheckOnly, chal, hash("other app"), reg.kh), swWrongData},
		{"enforce, foreign key handle", authAPDU(u2fEnforcePresent, chal, app, other), swWrongData},
		{"dont-enforce, other application", authAPDU(u2fDontEnforce, chal, hash("other"), reg.kh), swWrongData},
		{"unknown control byte", authAPDU(0x05, chal, app, reg.kh), swWrongP1P2},
		{"key handle length disagrees", extendedAPDU(u2fAuthenticate, u2fEnforcePresent, append(append(bytes.Clone(chal), app...), 200)), swWrongLength},
		{"register with short data", extendedAPDU(u2fRegister, 0, chal), swWrongLength},
		{"bad CLA", append([]byte{0x80}, extendedAPDU(u2fVersion, 0, nil)[1:]...), swClaNotSupported},
		{"unknown INS", extendedAPDU(0x40, 0, nil), swInsNotSupported},
		{"APDU shorter than a header", []byte{0, 1}, swWrongLength},
		{"Lc disagrees with data", []byte{0, u2fRegister, 0, 0, 0, 0, 64, 1, 2, 3}, swWrongLength},
		{"version with data", extendedAPDU(u2fVersion, 0, []byte{1}), swWrongLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if st, _ := swOf(t, k.U2F(tc.apdu)); st != tc.want {
				t.Errorf("SW %#04x, want %#04x", st, tc.want)
			}
		})
	}
}

func TestU2FVersionEncodings(t *testing.T) {
	k := newTestKey(t, U2FOnly, Options{})
	for _, apdu := range [][]byte{
		{0, u2fVersion, 0, 0},                      // case 1
		{0, u2fVersion, 0, 0, 0},                   // short Le
		{0, u2fVersion, 0, 0, 0, 0, 0},             // extended Le
		{0, u2fVersion, 0, 0, 0, 0, 0, 0, 0},       // libfido2: Lc=0 and Le
		extendedAPDU(u2fVersion, 0, nil),           // same, built
		{0, u2fVersion, 0, 0, 0, 0, 0, 0, 0, 0, 0}, // too long
	} {
		st, data := swOf(t, k.U2F(apdu))
		wantOK := len(apdu) <= 9
		if wantOK && (st != swNoError || string(data) != "U2F_V2") {
			t.Errorf("% x: SW %#04x %q", apdu, st, data)
		}
		if !wantOK && st != swWrongLength {
			t.Errorf("% x: SW %#04x, want wrong length", apdu, st)
		}
	}
}

func TestU2FShortAPDU(t *testing.T) {
	k := newTestKey(t, U2FOnly, Options{})
	chal, app := hash("c"), hash("a")
	apdu := append([]byte{0, u2fRegister, 0, 0, 64}, append(bytes.Clone(chal), app...)...)
	send := func([]byte) []byte { return k.U2F(apdu) }
	register(t, send, chal, app)
}

func TestU2FConditionsNotSatisfiedUntilTouched(t *testing.T) {
	touch := &scriptedTouch{answers: []bool{false, false}}
	k := newTestKey(t, U2FOnly, Options{Touch: touch.touch})
	h := openChannel(t, k)
	chal, app := hash("c"), hash("a")
	apdu := extendedAPDU(u2fRegister, 0, append(bytes.Clone(chal), app...))
	// The touch query says no: conditions not satisfied.
	if st, _ := swOf(t, h.msg(apdu)); st != swConditionsNotSatisfied {
		t.Fatalf("first register: SW %#04x, want 6985", st)
	}
	// The host polls, as libfido2 does, until the touch arrives.
	var resp []byte
	for range 50 {
		resp = h.msg(apdu)
		if st, _ := swOf(t, resp); st != swConditionsNotSatisfied {
			break
		}
	}
	reg := register(t, func([]byte) []byte { return resp }, chal, app)

	// Authentication is gated the same way; check-only is not.
	touch.mu.Lock()
	touch.answers = []bool{false}
	touch.mu.Unlock()
	if st, _ := swOf(t, h.msg(authAPDU(u2fCheckOnly, chal, app, reg.kh))); st != swConditionsNotSatisfied {
		t.Fatalf("check-only: SW %#04x", st)
	}
	if st, _ := swOf(t, h.msg(authAPDU(u2fEnforcePresent, chal, app, reg.kh))); st != swConditionsNotSatisfied {
		t.Fatalf("first authenticate: SW %#04x, want 6985", st)
	}
	ok := false
	for range 50 {
		if st, _ := swOf(t, h.msg(authAPDU(u2fEnforcePresent, chal, app, reg.kh))); st == swNoError {
			ok = true
			break
		}
	}
	if !ok {
		t.Fatal("authenticate never succeeded after the touch")
	}
	// Dont-enforce needs no touch.
	touch.mu.Lock()
	touch.answers = []bool{false, false, false}
	touch.mu.Unlock()
	if st, _ := swOf(t, h.msg(authAPDU(u2fDontEnforce, chal, app, reg.kh))); st != swNoError {
		t.Errorf("dont-enforce: SW %#04x", st)
	}
	touch.mu.Lock()
	defer touch.mu.Unlock()
	if want := "register u2f app " + hex.EncodeToString(app[:4]); len(touch.purposes) == 0 || touch.purposes[0] != want {
		t.Errorf("touch purposes %q, want %q first", touch.purposes, want)
	}
}

func TestNameApplicationNamesTouchPrompts(t *testing.T) {
	touch := &scriptedTouch{}
	k := newTestKey(t, U2FOnly, Options{Touch: touch.touch})
	k.NameApplication("https://example.com")
	reg := register(t, k.U2F, hash("c"), hash("https://example.com"))
	if st, _ := swOf(t, k.U2F(authAPDU(u2fEnforcePresent, hash("c"), hash("https://example.com"), reg.kh))); st != swNoError {
		t.Fatalf("authenticate: SW %#04x", st)
	}
	want := []string{"register https://example.com", "authenticate https://example.com"}
	if !slices.Equal(touch.purposes, want) {
		t.Errorf("purposes %q, want %q", touch.purposes, want)
	}
}
