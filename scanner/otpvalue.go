package scanner

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/vault"
)

// Helpers shared by the formats that carry an account as an otpauth:// URI
// or a bare secret inside their own records (Bitwarden, KeePassXC, Proton
// Authenticator, Ente Auth, WinAuth).

// totpValue reads a password manager's TOTP field: an otpauth:// URI, a
// steam://SECRET value, or a bare Base32 secret (TOTP, SHA1, 6 digits,
// 30 s). issuer and name label the account when the value does not (a bare
// secret, a steam:// value, a URI without a label).
func totpValue(v, issuer, name string, now time.Time) (vault.Account, error) {
	v = strings.TrimSpace(v)
	issuer, name = strings.TrimSpace(issuer), strings.TrimSpace(name)
	if name == "" {
		name, issuer = issuer, ""
	}
	switch {
	case hasPrefixFold(v, otpauthScheme):
		accs, err := ParseURI(v)
		if err == ErrMissingLabel && name != "" {
			// otpauth://totp/?secret=…: label it with the record's names.
			typ, rest, _ := strings.Cut(v[len(otpauthScheme):], "/")
			label := escape(name)
			if issuer != "" {
				label = escape(issuer) + ":" + label
			}
			accs, err = ParseURI(otpauthScheme + typ + "/" + label + strings.TrimLeft(rest, ":"))
		}
		if err != nil {
			return vault.Account{}, err
		}
		return accs[0], nil
	case hasPrefixFold(v, migrationScheme):
		return vault.Account{}, fmt.Errorf("%w: a google authenticator export inside a record (import it on its own)", ErrNotOTPAuth)
	case hasPrefixFold(v, "steam://"):
		a := vault.Account{Type: vault.Steam, Issuer: "Steam", Name: name}
		if issuer != "" && !strings.EqualFold(issuer, "steam") && name != "" {
			a.Name = issuer + " " + name
		}
		if a.Name == "" {
			a.Name = "Steam account"
		}
		var err error
		if a.Secret, err = vault.DecodeSecret(v[len("steam://"):]); err != nil {
			return a, err
		}
		return a, a.Normalize(now)
	case strings.Contains(v, "://"):
		scheme, _, _ := strings.Cut(v, "://")
		return vault.Account{}, fmt.Errorf("%w: a %q value", ErrNotOTPAuth, textutil.Clip(scheme))
	}
	a := vault.Account{Type: vault.TOTP, Issuer: issuer, Name: name}
	var err error
	if a.Secret, err = vault.DecodeSecret(v); err != nil {
		return a, err
	}
	return a, a.Normalize(now)
}

// uriLines calls fn for each line of a URI text file that is not blank or
// a comment, with its 1-based line number. Lines longer than a URI may be
// are that line's error, the same limit as everywhere else.
func uriLines(data []byte, fn func(n int, line string) entry) []entry {
	var out []entry
	n := 0
	for rest := data; len(rest) > 0; {
		var raw []byte
		raw, rest, _ = bytes.Cut(rest, []byte("\n"))
		n++
		line := strings.TrimSpace(strings.TrimPrefix(string(raw), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) > maxURILen {
			out = append(out, entry{where: fmt.Sprintf("line %d", n), err: fmt.Errorf("%w: longer than %d bytes", ErrMalformedURI, maxURILen)})
			continue
		}
		out = append(out, fn(n, line))
	}
	return out
}

// uriQuery returns the lower-cased parameters of an otpauth URI, or nil.
func uriQuery(uri string) map[string]string {
	_, q, ok := strings.Cut(uri, "?")
	if !ok {
		return nil
	}
	q, _, _ = strings.Cut(q, "#")
	m, err := parseParams(q)
	if err != nil {
		return nil
	}
	return m
}

// oneLine joins a multi-line note into one line (vmfa's notes have no
// control characters).
func oneLine(s string) string { return strings.Join(strings.FieldsFunc(s, isNoteBreak), " ") }
