package scanner

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/vmfa/vmfa/vault"
)

const jbs = "JBSWY3DPEHPK3PXP" // "Hello!\xde\xad\xbe\xef"

func TestParseURIValid(t *testing.T) {
	tests := []struct {
		name, uri string
		want      vault.Account
	}{
		{"google example", "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
			vault.Account{Type: vault.TOTP, Issuer: "Example", Name: "alice@google.com", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"issuer parameter wins over label prefix", "otpauth://totp/Old%20Name:bob?secret=JBSWY3DPEHPK3PXP&issuer=New%20Name",
			vault.Account{Type: vault.TOTP, Issuer: "New Name", Name: "bob", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"escaped colon separates", "otpauth://totp/ACME%20Co%3Ajohn.doe%40email.com?secret=JBSWY3DPEHPK3PXP",
			vault.Account{Type: vault.TOTP, Issuer: "ACME Co", Name: "john.doe@email.com", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"space after colon", "otpauth://totp/ACME:%20%20john?secret=JBSWY3DPEHPK3PXP",
			vault.Account{Type: vault.TOTP, Issuer: "ACME", Name: "john", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"no issuer at all", "otpauth://totp/john?secret=JBSWY3DPEHPK3PXP",
			vault.Account{Type: vault.TOTP, Name: "john", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"forgiving secret", "otpauth://totp/x?secret=jbsw%20y3dp%20ehpk%203pxp%3D%3D%3D%3D",
			vault.Account{Type: vault.TOTP, Name: "x", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"plus in secret is a space", "otpauth://totp/x?secret=JBSW+Y3DP+EHPK+3PXP",
			vault.Account{Type: vault.TOTP, Name: "x", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"all parameters, upper-case scheme and type", "OTPAUTH://TOTP/i:n?secret=JBSWY3DPEHPK3PXP&algorithm=sha512&digits=8&period=60&image=https%3A%2F%2Fx",
			vault.Account{Type: vault.TOTP, Issuer: "i", Name: "n", Algorithm: vault.SHA512, Digits: 8, Period: 60}},
		{"sha256 seven digits", "otpauth://totp/n?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=7",
			vault.Account{Type: vault.TOTP, Name: "n", Algorithm: vault.SHA256, Digits: 7, Period: 30}},
		{"hotp", "otpauth://hotp/Co:n?secret=JBSWY3DPEHPK3PXP&counter=42",
			vault.Account{Type: vault.HOTP, Issuer: "Co", Name: "n", Algorithm: vault.SHA1, Digits: 6, Counter: 42}},
		{"hotp counter zero", "otpauth://hotp/n?secret=JBSWY3DPEHPK3PXP&counter=0",
			vault.Account{Type: vault.HOTP, Name: "n", Algorithm: vault.SHA1, Digits: 6}},
		{"steam", "otpauth://steam/Steam:gabe?secret=JBSWY3DPEHPK3PXP&issuer=Steam&digits=5",
			vault.Account{Type: vault.Steam, Issuer: "Steam", Name: "gabe", Algorithm: vault.SHA1, Digits: 5, Period: 30}},
		{"issuer with a colon", "otpauth://totp/A%3AB:n?secret=JBSWY3DPEHPK3PXP&issuer=A%3AB",
			vault.Account{Type: vault.TOTP, Issuer: "A:B", Name: "n", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"name with a colon, no issuer", "otpauth://totp/:a%3Ab?secret=JBSWY3DPEHPK3PXP",
			vault.Account{Type: vault.TOTP, Name: "a:b", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"fragment ignored, surrounding space trimmed", "  otpauth://totp/n?secret=JBSWY3DPEHPK3PXP#frag\n",
			vault.Account{Type: vault.TOTP, Name: "n", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"issuer only", "otpauth://totp/Solo:?secret=JBSWY3DPEHPK3PXP",
			vault.Account{Type: vault.TOTP, Issuer: "Solo", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
		{"unicode issuer", "otpauth://totp/%C3%9Cber:n?secret=JBSWY3DPEHPK3PXP",
			vault.Account{Type: vault.TOTP, Issuer: "Über", Name: "n", Algorithm: vault.SHA1, Digits: 6, Period: 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseURI(tt.uri)
			if err != nil {
				t.Fatalf("ParseURI: %v", err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d accounts", len(got))
			}
			a := got[0]
			if vault.EncodeSecret(a.Secret) != jbs {
				t.Errorf("secret = %s", vault.EncodeSecret(a.Secret))
			}
			if a.ID == "" || a.Created.IsZero() {
				t.Errorf("not normalised: %+v", a)
			}
			a.Secret, a.ID, a.Created = nil, "", a.Created.AddDate(-3000, 0, 0)
			w := tt.want
			w.Created = a.Created
			if a.Type != w.Type || a.Issuer != w.Issuer || a.Name != w.Name || a.Algorithm != w.Algorithm || a.Digits != w.Digits || a.Period != w.Period || a.Counter != w.Counter {
				t.Errorf("got  %+v\nwant %+v", a, w)
			}
		})
	}
}

// TestParseURIErrors is the table of bad inputs: each gives its own
// sentinel and exactly this message.
func TestParseURIErrors(t *testing.T) {
	tests := []struct {
		uri  string
		is   error
		want string
	}{
		{"http://totp/x?secret=JBSWY3DPEHPK3PXP", ErrNotOTPAuth, "not an otpauth uri (want otpauth://totp/… or otpauth-migration://offline?data=…)"},
		{"", ErrNotOTPAuth, "not an otpauth uri (want otpauth://totp/… or otpauth-migration://offline?data=…)"},
		{"JBSWY3DPEHPK3PXP", ErrNotOTPAuth, "not an otpauth uri (want otpauth://totp/… or otpauth-migration://offline?data=…)"},
		{"otpauth://totp", ErrMalformedURI, "malformed otpauth uri: no '/' between the type and the label"},
		{"otpauth://motp/x?secret=JBSWY3DPEHPK3PXP", vault.ErrNoPIN, `yandex and motp accounts need their pin`},
		{"otpauth://ocra/x?secret=JBSWY3DPEHPK3PXP", ErrUnknownType, `unknown type (want totp, hotp, steam, yandex or motp): "ocra"`},
		{"otpauth:///x?secret=JBSWY3DPEHPK3PXP", ErrUnknownType, "unknown type (want totp, hotp, steam, yandex or motp): the type is missing (want totp or hotp)"},
		{"otpauth://totp/?secret=JBSWY3DPEHPK3PXP", ErrMissingLabel, "otpauth uri has no account label"},
		{"otpauth://totp/:?secret=JBSWY3DPEHPK3PXP", ErrMissingLabel, "otpauth uri has no account label"},
		{"otpauth://totp/%20?secret=JBSWY3DPEHPK3PXP&issuer=%20", ErrMissingLabel, "otpauth uri has no account label"},
		{"otpauth://totp/x%zz?secret=JBSWY3DPEHPK3PXP", ErrMalformedURI, "malformed otpauth uri: bad percent-escape in the label"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&issuer=%g0", ErrMalformedURI, "malformed otpauth uri: bad percent-escape in the issuer parameter"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&secret=GEZDGNBVGY3TQOJQ", ErrMalformedURI, "malformed otpauth uri: the secret parameter appears twice"},
		{"otpauth://totp/x", ErrMissingSecret, "otpauth uri has no secret parameter"},
		{"otpauth://totp/x?issuer=y", ErrMissingSecret, "otpauth uri has no secret parameter"},
		{"otpauth://totp/x?secret=", ErrEmptySecret, "secret is empty"},
		{"otpauth://totp/x?secret=%3D%3D", ErrEmptySecret, "secret is empty"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PX1", ErrBadBase32, "secret is not valid base32 (letters A-Z and digits 2-7)"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXPA", ErrBadBase32, "secret is not valid base32 (letters A-Z and digits 2-7): 17 characters cannot be base32, a character is missing or extra"},
		{"otpauth://totp/x?secret=JBSWY", ErrSecretTooShort, "secret is too short (at least 80 bits, 16 base32 characters); keys a server issued are taken down to 32 bits"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5", ErrUnknownAlgorithm, `unknown algorithm (want SHA1, SHA256 or SHA512): "MD5"`},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=", ErrUnknownAlgorithm, "unknown algorithm (want SHA1, SHA256 or SHA512): the algorithm parameter is empty"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=5", ErrDigits, `digits must be between 6 and 8 (got "5")`},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=10", ErrDigits, `digits must be between 6 and 8 (got "10")`},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=six", ErrDigits, `digits must be between 6 and 8 (got "six")`},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=0", ErrPeriod, `period must be a positive number of seconds (got "0")`},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=-30", ErrPeriod, `period must be a positive number of seconds (got "-30")`},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=30s", ErrPeriod, `period must be a positive number of seconds (got "30s")`},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=86401", vault.ErrPeriodTooLong, "period must be at most 86,400 s, one day (got 86401)"},
		{"otpauth://totp/" + strings.Repeat("x", 257) + "?secret=JBSWY3DPEHPK3PXP", vault.ErrTooLong, "account name is too long (257 characters, at most 256)"},
		{"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&issuer=" + strings.Repeat("%C3%A9", 300), vault.ErrTooLong, "issuer is too long (300 characters, at most 256)"},
		{"otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP", ErrMissingCounter, "hotp uri has no counter parameter"},
		{"otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=-1", ErrCounter, `counter must be a whole number of 0 or more (got "-1")`},
		{"otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=18446744073709551616", ErrCounter, `counter must be a whole number of 0 or more (got "18446744073709551616")`},
		{"otpauth-migration://offline", ErrMigrationData, "migration uri has no data parameter (want otpauth-migration://offline?data=…)"},
		{"otpauth-migration://online?data=CgA", ErrMigrationData, `migration uri has no data parameter (want otpauth-migration://offline?data=…): host is "online"`},
		{"otpauth-migration://offline?data=!!!!", ErrMigrationBase64, "migration data is not valid base64 (was the uri cut short?)"},
		{"otpauth-migration://offline?data=CgA%3D", ErrEmptySecret, "migration account 1: secret is empty"},
		{"otpauth-migration://offline?data=CgIKBQ%3D%3D", ErrMigrationCorrupt, "migration account 1: migration data is corrupt (not a google authenticator export): truncated"},
		{"otpauth-migration://offline?data=EAE%3D", ErrMigrationEmpty, "migration data holds no accounts"},
		{"otpauth-migration://offline?data=Cg", ErrMigrationCorrupt, "migration data is corrupt (not a google authenticator export): truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			got, err := ParseURI(tt.uri)
			if err == nil {
				t.Fatalf("no error, got %+v", got)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %q", err, tt.is)
			}
			if err.Error() != tt.want {
				t.Errorf("message\n got %q\nwant %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "JBSWY3DPEHPK3PXP") {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

// TestAccountURIRoundTrip: AccountURI → ParseURI gives the same account,
// and pquerna/otp (an independent implementation) computes the same codes
// from the URI.
func TestAccountURIRoundTrip(t *testing.T) {
	secret, _ := vault.ParseSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	accs := []vault.Account{
		{Type: vault.TOTP, Issuer: "ACME Co", Name: "john.doe@example.com", Secret: secret, Algorithm: vault.SHA1, Digits: 6, Period: 30},
		{Type: vault.TOTP, Issuer: "A:B & C", Name: "n?x=1#y", Secret: secret, Algorithm: vault.SHA256, Digits: 8, Period: 60},
		{Type: vault.TOTP, Name: "colon:name", Secret: secret, Algorithm: vault.SHA512, Digits: 7, Period: 15},
		{Type: vault.HOTP, Issuer: "Bank", Name: "me", Secret: secret, Algorithm: vault.SHA1, Digits: 6, Counter: 1 << 40},
		{Type: vault.Steam, Issuer: "Steam", Name: "gabe", Secret: secret, Algorithm: vault.SHA1, Digits: 5, Period: 30},
		{Type: vault.TOTP, Issuer: "Ünïcode 銀行", Name: "ユーザー", Secret: secret, Algorithm: vault.SHA1, Digits: 6, Period: 30},
	}
	for _, a := range accs {
		u := AccountURI(a)
		got, err := ParseURI(u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		g := got[0]
		if g.Type != a.Type || g.Issuer != a.Issuer || g.Name != a.Name || string(g.Secret) != string(a.Secret) ||
			g.Algorithm != a.Algorithm || g.Digits != a.Digits || g.Period != a.Period || g.Counter != a.Counter {
			t.Errorf("round trip of %s\n got %+v\nwant %+v", u, g, a)
		}
		if a.Type != vault.TOTP {
			continue
		}
		k, err := otp.NewKeyFromURL(u)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a.Issuer, ":") && (k.Issuer() != a.Issuer || k.AccountName() != a.Name) {
			t.Errorf("pquerna reads %q / %q from %s", k.Issuer(), k.AccountName(), u)
		}
		now := time.Unix(1_700_000_000, 0)
		alg := map[vault.Algorithm]otp.Algorithm{vault.SHA1: otp.AlgorithmSHA1, vault.SHA256: otp.AlgorithmSHA256, vault.SHA512: otp.AlgorithmSHA512}[a.Algorithm]
		want, err := totp.GenerateCodeCustom(k.Secret(), now, totp.ValidateOpts{Period: uint(a.Period), Digits: otp.Digits(a.Digits), Algorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		if got := g.CodeAt(now); got != want {
			t.Errorf("%s: code %s, pquerna %s", a.Label(), got, want)
		}
	}
}

func TestAccountURIForm(t *testing.T) {
	secret, _ := vault.ParseSecret(jbs)
	got := AccountURI(vault.Account{Type: vault.TOTP, Issuer: "ACME Co", Name: "john@example.com", Secret: secret, Algorithm: vault.SHA1, Digits: 6, Period: 30})
	want := "otpauth://totp/ACME%20Co:john@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestErrorsQuoteWholeCharacters: a long value quoted in an error is cut at
// a character boundary, never in the middle of a UTF-8 sequence.
func TestErrorsQuoteWholeCharacters(t *testing.T) {
	for n := 0; n < 48; n++ {
		typ := strings.Repeat("a", n) + strings.Repeat("é", 30)
		_, err := ParseURI("otpauth://" + typ + "/x?secret=" + jbs)
		if !errors.Is(err, ErrUnknownType) {
			t.Fatalf("type %q: %v", typ, err)
		}
		if msg := err.Error(); !utf8.ValidString(msg) || strings.Contains(msg, `\x`) || !strings.Contains(msg, "…") {
			t.Errorf("type of %d+60 bytes: %q cuts a character or is not clipped", n, msg)
		}
	}
}
