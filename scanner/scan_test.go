package scanner

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/vault"
)

func exportFiles(t *testing.T, n int) ([]string, []vault.Account) {
	t.Helper()
	var accs []vault.Account
	for i := 0; i < n; i++ {
		s := []byte(fmt.Sprintf("secret-%02d-0123456789", i))
		accs = append(accs, vault.Account{Type: vault.TOTP, Issuer: fmt.Sprintf("Issuer %d", i), Name: fmt.Sprintf("user%d@example.com", i), Secret: s, Algorithm: vault.SHA1, Digits: 6, Period: 30})
	}
	uris, err := MigrationURIs(accs, 4242)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for i, u := range uris {
		data, err := QRPNG(u, 600)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, writeFile(t, fmt.Sprintf("export-%d.png", i+1), data))
	}
	return files, accs
}

func TestScanFilesMigrationBatch(t *testing.T) {
	files, accs := exportFiles(t, 23)
	if len(files) != 3 {
		t.Fatalf("%d files", len(files))
	}
	// Out of order, and one given twice.
	found, err := ScanFiles(files[2], files[0], files[1], files[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != len(accs) {
		t.Fatalf("found %d accounts, want %d", len(found), len(accs))
	}
	got := map[string]Found{}
	for _, f := range found {
		got[f.Account.Name] = f
	}
	for i, a := range accs {
		f, ok := got[a.Name]
		if !ok || !f.Account.SameCredential(&a) {
			t.Errorf("account %d missing or wrong: %+v", i, f)
		}
		if want := files[i/10]; f.Source != want {
			t.Errorf("account %d from %s, want %s", i, f.Source, want)
		}
	}

	_, err = ScanFiles(files[0], files[2])
	if !errors.Is(err, ErrBatchIncomplete) || err.Error() != "google authenticator export is incomplete: code 2 of 3 is missing (give every code of the export at once)" {
		t.Errorf("missing middle code: %v", err)
	}
	_, err = ScanFiles(files[1])
	if !errors.Is(err, ErrBatchIncomplete) || !strings.Contains(err.Error(), "codes 1, 3 of 3 are missing") {
		t.Errorf("missing two codes: %v", err)
	}
}

func TestScanFilesErrors(t *testing.T) {
	good, err := QRPNG(testURI, 300)
	if err != nil {
		t.Fatal(err)
	}
	web, _ := QRPNG("https://example.com/", 300)
	bad, _ := QRPNG("otpauth://totp/x?secret=JBSWY3DPEHPK3PX1", 300)
	gp, wp, bp := writeFile(t, "good.png", good), writeFile(t, "web.png", web), writeFile(t, "bad.png", bad)

	found, err := ScanFiles(gp, wp, bp)
	if len(found) != 1 || found[0].Source != gp {
		t.Errorf("found %+v", found)
	}
	if !errors.Is(err, ErrNotOTPAuth) || !errors.Is(err, ErrBadBase32) {
		t.Fatalf("error %v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		wp + `: not an otpauth uri (want otpauth://totp/… or otpauth-migration://offline?data=…) (the QR code holds a https: link)`,
		bp + ": secret is not valid base32 (letters A-Z and digits 2-7)",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", err, strings.Join(want, "\n"))
	}
}

func TestDescribePayloadHidesContent(t *testing.T) {
	for in, want := range map[string]string{
		"JBSWY3DPEHPK3PXP":                        "16 characters of text",
		"https://example.com/x":                   "a https: link",
		"WIFI:S:home;P:hunter2;;":                 "23 characters of text",
		"otpauth:/totp/a?secret=JBSWY3DPEHPK3PXP": "39 characters of text",
	} {
		if got := describePayload(in); got != want {
			t.Errorf("describePayload(%q) = %q, want %q", in, got, want)
		}
	}
}
