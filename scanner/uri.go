package scanner

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/vault"
)

const (
	otpauthScheme   = "otpauth://"
	migrationScheme = "otpauth-migration://"
	// maxURILen bounds what the parsers look at; a QR code holds at most
	// 2953 bytes, a migration export of many accounts pasted as text a bit
	// more.
	maxURILen = 64 << 10
)

// ParseURI parses one otpauth:// URI (one account) or one
// otpauth-migration:// URI (all the accounts it holds). The returned
// accounts are normalised and valid (ID and creation time set).
//
// Parsing follows Google's Key URI format strictly: the type is totp or
// hotp (or steam, as Aegis writes it); the label is "issuer:account" with
// percent-escapes, and the issuer parameter is preferred over the label's
// prefix; the secret is Base32, forgiving about case, spaces and padding;
// algorithm is SHA1, SHA256 or SHA512; digits 6 to 8; period above 0;
// counter is required for hotp. Unknown parameters are ignored. Every
// invalid case has its own error (see the Err variables).
func ParseURI(s string) ([]vault.Account, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxURILen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformedURI, maxURILen)
	}
	switch {
	case hasPrefixFold(s, otpauthScheme):
		a, err := parseOTPAuth(s)
		if err != nil {
			return nil, err
		}
		return []vault.Account{a}, nil
	case hasPrefixFold(s, migrationScheme):
		m, err := DecodeMigration(s)
		if err != nil {
			return nil, err
		}
		return m.Accounts, nil
	}
	return nil, ErrNotOTPAuth
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// parseOTPAuth parses one otpauth:// URI.
func parseOTPAuth(s string) (vault.Account, error) {
	var a vault.Account
	rest := s[len(otpauthScheme):]
	typ, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return a, fmt.Errorf("%w: no '/' between the type and the label", ErrMalformedURI)
	}
	switch t := strings.ToLower(typ); t {
	case "totp", "hotp", "steam", "motp":
		a.Type = vault.Type(t)
	case "yaotp", "yandex":
		a.Type = vault.Yandex
	case "":
		return a, fmt.Errorf("%w: the type is missing (want totp or hotp)", ErrUnknownType)
	default:
		return a, fmt.Errorf("%w: %q", ErrUnknownType, textutil.Clip(typ))
	}
	// A fragment has no meaning in a key URI; drop it like a browser would.
	rest, _, _ = strings.Cut(rest, "#")
	rawLabel, rawQuery, _ := strings.Cut(rest, "?")
	label, err := url.PathUnescape(rawLabel)
	if err != nil {
		return a, fmt.Errorf("%w: bad percent-escape in the label", ErrMalformedURI)
	}
	labelIssuer, name, hasIssuer := strings.Cut(label, ":")
	if !hasIssuer {
		name, labelIssuer = labelIssuer, ""
	}
	a.Name = strings.TrimSpace(name)
	labelIssuer = strings.TrimSpace(labelIssuer)

	params, err := parseParams(rawQuery)
	if err != nil {
		return a, err
	}

	a.Issuer = labelIssuer
	if v, ok := params["issuer"]; ok && strings.TrimSpace(v) != "" {
		a.Issuer = strings.TrimSpace(v)
		// An issuer that itself holds a colon: cut the label after it,
		// not at its first colon.
		if p, ok := strings.CutPrefix(label, v+":"); ok && strings.Contains(v, ":") {
			a.Name = strings.TrimSpace(p)
		}
	}
	if a.Name == "" && a.Issuer == "" {
		return a, ErrMissingLabel
	}

	// KeePassXC and others mark Steam accounts with encoder=steam on a
	// totp URI: the code is Steam's five characters whatever the URI says
	// about digits and period (Steam ignores them too).
	if enc, ok := params["encoder"]; ok && strings.EqualFold(strings.TrimSpace(enc), "steam") {
		if a.Type == vault.HOTP {
			return a, fmt.Errorf("%w: encoder=steam on an hotp uri", ErrUnknownType)
		}
		a.Type = vault.Steam
		delete(params, "digits")
		delete(params, "period")
		delete(params, "algorithm")
	}

	sec, ok := params["secret"]
	if !ok {
		return a, ErrMissingSecret
	}
	// A secret a server issued is taken down to 32 bits (imports warn).
	if a.Secret, err = vault.DecodeSecret(sec); err != nil {
		return a, err
	}

	if a.Type == vault.Yandex || a.Type == vault.MOTP {
		// Aegis's yandex and motp accounts: the PIN is part of the key; the
		// type fixes algorithm and digits.
		a.PIN = strings.TrimSpace(params["pin"])
		delete(params, "algorithm")
		delete(params, "digits")
		if a.Type == vault.Yandex {
			if a.Secret, err = vault.ParseYandexSecret(a.Secret); err != nil {
				return a, err
			}
		}
	}
	if v, ok := params["algorithm"]; ok {
		if strings.TrimSpace(v) == "" {
			return a, fmt.Errorf("%w: the algorithm parameter is empty", ErrUnknownAlgorithm)
		}
		if a.Algorithm, err = vault.ParseAlgorithm(v); err != nil {
			return a, fmt.Errorf("%w: %q", ErrUnknownAlgorithm, textutil.Clip(v))
		}
	}
	if v, ok := params["digits"]; ok && a.Type != vault.Steam {
		d, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || d < vault.MinDigits || d > vault.MaxDigits {
			return a, fmt.Errorf("%w (got %q)", ErrDigits, textutil.Clip(v))
		}
		a.Digits = d
	}
	if v, ok := params["period"]; ok && a.Type != vault.HOTP {
		p, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || p <= 0 || p > math.MaxInt32 {
			return a, fmt.Errorf("%w (got %q)", ErrPeriod, textutil.Clip(v))
		}
		a.Period = p
	}
	if a.Type == vault.HOTP {
		v, ok := params["counter"]
		if !ok {
			return a, ErrMissingCounter
		}
		c, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return a, fmt.Errorf("%w (got %q)", ErrCounter, textutil.Clip(v))
		}
		a.Counter = c
	}
	if err := a.Normalize(time.Now()); err != nil {
		return a, err
	}
	return a, nil
}

