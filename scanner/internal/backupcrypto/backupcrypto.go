// Package backupcrypto holds the cryptography the encrypted backup formats
// of other authenticators share: password-based key derivation with bounded
// parameters, AES-GCM, AES-CBC with PKCS#7 padding and HKDF. Parameters read
// from a file are hostile input: every KDF refuses parameters beyond the
// caps below, before doing any work, with an error that states the cap.
package backupcrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/pbkdf2"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/scrypt"
)

// Caps on the KDF parameters a backup file may ask for. They are far above
// what the apps write (Aegis scrypt N=2^15 r=8 p=1; Bitwarden at most 10
// Argon2 iterations of 1 GiB with 16 threads and PBKDF2 up to 2,000,000
// rounds in practice) and bound the work a crafted file can make vmfa do.
// They are variables only so that fuzz tests can lower them.
var (
	MaxPBKDF2Iterations = 10_000_000
	MaxScryptMemory     = 1 << 30 // bytes: 128·N·r
	MaxScryptP          = 16
	MaxArgon2MemoryKiB  = 1 << 20 // 1 GiB
	MaxArgon2Time       = 20
	MaxArgon2Threads    = 16
)

var (
	// ErrLimit: KDF parameters outside the caps (or nonsensical, like zero
	// iterations). The error says which limit.
	ErrLimit = errors.New("key derivation parameters out of range")
	// ErrAuth: an authenticated decryption failed (the key, hence the
	// password, is wrong, or the data was altered).
	ErrAuth = errors.New("decryption failed (wrong key or damaged data)")
	// ErrData: ciphertext that cannot be decrypted at all (too short, not a
	// whole number of blocks, bad nonce size).
	ErrData = errors.New("malformed ciphertext")
)

// PBKDF2 derives keyLen bytes from password with PBKDF2-HMAC over h.
// Iterations must be 1 to MaxPBKDF2Iterations.
func PBKDF2(h func() hash.Hash, password, salt []byte, iterations, keyLen int) ([]byte, error) {
	if iterations < 1 || iterations > MaxPBKDF2Iterations {
		return nil, fmt.Errorf("%w: pbkdf2 iterations must be 1 to %d (the file asks for %d)", ErrLimit, MaxPBKDF2Iterations, iterations)
	}
	return pbkdf2.Key(h, string(password), salt, iterations, keyLen)
}

// Scrypt derives a 32-byte key. N must be a power of two above 1; the
// memory 128·N·r at most MaxScryptMemory; p from 1 to MaxScryptP.
func Scrypt(password, salt []byte, n, r, p int) ([]byte, error) {
	switch {
	case n < 2 || n&(n-1) != 0 || r < 1 || p < 1:
		return nil, fmt.Errorf("%w: scrypt needs N a power of 2 above 1 and r, p at least 1 (the file has N=%d r=%d p=%d)", ErrLimit, n, r, p)
	case p > MaxScryptP || n > MaxScryptMemory/128/r:
		return nil, fmt.Errorf("%w: scrypt memory 128·N·r must be at most %d MiB and p at most %d (the file has N=%d r=%d p=%d)", ErrLimit, MaxScryptMemory>>20, MaxScryptP, n, r, p)
	}
	return scrypt.Key(password, salt, n, r, p, 32)
}

// Argon2id derives keyLen bytes. memoryKiB at most MaxArgon2MemoryKiB,
// time 1 to MaxArgon2Time, threads 1 to MaxArgon2Threads.
func Argon2id(password, salt []byte, time, memoryKiB, threads, keyLen int) ([]byte, error) {
	switch {
	case time < 1 || time > MaxArgon2Time:
		return nil, fmt.Errorf("%w: argon2 iterations must be 1 to %d (the file asks for %d)", ErrLimit, MaxArgon2Time, time)
	case memoryKiB < 8 || memoryKiB > MaxArgon2MemoryKiB:
		return nil, fmt.Errorf("%w: argon2 memory must be 8 KiB to %d MiB (the file asks for %d KiB)", ErrLimit, MaxArgon2MemoryKiB>>10, memoryKiB)
	case threads < 1 || threads > MaxArgon2Threads:
		return nil, fmt.Errorf("%w: argon2 parallelism must be 1 to %d (the file asks for %d)", ErrLimit, MaxArgon2Threads, threads)
	case len(salt) < 8:
		return nil, fmt.Errorf("%w: argon2 salt must be at least 8 bytes", ErrLimit)
	}
	return argon2.IDKey(password, salt, uint32(time), uint32(memoryKiB), uint8(threads), uint32(keyLen)), nil
}

// HKDFExpand is HKDF-Expand over h with prk as the pseudorandom key.
func HKDFExpand(h func() hash.Hash, prk []byte, info string, keyLen int) []byte {
	k, err := hkdf.Expand(h, prk, info, keyLen)
	if err != nil {
		panic("backupcrypto: hkdf: " + err.Error()) // only for keyLen > 255·hash size
	}
	return k
}

func gcm(key []byte, nonceSize int) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrData, err)
	}
	if nonceSize < 1 || nonceSize > 64 {
		return nil, fmt.Errorf("%w: bad gcm nonce size %d", ErrData, nonceSize)
	}
	if nonceSize == 12 {
		return cipher.NewGCM(b)
	}
	return cipher.NewGCMWithNonceSize(b, nonceSize)
}

// OpenGCM decrypts and authenticates AES-GCM ciphertext (with its 16-byte
// tag at the end).
func OpenGCM(key, nonce, sealed, aad []byte) ([]byte, error) {
	a, err := gcm(key, len(nonce))
	if err != nil {
		return nil, err
	}
	if len(sealed) < a.Overhead() {
		return nil, fmt.Errorf("%w: shorter than the gcm tag", ErrData)
	}
	out, err := a.Open(nil, nonce, sealed, aad)
	if err != nil {
		return nil, ErrAuth
	}
	return out, nil
}

// SealGCM encrypts with AES-GCM, the tag appended.
func SealGCM(key, nonce, plain, aad []byte) ([]byte, error) {
	a, err := gcm(key, len(nonce))
	if err != nil {
		return nil, err
	}
	return a.Seal(nil, nonce, plain, aad), nil
}

// DecryptCBC decrypts AES-CBC and removes PKCS#7 padding. Padding that is
// wrong (the usual sign of a wrong key when nothing authenticates the data)
// is ErrAuth. The check does not depend on where the padding is wrong.
func DecryptCBC(key, iv, ct []byte) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrData, err)
	}
	if len(iv) != aes.BlockSize || len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: aes-cbc data must be whole 16-byte blocks after a 16-byte iv", ErrData)
	}
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, ct)
	n := int(out[len(out)-1])
	good := subtle.ConstantTimeLessOrEq(1, n) & subtle.ConstantTimeLessOrEq(n, aes.BlockSize)
	for i := 1; i <= aes.BlockSize; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, n)
		same := subtle.ConstantTimeByteEq(out[len(out)-i], byte(n))
		good &= subtle.ConstantTimeSelect(inPad, same, 1)
	}
	if good != 1 {
		return nil, ErrAuth
	}
	return out[:len(out)-n], nil
}

// EncryptCBC pads with PKCS#7 and encrypts with AES-CBC (tests and
// exports).
func EncryptCBC(key, iv, plain []byte) ([]byte, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("%w: iv must be 16 bytes", ErrData)
	}
	n := aes.BlockSize - len(plain)%aes.BlockSize
	buf := append(append([]byte(nil), plain...), make([]byte, n)...)
	for i := len(plain); i < len(buf); i++ {
		buf[i] = byte(n)
	}
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(buf, buf)
	return buf, nil
}
