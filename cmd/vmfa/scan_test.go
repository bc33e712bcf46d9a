package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

const sampleDir = "../../scanner/testdata"

// screenshot writes a 1920×1080 PNG holding one small QR code of text.
func screenshot(t *testing.T, text string) string {
	t.Helper()
	code, err := scanner.QRImage(text, 180)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	draw.Draw(img, img.Bounds(), image.NewUniform(image.White.C), image.Point{}, draw.Src)
	// A dark title bar and panel, like a console page.
	draw.Draw(img, image.Rect(0, 0, 1920, 60), image.NewUniform(image.Black.C), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(100, 200, 700, 900), image.NewUniform(image.Black.C), image.Point{}, draw.Src)
	draw.Draw(img, code.Bounds().Add(image.Pt(1300, 500)), code, image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "screenshot.png")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScanScreenshot(t *testing.T) {
	p := screenshot(t, rfcURI)
	r := vmfa(t, nil, "", "scan", p)
	want := "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&algorithm=SHA1&digits=6&period=30\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("scan: code %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	r = vmfa(t, nil, "", "scan", "--json", p)
	var views []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &views); err != nil || r.code != 0 {
		t.Fatalf("scan --json: %v %q", err, r.stdout)
	}
	if len(views) != 1 || views[0]["issuer"] != "ACME" || views[0]["account"] != "alice" || views[0]["type"] != "totp" ||
		views[0]["algorithm"] != "SHA1" || views[0]["digits"] != 6.0 || views[0]["period"] != 30.0 || views[0]["source"] != p {
		t.Errorf("json %v", views)
	}
	if strings.Contains(r.stdout, "GEZDGNBV") {
		t.Error("--json prints the secret")
	}
}

