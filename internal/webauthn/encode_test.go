package webauthn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestCOSEKeyRoundTrip(t *testing.T) {
	k := newTestKey(t)
	pt, _ := k.priv.PublicKey.Bytes()
	b, err := COSEKey(pt[1:])
	if err != nil {
		t.Fatal(err)
	}
	alg, pub, err := ParseCOSEKey(b)
	if err != nil || alg != AlgES256 || !pub.Equal(&k.priv.PublicKey) {
		t.Fatalf("round trip: alg %d, %v", alg, err)
	}
	offCurve := bytes.Clone(pt[1:])
	offCurve[63] ^= 1
	for name, xy := range map[string][]byte{"short": pt[1:64], "uncompressed prefix": pt, "off the curve": offCurve} {
		if _, err := COSEKey(xy); err == nil {
			t.Errorf("%s: encoded", name)
		} else {
			mustErr(t, err, ErrBadPublicKey)
		}
	}
}

func TestEncodeAttestationObject(t *testing.T) {
	k := newTestKey(t)
	ad := k.authData("example.org", FlagUP, 0, true)
	cert := []byte{0x30, 0x00}
	tests := []struct {
		format string
		cert   []byte
		keys   []string
	}{
		{FormatNone, nil, []string{}},
		{FormatPacked, nil, []string{"alg", "sig"}},
		{FormatPacked, cert, []string{"alg", "sig", "x5c"}},
		{FormatFIDOU2F, cert, []string{"sig", "x5c"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.format, len(tt.cert)), func(t *testing.T) {
			b, err := EncodeAttestationObject(tt.format, AlgES256, []byte{1, 2}, tt.cert, ad)
			if err != nil {
				t.Fatal(err)
			}
			ao, err := ParseAttestationObject(b)
			if err != nil {
				t.Fatal(err)
			}
			keys := ao.StmtKeys()
			slices.Sort(keys)
			if ao.Format != tt.format || !bytes.Equal(ao.AuthData.Raw, ad) || !slices.Equal(keys, tt.keys) {
				t.Fatalf("format %q, statement %v, want %v", ao.Format, keys, tt.keys)
			}
			if tt.format != FormatNone && !bytes.Equal(ao.Stmt.Sig, []byte{1, 2}) {
				t.Fatalf("sig %x", ao.Stmt.Sig)
			}
		})
	}
	for name, format := range map[string]string{"fido-u2f without certificate": FormatFIDOU2F, "unknown format": "tpm"} {
		if _, err := EncodeAttestationObject(format, AlgES256, []byte{1}, nil, ad); err == nil {
			t.Errorf("%s: encoded", name)
		} else {
			mustErr(t, err, ErrMalformed)
		}
	}
}

func TestUnwrapAuthData(t *testing.T) {
	ad := newTestKey(t).authData("example.org", FlagUP, 3, false)
	wrapped, _ := encMode.Marshal(ad)
	got, err := UnwrapAuthData(wrapped)
	if err != nil || !bytes.Equal(got, ad) {
		t.Fatalf("unwrap: %v", err)
	}
	short, _ := encMode.Marshal(ad[:36])
	for name, in := range map[string][]byte{
		"empty":          nil,
		"not bytes":      {0xa0},
		"too short":      short,
		"trailing bytes": append(bytes.Clone(wrapped), 0),
	} {
		if _, err := UnwrapAuthData(in); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			mustErr(t, err, ErrMalformed)
		}
	}
}

func TestClientDataJSONParses(t *testing.T) {
	b := ClientDataJSON(TypeCreate, []byte{0xfb, 0xff}, "https://example.org")
	if string(b) != `{"type":"webauthn.create","challenge":"-_8","origin":"https://example.org","crossOrigin":false}` {
		t.Fatalf("client data %s", b)
	}
	c, err := ParseClientData(b)
	if err != nil || c.Type != TypeCreate || c.Challenge != "-_8" || c.Origin != "https://example.org" || c.CrossOrigin {
		t.Fatalf("parsed %+v, %v", c, err)
	}
}

func TestDecodeB64(t *testing.T) {
	for in, want := range map[string][]byte{"-_8": {0xfb, 0xff}, "+/8=": {0xfb, 0xff}, " AAE= ": {0, 1}, "": {}} {
		if got, err := DecodeB64(in); err != nil || !bytes.Equal(got, want) {
			t.Errorf("DecodeB64(%q) = %x, %v; want %x", in, got, err, want)
		}
	}
	for _, in := range []string{"!!", "A", "AA AA"} {
		if _, err := DecodeB64(in); err == nil {
			t.Errorf("DecodeB64(%q) accepted", in)
		}
	}
}

// The options keep the shape servers and browsers expect: empty optional
// members are left out, except an explicitly empty exclude list.
func TestOptionsJSON(t *testing.T) {
	co := CreationOptions{
		RP: RPEntity{ID: "example.org", Name: "Example"}, User: UserEntity{ID: "AA", Name: "a", DisplayName: "a"},
		Challenge: "AAAA", PubKeyCredParams: []CredentialParameter{{Type: TypePublicKey, Alg: AlgES256}},
		Timeout: 60000, ExcludeCredentials: []CredentialDescriptor{},
		AuthenticatorSelection: AuthenticatorSelection{ResidentKey: "discouraged", UserVerification: "required"},
		Attestation:            "direct",
	}
	want := `{"rp":{"id":"example.org","name":"Example"},"user":{"id":"AA","name":"a","displayName":"a"},` +
		`"challenge":"AAAA","pubKeyCredParams":[{"type":"public-key","alg":-7}],"timeout":60000,"excludeCredentials":[],` +
		`"authenticatorSelection":{"residentKey":"discouraged","userVerification":"required"},"attestation":"direct"}`
	if b, _ := json.Marshal(co); string(b) != want {
		t.Errorf("creation options\n got %s\nwant %s", b, want)
	}
	co.ExcludeCredentials, co.AuthenticatorSelection, co.Extensions = nil, AuthenticatorSelection{}, Extensions{AppIDExclude: "https://a.example"}
	if b, _ := json.Marshal(co); bytes.Contains(b, []byte("excludeCredentials")) || bytes.Contains(b, []byte("authenticatorSelection")) ||
		!bytes.Contains(b, []byte(`"extensions":{"appidExclude":"https://a.example"}`)) {
		t.Errorf("creation options without exclusions or selection: %s", b)
	}
	ro := RequestOptions{Challenge: "AAAA", RPID: "example.org", Extensions: Extensions{AppID: "https://a.example"}}
	if b, _ := json.Marshal(ro); string(b) != `{"challenge":"AAAA","rpId":"example.org","extensions":{"appid":"https://a.example"}}` {
		t.Errorf("request options %s", b)
	}
}

func TestDefaultOrigin(t *testing.T) {
	for rpID, want := range map[string]string{"localhost": "http://localhost", "example.org": "https://example.org", "a.localhost": "https://a.localhost"} {
		if got := DefaultOrigin(rpID); got != want {
			t.Errorf("DefaultOrigin(%q) = %q, want %q", rpID, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("a", 39) + "é" + "tail"
	for in, want := range map[string]string{
		"short":                 "short",
		strings.Repeat("b", 40): strings.Repeat("b", 40),
		strings.Repeat("b", 41): strings.Repeat("b", 40) + "…",
		long:                    strings.Repeat("a", 39) + "…", // é would straddle byte 40
	} {
		if got := Clip(in); got != want {
			t.Errorf("Clip(%q) = %q, want %q", in, got, want)
		}
	}
}
