package vault

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/vmfa/vmfa/internal/secmem"
)

// resealHeader rewrites a vault file with its header changed by edit, as
// an attacker who knows the format can (the checksum is unkeyed): the
// header and checksum are valid, only the parameters are hostile.
func resealHeader(t *testing.T, v *Vault, edit func(h *header)) []byte {
	t.Helper()
	h := v.hdr
	edit(&h)
	raw, err := seal(h, v.key, &v.data)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestKDFHeaderLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	tests := []struct {
		name string
		edit func(p *KDFParams)
	}{
		{"300 MiB", func(p *KDFParams) { p.MemoryKiB = 300 << 10 }},
		{"4 GiB", func(p *KDFParams) { p.MemoryKiB = 4 << 20 }},
		{"64 passes", func(p *KDFParams) { p.Time = 64 }},
		{"255 lanes", func(p *KDFParams) { p.Threads = 255 }},
		{"zero passes", func(p *KDFParams) { p.Time = 0 }},
		{"short salt", func(p *KDFParams) { p.Salt = p.Salt[:8] }},
		{"long salt", func(p *KDFParams) { p.Salt = bytes.Repeat([]byte{1}, 4096) }},
		{"scrypt", func(p *KDFParams) { p.Algorithm = "scrypt" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := resealHeader(t, v, func(h *header) { k := *h.KDF; tc.edit(&k); h.KDF = &k })
			p := filepath.Join(t.TempDir(), "vault.vmfa")
			os.WriteFile(p, raw, 0o600)
			asked := false
			_, err := Open(Options{Path: p, Passphrase: func(bool) ([]byte, error) { asked = true; return []byte("correct horse"), nil }})
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "at most 256 MiB, 10 passes, 16 lanes") {
				t.Errorf("got %v, want ErrCorrupt naming the limits", err)
			}
			if asked {
				t.Error("the passphrase was asked for before the header was checked")
			}
		})
	}
	// New vaults cannot be made with parameters vmfa would refuse.
	big := &KDFParams{Algorithm: "argon2id", Time: 1, MemoryKiB: 512 << 10, Threads: 1}
	if _, err := Open(Options{Path: filepath.Join(t.TempDir(), "v"), Create: PassphraseSource, Passphrase: pass("x"), KDF: big}); err == nil {
		t.Error("a vault over the KDF limits was created")
	}
	// The limits hold what vmfa writes.
	d := DefaultKDF
	d.Salt = make([]byte, 16)
	if err := d.check(); err != nil {
		t.Errorf("DefaultKDF is over the limits: %v", err)
	}
}

func TestDamagedHeaderIsDamageNotWrongPassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	if err := v.Add(testAccount(1)); err != nil {
		t.Fatal(err)
	}
	good := mustRead(t, path)
	n := int(binary.BigEndian.Uint32(good[6:10]))
	hdr := string(good[10 : 10+n])
	// Change one character inside a base64 field: the JSON still parses,
	// the KDF salt or the key check is now wrong.
	for _, field := range []string{`"salt":"`, `"check":"`} {
		t.Run(field, func(t *testing.T) {
			i := strings.Index(hdr, field) + len(field) + 2
			b := bytes.Clone(good)
			if b[10+i] == 'A' {
				b[10+i] = 'B'
			} else {
				b[10+i] = 'A'
			}
			p := filepath.Join(t.TempDir(), "vault.vmfa")
			os.WriteFile(p, b, 0o600)
			_, err := Open(Options{Path: p, Passphrase: pass("correct horse")})
			if !errors.Is(err, ErrCorrupt) || errors.Is(err, ErrWrongPassphrase) {
				t.Errorf("damaged header: %v, want ErrCorrupt", err)
			}
		})
	}
}

// sealV1 writes a format-1 file (no header checksum), as vmfa did before.
func sealV1(t *testing.T, h header, key []byte, d *Data) []byte {
	t.Helper()
	hj, _ := json.Marshal(h)
	payload, _ := json.Marshal(d)
	aead, _ := chacha20poly1305.NewX(key)
	out := append([]byte(magic), 0, 1)
	out = binary.BigEndian.AppendUint32(out, uint32(len(hj)))
	out = append(out, hj...)
	out = append(out, randomBytes(chacha20poly1305.NonceSizeX)...)
	ad := bytes.Clone(out)
	return aead.Seal(out, ad[len(ad)-chacha20poly1305.NonceSizeX:], payload, ad)
}

