package scanner

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// Bitwarden exports. The JSON export is
//
//	{"encrypted": false, "folders": [{"id": "…", "name": "…"}],
//	 "items": [{"type": 1, "name": "…", "notes": "…", "favorite": false,
//	   "folderId": "…", "login": {"username": "…", "totp": "…"}}, …]}
//
// and the CSV export has the columns folder, favorite, type, name, notes,
// fields, reprompt, login_uri, login_username, login_password, login_totp.
// login.totp is an otpauth:// URI, steam://SECRET or a bare Base32 secret.
// Items without a TOTP are not accounts and are passed over. A
// password-protected export ("encrypted": true, "passwordProtected": true)
// is encrypted as a whole; an "account restricted" one ("encrypted": true
// without passwordProtected) is encrypted with the Bitwarden account's own
// key and opens only in Bitwarden.

type bitwardenFile struct {
	Encrypted         bool  `json:"encrypted"`
	PasswordProtected *bool `json:"passwordProtected"`
	Folders           []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"folders"`
	Items *[]bitwardenItem `json:"items"`
}

type bitwardenItem struct {
	Type     int     `json:"type"`
	Name     string  `json:"name"`
	Notes    *string `json:"notes"`
	Favorite bool    `json:"favorite"`
	FolderID *string `json:"folderId"`
	Login    *struct {
		Username *string `json:"username"`
		TOTP     *string `json:"totp"`
	} `json:"login"`
}

// ParseBitwarden reads a Bitwarden plain JSON export (also the decrypted
// payload of a password-protected one). It is all or nothing.
func ParseBitwarden(data []byte) ([]vault.Account, error) {
	entries, err := importBitwardenJSON(jsonText(data))
	if err != nil {
		return nil, err
	}
	return firstError(entries)
}

func importBitwardenJSON(data []byte) ([]entry, error) {
	var f bitwardenFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonError("bitwarden", data, err)
	}
	if f.Encrypted {
		if f.PasswordProtected != nil && *f.PasswordProtected {
			return nil, needPassword(bitwardenEncName)
		}
		return nil, ErrAccountRestricted
	}
	if f.Items == nil {
		return nil, errors.New(`not a valid bitwarden file: no "items" list`)
	}
	folders := map[string]string{}
	for _, fo := range f.Folders {
		folders[fo.ID] = fo.Name
	}
	now := time.Now()
	var entries []entry
	for i, it := range *f.Items {
		if it.Login == nil || it.Login.TOTP == nil || strings.TrimSpace(*it.Login.TOTP) == "" {
			continue
		}
		user := deref(it.Login.Username)
		e := entry{where: entryName(i, it.Name, user)}
		e.acc, e.err = totpValue(*it.Login.TOTP, it.Name, user, now)
		if e.err == nil {
			e.acc.Note = oneLine(deref(it.Notes))
			e.acc.Favourite = it.Favorite
			if it.FolderID != nil {
				if n := strings.TrimSpace(folders[*it.FolderID]); n != "" {
					e.acc.Tags = []string{n}
				}
			}
			e.err = e.acc.Validate()
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: no bitwarden item has a totp", ErrNoAccounts)
	}
	return entries, nil
}

func importBitwardenCSV(data []byte) ([]entry, error) {
	return csvRecords(data, "bitwarden csv", "login_totp", func(get func(string) string) (vault.Account, bool, error) {
		v := get("login_totp")
		if strings.TrimSpace(v) == "" {
			return vault.Account{}, false, nil
		}
		a, err := totpValue(v, get("name"), get("login_username"), time.Now())
		if err != nil {
			return a, true, err
		}
		a.Note = oneLine(get("notes"))
		a.Favourite = get("favorite") == "1" || strings.EqualFold(get("favorite"), "true")
		if f := strings.TrimSpace(get("folder")); f != "" {
			a.Tags = []string{f}
		}
		return a, true, a.Validate()
	})
}

// csvRecords reads a password manager's CSV export by its header row
// (column names case-insensitive). fn makes the account of one record, or
// says the record holds none.
func csvRecords(data []byte, what, need string, fn func(get func(string) string) (vault.Account, bool, error)) ([]entry, error) {
	if len(data) > maxCSVBytes {
		return nil, fmt.Errorf("not a valid %s file: over %d MiB", what, maxCSVBytes>>20)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("not a valid %s file: %v", what, strings.TrimPrefix(csvError(err).Error(), ErrCSV.Error()+": "))
	}
	cols := map[string]int{}
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := cols[k]; !dup {
			cols[k] = i
		}
	}
	if _, ok := cols[need]; !ok {
		return nil, fmt.Errorf("not a valid %s file: the header has no %q column", what, need)
	}
	var entries []entry
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a valid %s file: %v", what, strings.TrimPrefix(csvError(err).Error(), ErrCSV.Error()+": "))
		}
		line, _ := r.FieldPos(0)
		get := func(c string) string {
			if i, ok := cols[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		a, ok, err := fn(get)
		if !ok {
			continue
		}
		entries = append(entries, entry{where: fmt.Sprintf("line %d", line), acc: a, err: err})
		if len(entries) > MaxImportAccounts {
			break
		}
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: no record of the %s file has a totp", ErrNoAccounts, what)
	}
	return entries, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
