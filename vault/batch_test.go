package vault

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// batchKeys is a KeyStore with GetBatch (as SystemKeyring has) that counts
// how it is asked.
type batchKeys struct {
	inner   KeyStore
	gets    atomic.Int32
	batches atomic.Int32
}

func (b *batchKeys) Get(s, u string) (string, error) {
	b.gets.Add(1)
	return b.inner.Get(s, u)
}
func (b *batchKeys) Set(s, u, p string) error { return b.inner.Set(s, u, p) }
func (b *batchKeys) Delete(s, u string) error { return b.inner.Delete(s, u) }
func (b *batchKeys) GetBatch(s string, users ...string) (map[string]string, error) {
	b.batches.Add(1)
	if bg, ok := b.inner.(batchGetter); ok {
		return bg.GetBatch(s, users...)
	}
	out := map[string]string{}
	for _, u := range users {
		p, err := b.inner.Get(s, u)
		if err == nil {
			out[u] = p
		}
	}
	return out, nil
}

// TestKeyringOpenIsOneExchange: opening a keyring vault reads its key and
// its generation record in one keyring request, and still refuses a
// rolled-back file and a missing key; the real Secret Service answers it
// the same as the in-memory keyring.
func TestKeyringOpenIsOneExchange(t *testing.T) {
	stores := map[string]KeyStore{"memory": memKeys{}}
	if os.Getenv("VMFA_TEST_SECRET_SERVICE") != "" {
		stores["secret service"] = SystemKeyring{}
	}
	for name, inner := range stores {
		t.Run(name, func(t *testing.T) {
			keys := &batchKeys{inner: inner}
			path := filepath.Join(t.TempDir(), "vault.vmfa")
			v, err := Open(Options{Path: path, Create: KeyringSource, Keys: keys, Backups: -1})
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Add(testAccount(1)); err != nil {
				t.Fatal(err)
			}
			old := mustRead(t, path)
			if err := v.Add(testAccount(2)); err != nil {
				t.Fatal(err)
			}
			keys.gets.Store(0)
			keys.batches.Store(0)
			w, err := Open(Options{Path: path, Keys: keys})
			if err != nil {
				t.Fatal(err)
			}
			if len(w.Accounts()) != 2 {
				t.Fatalf("%d accounts, want 2", len(w.Accounts()))
			}
			if g, b := keys.gets.Load(), keys.batches.Load(); g != 0 || b != 1 {
				t.Errorf("open: %d single reads and %d batches, want 0 and 1", g, b)
			}
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(Options{Path: path, Keys: keys}); !errors.Is(err, ErrRollback) {
				t.Errorf("rolled-back file through the batched read: %v, want ErrRollback", err)
			}
			if err := inner.Delete(KeyringService, keyringUser(v.hdr.ID)); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(Options{Path: path, Keys: keys}); !errors.Is(err, ErrKeyMissing) {
				t.Errorf("missing key through the batched read: %v, want ErrKeyMissing", err)
			}
			inner.Delete(KeyringService, keyringGenUser(v.hdr.ID))
		})
	}
}
