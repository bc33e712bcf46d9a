package hwkey_test

// Full-stack tests: hwkey → go-libfido2 → the real libfido2 → the software
// key, attached under libfido2 by internal/fidoshim. No USB needed.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"github.com/vmfa/vmfa/internal/webauthn"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
)

// attach attaches a fresh software key and detaches it when the test ends.
func attach(t testing.TB, mode softkey.Mode, opts softkey.Options) (*softkey.Key, string) {
	t.Helper()
	k, err := softkey.New(mode, opts)
	if err != nil {
		t.Fatal(err)
	}
	path, err := hwkey.AttachVirtual(k)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hwkey.DetachVirtual(path) })
	return k, path
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// ecdsaKey decodes the ES256 COSE key of a credential.
func ecdsaKey(cose []byte) (*ecdsa.PublicKey, error) {
	_, pub, err := webauthn.ParseCOSEKey(cose)
	return pub, err
}

func sha256Of(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func challenge(b byte) string { return webauthn.B64(bytes.Repeat([]byte{b}, 32)) }

func creationOptions(rpID, user string, ch string) *hwkey.CreationOptions {
	return &hwkey.CreationOptions{
		RP:               webauthn.RPEntity{ID: rpID, Name: "Example"},
		User:             webauthn.UserEntity{ID: webauthn.B64([]byte("user-" + user)), Name: user, DisplayName: user},
		Challenge:        ch,
		PubKeyCredParams: []webauthn.CredentialParameter{{Type: "public-key", Alg: -7}},
	}
}

// rp is a minimal WebAuthn relying party, written from the spec (§7.1,
// §7.2), that checks what a server would: it only sees the JSON.
type rp struct {
	id, origin string
}

type storedCred struct {
	id      []byte
	key     *ecdsa.PublicKey
	format  string
	counter uint32
}

func decodeJSON(t testing.TB, v any, out any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
}

func (r rp) checkClientData(t testing.TB, b64 string, typ, ch string) []byte {
	t.Helper()
	cdj, err := webauthn.DecodeB64(b64)
	if err != nil {
		t.Fatal(err)
	}
	var cd webauthn.CollectedClientData
	if err := json.Unmarshal(cdj, &cd); err != nil {
		t.Fatal(err)
	}
	if cd.Type != typ || cd.Challenge != ch || cd.Origin != r.origin {
		t.Fatalf("client data %+v, want type %s challenge %s origin %s", cd, typ, ch, r.origin)
	}
	return cdj
}

func (r rp) finishRegistration(t testing.TB, cred any, ch string, rpIDHashOf string) storedCred {
	t.Helper()
	var c struct {
		ID, RawID, Type string
		Response        struct{ ClientDataJSON, AttestationObject string }
	}
	decodeJSON(t, cred, &c)
	if c.Type != "public-key" || c.ID != c.RawID {
		t.Fatalf("credential id %q rawId %q type %q", c.ID, c.RawID, c.Type)
	}
	cdj := r.checkClientData(t, c.Response.ClientDataJSON, "webauthn.create", ch)
	attBytes, err := webauthn.DecodeB64(c.Response.AttestationObject)
	if err != nil {
		t.Fatal(err)
	}
	var att struct {
		Fmt      string         `cbor:"fmt"`
		AttStmt  map[string]any `cbor:"attStmt"`
		AuthData []byte         `cbor:"authData"`
	}
	if err := cbor.Unmarshal(attBytes, &att); err != nil {
		t.Fatalf("attestation object: %v", err)
	}
	ad, err := webauthn.ParseAuthenticatorData(att.AuthData)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ad.RPIDHash, sha256Of(rpIDHashOf)) {
		t.Fatal("rpIdHash does not match")
	}
	if ad.Flags&webauthn.FlagUP == 0 || ad.Flags&webauthn.FlagAT == 0 {
		t.Fatalf("flags %#x: want UP and AT", ad.Flags)
	}
	id, _ := webauthn.DecodeB64(c.RawID)
	if !bytes.Equal(id, ad.CredentialID) {
		t.Fatal("rawId differs from the credential id in authData")
	}
	pub, err := ecdsaKey(ad.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	cdh := sha256.Sum256(cdj)
	x5c, _ := att.AttStmt["x5c"].([]any)
	sig, _ := att.AttStmt["sig"].([]byte)
	if len(x5c) != 1 {
		t.Fatalf("x5c has %d certificates, want 1", len(x5c))
	}
	der, _ := x5c[0].([]byte)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	attKey, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		t.Fatal("attestation certificate key is not ecdsa")
	}
	var signed []byte
	switch att.Fmt {
	case "packed": // §8.2: sig over authData ‖ clientDataHash
		if alg, _ := att.AttStmt["alg"].(int64); alg != -7 {
			t.Fatalf("packed alg %v, want -7", att.AttStmt["alg"])
		}
		signed = append(append([]byte{}, att.AuthData...), cdh[:]...)
	case "fido-u2f": // §8.6: 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credId ‖ 0x04 x y
		if _, has := att.AttStmt["alg"]; has {
			t.Fatal("fido-u2f attStmt carries alg")
		}
		signed = append([]byte{0}, ad.RPIDHash...)
		signed = append(signed, cdh[:]...)
		signed = append(signed, ad.CredentialID...)
		signed = append(signed, 4)
		signed = append(signed, pub.X.FillBytes(make([]byte, 32))...)
		signed = append(signed, pub.Y.FillBytes(make([]byte, 32))...)
	default:
		t.Fatalf("unexpected format %q", att.Fmt)
	}
	digest := sha256.Sum256(signed)
	if !ecdsa.VerifyASN1(attKey, digest[:], sig) {
		t.Fatalf("%s attestation signature does not verify", att.Fmt)
	}
	return storedCred{id: ad.CredentialID, key: pub, format: att.Fmt, counter: ad.SignCount}
}

