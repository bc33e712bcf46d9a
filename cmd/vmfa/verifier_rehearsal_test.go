package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/vault"
	"github.com/vmfa/vmfa/verifier"
)

// rehearsal drives the verifier CLI at times the test chooses (--at), in
// UTC, over one state file.
type rehearsal struct {
	t     *testing.T
	state string
	env   []string
}

func newRehearsal(t *testing.T) *rehearsal {
	return &rehearsal{t: t, state: filepath.Join(t.TempDir(), "verifier.json"), env: []string{"TZ=UTC"}}
}

func (h *rehearsal) run(at time.Time, args ...string) result {
	h.t.Helper()
	a := append([]string{"verifier", "--state", h.state}, args...)
	if !at.IsZero() {
		a = append(a, "--at", at.UTC().Format(time.RFC3339))
	}
	return vmfa(h.t, h.env, "", a...)
}

// jsonError runs a command with --json that must be refused and returns
// its JSON error object.
func (h *rehearsal) jsonError(at time.Time, args ...string) map[string]any {
	h.t.Helper()
	r := h.run(at, append(args, "--json")...)
	var out struct{ Error map[string]any }
	if r.code != 1 || json.Unmarshal([]byte(r.stdout), &out) != nil || out.Error == nil {
		h.t.Fatalf("%v: want a refusal as json: %+v", args, r)
	}
	if msg := "vmfa: " + out.Error["message"].(string) + "\n"; msg != r.stderr {
		h.t.Fatalf("%v: json message %q, stderr %q", args, msg, r.stderr)
	}
	return out.Error
}

// groups splits a code the way vmfa displays it: "756 935", "1234 5678".
func groups(code string) []string {
	h := len(code) / 2
	return []string{code[:h], code[h:]}
}

