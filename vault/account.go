package vault

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vmfa/vmfa/internal/textutil"
)

// Type is the kind of one-time password an account produces.
type Type string

// Account types.
const (
	TOTP  Type = "totp"  // RFC 6238 time-based codes
	HOTP  Type = "hotp"  // RFC 4226 counter-based codes
	Steam Type = "steam" // Steam Guard: TOTP/SHA1/30 s, five characters
	// Yandex is Yandex.Key (Aegis's "yandex"): HMAC-SHA256 over the time
	// step keyed with SHA-256(PIN‖secret), eight letters a–z.
	Yandex Type = "yandex"
	// MOTP is Mobile-OTP (Aegis's "motp"): the first six hex digits of
	// MD5(decimal(unix time / 10) ‖ hex(secret) ‖ PIN).
	MOTP Type = "motp"
)

// Algorithm is the HMAC hash function of an account.
type Algorithm string

// Supported algorithms.
const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
	// MD5 is only the hash of mOTP accounts (not an HMAC: ParseAlgorithm
	// refuses it).
	MD5 Algorithm = "MD5"
)

// Defaults applied by Normalize to fields left empty.
const (
	DefaultDigits = 6
	DefaultPeriod = 30
	MinDigits     = 6
	MaxDigits     = 8
	// MinSecretBytes is the shortest secret accepted. RFC 4226 asks for at
	// least 128 bits but real issuers hand out 80-bit keys, so 80 it is.
	MinSecretBytes = 10
	// MinShortSecretBytes is the shortest secret an account may hold at
	// all: 32 bits. Servers did issue such keys (RFC 6030's examples, old
	// hardware tokens, mOTP's 64-bit seeds), and the device must produce
	// what the server expects, so imports accept them with a warning (see
	// DecodeSecret); typed keys still need MinSecretBytes.
	MinShortSecretBytes = 4
	// YandexSecretBytes is the length of a Yandex.Key secret (26-byte
	// secrets from a Yandex export carry a checksum after these 16).
	YandexSecretBytes = 16
	// MaxPINLen bounds the PIN of Yandex and mOTP accounts.
	MaxPINLen = 64
	// MaxPeriod is the longest time step accepted: one day.
	MaxPeriod = 86400
	// MaxSecretBytes bounds secrets so that a malformed import cannot make
	// vmfa hash megabytes per code.
	MaxSecretBytes = 1024
	// MaxNameRunes bounds the issuer, the account name and the serial:
	// labels are printed on one line of a terminal. Google Authenticator
	// and Aegis store labels of any length, but no real issuer or account
	// name (an e-mail address is at most 254 characters) comes near this.
	MaxNameRunes = 256
	// MaxNoteRunes bounds an account's note (Bitwarden's notes field
	// holds 10,000 characters, so its exports fit).
	MaxNoteRunes = 10000
	// MaxTagRunes bounds one tag (group) name, MaxTags their number.
	MaxTagRunes = 128
	MaxTags     = 64
)

// Validation errors. Each names one rule; callers check them with errors.Is.
var (
	ErrUnknownType      = errors.New("unknown type (want totp, hotp, steam, yandex or motp)")
	ErrUnknownAlgorithm = errors.New("unknown algorithm (want SHA1, SHA256 or SHA512)")
	ErrDigits           = errors.New("digits must be between 6 and 8")
	ErrPeriod           = errors.New("period must be a positive number of seconds")
	// ErrPeriodTooLong is a period above MaxPeriod; errors.Is(err,
	// ErrPeriod) holds for it too.
	ErrPeriodTooLong  = &subError{msg: "period must be at most 86,400 s, one day", parent: ErrPeriod}
	ErrEmptySecret    = errors.New("secret is empty")
	ErrSecretTooShort = errors.New("secret is too short (at least 80 bits, 16 base32 characters)")
	ErrSecretTooLong  = errors.New("secret is too long: at most 1,024 bytes")
	ErrBadBase32      = errors.New("secret is not valid base32 (letters A-Z and digits 2-7)")
	ErrNoName         = errors.New("account name is empty")
	ErrNoPIN          = errors.New("yandex and motp accounts need their pin")
	ErrTooLong        = errors.New("is too long")
	ErrTooManyTags    = errors.New("too many tags")
	ErrControlChars   = errors.New("contains control characters (escape sequences, line breaks or text-direction overrides)")
)