func (r rp) finishLogin(t testing.TB, cred any, ch string, sc *storedCred, rpIDHashOf string) {
	t.Helper()
	var c struct {
		RawID    string
		Response struct{ ClientDataJSON, AuthenticatorData, Signature, UserHandle string }
	}
	decodeJSON(t, cred, &c)
	id, _ := webauthn.DecodeB64(c.RawID)
	if !bytes.Equal(id, sc.id) {
		t.Fatal("assertion names another credential")
	}
	cdj := r.checkClientData(t, c.Response.ClientDataJSON, "webauthn.get", ch)
	authData, _ := webauthn.DecodeB64(c.Response.AuthenticatorData)
	sig, _ := webauthn.DecodeB64(c.Response.Signature)
	ad, err := webauthn.ParseAuthenticatorData(authData)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ad.RPIDHash, sha256Of(rpIDHashOf)) || ad.Flags&webauthn.FlagUP == 0 {
		t.Fatalf("authData rp hash or UP flag wrong (flags %#x)", ad.Flags)
	}
	cdh := sha256.Sum256(cdj)
	digest := sha256.Sum256(append(append([]byte{}, authData...), cdh[:]...))
	if !ecdsa.VerifyASN1(sc.key, digest[:], sig) {
		t.Fatal("assertion signature does not verify")
	}
	if ad.SignCount <= sc.counter {
		t.Fatalf("sign counter %d did not increase past %d", ad.SignCount, sc.counter)
	}
	sc.counter = ad.SignCount
}

