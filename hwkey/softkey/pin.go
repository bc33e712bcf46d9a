package softkey

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"time"
	"unicode/utf8"
)

// clientPIN subcommands (CTAP 2.0 §5.5).
const (
	pinGetRetries      = 0x01
	pinGetKeyAgreement = 0x02
	pinSetPIN          = 0x03
	pinChangePIN       = 0x04
	pinGetPINToken     = 0x05
	// pinGetTokenWithPermissions is getPinUvAuthTokenUsingPinWithPermissions
	// (CTAP 2.1 §6.5.5.7.2).
	pinGetTokenWithPermissions = 0x09

	minPINRunes = 4
	maxPINBytes = 63
)

// pinUvAuthToken permissions (CTAP 2.1 §6.5.5.7).
const (
	permMakeCredential byte = 0x01
	permGetAssertion   byte = 0x02
	permCredMgmt       byte = 0x04
	permBioEnroll      byte = 0x08
	permLargeBlobWrite byte = 0x10
	permAuthnrConfig   byte = 0x20
	// permSupported are the permissions this key can grant.
	permSupported = permMakeCredential | permGetAssertion | permCredMgmt
)

// tokenGrant records how the last token was asked for (tests check which
// protocol and subcommand a platform used).
type tokenGrant struct {
	proto      pinProtocol
	subcommand uint64
	perms      byte
}

// pinUvToken is the pinUvAuthToken and its state (CTAP 2.1 §6.5.2.1):
// a fresh random value on every grant, the permissions and the RP ID it
// was granted for, and when it was issued (it expires pinTokenLifetime
// later).
type pinUvToken struct {
	value   []byte
	inUse   bool
	perms   byte
	rpID    string
	hasRPID bool
	issued  time.Time
}

// resetTokenLocked invalidates the pinUvAuthToken with a new random value
// (resetPinUvAuthToken); k.mu held.
func (k *Key) resetTokenLocked() error {
	v := make([]byte, 32)
	if _, err := rand.Read(v); err != nil {
		return fmt.Errorf("softkey: generate pin token: %w", err)
	}
	k.token = pinUvToken{value: v}
	return nil
}

// grantToken renews the token and starts its use with perms, bound to
// rpID when hasRPID, and returns its value.
func (k *Key) grantToken(perms byte, rpID string, hasRPID bool) ([]byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.resetTokenLocked(); err != nil {
		return nil, false
	}
	k.token.inUse, k.token.perms, k.token.rpID, k.token.hasRPID = true, perms, rpID, hasRPID
	k.token.issued = k.now()
	return bytes.Clone(k.token.value), true
}

// verifyTokenLocked checks a pinUvAuthParam made with the token over msg,
// and that the token is in use, not expired and holds perm; k.mu held.
func (k *Key) verifyTokenLocked(proto pinProtocol, pinAuth []byte, perm byte, msg ...[]byte) byte {
	t := &k.token
	if !proto.verify(t.value, pinAuth, msg...) {
		return errPINAuthInvalid
	}
	if !t.inUse || k.now().Sub(t.issued) > pinTokenLifetime {
		t.inUse = false
		return errPINAuthInvalid
	}
	if t.perms&perm == 0 {
		return errPINAuthInvalid
	}
	return statusOK
}

type clientPINReq struct {
	PinProtocol  *uint64  `cbor:"1,keyasint"`
	SubCommand   *uint64  `cbor:"2,keyasint"`
	KeyAgreement *coseKey `cbor:"3,keyasint"`
	PinAuth      []byte   `cbor:"4,keyasint"`
	NewPinEnc    []byte   `cbor:"5,keyasint"`
	PinHashEnc   []byte   `cbor:"6,keyasint"`
	Permissions  *uint64  `cbor:"9,keyasint"`
	RPID         *string  `cbor:"10,keyasint"`
}

type clientPINResp struct {
	KeyAgreement *coseKey `cbor:"1,keyasint,omitempty"`
	PinToken     []byte   `cbor:"2,keyasint,omitempty"`
	Retries      *int     `cbor:"3,keyasint,omitempty"`
}

