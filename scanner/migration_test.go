package scanner

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/vault"
)

// A Google Authenticator export of one account, as widely published: secret
// "Hello!\xde\xad\xbe\xef", name "Example:alice@google.com", issuer
// "Example", type TOTP.
const gaExample = "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZTAC"

func TestDecodeMigrationKnownVector(t *testing.T) {
	m, err := DecodeMigration(gaExample)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Accounts) != 1 {
		t.Fatalf("%d accounts", len(m.Accounts))
	}
	a := m.Accounts[0]
	if vault.EncodeSecret(a.Secret) != jbs || a.Issuer != "Example" || a.Name != "alice@google.com" ||
		a.Type != vault.TOTP || a.Algorithm != vault.SHA1 || a.Digits != 6 || a.Period != 30 {
		t.Errorf("got %+v", a)
	}
	if m.BatchSize != 0 || m.BatchIndex != 0 {
		t.Errorf("batch %d/%d", m.BatchIndex, m.BatchSize)
	}
}

// pb builds protobuf bytes by hand, independently of pbWriter.
func pbField(num int, wt int, payload ...byte) []byte {
	out := []byte{byte(num<<3 | wt)}
	if wt == wireLen {
		out = append(out, byte(len(payload)))
	}
	return append(out, payload...)
}

func migURI(payload []byte) string {
	return "otpauth-migration://offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(payload))
}

func TestDecodeMigrationFields(t *testing.T) {
	secret := []byte("0123456789abcdef")
	param := func(extra ...[]byte) []byte {
		p := pbField(1, wireLen, secret...)
		for _, e := range extra {
			p = append(p, e...)
		}
		return pbField(1, wireLen, p...)
	}
	str := func(num int, s string) []byte { return pbField(num, wireLen, []byte(s)...) }
	v := func(num int, val byte) []byte { return pbField(num, wireVarint, val) }
	tests := []struct {
		name    string
		payload []byte
		check   func(a vault.Account) bool
		err     error
	}{
		{"sha256 8 digits", param(str(2, "n"), v(4, 2), v(5, 2), v(6, 2)), func(a vault.Account) bool {
			return a.Algorithm == vault.SHA256 && a.Digits == 8 && a.Type == vault.TOTP && a.Name == "n"
		}, nil},
		{"sha512", param(str(2, "n"), v(4, 3)), func(a vault.Account) bool { return a.Algorithm == vault.SHA512 }, nil},
		{"zero enums are defaults", param(str(2, "n"), v(4, 0), v(5, 0), v(6, 0)), func(a vault.Account) bool {
			return a.Algorithm == vault.SHA1 && a.Digits == 6 && a.Type == vault.TOTP && a.Period == 30
		}, nil},
		{"hotp with counter", param(str(2, "n"), v(6, 1), v(7, 99)), func(a vault.Account) bool { return a.Type == vault.HOTP && a.Counter == 99 }, nil},
		{"issuer split from name", param(str(2, "Corp: bob")), func(a vault.Account) bool { return a.Issuer == "Corp" && a.Name == "bob" }, nil},
		{"issuer field kept, name unsplit", param(str(2, "x:y"), str(3, "Z")), func(a vault.Account) bool { return a.Issuer == "Z" && a.Name == "x:y" }, nil},
		{"unknown fields skipped", param(str(2, "n"), pbField(15, wireVarint, 1), pbField(9, wireI32, 1, 2, 3, 4)), func(a vault.Account) bool { return a.Name == "n" }, nil},
		{"md5", param(str(2, "n"), v(4, 4)), nil, ErrUnsupportedAlgorithm},
		{"algorithm 9", param(str(2, "n"), v(4, 9)), nil, ErrUnknownAlgorithm},
		{"digits enum 3", param(str(2, "n"), v(5, 3)), nil, ErrDigits},
		{"type 5", param(str(2, "n"), v(6, 5)), nil, ErrUnknownType},
		{"no name, no issuer", param(), nil, vault.ErrNoName},
		{"short secret", pbField(1, wireLen, append(pbField(1, wireLen, 1, 2, 3), str(2, "n")...)...), nil, ErrSecretTooShort},
		{"wrong wire type", append(param(str(2, "n")), pbField(2, wireLen, 1)...), nil, ErrMigrationCorrupt},
		{"group wire type", []byte{0x0b}, nil, ErrMigrationCorrupt},
		{"bad utf-8 name", param(pbField(2, wireLen, 0xff, 0xfe)), nil, ErrMigrationCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := DecodeMigration(migURI(tt.payload))
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(m.Accounts[0]) {
				t.Errorf("got %+v", m.Accounts[0])
			}
		})
	}
}

