package scanner

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
	"github.com/vmfa/vmfa/vault"
)

// The encrypted backups below are written by the tests with each format's
// documented construction (encrypt here, then import). KDF parameters are
// small only where the format stores them in the file.

const testPassword = "correct horse battery staple"

// importWith imports data with an optional password (nil: none).
func importWith(data []byte, format string, password []byte) (*ImportResult, error) {
	var opts []ImportOption
	if password != nil {
		opts = append(opts, WithPassword(password))
	}
	return Import(bytes.NewReader(data), format, opts...)
}

// checkPasswordErrors runs the no-password and wrong-password cases of an
// encrypted file and checks their exact messages.
func checkPasswordErrors(t *testing.T, data []byte, format, name string) {
	t.Helper()
	_, err := importWith(data, format, nil)
	if !errors.Is(err, ErrPasswordNeeded) || !errors.Is(err, ErrEncrypted) || err.Error() != needPassword(name).Error() {
		t.Errorf("no password: %v", err)
	}
	res, err := importWith(data, format, []byte("not the password"))
	if !errors.Is(err, ErrWrongPassword) || err.Error() != "wrong password for this "+name || res != nil {
		t.Errorf("wrong password: %v (result %v)", err, res)
	}
}

// sealAegis wraps plain with key the way Aegis does: hex ciphertext and
// the nonce and tag apart.
func sealAegis(t testing.TB, key, plain []byte) (string, aegisParams) {
	t.Helper()
	nonce := random(12)
	out, err := backupcrypto.SealGCM(key, nonce, plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(out[:len(out)-16]), aegisParams{Nonce: hex.EncodeToString(nonce), Tag: hex.EncodeToString(out[len(out)-16:])}
}

// aegisTestSlot is a slot to put in a test vault.
type aegisTestSlot struct {
	typ      int
	password string
	legacy   bool // derive the key from Aegis's pre-#95 password bytes
	repaired bool
	n        int
}

// aegisVault writes an encrypted Aegis vault of db with the given slots.
func aegisVault(t testing.TB, db []byte, slots ...aegisTestSlot) []byte {
	t.Helper()
	mk := random(32)
	var out struct {
		Version int `json:"version"`
		Header  struct {
			Slots  []aegisSlot `json:"slots"`
			Params aegisParams `json:"params"`
		} `json:"header"`
		DB string `json:"db"`
	}
	out.Version = 1
	for _, s := range slots {
		key := random(32) // a biometric slot's keystore key
		slot := aegisSlot{Type: s.typ, UUID: uuid4(), Repaired: s.repaired}
		if s.typ == aegisSlotPassword {
			salt := random(32)
			pw := []byte(s.password)
			if s.legacy {
				pw = aegisLegacyPasswordBytes(pw)
			}
			var err error
			if key, err = backupcrypto.Scrypt(pw, salt, s.n, 8, 1); err != nil {
				t.Fatal(err)
			}
			slot.N, slot.R, slot.P, slot.Salt = s.n, 8, 1, hex.EncodeToString(salt)
		}
		slot.Key, slot.KeyParams = sealAegis(t, key, mk)
		out.Header.Slots = append(out.Header.Slots, slot)
	}
	ct, params := sealAegis(t, mk, db)
	raw, _ := hex.DecodeString(ct)
	out.DB, out.Header.Params = base64.StdEncoding.EncodeToString(raw), params
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const aegisTestDB = `{"version":3,"entries":[{"type":"totp","uuid":"u1","name":"alice@example.com","issuer":"GitHub","note":"work laptop","favorite":true,"icon":null,"info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA256","digits":8,"period":60},"groups":["g1"]},{"type":"hotp","name":"bob","issuer":"Bank","note":"","icon":null,"info":{"secret":"GEZDGNBVGY3TQOJQ","algo":"SHA1","digits":6,"counter":12}}],"groups":[{"uuid":"g1","name":"Work"}]}`

var aegisTestWant = []want{
	{vault.TOTP, "GitHub", "alice@example.com", jbs, vault.SHA256, 8, 60, 0, "", "work laptop", "Work", true},
	{vault.HOTP, "Bank", "bob", s1234, vault.SHA1, 6, 0, 12, "", "", "", false},
}

func checkAccounts(t *testing.T, res *ImportResult, err error, wants []want) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accounts) != len(wants) {
		t.Fatalf("%d accounts, want %d", len(res.Accounts), len(wants))
	}
	for i, w := range wants {
		w.check(t, res.Accounts[i])
	}
}

