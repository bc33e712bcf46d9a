package scanner

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// Samples of every format, written here from the layouts documented in
// each reader (the apps' own field names), with known keys so that the
// imported codes can be checked.

var (
	keyA = []byte("12345678901234567890") // RFC 4226/6238 SHA1 key
	keyB = []byte("ABCDEFGHIJKLMNOP")
	b32A = vault.EncodeSecret(keyA)
	b32B = vault.EncodeSecret(keyB)
)

func signedBytes(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = strconv.Itoa(int(int8(c)))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func freeOTPTokenJSON(issuer, label, typ, algo string, digits, period, counter int, key []byte) string {
	return fmt.Sprintf(`{"algo":%q,"counter":%d,"digits":%d,"issuerExt":%q,"issuerInt":%q,"label":%q,"period":%d,"secret":%s,"type":%q}`,
		algo, counter, digits, issuer, issuer, label, period, signedBytes(key), typ)
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xmlEscapeText(&b, s)
	return b.String()
}

func xmlEscapeText(b *bytes.Buffer, s string) error {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	_, err := b.WriteString(r.Replace(s))
	return err
}

const enteDisplayPinned = `{"pinned":true,"trashed":false,"lastUsedAt":0,"tapCount":0,"tags":["work"],"note":"desk"}`

// formatSamples holds one readable sample per format (by format name), and
// what it must import as.
var formatSamples = map[string]struct {
	data string
	want []want
}{
	FormatURIs: {"# exported\notpauth://totp/ACME:alice?secret=" + b32A + "&issuer=ACME\n",
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "", "", false}}},
	FormatEnte: {"otpauth://totp/ACME:alice?secret=" + b32A + "&issuer=ACME&algorithm=SHA1&digits=6&period=30&codeDisplay=" + url.QueryEscape(enteDisplayPinned) + "\n" +
		"otpauth://steam/Steam:gabe?secret=" + b32B + "&issuer=Steam&algorithm=SHA1&digits=5&period=30&codeDisplay=" + url.QueryEscape(`{"pinned":false,"trashed":false,"tags":[]}`) + "\n",
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "desk", "work", true},
			{vault.Steam, "Steam", "gabe", b32B, vault.SHA1, 5, 30, 0, "", "", "", false}}},
	FormatWinAuth: {"otpauth://totp/Battle.net?secret=" + b32A + "&digits=8&serial=EU123456789012\notpauth://totp/Google?secret=" + b32B + "&digits=6\n" +
		"otpauth://totp/Steam:gabe?secret=" + b32B + "&digits=5&issuer=Steam&deviceid=android%3Aabc&data=" + url.QueryEscape(`{"shared_secret":"x"}`) + "\n",
		[]want{{vault.TOTP, "Battle.net", "WinAuth", b32A, vault.SHA1, 8, 30, 0, "EU123456789012", "", "", false},
			{vault.TOTP, "Google", "WinAuth", b32B, vault.SHA1, 6, 30, 0, "", "", "", false},
			{vault.Steam, "Steam", "gabe", b32B, vault.SHA1, 5, 30, 0, "", "", "", false}}},
	FormatAegis: {`{"version":1,"header":{"slots":null,"params":null},"db":{"version":2,"entries":[{"type":"totp","name":"alice","issuer":"ACME","note":"","favorite":false,"icon":null,"info":{"secret":"` + b32A + `","algo":"SHA1","digits":6,"period":30}},` +
		`{"type":"motp","name":"m","issuer":"Old VPN","note":"","icon":null,"info":{"secret":"` + vault.EncodeSecret([]byte{0xe3, 0x15, 0x2a, 0xfe, 0xe6, 0x25, 0x99, 0xc8}) + `","algo":"MD5","digits":6,"period":10,"pin":"1234"}}]}}`,
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "", "", false},
			{vault.MOTP, "Old VPN", "m", vault.EncodeSecret([]byte{0xe3, 0x15, 0x2a, 0xfe, 0xe6, 0x25, 0x99, 0xc8}), vault.MD5, 6, 10, 0, "", "", "", false}}},
	Format2FAS: {`{"services":[{"name":"ACME","secret":"` + b32A + `","otp":{"account":"alice","digits":6,"period":30,"algorithm":"SHA1","tokenType":"TOTP"}}],"schemaVersion":4}`,
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "", "", false}}},
	FormatAndOTP: {`[{"secret":"` + b32A + `","issuer":"ACME","label":"alice","digits":6,"type":"TOTP","algorithm":"SHA1","thumbnail":"Default","last_used":0,"used_frequency":0,"period":30,"tags":[]}]`,
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "", "", false}}},
	FormatBitwarden: {`{"encrypted":false,"folders":[{"id":"f1","name":"Work"}],"items":[` +
		`{"id":"1","folderId":"f1","type":1,"name":"ACME","notes":"line1\nline2","favorite":true,"login":{"username":"alice","password":null,"totp":"otpauth://totp/ACME:alice?secret=` + b32A + `&issuer=ACME&algorithm=SHA256&digits=8&period=60"}},` +
		`{"id":"2","folderId":null,"type":1,"name":"Steam","notes":null,"favorite":false,"login":{"username":"gabe","totp":"steam://` + b32B + `"}},` +
		`{"id":"3","folderId":null,"type":1,"name":"Mail","notes":null,"favorite":false,"login":{"username":"bob","totp":"` + strings.ToLower(b32A) + `"}},` +
		`{"id":"4","folderId":null,"type":2,"name":"a secure note","notes":"x","favorite":false}]}`,
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA256, 8, 60, 0, "", "line1 line2", "Work", true},
			{vault.Steam, "Steam", "gabe", b32B, vault.SHA1, 5, 30, 0, "", "", "", false},
			{vault.TOTP, "Mail", "bob", b32A, vault.SHA1, 6, 30, 0, "", "", "", false}}},
	FormatBitwardenCSV: {"folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n" +
		"Work,1,login,ACME,,,0,https://acme.example,alice,pw,otpauth://totp/ACME:alice?secret=" + b32A + "&issuer=ACME\n" +
		",,login,Steam,,,0,,gabe,,steam://" + b32B + "\n" +
		",,login,No TOTP,,,0,,x,y,\n",
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "", "Work", true},
			{vault.Steam, "Steam", "gabe", b32B, vault.SHA1, 5, 30, 0, "", "", "", false}}},
	FormatKeePassXC: {`"Group","Title","Username","Password","URL","Notes","TOTP","Icon","Last Modified","Created"` + "\n" +
		`"Root/Work","ACME","alice","pw","https://acme.example","","otpauth://totp/ACME:alice?secret=` + b32A + `&period=30&digits=6&issuer=ACME","0","2024-01-01T00:00:00Z","2024-01-01T00:00:00Z"` + "\n" +
		`"Root","Steam","gabe","pw","","","otpauth://totp/Steam:gabe?secret=` + b32B + `&period=30&digits=5&issuer=Steam&encoder=steam","0","",""` + "\n" +
		`"Root","Plain","p","pw","","","","0","",""` + "\n",
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "", "Work", false},
			{vault.Steam, "Steam", "gabe", b32B, vault.SHA1, 5, 30, 0, "", "", "", false}}},
	FormatTOTPCSV: {"url,username,password,totp,extra,name,grouping,fav\n" +
		"https://acme.example,alice,pw," + b32A + ",note,ACME,Work,0\n" +
		"https://x.example,bob,pw,,,X,,0\n" +
		"https://mail.example,carol,pw,otpauth://totp/Mail:carol?secret=" + b32B + "&issuer=Mail,,Mail,,0\n",
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "note", "", false},
			{vault.TOTP, "Mail", "carol", b32B, vault.SHA1, 6, 30, 0, "", "", "", false}}},
	FormatProton: {`{"version":1,"entries":[{"id":"a","content":{"uri":"otpauth://totp/ACME:alice?secret=` + b32A + `&issuer=ACME&algorithm=SHA1&digits=6&period=30","entry_type":"Totp","name":"alice"},"note":"n"}]}`,
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "n", "", false}}},
	FormatFreeOTPPlus: {`{"tokenOrder":["ACME:alice","Bank:bob"],"tokens":[` + freeOTPTokenJSON("ACME", "alice", "TOTP", "SHA1", 6, 30, 0, keyA) + "," + freeOTPTokenJSON("Bank", "bob", "HOTP", "SHA256", 8, 30, 41, keyB) + `]}`,
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 6, 30, 0, "", "", "", false},
			{vault.HOTP, "Bank", "bob", b32B, vault.SHA256, 8, 0, 41, "", "", "", false}}},
	FormatFreeOTP: {"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n" +
		`    <string name="ACME:alice">` + xmlEscape(freeOTPTokenJSON("ACME", "alice", "TOTP", "SHA512", 8, 60, 0, keyA)) + "</string>\n" +
		`    <string name="Steam:gabe">` + xmlEscape(freeOTPTokenJSON("Steam", "gabe", "TOTP", "SHA1", 5, 30, 0, keyB)) + "</string>\n" +
		`    <string name="tokenOrder">` + xmlEscape(`["ACME:alice","Steam:gabe"]`) + "</string>\n</map>\n",
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA512, 8, 60, 0, "", "", "", false},
			{vault.Steam, "Steam", "gabe", b32B, vault.SHA1, 5, 30, 0, "", "", "", false}}},
	FormatStratum: {`{"Authenticators":[` +
		`{"Type":2,"Icon":null,"Issuer":"ACME","Username":"alice","Secret":"` + b32A + `","Pin":null,"Algorithm":1,"Digits":7,"Period":20,"Counter":0,"Ranking":0},` +
		`{"Type":1,"Icon":null,"Issuer":"Bank","Username":null,"Secret":"` + b32B + `","Pin":null,"Algorithm":0,"Digits":6,"Period":30,"Counter":5,"Ranking":1},` +
		`{"Type":4,"Icon":null,"Issuer":"Steam","Username":"gabe","Secret":"` + b32B + `","Pin":null,"Algorithm":0,"Digits":5,"Period":30,"Counter":0,"Ranking":2},` +
		`{"Type":5,"Icon":null,"Issuer":"Yandex","Username":"ya","Secret":"LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI","Pin":"7586","Algorithm":1,"Digits":8,"Period":30,"Counter":0,"Ranking":3},` +
		`{"Type":3,"Icon":null,"Issuer":"VPN","Username":"m","Secret":"e3152afee62599c8","Pin":"1234","Algorithm":0,"Digits":6,"Period":10,"Counter":0,"Ranking":4}],` +
		`"Categories":[{"Id":"c1","Name":"Work","Ranking":0}],"AuthenticatorCategories":[{"CategoryId":"c1","AuthenticatorSecret":"` + b32A + `","Ranking":0}],"CustomIcons":[]}`,
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA256, 7, 20, 0, "", "", "Work", false},
			{vault.HOTP, "Bank", "", b32B, vault.SHA1, 6, 0, 5, "", "", "", false},
			{vault.Steam, "Steam", "gabe", b32B, vault.SHA1, 5, 30, 0, "", "", "", false},
			{vault.Yandex, "Yandex", "ya", "LA2V6KMCGYMWWVEW64RNP3JA3I", vault.SHA256, 8, 30, 0, "", "", "", false},
			{vault.MOTP, "VPN", "m", vault.EncodeSecret([]byte{0xe3, 0x15, 0x2a, 0xfe, 0xe6, 0x25, 0x99, 0xc8}), vault.MD5, 6, 10, 0, "", "", "", false}}},
	FormatSteam: {`{"shared_secret":"` + base64.StdEncoding.EncodeToString(keyB) + `","serial_number":"1","revocation_code":"R1","account_name":"gabe","token_gid":"x","identity_secret":"aWQ=","secret_1":"c2U=","status":1,"device_id":"android:x","fully_enrolled":true,"Session":null}`,
		[]want{{vault.Steam, "Steam", "gabe", b32B, vault.SHA1, 5, 30, 0, "", "", "", false}}},
	FormatDuo: {`[{"version":1.0,"accountType":"OtpAccount","name":"alice","otpGenerator":{"otpSecret":"` + b32A + `"},"pkey":"p1"},` +
		`{"version":1.0,"accountType":"OtpAccount","name":"bob","otpGenerator":{"otpSecret":"` + b32B + `","counter":3},"pkey":"p2"}]`,
		[]want{{vault.TOTP, "", "alice", b32A, vault.SHA1, 6, 30, 0, "", "", "", false},
			{vault.HOTP, "", "bob", b32B, vault.SHA1, 6, 0, 3, "", "", "", false}}},
	FormatBattleNet: {"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n" +
		`    <int name="com.blizzard.bma.AUTH_STORE_HASH_VERSION" value="20600015" />` + "\n" +
		`    <string name="com.blizzard.bma.AUTH_STORE.HASH">` + bnetMaskValue(fmt.Sprintf("%x", keyA)+"US-2211-2050-3346") + "</string>\n" +
		`    <long name="com.blizzard.bma.AUTH_STORE.CLOCK_OFFSET" value="193" />` + "\n</map>\n",
		[]want{{vault.TOTP, "Battle.net", "US-2211-2050-3346", b32A, vault.SHA1, 8, 30, 0, "US-2211-2050-3346", "", "", false}}},
	FormatAuthy: {"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <int name=\"key_version\" value=\"121\" />\n" +
		`    <string name="com.authy.storage.tokens.authenticator.key">` + xmlEscape(`[{"accountType":"authenticator","decryptedSecret":"`+b32A+`","digits":7,"logo":"ACME","originalIssuer":"ACME","originalName":"ACME:alice","timestamp":1,"hidden":false,"id":"1","isNew":false,"name":"ACME: alice"},`+
		`{"accountType":"authenticator","decryptedSecret":"`+b32B+`","digits":6,"name":"Mail: bob"}]`) + "</string>\n</map>\n",
		[]want{{vault.TOTP, "ACME", "alice", b32A, vault.SHA1, 7, 30, 0, "", "", "", false},
			{vault.TOTP, "Mail", "bob", b32B, vault.SHA1, 6, 30, 0, "", "", "", false}}},
	FormatCSV: {"upn,serial number,secret key,time interval,manufacturer,model\nalice@contoso.com,1234," + b32A + ",30,Contoso,HW1\n",
		[]want{{vault.TOTP, "Contoso", "alice@contoso.com", b32A, vault.SHA1, 6, 30, 0, "1234", "model HW1", "", false}}},
	FormatPSKC: {`<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
 <KeyPackage><DeviceInfo><Manufacturer>Manufacturer</Manufacturer><SerialNo>987654321</SerialNo></DeviceInfo>
  <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
   <Issuer>Issuer</Issuer><AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
   <Data><Secret><PlainValue>` + base64.StdEncoding.EncodeToString(keyA) + `</PlainValue></Secret><Counter><PlainValue>0</PlainValue></Counter></Data>
  </Key></KeyPackage></KeyContainer>`,
		[]want{{vault.HOTP, "Issuer", "987654321", b32A, vault.SHA1, 8, 0, 0, "987654321", "", "", false}}},
}

