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
	"unicode/utf8"
)

// clientPIN subcommands (CTAP 2.0 §5.5).
const (
	pinGetRetries      = 0x01
	pinGetKeyAgreement = 0x02
	pinSetPIN          = 0x03
	pinChangePIN       = 0x04
	pinGetPINToken     = 0x05

	minPINRunes = 4
	maxPINBytes = 63
)

type clientPINReq struct {
	PinProtocol  *uint64  `cbor:"1,keyasint"`
	SubCommand   *uint64  `cbor:"2,keyasint"`
	KeyAgreement *coseKey `cbor:"3,keyasint"`
	PinAuth      []byte   `cbor:"4,keyasint"`
	NewPinEnc    []byte   `cbor:"5,keyasint"`
	PinHashEnc   []byte   `cbor:"6,keyasint"`
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
		return k.getPINToken(proto, &req)
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
	k.mu.Unlock()
	k.notifyChanged()
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
	k.mu.Unlock()
	k.notifyChanged()
	return []byte{statusOK}
}

func (k *Key) getPINToken(proto pinProtocol, req *clientPINReq) []byte {
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
	tok := bytes.Clone(k.pinToken)
	k.mu.Unlock()
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
	k.mu.Lock()
	k.pinRetries--
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

// checkPINAuth verifies pinAuth = authenticate(pinToken, msg) for
// makeCredential and getAssertion.
func (k *Key) checkPINAuth(pinAuth, msg []byte, protocol *uint64) byte {
	if protocol == nil {
		return errMissingParameter
	}
	proto, ok := parseProtocol(*protocol)
	if !ok {
		return errPINAuthInvalid
	}
	k.mu.Lock()
	tok := k.pinToken
	set := k.pinHash != nil
	k.mu.Unlock()
	if !set {
		return errPINNotSet
	}
	if !proto.verify(tok, pinAuth, msg) {
		return errPINAuthInvalid
	}
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
