package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseSecret(t *testing.T) {
	want := []byte("12345678901234567890") // GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
	ok := []string{
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"gezdgnbvgy3tqojqgezdgnbvgy3tqojq",
		"gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
		"GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ",
		" GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n",
	}
	for _, s := range ok {
		got, err := ParseSecret(s)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("ParseSecret(%q) = %x, %v", s, got, err)
		}
	}
	// With and without padding: 16 bytes encode to 26 characters + 6 '='.
	for _, s := range []string{"GEZDGNBVGY3TQOJQGEZDGNBVGY", "GEZDGNBVGY3TQOJQGEZDGNBVGY======", "gezdgnbvgy3tqojqgezdgnbvgy=="} {
		got, err := ParseSecret(s)
		if err != nil || string(got) != "1234567890123456" {
			t.Errorf("ParseSecret(%q) = %q, %v", s, got, err)
		}
	}
	bad := []struct {
		in   string
		want error
	}{
		{"", ErrEmptySecret},
		{"  - ", ErrEmptySecret},
		{"GEZDGNBVGY3TQOJ1", ErrBadBase32}, // 1 is not base32
		{"GEZDGNBVGY3TQOJ0", ErrBadBase32},
		{"GEZDGNBVGY3TQOJQG", ErrBadBase32}, // impossible length
		{"GEZDGNBV", ErrSecretTooShort},     // 40 bits
		{"GEZDGNBVGY3TQOJQ€", ErrBadBase32},
		{strings.Repeat("A", 2000), ErrSecretTooLong},
	}
	for _, tc := range bad {
		_, err := ParseSecret(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("ParseSecret(%.20q) error %v, want %v", tc.in, err, tc.want)
		}
		if err != nil && len(tc.in) > 4 && strings.Contains(err.Error(), tc.in) {
			t.Errorf("error %q repeats the secret", err)
		}
	}
}

