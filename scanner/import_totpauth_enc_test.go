package scanner

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
	"github.com/vmfa/vmfa/vault"
)

// totpAuthBackup writes a TOTP Authenticator backup of tokens.
func totpAuthBackup(t testing.TB, password string, tokens ...map[string]any) []byte {
	t.Helper()
	var list []string
	for _, tok := range tokens {
		b, _ := json.Marshal(tok)
		list = append(list, string(b))
	}
	inner, _ := json.Marshal(list)
	plain, _ := json.Marshal(map[string]string{string(inner): "2024-01-01"})
	key := sha256.Sum256([]byte(password))
	ct, err := backupcrypto.EncryptCBC(key[:], make([]byte, 16), plain)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(base64.StdEncoding.EncodeToString(ct) + "\n")
}

var totpAuthTestTokens = []map[string]any{
	{"base": 32, "key": "JBSWY3DPEHPK3PXP", "name": "alice", "issuer": "GitHub"},
	{"base": 16, "key": "31323334353637383930", "name": "bob", "issuer": "Bank"},
	{"base": 64, "key": "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=", "name": "carol", "issuer": ""},
}

var totpAuthTestWant = []want{
	{vault.TOTP, "GitHub", "alice", jbs, vault.SHA1, 6, 30, 0, "", "", "", false},
	{vault.TOTP, "Bank", "bob", s1234, vault.SHA1, 6, 30, 0, "", "", "", false},
	{vault.TOTP, "", "carol", s12x2, vault.SHA1, 6, 30, 0, "", "", "", false},
}

func TestImportTOTPAuthenticator(t *testing.T) {
	// No password set in the app: its default opens the backup.
	res, err := importWith(totpAuthBackup(t, totpAuthDefaultPassword, totpAuthTestTokens...), FormatAuto, nil)
	checkAccounts(t, res, err, totpAuthTestWant)
	if res.Format != FormatTOTPAuthenticator {
		t.Errorf("format %q", res.Format)
	}
	data := totpAuthBackup(t, testPassword, totpAuthTestTokens...)
	res, err = importWith(data, FormatAuto, []byte(testPassword))
	checkAccounts(t, res, err, totpAuthTestWant)
	checkPasswordErrors(t, data, FormatAuto, "encrypted TOTP Authenticator backup")
	// Cut short: no longer whole blocks.
	if _, err := importWith(data[:len(data)-10], FormatTOTPAuthenticator, []byte(testPassword)); err == nil || !strings.HasPrefix(err.Error(), "encrypted TOTP Authenticator backup is damaged or cut short") {
		t.Errorf("cut short: %v", err)
	}
	bad := totpAuthBackup(t, testPassword, map[string]any{"base": 7, "key": "x", "name": "n"})
	if _, err := importWith(bad, FormatAuto, []byte(testPassword)); err == nil || err.Error() != "entry 1 (n): the key is in base 7 (want 16, 32 or 64)" {
		t.Errorf("base 7: %v", err)
	}
	if _, err := importWith(data, FormatAuto, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong: %v", err)
	}
}

// The format table's sample: a backup under the app's default password
// imports without one.
func init() {
	formatSamples[FormatTOTPAuthenticator] = struct {
		data string
		want []want
	}{string(totpAuthBackup(&testing.T{}, totpAuthDefaultPassword, totpAuthTestTokens...)), totpAuthTestWant}
}