// refusedSamples are files detection must recognise and refuse with a
// message naming them (not another parser's error).
var refusedSamples = map[string]struct {
	data   string
	format string
	is     error
	msg    string
}{
	"andotp encrypted":     {"\x00\x02\x22\xe0" + strings.Repeat("\x8f\x01\xfe\x00", 20), FormatAndOTP, ErrPasswordNeeded, "this is an encrypted andOTP backup: give its password"},
	"stratum encrypted":    {"AUTHENTICATORPRO" + strings.Repeat("\x01\xff", 40), FormatStratum, ErrPasswordNeeded, "this is an encrypted Stratum (Authenticator Pro) backup"},
	"stratum legacy":       {"AuthenticatorPro" + strings.Repeat("\x01\xff", 40), FormatStratum, ErrPasswordNeeded, "this is an encrypted Stratum (Authenticator Pro) backup"},
	"ente encrypted":       {`{"version":1,"kdfParams":{"memLimit":67108864,"opsLimit":2,"salt":"c2FsdA=="},"encryptedData":"AAAA","encryptionNonce":"AAAA"}`, FormatEnte, ErrPasswordNeeded, "this is an encrypted Ente Auth export"},
	"bitwarden password":   {`{"encrypted":true,"passwordProtected":true,"salt":"x","kdfType":0,"kdfIterations":600000,"encKeyValidation_DO_NOT_EDIT":"2.a|b|c","data":"2.a|b|c"}`, FormatBitwarden, ErrPasswordNeeded, "this is a password-protected Bitwarden export: give its password"},
	"bitwarden restricted": {`{"encrypted":true,"encKeyValidation_DO_NOT_EDIT":"2.a|b|c","folders":[],"items":[{"name":"2.a|b|c"}]}`, FormatBitwarden, ErrAccountRestricted, "account-restricted Bitwarden export"},
	"freeotp 2 backup":     {"\xac\xed\x00\x05sr\x00\x11java.util.HashMap", FormatFreeOTPBackup, ErrPasswordNeeded, "this is an encrypted FreeOTP backup"},
	"freeotp 2 prefs":      {`<?xml version='1.0' encoding='utf-8' standalone='yes' ?><map><string name="masterKey">{}</string><string name="tokenOrder">[]</string></map>`, FormatFreeOTPBackup, ErrPasswordNeeded, "this is an encrypted FreeOTP backup"},
	"authy encrypted":      {`<?xml version='1.0' encoding='utf-8' standalone='yes' ?><map><string name="com.authy.storage.tokens.authenticator.key">` + xmlEscape(`[{"accountType":"authenticator","encryptedSecret":"AAAA","salt":"x","digits":6,"name":"A: b"}]`) + `</string></map>`, FormatAuthy, ErrPasswordNeeded, "this is an encrypted Authy token store: give its password"},
	"zip":                  {"PK\x03\x04\x14\x00\x00\x00\x08\x00" + strings.Repeat("\x00", 30), FormatZip, ErrUnsupportedFile, "this is a zip archive"},
	"google db":            {"SQLite format 3\x00" + strings.Repeat("\x00", 80) + "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL, counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER, issuer TEXT DEFAULT NULL, original_name TEXT DEFAULT NULL)", FormatGoogleDB, ErrUnsupportedFile, "this is a Google Authenticator database from a rooted phone: not supported, export a transfer QR instead"},
	"other sqlite":         {"SQLite format 3\x00" + strings.Repeat("\x00", 80) + "CREATE TABLE authenticator (secret TEXT)", FormatSQLite, ErrUnsupportedFile, "sqlite database from a rooted phone"},
}

