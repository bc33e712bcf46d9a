package scanner

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/vault"
)

// PSKC (RFC 6030) key containers, as hardware OATH token vendors ship
// them. Supported: HOTP and TOTP keys; secrets as PlainValue or as
// EncryptedValue under AES-CBC (128, 192 or 256 bits) with a pre-shared key
// (<ds:KeyName>) or a PBKDF2-derived key (<xenc11:DerivedKey>), each
// encrypted value checked against its ValueMAC (HMAC-SHA1/224/256/384/512
// over IV‖ciphertext, keyed with the container's encrypted MACKey) before
// it is decrypted. Digits come from ResponseFormat/@Length, the time step
// from Data/TimeInterval, the hash from AlgorithmParameters/Suite, the
// serial from DeviceInfo/SerialNo.

// PSKCKey is what unlocks an encrypted PSKC file; both fields may be empty
// for a plain one.
type PSKCKey struct {
	// PreShared is the AES key (16, 24 or 32 bytes) a file names with
	// <ds:KeyName>.
	PreShared []byte
	// Passphrase is the password of a file whose key is derived with
	// PBKDF2.
	Passphrase []byte
}

// maxPSKCBytes bounds a PSKC file.
const maxPSKCBytes = 32 << 20

// maxPBKDF2Iterations bounds the work a file can ask for.
const maxPBKDF2Iterations = 10_000_000

type pskcEncrypted struct {
	Method struct {
		Algorithm string `xml:"Algorithm,attr"`
	} `xml:"EncryptionMethod"`
	CipherValue string `xml:"CipherData>CipherValue"`
}

type pskcValue struct {
	PlainValue     *string        `xml:"PlainValue"`
	EncryptedValue *pskcEncrypted `xml:"EncryptedValue"`
	ValueMAC       string         `xml:"ValueMAC"`
}

type pskcKeyElem struct {
	ID           string `xml:"Id,attr"`
	Algorithm    string `xml:"Algorithm,attr"`
	Issuer       string `xml:"Issuer"`
	FriendlyName string `xml:"FriendlyName"`
	UserID       string `xml:"UserId"`
	Params       struct {
		Suite          string `xml:"Suite"`
		ResponseFormat *struct {
			Length   string `xml:"Length,attr"`
			Encoding string `xml:"Encoding,attr"`
		} `xml:"ResponseFormat"`
		TimeInterval string `xml:"TimeInterval"`
	} `xml:"AlgorithmParameters"`
	Data struct {
		Secret       *pskcValue `xml:"Secret"`
		Counter      *pskcValue `xml:"Counter"`
		TimeInterval *pskcValue `xml:"TimeInterval"`
	} `xml:"Data"`
}

type pskcPackage struct {
	Device struct {
		Manufacturer string `xml:"Manufacturer"`
		SerialNo     string `xml:"SerialNo"`
		Model        string `xml:"Model"`
		UserID       string `xml:"UserId"`
	} `xml:"DeviceInfo"`
	Keys []pskcKeyElem `xml:"Key"`
}

type pskcContainer struct {
	XMLName       xml.Name
	Version       string `xml:"Version,attr"`
	EncryptionKey *struct {
		KeyName    string `xml:"KeyName"`
		DerivedKey *struct {
			Method struct {
				Algorithm string `xml:"Algorithm,attr"`
				Params    struct {
					Salt       string `xml:"Salt>Specified"`
					Iterations string `xml:"IterationCount"`
					KeyLength  string `xml:"KeyLength"`
					PRF        struct {
						Algorithm string `xml:"Algorithm,attr"`
					} `xml:"PRF"`
				} `xml:"PBKDF2-params"`
			} `xml:"KeyDerivationMethod"`
			MasterKeyName string `xml:"MasterKeyName"`
		} `xml:"DerivedKey"`
	} `xml:"EncryptionKey"`
	MACMethod *struct {
		Algorithm string         `xml:"Algorithm,attr"`
		MACKey    *pskcEncrypted `xml:"MACKey"`
	} `xml:"MACMethod"`
	Packages []pskcPackage `xml:"KeyPackage"`
}

