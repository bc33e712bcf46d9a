package scanner

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// The import format table. Each row names a format, the apps that write
// it, whether it is encrypted, how --format auto recognises it, and its
// reader. Detection runs every row's detect on one probe of the file and
// accepts exactly one match: the detectors are written to exclude each
// other (a test feeds every format's sample to every detector), so a file
// is never read by the wrong parser. Formats vmfa recognises but cannot
// read (an app's private database) have a row whose reader says so.
//
// Adding a format: add a row here, a reader in its own file, its sample to
// formatSamples in formats_test.go, and a line to the README's table.

// FormatInfo describes one import format, for `vmfa import --list-formats`.
type FormatInfo struct {
	Name      string // the --format name
	Apps      string // the apps that write it
	Encrypted string // "no", "yes", "optional" or "-" (not readable)
	Detection string // how --format auto recognises it
}

type importFormat struct {
	FormatInfo
	// detect reports whether a probed file is in this format.
	detect func(p *probe) bool
	// read parses the whole file into entries.
	read func(data []byte, cfg *importConfig) ([]entry, error)
}

// Formats lists the import formats in --list-formats order.
func Formats() []FormatInfo {
	out := make([]FormatInfo, 0, len(importFormats))
	for _, f := range importFormats {
		out = append(out, f.FormatInfo)
	}
	return out
}

func formatNames() []string {
	names := []string{FormatAuto}
	for _, f := range importFormats {
		if f.Name != FormatImage {
			names = append(names, f.Name)
		}
	}
	return names
}

func findFormat(name string) *importFormat {
	for _, f := range importFormats {
		if f.Name == name {
			return f
		}
	}
	return nil
}