func TestImportEveryFormat(t *testing.T) {
	now := time.Unix(1700000000, 0)
	for name, s := range formatSamples {
		t.Run(name, func(t *testing.T) {
			for _, format := range []string{FormatAuto, name} {
				res, err := Import(strings.NewReader(s.data), format)
				if err != nil {
					t.Fatalf("--format %s: %v", format, err)
				}
				if res.Format != name {
					t.Errorf("--format %s read as %s", format, res.Format)
				}
				if len(res.Accounts) != len(s.want) {
					t.Fatalf("%d accounts, want %d: %+v", len(res.Accounts), len(s.want), res.Accounts)
				}
				for i, w := range s.want {
					w.check(t, res.Accounts[i])
					if c := res.Accounts[i].CodeAt(now); c == "" {
						t.Errorf("account %d has no code", i)
					}
				}
			}
		})
	}
	// The codes are the apps' codes: Stratum's Yandex and mOTP entries
	// give Aegis's published vectors.
	res, err := Import(strings.NewReader(formatSamples[FormatStratum].data), FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Accounts[3].CodeAt(time.Unix(1581064020, 0)); got != "oactmacq" {
		t.Errorf("stratum yandex code %q, want oactmacq", got)
	}
	if got := res.Accounts[4].CodeAt(time.Unix(165892298, 0)); got != "e7d8b6" {
		t.Errorf("stratum motp code %q, want e7d8b6", got)
	}
	// RFC 6238: keyA, SHA1, 8 digits at 59 s is 94287082 (Battle.net).
	res, err = Import(strings.NewReader(formatSamples[FormatBattleNet].data), FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Accounts[0].CodeAt(time.Unix(59, 0)); got != "94287082" {
		t.Errorf("battle.net code %q, want 94287082", got)
	}
}

// TestCrossDetection feeds every sample to every detector: exactly its own
// format must recognise it.
func TestCrossDetection(t *testing.T) {
	all := map[string]string{}
	for name, s := range formatSamples {
		all[name] = name + "|" + s.data
	}
	for name, s := range refusedSamples {
		all[name] = s.format + "|" + s.data
	}
	for label, v := range all {
		own, data, _ := strings.Cut(v, "|")
		p := newProbe([]byte(data))
		var hits []string
		for _, f := range importFormats {
			if f.detect(p) {
				hits = append(hits, f.Name)
			}
		}
		if len(hits) != 1 || hits[0] != own {
			t.Errorf("%s: detected as %v, want only %s", label, hits, own)
		}
	}
}

func TestRefusedFormats(t *testing.T) {
	for name, s := range refusedSamples {
		t.Run(name, func(t *testing.T) {
			for _, format := range []string{FormatAuto, s.format} {
				_, err := Import(strings.NewReader(s.data), format)
				if !errors.Is(err, s.is) {
					t.Fatalf("--format %s: error %v, want %v", format, err, s.is)
				}
				if !strings.Contains(err.Error(), s.msg) {
					t.Errorf("--format %s: message %q lacks %q", format, err, s.msg)
				}
				if errors.Is(s.is, ErrPasswordNeeded) && !errors.Is(err, ErrEncrypted) {
					t.Errorf("not an ErrEncrypted: %v", err)
				}
			}
		})
	}
}

// TestTruncatedSamples cuts every sample short and garbles it: the import
// fails or yields valid accounts, with the format's own error (never
// another parser's), and never panics.
func TestTruncatedSamples(t *testing.T) {
	for name, s := range formatSamples {
		for _, cut := range []int{len(s.data) / 3, len(s.data) / 2, len(s.data) - 5} {
			data := s.data[:cut]
			res, err := Import(strings.NewReader(data), name)
			if err == nil {
				for _, a := range res.Accounts {
					if verr := a.Validate(); verr != nil {
						t.Errorf("%s cut at %d: invalid account: %v", name, cut, verr)
					}
				}
				continue
			}
			if strings.Contains(err.Error(), "not a valid ") && !strings.Contains(err.Error(), formatWord(name)) {
				t.Errorf("%s cut at %d: another format's error: %v", name, cut, err)
			}
		}
	}
	// A cut JSON export is reported as that format's JSON error.
	_, err := Import(strings.NewReader(formatSamples[FormatStratum].data[:200]), FormatAuto)
	if err == nil || !strings.Contains(err.Error(), "not a valid stratum file") {
		t.Errorf("cut stratum: %v", err)
	}
	_, err = Import(strings.NewReader(formatSamples[FormatDuo].data[:150]), FormatAuto)
	if err == nil || !strings.Contains(err.Error(), "not a valid duo file") {
		t.Errorf("cut duo: %v", err)
	}
}

func formatWord(name string) string {
	switch name {
	case FormatFreeOTPPlus:
		return "freeotp+"
	case FormatProton:
		return "proton authenticator"
	case FormatFreeOTP:
		return "freeotp"
	case FormatBattleNet:
		return "battle.net"
	case FormatSteam:
		return "steam"
	case FormatBitwardenCSV:
		return "bitwarden csv"
	case FormatKeePassXC:
		return "keepassxc"
	}
	return name
}

func TestEntryErrorsNamed(t *testing.T) {
	for _, tc := range []struct {
		name, data, format, want string
	}{
		{"bitwarden bad totp", `{"encrypted":false,"items":[{"type":1,"name":"X","login":{"username":"u","totp":"http://nope"}}]}`, FormatAuto, `entry 1 (X: u): not an otpauth uri`},
		{"stratum bad type", `{"Authenticators":[{"Type":9,"Issuer":"I","Username":"u","Secret":"` + b32A + `","Algorithm":0,"Digits":6,"Period":30,"Counter":0}]}`, FormatAuto, `entry 1 (I: u): unknown type`},
		{"stratum bad algorithm", `{"Authenticators":[{"Type":2,"Issuer":"I","Username":"u","Secret":"` + b32A + `","Algorithm":7,"Digits":6,"Period":30,"Counter":0}]}`, FormatAuto, `unknown algorithm`},
		{"stratum yandex bad checksum", `{"Authenticators":[{"Type":5,"Issuer":"Y","Username":"u","Secret":"LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPA","Pin":"1","Algorithm":1,"Digits":8,"Period":30,"Counter":0}]}`, FormatAuto, `checksum is wrong`},
		{"duo empty secret", `[{"name":"a","otpGenerator":{"otpSecret":""}}]`, FormatAuto, `entry 1 (a): secret is empty`},
		{"steam bad base64", `{"shared_secret":"!!!","account_name":"g"}`, FormatAuto, `the shared_secret is not valid base64`},
		{"freeotp bad byte", `{"tokens":[{"type":"TOTP","issuerExt":"I","label":"l","secret":[1,2,999]}]}`, FormatAuto, `not a byte`},
		{"battlenet bad hex", `<map><string name="com.blizzard.bma.AUTH_STORE.HASH">zz</string></map>`, FormatAuto, `not hex`},
		{"period over a day", "otpauth://totp/x?secret=" + b32A + "&period=90000", FormatAuto, "at most 86,400 s"},
		{"proton no uri", `{"version":1,"entries":[{"content":{"name":"x"}}]}`, FormatAuto, "entry 1: the entry has no uri"},
		{"keepassxc before 2.6", `"Group","Title","Username","Password","URL","Notes"` + "\n" + `"Root","t","u","p","",""` + "\n", FormatAuto, `not a valid keepassxc csv file: the header has no "totp" column (KeePassXC writes it from version 2.6 on`},
		{"keepassxc migration inside", `"Group","Title","Username","Password","URL","Notes","TOTP"` + "\n" + `"Root","t","u","","","","otpauth-migration://offline?data=AA"` + "\n", FormatAuto, "import it on its own"},
	} {
		_, err := Import(strings.NewReader(tc.data), tc.format)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestShortSecretWarning(t *testing.T) {
	// RFC 6030's examples use 20-byte keys; real tokens were issued 32- and
	// 64-bit keys: they import with a warning and give their codes.
	for _, bits := range []int{32, 64} {
		key := keyA[:bits/8]
		res, err := Import(strings.NewReader("otpauth://totp/T:x?secret="+vault.EncodeSecret(key)), FormatAuto)
		if err != nil {
			t.Fatalf("%d bits: %v", bits, err)
		}
		if len(res.Warnings) != 1 || !errors.Is(res.Warnings[0].Err, ErrShortSecret) || !strings.Contains(res.Warnings[0].Err.Error(), fmt.Sprintf("only %d bits", bits)) {
			t.Errorf("%d bits: warnings %v", bits, res.Warnings)
		}
		if want := vault.HOTPCode(key, vault.SHA1, 6, 1); res.Accounts[0].CodeAt(time.Unix(30, 0)) != want {
			t.Errorf("%d bits: wrong code", bits)
		}
	}
	res, err := Import(strings.NewReader("otpauth://totp/T:x?secret="+b32A), FormatAuto)
	if err != nil || len(res.Warnings) != 0 {
		t.Errorf("80-bit+ secret warned: %v %v", err, res.Warnings)
	}
}

func TestSteamEncoder(t *testing.T) {
	accs, err := ParseURI("otpauth://totp/Steam:gabe?secret=" + b32B + "&digits=6&period=60&algorithm=SHA512&encoder=steam")
	if err != nil {
		t.Fatal(err)
	}
	a := accs[0]
	if a.Type != vault.Steam || a.Digits != 5 || a.Period != 30 || a.Algorithm != vault.SHA1 {
		t.Errorf("encoder=steam gave %s/%d/%d/%s", a.Type, a.Digits, a.Period, a.Algorithm)
	}
	if c := a.CodeAt(time.Unix(1700000000, 0)); c != vault.SteamCode(keyB, 1700000000/30) || len(c) != 5 {
		t.Errorf("steam code %q", c)
	}
	if _, err := ParseURI("otpauth://hotp/x?secret=" + b32B + "&counter=1&encoder=steam"); !errors.Is(err, ErrUnknownType) {
		t.Errorf("hotp with encoder=steam: %v", err)
	}
}

func TestImportAccountCap(t *testing.T) {
	var b strings.Builder
	for i := 0; i <= MaxImportAccounts; i++ {
		fmt.Fprintf(&b, "otpauth://totp/I:u%d?secret=%s\n", i, b32A)
	}
	_, err := Import(strings.NewReader(b.String()), FormatAuto)
	if !errors.Is(err, ErrTooManyAccounts) || !strings.Contains(err.Error(), strconv.Itoa(MaxImportAccounts)) {
		t.Errorf("%d accounts: %v", MaxImportAccounts+1, err)
	}
}

func TestMigrationLineLimit(t *testing.T) {
	long := "otpauth-migration://offline?data=" + strings.Repeat("A", maxURILen)
	_, err := Import(strings.NewReader(long+"\n"), FormatMigration)
	if !errors.Is(err, ErrMalformedURI) || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("long migration line: %v", err)
	}
	if _, err := DecodeMigration(long); !errors.Is(err, ErrMalformedURI) {
		t.Errorf("DecodeMigration of a long uri: %v", err)
	}
}

func TestFormatsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats() {
		if f.Name == "" || f.Apps == "" || f.Encrypted == "" || f.Detection == "" {
			t.Errorf("incomplete row %+v", f)
		}
		if seen[f.Name] {
			t.Errorf("duplicate format %s", f.Name)
		}
		seen[f.Name] = true
		_, sample := formatSamples[f.Name]
		refused := false
		for _, r := range refusedSamples {
			refused = refused || r.format == f.Name
		}
		if !sample && !refused && f.Name != FormatMigration && f.Name != FormatImage {
			t.Errorf("format %s has no sample in the tests", f.Name)
		}
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Skip(err)
	}
	for name := range seen {
		if !bytes.Contains(readme, []byte("`"+name+"`")) {
			t.Errorf("README does not list format %s", name)
		}
	}
}

// Fuzz targets for the new readers: no input panics, and what is accepted
// is valid.

func fuzzFormat(f *testing.F, format string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import(bytes.NewReader(data), format, SkipInvalid())
		if err != nil {
			return
		}
		for _, a := range res.Accounts {
			if err := a.Validate(); err != nil {
				t.Fatalf("accepted an invalid account: %v", err)
			}
		}
	})
}

