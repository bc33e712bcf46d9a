package scanner

import (
	"fmt"
	"strings"
)

// WinAuth's text export is one otpauth:// URI per line. WinAuth labels a
// URI with the authenticator's own name and no issuer; like Aegis, vmfa
// makes that name the issuer and "WinAuth" the account name. A serial
// parameter (Battle.net authenticators) is kept as the serial.

func importWinAuth(data []byte) ([]entry, error) {
	entries := uriLines(data, func(n int, line string) entry {
		e := entry{where: fmt.Sprintf("line %d", n)}
		if !hasPrefixFold(line, otpauthScheme) {
			e.err = ErrNotOTPAuth
			return e
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
		if s := strings.TrimSpace(uriQuery(line)["serial"]); s != "" {
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