// The tester's rehearsal of issue 13: bind → login → replay → lockout →
// unlock → login, each refusal explained, as a script at chosen times.
func TestVerifierRehearsalWithoutSurprises(t *testing.T) {
	h := newRehearsal(t)
	t0 := time.Date(2026, 12, 4, 12, 30, 10, 0, time.UTC) // step 12:30:00
	r := h.run(t0, "totp", "enroll", "--user", "alice", "--json")
	var en map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &en) != nil {
		t.Fatalf("enroll --json: %+v", r)
	}
	// What a console's CreateVirtualMFADevice returns.
	png, err := base64.StdEncoding.DecodeString(en["qr_code_png"].(string))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || en["serial_number"] != "vmfa:vmfa-verifier:mfa/alice" ||
		!strings.HasPrefix(en["uri"].(string), "otpauth://totp/") || en["base32_string_seed"] == "" {
		t.Fatalf("enroll --json: %v", en)
	}
	secret, err := vault.ParseSecret(en["base32_string_seed"].(string))
	if err != nil {
		t.Fatal(err)
	}
	n := vault.Step(t0, 30)
	code := func(step uint64) string { return vault.HOTPCode(secret, vault.SHA1, 6, step) }

	// Codes typed as displayed: 4 arguments, 2 codes.
	args := append(append([]string{"totp", "bind", "--user", "alice"}, groups(code(n))...), groups(code(n+1))...)
	if r := h.run(t0, args...); r.code != 0 || r.stdout != "virtual mfa device bound for alice\n" {
		t.Fatalf("bind with grouped codes: %+v", r)
	}
	// The binding spent the current and the next code: a login with
	// either says so, and when the next code comes.
	t1 := t0.Add(5 * time.Second)
	for _, c := range []string{code(n), code(n + 1)} {
		r := h.run(t1, "login", "--user", "alice", "--code", c)
		if r.code != 1 || r.stderr != "vmfa: login denied: code already used by the binding at 12:30:10: next code valid from 12:31:00, in 45 s\n" {
			t.Fatalf("login right after binding: %+v", r)
		}
	}
	e := h.jsonError(t1, "login", "--user", "alice", "--code", code(n+1))
	if e["code"] != "AuthenticationCode.AlreadyUsed" || e["reason"] != "replay" || e["used_by"] != "bind" ||
		e["used_at"] != "2026-12-04T12:30:10Z" || e["next_code_at"] != "2026-12-04T12:31:00Z" || e["wait_seconds"] != 45.0 {
		t.Fatalf("replay json: %v", e)
	}
	// At 12:31:00 the next code logs in; sent again it names the login.
	t2 := time.Date(2026, 12, 4, 12, 31, 0, 0, time.UTC)
	if r := h.run(t2, "login", "--user", "alice", strings.Join(groups(code(n+2)), " ")); r.code != 0 || r.stdout != "login accepted for alice\n" {
		t.Fatalf("login with the next code: %+v", r)
	}
	r = h.run(t2.Add(5*time.Second), "login", "--user", "alice", "--code", code(n+2))
	if r.stderr != "vmfa: login denied: code already used by an earlier login at 12:31:00: next code valid from 12:31:30, in 25 s\n" {
		t.Fatalf("replayed login: %+v", r)
	}
	// Five wrong codes lock the user; the lock says until when and why.
	wrong := "000000"
	for code(n+2) == wrong || code(n+3) == wrong || code(n+1) == wrong {
		wrong = string(rune(wrong[0]+1)) + wrong[1:]
	}
	for i := 0; i < 4; i++ {
		r := h.run(t2.Add(time.Duration(10+i)*time.Second), "login", "--user", "alice", "--code", wrong)
		if r.code != 1 || r.stderr != "vmfa: login denied: wrong code\n" {
			t.Fatalf("wrong code %d: %+v", i, r)
		}
	}
	e = h.jsonError(t2.Add(14*time.Second), "login", "--user", "alice", "--code", wrong)
	if e["code"] != "MFADevice.Locked" || e["reason"] != "wrong-code+locked" || e["locked_until"] != "2026-12-04T12:46:14Z" ||
		len(e["lock_cause"].([]any)) != 5 {
		t.Fatalf("lock json: %v", e)
	}
	// Locked: even the right code is refused, as locked.
	t3 := time.Date(2026, 12, 4, 12, 31, 40, 0, time.UTC) // step 12:31:30
	e = h.jsonError(t3, "login", "--user", "alice", "--code", code(n+3))
	if e["code"] != "MFADevice.Locked" || e["reason"] != "locked" {
		t.Fatalf("login while locked: %v", e)
	}
	r = h.run(t3, "status", "--user", "alice")
	if !strings.Contains(r.stdout, "locked until 2026-12-04 12:46:14 after 5 failures from 12:31:10 to 12:31:14 (5 wrong-code) (vmfa verifier unlock --user alice ends it)") {
		t.Fatalf("status while locked: %q", r.stdout)
	}
	r = h.run(t3, "status", "--user", "alice", "--json")
	var st []map[string]any
	if json.Unmarshal([]byte(r.stdout), &st) != nil || st[0]["locked_until"] != "2026-12-04T12:46:14Z" || len(st[0]["lock_cause"].([]any)) != 5 {
		t.Fatalf("status --json while locked: %+v", r)
	}
	// The administrator unlocks; the right code logs in at once.
	if r := h.run(t3, "unlock", "--user", "alice", "--client", "admin console", "--ip", "192.0.2.1"); r.code != 0 || r.stdout != "lockout ended for alice\n" {
		t.Fatalf("unlock: %+v", r)
	}
	if r := h.run(t3, "login", "--user", "alice", "--code", code(n+3)); r.code != 0 {
		t.Fatalf("login after unlock: %+v", r)
	}
	r = h.run(t3, "unlock", "--user", "alice", "--json")
	var un map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &un) != nil || un["was_locked"] != false {
		t.Fatalf("unlock of an unlocked user: %+v", r)
	}
	r = h.run(time.Time{}, "log", "--json", "--user", "alice")
	if !strings.Contains(r.stdout, `"action":"unlock","result":"success","client":"admin console","ip":"192.0.2.1"`) {
		t.Fatalf("unlock not in the audit log: %s", r.stdout)
	}
}