func TestImportAegisEncrypted(t *testing.T) {
	long := strings.Repeat("long password ", 5) // 70 bytes: past the HMAC block
	tests := []struct {
		name     string
		password string
		slots    []aegisTestSlot
		err      error
	}{
		{"one slot", testPassword, []aegisTestSlot{{typ: 1, password: testPassword, repaired: true, n: 16}}, nil},
		{"second slot", testPassword, []aegisTestSlot{{typ: 2}, {typ: 1, password: "other", repaired: true, n: 16}, {typ: 1, password: testPassword, n: 32}}, nil},
		{"legacy long password", long, []aegisTestSlot{{typ: 1, password: long, legacy: true, n: 16}}, nil},
		{"legacy slot marked repaired", long, []aegisTestSlot{{typ: 1, password: long, legacy: true, repaired: true, n: 16}}, ErrWrongPassword},
		{"long password, new slot", long, []aegisTestSlot{{typ: 1, password: long, n: 16}}, nil},
		{"biometric only", testPassword, []aegisTestSlot{{typ: 2}, {typ: 2}}, ErrBiometricOnly},
		{"scrypt beyond the cap", testPassword, []aegisTestSlot{{typ: 1, password: testPassword, n: 1 << 24}}, ErrKDFLimit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == ErrKDFLimit {
				// Writing needs the work the cap forbids: write a small
				// vault and raise N in the file.
				data := aegisVault(t, []byte(aegisTestDB), aegisTestSlot{typ: 1, password: testPassword, n: 16})
				data = bytes.Replace(data, []byte(`"n":16`), []byte(`"n":16777216`), 1)
				_, err := importWith(data, FormatAuto, []byte(tc.password))
				if !errors.Is(err, ErrKDFLimit) || !strings.Contains(err.Error(), "at most 1024 MiB") {
					t.Fatalf("%v", err)
				}
				return
			}
			data := aegisVault(t, []byte(aegisTestDB), tc.slots...)
			res, err := importWith(data, FormatAuto, []byte(tc.password))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("%v, want %v", err, tc.err)
				}
				return
			}
			checkAccounts(t, res, err, aegisTestWant)
			if res.Format != FormatAegis {
				t.Errorf("format %q", res.Format)
			}
		})
	}
	data := aegisVault(t, []byte(aegisTestDB), aegisTestSlot{typ: 1, password: testPassword, n: 16})
	checkPasswordErrors(t, data, FormatAuto, "encrypted Aegis vault")
	_, err := importWith(aegisVault(t, []byte(aegisTestDB), aegisTestSlot{typ: 2}), FormatAuto, nil)
	if !errors.Is(err, ErrBiometricOnly) || !strings.Contains(err.Error(), "only be unlocked with biometrics") {
		t.Errorf("biometric only, no password: %v", err)
	}
}

func TestImportAegisEncryptedDamaged(t *testing.T) {
	data := aegisVault(t, []byte(aegisTestDB), aegisTestSlot{typ: 1, password: testPassword, repaired: true, n: 16})
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	edit := func(change func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(data, &m)
		change(m)
		b, _ := json.Marshal(m)
		return b
	}
	db := f["db"].(string)
	tests := map[string]struct {
		data []byte
		msg  string
	}{
		"db cut short": {edit(func(m map[string]any) { m["db"] = db[:len(db)-8] }),
			"encrypted Aegis vault is damaged or cut short: the db does not decrypt with the key its password slot holds"},
		"db not base64": {edit(func(m map[string]any) { m["db"] = "%%%" }), "encrypted Aegis vault is damaged or cut short: db is not base64"},
		"no params": {edit(func(m map[string]any) { delete(m["header"].(map[string]any), "params") }),
			"encrypted Aegis vault is damaged or cut short: header.params must hold the nonce and tag of the db"},
		"no slots": {edit(func(m map[string]any) { m["header"].(map[string]any)["slots"] = []any{} }),
			"encrypted Aegis vault is damaged or cut short: it has no password slot"},
		"slot key garbled": {edit(func(m map[string]any) {
			m["header"].(map[string]any)["slots"].([]any)[0].(map[string]any)["key"] = "zz"
		}), "aegis: malformed ciphertext: slot key is not hex"},
		"file cut short": {data[:len(data)/2], "not a valid aegis file: "},
	}
	for name, tc := range tests {
		_, err := importWith(tc.data, FormatAuto, []byte(testPassword))
		if err == nil || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("%s: %v\nwant %s", name, err, tc.msg)
		}
	}
}

