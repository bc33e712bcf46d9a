package scanner

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vmfa/vmfa/vault"
)

// Found is one account read from a QR image.
type Found struct {
	Account vault.Account
	Source  string // the image file it was read from
}

// ScanFiles decodes every QR code in the given image files and parses the
// otpauth and otpauth-migration payloads into accounts, in file order. A
// Google Authenticator export spread over several images is put back
// together: when some of its codes are missing, the error says which
// (ErrBatchIncomplete). The same code given twice is read once.
//
// Every file is tried; the errors of all files that failed are joined
// (one line each, naming the file). On error the result still holds the
// accounts that were read, for display; a caller that stores accounts must
// treat any error as failure so that an import is all or nothing.
func ScanFiles(paths ...string) ([]Found, error) {
	var (
		found   []Found
		errs    []error
		seen    = map[string]bool{}
		batches batchTracker
	)
	for _, path := range paths {
		texts, err := DecodeFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got, ignored := 0, ""
		for _, text := range texts {
			if seen[text] {
				got++
				continue
			}
			switch {
			case hasPrefixFold(strings.TrimSpace(text), migrationScheme):
				m, err := DecodeMigration(text)
				if err == nil {
					err = batches.add(m)
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", path, err))
					continue
				}
				seen[text] = true
				got++
				for _, a := range m.Accounts {
					found = append(found, Found{Account: a, Source: path})
				}
			case hasPrefixFold(strings.TrimSpace(text), otpauthScheme):
				accs, err := ParseURI(text)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", path, err))
					continue
				}
				seen[text] = true
				got++
				for _, a := range accs {
					found = append(found, Found{Account: a, Source: path})
				}
			default:
				ignored = text
			}
		}
		if got == 0 && ignored != "" {
			errs = append(errs, fmt.Errorf("%s: %w (the QR code holds %s)", path, ErrNotOTPAuth, describePayload(ignored)))
		}
	}
	errs = append(errs, batches.check()...)
	return found, errors.Join(errs...)
}

// batchTracker notes the codes of multi-code migration exports and tells
// which are missing.
type batchTracker struct {
	batches map[int]*batch
	order   []int
}

type batch struct {
	size  int
	parts map[int]bool
}

// add notes one code; a code disagreeing with its batch's size is an
// error.
func (t *batchTracker) add(m *Migration) error {
	if m.BatchSize <= 1 {
		return nil
	}
	if t.batches == nil {
		t.batches = map[int]*batch{}
	}
	b := t.batches[m.BatchID]
	if b == nil {
		b = &batch{size: m.BatchSize, parts: map[int]bool{}}
		t.batches[m.BatchID] = b
		t.order = append(t.order, m.BatchID)
	}
	if b.size != m.BatchSize {
		return fmt.Errorf("%w: its codes disagree on how many there are (%d or %d)", ErrBatchIncomplete, b.size, m.BatchSize)
	}
	b.parts[m.BatchIndex] = true
	return nil
}

// check returns an ErrBatchIncomplete error for each export with codes
// missing, naming them (1-based).
func (t *batchTracker) check() []error {
	var errs []error
	for _, id := range t.order {
		b := t.batches[id]
		var missing []string
		for i := 0; i < b.size; i++ {
			if !b.parts[i] {
				missing = append(missing, fmt.Sprint(i+1))
			}
		}
		if len(missing) == 0 {
			continue
		}
		what := "code " + missing[0] + " of " + fmt.Sprint(b.size) + " is"
		if len(missing) > 1 {
			what = "codes " + strings.Join(missing, ", ") + " of " + fmt.Sprint(b.size) + " are"
		}
		errs = append(errs, fmt.Errorf("%w: %s missing (give every code of the export at once)", ErrBatchIncomplete, what))
	}
	return errs
}

// describePayload says what a QR code that is not an otpauth URI holds
// without repeating it: it may be a bare secret.
func describePayload(text string) string {
	if i := strings.Index(text, "://"); i > 0 && i <= 16 {
		scheme := text[:i]
		ok := true
		for _, r := range scheme {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
				ok = false
			}
		}
		if ok {
			return "a " + strings.ToLower(scheme) + ": link"
		}
	}
	return fmt.Sprintf("%d characters of text", utf8.RuneCountInString(text))
}
