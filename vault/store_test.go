package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// cheapKDF keeps passphrase tests fast; the format records the parameters.
var cheapKDF = &KDFParams{Algorithm: "argon2id", Time: 1, MemoryKiB: 64, Threads: 1}

func pass(p string) func(bool) ([]byte, error) {
	return func(bool) ([]byte, error) { return []byte(p), nil }
}

func newPassVault(t testing.TB, path string) *Vault {
	t.Helper()
	v, err := Open(Options{Path: path, Create: PassphraseSource, Passphrase: pass("correct horse"), KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func testAccount(i int) Account {
	return Account{Issuer: "ACME", Name: fmt.Sprintf("user%04d@example.com", i),
		Secret: []byte(fmt.Sprintf("secret-%013d", i))}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPassphraseVaultRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vmfa")
	path := filepath.Join(dir, "vault.vmfa")
	v := newPassVault(t, path)
	a := testAccount(1)
	a.Tags, a.Note, a.Serial = []string{"work"}, "the note", "SN123"
	if err := v.Add(a, testAccount(2)); err != nil {
		t.Fatal(err)
	}
	w, err := Open(Options{Path: path, Passphrase: pass("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	got := w.Accounts()
	if len(got) != 2 || got[0].Name != a.Name || !bytes.Equal(got[0].Secret, a.Secret) || got[0].Serial != "SN123" || got[0].Tags[0] != "work" {
		t.Fatalf("reopened accounts differ: %+v", got)
	}
	if w.Source() != PassphraseSource {
		t.Errorf("source %q", w.Source())
	}
	raw := mustRead(t, path)
	for _, secret := range []string{string(a.Secret), EncodeSecret(a.Secret), a.Name, "the note", "SN123"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("vault file contains %q in plaintext", secret)
		}
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	if err := v.Add(a); !errors.Is(err, ErrDuplicate) {
		t.Errorf("adding the same credential twice: %v", err)
	}
}

func TestOpenErrorsLeaveFileUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	if err := v.Add(testAccount(1)); err != nil {
		t.Fatal(err)
	}
	good := mustRead(t, path)
	hdrEnd := 10 + int(good[6])<<24 | int(good[7])<<16 | int(good[8])<<8 | int(good[9])
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 0x40; return b }
	tests := []struct {
		name string
		file []byte
		pw   string
		want error
	}{
		{"wrong passphrase", good, "wrong horse", ErrWrongPassphrase},
		{"tampered ciphertext", flip(len(good) - 20), "correct horse", ErrCorrupt},
		{"tampered nonce", flip(hdrEnd + 3), "correct horse", ErrCorrupt},
		{"tampered header", flip(hdrEnd - 3), "correct horse", ErrCorrupt},
		{"truncated", good[:len(good)-40], "correct horse", ErrCorrupt},
		{"truncated to header", good[:hdrEnd], "correct horse", ErrCorrupt},
		{"empty", []byte{}, "correct horse", ErrCorrupt},
		{"not a vault", []byte("hello world, this is not a vault at all"), "correct horse", ErrCorrupt},
		{"newer format", append([]byte("VMFA\x00\x09"), good[6:]...), "correct horse", ErrNewerFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "vault.vmfa")
			if err := os.WriteFile(p, tc.file, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(Options{Path: p, Passphrase: pass(tc.pw), Create: PassphraseSource, KDF: cheapKDF})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !bytes.Equal(mustRead(t, p), tc.file) {
				t.Error("the file was modified")
			}
		})
	}
	// A handle whose file was damaged after opening refuses to write.
	if err := os.WriteFile(path, flip(len(good)-20), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := v.Add(testAccount(2)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("update over a damaged file: %v", err)
	}
	if !bytes.Equal(mustRead(t, path), flip(len(good)-20)) {
		t.Error("update overwrote a damaged file")
	}
}

func TestNoVaultAndPassphraseRequired(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	if _, err := Open(Options{Path: path}); !errors.Is(err, ErrNoVault) {
		t.Errorf("missing vault: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("opening a missing vault created it")
	}
	newPassVault(t, path)
	if _, err := Open(Options{Path: path}); !errors.Is(err, ErrPassphraseRequired) {
		t.Errorf("no passphrase source: %v", err)
	}
	info, err := Inspect(path)
	if err != nil || !info.Exists || info.Source != PassphraseSource {
		t.Errorf("Inspect: %+v %v", info, err)
	}
}

func TestStaleHandlesKeepEachOthersChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v1 := newPassVault(t, path)
	v2, err := Open(Options{Path: path, Passphrase: pass("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	if err := v1.Add(testAccount(1)); err != nil {
		t.Fatal(err)
	}
	if err := v2.Add(testAccount(2)); err != nil { // v2 has not seen account 1
		t.Fatal(err)
	}
	v3, _ := Open(Options{Path: path, Passphrase: pass("correct horse")})
	if n := len(v3.Accounts()); n != 2 {
		t.Fatalf("%d accounts, want 2", n)
	}
	if v3.Generation() != 2 {
		t.Errorf("generation %d, want 2", v3.Generation())
	}
}

func TestUpdateErrorWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	before := mustRead(t, path)
	boom := errors.New("boom")
	if err := v.Update(func(d *Data) error { d.Accounts = append(d.Accounts, testAccount(1)); return boom }); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if err := v.Update(func(d *Data) error {
		d.Accounts = append(d.Accounts, Account{Name: "bad", Secret: []byte("x"), Digits: 9})
		return nil
	}); !errors.Is(err, ErrDigits) {
		t.Fatalf("invalid account accepted: %v", err)
	}
	if !bytes.Equal(before, mustRead(t, path)) || len(v.Accounts()) != 0 {
		t.Error("a failed update changed the vault")
	}
}

func TestBackupsKeepLastN(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v, err := Open(Options{Path: path, Create: PassphraseSource, Passphrase: pass("pw"), KDF: cheapKDF, Backups: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if err := v.Add(testAccount(i)); err != nil {
			t.Fatal(err)
		}
	}
	bs, err := Backups(path)
	if err != nil || len(bs) != 3 {
		t.Fatalf("backups %v %v, want 3", bs, err)
	}
	// The newest backup is the vault before the last change: 5 accounts.
	for i, b := range bs {
		// An older backup is a rollback for Open; the test reads it the
		// way Restore does.
		if _, err := Open(Options{Path: b, Passphrase: pass("pw")}); !errors.Is(err, ErrRollback) {
			t.Errorf("opening backup %d: %v, want ErrRollback", i, err)
		}
		w, err := Open(Options{Path: b, Passphrase: pass("pw"), allowOlder: true})
		if err != nil {
			t.Fatalf("backup %s: %v", b, err)
		}
		if n := len(w.Accounts()); n != 3+i {
			t.Errorf("backup %d has %d accounts, want %d", i, n, 3+i)
		}
		raw := mustRead(t, b)
		if bytes.Contains(raw, []byte("user0001")) {
			t.Error("backup is not encrypted")
		}
	}
}

func TestNextHOTPSavesCounter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	h := Account{Type: HOTP, Name: "h", Secret: []byte("12345678901234567890"), Counter: 0}
	if err := v.Add(h); err != nil {
		t.Fatal(err)
	}
	id := v.Accounts()[0].ID
	a, err := v.NextHOTP(id)
	if err != nil || a.Counter != 1 || a.CodeAt(time.Now()) != "287082" {
		t.Fatalf("NextHOTP: %+v %v", a, err)
	}
	w, _ := Open(Options{Path: path, Passphrase: pass("correct horse")})
	if w.Accounts()[0].Counter != 1 {
		t.Error("counter not saved")
	}
	// Handing out the current and the next code uses both up.
	if a, err = v.AdvanceHOTP(id, 2); err != nil || a.Counter != 3 || a.CodesAt(time.Now()).Current != rfc4226[3] {
		t.Fatalf("AdvanceHOTP(2): %+v %v", a, err)
	}
	// Counter moves are not backups: they must not rotate real backups out.
	bs, _ := Backups(path)
	for range 20 {
		if _, err := v.NextHOTP(id); err != nil {
			t.Fatal(err)
		}
	}
	if after, _ := Backups(path); len(after) != len(bs) {
		t.Errorf("HOTP presses changed the backups: %d → %d", len(bs), len(after))
	}
	// The counter never wraps around to replay old codes.
	if _, err := v.Edit(id, func(a *Account) error { a.Counter = math.MaxUint64 - 2; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := v.NextHOTP(id); err != nil {
		t.Fatalf("last usable step: %v", err)
	}
	if _, err := v.NextHOTP(id); !errors.Is(err, ErrCounterExhausted) {
		t.Errorf("counter overflow: %v", err)
	}
}

func TestControlCharactersRefused(t *testing.T) {
	for _, a := range []Account{
		{Issuer: "ACME\x1b]0;pwned\x07", Name: "a"},
		{Name: "line\nbreak"},
		{Name: "a", Tags: []string{"\u009b2J"}},
		{Name: "a", Note: "bell\x07"},
		{Issuer: "moc.live\u202eBank", Name: "a"},
		{Name: "x\u2066y"},
	} {
		a.Secret = []byte("12345678901234567890")
		if err := a.Normalize(time.Now()); !errors.Is(err, ErrControlChars) {
			t.Errorf("%q: %v", a.Label(), err)
		}
	}
	ok := Account{Issuer: "Ünïcode Bank 銀行", Name: "alice@example.com", Secret: []byte("12345678901234567890")}
	if err := ok.Normalize(time.Now()); err != nil {
		t.Errorf("unicode refused: %v", err)
	}
}

// faultKeys is a KeyStore that fails the way keyrings fail.
type faultKeys struct {
	err   error
	block chan struct{}
	gets  atomic.Int32
	inner KeyStore
}

func (f *faultKeys) Get(s, u string) (string, error) {
	if strings.HasPrefix(u, "vault-") { // key fetches, not generation records
		f.gets.Add(1)
	}
	if f.block != nil {
		<-f.block
	}
	if f.err != nil {
		return "", f.err
	}
	return f.inner.Get(s, u)
}
func (f *faultKeys) Set(s, u, p string) error {
	if f.block != nil {
		<-f.block
	}
	if f.err != nil {
		return f.err
	}
	return f.inner.Set(s, u, p)
}
func (f *faultKeys) Delete(s, u string) error { return f.inner.Delete(s, u) }

// memKeys is an in-memory keyring for the fault-injection tests.
type memKeys map[string]string

func (m memKeys) Get(s, u string) (string, error) {
	v, ok := m[s+"/"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}
func (m memKeys) Set(s, u, p string) error { m[s+"/"+u] = p; return nil }
func (m memKeys) Delete(s, u string) error { delete(m, s+"/"+u); return nil }

func TestKeyringFaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	noBus := &faultKeys{err: errors.New("dbus: couldn't determine address of session bus")}
	_, err := Open(Options{Path: path, Create: Auto, Keys: noBus})
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("no secret service: %v", err)
	}
	if _, serr := os.Stat(path); !os.IsNotExist(serr) {
		t.Error("a vault was written although its key could not be stored")
	}
	hang := &faultKeys{block: make(chan struct{}), inner: memKeys{}}
	defer close(hang.block)
	start := time.Now()
	_, err = Open(Options{Path: path, Create: Auto, Keys: hang, KeyringTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrKeyringTimeout) {
		t.Fatalf("hanging keyring: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("the keyring timeout did not apply")
	}
}

// Tests against the real Secret Service: make test runs them inside a
// private D-Bus session with a throwaway gnome-keyring.
func needSecretService(t *testing.T) {
	t.Helper()
	if os.Getenv("VMFA_TEST_SECRET_SERVICE") == "" {
		t.Skip("needs the private Secret Service that 'make test' starts")
	}
}

func TestRealKeyringVault(t *testing.T) {
	needSecretService(t)
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	counting := &faultKeys{inner: SystemKeyring{}}
	v, err := Open(Options{Path: path, Create: Auto, Keys: counting})
	if err != nil {
		t.Fatal(err)
	}
	if v.Source() != KeyringSource {
		t.Fatalf("source %q", v.Source())
	}
	accts := make([]Account, 1000)
	for i := range accts {
		accts[i] = testAccount(i)
	}
	if err := v.Add(accts...); err != nil {
		t.Fatal(err)
	}
	// The key is in the keyring under service vmfa, one item for this vault.
	if _, err := (SystemKeyring{}).Get(KeyringService, keyringUser(v.hdr.ID)); err != nil {
		t.Fatalf("key not in the keyring: %v", err)
	}
	counting.gets.Store(0)
	w, err := Open(Options{Path: path, Keys: counting})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Accounts()) != 1000 {
		t.Fatalf("%d accounts", len(w.Accounts()))
	}
	if err := w.Add(testAccount(5000)); err != nil {
		t.Fatal(err)
	}
	if n := counting.gets.Load(); n != 1 {
		t.Errorf("%d key fetches for one open and one update, want 1", n)
	}

	// A missing keyring item: a clear error, nothing overwritten.
	before := mustRead(t, path)
	if err := (SystemKeyring{}).Delete(KeyringService, keyringUser(v.hdr.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Path: path}); !errors.Is(err, ErrKeyMissing) {
		t.Errorf("missing keyring item: %v", err)
	}
	if !bytes.Equal(before, mustRead(t, path)) {
		t.Error("vault changed")
	}
	// A keyring item holding another key is told apart from a damaged file.
	if err := (SystemKeyring{}).Set(KeyringService, keyringUser(v.hdr.ID), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Path: path}); !errors.Is(err, ErrWrongKey) || errors.Is(err, ErrCorrupt) {
		t.Errorf("wrong key in keyring: %v", err)
	}
	if err := (SystemKeyring{}).Set(KeyringService, keyringUser(v.hdr.ID), "not base64!"); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Path: path}); !errors.Is(err, ErrWrongKey) {
		t.Errorf("junk in keyring: %v", err)
	}
	if !bytes.Equal(before, mustRead(t, path)) {
		t.Error("vault changed")
	}
}

// helperProcess lets the test binary act as a second vmfa process.
func TestMain(m *testing.M) {
	// Generation records go to a throwaway state directory, never the
	// user's (child processes inherit it).
	if os.Getenv("VMFA_VAULT_HELPER") == "" {
		dir, err := os.MkdirTemp("", "vmfa-state")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv("XDG_STATE_HOME", dir)
		code := run(m)
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	switch os.Getenv("VMFA_VAULT_HELPER") {
	case "add":
		v, err := Open(Options{Path: os.Getenv("VMFA_HELPER_PATH"), Passphrase: pass("correct horse")})
		if err == nil {
			i, _ := strconv.Atoi(os.Getenv("VMFA_HELPER_N"))
			err = v.Add(testAccount(i))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "writer":
		v, err := Open(Options{Path: os.Getenv("VMFA_HELPER_PATH"), Passphrase: pass("correct horse"), Backups: -1})
		if err != nil {
			os.Exit(1)
		}
		for i := 0; ; i++ {
			v.Update(func(d *Data) error {
				d.Accounts = append(d.Accounts, testAccount(len(d.Accounts)))
				// Grow the payload so that writes take a while.
				d.Blobs = map[string][]byte{"pad": bytes.Repeat([]byte{byte(i)}, 256<<10)}
				return nil
			})
		}
	}
	return m.Run()
}

func helper(ctx context.Context, mode, path string, n int) *exec.Cmd {
	c := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	c.Env = append(os.Environ(), "VMFA_VAULT_HELPER="+mode, "VMFA_HELPER_PATH="+path, "VMFA_HELPER_N="+strconv.Itoa(n))
	return c
}

func TestConcurrentProcessesKeepEveryAdd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	newPassVault(t, path)
	const n = 8
	cmds := make([]*exec.Cmd, n)
	for i := range cmds {
		cmds[i] = helper(context.Background(), "add", path, i)
		var stderr bytes.Buffer
		cmds[i].Stderr = &stderr
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("helper: %v", err)
		}
	}
	v, err := Open(Options{Path: path, Passphrase: pass("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(v.Accounts()); got != n {
		t.Fatalf("%d accounts after %d concurrent adds", got, n)
	}
}

func TestSIGKILLNeverCorrupts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	newPassVault(t, path)
	rng := rand.New(rand.NewSource(1))
	lastGen := uint64(0)
	for round := range 12 {
		c := helper(context.Background(), "writer", path, 0)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rng.Intn(120)) * time.Millisecond)
		c.Process.Signal(syscall.SIGKILL)
		c.Wait()
		v, err := Open(Options{Path: path, Passphrase: pass("correct horse")})
		if err != nil {
			t.Fatalf("round %d: vault does not open after SIGKILL: %v", round, err)
		}
		// Every write adds exactly one account, so a whole file has as many
		// accounts as writes: old or new content, never a mix.
		if g := v.Generation(); uint64(len(v.Accounts())) != g || g < lastGen {
			t.Fatalf("round %d: %d accounts at generation %d (previous %d)", round, len(v.Accounts()), g, lastGen)
		}
		lastGen = v.Generation()
	}
	if lastGen == 0 {
		t.Fatal("the writer never completed a write; the test proved nothing")
	}
	// Killed writers leave no temp files behind forever: the next write works.
	v, _ := Open(Options{Path: path, Passphrase: pass("correct horse")})
	if err := v.Add(testAccount(99999)); err != nil {
		t.Fatal(err)
	}
}

func TestNoSessionBusIsNotAutolaunched(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	_, err := Open(Options{Path: path, Create: Auto})
	if !errors.Is(err, ErrKeyringUnavailable) || !strings.Contains(err.Error(), "no D-Bus session bus") {
		t.Fatalf("no session bus: %v", err)
	}
}

func TestHoldBlobSerialisesReadModifyWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	newPassVault(t, path)
	const workers, rounds = 4, 5
	done := make(chan error, workers)
	for range workers {
		go func() {
			v, err := Open(Options{Path: path, Passphrase: pass("correct horse"), Backups: -1})
			if err != nil {
				done <- err
				return
			}
			for range rounds {
				release, err := v.HoldBlob("counter")
				if err != nil {
					done <- err
					return
				}
				n, _ := strconv.Atoi(string(v.Blob("counter")))
				time.Sleep(time.Millisecond) // widen the race window
				err = v.SetBlob("counter", []byte(strconv.Itoa(n+1)))
				release()
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range workers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	v, _ := Open(Options{Path: path, Passphrase: pass("correct horse")})
	if got := string(v.Blob("counter")); got != strconv.Itoa(workers*rounds) {
		t.Fatalf("counter %s after %d increments: an increment was lost", got, workers*rounds)
	}
	if _, err := v.HoldBlob("../x"); err == nil {
		t.Error("a blob name with a path was accepted")
	}
}

func TestFind(t *testing.T) {
	v := newPassVault(t, filepath.Join(t.TempDir(), "vault.vmfa"))
	key := []byte("12345678901234567890")
	if err := v.Add(Account{Issuer: "ÜberBank", Name: "Alice", Secret: key}, Account{Issuer: "ACME", Name: "alina", Secret: key},
		Account{Issuer: "GitHub", Name: "bob", Secret: key}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"ALI": 2, "überbank": 1, "acme: al": 1, "me: ali": 1, ": bob": 1, "hub": 1, "nothing": 0, "": 3} {
		got, err := v.Find(q)
		if len(got) != want || (want == 0) != errors.Is(err, ErrNotFound) {
			t.Errorf("Find(%q) = %d accounts, %v; want %d", q, len(got), err, want)
		}
	}
	bob, _ := v.FindOne("bob")
	if got, err := v.Find(bob.ID); err != nil || len(got) != 1 || got[0].Name != "bob" {
		t.Errorf("Find by id: %v %v", got, err)
	}
	if _, err := v.FindOne("ali"); !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), "ACME: alina (") {
		t.Errorf("FindOne ambiguous: %v", err)
	}
}

// A file that is not a vault gets ErrNotVault (still ErrCorrupt for
// callers that offer backups); a vault cut short after its magic is damage.
func TestNotAVault(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.vmfa")
	v := newPassVault(t, path)
	v.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		notVault bool
	}{
		{"passwd", []byte("root:x:0:0:root:/root:/bin/bash\n"), true},
		{"empty", nil, true},
		{"cut in the magic", raw[:3], true},
		{"cut after the magic", raw[:8], false},
		{"damaged header", append(append([]byte(nil), raw[:20]...), bytes.Repeat([]byte{0xff}, 100)...), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "vault.vmfa")
			if err := os.WriteFile(p, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(Options{Path: p, Passphrase: func(bool) ([]byte, error) { return []byte("correct horse"), nil }})
			if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotVault) != tc.notVault {
				t.Errorf("got %v, want ErrCorrupt, ErrNotVault %v", err, tc.notVault)
			}
		})
	}
}