// Java's UTF_8.encode buffer sizes, worked out by hand from
// CharsetEncoder.encode: (int)(chars × 1.1f), then 2n+1 until it fits.
func TestAegisLegacyPasswordBytes(t *testing.T) {
	for _, tc := range []struct {
		password string
		n        int
	}{
		{"", 0},
		{"abc", 3},
		{strings.Repeat("a", 10), 11},
		{strings.Repeat("a", 60), 66},
		{strings.Repeat("a", 70), 77},
		{strings.Repeat("é", 30), 67}, // 60 bytes do not fit in 33: 2·33+1
		{strings.Repeat("😀", 10), 45}, // 20 UTF-16 units → 22, then 45 ≥ 40
	} {
		got := aegisLegacyPasswordBytes([]byte(tc.password))
		if len(got) != tc.n || !bytes.HasPrefix(got, []byte(tc.password)) || strings.Trim(string(got[len(tc.password):]), "\x00") != "" {
			t.Errorf("%q: %d bytes %x, want %d", tc.password, len(got), got, tc.n)
		}
	}
}

// The export is read back by Import with every account, tag, note and
// serial number, under Aegis's real scrypt parameters.
func TestWriteAegisEncryptedRoundTrip(t *testing.T) {
	accs := exportTestAccounts(t)
	var buf bytes.Buffer
	if err := WriteAegisEncrypted(&buf, accs, []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	var f struct {
		Header struct {
			Slots []map[string]any `json:"slots"`
		} `json:"header"`
		DB any `json:"db"`
	}
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	s := f.Header.Slots
	if len(s) != 1 || s[0]["type"] != 1.0 || s[0]["n"] != 32768.0 || s[0]["r"] != 8.0 || s[0]["p"] != 1.0 || s[0]["repaired"] != true || len(s[0]["salt"].(string)) != 64 {
		t.Errorf("slots %v", s)
	}
	if _, ok := f.DB.(string); !ok || bytes.Contains(buf.Bytes(), []byte("JBSWY3DP")) {
		t.Errorf("db is not encrypted")
	}
	res, err := importWith(buf.Bytes(), FormatAuto, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accounts) != len(accs) {
		t.Fatalf("%d accounts back, want %d", len(res.Accounts), len(accs))
	}
	for i, a := range accs {
		b := res.Accounts[i]
		if !a.SameCredential(&b) || a.Type != b.Type || a.Digits != b.Digits || a.Period != b.Period || AegisCounter(a.Counter) != b.Counter && a.Type == vault.HOTP ||
			a.Algorithm != b.Algorithm || a.Note != b.Note || a.Serial != b.Serial || a.Favourite != b.Favourite || strings.Join(a.Tags, ",") != strings.Join(b.Tags, ",") {
			t.Errorf("round trip changed account %d:\n%+v\n%+v", i, a, b)
		}
	}
	if _, err := importWith(buf.Bytes(), FormatAuto, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if err := WriteAegisEncrypted(&buf, accs, nil); err == nil {
		t.Error("empty password accepted")
	}
}

// exportTestAccounts are accounts with every field an export keeps.
func exportTestAccounts(t *testing.T) []vault.Account {
	t.Helper()
	var accs []vault.Account
	for _, u := range []string{
		"otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=SHA256&digits=8&period=60",
		"otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQ&counter=42",
		"otpauth://totp/Steam:gaben?secret=" + s12x2 + "&issuer=Steam",
		"otpauth://totp/Plain?secret=" + s32,
	} {
		a, err := ParseURI(u)
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, a...)
	}
	accs[2].Type, accs[2].Digits = vault.Steam, 0
	accs[0].Tags, accs[0].Note, accs[0].Favourite = []string{"Work", "Dev"}, "laptop key", true
	accs[1].Tags, accs[1].Serial = []string{"Work"}, "SN-123"
	accs[3].Note, accs[3].Serial = "two words", "77"
	for i := range accs {
		if err := accs[i].Normalize(accs[i].Created); err != nil {
			t.Fatal(err)
		}
	}
	return accs
}

// twoFASEncrypted writes a 2FAS backup whose services are encrypted.
func twoFASEncrypted(t testing.TB, services, password string, schema int) []byte {
	t.Helper()
	salt, iv := random(256), random(12)
	key, err := backupcrypto.PBKDF2(sha256.New, []byte(password), salt, 10000, 32)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := backupcrypto.SealGCM(key, iv, []byte(services), nil)
	enc := base64.StdEncoding.EncodeToString
	ref, _ := backupcrypto.SealGCM(key, iv, []byte("reference"), nil)
	b, _ := json.Marshal(map[string]any{
		"services": []any{}, "groups": []any{}, "schemaVersion": schema, "appOrigin": "android",
		"servicesEncrypted": enc(ct) + ":" + enc(salt) + ":" + enc(iv),
		"reference":         enc(ref) + ":" + enc(salt) + ":" + enc(iv),
	})
	return b
}

const twoFASTestServices = `[{"name":"GitHub","secret":"JBSWY3DPEHPK3PXP","otp":{"account":"alice","issuer":"GitHub","digits":8,"period":60,"algorithm":"SHA256","tokenType":"TOTP"}},{"name":"Bank","secret":"GEZDGNBVGY3TQOJQ","otp":{"label":"bob","digits":6,"algorithm":"SHA1","tokenType":"HOTP","counter":3}}]`

var twoFASTestWant = []want{
	{vault.TOTP, "GitHub", "alice", jbs, vault.SHA256, 8, 60, 0, "", "", "", false},
	{vault.HOTP, "Bank", "bob", s1234, vault.SHA1, 6, 0, 3, "", "", "", false},
}

func TestImport2FASEncrypted(t *testing.T) {
	for _, schema := range []int{2, 3, 4} {
		data := twoFASEncrypted(t, twoFASTestServices, testPassword, schema)
		res, err := importWith(data, FormatAuto, []byte(testPassword))
		checkAccounts(t, res, err, twoFASTestWant)
	}
	data := twoFASEncrypted(t, twoFASTestServices, testPassword, 4)
	checkPasswordErrors(t, data, FormatAuto, "encrypted 2FAS backup")
	var m map[string]any
	json.Unmarshal(data, &m)
	parts := strings.Split(m["servicesEncrypted"].(string), ":")
	for name, tc := range map[string]struct{ from, to, msg string }{
		"two parts":  {":" + parts[2], "", "encrypted 2FAS backup is damaged or cut short: servicesEncrypted must be three base64 parts separated by ':'"},
		"not base64": {`servicesEncrypted":"`, `servicesEncrypted":"%`, "encrypted 2FAS backup is damaged or cut short: servicesEncrypted is not base64"},
	} {
		bad := bytes.ReplaceAll(data, []byte(tc.from), []byte(tc.to))
		if _, err := importWith(bad, FormatAuto, []byte(testPassword)); err == nil || err.Error() != tc.msg {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A ciphertext cut short fails its tag: wrong password or damage look
	// the same to GCM.
	ct, _ := base64.StdEncoding.DecodeString(parts[0])
	m["servicesEncrypted"] = base64.StdEncoding.EncodeToString(ct[:len(ct)-3]) + ":" + parts[1] + ":" + parts[2]
	cut, _ := json.Marshal(m)
	if _, err := importWith(cut, FormatAuto, []byte(testPassword)); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("cut short: %v", err)
	}
	// Decrypted, but not a services list.
	if _, err := importWith(twoFASEncrypted(t, `{"x":1}`, testPassword, 4), FormatAuto, []byte(testPassword)); err == nil || !strings.HasPrefix(err.Error(), "not a valid 2fas file") {
		t.Errorf("not a list: %v", err)
	}
}

// andOTPEncrypted writes an encrypted andOTP backup: the current format
// with iterations > 0, the old one with 0.
func andOTPEncrypted(t testing.TB, plain, password string, iterations int) []byte {
	t.Helper()
	nonce := random(12)
	if iterations == 0 {
		key := sha256.Sum256([]byte(password))
		ct, _ := backupcrypto.SealGCM(key[:], nonce, []byte(plain), nil)
		return append(nonce, ct...)
	}
	salt := random(12)
	key, err := backupcrypto.PBKDF2(sha1.New, []byte(password), salt, iterations, 32)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := backupcrypto.SealGCM(key, nonce, []byte(plain), nil)
	out := binary.BigEndian.AppendUint32(nil, uint32(iterations))
	return append(append(append(out, salt...), nonce...), ct...)
}

const andOTPTestPlain = `[{"secret":"JBSWY3DPEHPK3PXP","issuer":"GitHub","label":"alice","digits":8,"type":"TOTP","algorithm":"SHA256","period":60,"tags":["Work"]},{"secret":"GEZDGNBVGY3TQOJQ","label":"Bank:bob","digits":6,"type":"HOTP","algorithm":"SHA1","counter":5}]`

var andOTPTestWant = []want{
	{vault.TOTP, "GitHub", "alice", jbs, vault.SHA256, 8, 60, 0, "", "", "Work", false},
	{vault.HOTP, "Bank", "bob", s1234, vault.SHA1, 6, 0, 5, "", "", "", false},
}

func TestImportAndOTPEncrypted(t *testing.T) {
	// andOTP's own iteration range: detected by --format auto.
	real := andOTPEncrypted(t, andOTPTestPlain, testPassword, 150_000)
	res, err := importWith(real, FormatAuto, []byte(testPassword))
	checkAccounts(t, res, err, andOTPTestWant)
	checkPasswordErrors(t, real, FormatAuto, "encrypted andOTP backup")

	for name, iter := range map[string]int{"few iterations": 1000, "old format": 0} {
		data := andOTPEncrypted(t, andOTPTestPlain, testPassword, iter)
		res, err := importWith(data, FormatAndOTP, []byte(testPassword))
		checkAccounts(t, res, err, andOTPTestWant)
		checkPasswordErrors(t, data, FormatAndOTP, "encrypted andOTP backup")
		if iter == 0 {
			// Not recognisable by content: auto says how to read it.
			_, err := importWith(data, FormatAuto, []byte(testPassword))
			if !errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), "give --format andotp") {
				t.Errorf("%s, auto: %v", name, err)
			}
		}
	}
	if _, err := importWith(real[:len(real)-5], FormatAndOTP, []byte(testPassword)); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("cut short: %v", err)
	}
	if _, err := importWith([]byte("\x00\x01"), FormatAndOTP, []byte(testPassword)); err == nil || err.Error() != "encrypted andOTP backup is damaged or cut short: shorter than a nonce and a tag" {
		t.Errorf("tiny: %v", err)
	}
	// Garbled: a flipped byte in the ciphertext.
	bad := bytes.Clone(real)
	bad[len(bad)-20] ^= 0x40
	if _, err := importWith(bad, FormatAuto, []byte(testPassword)); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("garbled: %v", err)
	}
}

// An encrypted backup that happens to start with '[' is still binary, not
// a plain backup.
func TestAndOTPEncryptedStartingWithBracket(t *testing.T) {
	for {
		data := andOTPEncrypted(t, andOTPTestPlain, testPassword, 0)
		if data[0] != '[' {
			continue
		}
		res, err := importWith(data, FormatAndOTP, []byte(testPassword))
		checkAccounts(t, res, err, andOTPTestWant)
		return
	}
}
