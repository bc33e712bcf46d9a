package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vmfa/vmfa/internal/webauthn"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/vmfa/vmfa/hwkey"
)

// regJSON and loginJSON are the PublicKeyCredential fields a server reads.
type regJSON struct {
	ID, RawID, Type string
	Response        struct {
		ClientDataJSON, AttestationObject string
		Transports                        []string
	}
}

type loginJSON struct {
	ID, RawID, Type string
	Response        struct{ ClientDataJSON, AuthenticatorData, Signature, UserHandle string }
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

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := webauthn.DecodeB64(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkRegistration verifies a registration as a relying party would and
// returns the credential's public key and the attestation format.
func checkRegistration(t *testing.T, out, rpID, origin string) (*ecdsa.PublicKey, string, regJSON) {
	t.Helper()
	var r regJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("register output is not JSON: %v\n%s", err, out)
	}
	if r.Type != "public-key" || r.ID != r.RawID || len(r.Response.Transports) == 0 {
		t.Fatalf("credential fields: %+v", r)
	}
	cdj := mustB64(t, r.Response.ClientDataJSON)
	var cd webauthn.CollectedClientData
	if err := json.Unmarshal(cdj, &cd); err != nil || cd.Type != "webauthn.create" || cd.Origin != origin || cd.Challenge == "" {
		t.Fatalf("clientDataJSON %s (%v)", cdj, err)
	}
	var att struct {
		Fmt      string         `cbor:"fmt"`
		AttStmt  map[string]any `cbor:"attStmt"`
		AuthData []byte         `cbor:"authData"`
	}
	if err := cbor.Unmarshal(mustB64(t, r.Response.AttestationObject), &att); err != nil {
		t.Fatal(err)
	}
	ad, err := webauthn.ParseAuthenticatorData(att.AuthData)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ad.RPIDHash, sha256Of(rpID)) || !bytes.Equal(ad.CredentialID, mustB64(t, r.RawID)) {
		t.Fatal("authData does not match the rp or the credential id")
	}
	pub, err := ecdsaKey(ad.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	x5c := att.AttStmt["x5c"].([]any)
	cert, err := x509.ParseCertificate(x5c[0].([]byte))
	if err != nil {
		t.Fatal(err)
	}
	cdh := sha256.Sum256(cdj)
	var signed []byte
	if att.Fmt == "packed" {
		signed = append(append([]byte{}, att.AuthData...), cdh[:]...)
	} else {
		signed = append([]byte{0}, ad.RPIDHash...)
		signed = append(append(append(signed, cdh[:]...), ad.CredentialID...), 4)
		signed = append(append(signed, pub.X.FillBytes(make([]byte, 32))...), pub.Y.FillBytes(make([]byte, 32))...)
	}
	digest := sha256.Sum256(signed)
	if !ecdsa.VerifyASN1(cert.PublicKey.(*ecdsa.PublicKey), digest[:], att.AttStmt["sig"].([]byte)) {
		t.Fatalf("%s attestation does not verify", att.Fmt)
	}
	return pub, att.Fmt, r
}

func checkLogin(t *testing.T, out string, pub *ecdsa.PublicKey, challenge string, minCounter uint32) uint32 {
	t.Helper()
	var l loginJSON
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("login output is not JSON: %v\n%s", err, out)
	}
	cdj := mustB64(t, l.Response.ClientDataJSON)
	var cd webauthn.CollectedClientData
	if err := json.Unmarshal(cdj, &cd); err != nil || cd.Type != "webauthn.get" || cd.Challenge != challenge {
		t.Fatalf("clientDataJSON %s", cdj)
	}
	authData := mustB64(t, l.Response.AuthenticatorData)
	cdh := sha256.Sum256(cdj)
	digest := sha256.Sum256(append(authData, cdh[:]...))
	if !ecdsa.VerifyASN1(pub, digest[:], mustB64(t, l.Response.Signature)) {
		t.Fatal("assertion signature does not verify")
	}
	ad, err := webauthn.ParseAuthenticatorData(authData)
	if err != nil {
		t.Fatal(err)
	}
	if ad.SignCount < minCounter {
		t.Fatalf("counter %d, want at least %d", ad.SignCount, minCounter)
	}
	return ad.SignCount
}