// ParsePSKC reads an RFC 6030 key container. key unlocks encrypted values
// (leave it zero for a plain file). It is all or nothing: a bad key is an
// error naming it.
func ParsePSKC(r io.Reader, key PSKCKey) ([]vault.Account, error) {
	entries, err := parsePSKC(r, key)
	if err != nil {
		return nil, err
	}
	return firstError(entries)
}

// ParsePSKCKeys is ParsePSKC that also returns the keys it skipped
// because vmfa does not implement their algorithm (PIN, OCRA, YubiKey AES,
// RSA key transport…), each named with why; the other keys are returned.
// A file with no supported key at all is an error naming the first skipped.
func ParsePSKCKeys(r io.Reader, key PSKCKey) ([]vault.Account, []Invalid, error) {
	entries, err := parsePSKC(r, key)
	if err != nil {
		return nil, nil, err
	}
	var skipped []Invalid
	for _, e := range entries {
		if e.skip {
			skipped = append(skipped, Invalid{Entry: e.where, Err: e.err})
		}
	}
	accs, err := firstError(entries)
	if err != nil {
		return nil, skipped, err
	}
	return accs, skipped, nil
}

func parsePSKC(r io.Reader, key PSKCKey) ([]entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPSKCBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPSKCBytes {
		return nil, fmt.Errorf("%w: the file is over %d MiB", ErrPSKC, maxPSKCBytes>>20)
	}
	var c pskcContainer
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "us-ascii") {
			return input, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", charset)
	}
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: not valid xml (%v)", ErrPSKC, err)
	}
	if c.XMLName.Local != "KeyContainer" {
		return nil, fmt.Errorf("%w: the root element is <%s>, not <KeyContainer>", ErrPSKC, c.XMLName.Local)
	}
	if c.Version != "" && c.Version != "1.0" && c.Version != "1" {
		return nil, fmt.Errorf("%w: unsupported version %q", ErrPSKC, textutil.Clip(c.Version))
	}
	p := &pskcCrypto{c: &c, key: key}
	var entries []entry
	now := time.Now()
	n := 0
	for _, pkg := range c.Packages {
		for _, k := range pkg.Keys {
			n++
			e := entry{where: fmt.Sprintf("key %d", n)}
			if s := firstNonEmpty(pkg.Device.SerialNo); s != "" {
				e.where += " (serial " + textutil.Clip(s) + ")"
			}
			e.acc, e.err = p.account(&pkg, &k, now)
			var u *unsupportedKey
			e.skip = errors.As(e.err, &u)
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// pskcCrypto holds the container's keys, derived once on first use.
type pskcCrypto struct {
	c      *pskcContainer
	key    PSKCKey
	encKey []byte
	macKey []byte
	macNew func() hash.Hash
	phrase bool // encKey comes from a passphrase
	err    error
	ready  bool
}

func (p *pskcCrypto) setup() error {
	if p.ready {
		return p.err
	}
	p.ready = true
	p.err = p.derive()
	return p.err
}

func (p *pskcCrypto) derive() error {
	ek := p.c.EncryptionKey
	switch {
	case ek == nil:
		return fmt.Errorf("%w: an encrypted value but no <EncryptionKey>", ErrPSKC)
	case ek.DerivedKey != nil:
		dk := ek.DerivedKey
		if !strings.HasSuffix(dk.Method.Algorithm, "#pbkdf2") {
			return fmt.Errorf("%w: unsupported key derivation %q", ErrPSKC, uriName(dk.Method.Algorithm))
		}
		if len(p.key.Passphrase) == 0 {
			name := ""
			if dk.MasterKeyName != "" {
				name = fmt.Sprintf(" (%q)", textutil.Clip(strings.TrimSpace(dk.MasterKeyName)))
			}
			return fmt.Errorf("%w: %w%s", ErrPSKCKey, ErrPSKCPassphrase, name)
		}
		pr := dk.Method.Params
		salt, err := base64.StdEncoding.DecodeString(strings.TrimSpace(pr.Salt))
		if err != nil || len(salt) == 0 {
			return fmt.Errorf("%w: bad pbkdf2 salt", ErrPSKC)
		}
		iter, err := strconv.Atoi(strings.TrimSpace(pr.Iterations))
		if err != nil || iter < 1 || iter > maxPBKDF2Iterations {
			return fmt.Errorf("%w: bad pbkdf2 iteration count", ErrPSKC)
		}
		klen := 16
		if s := strings.TrimSpace(pr.KeyLength); s != "" {
			if klen, err = strconv.Atoi(s); err != nil || (klen != 16 && klen != 24 && klen != 32) {
				return fmt.Errorf("%w: bad pbkdf2 key length", ErrPSKC)
			}
		}
		prf := sha1.New
		if a := pr.PRF.Algorithm; a != "" {
			if prf = hmacHash(a); prf == nil {
				return fmt.Errorf("%w: unsupported pbkdf2 prf %q", ErrPSKC, uriName(a))
			}
		}
		p.encKey, err = pbkdf2.Key(prf, string(p.key.Passphrase), salt, iter, klen)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrPSKC, err)
		}
		p.phrase = true
	default:
		if len(p.key.PreShared) == 0 {
			if name := strings.TrimSpace(ek.KeyName); name != "" {
				return fmt.Errorf("%w: %w %q", ErrPSKCKey, ErrPSKCPreShared, textutil.Clip(name))
			}
			return fmt.Errorf("%w: %w", ErrPSKCKey, ErrPSKCPreShared)
		}
		switch len(p.key.PreShared) {
		case 16, 24, 32:
		default:
			return fmt.Errorf("%w: a pre-shared aes key is 16, 24 or 32 bytes, not %d", ErrPSKCKey, len(p.key.PreShared))
		}
		p.encKey = p.key.PreShared
	}
	if m := p.c.MACMethod; m != nil {
		if p.macNew = hmacHash(m.Algorithm); p.macNew == nil {
			return fmt.Errorf("%w: unsupported mac algorithm %q", ErrPSKC, uriName(m.Algorithm))
		}
		if m.MACKey == nil {
			return fmt.Errorf("%w: <MACMethod> has no <MACKey>", ErrPSKC)
		}
		k, err := p.decrypt(m.MACKey)
		if errors.Is(err, errPadding) {
			// The MAC key does not decrypt: the first check of the key
			// fails.
			if p.phrase {
				return ErrPSKCWrongPassphrase
			}
			return ErrPSKCWrongKey
		}
		if err != nil {
			return err
		}
		if len(k) == 0 {
			return fmt.Errorf("%w: the mac key is empty", ErrPSKC)
		}
		p.macKey = k
	}
	return nil
}

