package verifier_test

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/vmfa/vmfa/vault"
	"github.com/vmfa/vmfa/verifier"
)

// A console binding a virtual MFA device and verifying logins. The clock
// and the random source are fixed so that the output is reproducible.
func Example() {
	now := time.Date(2026, 1, 1, 12, 0, 5, 0, time.UTC)
	cfg := verifier.DefaultConfig()
	cfg.Now = func() time.Time { return now }
	cfg.Rand = bytes.NewReader([]byte("12345678901234567890"))
	v, _ := verifier.New(verifier.NewMemoryStore(), cfg)

	en, _ := v.Enroll("alice", verifier.EnrollOptions{Issuer: "Example"})
	fmt.Println(en.URI())
	fmt.Println(en.ManualAccount(), "/", en.ManualKey())

	// The authenticator app shows the current and the next code.
	phone := en.Account
	c := phone.CodesAt(now)
	fmt.Println("bind:", v.Bind("alice", c.Current, c.Next, verifier.Client{}))

	now = now.Add(time.Minute)
	code := phone.CodeAt(now)
	fmt.Println("login:", v.Login("alice", code, verifier.Client{Name: "console"}))
	fmt.Println("again:", v.Login("alice", code, verifier.Client{}))
	// Output:
	// otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&algorithm=SHA1&digits=6&period=30
	// Example: alice / GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ
	// bind: <nil>
	// login: <nil>
	// again: code already used by an earlier login at 12:01:05: next code valid from 12:01:30, in 25 s
}

// Five wrong codes within five minutes lock the user; a locked user is
// told until when, whatever code they send.
func ExampleLockedError() {
	now := time.Date(2026, 1, 1, 12, 0, 5, 0, time.UTC)
	cfg := verifier.DefaultConfig()
	cfg.Now = func() time.Time { return now }
	v, _ := verifier.New(verifier.NewMemoryStore(), cfg)
	en, _ := v.Enroll("bob", verifier.EnrollOptions{})
	c := en.Account.CodesAt(now)
	v.Bind("bob", c.Current, c.Next, verifier.Client{})

	var err error
	for range 5 {
		err = v.Login("bob", "not-a-code", verifier.Client{})
	}
	var le *verifier.LockedError
	fmt.Println(errors.As(err, &le), le.Until.Format(time.Kitchen))
	fmt.Println(v.Login("bob", en.Account.CodeAt(now.Add(time.Minute)), verifier.Client{}))
	// Output:
	// true 12:15PM
	// locked until 2026-01-01T12:15:05Z after too many failed attempts (wait, or ask an administrator to unlock)
}

// Importing hardware OATH tokens and assigning one by serial number.
func ExampleVerifier_AssignToken() {
	now := time.Date(2026, 1, 1, 12, 0, 5, 0, time.UTC)
	cfg := verifier.DefaultConfig()
	cfg.Now = func() time.Time { return now }
	v, _ := verifier.New(verifier.NewMemoryStore(), cfg)
	token := vault.Account{Serial: "TK-1", Name: "TK-1", Secret: []byte("12345678901234567890"), Period: 60}
	res, _ := v.ImportTokens([]vault.Account{token})
	fmt.Println("added:", res.Added)
	fmt.Println(v.AssignToken("TK-1", "carol", verifier.Client{}))
	// The token counts 60-second steps.
	code := vault.HOTPCode(token.Secret, vault.SHA1, 6, vault.Step(now, 60))
	fmt.Println(v.Login("carol", code, verifier.Client{}))
	// Output:
	// added: [TK-1]
	// <nil>
	// <nil>
}
