package scanner

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// want is the part of an account a sample file must produce.
type want struct {
	typ            vault.Type
	issuer, name   string
	secret         string // Base32
	alg            vault.Algorithm
	digits, period int
	counter        uint64
	serial, note   string
	tags           string // comma-joined
	favourite      bool
}

func (w want) check(t *testing.T, a vault.Account) {
	t.Helper()
	got := want{a.Type, a.Issuer, a.Name, vault.EncodeSecret(a.Secret), a.Algorithm, a.Digits, a.Period, a.Counter, a.Serial, a.Note, strings.Join(a.Tags, ","), a.Favourite}
	if got != w {
		t.Errorf("account\n got %+v\nwant %+v", got, w)
	}
	if err := a.Validate(); err != nil || a.ID == "" {
		t.Errorf("account not valid: %v", err)
	}
}

const (
	s1234  = "GEZDGNBVGY3TQOJQ"                 // "1234567890"
	s12x2  = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	s32    = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
	gaName = "alice@google.com"
)

func TestImportSamples(t *testing.T) {
	rfcKey, _ := hex.DecodeString("12345678901234567890123456789012")
	tests := []struct {
		file, format string
		opts         []ImportOption
		want         []want
	}{
		{"import/uris.txt", FormatURIs, nil, []want{
			{vault.TOTP, "ACME Co", "john.doe@example.com", jbs, vault.SHA1, 6, 30, 0, "", "", "", false},
			{vault.HOTP, "Bank", "me", s1234, vault.SHA1, 8, 0, 7, "", "", "", false},
			{vault.TOTP, "Example", gaName, jbs, vault.SHA1, 6, 30, 0, "", "", "", false},
		}},
		{"import/aegis-plain.json", FormatAegis, nil, []want{
			{vault.TOTP, "GitHub", "alice@example.com", jbs, vault.SHA256, 8, 60, 0, "", "work laptop", "Work", true},
			{vault.HOTP, "Bank", "bob", s1234, vault.SHA1, 6, 0, 12, "", "", "", false},
			{vault.Steam, "Steam", "gaben", s12x2, vault.SHA1, 5, 30, 0, "", "", "", false},
		}},
		{"import/backup.2fas", Format2FAS, nil, []want{
			{vault.TOTP, "Alibaba Cloud", "ram-user@1234567890", jbs, vault.SHA1, 6, 30, 0, "", "", "", false},
			{vault.HOTP, "Counter Service", "me", s1234, vault.SHA512, 8, 0, 3, "", "", "", false},
		}},
		{"import/andotp.json", FormatAndOTP, nil, []want{
			{vault.TOTP, "Microsoft", "user@contoso.com", jbs, vault.SHA1, 6, 30, 0, "", "", "work,cloud", false},
			{vault.HOTP, "Forum", "nick", s1234, vault.SHA256, 7, 0, 5, "", "", "", false},
			{vault.Steam, "Steam", "gaben", s12x2, vault.SHA1, 5, 30, 0, "", "", "", false},
		}},
		{"import/entra-tokens.csv", FormatCSV, nil, []want{
			{vault.TOTP, "Contoso", "Helga@contoso.com", "2234567ABCDEF2234567ABCDEE", vault.SHA1, 6, 60, 0, "1234567", "model HardwareKey", "", false},
			{vault.TOTP, "Contoso", "raj@contoso.com", jbs, vault.SHA1, 6, 30, 0, "1234568", "model HardwareKey", "", false},
		}},
		{"import/mfaserver-tokens.csv", FormatCSV, nil, []want{
			{vault.TOTP, "", "1000001", jbs, vault.SHA1, 6, 30, 0, "1000001", "", "", false},
			{vault.TOTP, "", "1000002", s1234, vault.SHA1, 6, 60, 0, "1000002", "", "", false},
		}},
		{"pskc/plain.pskc", FormatPSKC, nil, []want{
			{vault.HOTP, "Issuer-A", "987654321", s12x2, vault.SHA1, 8, 0, 0, "987654321", "", "", false},
			{vault.TOTP, "TokenVendorAcme", "helga@contoso.com", s32, vault.SHA256, 6, 60, 0, "TOTP-0042", "model C200", "", false},
		}},
		{"pskc/rfc6030-preshared.pskc", FormatPSKC, []ImportOption{WithPSKCKey(PSKCKey{PreShared: rfcKey})}, []want{
			{vault.HOTP, "Issuer", "987654321", s12x2, vault.SHA1, 8, 0, 0, "987654321", "", "", false},
		}},
		{"pskc/rfc6030-pbkdf2.pskc", FormatPSKC, []ImportOption{WithPSKCKey(PSKCKey{Passphrase: []byte("qwerty")})}, []want{
			{vault.HOTP, "Example-Issuer", "987654321", s12x2, vault.SHA1, 8, 0, 0, "987654321", "", "", false},
		}},
	}
	for _, tt := range tests {
		for _, format := range []string{FormatAuto, tt.format} {
			t.Run(tt.file+"/"+format, func(t *testing.T) {
				f, err := os.Open(filepath.Join("testdata", tt.file))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				res, err := Import(f, format, tt.opts...)
				if err != nil {
					t.Fatal(err)
				}
				if res.Format != tt.format {
					t.Errorf("format %q, want %q", res.Format, tt.format)
				}
				if len(res.Accounts) != len(tt.want) {
					t.Fatalf("%d accounts, want %d", len(res.Accounts), len(tt.want))
				}
				for i, w := range tt.want {
					w.check(t, res.Accounts[i])
				}
			})
		}
	}
}

