package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// awayFromStepEdge waits until at least 5 s remain in the current 30 s
// step, so that codes computed now are still the codes of now when the
// verifier process checks them.
func awayFromStepEdge() {
	if left := 30 - time.Now().Unix()%30; left < 5 {
		time.Sleep(time.Duration(left)*time.Second + 200*time.Millisecond)
	}
}

func TestVerifierConsoleRehearsal(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "verifier.json")
	qr := filepath.Join(dir, "alice.png")
	env := vaultEnv(t)
	ver := func(stdin string, args ...string) result {
		return vmfa(t, env, stdin, append([]string{"verifier", "--state", state}, args...)...)
	}

	// Terminal 1: the console issues the secret.
	r := ver("", "totp", "enroll", "--user", "alice", "--issuer", "Example Cloud", "--qr", qr)
	if r.code != 0 || !strings.Contains(r.stdout, "uri:     otpauth://totp/Example%20Cloud:alice?secret=") ||
		!strings.Contains(r.stdout, "account: Example Cloud: alice") || !strings.Contains(r.stdout, "▀") {
		t.Fatalf("enroll: %+v", r)
	}
	for _, f := range []string{state, qr} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v %v", f, fi.Mode(), err)
		}
	}
	// Terminal 2: the phone scans the QR and shows current and next.
	if r := vmfa(t, env, "", "add", "--qr", qr); r.code != 0 {
		t.Fatalf("add --qr: %+v", r)
	}
	awayFromStepEdge()
	r = vmfa(t, env, "", "code", "alice", "--next")
	codes := strings.Fields(r.stdout)
	if r.code != 0 || len(codes) != 2 {
		t.Fatalf("code --next: %+v", r)
	}
	// Terminal 1: two consecutive codes bind.
	if r := ver("", "totp", "bind", "--user", "alice", codes[0], codes[1]); r.code != 0 || r.stdout != "virtual mfa device bound for alice\n" {
		t.Fatalf("bind: %+v", r)
	}
	// The codes used for binding are spent.
	r = ver("", "login", "--user", "alice", "--code", codes[1], "--client", "console", "--ip", "192.0.2.7")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: login denied: code already used by the binding at ") ||
		!strings.Contains(r.stderr, ": next code valid from ") {
		t.Fatalf("replayed bind code: %+v", r)
	}
	// A wrong code, read from stdin, is denied with its reason.
	r = ver("000000\n", "login", "--user", "alice")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: login denied: ") {
		t.Fatalf("wrong code: %+v", r)
	}

	r = ver("", "status", "--user", "alice", "--json")
	var st []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || len(st) != 1 || st[0]["state"] != "bound" || st[0]["method"] != "totp" {
		t.Fatalf("status: %+v %v", r, err)
	}
	// One device per user: a security key is refused until unbind.
	r = ver("", "key", "register", "--user", "alice", "--begin")
	if r.code != 1 || !strings.Contains(r.stderr, "unbind the current device first") {
		t.Fatalf("second device: %+v", r)
	}
	if r := ver("", "unbind", "--user", "alice"); r.code != 0 {
		t.Fatalf("unbind: %+v", r)
	}
	r = ver("", "key", "register", "--user", "alice", "--rp", "example.com", "--begin")
	var opts map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &opts) != nil || opts["challenge"] == "" {
		t.Fatalf("register --begin: %+v", r)
	}

	// The audit log as JSON lines.
	r = ver("", "log", "--json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 4 {
		t.Fatalf("log: %+v", r)
	}
	var e map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &e); err != nil || e["reason"] != "replay" || e["client"] != "console" ||
		e["ip"] != "192.0.2.7" || e["method"] != "totp" || e["verifier"] != "vmfa-verifier" {
		t.Fatalf("event %v %v", e, err)
	}
	if r := ver("", "log"); r.code != 0 || !strings.Contains(r.stdout, "wrong-code") {
		t.Fatalf("log table: %+v", r)
	}
}

