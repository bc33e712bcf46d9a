package scanner

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
	"github.com/vmfa/vmfa/vault"
)

// authyPrefs writes Authy's token preferences: third-party tokens with
// their secrets encrypted under password (Authy's PBKDF2-SHA1, 1,000
// rounds, AES-CBC with a zero IV).
func authyPrefs(t testing.TB, password string, tokens []map[string]any) []byte {
	t.Helper()
	for _, tok := range tokens {
		secret, ok := tok["secret"].(string)
		if !ok {
			continue
		}
		delete(tok, "secret")
		salt := "salt-" + tok["name"].(string)
		key, err := backupcrypto.PBKDF2(sha1.New, []byte(password), []byte(salt), 1000, 32)
		if err != nil {
			t.Fatal(err)
		}
		ct, _ := backupcrypto.EncryptCBC(key, make([]byte, 16), []byte(secret))
		tok["encryptedSecret"], tok["salt"] = base64.StdEncoding.EncodeToString(ct), salt
	}
	a, _ := json.Marshal(tokens)
	var b strings.Builder
	b.WriteString("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n")
	b.WriteString(`    <string name="com.authy.storage.tokens.authenticator.key">` + xmlEscape(string(a)) + "</string>\n")
	b.WriteString(`    <long name="com.authy.storage.tokens.authenticator.timestamp" value="1700000000000" />` + "\n</map>\n")
	return []byte(b.String())
}

func authyTestTokens() []map[string]any {
	return []map[string]any{
		{"originalName": "GitHub:alice", "accountType": "github", "name": "GitHub:alice", "digits": 6, "secret": "JBSWY3DPEHPK3PXP"},
		{"originalIssuer": "Bank", "accountType": "authenticator", "name": "Bank: bob", "digits": 8, "secret": "GEZDGNBVGY3TQOJQ"},
		{"accountType": "dropbox", "name": "carol", "digits": 6, "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
	}
}

var authyTestWant = []want{
	{vault.TOTP, "GitHub", "alice", jbs, vault.SHA1, 6, 30, 0, "", "", "", false},
	{vault.TOTP, "Bank", "bob", s1234, vault.SHA1, 8, 30, 0, "", "", "", false},
	{vault.TOTP, "", "carol", s12x2, vault.SHA1, 6, 30, 0, "", "", "", false},
}

func TestImportAuthy(t *testing.T) {
	data := authyPrefs(t, testPassword, authyTestTokens())
	res, err := importWith(data, FormatAuto, []byte(testPassword))
	checkAccounts(t, res, err, authyTestWant)
	if res.Format != FormatAuthy {
		t.Errorf("format %q", res.Format)
	}
	checkPasswordErrors(t, data, FormatAuto, "encrypted Authy token store")
	// Cut short: not XML any more.
	if _, err := importWith(data[:len(data)/2], FormatAuthy, []byte(testPassword)); err == nil || !strings.HasPrefix(err.Error(), "not a valid authy preferences file") {
		t.Errorf("cut short: %v", err)
	}
	// A garbled secret after one that opened is that token's error, not a
	// wrong password.
	tokens := authyTestTokens()
	tokens[1]["encryptedSecret"], tokens[1]["salt"] = base64.StdEncoding.EncodeToString(random(32)), "x"
	delete(tokens[1], "secret")
	_, err = importWith(authyPrefs(t, testPassword, tokens), FormatAuto, []byte(testPassword))
	if err == nil || errors.Is(err, ErrWrongPassword) || !strings.HasPrefix(err.Error(), "entry 2 (Bank: bob): ") {
		t.Errorf("garbled: %v", err)
	}
}