var importFormats = []*importFormat{
	{FormatInfo{FormatURIs, "any app: otpauth:// and otpauth-migration:// URIs, one per line", "no", "text whose first line is an otpauth:// or otpauth-migration:// URI, without Ente's codeDisplay or WinAuth's serial/deviceid parameters"},
		func(p *probe) bool { return p.uriText && !p.enteURIs && !p.winauthURIs },
		func(d []byte, _ *importConfig) ([]entry, error) { return importURIs(d, false) }},
	{FormatInfo{FormatMigration, "Google Authenticator transfer (otpauth-migration:// URIs)", "no", "only with --format (auto reads these as uris)"},
		func(*probe) bool { return false },
		func(d []byte, _ *importConfig) ([]entry, error) { return importURIs(d, true) }},
	{FormatInfo{FormatEnte, "Ente Auth (plain .txt export; encrypted .json export)", "optional", `otpauth:// URI text with Ente's codeDisplay parameter; encrypted: JSON with "kdfParams" and "encryptedData"`},
		func(p *probe) bool {
			return (p.uriText && p.enteURIs) || (p.has("kdfParams") && p.has("encryptedData"))
		},
		func(d []byte, cfg *importConfig) ([]entry, error) { return importEnteAny(d, cfg.password) }},
	{FormatInfo{FormatWinAuth, "WinAuth text export", "no", "otpauth:// URI text with WinAuth's serial or deviceid parameters (else: --format winauth)"},
		func(p *probe) bool { return p.uriText && p.winauthURIs && !p.enteURIs },
		func(d []byte, _ *importConfig) ([]entry, error) { return importWinAuth(d) }},
	{FormatInfo{FormatAegis, "Aegis (.json export)", "optional", `JSON object with "header" and "db"`},
		func(p *probe) bool { return p.has("db") && (p.has("header") || !p.has("items")) },
		func(d []byte, cfg *importConfig) ([]entry, error) { return importAegis(jsonText(d), cfg.password) }},
	{FormatInfo{Format2FAS, "2FAS Auth (.2fas backup)", "optional", `JSON object with "services" or "servicesEncrypted"`},
		func(p *probe) bool { return p.has("services") || p.has("servicesEncrypted") },
		func(d []byte, cfg *importConfig) ([]entry, error) { return import2FAS(jsonText(d), cfg.password) }},
	{FormatInfo{FormatAndOTP, "andOTP (.json backup)", "optional", `JSON list of objects with "secret"; the encrypted backup is binary`},
		func(p *probe) bool {
			return (p.isArray && !p.firstHas("otpGenerator")) || (p.binary && looksAndOTPEncrypted(p.data))
		},
		func(d []byte, cfg *importConfig) ([]entry, error) { return importAndOTPAny(d, cfg.password) }},
	{FormatInfo{FormatBitwarden, "Bitwarden (.json export)", "optional", `JSON object with "items"`},
		func(p *probe) bool {
			return !p.has("db") && (p.has("items") || p.has("passwordProtected") || p.has("encKeyValidation_DO_NOT_EDIT"))
		},
		func(d []byte, cfg *importConfig) ([]entry, error) {
			return importBitwardenAny(jsonText(d), cfg.password)
		}},
	{FormatInfo{FormatBitwardenCSV, "Bitwarden (.csv export)", "no", `CSV whose header has a "login_totp" column`},
		func(p *probe) bool { return p.csvHas("login_totp") },
		func(d []byte, _ *importConfig) ([]entry, error) { return importBitwardenCSV(d) }},
	{FormatInfo{FormatKeePassXC, "KeePassXC (.csv export)", "no", `CSV whose header has "Group", "Title" and "TOTP" (or "Password") columns`},
		func(p *probe) bool { return p.keepassXCCSV() },
		func(d []byte, _ *importConfig) ([]entry, error) { return importKeePassXC(d) }},
	{FormatInfo{FormatTOTPCSV, "password managers' CSV with a totp or otpauth column (LastPass, 1Password, Proton Pass, NordPass…)", "no", `CSV whose header has "totp", "otp" or "otpauth" (not Bitwarden's or KeePassXC's)`},
		func(p *probe) bool { return p.genericTOTPCSV() },
		func(d []byte, _ *importConfig) ([]entry, error) { return importTOTPCSV(d) }},
	{FormatInfo{FormatProton, "Proton Authenticator (.json export)", "no", `JSON object with "entries" whose items have "content"`},
		func(p *probe) bool { return p.has("entries") && !p.has("db") && p.mentions("content") },
		func(d []byte, _ *importConfig) ([]entry, error) { return importProton(jsonText(d)) }},
	{FormatInfo{FormatFreeOTPPlus, "FreeOTP+ (.json export)", "no", `JSON object with "tokens"`},
		func(p *probe) bool { return p.has("tokens") },
		func(d []byte, _ *importConfig) ([]entry, error) { return importFreeOTPPlus(jsonText(d)) }},
	{FormatInfo{FormatFreeOTP, "FreeOTP 1.x and FreeOTP+ (tokens.xml shared preferences, rooted phone)", "no", `Android preferences XML (<map>) with a "tokenOrder" entry`},
		func(p *probe) bool { return p.xmlRoot == "map" && p.prefs["tokenOrder"] && !p.prefs["masterKey"] },
		func(d []byte, _ *importConfig) ([]entry, error) { return importFreeOTPXML(d) }},
	{FormatInfo{FormatFreeOTPBackup, "FreeOTP 2.x (externalBackup.xml / tokens.xml with a master key)", "yes", `Java serialisation stream, or preferences XML with "masterKey"`},
		func(p *probe) bool { return p.javaSer || (p.xmlRoot == "map" && p.prefs["masterKey"]) },
		func(d []byte, cfg *importConfig) ([]entry, error) { return importFreeOTPBackup(d, cfg.password) }},
	{FormatInfo{FormatTOTPAuthenticator, "TOTP Authenticator (backup file)", "yes", "Base64 text of whole AES blocks, nothing else"},
		func(p *probe) bool { _, ok := totpAuthCiphertext(p.data); return ok && !p.binary },
		func(d []byte, cfg *importConfig) ([]entry, error) { return importTOTPAuth(d, cfg.password) }},
	{FormatInfo{FormatStratum, "Stratum / Authenticator Pro (.json backup)", "optional", `JSON object with "Authenticators"; encrypted: AUTHENTICATORPRO or AuthenticatorPro header`},
		func(p *probe) bool { return p.has("Authenticators") || p.stratumHeader },
		func(d []byte, cfg *importConfig) ([]entry, error) { return importStratumAny(d, cfg.password) }},
	{FormatInfo{FormatSteam, "Steam (Steam Desktop Authenticator .maFile, Steamguard file)", "no", `JSON object with "shared_secret", or "accounts" holding them`},
		func(p *probe) bool {
			return p.has("shared_secret") || (p.has("accounts") && p.mentions("shared_secret"))
		},
		func(d []byte, _ *importConfig) ([]entry, error) { return importSteam(jsonText(d)) }},
	{FormatInfo{FormatDuo, "Duo Mobile (accounts.json, rooted phone)", "no", `JSON list of objects with "otpGenerator"`},
		func(p *probe) bool { return p.isArray && p.firstHas("otpGenerator") },
		func(d []byte, _ *importConfig) ([]entry, error) { return importDuo(jsonText(d)) }},
	{FormatInfo{FormatBattleNet, "Battle.net Authenticator (shared preferences XML, rooted phone)", "no", "Android preferences XML with a com.blizzard authenticator secret"},
		func(p *probe) bool { return p.xmlRoot == "map" && (p.prefs[bnetHashKey] || p.prefs[bnetSecretKey]) },
		func(d []byte, _ *importConfig) ([]entry, error) { return importBattleNet(d) }},
	{FormatInfo{FormatAuthy, "Authy (com.authy.storage.tokens.authenticator.xml, rooted phone)", "optional", "Android preferences XML with Authy's authenticator token list"},
		func(p *probe) bool { return p.xmlRoot == "map" && p.prefs[authyTokensKey] },
		importAuthy},
	{FormatInfo{FormatCSV, "hardware OATH tokens (Microsoft Entra CSV, MFA Server serial,secret,interval)", "no", "any other CSV"},
		func(p *probe) bool {
			return p.csvLike && !p.csvHas("login_totp") && !p.keepassXCCSV() && !p.genericTOTPCSV()
		},
		func(d []byte, _ *importConfig) ([]entry, error) { return parseTokenCSV(bytes.NewReader(d)) }},
	{FormatInfo{FormatPSKC, "hardware OATH tokens (RFC 6030 PSKC key container)", "optional", "XML whose root is <KeyContainer>"},
		func(p *probe) bool { return p.xmlRoot == "KeyContainer" },
		func(d []byte, cfg *importConfig) ([]entry, error) { return parsePSKC(bytes.NewReader(d), cfg.pskc) }},
	{FormatInfo{FormatImage, "screenshots of QR codes (PNG, JPEG, GIF, BMP, WebP)", "no", "the image's magic bytes"},
		func(p *probe) bool { return p.image },
		func(d []byte, _ *importConfig) ([]entry, error) { return importImage(d) }},
	{FormatInfo{FormatZip, "zip archives (Authenticator Plus, Proton Pass exports)", "-", "zip magic bytes"},
		func(p *probe) bool { return p.zip },
		func([]byte, *importConfig) ([]entry, error) {
			return nil, fmt.Errorf("%w: this is a zip archive (an authenticator plus or proton pass export?): not supported, unpack it or export from the app as json, csv or otpauth uris", ErrUnsupportedFile)
		}},
	{FormatInfo{FormatGoogleDB, "Google Authenticator database (rooted phone)", "-", "SQLite file with Google Authenticator's accounts table"},
		func(p *probe) bool { return p.sqlite && bytes.Contains(p.data, []byte("original_name")) },
		func([]byte, *importConfig) ([]entry, error) {
			return nil, fmt.Errorf("%w: this is a Google Authenticator database from a rooted phone: not supported, export a transfer QR instead (Google Authenticator: menu, transfer accounts, export) and import its images", ErrUnsupportedFile)
		}},
	{FormatInfo{FormatSQLite, "other apps' databases (rooted phone): Microsoft Authenticator, Stratum, Authenticator Plus…", "-", "SQLite file of any other app"},
		func(p *probe) bool { return p.sqlite && !bytes.Contains(p.data, []byte("original_name")) },
		func([]byte, *importConfig) ([]entry, error) {
			return nil, fmt.Errorf("%w: this is an app's sqlite database from a rooted phone: not supported, use the app's own export", ErrUnsupportedFile)
		}},
}

