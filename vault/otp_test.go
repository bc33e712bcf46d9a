package vault

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// RFC 4226 Appendix D: secret "12345678901234567890", SHA1, 6 digits.
var rfc4226 = []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}

func TestHOTPRFC4226(t *testing.T) {
	key := []byte("12345678901234567890")
	for c, want := range rfc4226 {
		if got := HOTPCode(key, SHA1, 6, uint64(c)); got != want {
			t.Errorf("counter %d: got %s, want %s", c, got, want)
		}
	}
}

// RFC 6238 Appendix B. Each algorithm has its own seed: the ASCII digits
// repeated to the hash's output length.
var rfc6238Seeds = map[Algorithm][]byte{
	SHA1:   []byte("12345678901234567890"),
	SHA256: []byte("12345678901234567890123456789012"),
	SHA512: []byte("1234567890123456789012345678901234567890123456789012345678901234"),
}

var rfc6238 = []struct {
	unix int64
	alg  Algorithm
	code string
}{
	{59, SHA1, "94287082"}, {59, SHA256, "46119246"}, {59, SHA512, "90693936"},
	{1111111109, SHA1, "07081804"}, {1111111109, SHA256, "68084774"}, {1111111109, SHA512, "25091201"},
	{1111111111, SHA1, "14050471"}, {1111111111, SHA256, "67062674"}, {1111111111, SHA512, "99943326"},
	{1234567890, SHA1, "89005924"}, {1234567890, SHA256, "91819424"}, {1234567890, SHA512, "93441116"},
	{2000000000, SHA1, "69279037"}, {2000000000, SHA256, "90698825"}, {2000000000, SHA512, "38618901"},
	{20000000000, SHA1, "65353130"}, {20000000000, SHA256, "77737706"}, {20000000000, SHA512, "47863826"},
}

func TestTOTPRFC6238(t *testing.T) {
	for _, tc := range rfc6238 {
		for _, digits := range []int{8, 6} {
			name := fmt.Sprintf("%s/%d/%d", tc.alg, tc.unix, digits)
			t.Run(name, func(t *testing.T) {
				a := Account{Type: TOTP, Name: "rfc", Secret: rfc6238Seeds[tc.alg], Algorithm: tc.alg, Digits: digits, Period: 30}
				if err := a.Validate(); err != nil {
					t.Fatal(err)
				}
				want := tc.code[8-digits:]
				if got := a.CodeAt(time.Unix(tc.unix, 0)); got != want {
					t.Errorf("got %s, want %s", got, want)
				}
			})
		}
	}
}

// The device side must agree with pquerna/otp, the reference library of the
// design card, for every algorithm, length and period.
func TestAgreesWithPquernaOTP(t *testing.T) {
	algs := map[Algorithm]otp.Algorithm{SHA1: otp.AlgorithmSHA1, SHA256: otp.AlgorithmSHA256, SHA512: otp.AlgorithmSHA512}
	key := []byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\xfa\xfb\xfc\xfd\xfe\xff")
	for alg, palg := range algs {
		for _, digits := range []int{6, 7, 8} {
			for _, period := range []int{30, 60, 15} {
				a := Account{Type: TOTP, Name: "x", Secret: key, Algorithm: alg, Digits: digits, Period: period}
				for _, ts := range []int64{0, 59, 1700000000, 1700000029, 1700000030} {
					at := time.Unix(ts, 0)
					want, err := totp.GenerateCodeCustom(EncodeSecret(key), at, totp.ValidateOpts{
						Period: uint(period), Digits: otp.Digits(digits), Algorithm: palg})
					if err != nil {
						t.Fatal(err)
					}
					if got := a.CodeAt(at); got != want {
						t.Errorf("%s/%d/%ds at %d: got %s, pquerna/otp %s", alg, digits, period, ts, got, want)
					}
				}
			}
		}
	}
}

