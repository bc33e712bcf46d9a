package scanner

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Proton Authenticator's export:
//
//	{"version": 1, "entries": [{"id": "…", "content": {"uri": "otpauth://…",
//	  "entry_type": "Totp", "name": "…"}, "note": null}, …]}
//
// Each entry's content.uri is an otpauth:// URI (or steam://SECRET for a
// Steam entry); content.name is the account name shown in the app.

type protonFile struct {
	Version int `json:"version"`
	Entries *[]struct {
		Content *struct {
			URI       string `json:"uri"`
			EntryType string `json:"entry_type"`
			Name      string `json:"name"`
		} `json:"content"`
		Note *string `json:"note"`
	} `json:"entries"`
}

func importProton(data []byte) ([]entry, error) {
	var f protonFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError("proton authenticator", data, err)
	}
	if f.Entries == nil {
		return nil, errors.New(`not a valid proton authenticator file: no "entries" list`)
	}
	now := time.Now()
	var entries []entry
	for i, it := range *f.Entries {
		e := entry{where: fmt.Sprintf("entry %d", i+1)}
		if it.Content == nil || strings.TrimSpace(it.Content.URI) == "" {
			e.err = errors.New("the entry has no uri")
			entries = append(entries, e)
			continue
		}
		e.where = entryName(i, "", it.Content.Name)
		e.acc, e.err = totpValue(it.Content.URI, "", it.Content.Name, now)
		if e.err == nil {
			if n := strings.TrimSpace(it.Content.Name); n != "" {
				e.acc.Name = n
			}
			e.acc.Note = oneLine(deref(it.Note))
			e.err = e.acc.Validate()
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, ErrNoAccounts
	}
	return entries, nil
}