// Binding codes that are each right but not a pair get their own reasons
// and codes; 8-digit codes bind in their displayed groups.
func TestVerifierBindReasons(t *testing.T) {
	h := newRehearsal(t)
	t0 := time.Date(2026, 12, 4, 12, 30, 10, 0, time.UTC)
	for _, u := range []string{"bo", "cy"} {
		digits := "6"
		if u == "cy" {
			digits = "8"
		}
		if r := h.run(t0, "totp", "enroll", "--user", u, "--no-qr", "--digits", digits); r.code != 0 {
			t.Fatalf("enroll: %+v", r)
		}
	}
	var seed string
	st, _ := os.ReadFile(h.state)
	var state struct {
		Users map[string]struct{ OTP struct{ Secret string } }
	}
	if err := json.Unmarshal(st, &state); err != nil {
		t.Fatal(err)
	}
	seed = state.Users["bo"].OTP.Secret
	secret, err := base64.StdEncoding.DecodeString(seed)
	if err != nil {
		t.Fatal(err)
	}
	n := vault.Step(t0, 30)
	code := func(step uint64) string { return vault.HOTPCode(secret, vault.SHA1, 6, step) }
	for _, tc := range []struct {
		c1, c2 string
		code   string
		msg    string
	}{
		{code(n + 1), code(n), "AuthenticationCode.WrongOrder", "binding denied: the two codes are in the wrong order: enter the earlier code first, then the next one"},
		{code(n), code(n), "AuthenticationCode.SameStep", "binding denied: both codes are the same code: wait for the next code and enter it as the second"},
		{code(n - 1), code(n + 1), "AuthenticationCode.NotConsecutive", "binding denied: the two codes are not consecutive: they are 2 codes apart (enter two codes in a row)"},
	} {
		e := h.jsonError(t0, "totp", "bind", "--user", "bo", tc.c1, tc.c2)
		if e["code"] != tc.code || e["message"] != tc.msg {
			t.Errorf("got %v, want %s %q", e, tc.code, tc.msg)
		}
	}
	e := h.jsonError(t0, "totp", "bind", "--user", "bo", "123", "456", "789")
	if e["code"] != "InvalidParameter.AuthenticationCode.Format" {
		t.Fatalf("three groups of a 6-digit pair: %v", e)
	}
	if r := h.run(t0, "totp", "bind", "--user", "bo", code(n), code(n+1)); r.code != 0 {
		t.Fatalf("bind: %+v", r)
	}
	e = h.jsonError(t0, "totp", "bind", "--user", "bo", code(n), code(n+1))
	if e["code"] != "EntityAlreadyExists.User.MFADevice" {
		t.Fatalf("second bind: %v", e)
	}
	if e := h.jsonError(t0, "login", "--user", "nobody", "--code", "123456"); e["code"] != "EntityNotExist.User" {
		t.Fatalf("unknown user: %v", e)
	}
	if e := h.jsonError(t0, "login", "--code", "123456"); e["code"] != "MissingParameter.UserName" {
		t.Fatalf("no user: %v", e)
	}
	if e := h.jsonError(t0, "totp", "bind", "--user", "bo"); e["code"] != "MissingParameter.AuthenticationCode" {
		t.Fatalf("bind without codes: %v", e)
	}
	if e := h.jsonError(t0, "unbind", "--user", "bo", "extra"); e["code"] != "InvalidParameter" {
		t.Fatalf("unbind with an argument: %v", e)
	}
	// 8 digits, typed as displayed: 1234 5678 8765 4321.
	secret8, _ := base64.StdEncoding.DecodeString(state.Users["cy"].OTP.Secret)
	c8 := func(step uint64) string { return vault.HOTPCode(secret8, vault.SHA1, 8, step) }
	args := append(append([]string{"totp", "bind", "--user", "cy"}, groups(c8(n))...), groups(c8(n+1))...)
	if r := h.run(t0, args...); r.code != 0 {
		t.Fatalf("8-digit bind in groups %v: %+v", args, r)
	}
	if e := h.jsonError(t0, "unbind", "--user", "nobody"); e["code"] != "EntityNotExist.User.MFADevice" {
		t.Fatalf("unbind nobody: %v", e)
	}
}

