package scanner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/vault"
)

// Import formats.
const (
	FormatAuto      = "auto"      // detect from the content
	FormatURIs      = "uris"      // otpauth:// and otpauth-migration:// URIs, one per line
	FormatMigration = "migration" // otpauth-migration:// URIs only, one per line
	FormatAegis     = "aegis"     // Aegis plain JSON export
	Format2FAS      = "2fas"      // 2FAS .2fas backup, unencrypted
	FormatAndOTP    = "andotp"    // andOTP plain JSON backup
	FormatCSV       = "csv"       // hardware-token CSV (see ParseTokenCSV)
	FormatPSKC      = "pskc"      // RFC 6030 key container (see ParsePSKC)
	FormatImage     = "image"     // an image holding QR codes (auto only)
)

// ImportFormats lists the names accepted by Import, for help texts (see
// Formats for the whole table).
var ImportFormats = formatNames()

// MaxImportBytes is the largest import file accepted.
const MaxImportBytes = 32 << 20

// MaxImportAccounts is the most entries one import file may hold: the
// vault's own cap, so that an import never builds a vault vmfa refuses.
const MaxImportAccounts = vault.MaxAccounts

// ImportOption changes how Import reads a file.
type ImportOption func(*importConfig)

type importConfig struct {
	skipInvalid bool
	pskc        PSKCKey
	password    []byte // of an encrypted backup (WithPassword)
}

// SkipInvalid makes Import leave out invalid entries (listed in
// ImportResult.Invalid) instead of failing the whole import.
func SkipInvalid() ImportOption { return func(c *importConfig) { c.skipInvalid = true } }

// WithPSKCKey gives the key or passphrase of an encrypted PSKC file.
func WithPSKCKey(k PSKCKey) ImportOption { return func(c *importConfig) { c.pskc = k } }

// Invalid is one entry an import left out, and why.
type Invalid struct {
	Entry string // "line 3", "entry 2 (GitHub: bob)", "key 1 (serial 123)"
	Err   error
}

// ImportResult is what Import read.
type ImportResult struct {
	Format   string          // the format read (detected when auto)
	Accounts []vault.Account // valid, normalised accounts in file order
	Invalid  []Invalid       // entries left out (only with SkipInvalid)
	Warnings []Invalid       // imported entries worth a warning (ErrShortSecret)
	// Unsupported lists records of kinds vmfa does not implement (PSKC keys
	// of the PIN, OCRA, YubiKey AES… algorithms, secrets under RSA key
	// transport), left out and named; the others are imported.
	Unsupported []Invalid
}

