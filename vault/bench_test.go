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