func TestFullStackU2F(t *testing.T) {
	_, path := attach(t, softkey.U2FOnly, softkey.Options{})
	c := ctx(t)
	info, err := hwkey.GetInfo(c, path)
	if err != nil {
		t.Fatal(err)
	}
	if info.FIDO2() || info.Type != "u2f" || info.PINSupported() {
		t.Fatalf("info %+v: want a u2f-only key", info)
	}

	r := rp{id: "example.com", origin: "https://example.com"}
	client := &hwkey.Client{Path: path}
	ch := challenge(1)
	cred, err := client.Create(c, creationOptions(r.id, "alice", ch))
	if err != nil {
		t.Fatal(err)
	}
	sc := r.finishRegistration(t, cred, ch, r.id)
	if sc.format != "fido-u2f" {
		t.Fatalf("format %q, want fido-u2f", sc.format)
	}
	for i := byte(0); i < 3; i++ { // the counter must increase each time
		ch := challenge(10 + i)
		a, err := client.Get(c, &hwkey.RequestOptions{Challenge: ch, RPID: r.id,
			AllowCredentials: []webauthn.CredentialDescriptor{{Type: "public-key", ID: webauthn.B64(sc.id)}}})
		if err != nil {
			t.Fatal(err)
		}
		r.finishLogin(t, a, ch, &sc, r.id)
	}

	// The server's exclude list is honoured by a U2F-only key too.
	excl := creationOptions(r.id, "alice", challenge(4))
	excl.ExcludeCredentials = []webauthn.CredentialDescriptor{{Type: "public-key", ID: webauthn.B64(sc.id)}}
	if _, err := client.Create(c, excl); !errors.Is(err, hwkey.ErrExcluded) {
		t.Fatalf("excluded credential on u2f: %v, want ErrExcluded", err)
	}
	excl.ExcludeCredentials[0].ID = webauthn.B64(bytes.Repeat([]byte{8}, 64)) // another key's
	if _, err := client.Create(c, excl); err != nil {
		t.Fatalf("unrelated exclude list: %v", err)
	}

	// A PIN is refused as unsupported on a U2F-only key.
	pinClient := &hwkey.Client{Path: path, PIN: "1234"}
	if _, err := pinClient.Create(c, creationOptions(r.id, "bob", challenge(2))); !errors.Is(err, hwkey.ErrUnsupported) {
		t.Fatalf("register with a pin on u2f: %v, want ErrUnsupported", err)
	}
	if err := hwkey.SetPIN(c, path, "1234"); !errors.Is(err, hwkey.ErrUnsupported) {
		t.Fatalf("SetPIN on u2f: %v, want ErrUnsupported", err)
	}
	// Unknown credential.
	_, err = client.Get(c, &hwkey.RequestOptions{Challenge: challenge(3), RPID: r.id,
		AllowCredentials: []webauthn.CredentialDescriptor{{ID: webauthn.B64(bytes.Repeat([]byte{7}, 64))}}})
	if !errors.Is(err, hwkey.ErrNoCredentials) {
		t.Fatalf("unknown credential: %v, want ErrNoCredentials", err)
	}
}

