package scanner

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
	"github.com/vmfa/vmfa/scanner/internal/javamap"
	"github.com/vmfa/vmfa/vault"
)

// javaByteList writes bytes as FreeOTP's JSON does: signed Java bytes.
func javaByteList(b []byte) []int {
	out := make([]int, len(b))
	for i, v := range b {
		out[i] = int(int8(v))
	}
	return out
}

// freeOTPSealed wraps plain with key as FreeOTP's EncryptedKey: AES-GCM,
// the DER GCMParameters (12-byte nonce, 16-byte tag), token as AAD.
func freeOTPSealed(t testing.TB, key, plain []byte, token string) map[string]any {
	t.Helper()
	nonce := random(12)
	ct, err := backupcrypto.SealGCM(key, nonce, plain, []byte(token))
	if err != nil {
		t.Fatal(err)
	}
	params := append([]byte{0x30, 0x11, 0x04, 0x0c}, append(nonce, 0x02, 0x01, 0x10)...)
	return map[string]any{"mCipher": "AES/GCM/NoPadding", "mCipherText": javaByteList(ct), "mParameters": javaByteList(params), "mToken": token}
}

type freeOTPTestToken struct {
	id, json string
	secret   []byte
}

// freeOTPBackup writes a FreeOTP 2 backup of tokens under password.
func freeOTPBackup(t testing.TB, password string, iterations int, tokens ...freeOTPTestToken) []byte {
	t.Helper()
	salt, master := random(32), random(32)
	kek, err := backupcrypto.PBKDF2(sha512.New, []byte(password), salt, iterations, 32)
	if err != nil {
		t.Fatal(err)
	}
	mk, _ := json.Marshal(map[string]any{"mAlgorithm": "PBKDF2withHmacSHA512", "mIterations": iterations, "mSalt": javaByteList(salt),
		"mEncryptedKey": freeOTPSealed(t, kek, master, "AES")})
	keys, m := []string{"masterKey"}, map[string]string{"masterKey": string(mk)}
	for _, tok := range tokens {
		k, _ := json.Marshal(freeOTPSealed(t, master, tok.secret, "HmacSHA1"))
		wrapped, _ := json.Marshal(map[string]string{"key": string(k)})
		keys = append(keys, tok.id+"-token", tok.id)
		m[tok.id+"-token"], m[tok.id] = tok.json, string(wrapped)
	}
	return javamap.Write(keys, m)
}

var freeOTPTestTokens = []freeOTPTestToken{
	{"b-uuid", `{"algo":"SHA1","counter":7,"digits":6,"issuerExt":"Bank","issuerInt":"Bank","label":"bob","period":30,"type":"HOTP"}`, []byte("1234567890")},
	{"a-uuid", `{"algo":"SHA256","digits":8,"issuerExt":"GitHub","label":"alice","period":60,"type":"TOTP"}`, []byte("Hello!\xde\xad\xbe\xef")},
}

var freeOTPTestWant = []want{
	{vault.TOTP, "GitHub", "alice", jbs, vault.SHA256, 8, 60, 0, "", "", "", false},
	{vault.HOTP, "Bank", "bob", s1234, vault.SHA1, 6, 0, 7, "", "", "", false},
}

// Java's PBKDF2WithHmacSHA512 of a non-ASCII password (UTF-8), as OpenJDK
// 17 derived it: the key FreeOTP's master key is wrapped with.
func TestFreeOTPKDFMatchesJava(t *testing.T) {
	k, err := backupcrypto.PBKDF2(sha512.New, []byte("pässword"), []byte{1, 2, 3, 4}, 1000, 32)
	if err != nil || hex.EncodeToString(k) != "b778015077f6795ecf37f4bed116feb899f2c0c59334d7678d1746fcef6692b4" {
		t.Fatalf("%x %v", k, err)
	}
}