func FuzzStratum(f *testing.F)   { fuzzFormat(f, FormatStratum, formatSamples[FormatStratum].data) }
func FuzzBitwarden(f *testing.F) { fuzzFormat(f, FormatBitwarden, formatSamples[FormatBitwarden].data) }
func FuzzBitwardenCSV(f *testing.F) {
	fuzzFormat(f, FormatBitwardenCSV, formatSamples[FormatBitwardenCSV].data)
}
func FuzzTOTPCSV(f *testing.F)   { fuzzFormat(f, FormatTOTPCSV, formatSamples[FormatTOTPCSV].data) }
func FuzzKeePassXC(f *testing.F) { fuzzFormat(f, FormatKeePassXC, formatSamples[FormatKeePassXC].data) }
func FuzzEnte(f *testing.F)      { fuzzFormat(f, FormatEnte, formatSamples[FormatEnte].data) }
func FuzzWinAuth(f *testing.F)   { fuzzFormat(f, FormatWinAuth, formatSamples[FormatWinAuth].data) }
func FuzzProton(f *testing.F)    { fuzzFormat(f, FormatProton, formatSamples[FormatProton].data) }
func FuzzFreeOTPPlus(f *testing.F) {
	fuzzFormat(f, FormatFreeOTPPlus, formatSamples[FormatFreeOTPPlus].data)
}
func FuzzFreeOTPXML(f *testing.F) { fuzzFormat(f, FormatFreeOTP, formatSamples[FormatFreeOTP].data) }
func FuzzSteam(f *testing.F)      { fuzzFormat(f, FormatSteam, formatSamples[FormatSteam].data) }
func FuzzDuo(f *testing.F)        { fuzzFormat(f, FormatDuo, formatSamples[FormatDuo].data) }
func FuzzAuthy(f *testing.F)      { fuzzFormat(f, FormatAuthy, formatSamples[FormatAuthy].data) }
func FuzzBattleNet(f *testing.F)  { fuzzFormat(f, FormatBattleNet, formatSamples[FormatBattleNet].data) }

