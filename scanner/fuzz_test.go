package scanner

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"image/gif"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/vault"
)

// The fuzz targets check that no input panics and that whatever a parser
// accepts is a valid account that survives a round trip. Their seed
// corpora are committed under testdata/fuzz/FuzzXxx (written from the
// seeds below by VMFA_WRITE_CORPUS=1 go test -run TestWriteFuzzCorpus).

var uriSeeds = []string{
	testURI,
	"otpauth://hotp/Bank:me?secret=GEZDGNBVGY3TQOJQ&counter=7&digits=8",
	"otpauth://steam/Steam:gabe?secret=JBSWY3DPEHPK3PXP&issuer=Steam",
	"otpauth://totp/A%3AB:n?secret=JBSWY3DPEHPK3PXP&issuer=A%3AB&algorithm=SHA512&period=60",
	"otpauth://totp/:a%3Ab?secret=jbsw%20y3dp%20ehpk%203pxp%3D%3D%3D%3D",
	"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
	"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=10",
	"otpauth://motp/x?secret=JBSWY3DPEHPK3PXP",
	"http://totp/x?secret=JBSWY3DPEHPK3PXP",
	gaExample,
	"otpauth-migration://offline?data=CgIKBQ%3D%3D",
}

func FuzzParseURI(f *testing.F) {
	for _, s := range uriSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		accs, err := ParseURI(s)
		if err != nil {
			if accs != nil {
				t.Fatal("accounts and an error")
			}
			return
		}
		for _, a := range accs {
			if err := a.Validate(); err != nil {
				t.Fatalf("accepted an invalid account: %v", err)
			}
			back, err := ParseURI(AccountURI(a))
			if err != nil {
				t.Fatalf("AccountURI of an accepted account does not parse: %v\n%s", err, AccountURI(a))
			}
			b := back[0]
			if !a.SameCredential(&b) || a.Issuer != b.Issuer || a.Type != b.Type || a.Digits != b.Digits || a.Period != b.Period || a.Counter != b.Counter || a.Algorithm != b.Algorithm {
				t.Fatalf("round trip changed the account:\n%+v\n%+v", a, b)
			}
		}
	})
}

func migrationSeeds() [][]byte {
	raw, _ := base64.StdEncoding.DecodeString("CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC")
	out := [][]byte{raw, {0x0a, 0x02, 0x0a, 0x05}, {0x0b}, {0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}}
	u, err := EncodeMigration([]vault.Account{
		{Type: vault.HOTP, Issuer: "I", Name: "n", Secret: []byte("0123456789"), Algorithm: vault.SHA512, Digits: 8, Counter: 1 << 40},
		{Type: vault.TOTP, Name: "x:y", Secret: []byte("0123456789"), Algorithm: vault.SHA256, Digits: 6},
	}, 3, 2, -5)
	if err == nil {
		m, _ := strings.CutPrefix(u, "otpauth-migration://offline?data=")
		s, _ := url.QueryUnescape(m)
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			out = append(out, b)
		}
	}
	return out
}

func FuzzDecodeMigration(f *testing.F) {
	for _, s := range migrationSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodePayload(data)
		if err != nil {
			return
		}
		for _, a := range m.Accounts {
			if err := a.Validate(); err != nil {
				t.Fatalf("accepted an invalid account: %v", err)
			}
		}
		u, err := EncodeMigration(m.Accounts, m.BatchSize, m.BatchIndex, m.BatchID)
		if err != nil {
			t.Fatalf("cannot re-encode a decoded payload: %v", err)
		}
		back, err := DecodeMigration(u)
		if err != nil {
			t.Fatalf("re-encoded payload does not decode: %v", err)
		}
		if len(back.Accounts) != len(m.Accounts) || back.BatchSize != m.BatchSize || back.BatchIndex != m.BatchIndex || back.BatchID != m.BatchID {
			t.Fatalf("round trip changed the payload")
		}
		for i := range back.Accounts {
			a, b := m.Accounts[i], back.Accounts[i]
			if !a.SameCredential(&b) || a.Type != b.Type || a.Counter != b.Counter || a.Digits != b.Digits || a.Algorithm != b.Algorithm {
				t.Fatalf("round trip changed account %d:\n%+v\n%+v", i, a, b)
			}
		}
	})
}

func csvSeeds(t testing.TB) []string {
	return []string{
		string(readFileT(t, "testdata/import/entra-tokens.csv")),
		string(readFileT(t, "testdata/import/mfaserver-tokens.csv")),
		"serial number,secret key\n1,JBSWY3DPEHPK3PXP\n",
		"\ufeffUPN,Serial Number,Secret Key,Time Interval\n\"a,b\",1,JBSWY3DPEHPK3PXP,30\n",
		"1,\"JBSW,30\n",
	}
}

func readFileT(t testing.TB, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzTokenCSV(f *testing.F) {
	for _, s := range csvSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		accs, err := ParseTokenCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, a := range accs {
			if err := a.Validate(); err != nil || a.Serial == "" || a.Type != vault.TOTP {
				t.Fatalf("accepted a bad token: %v %+v", err, a)
			}
		}
	})
}

