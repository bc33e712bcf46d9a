package scanner

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
	"github.com/vmfa/vmfa/vault"
)

// Authy keeps its third-party ("authenticator") tokens in the Android
// preferences file com.authy.storage.tokens.authenticator.xml (readable on
// a rooted phone): a <map> whose com.authy.storage.tokens.authenticator.key
// entry is a JSON list of
//
//	{"accountType": "authenticator", "decryptedSecret": "BASE32",
//	 "digits": 6, "originalIssuer": "…", "originalName": "Issuer:name",
//	 "name": "Issuer: name", …}
//
// Tokens are TOTP, SHA1, 30 s. Newer app versions keep "encryptedSecret"
// and "salt" instead of decryptedSecret: those need the Authy backup
// password.

const authyTokensKey = "com.authy.storage.tokens.authenticator.key"

type authyToken struct {
	DecryptedSecret *string `json:"decryptedSecret"`
	EncryptedSecret *string `json:"encryptedSecret"`
	Salt            string  `json:"salt"`
	Digits          int     `json:"digits"`
	OriginalIssuer  string  `json:"originalIssuer"`
	OriginalName    string  `json:"originalName"`
	Name            string  `json:"name"`
}

// authyEncName names the encrypted variant in messages.
const authyEncName = "encrypted Authy token store"

func importAuthy(data []byte, cfg *importConfig) ([]entry, error) {
	prefs, err := readPrefs(data, "authy preferences")
	if err != nil {
		return nil, err
	}
	var list string
	found := false
	for _, p := range prefs {
		if p.Name == authyTokensKey {
			list, found = p.Value, true
		}
	}
	if !found {
		return nil, fmt.Errorf("not a valid authy preferences file: no %s entry", authyTokensKey)
	}
	var tokens []authyToken
	if err := json.Unmarshal([]byte(list), &tokens); err != nil {
		return nil, jsonError("authy token list", []byte(list), err)
	}
	now := time.Now()
	var entries []entry
	opened := 0
	for i, t := range tokens {
		if t.DecryptedSecret == nil && t.EncryptedSecret != nil {
			if cfg.password == nil {
				return nil, needPassword(authyEncName)
			}
			s, err := openAuthySecret(*t.EncryptedSecret, t.Salt, cfg.password)
			switch {
			case errors.Is(err, backupcrypto.ErrAuth) && opened == 0:
				// The first encrypted secret already fails: the password.
				return nil, wrongPassword(authyEncName)
			case err != nil:
				issuer, name := authyNames(&t)
				entries = append(entries, entry{where: entryName(i, issuer, name), err: err})
				continue
			}
			opened++
			t.DecryptedSecret = &s
		}
		issuer, name := authyNames(&t)
		e := entry{where: entryName(i, issuer, name)}
		a := vault.Account{Type: vault.TOTP, Issuer: issuer, Name: name}
		if t.DecryptedSecret == nil {
			e.err = ErrEmptySecret
		} else if a.Secret, e.err = vault.DecodeSecret(*t.DecryptedSecret); e.err == nil {
			if t.Digits != 0 && (t.Digits < vault.MinDigits || t.Digits > vault.MaxDigits) {
				e.err = fmt.Errorf("%w (got %d)", ErrDigits, t.Digits)
			} else {
				a.Digits = t.Digits
				e.err = a.Normalize(now)
			}
		}
		e.acc = a
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

// authyNames splits Authy's labels: originalIssuer and originalName
// ("Issuer:name") when present, else the display name "Issuer: name".
func authyNames(t *authyToken) (issuer, name string) {
	issuer = strings.TrimSpace(t.OriginalIssuer)
	name = strings.TrimSpace(t.OriginalName)
	if name == "" {
		name = strings.TrimSpace(t.Name)
	}
	if issuer != "" {
		if n, ok := strings.CutPrefix(name, issuer+":"); ok {
			name = strings.TrimSpace(n)
		}
	} else if i, n, ok := strings.Cut(name, ":"); ok {
		issuer, name = strings.TrimSpace(i), strings.TrimSpace(n)
	}
	return issuer, name
}