// hmacHash maps an xmldsig HMAC algorithm URI to its hash.
func hmacHash(uri string) func() hash.Hash {
	_, frag, _ := strings.Cut(strings.TrimSpace(uri), "#")
	switch strings.ToLower(frag) {
	case "hmac-sha1":
		return sha1.New
	case "hmac-sha224":
		return sha256.New224
	case "hmac-sha256":
		return sha256.New
	case "hmac-sha384":
		return sha512.New384
	case "hmac-sha512":
		return sha512.New
	}
	return nil
}

// rawCipher returns IV‖ciphertext of an encrypted value after checking the
// method.
func rawCipher(ev *pskcEncrypted, keyLen int) ([]byte, error) {
	alg := ev.Method.Algorithm
	want := map[int]string{16: "aes128-cbc", 24: "aes192-cbc", 32: "aes256-cbc"}[keyLen]
	if !strings.HasSuffix(alg, "#"+want) {
		if strings.Contains(alg, "-cbc") || strings.Contains(alg, "kw-") {
			return nil, fmt.Errorf("%w: %q does not match the %d-bit key (only aes-cbc is supported)", ErrPSKC, uriName(alg), keyLen*8)
		}
		return nil, fmt.Errorf("%w: unsupported encryption %q (want aes128-cbc)", ErrPSKC, uriName(alg))
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(ev.CipherValue), ""))
	if err != nil {
		return nil, fmt.Errorf("%w: a CipherValue is not base64", ErrPSKC)
	}
	if len(raw) < 2*aes.BlockSize || len(raw)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: a CipherValue has a bad length", ErrPSKC)
	}
	return raw, nil
}

func (p *pskcCrypto) decrypt(ev *pskcEncrypted) ([]byte, error) {
	raw, err := rawCipher(ev, len(p.encKey))
	if err != nil {
		return nil, err
	}
	return p.cbc(raw)
}

// errPadding: a decrypted value does not end in valid padding (a wrong
// key, mostly).
var errPadding = errors.New("the decrypted value is malformed")