// Account is one OTP credential held in the vault.
type Account struct {
	ID        string    `json:"id"`
	Type      Type      `json:"type"`
	Issuer    string    `json:"issuer,omitempty"`
	Name      string    `json:"name"`
	Secret    []byte    `json:"secret"`
	Algorithm Algorithm `json:"algorithm"`
	Digits    int       `json:"digits"`
	Period    int       `json:"period,omitempty"`
	Counter   uint64    `json:"counter,omitempty"`
	Created   time.Time `json:"created"`
	Note      string    `json:"note,omitempty"`
	Tags      []string  `json:"tags,omitempty"`
	Serial    string    `json:"serial,omitempty"`
	Favourite bool      `json:"favourite,omitempty"`
	Order     int       `json:"order,omitempty"`
	// PIN is the PIN of a Yandex or mOTP account: part of the key.
	PIN string `json:"pin,omitempty"`
}

// ParseType parses a type name case-insensitively.
func ParseType(s string) (Type, error) {
	switch t := Type(strings.ToLower(strings.TrimSpace(s))); t {
	case TOTP, HOTP, Steam, Yandex, MOTP:
		return t, nil
	case "":
		return TOTP, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownType, textutil.Peek(s))
}

// ParseAlgorithm parses an algorithm name case-insensitively, accepting
// "sha-256" style spellings. An empty string means SHA1.
func ParseAlgorithm(s string) (Algorithm, error) {
	n := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	switch Algorithm(n) {
	case SHA1, SHA256, SHA512:
		return Algorithm(n), nil
	case "":
		return SHA1, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownAlgorithm, textutil.Peek(s))
}

// ParseSecret decodes a Base32 secret the forgiving way people type it:
// case-insensitive, with spaces, dashes and underscores ignored and '='
// padding optional. It is strict about everything else: a character outside
// the Base32 alphabet, a length that cannot be Base32, an empty or too short
// key are errors. The error never contains the secret.
func ParseSecret(s string) ([]byte, error) {
	key, err := DecodeSecret(s)
	if err == nil && len(key) < MinSecretBytes {
		return nil, ErrSecretTooShort
	}
	return key, err
}

// DecodeSecret is ParseSecret for secrets a server issued (imports, QR
// codes): it accepts keys down to MinShortSecretBytes; callers warn about
// keys under MinSecretBytes (see ShortSecret).
func DecodeSecret(s string) ([]byte, error) {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '_' || r == '\t' || r == '\n' || r == '\r':
			continue
		case r == '=':
			continue // padding is re-added below
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case (r >= 'A' && r <= 'Z') || (r >= '2' && r <= '7'):
			b.WriteRune(r)
		default:
			return nil, ErrBadBase32
		}
	}
	clean := b.String()
	if clean == "" {
		return nil, ErrEmptySecret
	}
	switch len(clean) % 8 {
	case 1, 3, 6:
		return nil, fmt.Errorf("%w: %d characters cannot be base32, a character is missing or extra", ErrBadBase32, len(clean))
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(clean)
	if err != nil {
		return nil, ErrBadBase32
	}
	if len(key) < MinShortSecretBytes {
		return nil, fmt.Errorf("%w; keys a server issued are taken down to 32 bits", ErrSecretTooShort)
	}
	if len(key) > MaxSecretBytes {
		return nil, ErrSecretTooLong
	}
	return key, nil
}

// ShortSecret reports whether an account's secret is under MinSecretBytes
// (80 bits): valid, but worth a warning.
func (a *Account) ShortSecret() bool { return len(a.Secret) < MinSecretBytes }

// EncodeSecret returns the canonical unpadded upper-case Base32 form.
func EncodeSecret(key []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key)
}

// NewID returns a random 64-bit identifier in hex.
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("vmfa: crypto/rand failed: " + err.Error()) // cannot happen on supported systems
	}
	return hex.EncodeToString(b[:])
}

