package scanner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
)

// Bitwarden password-protected JSON export:
//
//	{"encrypted": true, "passwordProtected": true, "salt": "…",
//	 "kdfType": 0|1, "kdfIterations": N, "kdfMemory": MiB,
//	 "kdfParallelism": P, "encKeyValidation_DO_NOT_EDIT": ENC, "data": ENC}
//
// The key is PBKDF2-HMAC-SHA256(password, salt as text, N) for kdfType 0,
// or Argon2id(password, SHA-256(salt as text), N passes, kdfMemory MiB, P
// lanes) for kdfType 1, stretched with HKDF-Expand-SHA256 into an
// encryption key ("enc") and a MAC key ("mac"). ENC is an EncString
// "2.iv|ciphertext|mac" (base64 parts): AES-256-CBC with HMAC-SHA256 over
// iv‖ciphertext, checked before anything is decrypted. The validation
// string proves the password; data is the plain JSON export. An export
// with "encrypted": true but no passwordProtected is "account restricted":
// encrypted with the Bitwarden account's key.

type bitwardenEncFile struct {
	Encrypted         bool   `json:"encrypted"`
	PasswordProtected bool   `json:"passwordProtected"`
	Salt              string `json:"salt"`
	KDFType           int    `json:"kdfType"`
	KDFIterations     int    `json:"kdfIterations"`
	KDFMemory         *int   `json:"kdfMemory"`
	KDFParallelism    *int   `json:"kdfParallelism"`
	Validation        string `json:"encKeyValidation_DO_NOT_EDIT"`
	Data              string `json:"data"`
}

// bitwardenEncrypted reports how a Bitwarden JSON export is encrypted:
// "" (not at all), "password" or "account".
func bitwardenEncrypted(data []byte) string {
	var f bitwardenEncFile
	if json.Unmarshal(data, &f) != nil || !f.Encrypted {
		return ""
	}
	if f.PasswordProtected {
		return "password"
	}
	return "account"
}

// bitwardenKeys derives the encryption and MAC keys from the password.
func bitwardenKeys(f *bitwardenEncFile, password []byte) (enc, mac []byte, err error) {
	var key []byte
	switch f.KDFType {
	case 0:
		key, err = backupcrypto.PBKDF2(sha256.New, password, []byte(f.Salt), f.KDFIterations, 32)
	case 1:
		if f.KDFMemory == nil || f.KDFParallelism == nil {
			return nil, nil, damaged(bitwardenEncName, "argon2id needs kdfMemory and kdfParallelism")
		}
		m := *f.KDFMemory
		if m < 0 || m > backupcrypto.MaxArgon2MemoryKiB>>10 {
			return nil, nil, kdfError("bitwarden", fmt.Errorf("%w: argon2 memory must be at most %d MiB (the file asks for %d MiB)", backupcrypto.ErrLimit, backupcrypto.MaxArgon2MemoryKiB>>10, m))
		}
		salt := sha256.Sum256([]byte(f.Salt))
		key, err = backupcrypto.Argon2id(password, salt[:], f.KDFIterations, m<<10, *f.KDFParallelism, 32)
	default:
		return nil, nil, fmt.Errorf("this %s uses kdfType %d, which vmfa does not know (want 0, PBKDF2, or 1, Argon2id)", bitwardenEncName, f.KDFType)
	}
	if err != nil {
		return nil, nil, kdfError("bitwarden", err)
	}
	return backupcrypto.HKDFExpand(sha256.New, key, "enc", 32), backupcrypto.HKDFExpand(sha256.New, key, "mac", 32), nil
}

// errBitwardenMAC: an EncString whose MAC does not match.
var errBitwardenMAC = errors.New("mac mismatch")

// openEncString checks the MAC of a "2.iv|ct|mac" EncString and decrypts
// it.
func openEncString(s string, enc, mac []byte) ([]byte, error) {
	typ, rest, ok := strings.Cut(s, ".")
	if !ok || typ != "2" {
		return nil, fmt.Errorf("an encrypted value is not of type 2 (AES-256-CBC with HMAC-SHA256)")
	}
	parts := strings.Split(rest, "|")
	if len(parts) != 3 {
		return nil, fmt.Errorf("an encrypted value is not iv|data|mac")
	}
	var raw [3][]byte
	for i, p := range parts {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return nil, fmt.Errorf("an encrypted value is not base64")
		}
		raw[i] = b
	}
	iv, ct, tag := raw[0], raw[1], raw[2]
	h := hmac.New(sha256.New, mac)
	h.Write(iv)
	h.Write(ct)
	if !hmac.Equal(h.Sum(nil), tag) {
		return nil, errBitwardenMAC
	}
	return backupcrypto.DecryptCBC(enc, iv, ct)
}

// decryptBitwarden returns the plain JSON export inside a
// password-protected Bitwarden export.
func decryptBitwarden(data, password []byte) ([]byte, error) {
	var f bitwardenEncFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError("bitwarden", data, err)
	}
	if !f.PasswordProtected {
		return nil, ErrAccountRestricted
	}
	if password == nil {
		return nil, needPassword(bitwardenEncName)
	}
	if f.Salt == "" || f.Validation == "" || f.Data == "" {
		return nil, damaged(bitwardenEncName, `it needs "salt", "encKeyValidation_DO_NOT_EDIT" and "data"`)
	}
	enc, mac, err := bitwardenKeys(&f, password)
	if err != nil {
		return nil, err
	}
	if _, err := openEncString(f.Validation, enc, mac); errors.Is(err, errBitwardenMAC) {
		return nil, wrongPassword(bitwardenEncName)
	} else if err != nil {
		return nil, damaged(bitwardenEncName, err.Error())
	}
	plain, err := openEncString(f.Data, enc, mac)
	if err != nil {
		return nil, damaged(bitwardenEncName, "data: "+err.Error())
	}
	return plain, nil
}