func TestCodesAt(t *testing.T) {
	a := Account{Type: TOTP, Name: "x", Secret: rfc6238Seeds[SHA1], Algorithm: SHA1, Digits: 8, Period: 30}
	cs := a.CodesAt(time.Unix(59, 0))
	if cs.Current != "94287082" || cs.Step != 1 || cs.Left != time.Second || cs.Period != 30*time.Second {
		t.Errorf("at 59: %+v", cs)
	}
	if cs.Next != a.CodeAt(time.Unix(60, 0)) {
		t.Errorf("next %s is not the code at 60 (%s)", cs.Next, a.CodeAt(time.Unix(60, 0)))
	}
	// A 60-second hardware token counts on its own period.
	a.Period = 60
	cs = a.CodesAt(time.Unix(61, 500_000_000))
	if cs.Step != 1 || cs.Left != 58*time.Second+500*time.Millisecond {
		t.Errorf("60 s token at 61.5: %+v", cs)
	}
	// HOTP: the code at the stored counter and the one after it.
	h := Account{Type: HOTP, Name: "h", Secret: []byte("12345678901234567890"), Algorithm: SHA1, Digits: 6, Counter: 3}
	cs = h.CodesAt(time.Now())
	if cs.Current != rfc4226[3] || cs.Next != rfc4226[4] || cs.Left != 0 {
		t.Errorf("hotp: %+v", cs)
	}
}