func TestVerifierSecurityKeyWithVirtualKey(t *testing.T) {
	state := filepath.Join(t.TempDir(), "verifier.json")
	env := vaultEnv(t)
	ver := func(stdin string, args ...string) result {
		return vmfa(t, env, stdin, append([]string{"verifier", "--state", state}, args...)...)
	}
	// Driving the virtual key directly (packed attestation).
	r := ver("", "key", "register", "--user", "bob", "--rp", "example.com", "--virtual")
	if r.code != 0 || !strings.Contains(r.stdout, "security key bound for bob at example.com (packed attestation") {
		t.Fatalf("register --virtual: %+v", r)
	}
	if r := ver("", "key", "login", "--user", "bob", "--virtual"); r.code != 0 || !strings.Contains(r.stdout, "counter 1") {
		t.Fatalf("login --virtual: %+v", r)
	}
	// Status shows the bound key's credential flags: a hardware-like key,
	// no PIN, so neither verified nor backup eligible.
	if r := ver("", "status", "--user", "bob"); !strings.Contains(r.stdout, "flags uv=no be=no bs=no") {
		t.Fatalf("status of a key: %q", r.stdout)
	}
	// UV required by the policy: a key without a PIN cannot give it; the
	// refusal is the key's, with its own code.
	r = ver("", "key", "register", "--user", "uvon", "--rp", "example.com", "--virtual", "--uv", "--json")
	if r.code != 1 || !strings.Contains(r.stdout, `"code": "SecurityKey.DeviceError"`) || !strings.Contains(r.stderr, "user verification") {
		t.Fatalf("register --uv without a pin: %+v", r)
	}
	r = ver("", "status", "--user", "bob", "--json")
	if !strings.Contains(r.stdout, `"flags": {`) || !strings.Contains(r.stdout, `"uv": false`) || !strings.Contains(r.stdout, `"be": false`) {
		t.Fatalf("status --json of a key: %q", r.stdout)
	}
	// Through JSON, as with a browser: options out, response in (a U2F key,
	// fido-u2f attestation).
	dir := t.TempDir()
	r = ver("", "key", "register", "--user", "carol", "--rp", "example.com", "--begin")
	os.WriteFile(filepath.Join(dir, "opts.json"), []byte(r.stdout), 0o600)
	resp := vmfa(t, env, "", "key", "register", "--virtual=u2f", "--options", filepath.Join(dir, "opts.json"), "--json")
	if resp.code != 0 {
		t.Fatalf("vmfa key register: %+v", resp)
	}
	if r := ver(resp.stdout, "key", "register", "--user", "carol", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"fmt": "fido-u2f"`) {
		t.Fatalf("register from stdin: %+v", r)
	}
	r = ver("", "key", "login", "--user", "carol", "--begin")
	os.WriteFile(filepath.Join(dir, "req.json"), []byte(r.stdout), 0o600)
	asrt := vmfa(t, env, "", "key", "login", "--virtual=u2f", "--options", filepath.Join(dir, "req.json"), "--json")
	if asrt.code != 0 {
		t.Fatalf("vmfa key login: %+v", asrt)
	}
	if r := ver(asrt.stdout, "key", "login", "--user", "carol"); r.code != 0 {
		t.Fatalf("login from stdin: %+v", r)
	}
	// The same assertion again: its challenge is spent.
	if r := ver(asrt.stdout, "key", "login", "--user", "carol"); r.code != 1 || !strings.Contains(r.stderr, "challenge already used") {
		t.Fatalf("replayed assertion: %+v", r)
	}
	// A TOTP enrollment is refused while the key is bound.
	if r := ver("", "totp", "enroll", "--user", "carol"); r.code != 1 || !strings.Contains(r.stderr, "unbind the current device first") {
		t.Fatalf("enroll next to a key: %+v", r)
	}
}

// With no --rp the verifier's relying party is localhost, whose origin is
// http://localhost; the key client, given no --origin, must report the
// same origin, or the pipe of the help's example is refused.
func TestVerifierSecurityKeyDefaultRP(t *testing.T) {
	state := filepath.Join(t.TempDir(), "verifier.json")
	env := vaultEnv(t)
	dir := t.TempDir()
	r := vmfa(t, env, "", "verifier", "--state", state, "key", "register", "--user", "dora", "--begin")
	if r.code != 0 || !strings.Contains(r.stdout, `"id": "localhost"`) {
		t.Fatalf("register --begin: %+v", r)
	}
	os.WriteFile(filepath.Join(dir, "opts.json"), []byte(r.stdout), 0o600)
	resp := vmfa(t, env, "", "key", "register", "--virtual", "--options", filepath.Join(dir, "opts.json"), "--json")
	if resp.code != 0 || !strings.Contains(resp.stdout, `"clientDataJSON"`) {
		t.Fatalf("vmfa key register: %+v", resp)
	}
	if r := vmfa(t, env, resp.stdout, "verifier", "--state", state, "key", "register", "--user", "dora"); r.code != 0 ||
		!strings.Contains(r.stdout, "security key bound for dora at localhost") {
		t.Fatalf("register from stdin: %+v", r)
	}
}

func TestVerifierTokensCLI(t *testing.T) {
	state := filepath.Join(t.TempDir(), "verifier.json")
	ver := func(args ...string) result {
		return vmfa(t, nil, "", append([]string{"verifier", "--state", state}, args...)...)
	}
	if r := ver("tokens", "import", "../../verifier/testdata/tokens.csv"); r.code != 0 || r.stdout != "2 tokens added, 0 already in the inventory\n" {
		t.Fatalf("import: %+v", r)
	}
	if r := ver("tokens", "assign", "--serial", "TK-1001", "--user", "helga"); r.code != 0 {
		t.Fatalf("assign: %+v", r)
	}
	if r := ver("tokens", "assign", "--serial", "TK-1001", "--user", "raj"); r.code != 1 || !strings.Contains(r.stderr, "assigned to another user") {
		t.Fatalf("assign twice: %+v", r)
	}
	secret, _ := vault.ParseSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	code := vault.HOTPCode(secret, vault.SHA1, 6, vault.Step(time.Now(), 60))
	if r := ver("login", "--user", "helga", "--code", code); r.code != 0 {
		t.Fatalf("token login: %+v", r)
	}
	if r := ver("tokens", "list"); !strings.Contains(r.stdout, "TK-1001  totp  60      6       helga@contoso.com  helga") {
		t.Fatalf("list: %q", r.stdout)
	}

	// Entra style: the file's upn column assigns the tokens.
	state2 := filepath.Join(t.TempDir(), "verifier.json")
	r := vmfa(t, nil, "", "verifier", "--state", state2, "tokens", "import", "--assign", "../../verifier/testdata/tokens.csv")
	if r.code != 0 || !strings.Contains(r.stdout, "2 tokens assigned") {
		t.Fatalf("import --assign: %+v", r)
	}
	code = vault.HOTPCode(secret, vault.SHA1, 6, vault.Step(time.Now(), 60))
	if r := vmfa(t, nil, "", "verifier", "--state", state2, "login", "--user", "helga@contoso.com", "--code", code); r.code != 0 {
		t.Fatalf("login with an imported-and-assigned token: %+v", r)
	}
}

func TestVerifierCLIErrors(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "verifier.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login", "--code", "123456"}, "vmfa: --user is required\n"},
		{[]string{"login", "--user", "nobody", "--code", "123456"}, "vmfa: login denied: unknown user (enroll an mfa device first)\n"},
		{[]string{"totp", "bind", "--user", "nobody", "1", "2"}, "vmfa: binding denied: unknown user (enroll an mfa device first)\n"},
		{[]string{"key", "login", "--user", "nobody", "--begin"}, "vmfa: login denied: unknown user (enroll an mfa device first)\n"},
		{[]string{"key", "register", "--user", "x", "--rp", "example.com", "--origin", "https://evil.example", "--begin"},
			"vmfa: registration denied: origin \"https://evil.example\" is not within rp id \"example.com\"\n"},
		{[]string{"tokens", "assign", "--serial", "NOPE", "--user", "x"}, "vmfa: assignment denied: unknown token serial (import the token file first)\n"},
	} {
		r := vmfa(t, nil, "", append([]string{"verifier", "--state", state}, tc.args...)...)
		if r.code != 1 || r.stderr != tc.want {
			t.Errorf("%v: code %d stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	os.WriteFile(state, []byte("{broken"), 0o600)
	r := vmfa(t, nil, "", "verifier", "--state", state, "status")
	if r.code != 1 || !strings.Contains(r.stderr, "the verifier state file is damaged") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("corrupt state: %+v", r)
	}
}

// Values the verifier cannot use are refused, each with a message saying
// what it takes; nothing is enrolled.
func TestVerifierRefusesBadValues(t *testing.T) {
	state := filepath.Join(t.TempDir(), "verifier.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"totp", "enroll", "--user", "a", "--period", "0"}, "vmfa: --period: period must be a positive number of seconds (got 0)\n"},
		{[]string{"totp", "enroll", "--user", "a", "--period=-30"}, "vmfa: --period: period must be a positive number of seconds (got -30)\n"},
		{[]string{"totp", "enroll", "--user", "a", "--type", "steam"}, "vmfa: --type steam: the verifier issues totp or hotp devices only\n"},
		{[]string{"totp", "enroll", "--user", "a", "--type", "motp"}, "vmfa: --type motp: the verifier issues totp or hotp devices only\n"},
		{[]string{"log", "--method", "bogus"}, "vmfa: bad audit log filter: unknown method \"bogus\" (want totp, hotp, oath-token, security-key)\n"},
		{[]string{"log", "--result", "bogus"}, "vmfa: bad audit log filter: unknown result \"bogus\" (want success or denied)\n"},
	} {
		r := vmfa(t, nil, "", append([]string{"verifier", "--state", state}, tc.args...)...)
		if r.code != 1 || r.stderr != tc.want || r.stdout != "" {
			t.Errorf("%v: code %d stdout %q stderr %q, want %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	// With --json the refusal is also a JSON object on stdout.
	r := vmfa(t, nil, "", "verifier", "--state", state, "log", "--json", "--method", "bogus")
	var out struct{ Error map[string]string }
	if r.code != 1 || r.stderr != "vmfa: bad audit log filter: unknown method \"bogus\" (want totp, hotp, oath-token, security-key)\n" ||
		json.Unmarshal([]byte(r.stdout), &out) != nil || out.Error["code"] != "InvalidParameter.LogFilter" ||
		out.Error["message"] != strings.TrimPrefix(strings.TrimSpace(r.stderr), "vmfa: ") {
		t.Errorf("log --json --method bogus: %+v", r)
	}
	if r := vmfa(t, nil, "", "verifier", "--state", state, "totp", "enroll", "--user", "h", "--type", "hotp", "--period", "0", "--no-qr"); r.code != 0 {
		t.Fatalf("hotp has no period: %+v", r)
	}
	if r := vmfa(t, nil, "", "verifier", "--state", state, "status", "--user", "a"); !strings.Contains(r.stdout, "a     none") {
		t.Fatalf("a refused enrollment left %q", r.stdout)
	}
}

// A pending enrollment is told apart from no device, shows its deadline in
// full and when it has passed, and is not dropped by a token assignment.
func TestVerifierPendingEnrollment(t *testing.T) {
	state := filepath.Join(t.TempDir(), "verifier.json")
	ver := func(args ...string) result {
		return vmfa(t, nil, "", append([]string{"verifier", "--state", state}, args...)...)
	}
	if r := ver("tokens", "import", "../../verifier/testdata/tokens.csv"); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	if r := ver("totp", "enroll", "--user", "pat", "--no-qr"); r.code != 0 {
		t.Fatalf("enroll: %+v", r)
	}
	if r := ver("login", "--user", "pat", "--code", "123456"); r.code != 1 || r.stderr != "vmfa: login denied: enrollment pending: bind it with two consecutive codes first\n" {
		t.Fatalf("login while pending: %+v", r)
	}
	r := ver("tokens", "assign", "--serial", "TK-1001", "--user", "pat")
	if r.code != 1 || r.stderr != "vmfa: assignment denied: user has a pending enrollment: unbind it first to drop it, then add the new device\n" {
		t.Fatalf("assign while pending: %+v", r)
	}
	r = ver("status", "--user", "pat")
	if !strings.Contains(r.stdout, "pat   pending  totp    bind before "+time.Now().Format("2006-01-02")) {
		t.Fatalf("status while pending: %q", r.stdout)
	}
	// An enrollment that is already over.
	if r := ver("--pending-ttl", "1ms", "totp", "enroll", "--user", "old", "--no-qr"); r.code != 0 {
		t.Fatalf("enroll: %+v", r)
	}
	time.Sleep(5 * time.Millisecond)
	r = ver("status", "--user", "old")
	if !strings.Contains(r.stdout, "old   pending (expired)  totp    enrollment expired at "+time.Now().Format("2006-01-02")) {
		t.Fatalf("status of an expired enrollment: %q", r.stdout)
	}
	r = ver("--json", "status", "--user", "old")
	if !strings.Contains(r.stdout, `"expired": true`) {
		t.Fatalf("status --json of an expired enrollment: %q", r.stdout)
	}
}

// A state file that lost its content is damaged, not a fresh state: it is
// reported and left alone. JSON errors are told in the file's words.
func TestVerifierDamagedState(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"empty", "", "is empty: restore it from a backup or move it away"},
		{"wrong type", `{"version": 1, "users": []}`, `: field "users" must be an object, not an array: restore it`},
		{"truncated", `{"version": 1, "users": {`, ": the json ends too early (is it cut short?): restore it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "verifier.json")
			if err := os.WriteFile(state, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"status"}, {"totp", "enroll", "--user", "a", "--no-qr"}} {
				r := vmfa(t, nil, "", append([]string{"verifier", "--state", state}, args...)...)
				if r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: the verifier state file is damaged: "+state) ||
					!strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "Go ") || strings.Count(r.stderr, "\n") != 1 {
					t.Fatalf("%v: %+v", args, r)
				}
			}
			if b, _ := os.ReadFile(state); string(b) != tc.content {
				t.Fatalf("damaged state overwritten with %q", b)
			}
		})
	}
}

// tokens import takes the PSKC passphrase from $VMFA_PSKC_PASSPHRASE, as
// 'vmfa import' does, and counts in words ("1 token").
func TestVerifierTokensImportPSKCPassphrase(t *testing.T) {
	state := filepath.Join(t.TempDir(), "verifier.json")
	file := "../../scanner/testdata/pskc/rfc6030-pbkdf2.pskc"
	r := vmfaNoTTY(t, nil, "", "verifier", "--state", state, "tokens", "import", file)
	if r.code != 1 || !strings.Contains(r.stderr, "protected by a passphrase") || !strings.Contains(r.stderr, "$VMFA_PSKC_PASSPHRASE") {
		t.Fatalf("without a passphrase: %+v", r)
	}
	r = vmfa(t, []string{"VMFA_PSKC_PASSPHRASE=qwerty"}, "", "verifier", "--state", state, "tokens", "import", file)
	if r.code != 0 || r.stdout != "1 token added, 0 already in the inventory\n" {
		t.Fatalf("with $VMFA_PSKC_PASSPHRASE: %+v", r)
	}
	r = vmfa(t, []string{"VMFA_PSKC_PASSPHRASE=qwerty"}, "", "verifier", "--state", state, "--json", "tokens", "import", file)
	var out map[string][]string
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil || out["added"] == nil || out["assigned"] == nil ||
		len(out["skipped"]) != 1 || strings.Contains(r.stdout, "null") {
		t.Fatalf("--json: %+v", r)
	}
}

func TestVerifierTrustRoots(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "verifier.json")
	env := vaultEnv(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "unrelated root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	roots := filepath.Join(dir, "roots.pem")
	os.WriteFile(roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)

	r := vmfa(t, env, "", "verifier", "--state", state, "key", "register", "--user", "dan", "--rp", "example.com", "--virtual", "--trust-roots", roots)
	if r.code != 1 || !strings.Contains(r.stderr, "attestation certificate does not chain to a trusted root") {
		t.Fatalf("untrusted attestation: %+v", r)
	}
	r = vmfa(t, env, "", "verifier", "--state", state, "key", "register", "--user", "dan", "--rp", "example.com", "--virtual", "--trust-roots", state)
	if r.code != 1 || !strings.Contains(r.stderr, "holds no PEM certificates") {
		t.Fatalf("bad roots file: %+v", r)
	}
}

func TestVerifierPolicyFlags(t *testing.T) {
	state := filepath.Join(t.TempDir(), "verifier.json")
	ver := func(stdin string, args ...string) result {
		return vmfa(t, nil, stdin, append([]string{"verifier", "--state", state, "--max-failures", "2", "--lockout", "1m"}, args...)...)
	}
	r := ver("", "totp", "enroll", "--user", "pia", "--json")
	var en struct{ Key string }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &en) != nil {
		t.Fatalf("enroll --json: %+v", r)
	}
	secret, err := vault.ParseSecret(en.Key)
	if err != nil {
		t.Fatal(err)
	}
	awayFromStepEdge()
	n := vault.Step(time.Now(), 30)
	code := func(step uint64) string { return vault.HOTPCode(secret, vault.SHA1, 6, step) }
	if r := ver("", "totp", "bind", "--user", "pia", code(n), code(n+1)); r.code != 0 {
		t.Fatalf("bind: %+v", r)
	}
	if r := ver("", "login", "--user", "pia", "--code", "12345"); r.code != 1 || !strings.Contains(r.stderr, "malformed code") {
		t.Fatalf("first failure: %+v", r)
	}
	r = ver("", "login", "--user", "pia", "--code", "12345")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: login denied: locked until ") {
		t.Fatalf("second failure with --max-failures 2: %+v", r)
	}
	if r := ver("", "status", "--user", "pia"); !strings.Contains(r.stdout, "locked until") {
		t.Fatalf("status: %+v", r)
	}
	if r := vmfa(t, nil, "", "verifier", "--state", state, "--skew", "-1", "status"); r.code != 1 || r.stderr != "vmfa: skew must be 0 to 10 steps\n" {
		t.Fatalf("bad skew: %+v", r)
	}
}

// enroll draws its QR code as show-qr does: black on white with explicit
// colours, and under NO_COLOR in plain characters without a single escape
// sequence.
func TestVerifierEnrollQRHonoursNoColor(t *testing.T) {
	state := filepath.Join(t.TempDir(), "verifier.json")
	r := vmfa(t, []string{"NO_COLOR=1"}, "", "verifier", "--state", state, "totp", "enroll", "--user", "nc")
	if r.code != 0 || !strings.Contains(r.stdout, "█") || !strings.Contains(r.stdout, "uri:     otpauth://totp/") {
		t.Fatalf("enroll: %+v", r)
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("enroll under NO_COLOR wrote an escape sequence: %q", r.stdout[:min(len(r.stdout), 200)])
	}
}
