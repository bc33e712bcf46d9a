package scanner_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vmfa/vmfa/scanner"
)

func ExampleParseURI() {
	accs, err := scanner.ParseURI("otpauth://totp/ACME%20Co:john@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&digits=8")
	if err != nil {
		fmt.Println(err)
		return
	}
	a := accs[0]
	fmt.Println(a.Issuer, "|", a.Name, "|", a.Type, a.Algorithm, a.Digits, a.Period)
	// Output: ACME Co | john@example.com | totp SHA1 8 30
}

func ExampleParseURI_errors() {
	for _, u := range []string{
		"otpauth://totp/john?issuer=ACME",
		"otpauth://totp/john?secret=JBSWY3DPEHPK3PX1",
		"otpauth://hotp/john?secret=JBSWY3DPEHPK3PXP",
		"https://example.com/totp/john?secret=JBSWY3DPEHPK3PXP",
	} {
		_, err := scanner.ParseURI(u)
		fmt.Println(err, errors.Is(err, scanner.ErrMissingSecret))
	}
	// Output:
	// otpauth uri has no secret parameter true
	// secret is not valid base32 (letters A-Z and digits 2-7) false
	// hotp uri has no counter parameter false
	// not an otpauth uri (want otpauth://totp/… or otpauth-migration://offline?data=…) false
}

func ExampleAccountURI() {
	accs, _ := scanner.ParseURI("otpauth://hotp/Bank:me?secret=jbsw%20y3dp%20ehpk%203pxp&counter=5")
	fmt.Println(scanner.AccountURI(accs[0]))
	// Output: otpauth://hotp/Bank:me?secret=JBSWY3DPEHPK3PXP&issuer=Bank&algorithm=SHA1&digits=6&counter=5
}

func ExampleDecodeMigration() {
	m, err := scanner.DecodeMigration("otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range m.Accounts {
		fmt.Println(a.Label(), a.Type, scanner.AccountURI(a))
	}
	// Output: Example: alice@google.com totp otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30
}

func ExampleImport() {
	csv := "upn,serial number,secret key,time interval,manufacturer,model\n" +
		"helga@contoso.com,1234567,JBSWY3DPEHPK3PXP,60,Contoso,HardwareKey\n"
	res, err := scanner.Import(strings.NewReader(csv), scanner.FormatAuto)
	if err != nil {
		fmt.Println(err)
		return
	}
	a := res.Accounts[0]
	fmt.Println(res.Format, a.Label(), a.Serial, a.Period)
	// Output: csv Contoso: helga@contoso.com 1234567 60
}

func ExampleQRHalfBlocksPlain() {
	s, _ := scanner.QRHalfBlocksPlain("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", false)
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	// This version-3 code is 29 modules wide; with the 4-module quiet zone
	// on each side, 37 columns and 19 rows of half blocks.
	fmt.Println(len([]rune(lines[0])), len(lines))
	fmt.Println(lines[2])
	// Output:
	// 37 19
	//     █▀▀▀▀▀█ █    ▀▄ █▀ ▄  █▀▀▀▀▀█
}

func ExampleDetectFormat() {
	for _, file := range []string{
		`{"encrypted":false,"items":[{"type":1,"name":"ACME","login":{"username":"alice","totp":"JBSWY3DPEHPK3PXP"}}]}`,
		`{"Authenticators":[],"Categories":[]}`,
		"SQLite format 3\x00 … CREATE TABLE accounts (… original_name TEXT)",
	} {
		format, err := scanner.DetectFormat([]byte(file))
		fmt.Println(format, err)
	}
	_, err := scanner.Import(strings.NewReader("SQLite format 3\x00 … CREATE TABLE accounts (… original_name TEXT)"), scanner.FormatAuto)
	fmt.Println(err)
	// Output:
	// bitwarden <nil>
	// stratum <nil>
	// googleauth-db <nil>
	// unsupported file: this is a Google Authenticator database from a rooted phone: not supported, export a transfer QR instead (Google Authenticator: menu, transfer accounts, export) and import its images
}

func ExampleFormats() {
	for _, f := range scanner.Formats()[:3] {
		fmt.Printf("%s | %s | %s\n", f.Name, f.Encrypted, f.Apps)
	}
	// Output:
	// uris | no | any app: otpauth:// and otpauth-migration:// URIs, one per line
	// migration | no | Google Authenticator transfer (otpauth-migration:// URIs)
	// ente | optional | Ente Auth (plain .txt export; encrypted .json export)
}