func TestKeyRegisterLoginVirtual(t *testing.T) {
	for _, mode := range []string{"fido2", "u2f"} {
		t.Run(mode, func(t *testing.T) {
			env := vaultEnv(t)
			r := vmfa(t, env, "", "key", "register", "--virtual="+mode, "--rp", "example.com", "--user", "alice", "--json")
			if r.code != 0 {
				t.Fatalf("register: %s", r.stderr)
			}
			pub, format, reg := checkRegistration(t, r.stdout, "example.com", "https://example.com")
			want := map[string]string{"fido2": "packed", "u2f": "fido-u2f"}[mode]
			if format != want {
				t.Fatalf("format %q, want %q", format, want)
			}
			// The key lives in the vault: a later process signs with it,
			// and the counter keeps increasing across processes.
			var counter uint32
			for i, ch := range []string{webauthn.B64(bytes.Repeat([]byte{1}, 32)), webauthn.B64(bytes.Repeat([]byte{2}, 32))} {
				r = vmfa(t, env, "", "key", "login", "--virtual="+mode, "--rp", "example.com",
					"--credential", reg.ID, "--challenge", ch, "--origin", "https://example.com", "--json")
				if r.code != 0 {
					t.Fatalf("login %d: %s", i, r.stderr)
				}
				counter = checkLogin(t, r.stdout, pub, ch, counter+1)
			}
		})
	}
}