// More import format names (the first ones are in import.go).
const (
	FormatEnte          = "ente"
	FormatWinAuth       = "winauth"
	FormatBitwarden     = "bitwarden"
	FormatBitwardenCSV  = "bitwarden-csv"
	FormatKeePassXC     = "keepassxc"
	FormatTOTPCSV       = "totp-csv"
	FormatProton        = "proton"
	FormatFreeOTPPlus   = "freeotp-plus"
	FormatFreeOTP       = "freeotp"
	FormatStratum       = "stratum"
	FormatSteam         = "steam"
	FormatDuo           = "duo"
	FormatBattleNet     = "battlenet"
	FormatFreeOTPBackup = "freeotp-backup"
	FormatAuthy         = "authy"
	FormatZip           = "zip"
	FormatGoogleDB      = "googleauth-db"
	FormatSQLite        = "sqlite"
)

// ErrUnsupportedFile: a file vmfa recognises but cannot import.
var ErrUnsupportedFile = errors.New("unsupported file")

// probe is what detection looks at, computed once per file.
type probe struct {
	data []byte // the whole file
	text []byte // without surrounding space and byte order marks

	obj      map[string]json.RawMessage // a valid top-level JSON object
	isArray  bool                       // a top-level JSON list
	first    map[string]json.RawMessage // its first element, when an object
	jsonBad  bool                       // starts like JSON but does not parse
	badJSON  error                      // why
	isObject bool                       // starts with '{'

	xmlRoot string          // the root element of an XML file
	prefs   map[string]bool // names of an Android preferences <map>'s entries

	uriText     bool // text whose first line is an otpauth(-migration) URI
	enteURIs    bool // … with Ente's codeDisplay parameter
	winauthURIs bool // … with WinAuth's parameters

	csvLike   bool            // text whose first line has a comma
	csvHeader map[string]bool // lower-cased fields of that line

	binary        bool // not UTF-8 text, or holds NUL bytes
	javaSer       bool // a Java serialisation stream
	image         bool
	sqlite        bool
	zip           bool
	stratumHeader bool
}