func pskcSeeds(t testing.TB) []string {
	out := []string{`<KeyContainer Version="1.0"/>`, "<KeyContainer><KeyPackage><Key Algorithm=\"x:hotp\"><Data><Secret><PlainValue>AA==</PlainValue></Secret></Data></Key></KeyPackage></KeyContainer>"}
	for _, n := range []string{"plain.pskc", "rfc6030-preshared.pskc", "rfc6030-pbkdf2.pskc"} {
		out = append(out, string(readFileT(t, filepath.Join("testdata/pskc", n))))
	}
	return out
}

func FuzzPSKC(f *testing.F) {
	for _, s := range pskcSeeds(f) {
		f.Add(s)
	}
	key, _ := hex.DecodeString("12345678901234567890123456789012")
	f.Fuzz(func(t *testing.T, s string) {
		// The pre-shared key only: a passphrase would let inputs ask for
		// millions of PBKDF2 rounds and slow the fuzzer to a crawl.
		accs, err := ParsePSKC(strings.NewReader(s), PSKCKey{PreShared: key})
		if err != nil {
			return
		}
		for _, a := range accs {
			if err := a.Validate(); err != nil {
				t.Fatalf("accepted an invalid account: %v", err)
			}
		}
	})
}

func jsonSeeds(t testing.TB) []string {
	var out []string
	for _, n := range []string{"aegis-plain.json", "aegis-encrypted.json", "backup.2fas", "encrypted.2fas", "andotp.json"} {
		out = append(out, string(readFileT(t, filepath.Join("testdata/import", n))))
	}
	var b bytes.Buffer
	WriteAegis(&b, []vault.Account{{Type: vault.HOTP, Name: "n", Secret: []byte("0123456789"), Counter: 3}})
	aegis := b.String()
	if i := strings.Index(aegis, `"uuid": "`); i >= 0 { // a fixed uuid keeps the seed file stable
		i += len(`"uuid": "`)
		aegis = aegis[:i] + "00000000-0000-4000-8000-000000000000" + aegis[i+36:]
	}
	return append(out, aegis, `[{"secret":5}]`, `{"db":"x","header":{}}`, `{"services":null}`,
		`{"header":{"slots":null},"db":{"version":3,"groups":[{"uuid":"g","name":"work"}],"entries":[{"type":"totp","name":"a","note":"x\nserial: 1","group":"old","groups":["g"],"info":{"secret":"JBSWY3DPEHPK3PXP"}}]}}`)
}

func FuzzImportJSON(f *testing.F) {
	for _, s := range jsonSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, format := range []string{FormatAuto, FormatAegis, Format2FAS, FormatAndOTP} {
			res, err := Import(strings.NewReader(s), format, SkipInvalid())
			if err != nil {
				continue
			}
			if len(res.Accounts) == 0 {
				t.Fatalf("%s: success with no accounts", format)
			}
			for _, a := range res.Accounts {
				if err := a.Validate(); err != nil {
					t.Fatalf("%s: accepted an invalid account: %v", format, err)
				}
			}
		}
	})
}

func imageSeeds(t testing.TB) [][]byte {
	small, err := QRPNG("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", 0)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := QRImage("otpauth://hotp/y?secret=JBSWY3DPEHPK3PXP&counter=1", 0)
	var g bytes.Buffer
	if err := gif.Encode(&g, img, nil); err != nil {
		t.Fatal(err)
	}
	return [][]byte{small, g.Bytes(), pngHeader(3, 3)}
}

// FuzzDecodeReader: arbitrary bytes as an image never panic, whatever
// gozxing does with them. Images over 100k pixels are skipped to keep the
// fuzzer fast (the size limits have their own tests).
func FuzzDecodeReader(f *testing.F) {
	for _, s := range imageSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && cfg.Width*cfg.Height > 100_000 {
			return
		}
		texts, err := DecodeReader(bytes.NewReader(data))
		if err == nil && len(texts) == 0 {
			t.Fatal("no error and no text")
		}
	})
}

// TestWriteFuzzCorpus (re)writes the committed seed corpora from the seeds
// above. It only runs with VMFA_WRITE_CORPUS=1.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("VMFA_WRITE_CORPUS") == "" {
		t.Skip("set VMFA_WRITE_CORPUS=1 to rewrite testdata/fuzz")
	}
	write := func(target string, i int, lit string) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := "go test fuzz v1\n" + lit + "\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	str := func(s string) string { return "string(" + strconv.Quote(s) + ")" }
	for i, s := range uriSeeds {
		write("FuzzParseURI", i, str(s))
	}
	for i, b := range migrationSeeds() {
		write("FuzzDecodeMigration", i, "[]byte("+strconv.Quote(string(b))+")")
	}
	for i, s := range csvSeeds(t) {
		write("FuzzTokenCSV", i, str(s))
	}
	for i, s := range pskcSeeds(t) {
		write("FuzzPSKC", i, str(s))
	}
	for i, s := range jsonSeeds(t) {
		write("FuzzImportJSON", i, str(s))
	}
	for i, b := range imageSeeds(t) {
		write("FuzzDecodeReader", i, "[]byte("+strconv.Quote(string(b))+")")
	}
	for target, seeds := range newFormatFuzzTargets() {
		for i, s := range seeds {
			write(target, i, "[]byte("+strconv.Quote(s)+")")
		}
	}
}
