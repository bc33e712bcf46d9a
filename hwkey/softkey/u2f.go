package softkey

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// FIDO U2F raw message format (CTAP1) instructions and status words.
const (
	u2fRegister     = 0x01
	u2fAuthenticate = 0x02
	u2fVersion      = 0x03

	u2fCheckOnly      = 0x07
	u2fEnforcePresent = 0x03
	u2fDontEnforce    = 0x08

	swNoError                = 0x9000
	swConditionsNotSatisfied = 0x6985
	swWrongData              = 0x6A80
	swWrongLength            = 0x6700
	swClaNotSupported        = 0x6E00
	swInsNotSupported        = 0x6D00
	swWrongP1P2              = 0x6B00
)

// U2F processes one CTAP1 request APDU (short or extended length) and returns
// the response data followed by the two-byte status word.
func (k *Key) U2F(apdu []byte) []byte {
	return k.u2f(directOperation(), apdu)
}

func (k *Key) u2f(_ *operation, apdu []byte) []byte {
	if len(apdu) < 4 {
		return sw(nil, swWrongLength)
	}
	cla, ins, p1 := apdu[0], apdu[1], apdu[2]
	data, ok := apduData(apdu[4:])
	if !ok {
		return sw(nil, swWrongLength)
	}
	if cla != 0 {
		return sw(nil, swClaNotSupported)
	}
	switch ins {
	case u2fRegister:
		return k.u2fRegister(data)
	case u2fAuthenticate:
		return k.u2fAuthenticate(p1, data)
	case u2fVersion:
		if len(data) != 0 {
			return sw(nil, swWrongLength)
		}
		return sw([]byte("U2F_V2"), swNoError)
	}
	return sw(nil, swInsNotSupported)
}

// apduData returns the command data of an APDU body (what follows CLA INS P1
// P2), accepting the ISO 7816-4 short and extended encodings, with or
// without Le.
func apduData(body []byte) ([]byte, bool) {
	switch {
	case len(body) == 0: // case 1
		return nil, true
	case len(body) == 1: // case 2 short: Le only
		return nil, true
	case body[0] == 0 && len(body) >= 3: // extended
		lc := int(binary.BigEndian.Uint16(body[1:3]))
		rest := body[3:]
		switch {
		case len(rest) == 0: // case 2 extended: Le only
			return nil, true
		case len(rest) == lc, len(rest) == lc+2: // case 3/4 extended
			return rest[:lc], true
		}
		return nil, false
	default: // short Lc
		lc := int(body[0])
		rest := body[1:]
		if lc > 0 && (len(rest) == lc || len(rest) == lc+1) {
			return rest[:lc], true
		}
		return nil, false
	}
}

func sw(data []byte, status uint16) []byte {
	return binary.BigEndian.AppendUint16(data, status)
}

// u2fRegister answers U2F_REGISTER: challenge(32) ‖ application(32).
func (k *Key) u2fRegister(data []byte) []byte {
	if len(data) != 64 {
		return sw(nil, swWrongLength)
	}
	chal, app := data[:32], data[32:]
	if !k.u2fPresence("register " + k.appLabel(app)) {
		return sw(nil, swConditionsNotSatisfied)
	}
	priv, kh, err := k.newCredential(app, 0)
	if err != nil {
		return sw(nil, swWrongData)
	}
	pub := uncompressed(&priv.PublicKey)
	signed := make([]byte, 0, 1+32+32+len(kh)+65)
	signed = append(signed, 0x00)
	signed = append(signed, app...)
	signed = append(signed, chal...)
	signed = append(signed, kh...)
	signed = append(signed, pub...)
	sig, err := sign(k.attKey, signed)
	if err != nil {
		return sw(nil, swWrongData)
	}
	resp := make([]byte, 0, 1+65+1+len(kh)+len(k.attCert)+len(sig)+2)
	resp = append(resp, 0x05)
	resp = append(resp, pub...)
	resp = append(resp, byte(len(kh)))
	resp = append(resp, kh...)
	resp = append(resp, k.attCert...)
	resp = append(resp, sig...)
	return sw(resp, swNoError)
}

// u2fAuthenticate answers U2F_AUTHENTICATE: challenge(32) ‖ application(32) ‖
// L(1) ‖ key handle(L), with control byte p1.
func (k *Key) u2fAuthenticate(control byte, data []byte) []byte {
	if len(data) < 65 || len(data) != 65+int(data[64]) {
		return sw(nil, swWrongLength)
	}
	chal, app, kh := data[:32], data[32:64], data[65:]
	priv, ok := k.unwrap(kh, app)
	switch control {
	case u2fCheckOnly:
		if ok {
			return sw(nil, swConditionsNotSatisfied)
		}
		return sw(nil, swWrongData)
	case u2fEnforcePresent, u2fDontEnforce:
	default:
		return sw(nil, swWrongP1P2)
	}
	if !ok {
		return sw(nil, swWrongData)
	}
	var flags byte
	if control == u2fEnforcePresent {
		if !k.u2fPresence("authenticate " + k.appLabel(app)) {
			return sw(nil, swConditionsNotSatisfied)
		}
		flags = flagUP
	}
	counter := k.nextCounter()
	signed := make([]byte, 0, 32+1+4+32)
	signed = append(signed, app...)
	signed = append(signed, flags)
	signed = binary.BigEndian.AppendUint32(signed, counter)
	signed = append(signed, chal...)
	sig, err := sign(priv, signed)
	if err != nil {
		return sw(nil, swWrongData)
	}
	k.notifyChanged()
	resp := make([]byte, 0, 1+4+len(sig)+2)
	resp = append(resp, flags)
	resp = binary.BigEndian.AppendUint32(resp, counter)
	resp = append(resp, sig...)
	return sw(resp, swNoError)
}

// maxAppNames bounds the names remembered by NameApplication.
const maxAppNames = 256

// NameApplication tells the key an application (relying party) ID whose
// SHA-256 may arrive as a U2F application parameter, so that touch prompts
// say "register example.com" rather than "register u2f app 1a2b3c4d": U2F
// requests carry only the hash. The host side calls it before registering
// or authenticating; it changes nothing else.
func (k *Key) NameApplication(appID string) {
	h := sha256.Sum256([]byte(appID))
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.appNames == nil {
		k.appNames = make(map[[32]byte]string)
	}
	if len(k.appNames) >= maxAppNames {
		clear(k.appNames)
	}
	k.appNames[h] = appID
}

// appLabel names a U2F application for touch prompts.
func (k *Key) appLabel(app []byte) string {
	k.mu.Lock()
	name, ok := k.appNames[[32]byte(app)]
	k.mu.Unlock()
	if ok {
		return name
	}
	return "u2f app " + hex.EncodeToString(app[:4])
}

// nextCounter increments and returns the global signature counter.
func (k *Key) nextCounter() uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.counter++
	return k.counter
}

// sign returns an ASN.1 DER ECDSA signature over SHA-256(msg).
func sign(priv *ecdsa.PrivateKey, msg []byte) ([]byte, error) {
	h := sha256.Sum256(msg)
	return ecdsa.SignASN1(rand.Reader, priv, h[:])
}