func (p *pskcCrypto) cbc(raw []byte) ([]byte, error) {
	blk, err := aes.NewCipher(p.encKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPSKCKey, err)
	}
	iv, ct := raw[:aes.BlockSize], raw[aes.BlockSize:]
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(blk, iv).CryptBlocks(out, ct)
	// XML Encryption padding: the last byte counts the padding bytes (the
	// others are arbitrary).
	pad := int(out[len(out)-1])
	if pad < 1 || pad > aes.BlockSize {
		return nil, errPadding
	}
	return out[:len(out)-pad], nil
}

// value returns the bytes of a PlainValue (decoded by plain) or of a
// checked and decrypted EncryptedValue.
func (p *pskcCrypto) value(v *pskcValue, plain func(string) ([]byte, error)) ([]byte, error) {
	switch {
	case v.PlainValue != nil:
		return plain(strings.TrimSpace(*v.PlainValue))
	case v.EncryptedValue != nil:
		if err := p.setup(); err != nil {
			return nil, err
		}
		raw, err := rawCipher(v.EncryptedValue, len(p.encKey))
		if err != nil {
			return nil, err
		}
		mac := strings.TrimSpace(v.ValueMAC)
		if p.macKey == nil || mac == "" {
			return nil, fmt.Errorf("%w: the encrypted value has no MAC to check", ErrPSKCMAC)
		}
		want, err := base64.StdEncoding.DecodeString(mac)
		if err != nil {
			return nil, fmt.Errorf("%w: a ValueMAC is not base64", ErrPSKC)
		}
		h := hmac.New(p.macNew, p.macKey)
		h.Write(raw)
		if !hmac.Equal(h.Sum(nil), want) {
			return nil, ErrPSKCMAC
		}
		b, err := p.cbc(raw)
		if errors.Is(err, errPadding) {
			// The MAC matched, so the key is right and the file is bad.
			return nil, fmt.Errorf("%w: a decrypted value is malformed", ErrPSKC)
		}
		return b, err
	}
	return nil, nil
}

func b64Plain(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, fmt.Errorf("%w: a secret PlainValue is not base64", ErrPSKC)
	}
	return b, nil
}

// intValue reads an integer field: decimal text in a PlainValue, a
// big-endian integer when encrypted.
func (p *pskcCrypto) intValue(v *pskcValue, what string) (uint64, bool, error) {
	if v == nil {
		return 0, false, nil
	}
	var n uint64
	b, err := p.value(v, func(s string) ([]byte, error) {
		var err error
		n, err = strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %q is not a whole number", ErrPSKC, what, textutil.Clip(s))
		}
		return []byte{}, nil
	})
	if err != nil {
		return 0, false, err
	}
	if v.EncryptedValue != nil {
		if len(b) > 8 {
			return 0, false, fmt.Errorf("%w: %s is too large", ErrPSKC, what)
		}
		var buf [8]byte
		copy(buf[8-len(b):], b)
		n = binary.BigEndian.Uint64(buf[:])
	}
	return n, b != nil, nil
}