func TestSteamCode(t *testing.T) {
	a := Account{Type: Steam, Name: "s", Secret: []byte("12345678901234567890")}
	if err := a.Normalize(time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	code := a.CodeAt(time.Unix(59, 0))
	if len(code) != 5 {
		t.Fatalf("steam code %q is not 5 characters", code)
	}
	for _, r := range code {
		if !containsRune(steamAlphabet, r) {
			t.Fatalf("steam code %q has %q outside the alphabet", code, r)
		}
	}
	// Same truncated HMAC as RFC 4226 Appendix D at counter 1 (0x41397eea = 1094287082).
	if got, want := SteamCode(a.Secret, 1), steamFrom(1094287082); got != want {
		t.Errorf("steam code at step 1: got %s, want %s", got, want)
	}
}

func steamFrom(bin uint32) string {
	out := make([]byte, 5)
	for i := range out {
		out[i] = steamAlphabet[bin%26]
		bin /= 26
	}
	return string(out)
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

func TestEqualCodes(t *testing.T) {
	if !EqualCodes("123456", "123456") || EqualCodes("123456", "123457") || EqualCodes("123456", "12345") {
		t.Error("EqualCodes is wrong")
	}
}

func BenchmarkCodeGeneration(b *testing.B) {
	for _, alg := range []Algorithm{SHA1, SHA256, SHA512} {
		a := Account{Type: TOTP, Name: "x", Secret: rfc6238Seeds[alg], Algorithm: alg, Digits: 6, Period: 30}
		b.Run(string(alg), func(b *testing.B) {
			at := time.Unix(1700000000, 0)
			for i := 0; i < b.N; i++ {
				_ = a.CodesAt(at)
			}
		})
	}
}

func ExampleAccount_CodesAt() {
	key, _ := ParseSecret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq")
	a := Account{Type: TOTP, Issuer: "ACME", Name: "alice", Secret: key}
	_ = a.Normalize(time.Unix(0, 0))
	cs := a.CodesAt(time.Unix(59, 0))
	fmt.Println(cs.Current, cs.Next, cs.Left)
	// Output: 287082 359152 1s
}

// Vectors from Aegis's YAOTPTest (pin, 26-byte secret, unix time, code).
func TestYandexCode(t *testing.T) {
	for _, tc := range []struct {
		pin, secret string
		at          int64
		want        string
	}{
		{"5239", "6SB2IKNM6OBZPAVBVTOHDKS4FAAAAAAADFUTQMBTRY", 1641559648, "umozdicq"},
		{"7586", "LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI", 1581064020, "oactmacq"},
		{"7586", "LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI", 1581090810, "wemdwrix"},
		{"5210481216086702", "JBGSAU4G7IEZG6OY4UAXX62JU4AAAAAAHTSG4HXU3M", 1581091469, "dfrpywob"},
		{"5210481216086702", "JBGSAU4G7IEZG6OY4UAXX62JU4AAAAAAHTSG4HXU3M", 1581093059, "vunyprpd"},
	} {
		raw, err := DecodeSecret(tc.secret)
		if err != nil {
			t.Fatal(err)
		}
		key, err := ParseYandexSecret(raw)
		if err != nil {
			t.Fatalf("%s: %v", tc.secret, err)
		}
		a := Account{Type: Yandex, Name: "y", Secret: key, PIN: tc.pin}
		if err := a.Normalize(time.Now()); err != nil {
			t.Fatal(err)
		}
		if got := a.CodeAt(time.Unix(tc.at, 0)); got != tc.want {
			t.Errorf("yandex %s at %d = %q, want %q", tc.secret, tc.at, got, tc.want)
		}
		// A flipped bit before the checksum is caught.
		bad := append([]byte(nil), raw...)
		bad[3] ^= 0x10
		if _, err := ParseYandexSecret(bad); err == nil {
			t.Errorf("%s: corrupted secret accepted", tc.secret)
		}
	}
	if _, err := ParseYandexSecret(make([]byte, 20)); err == nil {
		t.Error("20-byte yandex secret accepted")
	}
}

// Vectors from Aegis's MOTPTest (time, code, pin, hex secret).
func TestMOTPCode(t *testing.T) {
	for _, tc := range []struct {
		at              int64
		want, pin, hexS string
	}{
		{165892298, "e7d8b6", "1234", "e3152afee62599c8"},
		{123456789, "4ebfb2", "1234", "e3152afee62599c8"},
		{165954002 * 10, "ced7b1", "9999", "bbb1912bb5c515be"},
		{165954002*10 + 2, "ced7b1", "9999", "bbb1912bb5c515be"},
		{165953987 * 10, "1a14f8", "9999", "bbb1912bb5c515be"},
		{165953987*10 + 8, "1a14f8", "9999", "bbb1912bb5c515be"},
	} {
		key, _ := hex.DecodeString(tc.hexS)
		a := Account{Type: MOTP, Name: "m", Secret: key, PIN: tc.pin}
		if err := a.Normalize(time.Now()); err != nil {
			t.Fatal(err)
		}
		if a.Period != 10 || a.Algorithm != MD5 || a.Digits != 6 {
			t.Fatalf("motp normalised to %s/%d/%d", a.Algorithm, a.Digits, a.Period)
		}
		if got := a.CodeAt(time.Unix(tc.at, 0)); got != tc.want {
			t.Errorf("motp at %d = %q, want %q", tc.at, got, tc.want)
		}
	}
}

func TestPINRules(t *testing.T) {
	key := make([]byte, 16)
	for _, tc := range []struct {
		a    Account
		want error
	}{
		{Account{Type: Yandex, Name: "y", Secret: key}, ErrNoPIN},
		{Account{Type: MOTP, Name: "m", Secret: key[:8]}, ErrNoPIN},
		{Account{Type: TOTP, Name: "t", Secret: key, PIN: "1234"}, nil}, // nil: refused, no sentinel
		{Account{Type: TOTP, Name: "t", Secret: key, Algorithm: MD5}, ErrUnknownAlgorithm},
		{Account{Type: TOTP, Name: "t", Secret: key, Period: 86401}, ErrPeriod},
		{Account{Type: TOTP, Name: "t", Secret: key[:3]}, ErrSecretTooShort},
	} {
		err := tc.a.Normalize(time.Now())
		if tc.want == nil {
			if err == nil {
				t.Errorf("%+v: accepted", tc.a)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.a.Type, err, tc.want)
		}
	}
	// 32-bit secrets decode (imports warn); typed ones need 80 bits.
	if k, err := DecodeSecret("MFRGGZA"); err != nil || len(k) != 4 {
		t.Errorf("DecodeSecret 32-bit: %v", err)
	}
	if _, err := ParseSecret("MFRGGZA"); !errors.Is(err, ErrSecretTooShort) {
		t.Errorf("ParseSecret 32-bit: %v", err)
	}
}
