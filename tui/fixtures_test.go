package tui

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

var genFixtures = flag.Bool("gen", false, "regenerate the QR image fixtures in testdata")

// QR fixtures: a setup QR code as a console shows it, and a Google
// Authenticator export of two accounts.
const qrGitHubURI = "otpauth://totp/GitHub:octocat?secret=" + rfcSecret + "&issuer=GitHub"

// qrRFCURI is the RFC 6238 appendix B SHA1 key with 8 digits.
const qrRFCURI = "otpauth://totp/RFC6238:sha1?secret=" + rfcSecret + "&issuer=RFC6238&digits=8"

func TestGenerateFixtures(t *testing.T) {
	if !*genFixtures {
		t.Skip("run with -gen to regenerate")
	}
	write := func(name, text string) {
		png, err := scanner.QRPNG(text, 300)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("qr-github.png", qrGitHubURI)
	write("qr-rfc6238.png", qrRFCURI)
	batch := []vault.Account{
		{Issuer: "Example", Name: "one@example.com", Secret: mustSecret("JBSWY3DPEHPK3PXP"), Type: vault.TOTP, Algorithm: vault.SHA1, Digits: 6, Period: 30},
		{Issuer: "Example", Name: "two@example.com", Secret: mustSecret("MFRGGZDFMZTWQ2LK"), Type: vault.HOTP, Algorithm: vault.SHA1, Digits: 6, Counter: 3},
	}
	uris, err := scanner.MigrationURIs(batch, 1)
	if err != nil {
		t.Fatal(err)
	}
	write("qr-migration.png", uris[0])
}
