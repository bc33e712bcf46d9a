package softkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
)

// Credential IDs (and U2F key handles) are
//
//	version(1) ‖ nonce(12) ‖ AES-256-GCM(privateKey(32) ‖ credFlags(1)) ‖ tag(16)
//
// with additional data version ‖ rpIdHash, so a credential is only usable for
// the relying party (U2F application) it was created for.
const (
	credIDVersion = 0x01
	credIDLen     = 1 + 12 + 32 + 1 + 16
)

// CredentialIDLen is the length of the credential IDs (and U2F key handles)
// this key issues.
const CredentialIDLen = credIDLen

// Credential flags, sealed in the credential ID.
const (
	credHMACSecret byte = 1 << iota // created with the hmac-secret extension
	credResident                    // discoverable; user entity in the state
	// Bits 2-3 hold the credProtect level (0 for none, which acts as 1).
	credProtectShift = 2
	credProtectMask  = 3 << credProtectShift
)

// Credential protection levels (CTAP 2.1 §12.1, credProtect).
const (
	credProtectOptional         = 1 // userVerificationOptional
	credProtectOptionalWithList = 2 // userVerificationOptionalWithCredentialIDList
	credProtectRequired         = 3 // userVerificationRequired
)

// protectLevel returns the credProtect level sealed in credential flags.
func protectLevel(flags byte) int {
	if l := int(flags&credProtectMask) >> credProtectShift; l != 0 {
		return l
	}
	return credProtectOptional
}

// visible reports whether a credential of this protection level may be
// used: level 3 only with user verification, level 2 without it only when
// the platform named the credential in an allow list.
func visible(level int, uv, listed bool) bool {
	switch level {
	case credProtectRequired:
		return uv
	case credProtectOptionalWithList:
		return uv || listed
	}
	return true
}

// newCredential generates a credential key pair and its wrapped ID.
func (k *Key) newCredential(rpHash []byte, flags byte) (*ecdsa.PrivateKey, []byte, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("softkey: generate credential key: %w", err)
	}
	raw, err := priv.Bytes()
	if err != nil {
		return nil, nil, fmt.Errorf("softkey: encode credential key: %w", err)
	}
	id := make([]byte, 1+12, credIDLen)
	id[0] = credIDVersion
	if _, err := rand.Read(id[1:13]); err != nil {
		return nil, nil, fmt.Errorf("softkey: generate nonce: %w", err)
	}
	k.mu.Lock()
	aead := k.wrapAEAD
	k.mu.Unlock()
	id = aead.Seal(id, id[1:13], append(raw, flags), wrapAD(rpHash))
	return priv, id, nil
}

// unwrap returns the private key of a credential ID made by this key for
// rpHash; ok is false for any other input.
func (k *Key) unwrap(id, rpHash []byte) (*ecdsa.PrivateKey, bool) {
	priv, _, ok := k.unwrapFlags(id, rpHash)
	return priv, ok
}

// unwrapFlags is unwrap that also returns the credential flags.
func (k *Key) unwrapFlags(id, rpHash []byte) (*ecdsa.PrivateKey, byte, bool) {
	if len(id) != credIDLen || id[0] != credIDVersion {
		return nil, 0, false
	}
	k.mu.Lock()
	aead := k.wrapAEAD
	k.mu.Unlock()
	raw, err := aead.Open(nil, id[1:13], id[13:], wrapAD(rpHash))
	if err != nil || len(raw) != 33 {
		return nil, 0, false
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw[:32])
	if err != nil {
		return nil, 0, false
	}
	return priv, raw[32], true
}

func wrapAD(rpHash []byte) []byte {
	return append([]byte{credIDVersion}, rpHash...)
}

// uncompressed returns 0x04 ‖ x ‖ y.
func uncompressed(pub *ecdsa.PublicKey) []byte {
	b, err := pub.Bytes()
	if err != nil {
		// Only invalid keys fail; ours are generated on P-256.
		return make([]byte, 65)
	}
	return b
}