// Import reads accounts from an export or token file. format is one of
// ImportFormats; FormatAuto detects it from the content. Without
// SkipInvalid, the first invalid entry fails the import (an *EntryError
// naming it); with it, invalid entries are listed in the result. A file
// with no valid account at all is an error either way.
func Import(r io.Reader, format string, opts ...ImportOption) (*ImportResult, error) {
	var cfg importConfig
	for _, o := range opts {
		o(&cfg)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImportBytes {
		return nil, fmt.Errorf("the file is over %d MiB", MaxImportBytes>>20)
	}
	format = strings.ToLower(strings.TrimSpace(format))
	if format == "" || format == FormatAuto {
		if format, err = DetectFormat(data); err != nil {
			return nil, err
		}
	}
	f := findFormat(format)
	if f == nil {
		return nil, fmt.Errorf("%w %q (vmfa import --list-formats shows the names)", ErrUnknownFormat, textutil.Clip(format))
	}
	entries, err := f.read(data, &cfg)
	if err != nil {
		return nil, err
	}
	if len(entries) > MaxImportAccounts {
		return nil, fmt.Errorf("%w: the file holds %d accounts; an import takes at most %d (split the file)", ErrTooManyAccounts, len(entries), MaxImportAccounts)
	}
	res := &ImportResult{Format: format}
	for _, e := range entries {
		if e.skip {
			res.Unsupported = append(res.Unsupported, Invalid{Entry: e.where, Err: e.err})
			continue
		}
		if e.err != nil {
			if !cfg.skipInvalid {
				return nil, &EntryError{Entry: e.where, Err: e.err}
			}
			res.Invalid = append(res.Invalid, Invalid{Entry: e.where, Err: e.err})
			continue
		}
		if w := ShortSecretWarning(&e.acc); w != nil {
			res.Warnings = append(res.Warnings, Invalid{Entry: e.where, Err: w})
		}
		res.Accounts = append(res.Accounts, e.acc)
	}
	if len(res.Accounts) == 0 {
		if len(res.Invalid) == 0 && len(res.Unsupported) > 0 {
			return res, fmt.Errorf("%w: no record vmfa supports (%s: %v)", ErrNoAccounts, res.Unsupported[0].Entry, res.Unsupported[0].Err)
		}
		if len(res.Invalid) > 0 {
			return res, fmt.Errorf("%w: all %d entries are invalid (first: %s: %v)", ErrNoAccounts, len(res.Invalid), res.Invalid[0].Entry, res.Invalid[0].Err)
		}
		return res, ErrNoAccounts
	}
	return res, nil
}

// jsonText blanks the byte order marks before a JSON document, which
// encoding/json refuses, keeping every offset (and so the line and column of
// an error) as in the file.
func jsonText(data []byte) []byte {
	copied := false
	for i := 0; i < len(data); {
		switch {
		case bytes.HasPrefix(data[i:], []byte("\xef\xbb\xbf")):
			if !copied {
				data, copied = append([]byte(nil), data...), true
			}
			copy(data[i:], "   ")
			i += 3
		case data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n':
			i++
		default:
			return data
		}
	}
	return data
}

// trimText drops leading and trailing white space and byte order marks.
func trimText(data []byte) []byte {
	s := bytes.TrimSpace(data)
	for bytes.HasPrefix(s, []byte("\xef\xbb\xbf")) {
		s = bytes.TrimSpace(s[3:])
	}
	return s
}

// importURIs reads one URI per line; blank lines and lines starting with
// '#' are skipped.
func importURIs(data []byte, migrationOnly bool) ([]entry, error) {
	var (
		entries []entry
		batches batchTracker
	)
	// Lines are split here rather than by bufio.Scanner, whose token limit
	// would fail the whole file on one long line: a line too long to be a
	// URI is that line's error (ParseURI bounds what it reads).
	n := 0
	for rest := data; len(rest) > 0; {
		var raw []byte
		raw, rest, _ = bytes.Cut(rest, []byte("\n"))
		n++
		line := strings.TrimSpace(strings.TrimPrefix(string(raw), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("line %d", n)
		if migrationOnly && !hasPrefixFold(line, migrationScheme) {
			entries = append(entries, entry{where: where, err: fmt.Errorf("%w: not an otpauth-migration uri", ErrNotOTPAuth)})
			continue
		}
		var accs []vault.Account
		var err error
		if hasPrefixFold(line, migrationScheme) {
			var m *Migration
			if m, err = DecodeMigration(line); err == nil {
				accs = m.Accounts
				err = batches.add(m)
			}
		} else {
			accs, err = ParseURI(line)
		}
		if err != nil {
			entries = append(entries, entry{where: where, err: err})
			continue
		}
		for _, a := range accs {
			entries = append(entries, entry{where: where, acc: a})
		}
	}
	// A Google Authenticator export pasted as text must be whole, like one
	// given as images.
	if errs := batches.check(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

func importImage(data []byte) ([]entry, error) {
	texts, err := DecodeReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var entries []entry
	for i, t := range texts {
		where := fmt.Sprintf("QR code %d", i+1)
		accs, err := ParseURI(t)
		if err != nil {
			entries = append(entries, entry{where: where, err: err})
			continue
		}
		for _, a := range accs {
			entries = append(entries, entry{where: where, acc: a})
		}
	}
	return entries, nil
}

// jsonError says what is wrong with a JSON export, in the file's terms.
func jsonError(format string, data []byte, err error) error {
	return fmt.Errorf("not a valid %s file: %s", format, textutil.JSONError(err, data))
}

// entryName labels an entry for messages: "entry 2 (GitHub: bob)".
func entryName(i int, issuer, name string) string {
	a := vault.Account{Issuer: strings.TrimSpace(issuer), Name: strings.TrimSpace(name)}
	if l := a.Label(); l != "" {
		return fmt.Sprintf("entry %d (%s)", i+1, textutil.Clip(l))
	}
	return fmt.Sprintf("entry %d", i+1)
}

// fill turns the common fields of a JSON export into a valid account.
func fill(typ, issuer, name, secret, algo string, digits, period int, counter uint64, now time.Time) (vault.Account, error) {
	a := vault.Account{Issuer: strings.TrimSpace(issuer), Name: strings.TrimSpace(name)}
	var err error
	if a.Type, err = vault.ParseType(typ); err != nil {
		return a, err
	}
	if a.Secret, err = vault.DecodeSecret(secret); err != nil {
		return a, err
	}
	if a.Algorithm, err = vault.ParseAlgorithm(algo); err != nil {
		return a, err
	}
	if a.Type != vault.Steam {
		if digits != 0 && (digits < vault.MinDigits || digits > vault.MaxDigits) {
			return a, fmt.Errorf("%w (got %d)", ErrDigits, digits)
		}
		a.Digits = digits
	}
	switch a.Type {
	case vault.HOTP:
		a.Counter = counter
	default:
		if period < 0 {
			return a, fmt.Errorf("%w (got %d)", ErrPeriod, period)
		}
		a.Period = period
	}
	return a, a.Normalize(now)
}

// isNoteBreak reports the characters that split a multi-line note.
func isNoteBreak(r rune) bool { return r == '\n' || r == '\r' || r == '\t' }

// Aegis plain export.
type aegisFile struct {
	Version int `json:"version"`
	Header  struct {
		Slots  json.RawMessage `json:"slots"`
		Params json.RawMessage `json:"params"`
	} `json:"header"`
	DB json.RawMessage `json:"db"`
}

type aegisDB struct {
	Version int          `json:"version"`
	Entries []aegisEntry `json:"entries"`
	Groups  []struct {
		UUID string `json:"uuid"`
		Name string `json:"name"`
	} `json:"groups,omitempty"`
}

type aegisEntry struct {
	Type     string   `json:"type"`
	UUID     string   `json:"uuid,omitempty"`
	Name     string   `json:"name"`
	Issuer   string   `json:"issuer"`
	Note     string   `json:"note"`
	Favorite bool     `json:"favorite"`
	Icon     *string  `json:"icon"`
	Group    *string  `json:"group,omitempty"`  // db version 2
	Groups   []string `json:"groups,omitempty"` // db version 3: group uuids
	Info     struct {
		Secret  string  `json:"secret"`
		Algo    string  `json:"algo"`
		Digits  int     `json:"digits"`
		Period  int     `json:"period,omitempty"`
		Counter *uint64 `json:"counter,omitempty"`
		PIN     *string `json:"pin,omitempty"` // yandex, motp
	} `json:"info"`
}

func isNull(m json.RawMessage) bool {
	s := bytes.TrimSpace(m)
	return len(s) == 0 || string(s) == "null"
}

func importAegis(data []byte, password []byte) ([]entry, error) {
	var f aegisFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError("aegis", data, err)
	}
	if isNull(f.DB) {
		return nil, errors.New("not a valid aegis file: no db")
	}
	dbText := []byte(f.DB)
	if bytes.TrimSpace(f.DB)[0] == '"' || !isNull(f.Header.Slots) {
		var err error
		if dbText, err = decryptAegis(&f, password); err != nil {
			return nil, err
		}
	}
	var db aegisDB
	if err := json.Unmarshal(dbText, &db); err != nil {
		return nil, jsonError("aegis", dbText, err)
	}
	groups := map[string]string{}
	for _, g := range db.Groups {
		groups[g.UUID] = g.Name
	}
	now := time.Now()
	var entries []entry
	for i, e := range db.Entries {
		en := entry{where: entryName(i, e.Issuer, e.Name)}
		var counter uint64
		if e.Info.Counter != nil {
			counter = *e.Info.Counter
		}
		switch strings.ToLower(e.Type) {
		case "hotp":
			if e.Info.Counter == nil {
				en.err = ErrMissingCounter
			}
		case "totp", "steam":
		case "yandex", "motp":
			en.acc, en.err = aegisPINAccount(&e, now)
		default:
			en.err = fmt.Errorf("%w: %q", ErrUnknownType, textutil.Clip(e.Type))
		}
		if en.err == nil && en.acc.Type == "" {
			en.acc, en.err = fill(e.Type, e.Issuer, e.Name, e.Info.Secret, e.Info.Algo, e.Info.Digits, e.Info.Period, counter, now)
		}
		if en.err == nil {
			note, serial := splitSerial(e.Note)
			// Aegis notes may span lines; vmfa's are one line (no control
			// characters reach a terminal).
			en.acc.Note = strings.Join(strings.FieldsFunc(note, isNoteBreak), " ")
			if serial != "" {
				en.acc.Serial = serial
			}
			en.acc.Favourite = e.Favorite
			// Like Aegis: the uuid list of db version 3 replaces the group
			// name of version 2 when both are present.
			if e.Groups == nil && e.Group != nil && *e.Group != "" {
				en.acc.Tags = append(en.acc.Tags, *e.Group)
			}
			for _, g := range e.Groups {
				if n := groups[g]; n != "" && !slices.Contains(en.acc.Tags, n) {
					en.acc.Tags = append(en.acc.Tags, n)
				}
			}
			en.err = en.acc.Validate()
		}
		entries = append(entries, en)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

// aegisPINAccount reads Aegis's yandex and motp entries: the secret is
// Base32 like the others (Yandex: the 16 key bytes, or 26 with the
// checksum), the PIN is info.pin, and the type fixes the algorithm, digits
// and period (motp: MD5, 6, 10 s; yandex: SHA256, 8, 30 s).
func aegisPINAccount(e *aegisEntry, now time.Time) (vault.Account, error) {
	a := vault.Account{Type: vault.Type(strings.ToLower(e.Type)), Issuer: strings.TrimSpace(e.Issuer), Name: strings.TrimSpace(e.Name), Period: e.Info.Period}
	if e.Info.PIN != nil {
		a.PIN = strings.TrimSpace(*e.Info.PIN)
	}
	var err error
	if a.Secret, err = vault.DecodeSecret(e.Info.Secret); err != nil {
		return a, err
	}
	if a.Type == vault.Yandex {
		if a.Secret, err = vault.ParseYandexSecret(a.Secret); err != nil {
			return a, err
		}
	}
	if a.Period < 0 {
		return a, fmt.Errorf("%w (got %d)", ErrPeriod, a.Period)
	}
	return a, a.Normalize(now)
}

// 2FAS backup.
type twoFASFile struct {
	Services          []twoFASService `json:"services"`
	ServicesEncrypted string          `json:"servicesEncrypted"`
	SchemaVersion     int             `json:"schemaVersion"`
}

type twoFASService struct {
	Name   string `json:"name"`
	Secret string `json:"secret"`
	OTP    struct {
		Label     string  `json:"label"`
		Account   string  `json:"account"`
		Issuer    string  `json:"issuer"`
		Digits    int     `json:"digits"`
		Period    int     `json:"period"`
		Algorithm string  `json:"algorithm"`
		TokenType string  `json:"tokenType"`
		Counter   *uint64 `json:"counter"`
	} `json:"otp"`
}

func import2FAS(data []byte, password []byte) ([]entry, error) {
	var f twoFASFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError("2fas", data, err)
	}
	if len(f.Services) == 0 && f.ServicesEncrypted != "" {
		var err error
		if f.Services, err = decrypt2FAS(f.ServicesEncrypted, password); err != nil {
			return nil, err
		}
	}
	now := time.Now()
	var entries []entry
	for i, s := range f.Services {
		issuer := firstNonEmpty(s.OTP.Issuer, s.Name)
		name := firstNonEmpty(s.OTP.Account, s.OTP.Label)
		if p, ok := strings.CutPrefix(name, issuer+":"); ok && issuer != "" {
			name = strings.TrimSpace(p)
		}
		en := entry{where: entryName(i, issuer, name)}
		typ := strings.ToLower(firstNonEmpty(s.OTP.TokenType, "totp"))
		var counter uint64
		switch typ {
		case "hotp":
			if s.OTP.Counter == nil {
				en.err = ErrMissingCounter
			} else {
				counter = *s.OTP.Counter
			}
		case "totp", "steam":
		default:
			en.err = fmt.Errorf("%w: %q", ErrUnknownType, textutil.Clip(s.OTP.TokenType))
		}
		if en.err == nil {
			en.acc, en.err = fill(typ, issuer, name, s.Secret, s.OTP.Algorithm, s.OTP.Digits, s.OTP.Period, counter, now)
		}
		entries = append(entries, en)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

// andOTP plain backup.
type andOTPEntry struct {
	Secret    string   `json:"secret"`
	Issuer    string   `json:"issuer"`
	Label     string   `json:"label"`
	Digits    int      `json:"digits"`
	Type      string   `json:"type"`
	Algorithm string   `json:"algorithm"`
	Period    int      `json:"period"`
	Counter   *uint64  `json:"counter"`
	Tags      []string `json:"tags"`
}

func importAndOTP(data []byte) ([]entry, error) {
	var list []andOTPEntry
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, jsonError("andotp", data, err)
	}
	now := time.Now()
	var entries []entry
	for i, e := range list {
		issuer, name := e.Issuer, e.Label
		if issuer == "" {
			if is, n, ok := strings.Cut(name, ":"); ok {
				issuer, name = is, n
			}
		} else if p, ok := strings.CutPrefix(name, issuer+":"); ok {
			name = p
		}
		en := entry{where: entryName(i, issuer, name)}
		typ := strings.ToLower(firstNonEmpty(e.Type, "totp"))
		var counter uint64
		switch typ {
		case "hotp":
			if e.Counter == nil {
				en.err = ErrMissingCounter
			} else {
				counter = *e.Counter
			}
		case "totp", "steam":
		default:
			en.err = fmt.Errorf("%w: %q", ErrUnknownType, textutil.Clip(e.Type))
		}
		if en.err == nil {
			en.acc, en.err = fill(typ, issuer, name, e.Secret, e.Algorithm, e.Digits, e.Period, counter, now)
		}
		if en.err == nil {
			en.acc.Tags = append([]string(nil), e.Tags...)
		}
		entries = append(entries, en)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

// Merge returns the accounts of incoming that are not already in existing
// (nor earlier in incoming), by the duplicate rule of imports: same issuer
// (ignoring case), account name and secret, as vault.Account.SameCredential.
// dups counts the ones left out.
func Merge(existing, incoming []vault.Account) (added []vault.Account, dups int) {
	key := func(a *vault.Account) string {
		return strings.ToLower(a.Issuer) + "\x00" + a.Name + "\x00" + string(a.Secret)
	}
	have := make(map[string]bool, len(existing)+len(incoming))
	for i := range existing {
		have[key(&existing[i])] = true
	}
	for i := range incoming {
		k := key(&incoming[i])
		if have[k] {
			dups++
			continue
		}
		have[k] = true
		added = append(added, incoming[i])
	}
	return added, dups
}

// ShortSecretWarning is the warning (ErrShortSecret) an account whose
// secret is under 80 bits gets wherever it comes in (imports, add), or nil.
func ShortSecretWarning(a *vault.Account) error {
	if !a.ShortSecret() {
		return nil
	}
	return fmt.Errorf("%w: the secret is only %d bits (under 80); imported as the server issued it", ErrShortSecret, len(a.Secret)*8)
}