func TestNormalizeValidate(t *testing.T) {
	key := []byte("12345678901234567890")
	tests := []struct {
		name string
		a    Account
		want error
	}{
		{"defaults", Account{Name: "a", Secret: key}, nil},
		{"digits 5", Account{Name: "a", Secret: key, Digits: 5}, ErrDigits},
		{"digits 9", Account{Name: "a", Secret: key, Digits: 9}, ErrDigits},
		{"digits 8", Account{Name: "a", Secret: key, Digits: 8}, nil},
		{"negative period", Account{Name: "a", Secret: key, Period: -30}, ErrPeriod},
		{"hotp without period", Account{Type: HOTP, Name: "a", Secret: key, Counter: 7}, nil},
		{"unknown algorithm", Account{Name: "a", Secret: key, Algorithm: "MD5"}, ErrUnknownAlgorithm},
		{"unknown type", Account{Type: "ocra", Name: "a", Secret: key}, ErrUnknownType},
		{"no secret", Account{Name: "a"}, ErrEmptySecret},
		{"short secret", Account{Name: "a", Secret: key[:3]}, ErrSecretTooShort},
		{"no name", Account{Secret: key}, ErrNoName},
		{"issuer only", Account{Issuer: "ACME", Secret: key}, nil},
		{"256-rune name", Account{Name: strings.Repeat("é", 256), Secret: key}, nil},
		{"257-rune name", Account{Name: strings.Repeat("x", 257), Secret: key}, ErrTooLong},
		{"100 KB name", Account{Name: strings.Repeat("x", 100000), Secret: key}, ErrTooLong},
		{"long issuer", Account{Issuer: strings.Repeat("x", 257), Name: "a", Secret: key}, ErrTooLong},
		{"long serial", Account{Serial: strings.Repeat("x", 257), Name: "a", Secret: key}, ErrTooLong},
		{"long note", Account{Note: strings.Repeat("x", MaxNoteRunes+1), Name: "a", Secret: key}, ErrTooLong},
		{"long tag", Account{Tags: []string{strings.Repeat("x", 129)}, Name: "a", Secret: key}, ErrTooLong},
		{"too many tags", Account{Tags: make([]string, 65), Name: "a", Secret: key}, ErrTooManyTags},
		{"period 86401", Account{Name: "a", Secret: key, Period: 86401}, ErrPeriodTooLong},
		{"long secret", Account{Name: "a", Secret: make([]byte, 1025)}, ErrSecretTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			err := a.Normalize(time.Unix(100, 0))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err == nil && (a.ID == "" || a.Created.IsZero() || a.Algorithm == "" || a.Digits == 0) {
				t.Errorf("defaults not filled: %+v", a)
			}
		})
	}
	// Each limit is stated in the message; a too-long period is not called
	// non-positive.
	for _, tc := range []struct {
		a    Account
		want string
	}{
		{Account{Name: strings.Repeat("x", 300), Secret: key}, "account name is too long (300 characters, at most 256)"},
		{Account{Name: "a", Note: strings.Repeat("x", 10001), Secret: key}, "note is too long (10001 characters, at most 10000)"},
		{Account{Name: "a", Tags: []string{strings.Repeat("x", 129)}, Secret: key}, "tag is too long (129 characters, at most 128)"},
		{Account{Name: "a", Tags: make([]string, 65), Secret: key}, "too many tags: 65 tags, at most 64"},
		{Account{Name: "a", Secret: key, Period: 86401}, "period must be at most 86,400 s, one day (got 86401)"},
		{Account{Name: "a", Secret: key, Period: -1}, "period must be a positive number of seconds (got -1)"},
		{Account{Name: "a", Secret: make([]byte, 1025)}, "secret is too long: at most 1,024 bytes (got 1025)"},
	} {
		a := tc.a
		if err := a.Normalize(time.Unix(100, 0)); err == nil || err.Error() != tc.want {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	s := Account{Type: Steam, Name: "s", Secret: key, Digits: 8, Algorithm: SHA512}
	if err := s.Normalize(time.Now()); err != nil || s.Digits != 5 || s.Algorithm != SHA1 || s.Period != 30 {
		t.Errorf("steam not pinned: %+v %v", s, err)
	}
}

func TestParseTypeAlgorithm(t *testing.T) {
	for in, want := range map[string]Algorithm{"": SHA1, "sha1": SHA1, "SHA-256": SHA256, "sha512": SHA512} {
		if got, err := ParseAlgorithm(in); err != nil || got != want {
			t.Errorf("ParseAlgorithm(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseAlgorithm("md5"); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("md5: %v", err)
	}
	for in, want := range map[string]Type{"": TOTP, "TOTP": TOTP, "hotp": HOTP, "Steam": Steam} {
		if got, err := ParseType(in); err != nil || got != want {
			t.Errorf("ParseType(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseType("yubico"); !errors.Is(err, ErrUnknownType) {
		t.Errorf("yubico: %v", err)
	}
}

func TestErrorsQuoteOnlyAFewCharactersOfAField(t *testing.T) {
	// A misaligned import column can put the secret where the type or the
	// algorithm belongs: the error names the field, not the secret.
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
	_, errT := ParseType(secret)
	_, errA := ParseAlgorithm(secret)
	a := Account{Name: "n", Secret: []byte("12345678901234567890"), Type: Type(secret), Digits: 6, Period: 30, Algorithm: SHA1}
	errV := a.Validate()
	b := Account{Name: "n", Secret: []byte("12345678901234567890"), Type: TOTP, Digits: 6, Period: 30, Algorithm: Algorithm(secret)}
	errW := b.Validate()
	for i, err := range []error{errT, errA, errV, errW} {
		if err == nil {
			t.Fatalf("case %d: no error", i)
		}
		if strings.Contains(err.Error(), secret[:5]) {
			t.Errorf("case %d quotes the value: %v", i, err)
		}
		if !strings.Contains(err.Error(), `"JBSW…"`) {
			t.Errorf("case %d does not name the value's start: %v", i, err)
		}
	}
}

func TestCredentialSet(t *testing.T) {
	key := []byte("12345678901234567890")
	s := NewCredentialSet([]Account{{Issuer: "ACME", Name: "alice", Secret: key}})
	for _, tc := range []struct {
		a    Account
		want bool
	}{
		{Account{Issuer: "acme", Name: "alice", Secret: key}, true}, // issuer case-insensitive
		{Account{Issuer: "ACME", Name: "Alice", Secret: key}, false},
		{Account{Issuer: "Other", Name: "alice", Secret: key}, false},
		{Account{Issuer: "ACME", Name: "alice", Secret: []byte("12345678901234567891")}, false},
	} {
		if got := s.Has(&tc.a); got != tc.want {
			t.Errorf("Has(%s) = %v", tc.a.Label(), got)
		}
		ref := Account{Issuer: "ACME", Name: "alice", Secret: key}
		if got := s.Has(&tc.a); got != ref.SameCredential(&tc.a) {
			t.Errorf("Has and SameCredential disagree on %s", tc.a.Label())
		}
	}
	var z CredentialSet
	b := Account{Name: "b", Secret: key}
	z.Add(&b)
	if !z.Has(&b) {
		t.Error("the zero set lost an account")
	}
}

func TestSortAccounts(t *testing.T) {
	as := []Account{
		{ID: "1", Issuer: "beta", Name: "x"},
		{ID: "2", Issuer: "Alpha", Name: "y"},
		{ID: "3", Issuer: "zulu", Favourite: true},
		{ID: "4", Issuer: "alpha", Name: "y"}, // same label as 2 but for case: stays after it
		{ID: "5", Issuer: "aaa", Order: 2},
		{ID: "6", Issuer: "mike", Order: 1},
		{ID: "7", Name: "ALPHA"},
		{ID: "8", Issuer: "yankee", Favourite: true, Order: -1},
	}
	SortAccounts(as)
	var got string
	for _, a := range as {
		got += a.ID
	}
	if want := "83724165"; got != want {
		t.Errorf("order %s, want %s (favourites, then order, then label ignoring case, stable)", got, want)
	}
}