// Normalize fills defaults (type TOTP, SHA1, 6 digits, 30 s, ID, creation
// time) and then validates. Steam accounts are pinned to SHA1/5/30.
func (a *Account) Normalize(now time.Time) error {
	if a.Type == "" {
		a.Type = TOTP
	}
	if a.Algorithm == "" {
		a.Algorithm = SHA1
	}
	if a.Digits == 0 {
		a.Digits = DefaultDigits
	}
	if a.Period == 0 && a.Type != HOTP {
		a.Period = DefaultPeriod
	}
	switch a.Type {
	case Steam:
		a.Algorithm, a.Digits, a.Period = SHA1, 5, DefaultPeriod
	case Yandex:
		a.Algorithm, a.Digits = SHA256, 8
	case MOTP:
		a.Algorithm, a.Digits = MD5, 6
		if a.Period == DefaultPeriod || a.Period == 0 {
			a.Period = 10
		}
	}
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.Created.IsZero() {
		a.Created = now.UTC().Truncate(time.Second)
	}
	a.Issuer = strings.TrimSpace(a.Issuer)
	a.Name = strings.TrimSpace(a.Name)
	return a.Validate()
}

// subError is a sentinel with its own message that also matches parent
// under errors.Is.
type subError struct {
	msg    string
	parent error
}

func (e *subError) Error() string        { return e.msg }
func (e *subError) Is(target error) bool { return target == e.parent }

// Validate checks every field rule without changing the account.
func (a *Account) Validate() error {
	switch a.Type {
	case TOTP, HOTP:
		if a.Digits < MinDigits || a.Digits > MaxDigits {
			return fmt.Errorf("%w (got %d)", ErrDigits, a.Digits)
		}
	case Steam:
		if a.Digits != 5 {
			return errors.New("steam accounts have 5 characters")
		}
	case Yandex:
		if a.Digits != 8 || a.Algorithm != SHA256 {
			return errors.New("yandex accounts have 8 characters and use SHA256")
		}
		if len(a.Secret) != YandexSecretBytes {
			return fmt.Errorf("a yandex secret is %d bytes (got %d)", YandexSecretBytes, len(a.Secret))
		}
	case MOTP:
		if a.Digits != 6 || a.Algorithm != MD5 {
			return errors.New("motp accounts have 6 hex digits and use MD5")
		}
	default:
		return fmt.Errorf("%w: %q", ErrUnknownType, textutil.Peek(string(a.Type)))
	}
	switch a.Algorithm {
	case SHA1, SHA256, SHA512:
	case MD5:
		if a.Type != MOTP {
			return fmt.Errorf("%w: %q (md5 is for motp accounts only)", ErrUnknownAlgorithm, textutil.Peek(string(a.Algorithm)))
		}
	default:
		return fmt.Errorf("%w: %q", ErrUnknownAlgorithm, textutil.Peek(string(a.Algorithm)))
	}
	if a.Type == Yandex || a.Type == MOTP {
		if a.PIN == "" {
			return ErrNoPIN
		}
		if len(a.PIN) > MaxPINLen || HasControl(a.PIN) {
			return fmt.Errorf("the pin must be at most %d characters, without control characters", MaxPINLen)
		}
	} else if a.PIN != "" {
		return errors.New("only yandex and motp accounts have a pin")
	}
	if a.Type != HOTP && a.Period <= 0 {
		return fmt.Errorf("%w (got %d)", ErrPeriod, a.Period)
	}
	if a.Type != HOTP && a.Period > MaxPeriod {
		return fmt.Errorf("%w (got %d)", ErrPeriodTooLong, a.Period)
	}
	switch {
	case len(a.Secret) == 0:
		return ErrEmptySecret
	case len(a.Secret) < MinShortSecretBytes:
		return ErrSecretTooShort
	case len(a.Secret) > MaxSecretBytes:
		return fmt.Errorf("%w (got %d)", ErrSecretTooLong, len(a.Secret))
	}
	if err := a.checkLengths(); err != nil {
		return err
	}
	if a.Name == "" && a.Issuer == "" {
		return ErrNoName
	}
	// Names are printed to terminals: an escape sequence in a QR code or an
	// import file must not reach the screen.
	for field, v := range map[string]string{"issuer": a.Issuer, "account name": a.Name, "note": a.Note, "serial": a.Serial} {
		if HasControl(v) {
			return fmt.Errorf("%s %w", field, ErrControlChars)
		}
	}
	for _, t := range a.Tags {
		if HasControl(t) {
			return fmt.Errorf("tag %w", ErrControlChars)
		}
	}
	return nil
}

