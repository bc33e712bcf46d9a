package verifier

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/json"
	"github.com/vmfa/vmfa/internal/webauthn"
	"math/big"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// testKey is a software authenticator for the tests: it answers the
// verifier's options with the PublicKeyCredential JSON a browser would
// produce, and each field can be bent to exercise one check.
type testKey struct {
	priv    *ecdsa.PrivateKey
	credID  []byte
	aaguid  []byte
	counter uint32
	// attestation material
	attKey  *ecdsa.PrivateKey
	attCert []byte
}

// ceremony bends one response.
type ceremony struct {
	format      string // none, packed, packed-self, fido-u2f (registration)
	typ         string // client data type override
	challenge   string // challenge override (base64url)
	origin      string
	rpID        string // rpIdHash over this instead of the options' RP ID
	flags       byte   // authenticator data flags; 0 means UP
	counter     *uint32
	crossOrigin bool
	tamper      bool // flip a bit of the signature
	appIDUsed   bool
	userHandle  []byte
	otherKey    bool // sign with a fresh, unregistered credential
}

var encMode = func() cbor.EncMode {
	em, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return em
}()

func newTestKey(t testing.TB) *testKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	return &testKey{priv: priv, credID: id, aaguid: make([]byte, 16)}
}

func (k *testKey) cose() []byte {
	pt, _ := k.priv.PublicKey.Bytes()
	b, err := encMode.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: pt[1:33], -3: pt[33:]})
	if err != nil {
		panic(err)
	}
	return b
}

func (k *testKey) authData(rpID string, flags byte, counter uint32, attested bool) []byte {
	h := sha256.Sum256([]byte(rpID))
	b := append([]byte{}, h[:]...)
	if attested {
		flags |= webauthn.FlagAT
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint32(b, counter)
	if attested {
		b = append(b, k.aaguid...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(k.credID)))
		b = append(b, k.credID...)
		b = append(b, k.cose()...)
	}
	return b
}

func clientData(typ, challenge, origin string, crossOrigin bool) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": crossOrigin})
	return b
}

func sign(t testing.TB, key *ecdsa.PrivateKey, data []byte, tamper bool) []byte {
	h := sha256.Sum256(data)
	sig, err := ecdsa.SignASN1(rand.Reader, key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	if tamper {
		sig[len(sig)-1] ^= 1
	}
	return sig
}

func (c *ceremony) defaults(rpID, challenge, origin string) {
	if c.rpID == "" {
		c.rpID = rpID
	}
	if c.challenge == "" {
		c.challenge = challenge
	}
	if c.origin == "" {
		c.origin = origin
	}
	if c.flags == 0 {
		c.flags = webauthn.FlagUP
	}
}

// register answers creation options.
func (k *testKey) register(t testing.TB, opts *CreationOptions, origin string, c ceremony) []byte {
	t.Helper()
	c.defaults(opts.RP.ID, opts.Challenge, origin)
	if c.typ == "" {
		c.typ = webauthn.TypeCreate
	}
	if c.format == "" {
		c.format = "none"
	}
	var counter uint32
	if c.counter != nil {
		counter = *c.counter
	}
	cd := clientData(c.typ, c.challenge, c.origin, c.crossOrigin)
	cdh := sha256.Sum256(cd)
	ad := k.authData(c.rpID, c.flags, counter, true)
	stmt := map[string]any{}
	format := c.format
	switch c.format {
	case "packed":
		stmt = map[string]any{"alg": -7, "sig": sign(t, k.attKey, append(append([]byte{}, ad...), cdh[:]...), c.tamper),
			"x5c": [][]byte{k.attCert}}
	case "packed-self":
		format = "packed"
		stmt = map[string]any{"alg": -7, "sig": sign(t, k.priv, append(append([]byte{}, ad...), cdh[:]...), c.tamper)}
	case "fido-u2f":
		pt, _ := k.priv.PublicKey.Bytes()
		rpHash := sha256.Sum256([]byte(c.rpID))
		data := append([]byte{0}, rpHash[:]...)
		data = append(data, cdh[:]...)
		data = append(data, k.credID...)
		data = append(data, pt...)
		stmt = map[string]any{"sig": sign(t, k.attKey, data, c.tamper), "x5c": [][]byte{k.attCert}}
	}
	ao, err := encMode.Marshal(map[string]any{"fmt": format, "attStmt": stmt, "authData": ad})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": webauthn.B64(k.credID), "rawId": webauthn.B64(k.credID), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    webauthn.B64(cd),
			"attestationObject": webauthn.B64(ao),
			"transports":        []string{"usb"},
		},
		"clientExtensionResults": map[string]any{},
	})
	return out
}

// assert answers request options.
func (k *testKey) assert(t testing.TB, opts *RequestOptions, origin string, c ceremony) []byte {
	t.Helper()
	c.defaults(opts.RPID, opts.Challenge, origin)
	if c.typ == "" {
		c.typ = webauthn.TypeGet
	}
	if c.otherKey {
		other := newTestKey(t)
		other.counter = k.counter
		k = other
	}
	if c.counter != nil {
		k.counter = *c.counter
	} else {
		k.counter++
	}
	cd := clientData(c.typ, c.challenge, c.origin, c.crossOrigin)
	cdh := sha256.Sum256(cd)
	ad := k.authData(c.rpID, c.flags, k.counter, false)
	sig := sign(t, k.priv, append(append([]byte{}, ad...), cdh[:]...), c.tamper)
	resp := map[string]any{"clientDataJSON": webauthn.B64(cd), "authenticatorData": webauthn.B64(ad), "signature": webauthn.B64(sig)}
	if c.userHandle != nil {
		resp["userHandle"] = webauthn.B64(c.userHandle)
	}
	ext := map[string]any{}
	if c.appIDUsed {
		ext["appid"] = true
	}
	out, _ := json.Marshal(map[string]any{"id": webauthn.B64(k.credID), "rawId": webauthn.B64(k.credID), "type": "public-key",
		"response": resp, "clientExtensionResults": ext})
	return out
}

// testCA makes an attestation root and an attestation certificate signed
// by it, with the packed §8.2.1 subject; u2f leaves out the OU like old
// U2F keys.
func testCA(t testing.TB) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "vmfa test attestation root", Organization: []string{"vmfa"}, Country: []string{"AA"}},
		NotBefore:             time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2124, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return ca, key
}

func (k *testKey) attest(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, ou string, aaguidExt []byte, critical ...bool) {
	t.Helper()
	k.attKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{CommonName: "vmfa test key", Organization: []string{"vmfa"}, Country: []string{"AA"}},
		NotBefore:             time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2124, 1, 1, 0, 0, 0, 0, time.UTC),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if ou != "" {
		tmpl.Subject.OrganizationalUnit = []string{ou}
	}
	if aaguidExt != nil {
		v, _ := asn1.Marshal(aaguidExt)
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oidFIDOAAGUID, Value: v, Critical: len(critical) > 0 && critical[0]}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.attKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	k.attCert = der
}
