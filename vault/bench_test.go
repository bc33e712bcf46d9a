package vault

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkOpen measures open + decrypt of a keyring vault holding N
// accounts: one keyring round trip, the AEAD and the JSON decode. It uses
// the real Secret Service under 'make bench' and an in-memory keyring
// otherwise (the sub-benchmark name says which).
func BenchmarkOpen(b *testing.B) {
	var keys KeyStore = memKeys{}
	kind := "memkeyring"
	if os.Getenv("VMFA_TEST_SECRET_SERVICE") != "" {
		keys, kind = SystemKeyring{}, "secretservice"
	}
	for _, n := range []int{10, 1000, 10000} {
		path := filepath.Join(b.TempDir(), "vault.vmfa")
		v, err := Open(Options{Path: path, Create: KeyringSource, Keys: keys, Backups: -1})
		if err != nil {
			b.Fatal(err)
		}
		accts := make([]Account, n)
		for i := range accts {
			accts[i] = testAccount(i)
		}
		if err := v.Add(accts...); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%s/accounts=%d", kind, n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				w, err := Open(Options{Path: path, Keys: keys})
				if err != nil || len(w.data.Accounts) != n {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkImportMaxAccounts measures the largest import a vault takes:
// MaxAccounts accounts added to an empty vault in one write (validation,
// the duplicate check, sealing and the atomic write), and the size of the
// vault it leaves.
func BenchmarkImportMaxAccounts(b *testing.B) {
	accts := make([]Account, MaxAccounts)
	for i := range accts {
		accts[i] = testAccount(i)
		accts[i].Note = "imported from a hardware token file"
	}
	dir := b.TempDir()
	b.ResetTimer()
	var size int64
	for i := 0; i < b.N; i++ {
		path := filepath.Join(dir, fmt.Sprintf("vault-%d.vmfa", i))
		v, err := Open(Options{Path: path, Create: KeyringSource, Keys: memKeys{}, Backups: -1})
		if err != nil {
			b.Fatal(err)
		}
		batch := make([]Account, len(accts))
		copy(batch, accts)
		if err := v.Add(batch...); err != nil {
			b.Fatal(err)
		}
		st, _ := os.Stat(path)
		size = st.Size()
		os.Remove(path)
	}
	b.ReportMetric(float64(size)/(1<<20), "vault-MiB")
}

// BenchmarkSealMaxAccounts is one write (an HOTP press, a rename) to a
// vault holding MaxAccounts accounts.
func BenchmarkSealMaxAccounts(b *testing.B) {
	path := filepath.Join(b.TempDir(), "vault.vmfa")
	v, err := Open(Options{Path: path, Create: KeyringSource, Keys: memKeys{}, Backups: -1})
	if err != nil {
		b.Fatal(err)
	}
	accts := make([]Account, MaxAccounts)
	for i := range accts {
		accts[i] = testAccount(i)
	}
	if err := v.Add(accts...); err != nil {
		b.Fatal(err)
	}
	id := v.Accounts()[0].ID
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Edit(id, func(a *Account) error { a.Note = fmt.Sprint(i); return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