// clientPIN implements authenticatorClientPIN with PIN/UV auth protocols
// 1 and 2.
func (k *Key) clientPIN(data []byte) []byte {
	var req clientPINReq
	if err := decMode.Unmarshal(data, &req); err != nil {
		return []byte{cborStatus(err)}
	}
	if req.PinProtocol == nil || req.SubCommand == nil {
		return []byte{errMissingParameter}
	}
	proto, ok := parseProtocol(*req.PinProtocol)
	if !ok {
		return []byte{errInvalidParameter}
	}
	switch *req.SubCommand {
	case pinGetRetries:
		k.mu.Lock()
		n := k.pinRetries
		k.mu.Unlock()
		return reply(clientPINResp{Retries: &n})
	case pinGetKeyAgreement:
		k.mu.Lock()
		pub := k.keyAgreement.PublicKey().Bytes()
		k.mu.Unlock()
		ck := coseFromUncompressed(pub, coseECDHESHKDF256)
		return reply(clientPINResp{KeyAgreement: &ck})
	case pinSetPIN:
		return k.setPIN(proto, &req)
	case pinChangePIN:
		return k.changePIN(proto, &req)
	case pinGetPINToken:
		// CTAP 2.0's token gets the default permissions, mc and ga.
		return k.getPINToken(proto, &req, permMakeCredential|permGetAssertion, nil)
	case pinGetTokenWithPermissions:
		if req.Permissions == nil {
			return []byte{errMissingParameter}
		}
		perms := *req.Permissions
		if perms == 0 || perms > 0xff {
			return []byte{errInvalidParameter}
		}
		if byte(perms)&^permSupported != 0 {
			return []byte{errUnauthorizedPermission}
		}
		return k.getPINToken(proto, &req, byte(perms), req.RPID)
	}
	return []byte{errInvalidParameter}
}

func (k *Key) setPIN(proto pinProtocol, req *clientPINReq) []byte {
	if req.KeyAgreement == nil || req.PinAuth == nil || req.NewPinEnc == nil {
		return []byte{errMissingParameter}
	}
	shared, st := k.sharedSecret(proto, req.KeyAgreement)
	if st != statusOK {
		return []byte{st}
	}
	k.mu.Lock()
	set := k.pinHash != nil
	k.mu.Unlock()
	if set {
		return []byte{errPINAuthInvalid}
	}
	if !proto.verify(shared, req.PinAuth, req.NewPinEnc) {
		return []byte{errPINAuthInvalid}
	}
	hash, st := decryptNewPIN(proto, shared, req.NewPinEnc)
	if st != statusOK {
		return []byte{st}
	}
	k.mu.Lock()
	k.pinHash = hash
	k.pinRetries = maxPINRetries
	err := k.resetTokenLocked()
	k.mu.Unlock()
	k.notifyChanged()
	if err != nil {
		return []byte{errOther}
	}
	return []byte{statusOK}
}

func (k *Key) changePIN(proto pinProtocol, req *clientPINReq) []byte {
	if req.KeyAgreement == nil || req.PinAuth == nil || req.NewPinEnc == nil || req.PinHashEnc == nil {
		return []byte{errMissingParameter}
	}
	k.mu.Lock()
	set := k.pinHash != nil
	k.mu.Unlock()
	if !set {
		return []byte{errPINNotSet}
	}
	if st := k.pinAttemptAllowed(); st != statusOK {
		return []byte{st}
	}
	shared, st := k.sharedSecret(proto, req.KeyAgreement)
	if st != statusOK {
		return []byte{st}
	}
	if !proto.verify(shared, req.PinAuth, req.NewPinEnc, req.PinHashEnc) {
		return []byte{errPINAuthInvalid}
	}
	if st := k.checkPINHash(proto, shared, req.PinHashEnc); st != statusOK {
		return []byte{st}
	}
	hash, st := decryptNewPIN(proto, shared, req.NewPinEnc)
	if st != statusOK {
		return []byte{st}
	}
	k.mu.Lock()
	k.pinHash = hash
	err := k.resetTokenLocked()
	k.mu.Unlock()
	k.notifyChanged()
	if err != nil {
		return []byte{errOther}
	}
	return []byte{statusOK}
}

func (k *Key) getPINToken(proto pinProtocol, req *clientPINReq, perms byte, rpID *string) []byte {
	if req.KeyAgreement == nil || req.PinHashEnc == nil {
		return []byte{errMissingParameter}
	}
	k.mu.Lock()
	set := k.pinHash != nil
	k.mu.Unlock()
	if !set {
		return []byte{errPINNotSet}
	}
	if st := k.pinAttemptAllowed(); st != statusOK {
		return []byte{st}
	}
	shared, st := k.sharedSecret(proto, req.KeyAgreement)
	if st != statusOK {
		return []byte{st}
	}
	if st := k.checkPINHash(proto, shared, req.PinHashEnc); st != statusOK {
		return []byte{st}
	}
	k.mu.Lock()
	k.lastGrant = tokenGrant{proto: proto, subcommand: *req.SubCommand, perms: perms}
	k.mu.Unlock()
	tok, ok := k.grantToken(perms, derefString(rpID), rpID != nil)
	if !ok {
		return []byte{errOther}
	}
	enc, ok := proto.encrypt(shared, tok)
	if !ok {
		return []byte{errOther}
	}
	return reply(clientPINResp{PinToken: enc})
}