func TestFullStackU2FAppID(t *testing.T) {
	_, path := attach(t, softkey.U2FOnly, softkey.Options{})
	c := ctx(t)
	const appID = "https://example.com/app-id.json"
	r := rp{id: "example.com", origin: "https://example.com"}
	cdj := hwkey.ClientDataJSON(hwkey.TypeCreate, bytes.Repeat([]byte{5}, 32), r.origin)
	cdh := sha256.Sum256(cdj)
	reg, err := hwkey.Register(c, path, hwkey.RegisterRequest{AppID: appID, ClientDataHash: cdh[:], UserID: []byte{1}, UserName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := hwkey.RegistrationJSON(reg, cdj)
	if err != nil {
		t.Fatal(err)
	}
	sc := r.finishRegistration(t, cred, challenge(5), appID)
	// The credential is found through the appid extension.
	ch := challenge(6)
	a, err := (&hwkey.Client{Path: path}).Get(c, &hwkey.RequestOptions{Challenge: ch, RPID: r.id,
		AllowCredentials: []webauthn.CredentialDescriptor{{ID: webauthn.B64(sc.id)}},
		Extensions:       webauthn.Extensions{AppID: appID}})
	if err != nil {
		t.Fatal(err)
	}
	if a.ClientExtensionResults.AppID == nil || !*a.ClientExtensionResults.AppID {
		t.Fatalf("clientExtensionResults %v, want appid true", a.ClientExtensionResults)
	}
	r.finishLogin(t, a, ch, &sc, appID)
}

func TestFullStackFIDO2PIN(t *testing.T) {
	k, path := attach(t, softkey.FIDO2, softkey.Options{})
	c := ctx(t)
	info, err := hwkey.GetInfo(c, path)
	if err != nil {
		t.Fatal(err)
	}
	aaguid := k.AAGUID()
	if !info.FIDO2() || !bytes.Equal(info.AAGUID, aaguid[:]) || !info.PINSupported() || info.PINSet() {
		t.Fatalf("info %+v: want fido2 without a pin", info)
	}
	if err := hwkey.SetPIN(c, path, "12"); !errors.Is(err, hwkey.ErrPINPolicy) {
		t.Fatalf("short pin: %v, want ErrPINPolicy", err)
	}
	if err := hwkey.SetPIN(c, path, "1234"); err != nil {
		t.Fatal(err)
	}
	if err := hwkey.SetPIN(c, path, "4321"); !errors.Is(err, hwkey.ErrPINSet) {
		t.Fatalf("second SetPIN: %v, want ErrPINSet", err)
	}
	if info, err = hwkey.GetInfo(c, path); err != nil || !info.PINSet() || info.PINRetries != 8 {
		t.Fatalf("after SetPIN: %+v, %v", info, err)
	}

	r := rp{id: "example.com", origin: "https://login.example.com"}
	opts := creationOptions(r.id, "alice", challenge(1))
	if _, err := (&hwkey.Client{Path: path, Origin: r.origin}).Create(c, opts); !errors.Is(err, hwkey.ErrPINRequired) {
		t.Fatalf("no pin: %v, want ErrPINRequired", err)
	}
	_, err = (&hwkey.Client{Path: path, Origin: r.origin, PIN: "9999"}).Create(c, opts)
	var pe *hwkey.PINError
	if !errors.Is(err, hwkey.ErrPINInvalid) || !errors.As(err, &pe) || pe.Retries != 7 {
		t.Fatalf("wrong pin: %v, want ErrPINInvalid with 7 retries left", err)
	}
	client := &hwkey.Client{Path: path, Origin: r.origin, PIN: "1234"}
	cred, err := client.Create(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	sc := r.finishRegistration(t, cred, opts.Challenge, r.id)
	if sc.format != "packed" {
		t.Fatalf("format %q, want packed", sc.format)
	}
	// The right PIN resets the retry counter.
	if info, _ = hwkey.GetInfo(c, path); info.PINRetries != 8 {
		t.Fatalf("retries after the right pin: %d, want 8", info.PINRetries)
	}

	// Registering the same key again is refused when the server excludes it.
	opts2 := creationOptions(r.id, "alice", challenge(2))
	opts2.ExcludeCredentials = []webauthn.CredentialDescriptor{{Type: "public-key", ID: webauthn.B64(sc.id)}}
	if _, err := client.Create(c, opts2); !errors.Is(err, hwkey.ErrExcluded) {
		t.Fatalf("excluded credential: %v, want ErrExcluded", err)
	}

	for i := byte(0); i < 2; i++ {
		ch := challenge(20 + i)
		a, err := client.Get(c, &hwkey.RequestOptions{Challenge: ch, RPID: r.id,
			AllowCredentials: []webauthn.CredentialDescriptor{{ID: webauthn.B64(sc.id)}}, UserVerification: "required"})
		if err != nil {
			t.Fatal(err)
		}
		r.finishLogin(t, a, ch, &sc, r.id)
	}

	if err := hwkey.ChangePIN(c, path, "1234", "567890"); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Get(c, &hwkey.RequestOptions{Challenge: challenge(30), RPID: r.id,
		AllowCredentials: []webauthn.CredentialDescriptor{{ID: webauthn.B64(sc.id)}}}); !errors.Is(err, hwkey.ErrPINInvalid) {
		t.Fatalf("old pin after change: %v, want ErrPINInvalid", err)
	}
}

func TestFullStackResidentKey(t *testing.T) {
	_, path := attach(t, softkey.FIDO2, softkey.Options{})
	c := ctx(t)
	r := rp{id: "example.org", origin: "https://example.org"}
	client := &hwkey.Client{Path: path}
	opts := creationOptions(r.id, "carol", challenge(1))
	opts.AuthenticatorSelection.ResidentKey = "required"
	cred, err := client.Create(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	sc := r.finishRegistration(t, cred, opts.Challenge, r.id)
	ch := challenge(2)
	a, err := client.Get(c, &hwkey.RequestOptions{Challenge: ch, RPID: r.id}) // no allow list
	if err != nil {
		t.Fatal(err)
	}
	r.finishLogin(t, a, ch, &sc, r.id)
	if a.Response.UserHandle != opts.User.ID {
		t.Fatalf("userHandle %q, want %q", a.Response.UserHandle, opts.User.ID)
	}
}

// A key nobody touches: the request ends with ErrTimeout when the context
// does, and the key stays usable.
func TestFullStackTouchTimeout(t *testing.T) {
	for _, mode := range []softkey.Mode{softkey.FIDO2, softkey.U2FOnly} {
		t.Run(mode.String(), func(t *testing.T) {
			// Nobody touches until touched is set; a touch then answers
			// the pending query, as a finger on a blinking key would.
			var touched atomic.Bool
			_, path := attach(t, mode, softkey.Options{Touch: finger(&touched)})
			r := rp{id: "example.com", origin: "https://example.com"}
			client := &hwkey.Client{Path: path}
			short, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
			defer cancel()
			_, err := client.Create(short, creationOptions(r.id, "dave", challenge(1)))
			if !errors.Is(err, hwkey.ErrTimeout) {
				t.Fatalf("untouched: %v, want ErrTimeout", err)
			}
			// Still usable: touch this time.
			touched.Store(true)
			opts := creationOptions(r.id, "dave", challenge(2))
			cred, err := client.Create(ctx(t), opts)
			if err != nil {
				t.Fatalf("after a timeout: %v (%#v)", err, err)
			}
			r.finishRegistration(t, cred, opts.Challenge, r.id)
		})
	}
}

func TestFullStackCancel(t *testing.T) {
	var never atomic.Bool
	_, path := attach(t, softkey.FIDO2, softkey.Options{Touch: finger(&never)})
	c, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := (&hwkey.Client{Path: path}).Create(c, creationOptions("example.com", "erin", challenge(1)))
	if !errors.Is(err, hwkey.ErrCancelled) {
		t.Fatalf("cancelled request: %v, want ErrCancelled", err)
	}
	never.Store(true)
	if _, err := (&hwkey.Client{Path: path}).Create(ctx(t), creationOptions("example.com", "erin", challenge(2))); err != nil {
		t.Fatalf("after cancel: %v", err)
	}
}

func TestChooseSeveralDevices(t *testing.T) {
	attach(t, softkey.FIDO2, softkey.Options{})
	attach(t, softkey.U2FOnly, softkey.Options{})
	devs, err := hwkey.List()
	if err != nil {
		t.Fatal(err)
	}
	var virtual int
	for _, d := range devs {
		if d.Virtual {
			virtual++
		}
	}
	if virtual != 2 {
		t.Fatalf("List: %v, want both virtual keys", devs)
	}
	if _, err := hwkey.Choose(""); !errors.Is(err, hwkey.ErrMultipleDevices) {
		t.Fatalf("Choose: %v, want ErrMultipleDevices", err)
	}
	d, err := hwkey.Choose(hwkey.VirtualPath(softkey.U2FOnly))
	if err != nil || !d.Virtual || d.Path != "vmfa-virtual:u2f" {
		t.Fatalf("Choose(u2f) = %+v, %v", d, err)
	}
	if _, err := hwkey.Choose("/dev/hidraw-does-not-exist"); !errors.Is(err, hwkey.ErrDeviceGone) {
		t.Fatalf("Choose(missing): %v, want ErrDeviceGone", err)
	}
}

// go-libfido2 panics on empty client-data hashes and credential IDs; the
// package refuses them first.
func TestRefusesInputsThatPanicLibfido2(t *testing.T) {
	_, path := attach(t, softkey.FIDO2, softkey.Options{})
	c := ctx(t)
	_, err := hwkey.Authenticate(c, path, hwkey.AssertRequest{RPID: "x", ClientDataHash: make([]byte, 32), AllowCredentials: [][]byte{{}}})
	if !errors.Is(err, hwkey.ErrInvalidRequest) {
		t.Errorf("empty credential id: %v", err)
	}
	_, err = hwkey.Authenticate(c, path, hwkey.AssertRequest{RPID: "x"})
	if !errors.Is(err, hwkey.ErrInvalidRequest) {
		t.Errorf("empty client data hash: %v", err)
	}
	_, err = hwkey.Register(c, path, hwkey.RegisterRequest{RPID: "x", UserID: []byte{1}, UserName: "u"})
	if !errors.Is(err, hwkey.ErrInvalidRequest) {
		t.Errorf("register without client data hash: %v", err)
	}
	_, err = (&hwkey.Client{Path: path}).Get(c, &hwkey.RequestOptions{RPID: "x", Challenge: challenge(1),
		AllowCredentials: []webauthn.CredentialDescriptor{{ID: ""}}})
	if !errors.Is(err, hwkey.ErrInvalidRequest) {
		t.Errorf("empty allowCredentials id: %v", err)
	}
}

func TestDetachedVirtualKey(t *testing.T) {
	_, path := attach(t, softkey.FIDO2, softkey.Options{})
	hwkey.DetachVirtual(path)
	if _, err := hwkey.GetInfo(ctx(t), path); !errors.Is(err, hwkey.ErrDeviceGone) {
		t.Fatalf("GetInfo on a detached key: %v, want ErrDeviceGone", err)
	}
}

// Three wrong PINs in a row block PIN use until the key is reinserted;
// eight in all block the PIN for good.
func TestFullStackPINBlocked(t *testing.T) {
	k, path := attach(t, softkey.FIDO2, softkey.Options{})
	c := ctx(t)
	if err := hwkey.SetPIN(c, path, "1234"); err != nil {
		t.Fatal(err)
	}
	cdh := sha256.Sum256([]byte("c"))
	reg := func(pin string) error {
		_, err := hwkey.Register(c, path, hwkey.RegisterRequest{RPID: "example.com", ClientDataHash: cdh[:], UserID: []byte{1}, UserName: "u", PIN: pin})
		return err
	}
	var pe *hwkey.PINError
	for i, want := range []int{7, 6} {
		if err := reg("0000"); !errors.As(err, &pe) || pe.Retries != want {
			t.Fatalf("wrong pin %d: %v, want %d retries left", i+1, err, want)
		}
	}
	if err := reg("0000"); !errors.Is(err, hwkey.ErrPINAuthBlocked) || errors.Is(err, hwkey.ErrPINBlocked) {
		t.Fatalf("third wrong pin in a row: %v, want ErrPINAuthBlocked (not blocked for good)", err)
	}
	if err := reg("1234"); !errors.Is(err, hwkey.ErrPINAuthBlocked) {
		t.Fatalf("right pin before reinsertion: %v, want ErrPINAuthBlocked", err)
	}
	// The attempts are not used up: the key says how many are left.
	if info, err := hwkey.GetInfo(c, path); err != nil || info.PINRetries != 5 {
		t.Fatalf("info while pin auth is blocked: %+v, %v; want 5 attempts left", info, err)
	}
	k.Reset() // reinsert
	if err := reg("1234"); err != nil {
		t.Fatalf("right pin after reinsertion: %v", err)
	}
	for i := 0; i < 8; i++ {
		if i%3 == 2 {
			k.Reset()
		}
		reg("0000")
	}
	k.Reset()
	if err := reg("1234"); !errors.Is(err, hwkey.ErrPINBlocked) {
		t.Fatalf("after eight wrong pins: %v, want ErrPINBlocked", err)
	}
	info, err := hwkey.GetInfo(c, path)
	if err != nil || info.PINRetries != 0 {
		t.Fatalf("info after blocking: %+v %v", info, err)
	}
}
