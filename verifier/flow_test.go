package verifier

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// TestConsoleFlow rehearses a console from enrollment to security key:
// enroll → the device side adds the account from the QR image → two
// consecutive codes bind → a login code passes → the same code is refused
// as a replay → five wrong codes lock → unbind → a security key is refused
// while TOTP is bound and allowed after unbinding.
func TestConsoleFlow(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{t: start}
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	cfg.RPID, cfg.Origin = testRP, testOrigin
	v, err := New(NewFileStore(filepath.Join(dir, "verifier.json")), cfg)
	if err != nil {
		t.Fatal(err)
	}

	en, err := v.Enroll("alice", EnrollOptions{Issuer: "Example Cloud"})
	if err != nil {
		t.Fatal(err)
	}
	png, err := en.QRPNG(256)
	if err != nil {
		t.Fatal(err)
	}
	// The device side: decode the QR image, parse the URI.
	texts, err := scanner.DecodeReader(bytes.NewReader(png))
	if err != nil || len(texts) != 1 {
		t.Fatalf("decode QR: %v %q", err, texts)
	}
	accts, err := scanner.ParseURI(texts[0])
	if err != nil || len(accts) != 1 {
		t.Fatalf("parse URI: %v", err)
	}
	phone := accts[0]
	if phone.Issuer != "Example Cloud" || phone.Name != "alice" || !bytes.Equal(phone.Secret, en.Account.Secret) {
		t.Fatalf("device account %+v", phone)
	}
	// Manual entry gives the same account.
	key, err := vault.ParseSecret(en.ManualKey())
	if err != nil || !bytes.Equal(key, phone.Secret) {
		t.Fatal("manual key differs from the QR's secret")
	}

	// The console asks for two consecutive codes.
	c := phone.CodesAt(clk.Now())
	if err := v.Bind("alice", c.Current, c.Next, Client{Name: "console"}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	clk.Advance(60 * time.Second)
	code := phone.CodeAt(clk.Now())
	if err := v.Login("alice", code, Client{}); err != nil {
		t.Fatalf("login: %v", err)
	}
	mustErr(t, v.Login("alice", code, Client{}), ErrReplay)
	wrong := wrongCode(&phone, clk.Now())
	var last error
	for range 5 {
		last = v.Login("alice", wrong, Client{})
	}
	mustErr(t, last, ErrLocked)
	err = v.Login("alice", phone.CodeAt(clk.Now().Add(30*time.Second)), Client{})
	if !errors.Is(err, ErrLocked) || !strings.HasPrefix(err.Error(), "locked until ") {
		t.Fatalf("locked user told %v", err)
	}

	// A security key cannot be bound next to the TOTP device.
	_, err = v.BeginRegistration("alice", RegisterOptions{})
	mustErr(t, err, ErrDeviceBound)
	if err := v.Unbind("alice", Client{Name: "admin"}); err != nil {
		t.Fatal(err)
	}
	k := newTestKey(t)
	if _, err := registerKey(t, v, k, "alice", ceremony{}); err != nil {
		t.Fatalf("register after unbind: %v", err)
	}
	if err := loginKey(t, v, k, "alice", ceremony{}); err != nil {
		t.Fatalf("key login: %v", err)
	}

	// The state file is private and the log exports as JSON lines.
	fi, err := os.Stat(filepath.Join(dir, "verifier.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v %v", fi.Mode(), err)
	}
	var buf bytes.Buffer
	if err := v.ExportLog(&buf, LogFilter{User: "alice"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 12 {
		t.Fatalf("%d audit lines:\n%s", len(lines), buf.String())
	}
	for _, want := range []string{`"action":"bind","result":"success"`, `"reason":"replay"`, `"reason":"wrong-code+locked"`,
		`"reason":"locked"`, `"action":"unbind"`, `"method":"security-key","action":"register","result":"success"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %s", want)
		}
	}
	if strings.Contains(buf.String(), vault.EncodeSecret(phone.Secret)) || strings.Contains(buf.String(), code) {
		t.Fatal("audit log holds a secret or a code")
	}
}

func TestFileStoreRoundTripAndCorruption(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	clk := &clock{t: start}
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	v, _ := New(NewFileStore(path), cfg)
	a := enrollAndBind(t, v, clk, "bob")
	clk.Advance(time.Minute)
	code := a.CodeAt(clk.Now())
	if err := v.Login("bob", code, Client{}); err != nil {
		t.Fatal(err)
	}
	// A second verifier over the same file sees the spent step.
	v2, _ := New(NewFileStore(path), cfg)
	mustErr(t, v2.Login("bob", code, Client{}), ErrReplay)

	// A damaged file is reported in the document's words, and neither a
	// view nor an update overwrites it.
	damaged := []struct{ name, content, want string }{
		{"not json", "{not json", "bad json at line 1, column 2"},
		{"empty", "", "is empty"},
		{"blank", " \n", "is empty"},
		{"truncated", `{"version": 1, "users": {`, "the json ends too early"},
		{"wrong type", `{"version": 1, "users": []}`, `field "users" must be an object, not an array`},
		{"wrong field type", `{"version": 1, "users": {"bob": {"last_step": "x"}}}`, `field "users.last_step" must be a whole number, not negative, not a string`},
		{"unknown version", `{"version": 7}`, "has version 7"},
	}
	for _, d := range damaged {
		if err := os.WriteFile(path, []byte(d.content), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{v2.Login("bob", code, Client{}), func() error { _, err := v2.Status(""); return err }()} {
			if !errors.Is(err, ErrStateDamaged) || !strings.Contains(err.Error(), d.want) ||
				!strings.HasSuffix(err.Error(), "move it away") || strings.Contains(err.Error(), "Go ") {
				t.Fatalf("%s: %v, want ErrStateDamaged saying %q", d.name, err, d.want)
			}
		}
		if b, _ := os.ReadFile(path); string(b) != d.content {
			t.Fatalf("%s: damaged state was overwritten", d.name)
		}
	}
	// A missing file is a fresh state.
	os.Remove(path)
	st, err := v2.Status("")
	if err != nil || len(st) != 0 {
		t.Fatalf("fresh state: %v %v", st, err)
	}
}

func TestAuditLogIsBounded(t *testing.T) {
	v, _ := newTestVerifier(t, func(c *Config) { c.AuditMax = 16; c.MaxFailures = 0 })
	for range 100 {
		v.Login("nobody", "123456", Client{})
	}
	evs, _ := v.Log(LogFilter{})
	if len(evs) > 16 || len(evs) < 8 {
		t.Fatalf("%d events kept", len(evs))
	}
}

// Two verifiers (as two CLI processes) updating one state file at once lose
// nothing: every enrollment survives.
func TestFileStoreConcurrentUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := DefaultConfig()
	cfg.Now = func() time.Time { return start }
	done := make(chan error)
	const per = 10
	for w := range 2 {
		go func() {
			v, _ := New(NewFileStore(path), cfg)
			for i := range per {
				if _, err := v.Enroll(fmt.Sprintf("u%d-%d", w, i), EnrollOptions{}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	v, _ := New(NewFileStore(path), cfg)
	st, err := v.Status("")
	if err != nil || len(st) != 2*per {
		t.Fatalf("%d users after concurrent enrollments: %v", len(st), err)
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".state.json.tmp*")); len(matches) != 0 {
		t.Fatalf("temporary files left: %v", matches)
	}
}