// pinAttemptAllowed refuses PIN attempts once the PIN is blocked (no retries
// left) or PIN auth is blocked until the next power cycle.
func (k *Key) pinAttemptAllowed() byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pinRetries <= 0 {
		return errPINBlocked
	}
	if k.pinBadInARow >= maxConsecutiveBad {
		return errPINAuthBlocked
	}
	return statusOK
}

// checkPINHash decrypts pinHashEnc and compares it with the stored PIN hash,
// maintaining the retry counters as CTAP 2.0 §5.5.5 describes.
func (k *Key) checkPINHash(proto pinProtocol, shared, pinHashEnc []byte) byte {
	got, ok := proto.decrypt(shared, pinHashEnc)
	if !ok || len(got) != 16 {
		return errInvalidParameter
	}
	// The attempt is counted, and saved, before the PIN is compared: a
	// process killed in between has used the attempt up.
	k.mu.Lock()
	k.pinRetries--
	k.mu.Unlock()
	if k.persist != nil {
		if err := k.persist(); err != nil {
			return errOther
		}
	}
	if testHookBeforePINCompare != nil {
		testHookBeforePINCompare()
	}
	k.mu.Lock()
	if subtle.ConstantTimeCompare(got, k.pinHash) == 1 {
		k.pinRetries = maxPINRetries
		k.pinBadInARow = 0
		k.mu.Unlock()
		k.notifyChanged()
		return statusOK
	}
	k.pinBadInARow++
	retries, inARow := k.pinRetries, k.pinBadInARow
	k.mu.Unlock()
	k.notifyChanged()
	// A wrong PIN renews the key agreement key.
	if ka, err := ecdh.P256().GenerateKey(rand.Reader); err == nil {
		k.mu.Lock()
		k.keyAgreement = ka
		k.mu.Unlock()
	}
	switch {
	case retries <= 0:
		return errPINBlocked
	case inARow >= maxConsecutiveBad:
		return errPINAuthBlocked
	}
	return errPINInvalid
}

