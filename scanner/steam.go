package scanner

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// Steam Guard files: Steam Desktop Authenticator's .maFile and the Steam
// app's own Steamguard-<id> file are JSON objects with "shared_secret"
// (Base64 key), "account_name" and more (identity_secret, revocation_code,
// serial_number…, which vmfa does not need). Newer Steam apps keep
// {"accounts": {"<id>": {…same fields…}, …}}.

type steamGuard struct {
	SharedSecret *string `json:"shared_secret"`
	AccountName  string  `json:"account_name"`
}

func importSteam(data []byte) ([]entry, error) {
	var f struct {
		steamGuard
		Accounts map[string]steamGuard `json:"accounts"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError("steam", data, err)
	}
	now := time.Now()
	var list []steamGuard
	if f.SharedSecret != nil {
		list = append(list, f.steamGuard)
	}
	ids := make([]string, 0, len(f.Accounts))
	for id := range f.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		list = append(list, f.Accounts[id])
	}
	if len(list) == 0 {
		return nil, errors.New(`not a valid steam guard file: no "shared_secret"`)
	}
	var entries []entry
	for i, g := range list {
		e := entry{where: entryName(i, "Steam", g.AccountName)}
		e.acc, e.err = steamAccount(g, now)
		entries = append(entries, e)
	}
	return entries, nil
}

func steamAccount(g steamGuard, now time.Time) (vault.Account, error) {
	a := vault.Account{Type: vault.Steam, Issuer: "Steam", Name: strings.TrimSpace(g.AccountName)}
	if g.SharedSecret == nil || strings.TrimSpace(*g.SharedSecret) == "" {
		return a, ErrEmptySecret
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(*g.SharedSecret))
	if err != nil {
		return a, fmt.Errorf("the shared_secret is not valid base64")
	}
	if len(key) < vault.MinShortSecretBytes {
		return a, ErrSecretTooShort
	}
	a.Secret = key
	return a, a.Normalize(now)
}