// has reports whether the top-level JSON object has a key; for a file that
// starts with '{' but is not valid JSON, whether it mentions "key", so that
// the format's own reader reports the syntax error.
func (p *probe) has(key string) bool {
	if p.obj != nil {
		_, ok := p.obj[key]
		return ok
	}
	return p.isObject && p.jsonBad && p.mentions(key)
}

func (p *probe) mentions(key string) bool {
	return bytes.Contains(p.text, []byte(`"`+key+`"`))
}

func (p *probe) firstHas(key string) bool {
	if p.first != nil {
		_, ok := p.first[key]
		return ok
	}
	return p.isArray && p.mentions(key)
}

func (p *probe) csvHas(col string) bool { return p.csvHeader[col] }

// genericTOTPCSV: a password manager's CSV with a TOTP column that is not
// Bitwarden's or KeePassXC's.
func (p *probe) genericTOTPCSV() bool {
	return (p.csvHas("totp") || p.csvHas("otp") || p.csvHas("otpauth")) && !p.csvHas("login_totp") && !p.keepassXCCSV()
}

// keepassXCCSV: KeePassXC's header (Group, Title, …, Password, and TOTP
// from version 2.6 on).
func (p *probe) keepassXCCSV() bool {
	return p.csvHas("group") && p.csvHas("title") && (p.csvHas("totp") || p.csvHas("password"))
}

// maxProbeLines bounds how far detection reads URI text.
const maxProbeLines = 1000

