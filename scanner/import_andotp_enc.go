package scanner

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
)

// andOTP encrypted backup (.json.aes). The current format is
// iterations (4 bytes, big-endian) ‖ salt (12) ‖ nonce (12) ‖ ciphertext ‖
// tag (16), keyed by PBKDF2-HMAC-SHA1(password, salt, iterations, 256
// bits); the old one (before andOTP 0.6.3) is nonce (12) ‖ ciphertext ‖
// tag keyed by SHA-256(password). Both are AES-256-GCM over the plain JSON
// backup.

const (
	andOTPSaltLen  = 12
	andOTPNonceLen = 12
	andOTPNewHead  = 4 + andOTPSaltLen + andOTPNonceLen
)

// andOTPIterations reads the iteration count of a new-format backup, if the
// data can be one.
func andOTPIterations(data []byte) (int, bool) {
	if len(data) < andOTPNewHead+16 {
		return 0, false
	}
	n := binary.BigEndian.Uint32(data)
	return int(n), n >= 1 && int64(n) <= int64(backupcrypto.MaxPBKDF2Iterations)
}

// andOTP picks its PBKDF2 iteration count from this range; detection
// (--format auto) relies on it, decryption accepts any count up to the cap.
const (
	andOTPMinIterations = 140_000
	andOTPMaxIterations = 160_000
)

// looksAndOTPEncrypted reports a binary file that starts like a current
// encrypted andOTP backup.
func looksAndOTPEncrypted(data []byte) bool {
	n, ok := andOTPIterations(data)
	return ok && n >= andOTPMinIterations && n <= andOTPMaxIterations
}

// decryptAndOTP returns the plain JSON of an encrypted andOTP backup,
// trying the current format and then the old one.
func decryptAndOTP(data, password []byte) ([]byte, error) {
	if password == nil {
		return nil, needPassword(andOTPEncName)
	}
	if len(data) < andOTPNonceLen+16 {
		return nil, damaged(andOTPEncName, "shorter than a nonce and a tag")
	}
	if iter, ok := andOTPIterations(data); ok {
		key, err := backupcrypto.PBKDF2(sha1.New, password, data[4:4+andOTPSaltLen], iter, 32)
		if err != nil {
			return nil, kdfError("andotp", err)
		}
		plain, err := backupcrypto.OpenGCM(key, data[4+andOTPSaltLen:andOTPNewHead], data[andOTPNewHead:], nil)
		if err == nil {
			return plain, nil
		}
	}
	key := sha256.Sum256(password)
	plain, err := backupcrypto.OpenGCM(key[:], data[:andOTPNonceLen], data[andOTPNonceLen:], nil)
	if errors.Is(err, backupcrypto.ErrAuth) {
		return nil, wrongPassword(andOTPEncName)
	}
	if err != nil {
		return nil, damaged(andOTPEncName, err.Error())
	}
	return plain, nil
}

// importAndOTPAny reads a plain (JSON) or encrypted andOTP backup.
func importAndOTPAny(data, password []byte) ([]entry, error) {
	if s := trimText(data); len(s) > 0 && s[0] == '[' && !isBinary(data) {
		return importAndOTP(jsonText(data))
	}
	plain, err := decryptAndOTP(data, password)
	if err != nil {
		return nil, err
	}
	return importAndOTP(plain)
}
