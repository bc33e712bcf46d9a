package scanner

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// Battle.net Authenticator's shared preferences (readable on a rooted
// phone) hold the authenticator XOR-masked with a fixed 57-byte mask, in
// hex: the older app's com.blizzard.bma.AUTH_STORE.HASH unmasks to the
// 40-hex-digit secret followed by the serial ("US-1234-5678-9012"); the
// newer com.blizzard.messenger app keeps AUTHENTICATOR_DEVICE_SECRET (the
// hex secret) and AUTHENTICATOR_SERIAL apart. Codes are TOTP, SHA1, 8
// digits, 30 s.

const (
	bnetHashKey   = "com.blizzard.bma.AUTH_STORE.HASH"
	bnetSecretKey = "com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET"
	bnetSerialKey = "com.blizzard.messenger.AUTHENTICATOR_SERIAL"
)

var bnetMask, _ = hex.DecodeString("398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6c80d2fb38068773fa59ba47c17ca6c6479015c1d5b8b8f6b9a")

// bnetUnmask removes the mask from a hex value.
func bnetUnmask(s string) (string, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return "", errors.New("the masked value is not hex")
	}
	if len(b) > len(bnetMask) {
		return "", fmt.Errorf("the masked value is %d bytes, longer than the %d-byte mask", len(b), len(bnetMask))
	}
	for i := range b {
		b[i] ^= bnetMask[i]
	}
	return string(b), nil
}

// bnetMaskValue masks a value the way the app stores it (for tests).
func bnetMaskValue(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] ^= bnetMask[i]
	}
	return hex.EncodeToString(b)
}

func importBattleNet(data []byte) ([]entry, error) {
	prefs, err := readPrefs(data, "battle.net preferences")
	if err != nil {
		return nil, err
	}
	var hash, secret, serial string
	for _, p := range prefs {
		switch p.Name {
		case bnetHashKey:
			hash = p.Value
		case bnetSecretKey:
			secret = p.Value
		case bnetSerialKey:
			serial = p.Value
		}
	}
	e := entry{where: "authenticator"}
	var plainSecret, plainSerial string
	switch {
	case secret != "":
		plainSecret, e.err = bnetUnmask(secret)
		if e.err == nil && serial != "" {
			plainSerial, e.err = bnetUnmask(serial)
		}
	case hash != "":
		var v string
		if v, e.err = bnetUnmask(hash); e.err == nil {
			if len(v) < 40 {
				e.err = errors.New("the authenticator value is cut short")
			} else {
				plainSecret, plainSerial = v[:40], v[40:]
			}
		}
	default:
		return nil, errors.New("not a valid battle.net preferences file: no authenticator secret")
	}
	if e.err == nil {
		e.acc, e.err = bnetAccount(plainSecret, plainSerial, time.Now())
	}
	return []entry{e}, nil
}

func bnetAccount(secretHex, serial string, now time.Time) (vault.Account, error) {
	a := vault.Account{Type: vault.TOTP, Issuer: "Battle.net", Algorithm: vault.SHA1, Digits: 8, Period: 30}
	key, err := hex.DecodeString(secretHex)
	if err != nil {
		return a, errors.New("the unmasked secret is not hex (is the mask right?)")
	}
	a.Secret = key
	serial = strings.TrimSpace(serial)
	if vault.HasControl(serial) {
		return a, errors.New("the unmasked serial holds control characters (is the mask right?)")
	}
	a.Serial, a.Name = serial, serial
	if a.Name == "" {
		a.Name = "Battle.net"
	}
	return a, a.Normalize(now)
}