func TestMigrationRoundTrip(t *testing.T) {
	var accs []vault.Account
	for i := 0; i < 23; i++ {
		s := make([]byte, 20)
		for k := range s {
			s[k] = byte(i*31 + k*7 + 0xf8) // high bytes: Base64 gets '+' and '/'
		}
		a := vault.Account{Type: vault.TOTP, Issuer: "Iss", Name: "user" + strings.Repeat("x", i), Secret: s, Algorithm: vault.SHA1, Digits: 6, Period: 30}
		if i%3 == 1 {
			a.Type, a.Period, a.Counter = vault.HOTP, 0, uint64(i)<<33
		}
		if i%4 == 2 {
			a.Algorithm, a.Digits = vault.SHA512, 8
		}
		accs = append(accs, a)
	}
	uris, err := MigrationURIs(accs, -7)
	if err != nil {
		t.Fatal(err)
	}
	if len(uris) != 3 {
		t.Fatalf("%d batches for 23 accounts", len(uris))
	}
	var back []vault.Account
	for i, u := range uris {
		m, err := DecodeMigration(u)
		if err != nil {
			t.Fatal(err)
		}
		if m.BatchSize != 3 || m.BatchIndex != i || m.BatchID != -7 || m.Version != 1 {
			t.Errorf("batch fields %+v", m)
		}
		back = append(back, m.Accounts...)
	}
	if len(back) != len(accs) {
		t.Fatalf("%d accounts back", len(back))
	}
	for i := range accs {
		a, b := accs[i], back[i]
		if !a.SameCredential(&b) || a.Type != b.Type || a.Algorithm != b.Algorithm || a.Digits != b.Digits || a.Counter != b.Counter {
			t.Errorf("%d: got %+v want %+v", i, b, a)
		}
	}
}

func TestDecodeMigrationPlusSign(t *testing.T) {
	secret := []byte{0, 0, 0xfb, 0xef, 0xbe, 0xfb, 0xef, 0xbe, 0xfb, 0xef} // Base64 "++++"
	p := pbField(1, wireLen, append(pbField(1, wireLen, secret...), pbField(2, wireLen, 'n')...)...)
	raw := base64.StdEncoding.EncodeToString(p)
	if !strings.Contains(raw, "+") {
		t.Fatalf("test payload %s has no '+'", raw)
	}
	for _, u := range []string{
		"otpauth-migration://offline?data=" + url.QueryEscape(raw), // %2B
		"otpauth-migration://offline?data=" + raw,                  // literal +
		"otpauth-migration://offline?data=" + strings.TrimRight(raw, "="),
	} {
		m, err := DecodeMigration(u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if string(m.Accounts[0].Secret) != string(secret) {
			t.Errorf("%s: secret mangled", u)
		}
	}
}

func TestEncodeMigrationRefusals(t *testing.T) {
	s := []byte("0123456789")
	for _, a := range []vault.Account{
		{Type: vault.Steam, Name: "s", Secret: s, Digits: 5},
		{Type: vault.TOTP, Name: "p", Secret: s, Digits: 6, Period: 60},
		{Type: vault.TOTP, Name: "d", Secret: s, Digits: 7, Period: 30},
	} {
		if _, err := EncodeMigration([]vault.Account{a}, 1, 0, 0); err == nil {
			t.Errorf("%+v encoded", a)
		}
	}
	if _, err := MigrationURIs(nil, 1); !errors.Is(err, ErrNoAccounts) {
		t.Errorf("empty export: %v", err)
	}
}
