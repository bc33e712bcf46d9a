package scanner

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
	"github.com/vmfa/vmfa/vault"
)

// TOTP Authenticator (com.authenticator.authservice2) backup: Base64 text
// of AES-256-CBC ciphertext (PKCS#7, all-zero IV) keyed by SHA-256 of the
// password, "TotpAuthenticator" when the user set none. The plaintext is a
// JSON object whose one key is a JSON list of JSON strings, each a token
// {"base": 16|32|64, "key": "…", "name": "…", "issuer": "…"}: 6-digit
// SHA-1 TOTP every 30 s.

// FormatTOTPAuthenticator is TOTP Authenticator's encrypted backup.
const FormatTOTPAuthenticator = "totp-authenticator"

const (
	totpAuthEncName         = "encrypted TOTP Authenticator backup"
	totpAuthDefaultPassword = "TotpAuthenticator"
)

// totpAuthCiphertext returns the ciphertext of a file that can be a TOTP
// Authenticator backup: Base64 text of whole AES blocks.
func totpAuthCiphertext(data []byte) ([]byte, bool) {
	text := bytes.Join(bytes.Fields(trimText(data)), nil)
	if len(text) < 24 {
		return nil, false
	}
	for _, c := range text {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return nil, false
		}
	}
	ct, err := base64.StdEncoding.DecodeString(string(text))
	if err != nil || len(ct) == 0 || len(ct)%16 != 0 {
		return nil, false
	}
	return ct, true
}

func openTOTPAuth(ct, password []byte) ([]byte, error) {
	key := sha256.Sum256(password)
	plain, err := backupcrypto.DecryptCBC(key[:], make([]byte, 16), ct)
	if err != nil {
		return nil, err
	}
	if t := trimText(plain); len(t) == 0 || t[0] != '{' {
		return nil, backupcrypto.ErrAuth // valid padding by chance, noise
	}
	return plain, nil
}

type totpAuthToken struct {
	Base   int    `json:"base"`
	Key    string `json:"key"`
	Name   string `json:"name"`
	Issuer string `json:"issuer"`
}

// importTOTPAuth reads a TOTP Authenticator backup, with the app's
// default password when none is given.
func importTOTPAuth(data, password []byte) ([]entry, error) {
	ct, ok := totpAuthCiphertext(data)
	if !ok {
		return nil, damaged(totpAuthEncName, "it must be base64 text of whole 16-byte blocks")
	}
	var plain []byte
	var err error
	if password == nil {
		if plain, err = openTOTPAuth(ct, []byte(totpAuthDefaultPassword)); err != nil {
			return nil, needPassword(totpAuthEncName)
		}
	} else if plain, err = openTOTPAuth(ct, password); err != nil {
		return nil, wrongPassword(totpAuthEncName)
	}
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(plain, &outer); err != nil {
		return nil, jsonError("totp authenticator", plain, err)
	}
	var list []string
	for k := range outer {
		if json.Unmarshal([]byte(k), &list) == nil {
			break
		}
	}
	if list == nil {
		return nil, errors.New("not a valid totp authenticator backup: no list of tokens")
	}
	now := time.Now()
	var entries []entry
	for i, s := range list {
		var t totpAuthToken
		if err := json.Unmarshal([]byte(s), &t); err != nil {
			entries = append(entries, entry{where: fmt.Sprintf("entry %d", i+1), err: jsonError("totp authenticator token", []byte(s), err)})
			continue
		}
		e := entry{where: entryName(i, t.Issuer, t.Name)}
		var secret []byte
		switch t.Base {
		case 16:
			secret, err = hex.DecodeString(strings.TrimSpace(t.Key))
		case 32:
			secret, err = vault.ParseSecret(t.Key)
		case 64:
			secret, err = base64.StdEncoding.DecodeString(strings.TrimSpace(t.Key))
		default:
			err = fmt.Errorf("the key is in base %d (want 16, 32 or 64)", t.Base)
		}
		if err == nil && len(secret) == 0 {
			err = ErrEmptySecret
		}
		if err != nil {
			e.err = err
		} else {
			e.acc = vault.Account{Issuer: strings.TrimSpace(t.Issuer), Name: strings.TrimSpace(t.Name), Type: vault.TOTP, Secret: secret}
			e.err = e.acc.Normalize(now)
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}
