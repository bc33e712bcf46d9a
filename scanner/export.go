package scanner

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vmfa/vmfa/vault"
)

// Export formats.
const (
	ExportURIs      = "uris"      // otpauth:// URIs, one per line
	ExportAegis     = "aegis"     // Aegis plain JSON (importable by Aegis and by vmfa)
	ExportMigration = "migration" // Google Authenticator transfer QR codes
)

// ExportFormats lists the names WriteExport and the CLI accept.
var ExportFormats = []string{ExportURIs, ExportAegis, ExportMigration}

// WriteURIs writes one otpauth:// URI per line.
func WriteURIs(w io.Writer, accs []vault.Account) error {
	bw := bufio.NewWriter(w)
	for _, a := range accs {
		bw.WriteString(AccountURI(a))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteAegis writes an unencrypted Aegis export (db version 3, as Aegis 3
// writes it) that Aegis and Import read back. Every tag becomes an Aegis
// group (an entry can be in several); the note is kept, and a serial
// number, which Aegis has no field for, is kept as a last line of the
// note, "serial: …", which Import reads back into Account.Serial.
func WriteAegis(w io.Writer, accs []vault.Account) error {
	type header struct {
		Slots  *int `json:"slots"`
		Params *int `json:"params"`
	}
	out := struct {
		Version int        `json:"version"`
		Header  header     `json:"header"`
		DB      aegisOutDB `json:"db"`
	}{Version: 1, DB: aegisExportDB(accs)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

type aegisOutInfo struct {
	Secret  string  `json:"secret"`
	Algo    string  `json:"algo"`
	Digits  int     `json:"digits"`
	Period  int     `json:"period,omitempty"`
	Counter *uint64 `json:"counter,omitempty"`
	PIN     string  `json:"pin,omitempty"` // yandex, motp
}

type aegisOutEntry struct {
	Type     string       `json:"type"`
	UUID     string       `json:"uuid"`
	Name     string       `json:"name"`
	Issuer   string       `json:"issuer"`
	Note     string       `json:"note"`
	Favorite bool         `json:"favorite"`
	Icon     *string      `json:"icon"`
	Info     aegisOutInfo `json:"info"`
	Groups   []string     `json:"groups"`
}

type aegisOutGroup struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

type aegisOutDB struct {
	Version        int             `json:"version"`
	Entries        []aegisOutEntry `json:"entries"`
	Groups         []aegisOutGroup `json:"groups"`
	IconsOptimized bool            `json:"icons_optimized"`
}

// aegisExportDB is the db of an Aegis export (db version 3), plain or
// encrypted.
func aegisExportDB(accs []vault.Account) aegisOutDB {
	db := aegisOutDB{Version: 3, Entries: []aegisOutEntry{}, Groups: []aegisOutGroup{}, IconsOptimized: true}
	groupID := map[string]string{}
	for _, a := range accs {
		e := aegisOutEntry{
			Type: string(a.Type), UUID: uuid4(), Name: a.Name, Issuer: a.Issuer, Note: noteWithSerial(a.Note, a.Serial), Favorite: a.Favourite,
			Info:   aegisOutInfo{Secret: vault.EncodeSecret(a.Secret), Algo: string(a.Algorithm), Digits: a.Digits, PIN: a.PIN},
			Groups: []string{},
		}
		if e.Type == "" {
			e.Type = string(vault.TOTP)
		}
		if e.Info.Algo == "" {
			e.Info.Algo = string(vault.SHA1)
		}
		if a.Type == vault.HOTP {
			// Aegis shows the code of the counter it holds (HotpInfo.getOtp)
			// and moves on only when asked; vmfa holds the last counter it
			// handed out. Aegis gets the next unused one.
			c := AegisCounter(a.Counter)
			e.Info.Counter = &c
		} else {
			e.Info.Period = a.Period
			if e.Info.Period == 0 {
				e.Info.Period = vault.DefaultPeriod
			}
		}
		for _, t := range a.Tags {
			id, ok := groupID[t]
			if !ok {
				id = uuid4()
				groupID[t] = id
				db.Groups = append(db.Groups, aegisOutGroup{UUID: id, Name: t})
			}
			if !slices.Contains(e.Groups, id) {
				e.Groups = append(e.Groups, id)
			}
		}
		db.Entries = append(db.Entries, e)
	}
	return db
}

// serialPrefix starts the note line that holds a serial number in an
// Aegis export.
const serialPrefix = "serial: "

// noteWithSerial adds the serial number to a note as its last line.
func noteWithSerial(note, serial string) string {
	switch {
	case serial == "":
		return note
	case note == "":
		return serialPrefix + serial
	}
	return note + "\n" + serialPrefix + serial
}

// splitSerial undoes noteWithSerial: the serial number on the note's last
// line, and the rest of the note.
func splitSerial(note string) (rest, serial string) {
	i := strings.LastIndexByte(note, '\n')
	last := strings.TrimSpace(note[i+1:])
	if len(last) <= len(serialPrefix) || !strings.EqualFold(last[:len(serialPrefix)], serialPrefix) {
		return note, ""
	}
	serial = strings.TrimSpace(last[len(serialPrefix):])
	if i < 0 {
		return "", serial
	}
	return strings.TrimRight(note[:i], "\r\n"), serial
}

func uuid4() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("vmfa: crypto/rand failed: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// MigrationQR is one QR code of a Google Authenticator export.
type MigrationQR struct {
	URI string // otpauth-migration://offline?data=…
	PNG []byte // the QR code
}

// MigrationExport encodes accounts as Google Authenticator transfer QR
// codes of at most MaxMigrationBatch accounts each, with the batch fields
// set (size, index and a random batch id), each rendered as a size-pixel
// PNG. Accounts the format cannot hold (Steam, periods other than 30 s,
// 7 digits) make it fail, naming them all.
func MigrationExport(accs []vault.Account, size int) ([]MigrationQR, error) {
	var bad []string
	for _, a := range accs {
		if _, err := EncodeMigration([]vault.Account{a}, 1, 0, 0); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("cannot export to google authenticator: %s", strings.Join(bad, "; "))
	}
	var id [4]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	batchID := int(int32(uint32(id[0])<<24|uint32(id[1])<<16|uint32(id[2])<<8|uint32(id[3])) & 0x7fffffff)
	uris, err := MigrationURIs(accs, batchID)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationQR, 0, len(uris))
	for _, u := range uris {
		png, err := QRPNG(u, size)
		if err != nil {
			return nil, err
		}
		out = append(out, MigrationQR{URI: u, PNG: png})
	}
	return out, nil
}

// AegisCounter is the counter an Aegis export holds for an HOTP account
// whose last used counter is last: the next one (Aegis's first code is the
// code of the counter it holds). An import from Aegis keeps Aegis's counter
// as the last used one, since Aegis may have shown that code.
func AegisCounter(last uint64) uint64 {
	if last == ^uint64(0) {
		return last
	}
	return last + 1
}
