package scanner

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
	"github.com/vmfa/vmfa/vault"
)

// stratumEncrypted writes an encrypted Stratum backup with the app's
// fixed parameters (Argon2id 3 passes, 64 MiB, 4 lanes), or the legacy
// PBKDF2-SHA1 + CBC one.
func stratumEncrypted(t testing.TB, plain, password string, legacy bool) []byte {
	t.Helper()
	if legacy {
		salt, iv := random(stratumLegacySaltLen), random(stratumLegacyIVLen)
		key, err := backupcrypto.PBKDF2(sha1.New, []byte(password), salt, stratumLegacyRounds, 32)
		if err != nil {
			t.Fatal(err)
		}
		ct, _ := backupcrypto.EncryptCBC(key, iv, []byte(plain))
		return append(append(append([]byte(stratumEncLegacyHeader), salt...), iv...), ct...)
	}
	salt, iv := random(stratumSaltLen), random(stratumIVLen)
	key, err := backupcrypto.Argon2id([]byte(password), salt, stratumArgonTime, stratumArgonMemory, stratumArgonLanes, 32)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := backupcrypto.SealGCM(key, iv, []byte(plain), nil)
	return append(append(append([]byte(stratumEncHeader), salt...), iv...), ct...)
}

const stratumTestPlain = `{"Authenticators":[{"Type":2,"Issuer":"GitHub","Username":"alice","Secret":"JBSWY3DPEHPK3PXP","Pin":null,"Algorithm":1,"Digits":8,"Period":60,"Counter":0,"Ranking":0},{"Type":1,"Issuer":"Bank","Username":"bob","Secret":"GEZDGNBVGY3TQOJQ","Pin":null,"Algorithm":0,"Digits":6,"Period":30,"Counter":9,"Ranking":1}],"Categories":[],"AuthenticatorCategories":[],"CustomIcons":[]}`

func TestDecryptStratum(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		data := stratumEncrypted(t, stratumTestPlain, testPassword, legacy)
		plain, err := decryptStratum(data, []byte(testPassword))
		if err != nil || string(plain) != stratumTestPlain {
			t.Fatalf("legacy %v: %q %v", legacy, plain, err)
		}
		if _, err := decryptStratum(data, nil); !errors.Is(err, ErrPasswordNeeded) || err.Error() != "this is an encrypted Stratum (Authenticator Pro) backup: give its password" {
			t.Errorf("legacy %v, no password: %v", legacy, err)
		}
		if _, err := decryptStratum(data, []byte("wrong")); !errors.Is(err, ErrWrongPassword) || err.Error() != "wrong password for this encrypted Stratum (Authenticator Pro) backup" {
			t.Errorf("legacy %v, wrong password: %v", legacy, err)
		}
		if _, err := decryptStratum(data[:40], []byte(testPassword)); err == nil || !strings.HasPrefix(err.Error(), "encrypted Stratum (Authenticator Pro) backup is damaged or cut short") {
			t.Errorf("legacy %v, cut short: %v", legacy, err)
		}
		if _, err := decryptStratum(data[:len(data)-3], []byte(testPassword)); err == nil {
			t.Errorf("legacy %v, last bytes cut: decrypted", legacy)
		}
	}
}

