package scanner

import (
	"fmt"
	"strings"
)

// WinAuth's text export is one otpauth:// URI per line, as WinAuth's ToUrl
// writes them: otpauth://totp/[issuer:]label?secret=…&digits=N, then issuer,
// algorithm, serial (Battle.net, without dashes), deviceid and data (Steam)
// or counter (HOTP), and period. Steam authenticators are written as totp
// with digits=5: vmfa reads them as Steam accounts. A URI without an issuer
// is labelled with the authenticator's own name: like Aegis, vmfa makes that
// name the issuer and "WinAuth" the account name. The serial is kept.

func importWinAuth(data []byte) ([]entry, error) {
	entries := uriLines(data, func(n int, line string) entry {
		e := entry{where: fmt.Sprintf("line %d", n)}
		if !hasPrefixFold(line, otpauthScheme) {
			e.err = ErrNotOTPAuth
			return e
		}
		q := uriQuery(line)
		if rest, ok := cutPrefixFold(line, otpauthScheme+"totp/"); ok && (q["deviceid"] != "" || strings.TrimSpace(q["digits"]) == "5") {
			line = otpauthScheme + "steam/" + rest
		}
		accs, err := ParseURI(line)
		if err != nil {
			e.err = err
			return e
		}
		e.acc = accs[0]
		if e.acc.Issuer == "" {
			e.acc.Issuer, e.acc.Name = e.acc.Name, "WinAuth"
		}
		if s := strings.TrimSpace(q["serial"]); s != "" {
			e.acc.Serial = s
		}
		e.err = e.acc.Validate()
		return e
	})
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if hasPrefixFold(s, prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
