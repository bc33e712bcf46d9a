package vault

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Type is the kind of one-time password an account produces.
type Type string

// Account types.
const (
	TOTP  Type = "totp"  // RFC 6238 time-based codes
	HOTP  Type = "hotp"  // RFC 4226 counter-based codes
	Steam Type = "steam" // Steam Guard: TOTP/SHA1/30 s, five characters
)

// Algorithm is the HMAC hash function of an account.
type Algorithm string

// Supported algorithms.
const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
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
	// MaxSecretBytes bounds secrets so that a malformed import cannot make
	// vmfa hash megabytes per code.
	MaxSecretBytes = 1024
)

// Validation errors. Each names one rule; callers check them with errors.Is.
var (
	ErrUnknownType      = errors.New("unknown type (want totp, hotp or steam)")
	ErrUnknownAlgorithm = errors.New("unknown algorithm (want SHA1, SHA256 or SHA512)")
	ErrDigits           = errors.New("digits must be between 6 and 8")
	ErrPeriod           = errors.New("period must be a positive number of seconds")
	ErrEmptySecret      = errors.New("secret is empty")
	ErrSecretTooShort   = errors.New("secret is too short (at least 80 bits, 16 base32 characters)")
	ErrSecretTooLong    = errors.New("secret is too long")
	ErrBadBase32        = errors.New("secret is not valid base32 (letters A-Z and digits 2-7)")
	ErrNoName           = errors.New("account name is empty")
	ErrControlChars     = errors.New("contains control characters (escape sequences, line breaks or text-direction overrides)")
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
}

// ParseType parses a type name case-insensitively.
func ParseType(s string) (Type, error) {
	switch t := Type(strings.ToLower(strings.TrimSpace(s))); t {
	case TOTP, HOTP, Steam:
		return t, nil
	case "":
		return TOTP, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownType, s)
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
	return "", fmt.Errorf("%w: %q", ErrUnknownAlgorithm, s)
}

// ParseSecret decodes a Base32 secret the forgiving way people type it:
// case-insensitive, with spaces, dashes and underscores ignored and '='
// padding optional. It is strict about everything else: a character outside
// the Base32 alphabet, a length that cannot be Base32, an empty or too short
// key are errors. The error never contains the secret.
func ParseSecret(s string) ([]byte, error) {
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
	if len(key) < MinSecretBytes {
		return nil, ErrSecretTooShort
	}
	if len(key) > MaxSecretBytes {
		return nil, ErrSecretTooLong
	}
	return key, nil
}

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
	if a.Type == Steam {
		a.Algorithm, a.Digits, a.Period = SHA1, 5, DefaultPeriod
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
	default:
		return fmt.Errorf("%w: %q", ErrUnknownType, string(a.Type))
	}
	switch a.Algorithm {
	case SHA1, SHA256, SHA512:
	default:
		return fmt.Errorf("%w: %q", ErrUnknownAlgorithm, string(a.Algorithm))
	}
	if a.Type != HOTP && a.Period <= 0 {
		return fmt.Errorf("%w (got %d)", ErrPeriod, a.Period)
	}
	switch {
	case len(a.Secret) == 0:
		return ErrEmptySecret
	case len(a.Secret) < MinSecretBytes:
		return ErrSecretTooShort
	case len(a.Secret) > MaxSecretBytes:
		return ErrSecretTooLong
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

// Clone returns a deep copy.
func (a Account) Clone() Account {
	a.Secret = append([]byte(nil), a.Secret...)
	a.Tags = append([]string(nil), a.Tags...)
	return a
}