// enteEncrypted writes an encrypted Ente Auth export: Argon2id with the
// given limits (libsodium's memLimit in bytes), one secretstream message.
func enteEncrypted(t testing.TB, plain, password string, memLimit, opsLimit int) []byte {
	t.Helper()
	salt, header := random(16), random(24)
	key, err := backupcrypto.Argon2id([]byte(password), salt, opsLimit, memLimit/1024, 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := backupcrypto.NewPushStream(key, header)
	ct := s.Push([]byte(plain), nil, backupcrypto.TagFinal)
	enc := base64.StdEncoding.EncodeToString
	b, _ := json.Marshal(map[string]any{
		"version":         1,
		"kdfParams":       map[string]any{"memLimit": memLimit, "opsLimit": opsLimit, "salt": enc(salt)},
		"encryptedData":   enc(ct),
		"encryptionNonce": enc(header),
	})
	return b
}

const enteTestPlain = "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=SHA256&digits=8&period=60&codeDisplay=%7B%22pinned%22%3Atrue%2C%22trashed%22%3Afalse%2C%22tags%22%3A%5B%22Work%22%5D%2C%22note%22%3A%22laptop%22%7D\notpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Bank&counter=4\n"

func TestDecryptEnte(t *testing.T) {
	data := enteEncrypted(t, enteTestPlain, testPassword, 64<<10, 2)
	plain, err := decryptEnte(data, []byte(testPassword))
	if err != nil || string(plain) != enteTestPlain {
		t.Fatalf("%q %v", plain, err)
	}
	if _, err := decryptEnte(data, nil); !errors.Is(err, ErrPasswordNeeded) || err.Error() != "this is an encrypted Ente Auth export: give its password" {
		t.Errorf("no password: %v", err)
	}
	if _, err := decryptEnte(data, []byte("wrong")); !errors.Is(err, ErrWrongPassword) || err.Error() != "wrong password for this encrypted Ente Auth export" {
		t.Errorf("wrong password: %v", err)
	}
	for name, tc := range map[string]struct {
		from, to string
		err      error
		msg      string
	}{
		"memory beyond the cap": {`"memLimit":65536`, `"memLimit":4294967296`, ErrKDFLimit, "ente: key derivation parameters out of range: argon2 memory must be at most 1024 MiB and passes at most 20 (the file asks for memLimit 4294967296 bytes, opsLimit 2)"},
		"passes beyond the cap": {`"opsLimit":2`, `"opsLimit":100`, ErrKDFLimit, ""},
		"version 2":             {`"version":1`, `"version":2`, nil, "this encrypted Ente Auth export has a version vmfa does not know (want 1)"},
		"nonce garbled":         {`"encryptionNonce":"`, `"encryptionNonce":"%`, nil, "encrypted Ente Auth export is damaged or cut short: salt, encryptedData and encryptionNonce must be base64"},
	} {
		bad := bytes.Replace(data, []byte(tc.from), []byte(tc.to), 1)
		_, err := decryptEnte(bad, []byte(testPassword))
		if (tc.err != nil && !errors.Is(err, tc.err)) || (tc.msg != "" && (err == nil || err.Error() != tc.msg)) || err == nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The message cut short fails its MAC.
	var m map[string]any
	json.Unmarshal(data, &m)
	ct, _ := base64.StdEncoding.DecodeString(m["encryptedData"].(string))
	m["encryptedData"] = base64.StdEncoding.EncodeToString(ct[:len(ct)-1])
	cut, _ := json.Marshal(m)
	if _, err := decryptEnte(cut, []byte(testPassword)); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("cut short: %v", err)
	}
}

// bitwardenProtected writes a password-protected Bitwarden export with
// PBKDF2 (kdfType 0) or Argon2id (1).
func bitwardenProtected(t testing.TB, plain, password string, kdfType, iterations, memoryMiB, parallelism int) []byte {
	t.Helper()
	f := bitwardenEncFile{Encrypted: true, PasswordProtected: true, Salt: base64.StdEncoding.EncodeToString(random(16)),
		KDFType: kdfType, KDFIterations: iterations}
	if kdfType == 1 {
		f.KDFMemory, f.KDFParallelism = &memoryMiB, &parallelism
	}
	enc, mac, err := bitwardenKeys(&f, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	encString := func(p []byte) string {
		iv := random(16)
		ct, _ := backupcrypto.EncryptCBC(enc, iv, p)
		h := hmac.New(sha256.New, mac)
		h.Write(iv)
		h.Write(ct)
		b := base64.StdEncoding.EncodeToString
		return "2." + b(iv) + "|" + b(ct) + "|" + b(h.Sum(nil))
	}
	f.Validation, f.Data = encString([]byte("4a3c0ef7-4b3e-4e0f-9d46-d9f2c7b1e0aa")), encString([]byte(plain))
	b, _ := json.Marshal(f)
	return b
}

const bitwardenTestPlain = `{"encrypted":false,"folders":[{"id":"f1","name":"Work"}],"items":[{"type":1,"name":"GitHub","notes":"laptop","favorite":true,"folderId":"f1","login":{"username":"alice","totp":"otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=SHA256&digits=8&period=60"}},{"type":1,"name":"Bank","login":{"username":"bob","totp":"GEZDGNBVGY3TQOJQ"}}]}`

// Bitwarden's key derivation itself: PBKDF2-SHA256 of the password with
// the salt's text, then HKDF-Expand-SHA256 "enc" and "mac".
func TestBitwardenKeysPBKDF2(t *testing.T) {
	f := bitwardenEncFile{Salt: "salt", KDFIterations: 1}
	enc, mac, err := bitwardenKeys(&f, []byte("password"))
	if err != nil {
		t.Fatal(err)
	}
	// RFC 7914 §11: PBKDF2-HMAC-SHA256("password", "salt", 1) begins 120fb6cf.
	key, _ := backupcrypto.PBKDF2(sha256.New, []byte("password"), []byte("salt"), 1, 32)
	if !strings.HasPrefix(base64.StdEncoding.EncodeToString(key), base64.StdEncoding.EncodeToString([]byte{0x12, 0x0f, 0xb6})) {
		t.Fatalf("pbkdf2 %x", key)
	}
	if !bytes.Equal(enc, backupcrypto.HKDFExpand(sha256.New, key, "enc", 32)) || !bytes.Equal(mac, backupcrypto.HKDFExpand(sha256.New, key, "mac", 32)) || bytes.Equal(enc, mac) {
		t.Error("enc/mac keys are not HKDF-Expand of the derived key")
	}
}

func TestDecryptBitwarden(t *testing.T) {
	for name, data := range map[string][]byte{
		"pbkdf2, 600,000 rounds (default)": bitwardenProtected(t, bitwardenTestPlain, testPassword, 0, 600_000, 0, 0),
		"argon2id, small":                  bitwardenProtected(t, bitwardenTestPlain, testPassword, 1, 2, 1, 1),
	} {
		plain, err := decryptBitwarden(data, []byte(testPassword))
		if err != nil || string(plain) != bitwardenTestPlain {
			t.Fatalf("%s: %q %v", name, plain, err)
		}
		if _, err := decryptBitwarden(data, nil); !errors.Is(err, ErrPasswordNeeded) || err.Error() != "this is a password-protected Bitwarden export: give its password" {
			t.Errorf("%s, no password: %v", name, err)
		}
		if _, err := decryptBitwarden(data, []byte("wrong")); !errors.Is(err, ErrWrongPassword) || err.Error() != "wrong password for this password-protected Bitwarden export" {
			t.Errorf("%s, wrong password: %v", name, err)
		}
	}
	data := bitwardenProtected(t, bitwardenTestPlain, testPassword, 0, 1000, 0, 0)
	var f bitwardenEncFile
	json.Unmarshal(data, &f)
	parts := strings.Split(f.Data, "|")
	tamper := func(change func(f *bitwardenEncFile)) []byte {
		g := f
		change(&g)
		b, _ := json.Marshal(g)
		return b
	}
	for name, tc := range map[string]struct {
		data []byte
		err  error
		msg  string
	}{
		"data mac wrong": {tamper(func(g *bitwardenEncFile) {
			g.Data = parts[0] + "|" + parts[1] + "|" + base64.StdEncoding.EncodeToString(make([]byte, 32))
		}), nil,
			"password-protected Bitwarden export is damaged or cut short: data: mac mismatch"},
		"data cut": {tamper(func(g *bitwardenEncFile) { g.Data = parts[0] + "|" + parts[1] }), nil,
			"password-protected Bitwarden export is damaged or cut short: data: an encrypted value is not iv|data|mac"},
		"type 0": {tamper(func(g *bitwardenEncFile) { g.Validation = "0." + strings.TrimPrefix(g.Validation, "2.") }), nil,
			"password-protected Bitwarden export is damaged or cut short: an encrypted value is not of type 2 (AES-256-CBC with HMAC-SHA256)"},
		"account restricted": {tamper(func(g *bitwardenEncFile) { g.PasswordProtected = false }), ErrAccountRestricted, ""},
		"pbkdf2 beyond the cap": {tamper(func(g *bitwardenEncFile) { g.KDFIterations = 20_000_000 }), ErrKDFLimit,
			"bitwarden: key derivation parameters out of range: pbkdf2 iterations must be 1 to 10000000 (the file asks for 20000000)"},
		"argon2 memory beyond the cap": {tamper(func(g *bitwardenEncFile) { m, p := 4096, 4; g.KDFType, g.KDFMemory, g.KDFParallelism = 1, &m, &p }), ErrKDFLimit,
			"bitwarden: key derivation parameters out of range: argon2 memory must be at most 1024 MiB (the file asks for 4096 MiB)"},
		"unknown kdf": {tamper(func(g *bitwardenEncFile) { g.KDFType = 7 }), nil,
			"this password-protected Bitwarden export uses kdfType 7, which vmfa does not know (want 0, PBKDF2, or 1, Argon2id)"},
	} {
		_, err := decryptBitwarden(tc.data, []byte(testPassword))
		if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || (tc.msg != "" && err.Error() != tc.msg) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The decrypted payloads are read by the plain parsers, through Import and
// --format auto.
func TestImportEncryptedThroughTable(t *testing.T) {
	stratumWant := []want{
		{vault.TOTP, "GitHub", "alice", jbs, vault.SHA256, 8, 60, 0, "", "", "", false},
		{vault.HOTP, "Bank", "bob", s1234, vault.SHA1, 6, 0, 9, "", "", "", false},
	}
	enteWant := []want{
		{vault.TOTP, "GitHub", "alice", jbs, vault.SHA256, 8, 60, 0, "", "laptop", "Work", true},
		{vault.HOTP, "Bank", "bob", s1234, vault.SHA1, 6, 0, 4, "", "", "", false},
	}
	bitwardenWant := []want{
		{vault.TOTP, "GitHub", "alice", jbs, vault.SHA256, 8, 60, 0, "", "laptop", "Work", true},
		{vault.TOTP, "Bank", "bob", s1234, vault.SHA1, 6, 30, 0, "", "", "", false},
	}
	for _, tc := range []struct {
		name, format string
		data         []byte
		want         []want
		encName      string
	}{
		{"stratum, Argon2id (the app's 64 MiB)", FormatStratum, stratumEncrypted(t, stratumTestPlain, testPassword, false), stratumWant, "encrypted Stratum (Authenticator Pro) backup"},
		{"stratum legacy", FormatStratum, stratumEncrypted(t, stratumTestPlain, testPassword, true), stratumWant, "encrypted Stratum (Authenticator Pro) backup"},
		{"ente, small argon2 from the file", FormatEnte, enteEncrypted(t, enteTestPlain, testPassword, 64<<10, 2), enteWant, "encrypted Ente Auth export"},
		{"ente, libsodium's interactive limits", FormatEnte, enteEncrypted(t, enteTestPlain, testPassword, 64<<20, 2), enteWant, "encrypted Ente Auth export"},
		{"bitwarden pbkdf2", FormatBitwarden, bitwardenProtected(t, bitwardenTestPlain, testPassword, 0, 5000, 0, 0), bitwardenWant, "password-protected Bitwarden export"},
		{"bitwarden argon2id", FormatBitwarden, bitwardenProtected(t, bitwardenTestPlain, testPassword, 1, 3, 16, 2), bitwardenWant, "password-protected Bitwarden export"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := importWith(tc.data, FormatAuto, []byte(testPassword))
			checkAccounts(t, res, err, tc.want)
			if res.Format != tc.format {
				t.Errorf("format %q", res.Format)
			}
			checkPasswordErrors(t, tc.data, FormatAuto, tc.encName)
		})
	}
	// An account-restricted Bitwarden export says only Bitwarden opens it.
	restricted := `{"encrypted":true,"encKeyValidation_DO_NOT_EDIT":"2.YQ==|Yg==|Yw==","folders":[],"items":[{"type":1,"name":"2.YQ==|Yg==|Yw=="}]}`
	for _, pw := range [][]byte{nil, []byte(testPassword)} {
		if _, err := importWith([]byte(restricted), FormatAuto, pw); !errors.Is(err, ErrAccountRestricted) {
			t.Errorf("restricted (password %v): %v", pw != nil, err)
		}
	}
}