// enroll --qr never overwrites a file nor follows a symlink, and refuses
// before anything is enrolled (issue 10, item 10).
func TestVerifierEnrollQRFileExclusive(t *testing.T) {
	h := newRehearsal(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.png")
	os.WriteFile(existing, []byte("keep"), 0o644)
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "link.png")
	os.Symlink(target, link)
	for _, f := range []string{existing, link} {
		r := h.run(time.Time{}, "totp", "enroll", "--user", "qa", "--no-qr", "--qr", f)
		if r.code != 1 || r.stderr != "vmfa: "+f+" already exists; remove it or choose another --qr\n" {
			t.Fatalf("%s: %+v", f, r)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep" {
		t.Fatalf("overwritten: %q", b)
	}
	if _, err := os.Lstat(target); err == nil {
		t.Fatal("wrote through the symlink")
	}
	if r := h.run(time.Time{}, "status", "--user", "qa"); !strings.Contains(r.stdout, "qa    none") {
		t.Fatalf("enrolled anyway: %q", r.stdout)
	}
	fresh := filepath.Join(dir, "fresh.png")
	if r := h.run(time.Time{}, "totp", "enroll", "--user", "qa", "--no-qr", "--qr", fresh); r.code != 0 {
		t.Fatalf("enroll: %+v", r)
	}
	if fi, err := os.Lstat(fresh); err != nil || fi.Mode().Perm() != 0o600 || !fi.Mode().IsRegular() {
		t.Fatalf("qr file %v %v", fi, err)
	}
}

// The audit client fields are validated on input, and what a state file
// holds is escaped on output (issue 10, item 10).
func TestVerifierAuditFieldsSafe(t *testing.T) {
	h := newRehearsal(t)
	for _, flags := range [][]string{{"--client", "evil\x1b[2J"}, {"--client", strings.Repeat("x", 65)}, {"--ip", "not-an-ip"}, {"--ip", "1.2.3.4\n"}} {
		r := h.run(time.Time{}, append([]string{"unlock", "--user", "x"}, flags...)...)
		if r.code != 1 || !strings.Contains(r.stderr, "bad audit client") || strings.Contains(r.stderr, "\x1b") {
			t.Errorf("%q: %+v", flags, r)
		}
	}
	// A state edited elsewhere: control characters in its fields reach
	// the terminal escaped.
	evil := `{"version":1,"users":{"m\u001b[31mallory":{"name":"m\u001b[31mallory","state":"none"}},` +
		`"audit":[{"time":"2026-12-04T12:00:00Z","user":"m\u001b[31mallory","action":"login","result":"denied",` +
		`"reason":"wrong-code","client":"c\u009b2J","ip":"\u202e1.2.3.4","verifier":"v"}]}`
	os.WriteFile(h.state, []byte(evil), 0o600)
	for _, args := range [][]string{{"log"}, {"status"}} {
		r := h.run(time.Time{}, args...)
		if r.code != 0 || strings.ContainsAny(r.stdout, "\x1b\u009b\u202e") || !strings.Contains(r.stdout, `m\x1b[31mallory`) {
			t.Errorf("%v: %q", args, r.stdout)
		}
	}
}

// The windows the policy flags take are bounded, and the bounds stated.
func TestVerifierWindowBounds(t *testing.T) {
	h := newRehearsal(t)
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--skew", "11"}, "vmfa: skew must be 0 to 10 steps\n"},
		{[]string{"--hotp-look-ahead", "1000"}, "vmfa: hotp look-ahead must be 0 to 100 counter values (got 1000)\n"},
		{[]string{"--hotp-resync-window", "100000"}, "vmfa: hotp resync window must be 0 to 10000 counter values (got 100000)\n"},
		{[]string{"--at", "yesterday"}, "vmfa: --at: cannot read time \"yesterday\": give unix seconds or RFC 3339 (2006-01-02T15:04:05Z)\n"},
	} {
		if r := h.run(time.Time{}, append(tc.flags, "status")...); r.code != 1 || r.stderr != tc.want {
			t.Errorf("%v: %+v", tc.flags, r)
		}
	}
}

// The README's table documents every error code the verifier reports.
func TestVerifierErrorCodesInREADME(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range verifier.Codes() {
		if !bytes.Contains(b, []byte("| `"+rc[1]+"` | `"+rc[0]+"` |")) {
			t.Errorf("README lacks the row of %s (%s)", rc[1], rc[0])
		}
	}
}

// tokens import --assign --json reports refused assignments inside its one
// JSON document, each with its code.
func TestVerifierImportAssignRefusalsJSON(t *testing.T) {
	h := newRehearsal(t)
	if r := h.run(time.Time{}, "totp", "enroll", "--user", "helga@contoso.com", "--no-qr"); r.code != 0 {
		t.Fatalf("enroll: %+v", r)
	}
	r := h.run(time.Time{}, "--json", "tokens", "import", "--assign", "../../verifier/testdata/tokens.csv")
	var out struct {
		Added    []string
		Assigned []string
		Refused  []map[string]any
	}
	if r.code != 1 || json.Unmarshal([]byte(r.stdout), &out) != nil || len(out.Added) != 2 || len(out.Assigned) != 1 ||
		len(out.Refused) != 1 || out.Refused[0]["code"] != "MFADevice.PendingBinding" ||
		!strings.Contains(r.stderr, "1 token not assigned, first: token ") {
		t.Fatalf("import --assign --json: %+v", r)
	}
}
