package scanner

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/vault"
)

// Ente Auth exports. The plain export is a text file of otpauth:// URIs,
// one per line, each with Ente's own codeDisplay parameter: URL-escaped
// JSON such as {"pinned":false,"trashed":false,"lastUsedAt":0,
// "tapCount":0,"tags":["work"],"note":"…"}. Pinned codes become
// favourites, tags tags, the note the note. Ente writes Steam accounts as
// otpauth://steam/…. The encrypted export is JSON with "kdfParams"
// (memLimit, opsLimit, salt), "encryptedData" and "encryptionNonce"; its
// plaintext is the same text.

type enteDisplay struct {
	Pinned  bool     `json:"pinned"`
	Trashed bool     `json:"trashed"`
	Tags    []string `json:"tags"`
	Note    string   `json:"note"`
}

// ParseEnte reads an Ente Auth plain export (also the decrypted payload of
// an encrypted one). It is all or nothing.
func ParseEnte(data []byte) ([]vault.Account, error) {
	entries, err := importEnte(data)
	if err != nil {
		return nil, err
	}
	return firstError(entries)
}

func importEnte(data []byte) ([]entry, error) {
	if t := trimText(data); len(t) > 0 && t[0] == '{' {
		return nil, needPassword(enteEncName)
	}
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
		if cd, ok := uriQuery(line)["codedisplay"]; ok && cd != "" {
			var d enteDisplay
			if err := json.Unmarshal([]byte(cd), &d); err != nil {
				e.err = fmt.Errorf("%w: the codeDisplay parameter is not valid json", ErrMalformedURI)
				return e
			}
			e.acc.Favourite = d.Pinned
			for _, t := range d.Tags {
				if t = strings.TrimSpace(t); t != "" {
					e.acc.Tags = append(e.acc.Tags, t)
				}
			}
			e.acc.Note = oneLine(d.Note)
			e.err = e.acc.Validate()
		}
		return e
	})
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}
