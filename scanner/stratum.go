package scanner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// Stratum (formerly Authenticator Pro) backups. The plain backup is JSON:
//
//	{"Authenticators": [{"Type": 2, "Issuer": "…", "Username": "…",
//	  "Secret": "BASE32", "Pin": null, "Algorithm": 0, "Digits": 6,
//	  "Period": 30, "Counter": 0, "Ranking": 0, "Icon": null}, …],
//	 "Categories": [{"Id": "…", "Name": "…"}],
//	 "AuthenticatorCategories": [{"CategoryId": "…", "AuthenticatorSecret": "…"}],
//	 "CustomIcons": […]}
//
// Type is 1 HOTP, 2 TOTP, 3 mOTP, 4 Steam, 5 Yandex; Algorithm is 0 SHA1,
// 1 SHA256, 2 SHA512. Encrypted backups start with the header
// "AUTHENTICATORPRO" (Argon2id + AES-GCM) or "AuthenticatorPro" (legacy
// PBKDF2 + AES-CBC); their plaintext is this JSON.

const (
	stratumHeader       = "AUTHENTICATORPRO"
	stratumLegacyHeader = "AuthenticatorPro"
)

type stratumFile struct {
	Authenticators *[]stratumEntry `json:"Authenticators"`
	Categories     []struct {
		ID   string `json:"Id"`
		Name string `json:"Name"`
	} `json:"Categories"`
	AuthenticatorCategories []struct {
		CategoryID string `json:"CategoryId"`
		Secret     string `json:"AuthenticatorSecret"`
	} `json:"AuthenticatorCategories"`
}

type stratumEntry struct {
	Type      int     `json:"Type"`
	Issuer    string  `json:"Issuer"`
	Username  *string `json:"Username"`
	Secret    string  `json:"Secret"`
	Pin       *string `json:"Pin"`
	Algorithm int     `json:"Algorithm"`
	Digits    int     `json:"Digits"`
	Period    int     `json:"Period"`
	Counter   int64   `json:"Counter"`
}

// ParseStratum reads a Stratum / Authenticator Pro plain JSON backup (also
// the decrypted payload of an encrypted one). It is all or nothing: the
// first bad entry is an error naming it.
func ParseStratum(data []byte) ([]vault.Account, error) {
	entries, err := importStratum(data)
	if err != nil {
		return nil, err
	}
	return firstError(entries)
}

func importStratum(data []byte) ([]entry, error) {
	if bytes.HasPrefix(data, []byte(stratumHeader)) || bytes.HasPrefix(data, []byte(stratumLegacyHeader)) {
		return nil, needPassword(stratumEncName)
	}
	data = jsonText(data)
	var f stratumFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError("stratum", data, err)
	}
	if f.Authenticators == nil {
		return nil, fmt.Errorf("not a valid stratum file: no \"Authenticators\" list")
	}
	cats := map[string]string{}
	for _, c := range f.Categories {
		cats[c.ID] = c.Name
	}
	tags := map[string][]string{}
	for _, ac := range f.AuthenticatorCategories {
		if n := strings.TrimSpace(cats[ac.CategoryID]); n != "" {
			tags[ac.Secret] = append(tags[ac.Secret], n)
		}
	}
	now := time.Now()
	var entries []entry
	for i, e := range *f.Authenticators {
		name := ""
		if e.Username != nil {
			name = *e.Username
		}
		en := entry{where: entryName(i, e.Issuer, name)}
		en.acc, en.err = stratumAccount(&e, name, now)
		if en.err == nil {
			en.acc.Tags = tags[e.Secret]
			en.err = en.acc.Validate()
		}
		entries = append(entries, en)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

func stratumAccount(e *stratumEntry, name string, now time.Time) (vault.Account, error) {
	a := vault.Account{Issuer: strings.TrimSpace(e.Issuer), Name: strings.TrimSpace(name)}
	switch e.Algorithm {
	case 0:
		a.Algorithm = vault.SHA1
	case 1:
		a.Algorithm = vault.SHA256
	case 2:
		a.Algorithm = vault.SHA512
	default:
		return a, fmt.Errorf("%w: code %d", ErrUnknownAlgorithm, e.Algorithm)
	}
	var err error
	if e.Type != 3 {
		if a.Secret, err = vault.DecodeSecret(e.Secret); err != nil {
			return a, err
		}
	}
	pin := ""
	if e.Pin != nil {
		pin = strings.TrimSpace(*e.Pin)
	}
	switch e.Type {
	case 1:
		a.Type = vault.HOTP
		if e.Counter < 0 {
			return a, fmt.Errorf("%w (got %d)", ErrCounter, e.Counter)
		}
		a.Counter = uint64(e.Counter)
	case 2:
		a.Type = vault.TOTP
	case 3:
		// Stratum keeps the mOTP seed as text; it is hex, as mOTP seeds are.
		a.Type, a.PIN = vault.MOTP, pin
		if a.Secret, err = hexSeed(e.Secret); err != nil {
			return a, err
		}
	case 4:
		a.Type = vault.Steam
	case 5:
		a.Type, a.PIN = vault.Yandex, pin
		if a.Secret, err = vault.ParseYandexSecret(a.Secret); err != nil {
			return a, err
		}
	default:
		return a, fmt.Errorf("%w: type code %d", ErrUnknownType, e.Type)
	}
	if a.Type == vault.TOTP || a.Type == vault.HOTP {
		if e.Digits != 0 && (e.Digits < vault.MinDigits || e.Digits > vault.MaxDigits) {
			return a, fmt.Errorf("%w (got %d)", ErrDigits, e.Digits)
		}
		a.Digits = e.Digits
	}
	if a.Type != vault.HOTP && a.Type != vault.Steam {
		if e.Period < 0 {
			return a, fmt.Errorf("%w (got %d)", ErrPeriod, e.Period)
		}
		a.Period = e.Period
	}
	return a, a.Normalize(now)
}

// hexSeed decodes an mOTP seed written in hex (16 or more hex digits).
func hexSeed(s string) ([]byte, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("the motp secret is not hex (%d digits)", len(s))
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		hi, lo := unhex(s[2*i]), unhex(s[2*i+1])
		if hi < 0 || lo < 0 {
			return nil, fmt.Errorf("the motp secret is not hex (character %d)", 2*i+1)
		}
		out[i] = byte(hi<<4 | lo)
	}
	if len(out) < vault.MinShortSecretBytes {
		return nil, ErrSecretTooShort
	}
	return out, nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}
