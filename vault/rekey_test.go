package vault

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestRekeyBothWays converts a vault from a passphrase to the keyring and
// back, and changes the passphrase, checking after each step that a fresh
// Open with only the new key source sees every account, blob and
// counter, that the old passphrase no longer opens it, and that the
// backup taken before the step still opens with the old key.
func TestRekeyBothWays(t *testing.T) {
	needSecretService(t)
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	var want []Account
	for i := range 5 {
		want = append(want, testAccount(i))
	}
	want[2].Type, want[2].Counter = HOTP, 41
	if err := v.Add(want...); err != nil {
		t.Fatal(err)
	}
	if err := v.SetBlob("hwkey", []byte("blob state")); err != nil {
		t.Fatal(err)
	}
	check := func(step string, o Options) *Vault {
		t.Helper()
		o.Path = path
		w, err := Open(o)
		if err != nil {
			t.Fatalf("%s: open: %v", step, err)
		}
		got := w.Accounts()
		if len(got) != len(want) {
			t.Fatalf("%s: %d accounts, want %d", step, len(got), len(want))
		}
		for _, a := range want {
			b, err := w.FindOne(a.Name)
			if err != nil || string(b.Secret) != string(a.Secret) || b.Counter != a.Counter || b.Type != a.Type {
				t.Fatalf("%s: %s: %+v %v", step, a.Name, b, err)
			}
		}
		if string(w.Blob("hwkey")) != "blob state" {
			t.Fatalf("%s: blob lost", step)
		}
		return w
	}
	backups := func() []string { b, _ := Backups(path); return b }

	oldID := v.ID()
	if err := v.Rekey(KeyringSource, nil); err != nil {
		t.Fatal(err)
	}
	w := check("to keyring", Options{})
	if w.Source() != KeyringSource || w.ID() == oldID {
		t.Fatalf("source %s id %s (old %s)", w.Source(), w.ID(), oldID)
	}
	if _, err := Open(Options{Path: path, Passphrase: pass("correct horse")}); err != nil {
		t.Fatalf("a keyring vault asked for a passphrase: %v", err)
	}
	bs := backups()
	if b, err := Open(Options{Path: bs[len(bs)-1], Passphrase: pass("correct horse"), allowOlder: true}); err != nil || len(b.Accounts()) != len(want) {
		t.Fatalf("the backup before rekey does not open with the old passphrase: %v", err)
	}
	// The pre-rekey file put back in place is a rollback, not a vault
	// that opens with the old passphrase.
	if _, err := Open(Options{Path: bs[len(bs)-1], Passphrase: pass("correct horse")}); !errors.Is(err, ErrRollback) {
		t.Fatalf("the pre-rekey file opens as current: %v", err)
	}
	if err := w.Rekey(KeyringSource, nil); !errors.Is(err, ErrSameSource) {
		t.Fatalf("keyring to keyring: %v", err)
	}

	w.opts.KDF = cheapKDF
	if err := w.Rekey(PassphraseSource, pass("new pass")); err != nil {
		t.Fatal(err)
	}
	check("to passphrase", Options{Passphrase: pass("new pass")})
	if _, err := Open(Options{Path: path, Passphrase: pass("correct horse")}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase: %v", err)
	}
	bs = backups()
	if b, err := Open(Options{Path: bs[len(bs)-1], allowOlder: true}); err != nil || b.Source() != KeyringSource || len(b.Accounts()) != len(want) {
		t.Fatalf("the keyring backup no longer opens: %v", err)
	}

	// passwd: a passphrase to another passphrase.
	w.opts.Backups = -1 // the backup of a rekey is kept anyway
	if err := w.Rekey(PassphraseSource, pass("third")); err != nil {
		t.Fatal(err)
	}
	check("passwd", Options{Passphrase: pass("third")})
	if len(backups()) != len(bs)+1 {
		t.Fatalf("no backup kept with Backups -1: %d, %d", len(backups()), len(bs))
	}
	// A change made through the handle after the rekey uses the new key.
	if err := w.Add(testAccount(99)); err != nil {
		t.Fatal(err)
	}
	if w2, err := Open(Options{Path: path, Passphrase: pass("third")}); err != nil || len(w2.Accounts()) != len(want)+1 {
		t.Fatalf("after rekey and add: %v", err)
	}
	// The handle opened before the rekey is told to reopen.
	if err := v.Add(testAccount(100)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("stale handle: %v", err)
	}
}

func TestRekeyRefusals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	if err := v.Add(testAccount(1)); err != nil {
		t.Fatal(err)
	}
	before := mustRead(t, path)
	mismatch := func(bool) ([]byte, error) { return nil, errors.New("the passphrases do not match") }
	if err := v.Rekey(PassphraseSource, mismatch); err == nil {
		t.Fatal("rekey with a failed prompt succeeded")
	}
	if err := v.Rekey(PassphraseSource, pass("")); err == nil {
		t.Fatal("rekey to an empty passphrase succeeded")
	}
	if err := v.Rekey("bogus", nil); err == nil {
		t.Fatal("rekey to an unknown source succeeded")
	}
	if string(before) != string(mustRead(t, path)) {
		t.Fatal("a refused rekey changed the vault")
	}
}

func TestKeyCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	id, key := v.ID(), v.Key()
	asked := 0
	o := Options{Path: path, Passphrase: func(bool) ([]byte, error) { asked++; return []byte("correct horse"), nil }}
	o.KeyCache = func(got string) []byte {
		if got != id {
			t.Errorf("cache asked for %s, want %s", got, id)
		}
		return append([]byte(nil), key...)
	}
	if _, err := Open(o); err != nil || asked != 0 {
		t.Fatalf("with the cached key: %v, asked %d times", err, asked)
	}
	o.KeyCache = func(string) []byte { return make([]byte, 32) } // another key
	if _, err := Open(o); err != nil || asked != 1 {
		t.Fatalf("a wrong cached key was not ignored: %v, asked %d times", err, asked)
	}
}