// gaExport writes a Google Authenticator export of n accounts as PNGs.
func gaExport(t *testing.T, n int) ([]string, []vault.Account) {
	t.Helper()
	var accs []vault.Account
	for i := 0; i < n; i++ {
		a := vault.Account{Type: vault.TOTP, Issuer: "Corp", Name: "user" + string(rune('a'+i)), Secret: []byte("0123456789abcdef" + string(rune('A'+i)))}
		if i == 1 {
			a.Type, a.Counter = vault.HOTP, 5
		}
		if err := a.Normalize(time.Unix(1_700_000_000, 0)); err != nil {
			t.Fatal(err)
		}
		accs = append(accs, a)
	}
	qrs, err := scanner.MigrationExport(accs, 500)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for i, q := range qrs {
		p := filepath.Join(dir, "ga-"+string(rune('1'+i))+".png")
		if err := os.WriteFile(p, q.PNG, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	return files, accs
}

func TestScanMigrationExport(t *testing.T) {
	files, accs := gaExport(t, 12)
	if len(files) != 2 {
		t.Fatalf("%d files", len(files))
	}
	r := vmfa(t, nil, "", append([]string{"scan"}, files...)...)
	if r.code != 0 {
		t.Fatalf("scan: %s", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != len(accs) {
		t.Fatalf("%d lines, want %d", len(lines), len(accs))
	}
	for i, l := range lines {
		if l != scanner.AccountURI(accs[i]) {
			t.Errorf("line %d: %s\nwant %s", i, l, scanner.AccountURI(accs[i]))
		}
	}
	r = vmfa(t, nil, "", "scan", files[1])
	if r.code != 1 || r.stderr != "vmfa: google authenticator export is incomplete: code 1 of 2 is missing (give every code of the export at once)\n" {
		t.Errorf("half an export: %d %q", r.code, r.stderr)
	}
}

func TestScanErrors(t *testing.T) {
	dir := t.TempDir()
	blank := filepath.Join(dir, "blank.png")
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	var b bytes.Buffer
	png.Encode(&b, img)
	os.WriteFile(blank, b.Bytes(), 0o600)
	notImage := filepath.Join(dir, "notes.txt")
	os.WriteFile(notImage, []byte("hello"), 0o600)
	good := screenshot(t, rfcURI)

	r := vmfa(t, nil, "", "scan", blank)
	if r.code != 1 || r.stdout != "" || r.stderr != "vmfa: no QR code found in "+blank+"\n" {
		t.Errorf("blank: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// Two bad files and a good one: the good one is printed, each failure
	// has its line, exit 1.
	r = vmfa(t, nil, "", "scan", blank, good, notImage)
	want := "vmfa: no QR code found in " + blank + "\nvmfa: " + notImage + ": not a supported image (want PNG, JPEG, GIF, BMP or WebP)\n"
	if r.code != 1 || r.stderr != want || !strings.HasPrefix(r.stdout, "otpauth://totp/ACME:alice") {
		t.Errorf("mixed: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := vmfa(t, nil, "", "scan"); r.code != 1 {
		t.Errorf("scan without files: %d", r.code)
	}
}

// TestImportSamplesCLI imports every sample file into one vault.
func TestImportSamplesCLI(t *testing.T) {
	env := vaultEnv(t)
	for _, tt := range []struct{ file, summary string }{
		{"import/uris.txt", "added 3 from"},
		{"import/aegis-plain.json", "added 3 from"},
		{"import/backup.2fas", "added 2 from"},
		{"import/andotp.json", "added 2 from"}, // its Steam account is also in the Aegis file
		{"import/entra-tokens.csv", "added 2 from"},
		{"import/mfaserver-tokens.csv", "added 2 from"},
		{"pskc/plain.pskc", "added 2 from"},
	} {
		r := vmfa(t, env, "", "import", filepath.Join(sampleDir, tt.file))
		if r.code != 0 || !strings.Contains(r.stdout, tt.summary) {
			t.Errorf("%s: %d %q %q", tt.file, r.code, r.stdout, r.stderr)
		}
	}
	// Again: everything is a duplicate.
	r := vmfa(t, env, "", "import", filepath.Join(sampleDir, "import/andotp.json"))
	if r.code != 0 || !strings.HasSuffix(r.stdout, "added 0 from "+filepath.Join(sampleDir, "import/andotp.json")+" (andotp), skipped 3 duplicates (same issuer, account and secret)\n") {
		t.Errorf("re-import: %q %q", r.stdout, r.stderr)
	}
	// PSKC with a key file and with a passphrase from the environment.
	keyFile := filepath.Join(t.TempDir(), "psk.hex")
	os.WriteFile(keyFile, []byte("12345678901234567890123456789012\n"), 0o600)
	if r := vmfa(t, env, "", "import", "--pskc-key-file", keyFile, filepath.Join(sampleDir, "pskc/rfc6030-preshared.pskc")); r.code != 0 {
		t.Errorf("pskc psk: %q", r.stderr)
	}
	r = vmfa(t, append(env, "VMFA_PSKC_PASSPHRASE=qwerty"), "", "import", filepath.Join(sampleDir, "pskc/rfc6030-pbkdf2.pskc"))
	if r.code != 0 || !strings.Contains(r.stdout, "added Example-Issuer: 987654321 (hotp)") {
		t.Errorf("pskc pbkdf2: %q %q", r.stdout, r.stderr)
	}
	r = vmfa(t, env, "", "list", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 18 {
		t.Errorf("%d accounts in the vault, want 18", len(list))
	}
}

func vaultBytes(t *testing.T, env []string) []byte {
	t.Helper()
	for _, e := range env {
		if p, ok := strings.CutPrefix(e, "VMFA_VAULT="); ok {
			b, _ := os.ReadFile(p)
			return b
		}
	}
	t.Fatal("no vault in env")
	return nil
}

// TestImportBadInputLeavesVault: a bad file is an error and the vault file
// is byte for byte what it was.
func TestImportBadInputLeavesVault(t *testing.T) {
	env := vaultEnv(t)
	if r := vmfa(t, env, rfcURI, "add", "--uri", "-"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(data), 0o600)
		return p
	}
	encryptedExport := filepath.Join(dir, "aegis-export.json")
	if r := vmfa(t, env, "", "export", "--format", "aegis", "--password-file", write("export.pw", "right one\n"), "--out", encryptedExport); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := vaultBytes(t, env)
	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"import", write("bad.txt", "otpauth://totp/a?secret=GEZDGNBVGY3TQOJQ\notpauth://totp/b?secret=GEZDGNBVGY3TQOJ1\n")},
			"vmfa: line 2: secret is not valid base32 (letters A-Z and digits 2-7) (nothing was imported; --skip-invalid imports the valid entries)\n"},
		{[]string{"import", write("what.bin", "\x00\x01\x02")}, "vmfa: unknown import format: a binary file vmfa does not recognise (an encrypted andOTP backup in the old format? give --format andotp)\n"},
		{[]string{"import", filepath.Join(sampleDir, "import/aegis-encrypted.json")}, "vmfa: this is an encrypted Aegis vault: give its password (--password-file or $VMFA_IMPORT_PASSWORD)\n"},
		{[]string{"import", "--password-file", write("wrong.pw", "not it\n"), encryptedExport}, "vmfa: wrong password for this encrypted Aegis vault\n"},
		{[]string{"import", "--password-file", filepath.Join(dir, "none.pw"), encryptedExport}, "vmfa: cannot read the password file: " + filepath.Join(dir, "none.pw") + ": no such file\n"},
		{[]string{"import", filepath.Join(sampleDir, "pskc/rfc6030-preshared.pskc")}, "vmfa: key 1 (serial 987654321): pskc key or passphrase is missing or wrong: the file is encrypted with the pre-shared key \"Pre-shared-key\" (give the hex key with --pskc-key-file)\n"},
		{[]string{"import", "--format", "csv", filepath.Join(sampleDir, "import/andotp.json")}, ""},
		// A wrong passphrase is named as such, with no word of a key file.
		{[]string{"import", "--pskc-passphrase-file", write("pass.txt", "azerty\n"), filepath.Join(sampleDir, "pskc/rfc6030-pbkdf2.pskc")},
			"vmfa: key 1 (serial 987654321): wrong pskc passphrase (mac check failed); check the passphrase and try again\n"},
		{[]string{"import", "--pskc-key-file", write("wrong.hex", "00000000000000000000000000000000\n"), filepath.Join(sampleDir, "pskc/rfc6030-preshared.pskc")},
			"vmfa: key 1 (serial 987654321): wrong pskc pre-shared key (mac check failed); check the key and try again\n"},
		{[]string{"import", filepath.Join(dir, "missing.json")}, "vmfa: " + filepath.Join(dir, "missing.json") + ": no such file\n"},
		// No Go internals in the messages: a long line, JSON that fails, a
		// broken CSV.
		{[]string{"import", write("long.txt", rfcURI+"\notpauth://totp/b?secret="+strings.Repeat("A", 100_000)+"\n")},
			"vmfa: line 2: malformed otpauth uri: longer than 65536 bytes (nothing was imported; --skip-invalid imports the valid entries)\n"},
		{[]string{"import", write("aegis.json", "# exported\n{\"version\":1,\"header\":{\"slots\":null},\"db\":{\"entries\":[{\"name\":\"a \"b\"}]}}")},
			"vmfa: not a valid aegis file: bad json at line 1, column 1\n"},
		{[]string{"import", write("tokens.csv", "serial,secret\n1,JBSW\"Y3DPEHPK3PXP\n")},
			"vmfa: bad token csv: line 2, column 7: a \" inside a field that does not start with one (put the whole field in double quotes and double the \" inside)\n"},
	} {
		r := vmfa(t, env, "", tt.args...)
		if r.code != 1 || (tt.stderr != "" && r.stderr != tt.stderr) || r.stderr == "" {
			t.Errorf("%v: %d\n got %q\nwant %q", tt.args, r.code, r.stderr, tt.stderr)
		}
		if !bytes.Equal(vaultBytes(t, env), before) {
			t.Fatalf("%v changed the vault", tt.args)
		}
	}
}

func TestExportRoundTripCLI(t *testing.T) {
	env := vaultEnv(t)
	if r := vmfa(t, env, "", "import", filepath.Join(sampleDir, "import/andotp.json")); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := vmfa(t, env, "", "export", "--format", "uris"); r.code != 1 || r.stderr != "vmfa: an export holds your secrets unencrypted; add --plaintext to confirm\n" || r.stdout != "" {
		t.Errorf("export without --plaintext: %d %q", r.code, r.stderr)
	}
	if r := vmfa(t, env, "", "export", "--format", "aegis"); r.code != 1 || r.stderr != "vmfa: no terminal to ask the export password on: give --password-file, or --plaintext for an unencrypted export\n" || r.stdout != "" {
		t.Errorf("encrypted export without a terminal: %d %q", r.code, r.stderr)
	}
	dir := t.TempDir()
	for _, format := range []string{"uris", "aegis"} {
		out := filepath.Join(dir, "export."+format)
		if r := vmfa(t, env, "", "export", "--format", format, "--plaintext", "--out", out); r.code != 0 {
			t.Fatalf("export %s: %s", format, r.stderr)
		}
		st, err := os.Stat(out)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v", out, st.Mode(), err)
		}
		if r := vmfa(t, env, "", "export", "--format", format, "--plaintext", "--out", out); r.code != 1 || r.stderr != "vmfa: "+out+" already exists; remove it or choose another --out\n" {
			t.Errorf("overwrite: %q", r.stderr)
		}
		env2 := vaultEnv(t)
		if r := vmfa(t, env2, "", "import", out); r.code != 0 || !strings.Contains(r.stdout, "added 3 from") {
			t.Errorf("re-import %s: %q %q", format, r.stdout, r.stderr)
		}
		// One fixed instant for both: two calls may straddle a period boundary.
		a, b := vmfa(t, env, "", "code", "Microsoft", "--at", "1700000000"), vmfa(t, env2, "", "code", "Microsoft", "--at", "1700000000")
		if a.code != 0 || a.stdout != b.stdout {
			t.Errorf("codes differ after %s round trip: %q vs %q (%s)", format, a.stdout, b.stdout, b.stderr)
		}
	}
	// migration refuses the 7-digit and Steam accounts, naming them.
	r := vmfa(t, env, "", "export", "--format", "migration", "--plaintext", "--out", filepath.Join(dir, "ga.png"))
	if r.code != 1 || !strings.Contains(r.stderr, "Steam: gaben: steam accounts cannot be put in a google authenticator export") {
		t.Errorf("migration of steam: %q", r.stderr)
	}
	r = vmfa(t, env, "", "export", "--format", "migration", "--plaintext", "--out", filepath.Join(dir, "ms.png"), "Microsoft")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	r = vmfa(t, nil, "", "scan", filepath.Join(dir, "ms.png"))
	if r.code != 0 || !strings.HasPrefix(r.stdout, "otpauth://totp/Microsoft:user@contoso.com?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft") {
		t.Errorf("scan of the migration export: %q %q", r.stdout, r.stderr)
	}
}

func TestShowQR(t *testing.T) {
	env := vaultEnv(t)
	if r := vmfa(t, env, rfcURI, "add", "--uri", "-"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, mode := range []string{"color", "light", "dark"} {
		r := vmfa(t, env, "", "show-qr", "--mode", mode, "alice")
		if r.code != 0 {
			t.Fatalf("%s: %s", mode, r.stderr)
		}
		label, drawing, _ := strings.Cut(r.stdout, "\n")
		if label != "ACME: alice" || !strings.ContainsAny(drawing, "▀▄█") {
			t.Errorf("%s: %q", mode, r.stdout)
		}
		if colored := strings.Contains(drawing, "\x1b["); colored != (mode == "color") {
			t.Errorf("%s: escape codes %v", mode, colored)
		}
	}
	out := filepath.Join(t.TempDir(), "alice.png")
	if r := vmfa(t, env, "", "show-qr", "--png", out, "alice"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := vmfa(t, nil, "", "scan", out); r.code != 0 || !strings.HasPrefix(r.stdout, "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") {
		t.Errorf("scan of show-qr png: %q %q", r.stdout, r.stderr)
	}
	// An existing file is never overwritten, and the message names the
	// flag of this command.
	r := vmfa(t, env, "", "show-qr", "--png", out, "alice")
	if want := "vmfa: " + out + " already exists; remove it or choose another --png\n"; r.code != 1 || r.stderr != want {
		t.Errorf("show-qr over an existing png: %d %q, want %q", r.code, r.stderr, want)
	}
	if r := vmfa(t, env, "", "show-qr", "nobody"); r.code != 1 {
		t.Errorf("unknown account: %d", r.code)
	}
}

// listViews returns `list --json` without the fields an import renews (id,
// creation time).
func listViews(t *testing.T, env []string) []map[string]any {
	t.Helper()
	r := vmfa(t, env, "", "list", "--json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || r.code != 0 {
		t.Fatalf("list --json: %v %q %q", err, r.stdout, r.stderr)
	}
	for _, a := range list {
		delete(a, "id")
		delete(a, "created")
	}
	return list
}

// TestExportAegisKeepsTagsNoteSerialCLI: an Aegis export and its import
// give back every tag, the note and the serial number of each account.
func TestExportAegisKeepsTagsNoteSerialCLI(t *testing.T) {
	env := vaultEnv(t)
	dir := t.TempDir()
	aegis := filepath.Join(dir, "in.json")
	os.WriteFile(aegis, []byte(`{"version":1,"header":{"slots":null,"params":null},"db":{"version":3,
	"groups":[{"uuid":"11111111-1111-4111-8111-111111111111","name":"work"},{"uuid":"22222222-2222-4222-8222-222222222222","name":"laptop"}],
	"entries":[{"type":"totp","uuid":"33333333-3333-4333-8333-333333333333","name":"alice","issuer":"GitHub","note":"desk","favorite":true,"icon":null,
	"info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":6,"period":30},"groups":["11111111-1111-4111-8111-111111111111","22222222-2222-4222-8222-222222222222"]}]}}`), 0o600)
	for _, f := range []string{aegis, filepath.Join(sampleDir, "import/entra-tokens.csv")} {
		if r := vmfa(t, env, "", "import", f); r.code != 0 {
			t.Fatalf("import %s: %s", f, r.stderr)
		}
	}
	before := listViews(t, env)
	if len(before) != 3 || before[0]["tags"] == nil || before[1]["serial"] != "1234567" {
		t.Fatalf("fixture: %v", before)
	}
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte("s3cret pass\n"), 0o600)
	// Plain, encrypted read back with --password-file, encrypted read back
	// with $VMFA_IMPORT_PASSWORD.
	for i, tc := range []struct {
		export, importArgs, importEnv []string
	}{
		{[]string{"--plaintext"}, nil, nil},
		{[]string{"--password-file", pwFile}, []string{"--password-file", pwFile}, nil},
		{[]string{"--password-file", pwFile}, nil, []string{"VMFA_IMPORT_PASSWORD=s3cret pass"}},
	} {
		out := filepath.Join(dir, fmt.Sprintf("export-%d.json", i))
		if r := vmfa(t, env, "", append([]string{"export", "--format", "aegis", "--out", out}, tc.export...)...); r.code != 0 {
			t.Fatal(r.stderr)
		}
		data, _ := os.ReadFile(out)
		if encrypted := tc.importArgs != nil || tc.importEnv != nil; encrypted == strings.Contains(string(data), "JBSWY3DPEHPK3PXP") {
			t.Errorf("case %d: secrets in the clear: %v", i, !encrypted)
		}
		env2 := append(vaultEnv(t), tc.importEnv...)
		if r := vmfa(t, env2, "", append(append([]string{"import"}, tc.importArgs...), out)...); r.code != 0 {
			t.Fatal(r.stderr)
		}
		after := listViews(t, env2)
		b1, _ := json.Marshal(before)
		b2, _ := json.Marshal(after)
		if string(b1) != string(b2) {
			t.Errorf("aegis round trip %d changed the accounts:\nbefore %s\nafter  %s", i, b1, b2)
		}
		if !strings.Contains(string(b2), `"tags":["work","laptop"]`) {
			t.Errorf("tags lost: %s", b2)
		}
	}
}

// TestImportJSONCLI: import --json prints the counts and the added accounts
// in the view of list --json, never a secret.
func TestImportJSONCLI(t *testing.T) {
	env := vaultEnv(t)
	type report struct {
		File           string           `json:"file"`
		Format         string           `json:"format"`
		DryRun         bool             `json:"dry_run"`
		Added          int              `json:"added"`
		Skipped        int              `json:"skipped"`
		Invalid        int              `json:"invalid"`
		Accounts       []map[string]any `json:"accounts"`
		InvalidEntries []struct {
			Entry, Error string
		} `json:"invalid_entries"`
	}
	run := func(args ...string) report {
		t.Helper()
		r := vmfa(t, env, "", append([]string{"import", "--json"}, args...)...)
		var rep report
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
			t.Fatalf("import --json %v: %v %q %q", args, err, r.stdout, r.stderr)
		}
		for _, s := range []string{"JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", `"secret":`} {
			if strings.Contains(r.stdout, s) {
				t.Errorf("import --json %v prints %q: %s", args, s, r.stdout)
			}
		}
		return rep
	}
	file := filepath.Join(sampleDir, "import/andotp.json")
	rep := run("--dry-run", file)
	if !rep.DryRun || rep.Added != 3 || len(rep.Accounts) != 3 || rep.Format != "andotp" || rep.File != file {
		t.Errorf("dry run: %+v", rep)
	}
	if r := vmfa(t, env, "", "list", "--json"); r.code == 0 && strings.TrimSpace(r.stdout) != "[]" || r.code != 0 && !strings.Contains(r.stderr, "no vault") {
		t.Fatalf("dry run changed the vault: %q %q", r.stdout, r.stderr)
	}
	rep = run(file)
	if rep.DryRun || rep.Added != 3 || rep.Skipped != 0 || rep.Invalid != 0 || len(rep.InvalidEntries) != 0 {
		t.Errorf("import: %+v", rep)
	}
	// The accounts are those list --json shows, id and all (list sorts
	// them its own way).
	r := vmfa(t, env, "", "list", "--json")
	var list []map[string]any
	json.Unmarshal([]byte(r.stdout), &list)
	byID := map[any]string{}
	for _, a := range list {
		b, _ := json.Marshal(a)
		byID[a["id"]] = string(b)
	}
	for _, a := range rep.Accounts {
		if b, _ := json.Marshal(a); byID[a["id"]] != string(b) {
			t.Errorf("import --json account\n%s\nlist --json\n%s", b, byID[a["id"]])
		}
	}
	if len(list) != len(rep.Accounts) {
		t.Errorf("%d accounts listed, %d reported", len(list), len(rep.Accounts))
	}
	rep = run(file)
	if rep.Added != 0 || rep.Skipped != 3 || rep.Accounts == nil || len(rep.Accounts) != 0 {
		t.Errorf("re-import: %+v", rep)
	}
	bad := filepath.Join(t.TempDir(), "uris.txt")
	os.WriteFile(bad, []byte(rfcURI+"\notpauth://totp/b?secret=JBSWY3DPEHPK3PX1\n"), 0o600)
	rep = run("--skip-invalid", bad)
	if rep.Added != 1 || rep.Invalid != 1 || len(rep.InvalidEntries) != 1 || rep.InvalidEntries[0].Entry != "line 2" ||
		rep.InvalidEntries[0].Error != "secret is not valid base32 (letters A-Z and digits 2-7)" || rep.Accounts[0]["account"] != "alice" {
		t.Errorf("skip invalid: %+v", rep)
	}
}

func TestImportListFormatsAndRefusals(t *testing.T) {
	r := vmfa(t, nil, "", "import", "--list-formats")
	if r.code != 0 || !strings.Contains(r.stdout, "FORMAT") {
		t.Fatalf("--list-formats: %d %q %q", r.code, r.stdout, r.stderr)
	}
	for _, f := range scanner.Formats() {
		if !strings.Contains(r.stdout, f.Name+" ") {
			t.Errorf("--list-formats lacks %s", f.Name)
		}
	}
	if r := vmfa(t, nil, "", "import", "--list-formats", "x.json"); r.code != 1 {
		t.Errorf("--list-formats with a file: %d", r.code)
	}
	env := vaultEnv(t)
	dir := t.TempDir()
	gdb := filepath.Join(dir, "databases")
	os.WriteFile(gdb, []byte("SQLite format 3\x00"+strings.Repeat("\x00", 90)+"CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT, secret TEXT, original_name TEXT)"), 0o600)
	r = vmfa(t, env, "", "import", gdb)
	if r.code != 1 || r.stderr != "vmfa: unsupported file: this is a Google Authenticator database from a rooted phone: not supported, export a transfer QR instead (Google Authenticator: menu, transfer accounts, export) and import its images\n" {
		t.Errorf("google db: %d %q", r.code, r.stderr)
	}
	short := filepath.Join(dir, "short.txt")
	os.WriteFile(short, []byte("otpauth://totp/Old:token?secret=GEZDGNBV\n"), 0o600)
	r = vmfa(t, env, "", "import", short)
	if r.code != 0 || !strings.Contains(r.stderr, "vmfa: warning: line 1: short secret: the secret is only 40 bits") {
		t.Errorf("short secret: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestImportPSKCMixedKeysCLI(t *testing.T) {
	env := vaultEnv(t)
	plain, err := os.ReadFile(filepath.Join(sampleDir, "pskc/plain.pskc"))
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "mixed.pskc")
	os.WriteFile(f, []byte(strings.Replace(string(plain), "urn:ietf:params:xml:ns:keyprov:pskc:hotp", "urn:ietf:params:xml:ns:keyprov:pskc:ocra", 1)), 0o600)
	r := vmfa(t, env, "", "import", f)
	if r.code != 0 || !strings.Contains(r.stdout, "skipped key 1 (serial 987654321): ocra (challenge-response) keys are not supported (vmfa reads hotp and totp keys)\n") ||
		!strings.Contains(r.stdout, "added 1 from") || !strings.Contains(r.stdout, "skipped 1 unsupported") {
		t.Errorf("mixed pskc: %d %q %q", r.code, r.stdout, r.stderr)
	}
}
