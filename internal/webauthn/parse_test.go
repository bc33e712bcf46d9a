package webauthn

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// testKey is the least of an authenticator: an ES256 credential whose
// authenticator data the tests build and bend.
type testKey struct {
	priv   *ecdsa.PrivateKey
	credID []byte
}

func newTestKey(t testing.TB) *testKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	return &testKey{priv: priv, credID: id}
}

func (k *testKey) cose() []byte {
	pt, _ := k.priv.PublicKey.Bytes()
	b, err := COSEKey(pt[1:])
	if err != nil {
		panic(err)
	}
	return b
}

func (k *testKey) authData(rpID string, flags byte, counter uint32, attested bool) []byte {
	h := sha256.Sum256([]byte(rpID))
	b := append([]byte{}, h[:]...)
	if attested {
		flags |= FlagAT
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint32(b, counter)
	if attested {
		b = append(b, make([]byte, 16)...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(k.credID)))
		b = append(b, k.credID...)
		b = append(b, k.cose()...)
	}
	return b
}

func mustErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

func TestParseClientData(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"minimal", `{"type":"webauthn.get","challenge":"AAAA","origin":"https://a.example"}`, true},
		{"extra members", `{"type":"webauthn.get","challenge":"AAAA","origin":"https://a.example","crossOrigin":false,"topOrigin":"https://b.example","other":[1]}`, true},
		{"null crossOrigin", `{"type":"webauthn.get","challenge":"AAAA","origin":"o","crossOrigin":null}`, true},
		{"empty", ``, false},
		{"not json", `type=webauthn.get`, false},
		{"array", `["webauthn.get"]`, false},
		{"no type", `{"challenge":"AAAA","origin":"o"}`, false},
		{"numeric type", `{"type":1,"challenge":"AAAA","origin":"o"}`, false},
		{"empty origin", `{"type":"webauthn.get","challenge":"AAAA","origin":""}`, false},
		{"challenge not base64url", `{"type":"webauthn.get","challenge":"A A!","origin":"o"}`, false},
		{"crossOrigin not boolean", `{"type":"webauthn.get","challenge":"AAAA","origin":"o","crossOrigin":"yes"}`, false},
		{"topOrigin not string", `{"type":"webauthn.get","challenge":"AAAA","origin":"o","topOrigin":1}`, false},
		{"not utf-8", "{\"type\":\"webauthn.get\",\"challenge\":\"AAAA\",\"origin\":\"\xff\"}", false},
		{"too large", `{"type":"webauthn.get","challenge":"AAAA","origin":"` + strings.Repeat("a", maxClientData) + `"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseClientData([]byte(tt.in))
			if tt.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tt.ok {
				mustErr(t, err, ErrMalformed)
			}
		})
	}
}

func TestParseAuthenticatorData(t *testing.T) {
	k := newTestKey(t)
	attested := k.authData("example.org", FlagUP, 7, true)
	ext := append(k.authData("example.org", FlagUP|FlagED, 7, false), 0xa1, 0x61, 'x', 0xf5)
	head := func(flags byte) []byte {
		b := make([]byte, 37)
		b[32] = flags
		binary.BigEndian.PutUint32(b[33:], 9)
		return b
	}
	tests := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"assertion", head(FlagUP), true},
		{"attested", attested, true},
		{"extensions", ext, true},
		{"short", make([]byte, 36), false},
		{"trailing bytes", append(head(FlagUP), 0), false},
		{"backup state without eligibility", head(FlagUP | FlagBS), false},
		{"AT without data", head(FlagUP | FlagAT), false},
		{"credential id longer than data", append(append(head(FlagUP|FlagAT), make([]byte, 16)...), 0x00, 0x40, 1), false},
		{"zero-length credential id", append(append(head(FlagUP|FlagAT), make([]byte, 16)...), 0, 0), false},
		{"credential id over 1023", append(append(head(FlagUP|FlagAT), make([]byte, 16)...), 0x04, 0x00), false},
		{"key not cbor", append(bytes.Clone(attested[:len(attested)-len(k.cose())]), 0xff), false},
		{"ED without extensions", head(FlagUP | FlagED), false},
		{"extensions not a map", append(head(FlagUP|FlagED), 0x01), false},
		{"trailing after key", append(bytes.Clone(attested), 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAuthenticatorData(tt.in)
			if !tt.ok {
				mustErr(t, err, ErrMalformed)
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !a.UserPresent() || a.UserVerified() {
				t.Fatalf("flags %02x", a.Flags)
			}
		})
	}
	a, _ := ParseAuthenticatorData(attested)
	if a.SignCount != 7 || !bytes.Equal(a.CredentialID, k.credID) || !bytes.Equal(a.PublicKey, k.cose()) {
		t.Fatalf("parsed %+v", a)
	}
}

func TestParseCOSEKey(t *testing.T) {
	k := newTestKey(t)
	pt, _ := k.priv.PublicKey.Bytes()
	x, y := pt[1:33], pt[33:]
	enc := func(m map[int]any) []byte { b, _ := encMode.Marshal(m); return b }
	offCurve := bytes.Clone(y)
	offCurve[0] ^= 1
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"es256", k.cose(), nil},
		{"rs256", enc(map[int]any{1: 3, 3: -257, -1: []byte{1}, -2: []byte{1, 0, 1}}), ErrUnsupportedAlgorithm},
		{"eddsa", enc(map[int]any{1: 1, 3: -8, -1: 6, -2: x}), ErrUnsupportedAlgorithm},
		{"no alg", enc(map[int]any{1: 2, -1: 1, -2: x, -3: y}), ErrBadPublicKey},
		{"wrong curve", enc(map[int]any{1: 2, 3: -7, -1: 2, -2: x, -3: y}), ErrBadPublicKey},
		{"wrong kty", enc(map[int]any{1: 1, 3: -7, -1: 1, -2: x, -3: y}), ErrBadPublicKey},
		{"short x", enc(map[int]any{1: 2, 3: -7, -1: 1, -2: x[1:], -3: y}), ErrBadPublicKey},
		{"off the curve", enc(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: offCurve}), ErrBadPublicKey},
		{"trailing bytes", append(k.cose(), 0), ErrBadPublicKey},
		{"not a map", []byte{0x01}, ErrBadPublicKey},
		{"duplicate key", []byte{0xa2, 0x01, 0x02, 0x01, 0x02}, ErrBadPublicKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, pub, err := ParseCOSEKey(tt.in)
			if tt.want == nil {
				if err != nil || !pub.Equal(&k.priv.PublicKey) {
					t.Fatalf("es256 key: %v", err)
				}
				return
			}
			mustErr(t, err, tt.want)
		})
	}
}

func TestParseCredentialJSON(t *testing.T) {
	good := `{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"` +
		B64([]byte(`{"type":"webauthn.get","challenge":"AAAA","origin":"o"}`)) + `","authenticatorData":"AAAA","signature":"AAAA","userHandle":null}}`
	if _, err := ParseAssertion([]byte(good)); err != nil {
		t.Fatalf("good assertion: %v", err)
	}
	// Padded and standard-alphabet base64 are tolerated...
	std := strings.Replace(good, `"id":"AAAA","rawId":"AAAA"`, `"id":"AA-_","rawId":"AA+/"`, 1)
	if p, err := ParseAssertion([]byte(std)); err != nil || !bytes.Equal(p.ID, []byte{0, 15, 191}) {
		t.Fatalf("standard alphabet: %v", err)
	}
	// ...but rawId must be id.
	if _, err := ParseAssertion([]byte(strings.Replace(good, `"rawId":"AAAA"`, `"rawId":"AAA="`, 1))); err == nil {
		t.Fatal("rawId differing from id accepted")
	}
	for name, bad := range map[string]string{
		"not json":          `{`,
		"wrong type":        strings.Replace(good, `"public-key"`, `"password"`, 1),
		"id not base64":     strings.Replace(good, `"id":"AAAA"`, `"id":"!!"`, 1),
		"empty id":          strings.Replace(good, `"id":"AAAA","rawId":"AAAA"`, `"id":""`, 1),
		"no signature":      strings.Replace(good, `"signature":"AAAA"`, `"signature":""`, 1),
		"no authenticator":  strings.Replace(good, `"authenticatorData":"AAAA"`, `"authenticatorData":"*"`, 1),
		"bad user handle":   strings.Replace(good, `"userHandle":null`, `"userHandle":"!"`, 1),
		"bad client data":   strings.Replace(good, `"clientDataJSON":"`, `"clientDataJSON":"!`, 1),
		"huge":              `{"id":"` + strings.Repeat("A", maxResponseJSON) + `"}`,
		"registration only": good, // as a registration it lacks attestationObject
	} {
		parse := ParseAssertion
		if name == "registration only" {
			parse = ParseRegistration
		}
		if _, err := parse([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			mustErr(t, err, ErrMalformed)
		}
	}
}
