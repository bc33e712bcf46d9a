package scanner

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
)

// 2FAS encrypted backup (schema 2 to 4): servicesEncrypted is
// base64(ciphertext‖tag):base64(salt):base64(iv); the key is
// PBKDF2-HMAC-SHA256(password, salt, 10,000 rounds, 256 bits) and the
// services list, as JSON, is sealed with AES-256-GCM.

const twoFASIterations = 10_000

func decrypt2FAS(field string, password []byte) ([]twoFASService, error) {
	if password == nil {
		return nil, needPassword(twoFASEncName)
	}
	parts := strings.Split(field, ":")
	if len(parts) != 3 {
		return nil, damaged(twoFASEncName, "servicesEncrypted must be three base64 parts separated by ':'")
	}
	var raw [3][]byte
	for i, p := range parts {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return nil, damaged(twoFASEncName, "servicesEncrypted is not base64")
		}
		raw[i] = b
	}
	ct, salt, iv := raw[0], raw[1], raw[2]
	if len(iv) != 12 || len(salt) == 0 || len(ct) < 16 {
		return nil, damaged(twoFASEncName, "servicesEncrypted needs a 12-byte iv, a salt and at least the 16-byte tag")
	}
	key, err := backupcrypto.PBKDF2(sha256.New, password, salt, twoFASIterations, 32)
	if err != nil {
		return nil, kdfError("2fas", err)
	}
	plain, err := backupcrypto.OpenGCM(key, iv, ct, nil)
	if errors.Is(err, backupcrypto.ErrAuth) {
		return nil, wrongPassword(twoFASEncName)
	}
	if err != nil {
		return nil, damaged(twoFASEncName, err.Error())
	}
	var services []twoFASService
	if err := json.Unmarshal(plain, &services); err != nil {
		return nil, jsonError("2fas", plain, err)
	}
	return services, nil
}