func TestImportFreeOTPBackup(t *testing.T) {
	// FreeOTP's own 100,000 rounds of PBKDF2-SHA512.
	data := freeOTPBackup(t, testPassword, 100_000, freeOTPTestTokens...)
	res, err := importWith(data, FormatAuto, []byte(testPassword))
	checkAccounts(t, res, err, freeOTPTestWant)
	if res.Format != FormatFreeOTPBackup {
		t.Errorf("format %q", res.Format)
	}
	small := freeOTPBackup(t, testPassword, 1000, freeOTPTestTokens...)
	checkPasswordErrors(t, small, FormatAuto, "encrypted FreeOTP backup")

	for name, tc := range map[string]struct {
		data []byte
		msg  string
	}{
		"cut short": {small[:len(small)-10], "encrypted FreeOTP backup is damaged or cut short: not a serialised java HashMap of strings: "},
		"no master key": {javamap.Write([]string{"x"}, map[string]string{"x": "{}"}),
			`encrypted FreeOTP backup is damaged or cut short: it has no "masterKey"`},
		"iterations beyond the cap": {freeOTPBackup(t, testPassword, 1000, freeOTPTestTokens...), ""},
	} {
		if name == "iterations beyond the cap" {
			_, m, _ := javamap.Read(tc.data)
			m["masterKey"] = strings.Replace(m["masterKey"], `"mIterations":1000`, `"mIterations":2000000000`, 1)
			tc.data = javamap.Write([]string{"masterKey"}, m)
			_, err := importWith(tc.data, FormatAuto, []byte(testPassword))
			if !errors.Is(err, ErrKDFLimit) || err.Error() != "freeotp: key derivation parameters out of range: pbkdf2 iterations must be 1 to 10000000 (the file asks for 2000000000)" {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if _, err := importWith(tc.data, FormatFreeOTPBackup, []byte(testPassword)); err == nil || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A token whose key was sealed with another master key is named; with
	// --skip-invalid the others still import.
	bad := freeOTPBackup(t, testPassword, 1000, freeOTPTestTokens...)
	_, m, _ := javamap.Read(bad)
	other := freeOTPBackup(t, testPassword, 1000, freeOTPTestTokens...)
	_, m2, _ := javamap.Read(other)
	m["b-uuid"] = m2["b-uuid"]
	keys := []string{"masterKey", "a-uuid", "a-uuid-token", "b-uuid", "b-uuid-token"}
	_, err = importWith(javamap.Write(keys, m), FormatAuto, []byte(testPassword))
	if err == nil || !strings.Contains(err.Error(), "entry 2 (Bank: bob): its key does not decrypt with the master key") {
		t.Errorf("foreign token key: %v", err)
	}
	res, err = Import(strings.NewReader(string(javamap.Write(keys, m))), FormatAuto, WithPassword([]byte(testPassword)), SkipInvalid())
	if err != nil || len(res.Accounts) != 1 || len(res.Invalid) != 1 {
		t.Errorf("skip invalid: %v %v", res, err)
	}
}

// FreeOTP 2's own tokens.xml (rooted phone) holds the same entries as
// preferences; it opens the same way.
func TestImportFreeOTP2Prefs(t *testing.T) {
	keys, m, err := javamap.Read(freeOTPBackup(t, testPassword, 1000, freeOTPTestTokens...))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n")
	for _, k := range append(keys, "tokenOrder") {
		v := m[k]
		if k == "tokenOrder" {
			v = `["a-uuid","b-uuid"]`
		}
		b.WriteString(`    <string name="` + xmlEscape(k) + `">` + xmlEscape(v) + "</string>\n")
	}
	b.WriteString("</map>\n")
	res, err := importWith([]byte(b.String()), FormatAuto, []byte(testPassword))
	checkAccounts(t, res, err, freeOTPTestWant)
	checkPasswordErrors(t, []byte(b.String()), FormatAuto, "encrypted FreeOTP backup")
}