func TestKeyPINVirtual(t *testing.T) {
	env := vaultEnv(t)
	reg := []string{"key", "register", "--virtual", "--rp", "example.com", "--user", "bob"}
	if r := vmfa(t, env, "1234\n", "key", "pin", "--virtual", "--pin-stdin"); r.code != 0 || !strings.Contains(r.stdout, "pin set") {
		t.Fatalf("pin: %d %s", r.code, r.stderr)
	}
	if r := vmfa(t, env, "", "key", "info", "--virtual", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"pin": "set"`) || !strings.Contains(r.stdout, `"pin_retries": 8`) {
		t.Fatalf("info after pin: %s %s", r.stdout, r.stderr)
	}
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		stderr      string
	}{
		{"no pin", "", reg, 1, "vmfa: the security key needs its pin"},
		{"wrong pin", "9999\n", append(reg, "--pin-stdin"), 1, "vmfa: wrong pin: 7 attempts left"},
		{"right pin", "1234\n", append(reg, "--pin-stdin"), 0, ""},
		{"change", "1234\n5678\n", []string{"key", "pin", "--change", "--virtual", "--pin-stdin"}, 0, ""},
		{"old pin", "1234\n", append(reg, "--pin-stdin"), 1, "vmfa: wrong pin"},
		{"new pin", "5678\n", append(reg, "--pin-stdin"), 0, ""},
		{"u2f has no pin", "1234\n", []string{"key", "register", "--virtual=u2f", "--rp", "example.com", "--user", "bob", "--pin-stdin"}, 1, "vmfa: the security key does not support"},
	}
	for _, tt := range tests {
		r := vmfa(t, env, tt.stdin, tt.args...)
		if r.code != tt.code || !strings.HasPrefix(r.stderr, tt.stderr) || strings.Count(r.stderr, "\n") > 1 {
			t.Errorf("%s: exit %d stderr %q, want %d %q", tt.name, r.code, r.stderr, tt.code, tt.stderr)
		}
	}
}

func TestKeyCLIErrors(t *testing.T) {
	env := vaultEnv(t)
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"key", "register", "--virtual", "--user", "alice"}, "vmfa: --rp and --user are required"},
		{[]string{"key", "register", "--virtual", "--device", "/dev/hidraw9", "--rp", "a", "--user", "b"}, "vmfa: use either --device or --virtual"},
		{[]string{"key", "register", "--virtual=nfc", "--rp", "a", "--user", "b"}, "vmfa: --virtual must be fido2 or u2f"},
		{[]string{"key", "register", "--virtual", "--rp", "a", "--user", "b", "--challenge", "short"}, "vmfa: --challenge must be at least 16"},
		{[]string{"key", "login", "--virtual", "--rp", "example.com", "--credential", webauthn.B64(bytes.Repeat([]byte{9}, 70))}, "vmfa: this security key has no credential for this site"},
		{[]string{"key", "login", "--virtual", "--rp", "example.com", "--credential", "%%%"}, "vmfa: invalid security key request"},
		{[]string{"key", "register", "--virtual", "--rp", "example.com", "--user", "a", "--origin", "example.com"}, "vmfa: invalid security key request: origin"},
	}
	for _, tt := range tests {
		r := vmfa(t, env, "", tt.args...)
		if r.code != 1 || !strings.HasPrefix(r.stderr, tt.stderr) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: exit %d stderr %q, want %q", tt.args, r.code, r.stderr, tt.stderr)
		}
	}
}

func TestKeyListAndInfo(t *testing.T) {
	env := vaultEnv(t)
	r := vmfa(t, env, "", "key", "list", "--json")
	var devs []hwkey.Device
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &devs) != nil {
		t.Fatalf("list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = vmfa(t, env, "", "key", "info", "--virtual=u2f")
	if r.code != 0 || !strings.Contains(r.stdout, "type:        u2f") || !strings.Contains(r.stdout, "pin:         unsupported") {
		t.Fatalf("info u2f: %s %s", r.stdout, r.stderr)
	}
	r = vmfa(t, env, "", "key", "info", "--virtual", "--json")
	var info struct {
		Type, AAGUID, PIN string
		Versions          []string
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &info) != nil || info.Type != "fido2" || info.PIN != "not set" || len(info.AAGUID) != 36 {
		t.Fatalf("info fido2: %s %s", r.stdout, r.stderr)
	}
}

func TestKeyRegisterFromServerOptions(t *testing.T) {
	env := vaultEnv(t)
	opts := `{"publicKey":{"rp":{"id":"example.org","name":"Example"},"user":{"id":"dXNlci0x","name":"carol","displayName":"Carol"},
	"challenge":"` + webauthn.B64(bytes.Repeat([]byte{3}, 32)) + `","pubKeyCredParams":[{"type":"public-key","alg":-8},{"type":"public-key","alg":-7}],
	"authenticatorSelection":{"residentKey":"required","userVerification":"discouraged"},"attestation":"direct"}}`
	r := vmfa(t, env, opts, "key", "register", "--virtual", "--options", "-", "--origin", "https://www.example.org", "--json")
	if r.code != 0 {
		t.Fatalf("register --options: %s", r.stderr)
	}
	pub, _, _ := checkRegistration(t, r.stdout, "example.org", "https://www.example.org")
	// Resident: login without a credential ID returns the user handle.
	ch := webauthn.B64(bytes.Repeat([]byte{4}, 32))
	r = vmfa(t, env, `{"challenge":"`+ch+`","rpId":"example.org"}`, "key", "login", "--virtual", "--options", "-", "--origin", "https://www.example.org", "--json")
	if r.code != 0 {
		t.Fatalf("login --options: %s", r.stderr)
	}
	checkLogin(t, r.stdout, pub, ch, 1)
	if !strings.Contains(r.stdout, `"userHandle": "dXNlci0x"`) {
		t.Fatalf("no user handle in %s", r.stdout)
	}
}

// TestKeyInteropPythonFido2 has Yubico's python-fido2 server, an
// independent WebAuthn implementation, verify the CLI's output. It runs
// when python3 with the fido2 module (Debian: python3-fido2) is present.
func TestKeyInteropPythonFido2(t *testing.T) {
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import fido2.server").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("python3-fido2 not installed")
	}
	env := vaultEnv(t)
	for _, mode := range []string{"fido2", "u2f", "passkey"} {
		c := exec.Command(py, "../../hwkey/testdata/interop/python_fido2.py", vmfaBin, mode)
		c.Env = append(os.Environ(), env...)
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("python-fido2 refused %s: %v\n%s", mode, err, out)
		}
		if n := strings.Count(string(out), "accepted"); n != 3 {
			t.Fatalf("%s: %d steps accepted, want 3:\n%s", mode, n, out)
		}
	}
}

// Concurrent runs of the virtual key behave as one key: every assertion
// gets its own, increasing signature counter (a verifier would otherwise
// flag the credential as cloned).
func TestVirtualKeyConcurrentRunsShareOneCounter(t *testing.T) {
	env := vaultEnv(t)
	r := vmfa(t, env, "", "key", "register", "--virtual", "--rp", "example.com", "--user", "alice", "--json")
	if r.code != 0 {
		t.Fatalf("register: %s", r.stderr)
	}
	pub, _, reg := checkRegistration(t, r.stdout, "example.com", "https://example.com")
	const n = 5
	outs := make(chan result, n)
	for i := range n {
		go func() {
			ch := webauthn.B64(bytes.Repeat([]byte{byte(i + 1)}, 32))
			outs <- vmfa(t, env, "", "key", "login", "--virtual", "--rp", "example.com",
				"--credential", reg.ID, "--challenge", ch, "--origin", "https://example.com", "--json")
		}()
	}
	seen := map[uint32]bool{}
	for range n {
		r := <-outs
		if r.code != 0 {
			t.Fatalf("login: %s", r.stderr)
		}
		var l loginJSON
		if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
			t.Fatal(err)
		}
		var cd webauthn.CollectedClientData
		json.Unmarshal(mustB64(t, l.Response.ClientDataJSON), &cd)
		c := checkLogin(t, r.stdout, pub, cd.Challenge, 1)
		if seen[c] {
			t.Fatalf("two concurrent runs signed with counter %d", c)
		}
		seen[c] = true
	}
}

// vmfaNoTTY runs the binary without a controlling terminal, so that a
// command that would prompt cannot, wherever the tests run.
func vmfaNoTTY(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	c := exec.Command(vmfaBin, args...)
	c.Env = append(os.Environ(), env...)
	c.Stdin = strings.NewReader(stdin)
	noControllingTerminal(c)
	return runCmd(t, c)
}

// A blocked pin is shown as blocked, and 'key reset' is the way out: it
// needs confirmation, then erases the credentials and the pin.
func TestKeyResetVirtual(t *testing.T) {
	for _, mode := range []string{"fido2", "u2f"} {
		t.Run(mode, func(t *testing.T) {
			env := vaultEnv(t)
			virtual := "--virtual=" + mode
			pinArgs := []string{}
			pinStdin := ""
			if mode == "fido2" {
				if r := vmfa(t, env, "1234\n", "key", "pin", virtual, "--pin-stdin"); r.code != 0 {
					t.Fatalf("pin: %s", r.stderr)
				}
				pinArgs, pinStdin = []string{"--pin-stdin"}, "1234\n"
			}
			r := vmfa(t, env, pinStdin, append([]string{"key", "register", virtual, "--rp", "example.com", "--user", "dan", "--json"}, pinArgs...)...)
			if r.code != 0 {
				t.Fatalf("register: %s", r.stderr)
			}
			_, _, reg := checkRegistration(t, r.stdout, "example.com", "https://example.com")
			login := []string{"key", "login", virtual, "--rp", "example.com", "--credential", reg.ID}
			if mode == "fido2" {
				for range 8 {
					vmfa(t, env, "0000\n", "key", "register", virtual, "--rp", "example.com", "--user", "dan", "--pin-stdin")
				}
				r = vmfa(t, env, "1234\n", append(login, "--pin-stdin")...)
				if r.code != 1 || !strings.Contains(r.stderr, "pin blocked") || !strings.HasSuffix(r.stderr, "resetting it with 'vmfa key reset --virtual'\n") {
					t.Fatalf("login with a blocked pin: %d %q", r.code, r.stderr)
				}
				r = vmfa(t, env, "", "key", "info", virtual)
				if !strings.Contains(r.stdout, "pin:         blocked (reset the key with 'vmfa key reset --virtual')\n") {
					t.Fatalf("info of a blocked pin: %q %q", r.stdout, r.stderr)
				}
				r = vmfa(t, env, "", "key", "info", virtual, "--json")
				if !strings.Contains(r.stdout, `"pin": "blocked"`) || !strings.Contains(r.stdout, `"pin_retries": 0`) {
					t.Fatalf("info --json of a blocked pin: %q", r.stdout)
				}
			}
			r = vmfaNoTTY(t, env, "", "key", "reset", virtual)
			if r.code != 1 || r.stderr != "vmfa: resetting erases every credential on the virtual "+mode+" key and its pin: pass --yes to confirm\n" {
				t.Fatalf("reset without --yes: %d %q", r.code, r.stderr)
			}
			if mode == "fido2" {
				if r := vmfa(t, env, "", "key", "info", virtual); !strings.Contains(r.stdout, "pin:         blocked") {
					t.Fatalf("unconfirmed reset changed the key: %q", r.stdout)
				}
			} else if r := vmfa(t, env, "", login...); r.code != 0 {
				t.Fatalf("unconfirmed reset changed the key: %s", r.stderr)
			}
			r = vmfa(t, env, "", "key", "reset", virtual, "--yes")
			if r.code != 0 || !strings.HasPrefix(r.stdout, "the virtual "+mode+" key is reset: its credentials") {
				t.Fatalf("reset: %d %q %q", r.code, r.stdout, r.stderr)
			}
			if r := vmfa(t, env, "", login...); r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: this security key has no credential for this site") {
				t.Fatalf("login with a credential from before the reset: %d %q", r.code, r.stderr)
			}
			if r := vmfa(t, env, "", "key", "register", virtual, "--rp", "example.com", "--user", "dan"); r.code != 0 {
				t.Fatalf("register without a pin after the reset: %s", r.stderr)
			}
		})
	}
}

// Refusals say what to do about them, for the key at hand.
func TestKeyRefusalsExplained(t *testing.T) {
	rs256 := filepath.Join(t.TempDir(), "rs256.json")
	opts := `{"rp":{"id":"example.com"},"user":{"id":"AAAA","name":"dan","displayName":"dan"},` +
		`"challenge":"` + webauthn.B64(bytes.Repeat([]byte{1}, 32)) + `","pubKeyCredParams":[{"type":"public-key","alg":-257}]}`
	if err := os.WriteFile(rs256, []byte(opts), 0o600); err != nil {
		t.Fatal(err)
	}
	reg := []string{"key", "register", "--virtual", "--rp", "example.com", "--user", "dan"}
	tests := []struct {
		name   string
		pin    bool
		stdin  string
		args   []string
		stderr string
	}{
		{"uv on a key with a pin", true, "", append(reg, "--uv"),
			"vmfa: the security key needs its pin for user verification: pass it with --pin-stdin\n"},
		{"uv on a key without a pin", false, "", append(reg, "--uv"),
			"vmfa: user verification needs the key's pin, and this security key has no pin (nor built-in verification): set a pin first with 'vmfa key pin --virtual'\n"},
		{"verifier uv on a key without a pin", false, "", []string{"verifier", "key", "register", "--user", "a", "--virtual", "--uv"},
			"vmfa: user verification needs the key's pin, and this security key has no pin (nor built-in verification): set a pin first with 'vmfa key pin --virtual'\n"},
		{"rs256 only", true, "1234\n", []string{"key", "register", "--virtual", "--options", rs256, "--pin-stdin"},
			"vmfa: only ES256 (-7) is supported by vmfa, but the server's options allow only RS256 (-257): have the server accept ES256\n"},
		{"zero timeout", false, "", append(reg, "--timeout", "0"), "vmfa: --timeout must be positive (such as 30s or 2m), not 0s\n"},
		{"negative timeout", false, "", append(reg, "--timeout=-1s"), "vmfa: --timeout must be positive (such as 30s or 2m), not -1s\n"},
		{"reset with a zero timeout", false, "", []string{"key", "reset", "--virtual", "--yes", "--timeout", "0"}, "vmfa: --timeout must be positive (such as 30s or 2m), not 0s\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := append(vaultEnv(t), "VMFA_VERIFIER_STATE="+filepath.Join(t.TempDir(), "verifier.json"))
			if tt.pin {
				if r := vmfa(t, env, "1234\n", "key", "pin", "--virtual", "--pin-stdin"); r.code != 0 {
					t.Fatalf("pin: %s", r.stderr)
				}
			}
			r := vmfaNoTTY(t, env, tt.stdin, tt.args...)
			if r.code != 1 || r.stderr != tt.stderr {
				t.Fatalf("exit %d stderr %q, want %q", r.code, r.stderr, tt.stderr)
			}
		})
	}
}

// A flag value that does not parse is refused in words, without the names
// of Go's parsers.
func TestFlagValueErrors(t *testing.T) {
	state := "VMFA_VERIFIER_STATE=" + filepath.Join(t.TempDir(), "verifier.json")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"verifier", "totp", "enroll", "--user", "a", "--period", "x"}, `vmfa: --period takes a whole number, not "x"` + "\n"},
		{[]string{"verifier", "--skew", "two steps", "status"}, `vmfa: --skew takes a whole number, not "two steps"` + "\n"},
		{[]string{"verifier", "--pending-ttl", "5", "status"}, `vmfa: --pending-ttl takes a duration such as 30s, 2m or 1h, not "5"` + "\n"},
		{[]string{"key", "register", "--virtual", "--timeout", "forever"}, `vmfa: --timeout takes a duration such as 30s, 2m or 1h, not "forever"` + "\n"},
		{[]string{"key", "info", "--json=maybe"}, `vmfa: --json takes true or false, not "maybe"` + "\n"},
		{[]string{"verifier", "status", "--bogus"}, "vmfa: unknown flag: --bogus\n"},
	}
	for _, tt := range tests {
		r := vmfa(t, []string{state}, "", tt.args...)
		if r.code != 1 || r.stderr != tt.want || strings.Contains(r.stderr, "strconv") {
			t.Errorf("%v: exit %d stderr %q, want %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// Passkeys from the CLI on the virtual key: resident credentials with a
// PIN (protocol 2 through libfido2), listed and deleted with credential
// management, and a discoverable login that lists the accounts and takes
// --account or --user-handle.
func TestKeyPasskeysCLI(t *testing.T) {
	env := vaultEnv(t)
	const pin = "123456\n"
	if r := vmfa(t, env, pin, "key", "pin", "--virtual", "--pin-stdin"); r.code != 0 {
		t.Fatalf("pin: %s", r.stderr)
	}
	pubs := map[string]*ecdsa.PublicKey{}
	ids := map[string]string{}
	for _, u := range []string{"alice", "bob"} {
		r := vmfa(t, env, pin, "key", "register", "--device", "vmfa-virtual:fido2", "--resident", "--uv", "--cred-protect", "2",
			"--rp", "example.com", "--user", u, "--user-id", webauthn.B64([]byte("id-"+u)), "--pin-stdin", "--json")
		if r.code != 0 {
			t.Fatalf("register %s: %s", u, r.stderr)
		}
		pub, _, reg := checkRegistration(t, r.stdout, "example.com", "https://example.com")
		pubs[u], ids[u] = pub, reg.ID
		if !strings.Contains(r.stdout, `"credProps": {`) || !strings.Contains(r.stdout, `"rk": true`) {
			t.Errorf("no credProps rk in %s", r.stdout)
		}
	}

	if r := vmfa(t, env, "", "key", "info", "--virtual"); !strings.Contains(r.stdout, "pin/uv auth: protocol 2, 1\npasskeys:    room for 48 more\n") {
		t.Errorf("key info: %q %q", r.stdout, r.stderr)
	}
	r := vmfa(t, env, pin, "key", "creds", "list", "--virtual", "--pin-stdin", "--json")
	var list struct {
		Credentials []struct {
			RPID         string `json:"rp_id"`
			CredentialID string `json:"credential_id"`
			UserHandle   string `json:"user_handle"`
			UserName     string `json:"user_name"`
		} `json:"credentials"`
		Existing, Remaining int
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &list) != nil {
		t.Fatalf("creds list: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if len(list.Credentials) != 2 || list.Existing != 2 || list.Remaining != 48 {
		t.Fatalf("creds list: %s", r.stdout)
	}
	for _, c := range list.Credentials {
		if c.RPID != "example.com" || c.CredentialID != ids[c.UserName] || c.UserHandle != webauthn.B64([]byte("id-"+c.UserName)) {
			t.Errorf("listed credential %+v", c)
		}
	}
	r = vmfa(t, env, pin, "key", "creds", "list", "--virtual", "--rp", "other.example", "--pin-stdin")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "0 resident credentials for other.example; the key holds 2 and has room for 48 more") {
		t.Fatalf("creds list --rp other: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := vmfaNoTTY(t, env, "", "key", "creds", "list", "--virtual"); r.code != 1 || !strings.Contains(r.stderr, "needs its pin to manage its credentials: pass it with --pin-stdin") {
		t.Fatalf("creds list without a pin: %d %q", r.code, r.stderr)
	}

	// Discoverable login: two accounts and no terminal to choose on.
	r = vmfaNoTTY(t, env, pin, "key", "login", "--virtual", "--rp", "example.com", "--pin-stdin")
	if r.code != 1 || !strings.Contains(r.stderr, "the key has 2 accounts at example.com: bob (user handle aWQtYm9i); alice (user handle aWQtYWxpY2U)") ||
		!strings.Contains(r.stderr, "choose one with --account NAME or --user-handle B64URL") {
		t.Fatalf("login with two accounts: %d %q", r.code, r.stderr)
	}
	// credProtect 2: without the PIN the passkeys stay hidden.
	r = vmfaNoTTY(t, env, "", "key", "login", "--virtual", "--rp", "example.com", "--account", "alice")
	if r.code != 1 || !strings.Contains(r.stderr, "show only after the key's pin") {
		t.Fatalf("login without the pin: %d %q", r.code, r.stderr)
	}
	for _, sel := range [][]string{{"--account", "alice"}, {"--user-handle", webauthn.B64([]byte("id-alice"))}} {
		ch := webauthn.B64(bytes.Repeat([]byte{7}, 32))
		r = vmfa(t, env, pin, append([]string{"key", "login", "--virtual", "--rp", "example.com", "--pin-stdin", "--challenge", ch, "--json"}, sel...)...)
		if r.code != 0 {
			t.Fatalf("login %v: %s", sel, r.stderr)
		}
		checkLogin(t, r.stdout, pubs["alice"], ch, 1)
		if !strings.Contains(r.stdout, `"userHandle": "`+webauthn.B64([]byte("id-alice"))+`"`) || !strings.Contains(r.stdout, `"id": "`+ids["alice"]+`"`) {
			t.Fatalf("login %v signed as someone else: %s", sel, r.stdout)
		}
	}
	r = vmfa(t, env, pin, "key", "login", "--virtual", "--rp", "example.com", "--pin-stdin", "--account", "carol")
	if r.code != 1 || !strings.Contains(r.stderr, "the key has no account carol at example.com; it has bob") {
		t.Fatalf("login as an unknown account: %d %q", r.code, r.stderr)
	}

	if r := vmfa(t, env, pin, "key", "creds", "rm", "--virtual", ids["alice"], "--pin-stdin"); r.code != 1 || r.stderr != "vmfa: deleting a resident credential cannot be undone: pass --yes to confirm\n" {
		t.Errorf("creds rm without --yes and no terminal: %d %q", r.code, r.stderr)
	}
	if r := vmfa(t, env, pin, "key", "creds", "rm", "--virtual", ids["alice"], "--yes", "--pin-stdin"); r.code != 0 || r.stdout != "deleted resident credential "+ids["alice"]+"\n" {
		t.Fatalf("creds rm: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := vmfa(t, env, pin, "key", "creds", "rm", "--virtual", ids["alice"], "--yes", "--pin-stdin"); r.code != 1 || !strings.Contains(r.stderr, "holds no resident credential") {
		t.Fatalf("creds rm again: %d %q", r.code, r.stderr)
	}
	// One account left: the login takes it without asking.
	ch := webauthn.B64(bytes.Repeat([]byte{8}, 32))
	r = vmfaNoTTY(t, env, pin, "key", "login", "--virtual", "--rp", "example.com", "--pin-stdin", "--challenge", ch, "--json")
	if r.code != 0 {
		t.Fatalf("login with one account: %s", r.stderr)
	}
	checkLogin(t, r.stdout, pubs["bob"], ch, 1)
	r = vmfaNoTTY(t, env, pin, "key", "login", "--virtual", "--rp", "example.com", "--pin-stdin")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "signed in at example.com as user handle aWQtYm9i with credential "+ids["bob"]+" (counter ") {
		t.Fatalf("text login: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// A full key says so, with the way out (and the virtual key's capacity);
// hwkey's TestKeyStoreFullThroughLibfido2 fills a key for real.
func TestKeyStoreFullHint(t *testing.T) {
	err := fmt.Errorf("registering: %w", hwkey.ErrKeyStoreFull)
	for _, tc := range []struct {
		f    keyFlags
		want string
	}{
		{keyFlags{virtual: "fido2"}, "registering: the security key's storage for resident credentials (passkeys) is full: delete some of them first (the virtual key holds 50): see 'vmfa key creds list --virtual' and delete with 'vmfa key creds rm --virtual CREDENTIAL_ID'"},
		{keyFlags{device: "/dev/hidraw3"}, "registering: the security key's storage for resident credentials (passkeys) is full: delete some of them first: see 'vmfa key creds list --device /dev/hidraw3' and delete with 'vmfa key creds rm --device /dev/hidraw3 CREDENTIAL_ID'"},
	} {
		if got := tc.f.keyHint(err); got.Error() != tc.want || !errors.Is(got, hwkey.ErrKeyStoreFull) {
			t.Errorf("hint %q, want %q", got, tc.want)
		}
	}
}

// 'key list' shows the virtual keys next to the USB keys, and accepts
// --virtual like the other key commands.
func TestKeyListShowsVirtualKeys(t *testing.T) {
	env := vaultEnv(t)
	r := vmfa(t, env, "", "key", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "vmfa-virtual:fido2\tvirtual\tvmfa virtual fido2 security key (in the vault; --virtual=fido2)\n") ||
		!strings.Contains(r.stdout, "vmfa-virtual:u2f\tvirtual\t") {
		t.Fatalf("key list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = vmfa(t, env, "", "key", "list", "--virtual=u2f", "--json")
	var devs []hwkey.Device
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &devs) != nil || len(devs) != 1 || devs[0].Path != "vmfa-virtual:u2f" || !devs[0].Virtual {
		t.Fatalf("key list --virtual=u2f --json: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := vmfa(t, env, "", "key", "info", "--device", "vmfa-virtual:u2f"); r.code != 0 || !strings.Contains(r.stdout, "type:        u2f") {
		t.Fatalf("info --device vmfa-virtual:u2f: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := vmfa(t, env, "", "key", "info", "--device", "vmfa-virtual:u2f", "--virtual"); r.code != 1 || !strings.Contains(r.stderr, "either --device or --virtual") {
		t.Fatalf("--device and --virtual: %d %q", r.code, r.stderr)
	}
	if r := vmfa(t, env, "", "key", "info", "--device", "vmfa-virtual:nfc"); r.code != 1 || r.stderr != "vmfa: no virtual key vmfa-virtual:nfc: use vmfa-virtual:fido2 or vmfa-virtual:u2f\n" {
		t.Fatalf("unknown virtual key: %d %q", r.code, r.stderr)
	}
}

// Without a terminal, key pin says to use --pin-stdin and which lines it
// wants, instead of "no terminal to prompt on"; a change says so.
func TestKeyPINWithoutTerminal(t *testing.T) {
	env := vaultEnv(t)
	noTTY := func(stdin string, args ...string) result {
		t.Helper()
		c := exec.Command(vmfaBin, args...)
		c.Env = append(os.Environ(), env...)
		c.Stdin = strings.NewReader(stdin)
		noControllingTerminal(c)
		var o, e bytes.Buffer
		c.Stdout, c.Stderr = &o, &e
		err := c.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return result{o.String(), e.String(), c.ProcessState.ExitCode()}
	}
	r := noTTY("", "key", "pin", "--virtual")
	if want := "vmfa: no terminal to ask the pin on: pass --pin-stdin and write the new pin to stdin, one per line\n"; r.code != 1 || r.stderr != want {
		t.Errorf("pin without a terminal: %+v", r)
	}
	if r := noTTY("1234\n", "key", "pin", "--virtual", "--pin-stdin"); r.code != 0 || r.stdout != "pin set\n" {
		t.Fatalf("pin: %+v", r)
	}
	r = noTTY("", "key", "pin", "--change", "--virtual")
	if want := "vmfa: no terminal to ask the pin on: pass --pin-stdin and write the current pin and the new one to stdin, one per line\n"; r.code != 1 || r.stderr != want {
		t.Errorf("pin --change without a terminal: %+v", r)
	}
	if r := noTTY("1234\n5678\n", "key", "pin", "--change", "--virtual", "--pin-stdin"); r.code != 0 || r.stdout != "pin changed\n" {
		t.Errorf("pin --change: %+v", r)
	}
}