func TestFormat1VaultsStillOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	if err := v.Add(testAccount(1)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, sealV1(t, v.hdr, v.key, &v.data), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Open(Options{Path: path, Passphrase: pass("correct horse")})
	if err != nil || len(w.Accounts()) != 1 {
		t.Fatalf("format 1 vault: %v", err)
	}
	if _, err := Open(Options{Path: path, Passphrase: pass("wrong")}); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("format 1, wrong passphrase: %v", err)
	}
	if err := w.Add(testAccount(2)); err != nil {
		t.Fatal(err)
	}
	if f := binary.BigEndian.Uint16(mustRead(t, path)[4:6]); f != formatVersion {
		t.Errorf("rewritten as format %d, want %d", f, formatVersion)
	}
}

func TestAccountCap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	accts := make([]Account, MaxAccounts)
	for i := range accts {
		accts[i] = testAccount(i)
	}
	if err := v.Add(accts...); err != nil {
		t.Fatal(err)
	}
	before := mustRead(t, path)
	err := v.Add(testAccount(MaxAccounts))
	if !errors.Is(err, ErrTooManyAccounts) || !strings.Contains(err.Error(), "at most 10000") {
		t.Fatalf("account %d: %v", MaxAccounts+1, err)
	}
	if !bytes.Equal(before, mustRead(t, path)) {
		t.Fatal("a refused add changed the vault")
	}
	// A vault already over the cap (an older vmfa wrote it) opens and can
	// shrink, but not grow.
	over := append(v.data.Accounts, testAccount(MaxAccounts+1), testAccount(MaxAccounts+2))
	for i := range over[MaxAccounts:] {
		over[MaxAccounts+i].Normalize(v.opts.Now())
	}
	h := v.hdr
	h.Generation++
	raw, err := seal(h, v.key, &Data{Accounts: over})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, raw, 0o600)
	w, err := Open(Options{Path: path, Passphrase: pass("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Remove(w.Accounts()[0].ID); err != nil {
		t.Errorf("shrinking an over-full vault: %v", err)
	}
	if err := w.Add(testAccount(MaxAccounts + 5)); !errors.Is(err, ErrTooManyAccounts) {
		t.Errorf("growing an over-full vault: %v", err)
	}
}

func TestNeverWritesWhatItCannotRead(t *testing.T) {
	defer func(n int) { maxFileSize = n }(maxFileSize)
	maxFileSize = 64 << 10
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	before := mustRead(t, path)
	err := v.SetBlob("big", bytes.Repeat([]byte{7}, 64<<10))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "MiB vmfa reads; nothing was written") {
		t.Fatalf("oversized write: %v", err)
	}
	if !bytes.Equal(before, mustRead(t, path)) {
		t.Fatal("an oversized write changed the vault")
	}
	// Everything up to the limit is written and reads back.
	for size := 30 << 10; ; size += 2 << 10 {
		err := v.SetBlob("big", bytes.Repeat([]byte{7}, size))
		if errors.Is(err, ErrTooLarge) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Open(Options{Path: path, Passphrase: pass("correct horse")}); err != nil {
			t.Fatalf("a %d-byte blob was written but does not read back: %v", size, err)
		}
	}
}

func TestCloseZeroesKeyAndSecrets(t *testing.T) {
	for _, src := range []KeySource{PassphraseSource, KeyringSource} {
		t.Run(string(src), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vault.vmfa")
			o := Options{Path: path, Create: src, Passphrase: pass("pw"), KDF: cheapKDF, Keys: memKeys{}}
			v, err := Open(o)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Add(testAccount(1)); err != nil {
				t.Fatal(err)
			}
			w, err := Open(o)
			if err != nil {
				t.Fatal(err)
			}
			key, secret := w.key, w.data.Accounts[0].Secret
			if runtime.GOOS == "linux" && !secmem.Locked(key) {
				t.Error("the data key is not in locked memory")
			}
			if bytes.Equal(key, make([]byte, len(key))) {
				t.Fatal("the key is zero before Close")
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(key, make([]byte, len(key))) || !bytes.Equal(secret, make([]byte, len(secret))) {
				t.Error("Close left the key or a secret in memory")
			}
			if err := w.Add(testAccount(2)); !errors.Is(err, ErrClosed) {
				t.Errorf("Add after Close: %v", err)
			}
			if err := w.Reload(); !errors.Is(err, ErrClosed) {
				t.Errorf("Reload after Close: %v", err)
			}
			if len(w.Accounts()) != 0 {
				t.Error("accounts readable after Close")
			}
			// The other handle is unaffected.
			if err := v.Add(testAccount(3)); err != nil {
				t.Errorf("another handle after Close: %v", err)
			}
		})
	}
}
