package scanner

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
)

// Ente Auth encrypted export:
//
//	{"version": 1, "kdfParams": {"memLimit": BYTES, "opsLimit": N,
//	 "salt": base64}, "encryptedData": base64, "encryptionNonce": base64}
//
// The key is libsodium's crypto_pwhash (Argon2id v1.3, memLimit/1024 KiB,
// opsLimit passes, one lane) of the password; encryptedData is one
// crypto_secretstream_xchacha20poly1305 message whose stream header is
// encryptionNonce. The plaintext is the plain export: otpauth:// URIs, one
// per line.

type enteEncFile struct {
	Version   *int `json:"version"`
	KDFParams *struct {
		MemLimit int64  `json:"memLimit"`
		OpsLimit int64  `json:"opsLimit"`
		Salt     string `json:"salt"`
	} `json:"kdfParams"`
	EncryptedData   string `json:"encryptedData"`
	EncryptionNonce string `json:"encryptionNonce"`
}

// decryptEnte returns the plain export inside an encrypted Ente Auth
// export.
func decryptEnte(data, password []byte) ([]byte, error) {
	if password == nil {
		return nil, needPassword(enteEncName)
	}
	var f enteEncFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError("ente", data, err)
	}
	if f.KDFParams == nil || f.EncryptedData == "" || f.EncryptionNonce == "" {
		return nil, damaged(enteEncName, `it needs "kdfParams", "encryptedData" and "encryptionNonce"`)
	}
	if f.Version == nil || *f.Version != 1 {
		return nil, fmt.Errorf("this %s has a version vmfa does not know (want 1)", enteEncName)
	}
	b64 := base64.StdEncoding.DecodeString
	salt, err1 := b64(f.KDFParams.Salt)
	ct, err2 := b64(f.EncryptedData)
	header, err3 := b64(f.EncryptionNonce)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, damaged(enteEncName, "salt, encryptedData and encryptionNonce must be base64")
	}
	if len(header) != backupcrypto.StreamHeaderBytes || len(salt) != 16 {
		return nil, damaged(enteEncName, "the salt must be 16 bytes and encryptionNonce 24")
	}
	if len(ct) < backupcrypto.StreamABytes {
		return nil, damaged(enteEncName, "encryptedData is shorter than one message")
	}
	mem, ops := f.KDFParams.MemLimit/1024, f.KDFParams.OpsLimit
	if mem > int64(backupcrypto.MaxArgon2MemoryKiB) || ops > int64(backupcrypto.MaxArgon2Time) || mem < 0 || ops < 0 {
		return nil, kdfError("ente", fmt.Errorf("%w: argon2 memory must be at most %d MiB and passes at most %d (the file asks for memLimit %d bytes, opsLimit %d)",
			backupcrypto.ErrLimit, backupcrypto.MaxArgon2MemoryKiB>>10, backupcrypto.MaxArgon2Time, f.KDFParams.MemLimit, f.KDFParams.OpsLimit))
	}
	key, err := backupcrypto.Argon2id(password, salt, int(ops), int(mem), 1, 32)
	if err != nil {
		return nil, kdfError("ente", err)
	}
	s, err := backupcrypto.NewPullStream(key, header)
	if err != nil {
		return nil, damaged(enteEncName, err.Error())
	}
	plain, _, err := s.Pull(ct, nil)
	if errors.Is(err, backupcrypto.ErrAuth) {
		return nil, wrongPassword(enteEncName)
	}
	if err != nil {
		return nil, damaged(enteEncName, err.Error())
	}
	return plain, nil
}
