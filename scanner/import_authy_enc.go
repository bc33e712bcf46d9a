package scanner

import (
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
)

// Authy's encrypted token secrets (newer app versions, rooted phone): each
// token's "encryptedSecret" is AES-256-CBC with a zero IV under
// PBKDF2-HMAC-SHA1(backup password, the token's "salt" as text, 1,000
// rounds, 256 bits); its plaintext is the Base32 secret.

const authyRounds = 1000

// openAuthySecret decrypts one token's secret. A wrong password is
// backupcrypto.ErrAuth (bad padding, or noise instead of Base32 text).
func openAuthySecret(enc, salt string, password []byte) (string, error) {
	ct, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", errors.New("the encrypted secret is not base64")
	}
	key, err := backupcrypto.PBKDF2(sha1.New, password, []byte(salt), authyRounds, 32)
	if err != nil {
		return "", err
	}
	plain, err := backupcrypto.DecryptCBC(key, make([]byte, 16), ct)
	if err != nil {
		return "", err
	}
	for _, c := range string(plain) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '2' && c <= '7' || c == '=' || c == ' ' || c == '-') {
			return "", backupcrypto.ErrAuth
		}
	}
	return string(plain), nil
}