// TestHOTPFromPSKC checks the decrypted RFC 6030 secret against the RFC
// 4226 appendix D test values (8-digit form of counter 0).
func TestHOTPFromPSKC(t *testing.T) {
	f, err := os.Open("testdata/pskc/rfc6030-pbkdf2.pskc")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	accs, err := ParsePSKC(f, PSKCKey{Passphrase: []byte("qwerty")})
	if err != nil {
		t.Fatal(err)
	}
	if got := accs[0].CodeAtStep(0); got != "84755224" {
		t.Errorf("code at 0 = %s, want 84755224 (RFC 4226 D)", got)
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestImportErrors: the table of bad import files, each with its own error.
func TestImportErrors(t *testing.T) {
	rfcKey, _ := hex.DecodeString("12345678901234567890123456789012")
	wrongKey, _ := hex.DecodeString("00000000000000000000000000000000")
	pskc := string(readTestdata(t, "pskc/rfc6030-preshared.pskc"))
	plain := string(readTestdata(t, "pskc/plain.pskc"))
	tests := []struct {
		name, data, format string
		opts               []ImportOption
		is                 error
		msg                string
	}{
		{"empty", "", FormatAuto, nil, ErrNoAccounts, "no accounts found: the file is empty"},
		{"unknown", "hello world", FormatAuto, nil, ErrUnknownFormat, "unknown import format: cannot tell what kind of file this is (vmfa import --list-formats shows the formats; give one with --format)"},
		{"bad format name", "x", "keepass", nil, ErrUnknownFormat, `unknown import format "keepass" (vmfa import --list-formats shows the names)`},
		{"uri list, bad line", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n\notpauth://totp/b?secret=JBSWY3DPEHPK3PX1\n", FormatAuto, nil, ErrBadBase32, "line 3: secret is not valid base32 (letters A-Z and digits 2-7)"},
		{"uri list, http", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\nhttp://example.com\n", FormatURIs, nil, ErrNotOTPAuth, "line 2: not an otpauth uri (want otpauth://totp/… or otpauth-migration://offline?data=…)"},
		{"migration list with otpauth", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n", FormatMigration, nil, ErrNotOTPAuth, "line 1: not an otpauth uri (want otpauth://totp/… or otpauth-migration://offline?data=…): not an otpauth-migration uri"},
		{"aegis encrypted", string(readTestdata(t, "import/aegis-encrypted.json")), FormatAuto, nil, ErrPasswordNeeded, "this is an encrypted Aegis vault: give its password"},
		{"aegis bad json", `{"db": {"entries": [}`, FormatAegis, nil, nil, "not a valid aegis file: bad json at line 1, column 21"},
		{"aegis cut short", `{"version":1,"header":{"slots":null},"db":{"entries":[`, FormatAuto, nil, nil, "not a valid aegis file: the json ends too early (is it cut short?)"},
		{"aegis bad json, detected", "{\n  \"version\": 1,\n  \"db\": {\"entries\": [\"a\" \"b\"]}\n}\n", FormatAuto, nil, nil, "not a valid aegis file: bad json at line 3, column 26"},
		{"aegis after a bom and a space", " \ufeff{\"db\": x}", FormatAuto, nil, nil, "not a valid aegis file: bad json at line 1, column 12"},
		{"aegis after a comment line", "# exported\n{\"db\":{\"entries\":[{\"name\":\"a,b\"}]}}", FormatAuto, nil, nil, "not a valid aegis file: bad json at line 1, column 1"},
		{"json of another app", `{"accounts":[]}`, FormatAuto, nil, ErrUnknownFormat, "unknown import format: a json file of no known export format (vmfa import --list-formats shows the formats)"},
		{"bad json of another app", "{\n\"accounts\":[,]}", FormatAuto, nil, nil, "not a valid json file: bad json at line 2, column 13"},
		{"2fas bad json, detected", `{"services":[{"name":"X"}`, FormatAuto, nil, nil, "not a valid 2fas file: the json ends too early (is it cut short?)"},
		{"uri list, a line too long", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\notpauth://totp/b?secret=" + strings.Repeat("A", 200_000) + "\n", FormatAuto, nil, ErrMalformedURI, "line 2: malformed otpauth uri: longer than 65536 bytes"},
		{"aegis bad digits", `{"header":{"slots":null},"db":{"entries":[{"type":"totp","name":"n","issuer":"I","info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":9,"period":30}}]}}`, FormatAuto, nil, ErrDigits, "entry 1 (I: n): digits must be between 6 and 8 (got 9)"},
		{"aegis yandex without pin", `{"header":{"slots":null},"db":{"entries":[{"type":"yandex","name":"n","info":{"secret":"JBSWY3DPEHPK3PXPJBSWY3DPEE"}}]}}`, FormatAuto, nil, vault.ErrNoPIN, `entry 1 (n): yandex and motp accounts need their pin`},
		{"aegis hotp-ish ocra", `{"header":{"slots":null},"db":{"entries":[{"type":"ocra","name":"n","info":{"secret":"JBSWY3DPEHPK3PXP"}}]}}`, FormatAuto, nil, ErrUnknownType, `entry 1 (n): unknown type (want totp, hotp, steam, yandex or motp): "ocra"`},
		{"aegis hotp without counter", `{"header":{"slots":null},"db":{"entries":[{"type":"hotp","name":"n","info":{"secret":"JBSWY3DPEHPK3PXP"}}]}}`, FormatAuto, nil, ErrMissingCounter, "entry 1 (n): hotp uri has no counter parameter"},
		{"aegis bad algorithm", `{"header":{"slots":null},"db":{"entries":[{"type":"totp","name":"n","info":{"secret":"JBSWY3DPEHPK3PXP","algo":"MD5"}}]}}`, FormatAuto, nil, ErrUnknownAlgorithm, `entry 1 (n): unknown algorithm (want SHA1, SHA256 or SHA512): "MD5"`},
		{"aegis no entries", `{"header":{"slots":null},"db":{"version":2,"entries":[]}}`, FormatAuto, nil, ErrNoAccounts, "no accounts found"},
		{"2fas encrypted", string(readTestdata(t, "import/encrypted.2fas")), FormatAuto, nil, ErrPasswordNeeded, "this is an encrypted 2FAS backup: give its password"},
		{"2fas empty secret", `{"services":[{"name":"X","secret":"","otp":{"account":"a"}}],"schemaVersion":4}`, FormatAuto, nil, ErrEmptySecret, "entry 1 (X: a): secret is empty"},
		{"andotp not a list", `[{"secret": 5}]`, FormatAuto, nil, nil, "not a valid andotp file: field \"secret\" must be a string, not a number"},
		{"andotp secret under 32 bits", `[{"secret":"JBSWY","label":"x","type":"TOTP"}]`, FormatAuto, nil, ErrSecretTooShort, "entry 1 (x): secret is too short (at least 80 bits, 16 base32 characters); keys a server issued are taken down to 32 bits"},
		{"csv no secret column", "upn,serial number,model\nx,1,y\n", FormatAuto, nil, ErrCSV, `bad token csv: the header has no "secret key" column`},
		{"csv bad secret", "serial number,secret key,time interval\n1,JBSWY3DPEHPK3PX1,30\n", FormatAuto, nil, ErrBadBase32, "line 2: secret is not valid base32 (letters A-Z and digits 2-7)"},
		{"csv bad interval", "1000001,JBSWY3DPEHPK3PXP,0\n", FormatCSV, nil, ErrPeriod, `line 1: period must be a positive number of seconds (got "0")`},
		{"csv one column", "1000001\n", FormatCSV, nil, ErrCSV, "line 1: bad token csv: want serial,secret,interval or a header row"},
		{"csv empty serial", ",JBSWY3DPEHPK3PXP,30\n", FormatCSV, nil, nil, "line 1: serial number is empty"},
		{"csv bad quoting", "1,\"JBSW,30\n", FormatCSV, nil, ErrCSV, `bad token csv: line 1, column 12: a quoted field is not closed, or has a stray " after its closing quote (double a " inside a quoted field)`},
		{"csv bare quote", "1,JBSW\"Y3DPEHPK3PXP,30\n", FormatCSV, nil, ErrCSV, `bad token csv: line 1, column 7: a " inside a field that does not start with one (put the whole field in double quotes and double the " inside)`},
		{"csv quote left open", "serial,secret\n1,\"JBSWY3DPEHPK3PXP\n2,JBSWY3DPEHPK3PXP\n", FormatCSV, nil, ErrCSV, `bad token csv: line 2: a quoted field that starts on this line is still open at line 3 (a " is missing or extra)`},
		{"pskc not xml", "<KeyContainer><Key>", FormatPSKC, nil, ErrPSKC, "bad pskc file: not valid xml (XML syntax error on line 1: unexpected EOF)"},
		{"pskc wrong root", "<KeyContainerX/>", FormatPSKC, nil, ErrPSKC, "bad pskc file: the root element is <KeyContainerX>, not <KeyContainer>"},
		{"pskc version 2", `<KeyContainer Version="2.0"/>`, FormatPSKC, nil, ErrPSKC, `bad pskc file: unsupported version "2.0"`},
		{"pskc no keys", `<KeyContainer Version="1.0"/>`, FormatPSKC, nil, ErrNoAccounts, "no accounts found"},
		{"pskc 10 digits", strings.Replace(plain, `Length="8"`, `Length="10"`, 1), FormatAuto, nil, ErrDigits, `key 1 (serial 987654321): digits must be between 6 and 8 (got "10")`},
		{"pskc hex encoding", strings.Replace(plain, `Encoding="DECIMAL"`, `Encoding="HEXADECIMAL"`, 1), FormatAuto, nil, ErrPSKC, `key 1 (serial 987654321): bad pskc file: response encoding "HEXADECIMAL" (want DECIMAL)`},
		{"pskc bad counter", strings.Replace(plain, "<PlainValue>0</PlainValue>", "<PlainValue>-1</PlainValue>", 1), FormatAuto, nil, ErrPSKC, `key 1 (serial 987654321): bad pskc file: counter "-1" is not a whole number`},
		{"pskc bad base64", strings.Replace(plain, "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=", "MTIz!", 1), FormatAuto, nil, ErrPSKC, "key 1 (serial 987654321): bad pskc file: a secret PlainValue is not base64"},
		{"pskc no key given", pskc, FormatAuto, nil, ErrPSKCPreShared, `key 1 (serial 987654321): pskc key or passphrase is missing or wrong: the file is encrypted with the pre-shared key "Pre-shared-key"`},
		{"pskc wrong key", pskc, FormatAuto, []ImportOption{WithPSKCKey(PSKCKey{PreShared: wrongKey})}, ErrPSKCWrongKey, "key 1 (serial 987654321): wrong pskc pre-shared key (mac check failed); check the key and try again"},
		{"pskc key of wrong size", pskc, FormatAuto, []ImportOption{WithPSKCKey(PSKCKey{PreShared: []byte("short")})}, ErrPSKCKey, "key 1 (serial 987654321): pskc key or passphrase is missing or wrong: a pre-shared aes key is 16, 24 or 32 bytes, not 5"},
		{"pskc altered", strings.Replace(pskc, "Su+NvtQfmvfJzF6bmQiJqoLRExc=", "Su+NvtQgmvfJzF6bmQiJqoLRExc=", 1), FormatAuto, []ImportOption{WithPSKCKey(PSKCKey{PreShared: rfcKey})}, ErrPSKCMAC, "key 1 (serial 987654321): pskc mac check failed (wrong key or passphrase, or the file was altered)"},
		{"pskc no mac", strings.Replace(pskc, "<ValueMAC>Su+NvtQfmvfJzF6bmQiJqoLRExc=</ValueMAC>", "", 1), FormatAuto, []ImportOption{WithPSKCKey(PSKCKey{PreShared: rfcKey})}, ErrPSKCMAC, "key 1 (serial 987654321): pskc mac check failed (wrong key or passphrase, or the file was altered): the encrypted value has no MAC to check"},
		{"pskc no passphrase", string(readTestdata(t, "pskc/rfc6030-pbkdf2.pskc")), FormatAuto, nil, ErrPSKCKey, `key 1 (serial 987654321): pskc key or passphrase is missing or wrong: the file is protected by a passphrase ("My Password 1")`},
		{"pskc wrong passphrase", string(readTestdata(t, "pskc/rfc6030-pbkdf2.pskc")), FormatAuto, []ImportOption{WithPSKCKey(PSKCKey{Passphrase: []byte("azerty")})}, ErrPSKCWrongPassphrase, "key 1 (serial 987654321): wrong pskc passphrase (mac check failed); check the passphrase and try again"},
		{"pskc 3des", strings.ReplaceAll(pskc, "aes128-cbc", "tripledes-cbc"), FormatAuto, []ImportOption{WithPSKCKey(PSKCKey{PreShared: rfcKey})}, ErrPSKC, `key 1 (serial 987654321): bad pskc file: "tripledes-cbc" does not match the 128-bit key (only aes-cbc is supported)`},
		{"image without qr", string(qrPNGBlank(t)), FormatAuto, nil, ErrNoQR, "no QR code found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Import(strings.NewReader(tt.data), tt.format, tt.opts...)
			if err == nil {
				t.Fatalf("no error: %+v", res)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %q", err, tt.is)
			}
			// Every key or passphrase problem is an ErrPSKCKey; only a
			// missing one is an ErrPSKCPreShared or ErrPSKCPassphrase.
			for _, is := range []error{ErrPSKCWrongKey, ErrPSKCWrongPassphrase, ErrPSKCPreShared, ErrPSKCPassphrase} {
				if errors.Is(err, is) && !errors.Is(err, ErrPSKCKey) {
					t.Errorf("error %q is %q but not ErrPSKCKey", err, is)
				}
				if errors.Is(err, is) != (is == tt.is || (is == ErrPSKCPassphrase && strings.Contains(tt.name, "no passphrase"))) {
					t.Errorf("errors.Is(%q, %q) = %v", err, is, errors.Is(err, is))
				}
			}
			if err.Error() != tt.msg {
				t.Errorf("message\n got %q\nwant %q", err, tt.msg)
			}
			for _, s := range []string{"JBSWY3DPEHPK3PX", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error leaks a secret: %v", err)
				}
			}
		})
	}
}

func qrPNGBlank(t *testing.T) []byte {
	img, _ := QRImage("x", 50)
	for i := range img.Pix {
		img.Pix[i] = 0
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportSkipInvalid(t *testing.T) {
	data := "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\notpauth://totp/b?secret=JBSWY3DPEHPK3PX1\notpauth://totp/c?secret=GEZDGNBVGY3TQOJQ&digits=9\n"
	res, err := Import(strings.NewReader(data), FormatAuto, SkipInvalid())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accounts) != 1 || res.Accounts[0].Name != "a" {
		t.Errorf("accounts %+v", res.Accounts)
	}
	if len(res.Invalid) != 2 || res.Invalid[0].Entry != "line 2" || !errors.Is(res.Invalid[0].Err, ErrBadBase32) || !errors.Is(res.Invalid[1].Err, ErrDigits) {
		t.Errorf("invalid %+v", res.Invalid)
	}
	_, err = Import(strings.NewReader("otpauth://totp/b?secret=JBSWY3DPEHPK3PX1\n"), FormatAuto, SkipInvalid())
	if !errors.Is(err, ErrNoAccounts) || err.Error() != "no accounts found: all 1 entries are invalid (first: line 1: secret is not valid base32 (letters A-Z and digits 2-7))" {
		t.Errorf("all invalid: %v", err)
	}
}

func TestMerge(t *testing.T) {
	s1, s2 := []byte("0123456789"), []byte("abcdefghij")
	existing := []vault.Account{{Issuer: "GitHub", Name: "a", Secret: s1}}
	incoming := []vault.Account{
		{Issuer: "github", Name: "a", Secret: s1}, // duplicate, issuer case differs
		{Issuer: "GitHub", Name: "a", Secret: s2}, // new secret
		{Issuer: "GitHub", Name: "b", Secret: s1}, // new name
		{Issuer: "GitHub", Name: "b", Secret: s1}, // repeated in the file
	}
	added, dups := Merge(existing, incoming)
	if dups != 2 || len(added) != 2 || string(added[0].Secret) != string(s2) || added[1].Name != "b" {
		t.Errorf("added %+v, dups %d", added, dups)
	}
}

// sampleAccounts covers every kind of account the export formats carry.
func sampleAccounts(t *testing.T) []vault.Account {
	t.Helper()
	var accs []vault.Account
	for i, u := range []string{
		"otpauth://totp/ACME%20Co:john.doe@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co",
		"otpauth://totp/Alibaba%20Cloud:ram-user@1234567890?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8",
		"otpauth://hotp/Bank:me?secret=GEZDGNBVGY3TQOJQ&counter=99&algorithm=SHA512",
		"otpauth://totp/%C3%9Cber%3AIssuer:n%26m?secret=JBSWY3DPEHPK3PXP&issuer=%C3%9Cber%3AIssuer",
		"otpauth://totp/no-issuer?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
	} {
		a, err := ParseURI(u)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		accs = append(accs, a...)
	}
	return accs
}

func sameAccounts(t *testing.T, got, want []vault.Account) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d accounts, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.SameCredential(&w) || g.Issuer != w.Issuer || g.Type != w.Type || g.Algorithm != w.Algorithm || g.Digits != w.Digits || g.Period != w.Period || g.Counter != w.Counter {
			t.Errorf("%d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// TestExportImportRoundTrip: every export format reads back as the same
// accounts.
func TestExportImportRoundTrip(t *testing.T) {
	accs := sampleAccounts(t)
	steam := vault.Account{Type: vault.Steam, Issuer: "Steam", Name: "gabe", Secret: []byte("0123456789"), Tags: []string{"games"}, Note: "n", Favourite: true}
	if err := steam.Normalize(accs[0].Created); err != nil {
		t.Fatal(err)
	}
	withSteam := append(append([]vault.Account(nil), accs...), steam)

	var u bytes.Buffer
	if err := WriteURIs(&u, withSteam); err != nil {
		t.Fatal(err)
	}
	res, err := Import(&u, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	sameAccounts(t, res.Accounts, withSteam)

	var a bytes.Buffer
	if err := WriteAegis(&a, withSteam); err != nil {
		t.Fatal(err)
	}
	res, err = Import(&a, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != FormatAegis {
		t.Errorf("aegis export detected as %s", res.Format)
	}
	sameAccounts(t, res.Accounts, aegisCounters(withSteam))
	if last := res.Accounts[len(res.Accounts)-1]; last.Note != "n" || !last.Favourite || strings.Join(last.Tags, ",") != "games" {
		t.Errorf("aegis lost note, favourite or group: %+v", last)
	}

	if _, err := MigrationExport(withSteam, 400); err == nil || !strings.Contains(err.Error(), "Steam: gabe: steam accounts cannot be put in a google authenticator export") {
		t.Errorf("steam in migration export: %v", err)
	}
	qrs, err := MigrationExport(accs, 500)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for i, q := range qrs {
		files = append(files, writeFile(t, fmt.Sprintf("ga-%d.png", i), q.PNG))
	}
	found, err := ScanFiles(files...)
	if err != nil {
		t.Fatal(err)
	}
	var back []vault.Account
	for _, f := range found {
		back = append(back, f.Account)
	}
	sameAccounts(t, back, accs)
}

// aegisCounters is accs as they come back from an Aegis export: HOTP
// counters one further (TestHOTPCounterAcrossApps).
func aegisCounters(accs []vault.Account) []vault.Account {
	out := append([]vault.Account(nil), accs...)
	for i := range out {
		if out[i].Type == vault.HOTP {
			out[i].Counter = AegisCounter(out[i].Counter)
		}
	}
	return out
}

// TestHOTPCounterAcrossApps: a move between vmfa and another app never
// shows a code vmfa already handed out, nor hands out one the other app may
// have shown. vmfa and Google Authenticator hold the last counter used
// (GA's OtpProvider increments before computing); Aegis holds the counter of
// the code it shows (HotpInfo.getOtp uses it as is). RFC 4226 appendix D
// codes for the secret "12345678901234567890".
func TestHOTPCounterAcrossApps(t *testing.T) {
	rfc := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583"}
	a := vault.Account{Type: vault.HOTP, Issuer: "Bank", Name: "me", Secret: []byte("12345678901234567890"), Counter: 4}
	if err := a.Normalize(time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := a.HOTPHandedOut(1).Current; got != rfc[4] {
		t.Fatalf("vmfa's last code is %s, want %s", got, rfc[4])
	}

	// vmfa -> Aegis: Aegis's first code is counter 5's, not 4's again.
	var buf bytes.Buffer
	if err := WriteAegis(&buf, []vault.Account{a}); err != nil {
		t.Fatal(err)
	}
	var db struct {
		DB struct {
			Entries []struct {
				Info struct {
					Counter uint64 `json:"counter"`
				} `json:"info"`
			} `json:"entries"`
		} `json:"db"`
	}
	if err := json.Unmarshal(buf.Bytes(), &db); err != nil {
		t.Fatal(err)
	}
	aegisShows := a
	aegisShows.Counter = db.DB.Entries[0].Info.Counter
	if got := aegisShows.CodeAtStep(aegisShows.Counter); got != rfc[5] {
		t.Errorf("Aegis would show %s first (counter %d), want %s (counter 5)", got, aegisShows.Counter, rfc[5])
	}

	// Aegis -> vmfa: Aegis may have shown counter 5's code, so vmfa's next
	// one is counter 6's.
	res, err := Import(bytes.NewReader(buf.Bytes()), FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	back := res.Accounts[0]
	if back.Counter != 5 {
		t.Errorf("imported from Aegis with last used counter %d, want 5", back.Counter)
	}
	if got := back.CodeAtStep(back.Counter + 1); got != rfc[6] {
		t.Errorf("vmfa's next code after the move back is %s, want %s", got, rfc[6])
	}

	// Google Authenticator's migration payload: the counter is the last one
	// used on both sides, so it goes through as is.
	m, err := MigrationURIs([]vault.Account{a}, 1)
	if err != nil {
		t.Fatal(err)
	}
	ga, err := ParseURI(m[0])
	if err != nil {
		t.Fatal(err)
	}
	if ga[0].Counter != 4 {
		t.Errorf("migration round trip: counter %d, want 4 (GA's first code is then counter 5's)", ga[0].Counter)
	}
}

// encryptPSKC writes a PSKC container whose secrets are encrypted under
// key with AES-CBC and MACed with HMAC-SHA256, independently of the parser.
func encryptPSKC(t *testing.T, key, macKey []byte, secrets [][]byte) string {
	t.Helper()
	enc := func(plain []byte) []byte {
		blk, err := aes.NewCipher(key)
		if err != nil {
			t.Fatal(err)
		}
		pad := aes.BlockSize - len(plain)%aes.BlockSize
		p := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
		iv := bytes.Repeat([]byte{0x42}, aes.BlockSize)
		out := make([]byte, len(p))
		cipher.NewCBCEncrypter(blk, iv).CryptBlocks(out, p)
		return append(iv, out...)
	}
	alg := map[int]string{16: "aes128-cbc", 24: "aes192-cbc", 32: "aes256-cbc"}[len(key)]
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?>
<pskc:KeyContainer Version="1.0" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
 <pskc:EncryptionKey><ds:KeyName>transport key</ds:KeyName></pskc:EncryptionKey>
 <pskc:MACMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#hmac-sha256">
  <pskc:MACKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#%s"/><xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue></xenc:CipherData></pskc:MACKey>
 </pskc:MACMethod>
`, alg, base64.StdEncoding.EncodeToString(enc(macKey)))
	for i, s := range secrets {
		ct := enc(s)
		m := hmac.New(sha256.New, macKey)
		m.Write(ct)
		fmt.Fprintf(&b, ` <pskc:KeyPackage>
  <pskc:DeviceInfo><pskc:Manufacturer>Feitian</pskc:Manufacturer><pskc:SerialNo>SN%04d</pskc:SerialNo></pskc:DeviceInfo>
  <pskc:Key Id="k%d" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
   <pskc:AlgorithmParameters><pskc:ResponseFormat Length="6" Encoding="DECIMAL"/></pskc:AlgorithmParameters>
   <pskc:Data>
    <pskc:Secret><pskc:EncryptedValue><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#%s"/><xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue></xenc:CipherData></pskc:EncryptedValue><pskc:ValueMAC>%s</pskc:ValueMAC></pskc:Secret>
    <pskc:TimeInterval><pskc:PlainValue>30</pskc:PlainValue></pskc:TimeInterval>
   </pskc:Data>
  </pskc:Key>
 </pskc:KeyPackage>
`, i, i, alg, base64.StdEncoding.EncodeToString(ct), base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	b.WriteString("</pskc:KeyContainer>\n")
	return b.String()
}

func TestParsePSKCEncryptedGenerated(t *testing.T) {
	secrets := [][]byte{[]byte("0123456789abcdef0123"), []byte("another secret of 32 bytes......")}
	for _, n := range []int{16, 24, 32} {
		key := bytes.Repeat([]byte{byte(n)}, n)
		doc := encryptPSKC(t, key, []byte("mac key of twenty bytes"), secrets)
		accs, err := ParsePSKC(strings.NewReader(doc), PSKCKey{PreShared: key})
		if err != nil {
			t.Fatalf("aes-%d: %v", n*8, err)
		}
		if len(accs) != 2 || string(accs[0].Secret) != string(secrets[0]) || string(accs[1].Secret) != string(secrets[1]) || accs[1].Serial != "SN0001" || accs[0].Issuer != "Feitian" {
			t.Errorf("aes-%d: %+v", n*8, accs)
		}
		// A different key of the right size: either the MAC key decrypts to
		// garbage (MAC fails) or its padding is malformed.
		other := bytes.Repeat([]byte{0xee}, n)
		if _, err := ParsePSKC(strings.NewReader(doc), PSKCKey{PreShared: other}); !errors.Is(err, ErrPSKCKey) && !errors.Is(err, ErrPSKCMAC) {
			t.Errorf("aes-%d with a wrong key: %v", n*8, err)
		}
	}
	// Ciphertext altered: the MAC catches it before decryption.
	key := bytes.Repeat([]byte{1}, 16)
	doc := encryptPSKC(t, key, []byte("mac key"), secrets[:1])
	i := strings.LastIndex(doc, "<xenc:CipherValue>") + len("<xenc:CipherValue>") + 30
	c := byte('A')
	if doc[i] == 'A' {
		c = 'B'
	}
	altered := doc[:i] + string(c) + doc[i+1:]
	if _, err := ParsePSKC(strings.NewReader(altered), PSKCKey{PreShared: key}); !errors.Is(err, ErrPSKCMAC) {
		t.Errorf("altered ciphertext: %v", err)
	}
}

func TestImportImage(t *testing.T) {
	data, err := QRPNG(testURI, 300)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(bytes.NewReader(data), FormatAuto)
	if err != nil || res.Format != FormatImage || len(res.Accounts) != 1 || res.Accounts[0].Issuer != "ACME Co" {
		t.Fatalf("%+v %v", res, err)
	}
	web, _ := QRPNG("https://example.com/", 300)
	_, err = Import(bytes.NewReader(web), FormatAuto)
	if !errors.Is(err, ErrNotOTPAuth) || !strings.HasPrefix(err.Error(), "QR code 1: not an otpauth uri") {
		t.Errorf("web QR: %v", err)
	}
}

func TestImportURIsBatch(t *testing.T) {
	var accs []vault.Account
	for i := 0; i < 25; i++ {
		accs = append(accs, vault.Account{Type: vault.TOTP, Name: fmt.Sprint("u", i), Secret: []byte(fmt.Sprintf("secret-%04d", i)), Digits: 6, Period: 30})
	}
	uris, err := MigrationURIs(accs, 77)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(strings.NewReader(strings.Join(uris, "\n")), FormatAuto)
	if err != nil || len(res.Accounts) != 25 {
		t.Fatalf("whole export: %v", err)
	}
	_, err = Import(strings.NewReader(uris[0]+"\n"+uris[1]+"\n"), FormatMigration)
	if !errors.Is(err, ErrBatchIncomplete) || err.Error() != "google authenticator export is incomplete: code 3 of 3 is missing (give every code of the export at once)" {
		t.Errorf("partial export: %v", err)
	}
}

// TestImportJSONAfterBOM: a JSON export saved with a byte order mark (and
// white space around it) is detected and read.
func TestImportJSONAfterBOM(t *testing.T) {
	for _, n := range []string{"aegis-plain.json", "backup.2fas", "andotp.json"} {
		data := append([]byte("\xef\xbb\xbf \n"), readTestdata(t, filepath.Join("import", n))...)
		res, err := Import(bytes.NewReader(data), FormatAuto)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		plain, err := Import(bytes.NewReader(readTestdata(t, filepath.Join("import", n))), FormatAuto)
		if err != nil || res.Format != plain.Format || len(res.Accounts) != len(plain.Accounts) {
			t.Errorf("%s: with a bom %s %d accounts, without %v", n, res.Format, len(res.Accounts), err)
		}
	}
}

// TestAegisExportKeepsTagsNoteSerial: an Aegis export holds every tag as an
// Aegis 3 group (db version 3, "groups" of uuids naming db.groups), the
// note, and the serial number as the note's last line; Import reads all of
// them back.
func TestAegisExportKeepsTagsNoteSerial(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	accs := []vault.Account{
		{Type: vault.TOTP, Issuer: "Corp", Name: "token", Secret: []byte("0123456789abcdef"), Tags: []string{"work", "hardware", "work"}, Note: "desk drawer", Serial: "SN-000123", Favourite: true},
		{Type: vault.HOTP, Issuer: "Bank", Name: "me", Secret: []byte("0123456789"), Counter: 7, Tags: []string{"hardware"}, Serial: "42"},
		{Type: vault.TOTP, Issuer: "Mail", Name: "bob", Secret: []byte("abcdefghij"), Note: "plain note"},
	}
	for i := range accs {
		if err := accs[i].Normalize(now); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := WriteAegis(&b, accs); err != nil {
		t.Fatal(err)
	}

	// The file is what Aegis 3 reads: groups by uuid.
	var f struct {
		DB struct {
			Version int `json:"version"`
			Groups  []struct {
				UUID, Name string
			} `json:"groups"`
			Entries []struct {
				Note   string   `json:"note"`
				Groups []string `json:"groups"`
			} `json:"entries"`
		} `json:"db"`
	}
	if err := json.Unmarshal(b.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	if f.DB.Version != 3 || len(f.DB.Groups) != 2 || f.DB.Groups[0].Name != "work" || f.DB.Groups[1].Name != "hardware" {
		t.Fatalf("db version %d, groups %+v; want version 3, groups work and hardware", f.DB.Version, f.DB.Groups)
	}
	work, hw := f.DB.Groups[0].UUID, f.DB.Groups[1].UUID
	if len(work) != 36 || work == hw {
		t.Errorf("group uuids %q %q", work, hw)
	}
	if g := f.DB.Entries[0].Groups; len(g) != 2 || g[0] != work || g[1] != hw {
		t.Errorf("entry 1 groups %v, want [%s %s]", g, work, hw)
	}
	if g := f.DB.Entries[2].Groups; g == nil || len(g) != 0 {
		t.Errorf("entry 3 groups %v, want []", g)
	}
	for i, want := range []string{"desk drawer\nserial: SN-000123", "serial: 42", "plain note"} {
		if got := f.DB.Entries[i].Note; got != want {
			t.Errorf("entry %d note %q, want %q", i+1, got, want)
		}
	}

	res, err := Import(&b, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	sameAccounts(t, res.Accounts, aegisCounters(accs))
	for i, want := range []struct {
		tags, note, serial string
		fav                bool
	}{
		{"work,hardware", "desk drawer", "SN-000123", true},
		{"hardware", "", "42", false},
		{"", "plain note", "", false},
	} {
		got := res.Accounts[i]
		if strings.Join(got.Tags, ",") != want.tags || got.Note != want.note || got.Serial != want.serial || got.Favourite != want.fav {
			t.Errorf("account %d: tags %q note %q serial %q favourite %v, want %+v", i+1, got.Tags, got.Note, got.Serial, got.Favourite, want)
		}
	}
}

// TestAegisImportNotes: a multi-line Aegis note becomes one line, a
// version 2 "group" counts only without version 3 "groups" (as in Aegis).
func TestAegisImportNotes(t *testing.T) {
	doc := `{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,
	"groups":[{"uuid":"11111111-1111-4111-8111-111111111111","name":"work"}],
	"entries":[
	{"type":"totp","name":"a","issuer":"I","note":"line one\nline two\r\n\tSerial: 99 ","group":"old","groups":["11111111-1111-4111-8111-111111111111","22222222-2222-4222-8222-222222222222"],"info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":6,"period":30}},
	{"type":"totp","name":"b","issuer":"I","note":"serial:","group":"old","info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":6,"period":30}}]}}`
	res, err := Import(strings.NewReader(doc), FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	a, b := res.Accounts[0], res.Accounts[1]
	if a.Note != "line one line two" || a.Serial != "99" || strings.Join(a.Tags, ",") != "work" {
		t.Errorf("a: note %q serial %q tags %q", a.Note, a.Serial, a.Tags)
	}
	if b.Note != "serial:" || b.Serial != "" || strings.Join(b.Tags, ",") != "old" {
		t.Errorf("b: note %q serial %q tags %q", b.Note, b.Serial, b.Tags)
	}
}

// TestPSKCMixedKeys: keys of algorithms vmfa does not implement are skipped
// and named; the file's other keys are imported.
func TestPSKCMixedKeys(t *testing.T) {
	plain, err := os.ReadFile(filepath.Join("testdata", "pskc", "plain.pskc"))
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []struct{ uri, name string }{
		{"urn:ietf:params:xml:ns:keyprov:pskc:ocra", "ocra (challenge-response)"},
		{"urn:ietf:params:xml:ns:keyprov:pskc:pin", "pin (static PIN)"},
		{"http://www.yubico.com/#yubikey-aes", "yubikey aes"},
	} {
		data := strings.Replace(string(plain), "urn:ietf:params:xml:ns:keyprov:pskc:hotp", alg.uri, 1)
		res, err := Import(strings.NewReader(data), FormatAuto)
		if err != nil {
			t.Fatalf("%s: %v", alg.name, err)
		}
		if len(res.Accounts) != 1 || res.Accounts[0].Type != vault.TOTP {
			t.Errorf("%s: accounts %+v", alg.name, res.Accounts)
		}
		if len(res.Unsupported) != 1 || !errors.Is(res.Unsupported[0].Err, ErrUnsupportedKey) ||
			res.Unsupported[0].Entry != "key 1 (serial 987654321)" || !strings.Contains(res.Unsupported[0].Err.Error(), alg.name+" keys are not supported") {
			t.Errorf("%s: unsupported %v", alg.name, res.Unsupported)
		}
		// ParsePSKC (the verifier's token import) takes the same keys.
		accs, err := ParsePSKC(strings.NewReader(data), PSKCKey{})
		if err != nil || len(accs) != 1 {
			t.Errorf("%s: ParsePSKC %d %v", alg.name, len(accs), err)
		}
	}
	// A secret under RSA key transport is skipped the same way.
	i := strings.Index(string(plain), "<Secret>")
	j := strings.Index(string(plain), "</Secret>")
	rsa := string(plain[:i]) + `<Secret><EncryptedValue><xenc:EncryptionMethod xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Algorithm="http://www.w3.org/2001/04/xmlenc#rsa_1_5"/><xenc:CipherData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></EncryptedValue>` + string(plain[j:])
	res, err := Import(strings.NewReader(rsa), FormatAuto)
	if err != nil || len(res.Accounts) != 1 || len(res.Unsupported) != 1 || !strings.Contains(res.Unsupported[0].Err.Error(), "rsa key (key transport") {
		t.Errorf("rsa key transport: %v %+v", err, res)
	}
	// Only unsupported keys: an error naming the first.
	only := strings.Replace(string(plain), "urn:ietf:params:xml:ns:keyprov:pskc:hotp", "urn:ietf:params:xml:ns:keyprov:pskc:ocra", 1)
	only = strings.Replace(only, "urn:ietf:params:xml:ns:keyprov:pskc:totp", "urn:ietf:params:xml:ns:keyprov:pskc:pin", 1)
	_, err = Import(strings.NewReader(only), FormatAuto)
	if !errors.Is(err, ErrNoAccounts) || !strings.Contains(err.Error(), "no record vmfa supports (key 1 (serial 987654321): ocra (challenge-response) keys are not supported") {
		t.Errorf("only unsupported keys: %v", err)
	}
	// Limits are stated.
	long := strings.Replace(string(plain), "<PlainValue>60</PlainValue>", "<PlainValue>90000</PlainValue>", 1)
	if long == string(plain) {
		t.Skip("sample has no plain time interval")
	}
	_, err = Import(strings.NewReader(long), FormatAuto)
	if err == nil || !strings.Contains(err.Error(), "period must be at most 86,400 s, one day (got 90000)") {
		t.Errorf("long time step: %v", err)
	}
}