// FuzzDetect: detection never panics and never names a format whose
// reader then reports another format's error.
func FuzzDetect(f *testing.F) {
	for _, s := range formatSamples {
		f.Add([]byte(s.data))
	}
	for _, s := range refusedSamples {
		f.Add([]byte(s.data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		name, err := DetectFormat(data)
		if err != nil {
			return
		}
		if findFormat(name) == nil {
			t.Fatalf("detected unknown format %q", name)
		}
		_, _ = Import(bytes.NewReader(data), FormatAuto, SkipInvalid())
	})
}

// newFormatFuzzTargets maps the fuzz targets above to their corpus seeds,
// for TestWriteFuzzCorpus.
func newFormatFuzzTargets() map[string][]string {
	m := map[string][]string{
		"FuzzStratum":      {formatSamples[FormatStratum].data, refusedSamples["stratum encrypted"].data},
		"FuzzBitwarden":    {formatSamples[FormatBitwarden].data, refusedSamples["bitwarden password"].data, refusedSamples["bitwarden restricted"].data},
		"FuzzBitwardenCSV": {formatSamples[FormatBitwardenCSV].data},
		"FuzzKeePassXC":    {formatSamples[FormatKeePassXC].data},
		"FuzzTOTPCSV":      {formatSamples[FormatTOTPCSV].data},
		"FuzzEnte":         {formatSamples[FormatEnte].data, refusedSamples["ente encrypted"].data},
		"FuzzWinAuth":      {formatSamples[FormatWinAuth].data},
		"FuzzProton":       {formatSamples[FormatProton].data},
		"FuzzFreeOTPPlus":  {formatSamples[FormatFreeOTPPlus].data},
		"FuzzFreeOTPXML":   {formatSamples[FormatFreeOTP].data},
		"FuzzSteam":        {formatSamples[FormatSteam].data, `{"accounts":{"1":{"shared_secret":"` + base64.StdEncoding.EncodeToString(keyB) + `","account_name":"g"}}}`},
		"FuzzDuo":          {formatSamples[FormatDuo].data},
		"FuzzBattleNet":    {formatSamples[FormatBattleNet].data},
		"FuzzAuthy":        {formatSamples[FormatAuthy].data, refusedSamples["authy encrypted"].data},
	}
	var det []string
	for _, name := range sortedKeys(formatSamples) {
		det = append(det, formatSamples[name].data)
	}
	for _, name := range sortedKeys(refusedSamples) {
		det = append(det, refusedSamples[name].data)
	}
	m["FuzzDetect"] = det
	return m
}

// TestPINAccountsRoundTrip: Yandex and mOTP accounts survive the URI and
// Aegis exports with their PIN and give the same codes.
func TestPINAccountsRoundTrip(t *testing.T) {
	ya, _ := vault.DecodeSecret("LA2V6KMCGYMWWVEW64RNP3JA3I")
	accs := []vault.Account{
		{Type: vault.Yandex, Issuer: "Yandex", Name: "ya", Secret: ya, PIN: "7586"},
		{Type: vault.MOTP, Issuer: "VPN", Name: "m", Secret: []byte{0xe3, 0x15, 0x2a, 0xfe, 0xe6, 0x25, 0x99, 0xc8}, PIN: "1234"},
	}
	for i := range accs {
		if err := accs[i].Normalize(time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	at := []time.Time{time.Unix(1581064020, 0), time.Unix(165892298, 0)}
	want := []string{"oactmacq", "e7d8b6"}
	var aegis bytes.Buffer
	if err := WriteAegis(&aegis, accs); err != nil {
		t.Fatal(err)
	}
	res, err := Import(&aegis, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range accs {
		back, err := ParseURI(AccountURI(a))
		if err != nil {
			t.Fatalf("%s: %v (%s)", a.Type, err, AccountURI(a))
		}
		for _, b := range []vault.Account{back[0], res.Accounts[i]} {
			if b.Type != a.Type || b.PIN != a.PIN || !bytes.Equal(b.Secret, a.Secret) {
				t.Errorf("%s: round trip gave %+v", a.Type, b)
			}
			if got := b.CodeAt(at[i]); got != want[i] {
				t.Errorf("%s: code %q, want %q", a.Type, got, want[i])
			}
		}
	}
}

// TestFormatVariants: the other layouts of a format read as that format.
func TestFormatVariants(t *testing.T) {
	for _, tc := range []struct {
		name, data, format string
		issuer, account    string
	}{
		{"steam app's accounts map", `{"accounts":{"76561":{"steamid":"76561","shared_secret":"` + base64.StdEncoding.EncodeToString(keyB) + `","serial_number":"1","revocation_code":"R1","account_name":"gabe","token_gid":"x","identity_secret":"aWQ=","status":1}}}`, FormatSteam, "Steam", "gabe"},
		{"battle.net messenger app", "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n" +
			`<string name="com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET">` + bnetMaskValue(fmt.Sprintf("%x", keyA)) + "</string>\n" +
			`<string name="com.blizzard.messenger.AUTHENTICATOR_SERIAL">` + bnetMaskValue("EU-1111-2222-3333") + "</string>\n</map>", FormatBattleNet, "Battle.net", "EU-1111-2222-3333"},
		{"freeotp+ internal tokens.xml", formatSamples[FormatFreeOTP].data, FormatFreeOTP, "ACME", "alice"},
		{"bitwarden with a bare-secret item only", `{"encrypted":false,"items":[{"type":1,"name":"Site","login":{"username":"me","totp":"` + b32A + `"}}]}`, FormatBitwarden, "Site", "me"},
		{"proton steam entry", `{"version":1,"entries":[{"content":{"uri":"steam://` + b32B + `","entry_type":"Steam","name":"gabe"},"note":null}]}`, FormatProton, "Steam", "gabe"},
		{"1password csv", `"Title","Url","Username","Password","OTPAuth","Favorite","Archived","Tags","Notes"` + "\n" + `"ACME","https://acme.example","alice","pw","otpauth://totp/ACME:alice?secret=` + b32A + `&issuer=ACME","false","false","",""` + "\n", FormatTOTPCSV, "ACME", "alice"},
		{"uris after comments and a bom", "\ufeff# accounts\n\n" + "otpauth://totp/ACME:alice?secret=" + b32A + "\n", FormatURIs, "ACME", "alice"},
	} {
		res, err := Import(strings.NewReader(tc.data), FormatAuto)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if res.Format != tc.format || res.Accounts[0].Issuer != tc.issuer || res.Accounts[0].Name != tc.account {
			t.Errorf("%s: read as %s: %s / %s", tc.name, res.Format, res.Accounts[0].Issuer, res.Accounts[0].Name)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
