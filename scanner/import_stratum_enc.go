package scanner

import (
	"bytes"
	"crypto/sha1"
	"errors"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
)

// Stratum / Authenticator Pro encrypted backup. The current format is
// "AUTHENTICATORPRO" ‖ salt (16) ‖ iv (12) ‖ AES-256-GCM ciphertext ‖ tag,
// keyed by Argon2id(password, salt, 3 passes, 64 MiB, 4 lanes); the legacy
// one is "AuthenticatorPro" ‖ salt (20) ‖ iv (16) ‖ AES-256-CBC ciphertext
// (PKCS#7), keyed by PBKDF2-HMAC-SHA1(password, salt, 64,000 rounds). The
// plaintext is the plain JSON backup. The parameters are the app's, not
// the file's.

const (
	stratumEncHeader       = "AUTHENTICATORPRO"
	stratumEncLegacyHeader = "AuthenticatorPro"

	stratumSaltLen       = 16
	stratumIVLen         = 12
	stratumArgonTime     = 3
	stratumArgonMemory   = 64 << 10 // KiB
	stratumArgonLanes    = 4
	stratumLegacySaltLen = 20
	stratumLegacyIVLen   = 16
	stratumLegacyRounds  = 64_000
)

// isStratumEncrypted reports a file with either encrypted header.
func isStratumEncrypted(data []byte) bool {
	return bytes.HasPrefix(data, []byte(stratumEncHeader)) || bytes.HasPrefix(data, []byte(stratumEncLegacyHeader))
}

// decryptStratum returns the plain JSON of an encrypted Stratum backup.
func decryptStratum(data, password []byte) ([]byte, error) {
	if password == nil {
		return nil, needPassword(stratumEncName)
	}
	legacy := bytes.HasPrefix(data, []byte(stratumEncLegacyHeader))
	body := data[len(stratumEncHeader):]
	saltLen, ivLen, minCT := stratumSaltLen, stratumIVLen, 16
	if legacy {
		saltLen, ivLen = stratumLegacySaltLen, stratumLegacyIVLen
	}
	if len(body) < saltLen+ivLen+minCT {
		return nil, damaged(stratumEncName, "shorter than its salt, iv and one block")
	}
	salt, iv, ct := body[:saltLen], body[saltLen:saltLen+ivLen], body[saltLen+ivLen:]
	var plain []byte
	if legacy {
		key, err := backupcrypto.PBKDF2(sha1.New, password, salt, stratumLegacyRounds, 32)
		if err != nil {
			return nil, kdfError("stratum", err)
		}
		plain, err = backupcrypto.DecryptCBC(key, iv, ct)
		if errors.Is(err, backupcrypto.ErrAuth) {
			return nil, wrongPassword(stratumEncName)
		}
		if err != nil {
			return nil, damaged(stratumEncName, err.Error())
		}
		// Nothing authenticates CBC: a wrong key that happens to leave
		// valid padding gives noise, not JSON.
		if t := trimText(plain); len(t) == 0 || t[0] != '{' {
			return nil, wrongPassword(stratumEncName)
		}
		return plain, nil
	}
	key, err := backupcrypto.Argon2id(password, salt, stratumArgonTime, stratumArgonMemory, stratumArgonLanes, 32)
	if err != nil {
		return nil, kdfError("stratum", err)
	}
	plain, err = backupcrypto.OpenGCM(key, iv, ct, nil)
	if errors.Is(err, backupcrypto.ErrAuth) {
		return nil, wrongPassword(stratumEncName)
	}
	if err != nil {
		return nil, damaged(stratumEncName, err.Error())
	}
	return plain, nil
}
