package scanner

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/vault"
)

// Token CSV layouts for hardware OATH TOTP tokens:
//
//   - Microsoft Entra ID: a header row
//     "upn,serial number,secret key,time interval,manufacturer,model",
//     read by column name (any order, extra columns ignored, names
//     case-insensitive);
//   - the older MFA Server layout without a header:
//     "serial,secret,interval".
//
// Secrets are Base32. Each account keeps the token's serial number in
// Account.Serial; its name is the user (upn) or, without one, the serial.

// maxCSVBytes bounds a token file: 100k tokens fit in a few MiB.
const maxCSVBytes = 32 << 20

// entry is one record of an import file: the account it gave, or why not.
type entry struct {
	where string // "line 3", "entry 2 (GitHub: bob)"
	acc   vault.Account
	err   error
	// skip: a record of a kind vmfa does not support (a PSKC key of another
	// algorithm): left out and named (err says why), not invalid.
	skip bool
}

// ParseTokenCSV reads a hardware-token CSV file (see the layouts above). It
// is all or nothing: the first bad row is an error naming its line.
func ParseTokenCSV(r io.Reader) ([]vault.Account, error) {
	entries, err := parseTokenCSV(r)
	if err != nil {
		return nil, err
	}
	return firstError(entries)
}

// firstError returns the accounts of entries, or the first entry's error.
func firstError(entries []entry) ([]vault.Account, error) {
	out := make([]vault.Account, 0, len(entries))
	var skipped []entry
	for _, e := range entries {
		if e.skip {
			skipped = append(skipped, e)
			continue
		}
		if e.err != nil {
			return nil, &EntryError{Entry: e.where, Err: e.err}
		}
		out = append(out, e.acc)
	}
	if len(out) == 0 {
		if len(skipped) > 0 {
			return nil, noSupported(skipped)
		}
		return nil, ErrNoAccounts
	}
	return out, nil
}

// noSupported is the error of a file whose every record was skipped.
func noSupported(skipped []entry) error {
	return fmt.Errorf("%w: no record vmfa supports (%s: %v)", ErrNoAccounts, skipped[0].where, skipped[0].err)
}

// EntryError is an error in one entry of an import file.
type EntryError struct {
	Entry string // where: "line 3", "entry 2 (GitHub: bob)", "key 1 (serial 123)"
	Err   error
}

func (e *EntryError) Error() string { return e.Entry + ": " + e.Err.Error() }
func (e *EntryError) Unwrap() error { return e.Err }

var csvColumns = map[string]string{
	"upn": "upn", "user": "upn", "username": "upn", "user principal name": "upn",
	"serial number": "serial", "serial": "serial", "serialnumber": "serial", "serial no": "serial",
	"secret key": "secret", "secret": "secret", "secretkey": "secret", "key": "secret",
	"time interval": "interval", "interval": "interval", "timeinterval": "interval", "period": "interval",
	"manufacturer": "manufacturer", "model": "model",
}

func parseTokenCSV(r io.Reader) ([]entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCSVBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCSVBytes {
		return nil, fmt.Errorf("%w: the file is over %d MiB", ErrCSV, maxCSVBytes>>20)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false

	var (
		cols    map[string]int
		entries []entry
		first   = true
		now     = time.Now()
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if first {
			first = false
			if h := csvHeader(rec); h != nil {
				if _, ok := h["secret"]; !ok {
					return nil, fmt.Errorf("%w: the header has no \"secret key\" column", ErrCSV)
				}
				if _, ok := h["serial"]; !ok {
					return nil, fmt.Errorf("%w: the header has no \"serial number\" column", ErrCSV)
				}
				cols = h
				continue
			}
		}
		get := func(name string) string {
			if cols == nil {
				i := map[string]int{"serial": 0, "secret": 1, "interval": 2}[name]
				if name == "upn" || name == "manufacturer" || name == "model" {
					return ""
				}
				if i < len(rec) {
					return strings.TrimSpace(rec[i])
				}
				return ""
			}
			if i, ok := cols[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		where := fmt.Sprintf("line %d", line)
		if cols == nil && len(rec) < 2 {
			entries = append(entries, entry{where: where, err: fmt.Errorf("%w: want serial,secret,interval or a header row", ErrCSV)})
			continue
		}
		e := entry{where: where}
		e.acc, e.err = tokenAccount(get("upn"), get("serial"), get("secret"), get("interval"), get("manufacturer"), get("model"), now)
		if e.err == nil {
			e.where = fmt.Sprintf("line %d (serial %s)", line, e.acc.Serial)
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

// csvError says where and how a CSV file breaks the quoting rules, in
// words rather than encoding/csv's.
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%w: %v", ErrCSV, err)
	}
	var what string
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		what = `a " inside a field that does not start with one (put the whole field in double quotes and double the " inside)`
	case errors.Is(pe.Err, csv.ErrQuote):
		if pe.StartLine != pe.Line {
			return fmt.Errorf("%w: line %d: a quoted field that starts on this line is still open at line %d (a \" is missing or extra)", ErrCSV, pe.StartLine, pe.Line)
		}
		what = `a quoted field is not closed, or has a stray " after its closing quote (double a " inside a quoted field)`
	case errors.Is(pe.Err, csv.ErrFieldCount):
		what = "a different number of fields from the first row"
	default:
		what = pe.Err.Error()
	}
	return fmt.Errorf("%w: line %d, column %d: %s", ErrCSV, pe.Line, pe.Column, what)
}

// csvHeader recognises a header row: it maps our column names to indexes,
// or returns nil when rec looks like data.
func csvHeader(rec []string) map[string]int {
	h := map[string]int{}
	for i, f := range rec {
		k := strings.ToLower(strings.Join(strings.Fields(f), " "))
		if c, ok := csvColumns[k]; ok {
			if _, dup := h[c]; !dup {
				h[c] = i
			}
		}
	}
	if len(h) < 2 {
		return nil
	}
	return h
}

func tokenAccount(upn, serial, secret, interval, manufacturer, model string, now time.Time) (vault.Account, error) {
	a := vault.Account{Type: vault.TOTP, Algorithm: vault.SHA1, Digits: 6, Serial: serial}
	if serial == "" {
		return a, errors.New("serial number is empty")
	}
	var err error
	if a.Secret, err = vault.DecodeSecret(secret); err != nil {
		return a, err
	}
	a.Period = vault.DefaultPeriod
	if interval != "" {
		p, err := strconv.Atoi(interval)
		if err != nil || p <= 0 {
			return a, fmt.Errorf("%w (got %q)", ErrPeriod, textutil.Clip(interval))
		}
		if p > vault.MaxPeriod {
			return a, fmt.Errorf("%w: the time step must be at most 86,400 s (got %d)", ErrPeriod, p)
		}
		a.Period = p
	}
	a.Name = upn
	if a.Name == "" {
		a.Name = serial
	}
	a.Issuer = manufacturer
	if model != "" {
		a.Note = "model " + model
	}
	return a, a.Normalize(now)
}
