package scanner

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
)

// WithPassword gives the password of an encrypted backup (Aegis, 2FAS,
// andOTP, Stratum, FreeOTP, Ente Auth, Bitwarden). Without it, Import
// fails on an encrypted backup with an error that is ErrPasswordNeeded
// and names the format.
func WithPassword(p []byte) ImportOption {
	return func(c *importConfig) { c.password = p }
}

var (
	// ErrPasswordNeeded: an encrypted backup and no password was given.
	// The error names the format: "this is an encrypted andOTP backup: give
	// its password".
	ErrPasswordNeeded = errors.New("give its password")
	// ErrWrongPassword: the password does not open the backup: "wrong
	// password for this encrypted Aegis vault". Nothing is imported.
	ErrWrongPassword = errors.New("wrong password")
	// ErrBiometricOnly: an encrypted Aegis vault whose only key slots are
	// biometric (the phone's keystore); it cannot be opened anywhere else.
	ErrBiometricOnly = errors.New("this encrypted Aegis vault can only be unlocked with biometrics on the phone that wrote it: set a password in Aegis (settings, security) and export again")
	// ErrAccountRestricted: a Bitwarden export encrypted with the account's
	// own key, which only Bitwarden can open.
	ErrAccountRestricted = errors.New("this is an account-restricted Bitwarden export: only Bitwarden can open it; export again choosing \"password protected\", or unencrypted json")
	// ErrKDFLimit: an encrypted backup asks for key-derivation work beyond
	// vmfa's caps (see the README); the error states the cap.
	ErrKDFLimit = backupcrypto.ErrLimit
)

// passwordError is a message of its own that is also one of the sentinels.
type passwordError struct {
	msg  string
	kind error
}

func (e *passwordError) Error() string { return e.msg }
func (e *passwordError) Unwrap() []error {
	if e.kind == ErrPasswordNeeded {
		return []error{e.kind, ErrEncrypted}
	}
	return []error{e.kind}
}

// needPassword says what the file is and that it needs a password; what
// is like "encrypted Aegis vault".
func needPassword(what string) error {
	article := "a "
	if strings.ContainsRune("aeiouAEIOU", rune(what[0])) {
		article = "an "
	}
	return &passwordError{"this is " + article + what + ": give its password", ErrPasswordNeeded}
}

func wrongPassword(what string) error {
	return &passwordError{"wrong password for this " + what, ErrWrongPassword}
}

// damaged reports an encrypted backup whose structure is wrong.
func damaged(what, detail string) error {
	return fmt.Errorf("%s is damaged or cut short: %s", what, detail)
}

// kdfError words a key-derivation failure: a cap (ErrKDFLimit) is named
// with the format.
func kdfError(what string, err error) error {
	return fmt.Errorf("%s: %w", what, err)
}

// Names of the encrypted formats in messages.
const (
	aegisEncName     = "encrypted Aegis vault"
	twoFASEncName    = "encrypted 2FAS backup"
	andOTPEncName    = "encrypted andOTP backup"
	stratumEncName   = "encrypted Stratum (Authenticator Pro) backup"
	freeOTPEncName   = "encrypted FreeOTP backup"
	enteEncName      = "encrypted Ente Auth export"
	bitwardenEncName = "password-protected Bitwarden export"
)

// isBinary reports content that is not text: not UTF-8, or holding control
// characters other than white space, in its first 4 KiB.
func isBinary(data []byte) bool {
	head := data[:min(len(data), 4096)]
	if !utf8.Valid(head) {
		// A multi-byte character cut at 4 KiB is still text.
		if i := len(head) - utf8.UTFMax; i > 0 && utf8.Valid(head[:i]) && len(data) > len(head) {
			head = head[:i]
		} else {
			return true
		}
	}
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			return true
		}
	}
	return false
}

// importStratumAny reads a plain or encrypted Stratum backup.
func importStratumAny(data, password []byte) ([]entry, error) {
	if !isStratumEncrypted(data) {
		return importStratum(data)
	}
	plain, err := decryptStratum(data, password)
	if err != nil {
		return nil, err
	}
	return importStratum(plain)
}

// importEnteAny reads a plain or encrypted Ente Auth export.
func importEnteAny(data, password []byte) ([]entry, error) {
	if t := trimText(data); len(t) == 0 || t[0] != '{' {
		return importEnte(data)
	}
	plain, err := decryptEnte(jsonText(data), password)
	if err != nil {
		return nil, err
	}
	return importEnte(plain)
}

// importBitwardenAny reads a plain or password-protected Bitwarden JSON
// export (an account-restricted one is ErrAccountRestricted).
func importBitwardenAny(data, password []byte) ([]entry, error) {
	if bitwardenEncrypted(data) != "password" {
		return importBitwardenJSON(data)
	}
	plain, err := decryptBitwarden(data, password)
	if err != nil {
		return nil, err
	}
	return importBitwardenJSON(jsonText(plain))
}
