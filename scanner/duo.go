package scanner

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// Duo Mobile keeps its third-party accounts in files/duokit/accounts.json
// (readable on a rooted phone): a JSON list of
//
//	{"name": "…", "accountType": "OtpAccount",
//	 "otpGenerator": {"otpSecret": "BASE32", "counter": 3}, …}
//
// An otpGenerator with a counter is HOTP, without one TOTP (SHA1, 6
// digits, 30 s). Duo's own push accounts have no otpGenerator and are
// passed over.

func importDuo(data []byte) ([]entry, error) {
	var list []struct {
		Name         string `json:"name"`
		AccountType  string `json:"accountType"`
		OTPGenerator *struct {
			OTPSecret string `json:"otpSecret"`
			Counter   *int64 `json:"counter"`
		} `json:"otpGenerator"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, jsonError("duo", data, err)
	}
	now := time.Now()
	var entries []entry
	for i, it := range list {
		if it.OTPGenerator == nil {
			continue
		}
		e := entry{where: entryName(i, "", it.Name)}
		a := vault.Account{Type: vault.TOTP, Name: strings.TrimSpace(it.Name)}
		if a.Name == "" {
			a.Name = "Duo account"
		}
		a.Secret, e.err = vault.DecodeSecret(it.OTPGenerator.OTPSecret)
		if e.err == nil && it.OTPGenerator.Counter != nil {
			if *it.OTPGenerator.Counter < 0 {
				e.err = fmt.Errorf("%w (got %d)", ErrCounter, *it.OTPGenerator.Counter)
			}
			a.Type, a.Counter = vault.HOTP, uint64(*it.OTPGenerator.Counter)
		}
		if e.err == nil {
			e.err = a.Normalize(now)
		}
		e.acc = a
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: no duo account has an otp generator", ErrNoAccounts)
	}
	return entries, nil
}
