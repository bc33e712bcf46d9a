package scanner

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/vault"
)

// FreeOTP 1.x and FreeOTP+ keep each token as JSON:
//
//	{"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": "…",
//	 "issuerInt": "…", "label": "…", "period": 30,
//	 "secret": [-28, -110, …], "type": "TOTP"}
//
// where secret is the key as signed Java bytes. FreeOTP+ exports
// {"tokenOrder": [...], "tokens": [...]}; both apps' private
// shared_prefs/tokens.xml is an Android preferences <map> of
// <string name="issuer:label">token JSON</string> plus a "tokenOrder"
// entry. A token whose issuer is "Steam" is a Steam account (as Aegis
// reads it).

type freeOTPToken struct {
	Algo      string  `json:"algo"`
	Counter   *int64  `json:"counter"`
	Digits    int     `json:"digits"`
	IssuerExt string  `json:"issuerExt"`
	IssuerInt string  `json:"issuerInt"`
	Label     string  `json:"label"`
	Period    int     `json:"period"`
	Secret    []int16 `json:"secret"`
	Type      string  `json:"type"`
}

// ParseFreeOTPToken reads one FreeOTP token's JSON. secret, when not nil,
// is the token's key (FreeOTP 2.x keeps it apart, encrypted); otherwise the
// JSON's "secret" list is.
func ParseFreeOTPToken(tokenJSON, secret []byte) (vault.Account, error) {
	var t freeOTPToken
	if err := json.Unmarshal(tokenJSON, &t); err != nil {
		return vault.Account{}, jsonError("freeotp token", tokenJSON, err)
	}
	return freeOTPAccount(&t, secret, time.Now())
}

// ParseFreeOTPPlus reads a FreeOTP+ JSON export. It is all or nothing.
func ParseFreeOTPPlus(data []byte) ([]vault.Account, error) {
	entries, err := importFreeOTPPlus(jsonText(data))
	if err != nil {
		return nil, err
	}
	return firstError(entries)
}

func freeOTPAccount(t *freeOTPToken, secret []byte, now time.Time) (vault.Account, error) {
	issuer := firstNonEmpty(t.IssuerExt, t.IssuerInt)
	a := vault.Account{Issuer: issuer, Name: strings.TrimSpace(t.Label)}
	if secret == nil {
		secret = make([]byte, 0, len(t.Secret))
		for _, b := range t.Secret {
			if b < -128 || b > 255 {
				return a, fmt.Errorf("the secret holds %d, not a byte", b)
			}
			secret = append(secret, byte(b))
		}
	}
	if len(secret) == 0 {
		return a, ErrEmptySecret
	}
	a.Secret = secret
	var err error
	if a.Algorithm, err = vault.ParseAlgorithm(t.Algo); err != nil {
		if strings.EqualFold(strings.TrimSpace(t.Algo), "md5") {
			return a, ErrUnsupportedAlgorithm
		}
		return a, err
	}
	switch strings.ToLower(strings.TrimSpace(t.Type)) {
	case "totp", "":
		a.Type = vault.TOTP
		if strings.EqualFold(issuer, "steam") {
			a.Type = vault.Steam
		}
		if t.Period < 0 {
			return a, fmt.Errorf("%w (got %d)", ErrPeriod, t.Period)
		}
		a.Period = t.Period
	case "hotp":
		a.Type = vault.HOTP
		if t.Counter == nil {
			return a, ErrMissingCounter
		}
		if *t.Counter < 0 {
			return a, fmt.Errorf("%w (got %d)", ErrCounter, *t.Counter)
		}
		a.Counter = uint64(*t.Counter)
	default:
		return a, fmt.Errorf("%w: %q", ErrUnknownType, textutil.Clip(t.Type))
	}
	if a.Type != vault.Steam {
		if t.Digits != 0 && (t.Digits < vault.MinDigits || t.Digits > vault.MaxDigits) {
			return a, fmt.Errorf("%w (got %d)", ErrDigits, t.Digits)
		}
		a.Digits = t.Digits
	}
	return a, a.Normalize(now)
}

func importFreeOTPPlus(data []byte) ([]entry, error) {
	var f struct {
		Tokens *[]json.RawMessage `json:"tokens"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError("freeotp+", data, err)
	}
	if f.Tokens == nil {
		return nil, errors.New(`not a valid freeotp+ file: no "tokens" list`)
	}
	now := time.Now()
	var entries []entry
	for i, raw := range *f.Tokens {
		var t freeOTPToken
		if err := json.Unmarshal(raw, &t); err != nil {
			entries = append(entries, entry{where: fmt.Sprintf("entry %d", i+1), err: jsonError("freeotp+ token", raw, err)})
			continue
		}
		e := entry{where: entryName(i, firstNonEmpty(t.IssuerExt, t.IssuerInt), t.Label)}
		e.acc, e.err = freeOTPAccount(&t, nil, now)
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

// prefEntry is one entry of an Android shared-preferences file.
type prefEntry struct {
	Kind  string // string, int, long, boolean, set
	Name  string
	Value string // the text of a <string>, the value attribute otherwise
}

// readPrefs reads an Android shared-preferences XML file: <map> holding
// <string name="…">text</string> and <int|long|boolean name="…" value="…"/>.
func readPrefs(data []byte, what string) ([]prefEntry, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(cs string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "us-ascii") {
			return r, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", textutil.Clip(cs))
	}
	var m struct {
		XMLName xml.Name
		Items   []struct {
			XMLName xml.Name
			Name    string `xml:"name,attr"`
			Value   string `xml:"value,attr"`
			Text    string `xml:",chardata"`
		} `xml:",any"`
	}
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a valid %s file: not valid xml (%v)", what, err)
	}
	if m.XMLName.Local != "map" {
		return nil, fmt.Errorf("not a valid %s file: the root element is <%s>, not <map>", what, textutil.Clip(m.XMLName.Local))
	}
	out := make([]prefEntry, 0, len(m.Items))
	for _, it := range m.Items {
		e := prefEntry{Kind: it.XMLName.Local, Name: it.Name, Value: it.Value}
		if e.Kind == "string" {
			e.Value = it.Text
		}
		out = append(out, e)
	}
	return out, nil
}

func importFreeOTPXML(data []byte) ([]entry, error) {
	prefs, err := readPrefs(data, "freeotp tokens.xml")
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var entries []entry
	for _, p := range prefs {
		if p.Kind != "string" || p.Name == "tokenOrder" {
			continue
		}
		where := fmt.Sprintf("token %q", textutil.Clip(p.Name))
		var t freeOTPToken
		if err := json.Unmarshal([]byte(p.Value), &t); err != nil {
			entries = append(entries, entry{where: where, err: jsonError("freeotp token", []byte(p.Value), err)})
			continue
		}
		e := entry{where: where}
		e.acc, e.err = freeOTPAccount(&t, nil, now)
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}