// testHookBeforePINCompare, when set by a test, runs after a PIN attempt
// was counted and persisted and before the PIN is compared: where a
// killed process would stop.
var testHookBeforePINCompare func()

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// checkPINAuth verifies pinAuth = authenticate(pinUvAuthToken, msg) for
// makeCredential (perm mc) and getAssertion (perm ga): the token must be
// current, hold the permission and be bound to rpID or to no RP ID, in
// which case it is bound to rpID now (CTAP 2.1 §6.1.2 step 11, §6.2.2).
func (k *Key) checkPINAuth(pinAuth, msg []byte, protocol *uint64, perm byte, rpID string) byte {
	if protocol == nil {
		return errMissingParameter
	}
	proto, ok := parseProtocol(*protocol)
	if !ok {
		return errPINAuthInvalid
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pinHash == nil {
		return errPINNotSet
	}
	if st := k.verifyTokenLocked(proto, pinAuth, perm, msg); st != statusOK {
		return st
	}
	t := &k.token
	if t.hasRPID && t.rpID != rpID {
		return errPINAuthInvalid
	}
	t.rpID, t.hasRPID = rpID, true
	return statusOK
}

// sharedSecret runs ECDH with the platform's key agreement key and derives
// the shared secret from the shared point's x coordinate.
func (k *Key) sharedSecret(proto pinProtocol, platform *coseKey) ([]byte, byte) {
	if platform.Kty != coseKtyEC2 || platform.Crv != coseCrvP256 || len(platform.X) != 32 || len(platform.Y) != 32 {
		return nil, errInvalidParameter
	}
	pub, err := ecdh.P256().NewPublicKey(append(append([]byte{0x04}, platform.X...), platform.Y...))
	if err != nil {
		return nil, errInvalidParameter
	}
	k.mu.Lock()
	priv := k.keyAgreement
	k.mu.Unlock()
	z, err := priv.ECDH(pub)
	if err != nil {
		return nil, errInvalidParameter
	}
	shared, ok := proto.kdf(z)
	if !ok {
		return nil, errOther
	}
	return shared, statusOK
}

// pinProtocol is a PIN/UV auth protocol: 1 (CTAP 2.0 §5.5) or 2 (CTAP 2.1
// §6.5.7).
type pinProtocol int

func parseProtocol(v uint64) (pinProtocol, bool) {
	switch v {
	case 1, 2:
		return pinProtocol(v), true
	}
	return 0, false
}

// kdf derives the shared secret from the ECDH x coordinate: SHA-256(Z) for
// protocol 1; HKDF-SHA-256 HMAC key ‖ AES key for protocol 2.
func (p pinProtocol) kdf(z []byte) ([]byte, bool) {
	if p == 1 {
		s := sha256.Sum256(z)
		return s[:], true
	}
	salt := make([]byte, 32)
	hmacKey, err1 := hkdf.Key(sha256.New, z, salt, "CTAP2 HMAC key", 32)
	aesKey, err2 := hkdf.Key(sha256.New, z, salt, "CTAP2 AES key", 32)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return append(hmacKey, aesKey...), true
}

// encrypt is AES-256-CBC: with a zero IV for protocol 1; with a random IV,
// prepended, under the AES half of the shared secret for protocol 2.
func (p pinProtocol) encrypt(shared, plain []byte) ([]byte, bool) {
	if p == 1 {
		return aesCBC(true, shared, plain)
	}
	if len(shared) != 64 || len(plain)%aes.BlockSize != 0 {
		return nil, false
	}
	block, err := aes.NewCipher(shared[32:])
	if err != nil {
		return nil, false
	}
	out := make([]byte, aes.BlockSize+len(plain))
	if _, err := rand.Read(out[:aes.BlockSize]); err != nil {
		return nil, false
	}
	cipher.NewCBCEncrypter(block, out[:aes.BlockSize]).CryptBlocks(out[aes.BlockSize:], plain)
	return out, true
}

// decrypt reverses encrypt; ok is false for input that is not whole blocks.
func (p pinProtocol) decrypt(shared, ct []byte) ([]byte, bool) {
	if p == 1 {
		return aesCBC(false, shared, ct)
	}
	if len(shared) != 64 || len(ct) < aes.BlockSize || len(ct)%aes.BlockSize != 0 {
		return nil, false
	}
	block, err := aes.NewCipher(shared[32:])
	if err != nil {
		return nil, false
	}
	out := make([]byte, len(ct)-aes.BlockSize)
	cipher.NewCBCDecrypter(block, ct[:aes.BlockSize]).CryptBlocks(out, ct[aes.BlockSize:])
	return out, true
}

// authenticate is LEFT(HMAC-SHA-256(key, msg), 16) for protocol 1 and the
// full HMAC-SHA-256 under the first 32 bytes of key for protocol 2.
func (p pinProtocol) authenticate(key []byte, msg ...[]byte) []byte {
	if p == 1 {
		return pinAuthOf(key, msg...)
	}
	m := hmac.New(sha256.New, key[:min(len(key), 32)])
	for _, b := range msg {
		m.Write(b)
	}
	return m.Sum(nil)
}

// verify checks a pinUvAuthParam in constant time.
func (p pinProtocol) verify(key, sig []byte, msg ...[]byte) bool {
	want := p.authenticate(key, msg...)
	return len(sig) == len(want) && hmac.Equal(sig, want)
}

// pinAuthOf is LEFT(HMAC-SHA-256(key, msg), 16), protocol 1's authenticate.
func pinAuthOf(key []byte, msg ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, b := range msg {
		m.Write(b)
	}
	return m.Sum(nil)[:16]
}

// decryptNewPIN decrypts a padded new PIN and returns LEFT(SHA-256(PIN), 16),
// enforcing the PIN policy (4 to 63 bytes, at least 4 code points).
func decryptNewPIN(proto pinProtocol, shared, newPinEnc []byte) ([]byte, byte) {
	padded, ok := proto.decrypt(shared, newPinEnc)
	if !ok || len(padded) < 64 {
		return nil, errInvalidParameter
	}
	if len(padded) > 64 {
		return nil, errPINPolicyViolation
	}
	pin := padded
	if i := bytes.IndexByte(padded, 0); i >= 0 {
		pin = padded[:i]
	}
	if len(pin) > maxPINBytes || !utf8.Valid(pin) || utf8.RuneCount(pin) < minPINRunes {
		return nil, errPINPolicyViolation
	}
	h := sha256.Sum256(pin)
	return h[:16], statusOK
}

// aesCBC encrypts or decrypts with AES-256-CBC and an all-zero IV (PIN
// protocol 1). ok is false when the input is not whole blocks.
func aesCBC(encrypt bool, key, in []byte) ([]byte, bool) {
	if len(in)%aes.BlockSize != 0 {
		return nil, false
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	iv := make([]byte, aes.BlockSize)
	out := make([]byte, len(in))
	if encrypt {
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, in)
	} else {
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, in)
	}
	return out, true
}