func (p *pskcCrypto) account(pkg *pskcPackage, k *pskcKeyElem, now time.Time) (vault.Account, error) {
	a := vault.Account{Algorithm: vault.SHA1, Digits: vault.DefaultDigits}
	alg := strings.ToLower(strings.TrimSpace(k.Algorithm))
	switch {
	case strings.HasSuffix(alg, ":hotp") || strings.HasSuffix(alg, "#hotp"):
		a.Type = vault.HOTP
	case strings.HasSuffix(alg, ":totp") || strings.HasSuffix(alg, "#totp"):
		a.Type = vault.TOTP
	default:
		return a, &unsupportedKey{fmt.Sprintf("%s keys are not supported (vmfa reads hotp and totp keys)", pskcAlgName(k.Algorithm))}
	}
	if s := strings.ToUpper(strings.TrimSpace(k.Params.Suite)); s != "" {
		var err error
		if a.Algorithm, err = vault.ParseAlgorithm(strings.TrimPrefix(s, "HMAC-")); err != nil {
			return a, fmt.Errorf("%w: suite %q", ErrUnknownAlgorithm, textutil.Clip(k.Params.Suite))
		}
	}
	if rf := k.Params.ResponseFormat; rf != nil {
		if enc := strings.ToUpper(strings.TrimSpace(rf.Encoding)); enc != "" && enc != "DECIMAL" {
			return a, fmt.Errorf("%w: response encoding %q (want DECIMAL)", ErrPSKC, textutil.Clip(rf.Encoding))
		}
		d, err := strconv.Atoi(strings.TrimSpace(rf.Length))
		if err != nil || d < vault.MinDigits || d > vault.MaxDigits {
			return a, fmt.Errorf("%w (got %q)", ErrDigits, textutil.Clip(rf.Length))
		}
		a.Digits = d
	}
	if k.Data.Secret == nil {
		return a, fmt.Errorf("%w: the key has no <Secret>", ErrPSKC)
	}
	if ev := k.Data.Secret.EncryptedValue; ev != nil && strings.Contains(strings.ToLower(ev.Method.Algorithm), "rsa") {
		return a, &unsupportedKey{"its secret is encrypted to an rsa key (key transport, the receiver's private key): not supported; ask the vendor for a file under a pre-shared key or a passphrase"}
	}
	sec, err := p.value(k.Data.Secret, b64Plain)
	if err != nil {
		return a, err
	}
	if sec == nil {
		return a, fmt.Errorf("%w: the key's <Secret> has no value", ErrPSKC)
	}
	a.Secret = sec
	if a.Type == vault.HOTP {
		// A fresh token without a <Counter> starts at 0.
		c, _, err := p.intValue(k.Data.Counter, "counter")
		if err != nil {
			return a, err
		}
		a.Counter = c
	} else {
		a.Period = vault.DefaultPeriod
		ti, ok, err := p.intValue(k.Data.TimeInterval, "time interval")
		if err != nil {
			return a, err
		}
		if !ok && strings.TrimSpace(k.Params.TimeInterval) != "" {
			ti, ok, err = p.intValue(&pskcValue{PlainValue: &k.Params.TimeInterval}, "time interval")
			if err != nil {
				return a, err
			}
		}
		if ok {
			if ti == 0 {
				return a, fmt.Errorf("%w: the time step must be at least 1 s (got 0)", ErrPeriod)
			}
			if ti > vault.MaxPeriod {
				return a, fmt.Errorf("%w (got %d)", vault.ErrPeriodTooLong, ti)
			}
			a.Period = int(ti)
		}
	}
	a.Serial = strings.TrimSpace(pkg.Device.SerialNo)
	a.Issuer = firstNonEmpty(k.Issuer, pkg.Device.Manufacturer)
	a.Name = firstNonEmpty(k.UserID, pkg.Device.UserID, k.FriendlyName, a.Serial, k.ID)
	if m := strings.TrimSpace(pkg.Device.Model); m != "" {
		a.Note = "model " + m
	}
	return a, a.Normalize(now)
}

// unsupportedKey is a key of a kind vmfa does not implement: skipped and
// named, the file's other keys imported.
type unsupportedKey struct{ why string }

func (e *unsupportedKey) Error() string { return e.why }
func (e *unsupportedKey) Unwrap() error { return ErrUnsupportedKey }

// ErrUnsupportedKey: a PSKC key vmfa skips (PIN, OCRA, YubiKey AES, RSA
// key transport…).
var ErrUnsupportedKey = errors.New("unsupported key")

// pskcAlgName names a key algorithm for the skip message.
func pskcAlgName(u string) string {
	l := strings.ToLower(u)
	switch {
	case strings.HasSuffix(l, "pin"):
		return "pin (static PIN)"
	case strings.Contains(l, "ocra"):
		return "ocra (challenge-response)"
	case strings.Contains(l, "yubikey"):
		return "yubikey aes"
	case strings.Contains(l, "securid"):
		return "rsa securid"
	case strings.TrimSpace(l) == "":
		return "algorithm-less"
	}
	return fmt.Sprintf("%q", uriName(u))
}

// uriName shortens an algorithm URI to its last part for messages:
// "urn:ietf:params:xml:ns:keyprov:pskc:ocra" → "ocra".
func uriName(u string) string {
	u = strings.TrimSpace(u)
	if i := strings.LastIndexAny(u, "#:/"); i >= 0 && i < len(u)-1 {
		u = u[i+1:]
	}
	return textutil.Clip(u)
}