func newProbe(data []byte) *probe {
	p := &probe{data: data, text: trimText(data)}
	s := p.text
	switch {
	case len(s) == 0:
		return p
	case bytes.HasPrefix(data, []byte("\x89PNG")), bytes.HasPrefix(data, []byte("\xff\xd8\xff")),
		bytes.HasPrefix(data, []byte("GIF8")), bytes.HasPrefix(data, []byte("BM")),
		len(data) > 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		p.image = true
		return p
	case bytes.HasPrefix(data, []byte("SQLite format 3\x00")):
		p.sqlite = true
		return p
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		p.zip = true
		return p
	case bytes.HasPrefix(data, []byte(stratumHeader)), bytes.HasPrefix(data, []byte(stratumLegacyHeader)):
		p.stratumHeader = true
		return p
	case bytes.HasPrefix(data, []byte("\xac\xed\x00\x05")):
		p.javaSer = true
		return p
	case isBinary(data):
		p.binary = true
		return p
	}
	switch s[0] {
	case '{':
		p.isObject = true
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(s, &obj); err != nil {
			p.jsonBad, p.badJSON = true, err
		} else {
			p.obj = obj
		}
		return p
	case '[':
		p.isArray = true
		var arr []json.RawMessage
		if err := json.Unmarshal(s, &arr); err != nil {
			p.jsonBad, p.badJSON = true, err
		} else if len(arr) > 0 {
			var first map[string]json.RawMessage
			if json.Unmarshal(arr[0], &first) == nil {
				p.first = first
			}
		}
		return p
	case '<':
		p.xmlRoot, p.prefs = probeXML(s)
		return p
	}
	// Text: the first line that is not blank or a comment decides.
	var line []byte
	rest := s
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		if line = bytes.TrimSpace(line); len(line) > 0 && line[0] != '#' {
			break
		}
	}
	switch l := string(line); {
	case hasPrefixFold(l, otpauthScheme) || hasPrefixFold(l, migrationScheme):
		p.uriText = true
		n := 0
		for rest := s; len(rest) > 0 && n < maxProbeLines; n++ {
			var ln []byte
			ln, rest, _ = bytes.Cut(rest, []byte("\n"))
			q := strings.ToLower(string(ln))
			if !strings.HasPrefix(strings.TrimSpace(q), otpauthScheme) {
				continue
			}
			if strings.Contains(q, "codedisplay=") {
				p.enteURIs = true
			}
			if strings.Contains(q, "&deviceid=") || strings.Contains(q, "&serial=") {
				p.winauthURIs = true
			}
		}
	case len(line) > 0 && line[0] == '{':
		// JSON after a comment line.
		p.isObject = true
		p.text = bytes.TrimSpace(append(line, rest...))
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(p.text, &obj); err != nil {
			p.jsonBad, p.badJSON = true, err
		} else {
			p.obj = obj
		}
	case bytes.Contains(line, []byte(",")) && utf8.Valid(line) && !bytes.ContainsRune(line, 0):
		p.csvLike = true
		p.csvHeader = map[string]bool{}
		r := csv.NewReader(bytes.NewReader(line))
		r.LazyQuotes = true
		if rec, err := r.Read(); err == nil {
			for _, f := range rec {
				p.csvHeader[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")))] = true
			}
		}
	}
	return p
}

// probeXML returns the root element of an XML document and, for an
// Android shared-preferences <map>, the names of its entries.
func probeXML(s []byte) (root string, names map[string]bool) {
	d := xml.NewDecoder(bytes.NewReader(s))
	d.Strict = true
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	depth := 0
	names = map[string]bool{}
	for n := 0; n < 100000; n++ {
		tok, err := d.Token()
		if err != nil {
			return root, names
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				root = t.Name.Local
				if root != "map" {
					return root, names
				}
			}
			if depth == 2 {
				for _, a := range t.Attr {
					if a.Name.Local == "name" {
						names[a.Value] = true
					}
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	return root, names
}

// DetectFormat tells an import file's format from its content, by the
// format table: exactly one format must recognise it.
func DetectFormat(data []byte) (string, error) {
	p := newProbe(data)
	if len(p.text) == 0 {
		return "", fmt.Errorf("%w: the file is empty", ErrNoAccounts)
	}
	if p.isArray && !p.jsonBad && p.first == nil {
		if bytes.Equal(bytes.Join(bytes.Fields(p.text), nil), []byte("[]")) {
			return "", fmt.Errorf("%w: the file is an empty json list", ErrNoAccounts)
		}
	}
	var match []string
	for _, f := range importFormats {
		if f.detect(p) {
			match = append(match, f.Name)
		}
	}
	switch {
	case len(match) == 1:
		return match[0], nil
	case len(match) > 1:
		if p.jsonBad {
			return "", jsonError("json", p.text, p.badJSON)
		}
		sort.Strings(match)
		return "", fmt.Errorf("%w: the file could be %s (give --format)", ErrUnknownFormat, strings.Join(match, " or "))
	}
	switch {
	case p.jsonBad:
		return "", jsonError("json", p.text, p.badJSON)
	case p.obj != nil, p.isArray:
		return "", fmt.Errorf("%w: a json file of no known export format (vmfa import --list-formats shows the formats)", ErrUnknownFormat)
	case p.xmlRoot != "":
		return "", fmt.Errorf("%w: an xml file whose root is <%s>, of no known export format (vmfa import --list-formats shows the formats)", ErrUnknownFormat, clipName(p.xmlRoot))
	case p.binary:
		return "", fmt.Errorf("%w: a binary file vmfa does not recognise (an encrypted andOTP backup in the old format? give --format andotp)", ErrUnknownFormat)
	}
	return "", fmt.Errorf("%w: cannot tell what kind of file this is (vmfa import --list-formats shows the formats; give one with --format)", ErrUnknownFormat)
}

func clipName(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}
