package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rollbackSetups are the places the generation record lives.
func rollbackSetups(t *testing.T) map[string]func(path string) Options {
	t.Helper()
	setups := map[string]func(path string) Options{
		// A passphrase vault with no keyring: the state file alone.
		"passphrase, state file": func(path string) Options {
			return Options{Path: path, Passphrase: pass("pw"), KDF: cheapKDF, Create: PassphraseSource,
				Keys: &faultKeys{err: errors.New("dbus: no session bus")}, StateDir: filepath.Join(filepath.Dir(path), "state")}
		},
		// A passphrase vault whose state file is lost: the keyring copy.
		"passphrase, keyring copy": func() func(string) Options {
			keys := memKeys{}
			return func(path string) Options {
				return Options{Path: path, Passphrase: pass("pw"), KDF: cheapKDF, Create: PassphraseSource, Keys: keys,
					StateDir: filepath.Join(t.TempDir(), "fresh-state")}
			}
		}(),
		"keyring vault": func() func(string) Options {
			keys := memKeys{}
			return func(path string) Options { return Options{Path: path, Create: KeyringSource, Keys: keys} }
		}(),
	}
	if os.Getenv("VMFA_TEST_SECRET_SERVICE") != "" {
		setups["keyring vault, real secret service"] = func(path string) Options {
			return Options{Path: path, Create: KeyringSource}
		}
	}
	return setups
}

func TestRollbackRefusedAndRestoreIsExplicit(t *testing.T) {
	for name, setup := range rollbackSetups(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vault.vmfa")
			v, err := Open(setup(path))
			if err != nil {
				t.Fatal(err)
			}
			hotp := Account{Type: HOTP, Name: "h", Secret: []byte("12345678901234567890")}
			if err := v.Add(hotp, testAccount(1)); err != nil {
				t.Fatal(err)
			}
			old := mustRead(t, path) // generation 1: counter 0, two accounts
			h, err := v.FindOne("h")
			if err != nil {
				t.Fatal(err)
			}
			id := h.ID
			if _, err := v.AdvanceHOTP(id, 3); err != nil {
				t.Fatal(err)
			}
			if err := v.Remove(v.Accounts()[0].ID); err != nil {
				t.Fatal(err)
			}
			if g := v.Generation(); g != 3 {
				t.Fatalf("generation %d, want 3", g)
			}
			current := mustRead(t, path)

			// The older copy is put back: refused, nothing written.
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			o := setup(path)
			_, err = Open(o)
			if !errors.Is(err, ErrRollback) || errors.Is(err, ErrCorrupt) {
				t.Fatalf("opening a rolled-back vault: %v, want ErrRollback", err)
			}
			for _, want := range []string{"generation 1", "generation 3", "vmfa restore " + path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			// A handle opened before the copy-back refuses to write on it.
			if _, err := v.AdvanceHOTP(id, 1); !errors.Is(err, ErrRollback) {
				t.Errorf("writing over a rolled-back vault: %v", err)
			}
			if !bytes.Equal(mustRead(t, path), old) {
				t.Fatal("a refused open or write changed the file")
			}

			// Restoring it on purpose: the old content as the newest
			// generation; the file it replaced is kept.
			w, res, err := Restore(o, path)
			if err != nil {
				t.Fatal(err)
			}
			if res.Generation != 4 || res.FromGeneration != 1 || w.Generation() != 4 {
				t.Errorf("restore result %+v, vault generation %d; want generation 4 from 1", res, w.Generation())
			}
			if n := len(w.Accounts()); n != 2 {
				t.Errorf("restored vault has %d accounts, want 2", n)
			}
			if res.Previous == "" || !bytes.Equal(mustRead(t, res.Previous), old) {
				t.Errorf("the replaced file was not backed up: %q", res.Previous)
			}
			r, err := Open(setup(path))
			if err != nil {
				t.Fatalf("open after restore: %v", err)
			}
			if r.Generation() != 4 {
				t.Errorf("generation after restore %d", r.Generation())
			}
			// The newer file from before the restore is now the rollback.
			if err := os.WriteFile(path, current, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(setup(path)); !errors.Is(err, ErrRollback) {
				t.Errorf("generation 3 after restoring as 4: %v", err)
			}
		})
	}
}

func TestRollbackRecordCatchesUp(t *testing.T) {
	// A crash between writing the vault and its record leaves the record
	// behind: the vault still opens, and the record moves up.
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.vmfa")
	o := Options{Path: path, Passphrase: pass("pw"), KDF: cheapKDF, Create: PassphraseSource,
		Keys: &faultKeys{err: errors.New("no keyring")}, StateDir: filepath.Join(dir, "state")}
	v, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := v.Add(testAccount(i)); err != nil {
			t.Fatal(err)
		}
	}
	old := mustRead(t, path)
	if err := v.Add(testAccount(9)); err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(dir, "state", "generation-"+v.hdr.ID)
	if g := readGenFile(rec); g != 4 {
		t.Fatalf("recorded generation %d, want 4", g)
	}
	if err := os.WriteFile(rec, []byte("2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(o); err != nil {
		t.Fatalf("a record behind the file: %v", err)
	}
	if g := readGenFile(rec); g != 4 {
		t.Errorf("record after open %d, want 4", g)
	}
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(o); !errors.Is(err, ErrRollback) {
		t.Errorf("rollback after the record caught up: %v", err)
	}
}

func TestRestoreRefusesWhatDoesNotOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.vmfa")
	v := newPassVault(t, path)
	if err := v.Add(testAccount(1)); err != nil {
		t.Fatal(err)
	}
	before := mustRead(t, path)
	junk := filepath.Join(dir, "junk.bak")
	os.WriteFile(junk, []byte("this is not a vault at all, not even close"), 0o600)
	o := Options{Path: path, Passphrase: pass("correct horse")}
	if _, _, err := Restore(o, junk); !errors.Is(err, ErrCorrupt) {
		t.Errorf("restoring junk: %v", err)
	}
	if _, _, err := Restore(Options{Path: path, Passphrase: pass("wrong")}, path); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("restoring with a wrong passphrase: %v", err)
	}
	if _, _, err := Restore(o, filepath.Join(dir, "missing.bak")); err == nil {
		t.Error("restoring a missing file worked")
	}
	if !bytes.Equal(before, mustRead(t, path)) {
		t.Error("a failed restore changed the vault")
	}
	if bs, _ := Backups(path); len(bs) != 1 {
		t.Errorf("a failed restore made backups: %v", bs)
	}
}

func TestRestoreKeepsItsRestorePoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	o := Options{Path: path, Passphrase: pass("pw"), KDF: cheapKDF, Create: PassphraseSource, Backups: 3}
	v, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := v.Add(testAccount(i)); err != nil {
			t.Fatal(err)
		}
	}
	bs, _ := Backups(path)
	if len(bs) != 3 {
		t.Fatalf("%d backups", len(bs))
	}
	oldest := bs[0] // generation 2: two accounts
	w, res, err := Restore(o, oldest)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(w.Accounts()); n != 2 || res.FromGeneration != 2 || res.Generation != 6 {
		t.Fatalf("restored %d accounts, %+v", n, res)
	}
	if _, err := os.Stat(oldest); err != nil {
		t.Errorf("restoring pruned its own restore point: %v", err)
	}
	// Later writes rotate by write time: the restored vault's own backups
	// (generations 6, 7 …) are newer than the generation-4 one.
	for i := range 2 {
		if err := w.Add(testAccount(100 + i)); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := Backups(path)
	last, err := Open(Options{Path: after[len(after)-1], Passphrase: pass("pw"), allowOlder: true})
	if err != nil || last.Generation() != 7 {
		t.Fatalf("newest backup: %v", err)
	}
}

func TestBackupRotationByWriteTime(t *testing.T) {
	// A vault deleted and created again at the same path starts at
	// generation 0: its backups must not be pruned before the old vault's
	// generation-10 ones.
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	o := Options{Path: path, Passphrase: pass("pw"), KDF: cheapKDF, Create: PassphraseSource, Backups: 3}
	v, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := v.Add(testAccount(i)); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(path)
	w, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := w.Add(testAccount(50 + i)); err != nil {
			t.Fatal(err)
		}
	}
	bs, _ := Backups(path)
	if len(bs) != 3 {
		t.Fatalf("backups %v", bs)
	}
	newest, err := Open(Options{Path: bs[2], Passphrase: pass("pw"), allowOlder: true})
	if err != nil {
		t.Fatal(err)
	}
	if newest.hdr.ID != w.hdr.ID || newest.Generation() != 1 {
		t.Errorf("newest backup is generation %d of vault %s, want generation 1 of the new vault %s",
			newest.Generation(), newest.hdr.ID, w.hdr.ID)
	}
}

func TestStaleTempFilesRemovedBeforeWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.vmfa")
	v := newPassVault(t, path)
	if err := v.Add(testAccount(1)); err != nil {
		t.Fatal(err)
	}
	bdir := BackupDir(path)
	stale := []string{
		filepath.Join(dir, ".vault.vmfa.tmp-123456"),
		filepath.Join(bdir, ".vault.vmfa.00000000000000000007."+time.Now().UTC().Format(backupTimeLayout)+".bak.tmp-99"),
	}
	keep := []string{
		filepath.Join(dir, ".other.vmfa.tmp-1"),
		filepath.Join(dir, "vault.vmfa.tmp-notours"),
		filepath.Join(bdir, ".vault.vmfa.2.00000000000000000001.x.bak.tmp-1"),
	}
	for _, p := range append(append([]string{}, stale...), keep...) {
		if err := os.WriteFile(p, bytes.Repeat([]byte{1}, 1<<10), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Add(testAccount(2)); err != nil {
		t.Fatal(err)
	}
	for _, p := range stale {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("stale temp file %s was not removed", filepath.Base(p))
		}
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s is not ours and was removed", filepath.Base(p))
		}
	}
}

func TestOpenWhileWritingIsNotARollback(t *testing.T) {
	// A reader may read the file just before a writer replaces it and the
	// record just after: a stale read, not a rollback.
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.vmfa")
	o := Options{Path: path, Passphrase: pass("pw"), KDF: cheapKDF, Create: PassphraseSource, Backups: -1,
		Keys: &faultKeys{err: errors.New("no keyring")}, StateDir: filepath.Join(dir, "state")}
	v, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 3 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := Open(o); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 80 {
		if err := v.Update(func(d *Data) error { d.Blobs = map[string][]byte{"n": {byte(i)}}; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("open during writes: %v", err)
		}
	}
}