// checkLengths applies MaxNameRunes, MaxNoteRunes, MaxTagRunes and MaxTags.
func (a *Account) checkLengths() error {
	for _, f := range []struct {
		field string
		v     string
		max   int
	}{{"issuer", a.Issuer, MaxNameRunes}, {"account name", a.Name, MaxNameRunes}, {"serial", a.Serial, MaxNameRunes}, {"note", a.Note, MaxNoteRunes}} {
		if n := utf8.RuneCountInString(f.v); n > f.max {
			return fmt.Errorf("%s %w (%d characters, at most %d)", f.field, ErrTooLong, n, f.max)
		}
	}
	if len(a.Tags) > MaxTags {
		return fmt.Errorf("%w: %d tags, at most %d", ErrTooManyTags, len(a.Tags), MaxTags)
	}
	for _, t := range a.Tags {
		if n := utf8.RuneCountInString(t); n > MaxTagRunes {
			return fmt.Errorf("tag %w (%d characters, at most %d)", ErrTooLong, n, MaxTagRunes)
		}
	}
	return nil
}

// HasControl reports whether s holds a C0 or C1 control character, DEL, or
// a bidirectional formatting character (which can make "evil.com" display
// as another name).
func HasControl(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
			return true
		case r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			return true
		}
	}
	return false
}

// Label is "Issuer: Name", or whichever part is set.
func (a *Account) Label() string {
	switch {
	case a.Issuer == "":
		return a.Name
	case a.Name == "":
		return a.Issuer
	}
	return a.Issuer + ": " + a.Name
}

// SameCredential reports whether b holds the same issuer, account name and
// secret as a: the duplicate rule of imports.
func (a *Account) SameCredential(b *Account) bool {
	return strings.EqualFold(a.Issuer, b.Issuer) && a.Name == b.Name && string(a.Secret) == string(b.Secret)
}

// CredentialSet finds duplicates (SameCredential) among many accounts in
// constant time per lookup, so an import of thousands of accounts into a
// vault of thousands is not quadratic. The zero value is empty.
type CredentialSet struct {
	m map[string][]Account
}

// credKey is SameCredential's exact part: name and secret.
func credKey(a *Account) string { return a.Name + "\x00" + string(a.Secret) }

// NewCredentialSet returns a set holding as.
func NewCredentialSet(as []Account) *CredentialSet {
	s := &CredentialSet{m: make(map[string][]Account, len(as))}
	for i := range as {
		s.Add(&as[i])
	}
	return s
}

// Has reports whether an account with a's credential is in the set.
func (s *CredentialSet) Has(a *Account) bool {
	for i := range s.m[credKey(a)] {
		if s.m[credKey(a)][i].SameCredential(a) {
			return true
		}
	}
	return false
}

// Add puts a in the set.
func (s *CredentialSet) Add(a *Account) {
	if s.m == nil {
		s.m = map[string][]Account{}
	}
	k := credKey(a)
	s.m[k] = append(s.m[k], *a)
}

// Clone returns a deep copy.
func (a Account) Clone() Account {
	a.Secret = append([]byte(nil), a.Secret...)
	a.Tags = append([]string(nil), a.Tags...)
	return a
}

// ParseYandexSecret checks a decoded Yandex.Key secret and returns its 16
// key bytes. A 26-byte secret (as Yandex exports it) ends in a 12-bit
// checksum, the remainder of the bits before it divided by the polynomial
// x^12+x^11+x^7+x^6+x^5+x^4+x+1 (0x18F3); a 16-byte one (from a QR code)
// has none.
func ParseYandexSecret(b []byte) ([]byte, error) {
	switch len(b) {
	case YandexSecretBytes:
		return b, nil
	case 26:
	default:
		return nil, fmt.Errorf("a yandex secret is 16 or 26 bytes (got %d)", len(b))
	}
	const poly = 0x18F3
	nbits := len(b)*8 - 12
	rem := uint16(0)
	for i := 0; i < nbits; i++ {
		bit := uint16(b[i/8]>>(7-i%8)) & 1
		rem = rem<<1 | bit
		if rem&(1<<12) != 0 {
			rem ^= poly
		}
	}
	want := uint16(b[len(b)-2]&0x0f)<<8 | uint16(b[len(b)-1])
	if rem != want {
		return nil, errors.New("the yandex secret's checksum is wrong (a character was mistyped)")
	}
	return append([]byte(nil), b[:YandexSecretBytes]...), nil
}
