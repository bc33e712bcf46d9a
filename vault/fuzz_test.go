package vault

import (
	"errors"
	"fmt"
	"testing"
)

// fuzzKey is the data key FuzzOpen opens with; the seed corpus was sealed
// with it.
var fuzzKey = func() []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}()

// FuzzOpen feeds arbitrary files to the vault reader: it must never panic,
// every failure is one of the documented errors, and whatever opens seals
// and opens again to the same content.
func FuzzOpen(f *testing.F) {
	f.Add([]byte("VMFA"))
	f.Add([]byte("VMFA\x00\x02\x00\x00\x00\x02{}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, d, err := open(raw, fuzzKey)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNewerFormat) && !errors.Is(err, ErrWrongKey) && !errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("undocumented error: %v", err)
			}
			return
		}
		out, err := seal(h, fuzzKey, d)
		if err != nil {
			t.Fatalf("an opened vault does not seal again: %v", err)
		}
		h2, d2, err := open(out, fuzzKey)
		if err != nil || h2.Generation != h.Generation || len(d2.Accounts) != len(d.Accounts) {
			t.Fatalf("reseal round trip: %v", err)
		}
	})
}

// FuzzBackupName reads backup file names: no panic, and a name it accepts
// has the fields it reported.
func FuzzBackupName(f *testing.F) {
	f.Add("vault.vmfa.00000000000000000007.20261204T212739.020693397Z.bak")
	f.Add("vault.vmfa.00000000000000000007.20261204T212739.020693397Z.bak.tmp-123")
	f.Add("vault.vmfa.2.00000000000000000001.x.bak")
	f.Fuzz(func(t *testing.T, name string) {
		gen, at, rest, ok := parseBackupName("vault.vmfa", name)
		if !ok {
			return
		}
		if back := fmt.Sprintf("vault.vmfa.%020d.%s%s", gen, at.Format(backupTimeLayout), rest); back != name {
			t.Fatalf("%q was read as generation %d at %v + %q, which is %q", name, gen, at, rest, back)
		}
	})
}