// parseParams splits a query into lower-cased keys. A repeated key is an
// error: which of two secrets would be meant?
func parseParams(raw string) (map[string]string, error) {
	out := make(map[string]string)
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("%w: bad percent-escape in a parameter name", ErrMalformedURI)
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("%w: bad percent-escape in the %s parameter", ErrMalformedURI, textutil.Clip(key))
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%w: the %s parameter appears twice", ErrMalformedURI, textutil.Clip(key))
		}
		out[key] = val
	}
	return out, nil
}

// AccountURI returns the otpauth:// Key URI of an account: label
// "issuer:name", then secret, issuer, algorithm, digits and period (TOTP) or
// counter (HOTP). Steam accounts use Aegis's otpauth://steam/ form; Yandex
// and mOTP accounts otpauth://yandex/ and otpauth://motp/ with their pin. Parsing
// the result with ParseURI gives back the same account (up to ID and
// creation time).
func AccountURI(a vault.Account) string {
	var b strings.Builder
	typ := a.Type
	if typ == "" {
		typ = vault.TOTP
	}
	b.WriteString(otpauthScheme)
	b.WriteString(string(typ))
	b.WriteByte('/')
	if a.Issuer != "" || strings.Contains(a.Name, ":") {
		b.WriteString(escape(a.Issuer))
		b.WriteByte(':')
	}
	b.WriteString(escape(a.Name))
	b.WriteString("?secret=")
	b.WriteString(vault.EncodeSecret(a.Secret))
	if a.Issuer != "" {
		b.WriteString("&issuer=")
		b.WriteString(escape(a.Issuer))
	}
	alg := a.Algorithm
	if alg == "" {
		alg = vault.SHA1
	}
	digits := a.Digits
	if digits == 0 {
		digits = vault.DefaultDigits
	}
	if a.PIN != "" {
		b.WriteString("&pin=")
		b.WriteString(escape(a.PIN))
	}
	if typ != vault.Steam && typ != vault.Yandex && typ != vault.MOTP {
		b.WriteString("&algorithm=")
		b.WriteString(string(alg))
		b.WriteString("&digits=")
		b.WriteString(strconv.Itoa(digits))
	}
	switch typ {
	case vault.HOTP:
		b.WriteString("&counter=")
		b.WriteString(strconv.FormatUint(a.Counter, 10))
	default:
		p := a.Period
		if p <= 0 {
			p = vault.DefaultPeriod
		}
		b.WriteString("&period=")
		b.WriteString(strconv.Itoa(p))
	}
	return b.String()
}

// escape percent-encodes everything but RFC 3986 unreserved characters, so
// that ':' in an issuer and '&' in a name stay inside their field.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '@' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
