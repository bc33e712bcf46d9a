package scanner

import (
	"errors"

	"github.com/vmfa/vmfa/vault"
)

// Errors returned by the parsers. Each names one rule, reads well on its own
// (the TUI shows them under an input field) and never contains a secret.
// Callers check them with errors.Is; the returned errors usually wrap one of
// these with detail such as the offending value.
//
// Where a rule is the vault's own (a Base32 secret, the digit range, the
// algorithm names, the type names), the sentinel is the vault's, so
// errors.Is(err, vault.ErrBadBase32) and errors.Is(err, scanner.ErrBadBase32)
// both hold.
var (
	// ErrNotOTPAuth: the text is not an otpauth:// or otpauth-migration:// URI.
	ErrNotOTPAuth = errors.New("not an otpauth uri (want otpauth://totp/… or otpauth-migration://offline?data=…)")
	// ErrMalformedURI: the URI cannot be split into its parts (bad
	// percent-escape, missing label separator, repeated parameter, …).
	ErrMalformedURI = errors.New("malformed otpauth uri")
	// ErrMissingLabel: otpauth://totp/?… with no account name.
	ErrMissingLabel = errors.New("otpauth uri has no account label")
	// ErrMissingSecret: no secret parameter at all.
	ErrMissingSecret = errors.New("otpauth uri has no secret parameter")
	// ErrMissingCounter: an hotp URI without its counter parameter.
	ErrMissingCounter = errors.New("hotp uri has no counter parameter")
	// ErrCounter: the counter is not a whole number from 0 to 2^64-1.
	ErrCounter = errors.New("counter must be a whole number of 0 or more")

	// ErrUnknownType: a type other than totp, hotp (or steam).
	ErrUnknownType = vault.ErrUnknownType
	// ErrUnknownAlgorithm: an algorithm other than SHA1, SHA256 or SHA512.
	ErrUnknownAlgorithm = vault.ErrUnknownAlgorithm
	// ErrUnsupportedAlgorithm: a known algorithm vmfa does not implement
	// (Google Authenticator's MD5).
	ErrUnsupportedAlgorithm = errors.New("md5 accounts are not supported (want SHA1, SHA256 or SHA512)")
	// ErrDigits: digits outside 6–8.
	ErrDigits = vault.ErrDigits
	// ErrPeriod: a period that is not a positive whole number of seconds.
	ErrPeriod = vault.ErrPeriod
	// ErrEmptySecret, ErrBadBase32, ErrSecretTooShort, ErrSecretTooLong:
	// the secret parameter is present but unusable.
	ErrEmptySecret    = vault.ErrEmptySecret
	ErrBadBase32      = vault.ErrBadBase32
	ErrSecretTooShort = vault.ErrSecretTooShort
	ErrSecretTooLong  = vault.ErrSecretTooLong

	// ErrMigrationData: an otpauth-migration URI without a data parameter,
	// or with a host other than "offline".
	ErrMigrationData = errors.New("migration uri has no data parameter (want otpauth-migration://offline?data=…)")
	// ErrMigrationBase64: the data parameter is not Base64.
	ErrMigrationBase64 = errors.New("migration data is not valid base64 (was the uri cut short?)")
	// ErrMigrationCorrupt: the decoded data is not a migration payload.
	ErrMigrationCorrupt = errors.New("migration data is corrupt (not a google authenticator export)")
	// ErrMigrationEmpty: a well-formed payload that holds no account.
	ErrMigrationEmpty = errors.New("migration data holds no accounts")
	// ErrBatchIncomplete: some QR codes of a multi-image Google
	// Authenticator export were not given.
	ErrBatchIncomplete = errors.New("google authenticator export is incomplete")

	// ErrNoQR: an image in which no QR code could be read.
	ErrNoQR = errors.New("no QR code found")
	// ErrImageTooLarge: an image file or its pixel count exceeds the limits
	// (a decompression bomb is refused before it is decoded).
	ErrImageTooLarge = errors.New("image is too large")
	// ErrImageFormat: not a PNG, JPEG, GIF, BMP or WebP image.
	ErrImageFormat = errors.New("not a supported image (want PNG, JPEG, GIF, BMP or WebP)")

	// ErrImageDamaged: a recognised image whose data cannot be decoded.
	ErrImageDamaged = errors.New("image is damaged or cut short")

	// ErrUnknownFormat: an import file whose format cannot be recognised, or
	// an unknown --format name.
	ErrUnknownFormat = errors.New("unknown import format")
	// ErrEncrypted: an encrypted backup given without its password (every
	// ErrPasswordNeeded is also an ErrEncrypted).
	ErrEncrypted = errors.New("the backup is encrypted; export it again without a password")
	// ErrTooManyAccounts: an import file with more than MaxImportAccounts
	// entries.
	ErrTooManyAccounts = errors.New("too many accounts")
	// ErrShortSecret: a warning, not an error: an imported secret under 80
	// bits (at least 32), kept because the server issued it.
	ErrShortSecret = errors.New("short secret")
	// ErrNoAccounts: an import file that holds no account.
	ErrNoAccounts = errors.New("no accounts found")
	// ErrCSV: a token CSV that is not in a known layout.
	ErrCSV = errors.New("bad token csv")
	// ErrPSKC: a PSKC file that cannot be read.
	ErrPSKC = errors.New("bad pskc file")
	// ErrPSKCKey: an encrypted PSKC file without the right key or
	// passphrase.
	ErrPSKCKey = errors.New("pskc key or passphrase is missing or wrong")
	// ErrPSKCPassphrase: an encrypted PSKC file whose key is derived from
	// a passphrase, and none was given (it comes with ErrPSKCKey).
	ErrPSKCPassphrase = errors.New("the file is protected by a passphrase")
	// ErrPSKCPreShared: an encrypted PSKC file whose key is a pre-shared
	// AES key, and none was given (it comes with ErrPSKCKey).
	ErrPSKCPreShared = errors.New("the file is encrypted with the pre-shared key")
	// ErrPSKCWrongPassphrase: the passphrase given for a PSKC file is wrong:
	// its MAC key does not decrypt with the key derived from it. It is also
	// an ErrPSKCKey.
	ErrPSKCWrongPassphrase error = &pskcKeyError{"wrong pskc passphrase (mac check failed); check the passphrase and try again"}
	// ErrPSKCWrongKey: the pre-shared key given for a PSKC file is wrong:
	// its MAC key does not decrypt with it. It is also an ErrPSKCKey.
	ErrPSKCWrongKey error = &pskcKeyError{"wrong pskc pre-shared key (mac check failed); check the key and try again"}
	// ErrPSKCMAC: an encrypted PSKC value whose MAC does not match: the file
	// was altered or the key or passphrase is wrong.
	ErrPSKCMAC = errors.New("pskc mac check failed (wrong key or passphrase, or the file was altered)")
)

// pskcKeyError is a sentinel that is also an ErrPSKCKey, with its own
// message.
type pskcKeyError struct{ msg string }

func (e *pskcKeyError) Error() string { return e.msg }
func (e *pskcKeyError) Unwrap() error { return ErrPSKCKey }
