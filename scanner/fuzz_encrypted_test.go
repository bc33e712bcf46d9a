package scanner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
)

// Fuzz targets of the encrypted backup readers. Each reads mutations of a
// backup encrypted with testPassword: nothing may panic, and whatever is
// accepted is valid. The KDF caps are lowered so that a mutated parameter
// cannot make one run take seconds; the seeds use parameters under them.
// The committed corpora under testdata/fuzz/ are written by
// VMFA_WRITE_CORPUS=1 go test -run TestWriteEncryptedFuzzCorpus.

func lowKDFCaps(f *testing.F) {
	p, m, a, tm := backupcrypto.MaxPBKDF2Iterations, backupcrypto.MaxScryptMemory, backupcrypto.MaxArgon2MemoryKiB, backupcrypto.MaxArgon2Time
	backupcrypto.MaxPBKDF2Iterations, backupcrypto.MaxScryptMemory, backupcrypto.MaxArgon2MemoryKiB, backupcrypto.MaxArgon2Time = 64_000, 128*8*64, 1024, 2
	f.Cleanup(func() {
		backupcrypto.MaxPBKDF2Iterations, backupcrypto.MaxScryptMemory, backupcrypto.MaxArgon2MemoryKiB, backupcrypto.MaxArgon2Time = p, m, a, tm
	})
}

func fuzzEncrypted(f *testing.F, format string, seeds func(t testing.TB) [][]byte) {
	lowKDFCaps(f)
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import(bytes.NewReader(data), format, WithPassword([]byte(testPassword)))
		if err != nil {
			if res != nil && len(res.Accounts) > 0 {
				t.Fatal("accounts and an error")
			}
			return
		}
		for _, a := range res.Accounts {
			if err := a.Validate(); err != nil {
				t.Fatalf("accepted an invalid account: %v", err)
			}
		}
	})
}

func aegisEncSeeds(tb testing.TB) [][]byte {
	t := tb
	return [][]byte{
		aegisVault(t, []byte(aegisTestDB), aegisTestSlot{typ: 1, password: testPassword, repaired: true, n: 16}),
		aegisVault(t, []byte(aegisTestDB), aegisTestSlot{typ: 2}, aegisTestSlot{typ: 1, password: "x", n: 16}, aegisTestSlot{typ: 1, password: testPassword, n: 32}),
	}
}

func twoFASEncSeeds(tb testing.TB) [][]byte {
	return [][]byte{twoFASEncrypted(tb, twoFASTestServices, testPassword, 4)}
}

func andOTPEncSeeds(tb testing.TB) [][]byte {
	t := tb
	return [][]byte{andOTPEncrypted(t, andOTPTestPlain, testPassword, 1000), andOTPEncrypted(t, andOTPTestPlain, testPassword, 0)}
}

func stratumEncSeeds(tb testing.TB) [][]byte {
	// Argon2id's 64 MiB are the app's, not the file's: only the legacy
	// format is cheap enough to fuzz through; the current one is fuzzed
	// up to its key derivation (a wrong password fails fast enough).
	return [][]byte{stratumEncrypted(tb, stratumTestPlain, testPassword, true), []byte(stratumEncHeader + strings.Repeat("\x01", 60))}
}

func enteEncSeeds(tb testing.TB) [][]byte {
	return [][]byte{enteEncrypted(tb, enteTestPlain, testPassword, 64<<10, 1)}
}

func bitwardenEncSeeds(tb testing.TB) [][]byte {
	return [][]byte{
		bitwardenProtected(tb, bitwardenTestPlain, testPassword, 0, 100, 0, 0),
		bitwardenProtected(tb, bitwardenTestPlain, testPassword, 1, 1, 1, 1),
	}
}

func freeOTPEncSeeds(tb testing.TB) [][]byte {
	return [][]byte{freeOTPBackup(tb, testPassword, 100, freeOTPTestTokens...)}
}

func totpAuthSeeds(tb testing.TB) [][]byte {
	return [][]byte{totpAuthBackup(tb, testPassword, totpAuthTestTokens...)}
}

func FuzzAegisEncrypted(f *testing.F)     { fuzzEncrypted(f, FormatAegis, aegisEncSeeds) }
func Fuzz2FASEncrypted(f *testing.F)      { fuzzEncrypted(f, Format2FAS, twoFASEncSeeds) }
func FuzzAndOTPEncrypted(f *testing.F)    { fuzzEncrypted(f, FormatAndOTP, andOTPEncSeeds) }
func FuzzStratumEncrypted(f *testing.F)   { fuzzEncrypted(f, FormatStratum, stratumEncSeeds) }
func FuzzEnteEncrypted(f *testing.F)      { fuzzEncrypted(f, FormatEnte, enteEncSeeds) }
func FuzzBitwardenEncrypted(f *testing.F) { fuzzEncrypted(f, FormatBitwarden, bitwardenEncSeeds) }
func FuzzFreeOTPBackup(f *testing.F)      { fuzzEncrypted(f, FormatFreeOTP, freeOTPEncSeeds) }
func authyEncSeeds(tb testing.TB) [][]byte {
	return [][]byte{authyPrefs(tb, testPassword, authyTestTokens())}
}

// FuzzAuthyEncrypted reads Authy token stores with the password (FuzzAuthy
// reads them without).
func FuzzAuthyEncrypted(f *testing.F) { fuzzEncrypted(f, FormatAuthy, authyEncSeeds) }

func FuzzTOTPAuthenticator(f *testing.F) { fuzzEncrypted(f, FormatTOTPAuthenticator, totpAuthSeeds) }

// encryptedFuzzTargets lists the targets and their seeds for the corpus
// writer.
var encryptedFuzzTargets = map[string]func(testing.TB) [][]byte{
	"FuzzAegisEncrypted":     aegisEncSeeds,
	"Fuzz2FASEncrypted":      twoFASEncSeeds,
	"FuzzAndOTPEncrypted":    andOTPEncSeeds,
	"FuzzStratumEncrypted":   stratumEncSeeds,
	"FuzzEnteEncrypted":      enteEncSeeds,
	"FuzzBitwardenEncrypted": bitwardenEncSeeds,
	"FuzzFreeOTPBackup":      freeOTPEncSeeds,
	"FuzzAuthyEncrypted":     authyEncSeeds,
	"FuzzTOTPAuthenticator":  totpAuthSeeds,
}

func TestWriteEncryptedFuzzCorpus(t *testing.T) {
	if os.Getenv("VMFA_WRITE_CORPUS") == "" {
		t.Skip("set VMFA_WRITE_CORPUS=1 to rewrite testdata/fuzz")
	}
	for target, seeds := range encryptedFuzzTargets {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range seeds(t) {
			body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
