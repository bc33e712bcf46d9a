package verifier

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// Issue 13 item 1: a replay says what spent the step and when the next
// code the verifier takes appears.
func TestReplayExplainsItself(t *testing.T) {
	v, clk := newTestVerifier(t, nil) // 09:00:10, step 09:00:00
	en, err := v.Enroll("ria", EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := &en.Account
	c := a.CodesAt(clk.Now())
	if err := v.Bind("ria", c.Current, c.Next, Client{}); err != nil {
		t.Fatal(err)
	}
	// Right after the binding, both its codes are spent.
	for _, code := range []string{c.Current, c.Next} {
		err := v.Login("ria", code, Client{})
		var re *ReplayError
		if !errors.As(err, &re) || !errors.Is(err, ErrReplay) {
			t.Fatalf("got %v", err)
		}
		if re.By != "bind" || !re.At.Equal(clk.Now()) || !re.Next.Equal(time.Date(2026, 11, 22, 9, 1, 0, 0, time.UTC)) || re.Wait() != 50*time.Second {
			t.Fatalf("replay %+v wait %v", re, re.Wait())
		}
		want := "code already used by the binding at 09:00:10: next code valid from 09:01:00, in 50 s"
		if err.Error() != want {
			t.Fatalf("message %q, want %q", err, want)
		}
	}
	// The replay is not a failed attempt.
	if st, _ := v.Status("ria"); st[0].RecentFails != 0 {
		t.Fatalf("replays counted as failures: %d", st[0].RecentFails)
	}
	// At 09:01:00 the next code is taken; sent again it names the login.
	clk.Advance(50 * time.Second)
	code := a.CodeAt(clk.Now())
	if err := v.Login("ria", code, Client{}); err != nil {
		t.Fatalf("the next code: %v", err)
	}
	clk.Advance(3 * time.Second)
	err = v.Login("ria", code, Client{})
	if err == nil || err.Error() != "code already used by an earlier login at 09:01:00: next code valid from 09:01:30, in 27 s" {
		t.Fatalf("second replay: %v", err)
	}
	// The binding's second code is still named as the binding's.
	err = v.Login("ria", c.Next, Client{})
	if err == nil || err.Error() != "code already used by the binding at 09:00:10: next code valid from 09:01:30, in 27 s" {
		t.Fatalf("binding's code: %v", err)
	}
	// A device running a step ahead: its code of 09:03:00 is taken at
	// 09:02:40; the code of 09:02:30 is then older than that login's,
	// and the device shows its next code from 09:03:00.
	clk.t = time.Date(2026, 11, 22, 9, 2, 40, 0, time.UTC)
	if err := v.Login("ria", a.CodeAt(clk.Now().Add(30*time.Second)), Client{}); err != nil {
		t.Fatal(err)
	}
	err = v.Login("ria", a.CodeAt(clk.Now()), Client{})
	if err == nil || err.Error() != "code already used (older than the code accepted by an earlier login at 09:02:40): next code valid from 09:03:00, in 20 s" {
		t.Fatalf("older code: %v", err)
	}
	if Reason(err) != "replay" || Code(err) != "AuthenticationCode.AlreadyUsed" {
		t.Fatalf("reason %s code %s", Reason(err), Code(err))
	}
}

// Codes typed as displayed, in groups: four groups bind a 6-digit device,
// and 8-digit codes split at the group boundary.
func TestBindCodesInGroups(t *testing.T) {
	for _, tc := range []struct {
		digits int
		groups func(c1, c2 string) []string
		want   error
	}{
		{6, func(c1, c2 string) []string { return []string{c1[:3], c1[3:], c2[:3], c2[3:]} }, nil},
		{6, func(c1, c2 string) []string { return []string{c1[:3] + " " + c1[3:], c2[:3] + " " + c2[3:]} }, nil},
		{6, func(c1, c2 string) []string { return []string{c1 + c2} }, nil},
		{6, func(c1, c2 string) []string { return []string{c1[:3] + "-" + c1[3:], c2} }, nil},
		{8, func(c1, c2 string) []string { return []string{c1[:4], c1[4:], c2[:4], c2[4:]} }, nil},
		{8, func(c1, c2 string) []string { return []string{c1[:4] + " " + c1[4:] + " " + c2[:4] + " " + c2[4:]} }, nil},
		// Groups that do not split at a code boundary, or too few digits.
		{6, func(c1, c2 string) []string { return []string{c1[:2], c1[2:] + c2[:1], c2[1:]} }, ErrMalformedCode},
		{6, func(c1, c2 string) []string { return []string{c1[:3], c1[3:], c2[:3]} }, ErrMalformedCode},
		{8, func(c1, c2 string) []string { return []string{c1[:4], c1[4:], c2[:4]} }, ErrMalformedCode},
		// Two groups are two codes: 8-digit codes as two halves of one are
		// not a pair.
		{8, func(c1, c2 string) []string { return []string{c1[:4], c1[4:]} }, ErrMalformedCode},
	} {
		v, clk := newTestVerifier(t, nil)
		en, err := v.Enroll("gus", EnrollOptions{Digits: tc.digits})
		if err != nil {
			t.Fatal(err)
		}
		c := en.Account.CodesAt(clk.Now())
		groups := tc.groups(c.Current, c.Next)
		err = v.BindCodes("gus", groups, Client{})
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%d digits, %q: got %v, want %v", tc.digits, groups, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), c.Current[:3]) || strings.Contains(err.Error(), c.Next[:3])) {
			t.Errorf("the error repeats a code: %v", err)
		}
	}
}

// Issue 13 item 2: unlock ends a lockout, is audited, and the lock shows
// its end and the failures that caused it.
func TestUnlock(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	a := enrollAndBind(t, v, clk, "lou")
	clk.Advance(time.Minute)
	var err error
	for i := 0; i < 5; i++ {
		code := wrongCode(a, clk.Now())
		if i == 4 {
			code = "12"
		}
		err = v.Login("lou", code, Client{})
	}
	var le *LockedError
	if !errors.As(err, &le) || len(le.Failures) != 5 || le.Failures[4].Reason != "malformed-code" || le.Failures[0].Reason != "wrong-code" {
		t.Fatalf("lock: %v %+v", err, le)
	}
	if Code(err) != "MFADevice.Locked" || Reason(err) != "malformed-code+locked" {
		t.Fatalf("code %s reason %s", Code(err), Reason(err))
	}
	st, _ := v.Status("lou")
	if !st[0].LockedUntil.Equal(clk.Now().Add(15*time.Minute)) || len(st[0].LockCause) != 5 {
		t.Fatalf("status %+v", st[0])
	}
	// A later attempt while locked carries the cause too.
	err = v.Login("lou", codeAt(a, clk.Now()), Client{})
	if !errors.As(err, &le) || len(le.Failures) != 5 {
		t.Fatalf("while locked: %v", err)
	}
	was, err := v.Unlock("lou", Client{Name: "admin-console", IP: "192.0.2.1"})
	if err != nil || !was {
		t.Fatalf("unlock: %v %v", was, err)
	}
	if err := v.Login("lou", codeAt(a, clk.Now()), Client{}); err != nil {
		t.Fatalf("login after unlock: %v", err)
	}
	st, _ = v.Status("lou")
	if !st[0].LockedUntil.IsZero() || st[0].LockCause != nil || st[0].RecentFails != 0 || st[0].State != StateBound {
		t.Fatalf("status after unlock %+v", st[0])
	}
	if was, err := v.Unlock("lou", Client{}); err != nil || was {
		t.Fatalf("unlock of an unlocked user: %v %v", was, err)
	}
	if _, err := v.Unlock("nobody", Client{}); !errors.Is(err, ErrUnknownUser) {
		t.Fatalf("unlock of an unknown user: %v", err)
	}
	evs, _ := v.Log(LogFilter{User: "lou"})
	var unlocks []Event
	for _, e := range evs {
		if e.Action == "unlock" {
			unlocks = append(unlocks, e)
		}
	}
	if len(unlocks) != 2 || unlocks[0].Client != "admin-console" || unlocks[0].IP != "192.0.2.1" || unlocks[0].Result != ResultSuccess {
		t.Fatalf("unlock events %+v", unlocks)
	}
}

// Issue 10 item 10: the audit log's client fields are validated before
// anything is recorded.
func TestAuditClientValidated(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	a := enrollAndBind(t, v, clk, "cli")
	clk.Advance(time.Minute)
	for _, c := range []Client{
		{Name: "console\x1b[2J"},
		{Name: "line\nbreak"},
		{Name: strings.Repeat("n", 65)},
		{IP: "192.0.2.1; rm -rf /"},
		{IP: "not an ip"},
		{IP: "\u202e1.2.3.4"},
	} {
		if err := v.Login("cli", codeAt(a, clk.Now()), c); !errors.Is(err, ErrBadClient) || Code(err) != "InvalidParameter.Client" {
			t.Errorf("%q: got %v", c, err)
		}
	}
	for _, c := range []Client{{}, {Name: "Example Console", IP: "2001:db8::1"}, {Name: "ci", IP: "198.51.100.7"}} {
		clk.Advance(30 * time.Second)
		if err := v.Login("cli", codeAt(a, clk.Now()), c); err != nil {
			t.Errorf("%q: %v", c, err)
		}
	}
	evs, _ := v.Log(LogFilter{User: "cli"})
	for _, e := range evs {
		if strings.ContainsAny(e.Client+e.IP, "\x1b\n;\u202e") {
			t.Fatalf("recorded %+v", e)
		}
	}
}

// Every reason has one stable code, and every denial maps to one.
func TestErrorCodes(t *testing.T) {
	seen := map[string]bool{}
	for _, rc := range Codes() {
		if rc[0] == "" || rc[1] == "" || seen[rc[1]] {
			t.Fatalf("reason %q code %q (duplicate or empty)", rc[0], rc[1])
		}
		seen[rc[1]] = true
	}
	for err, want := range map[error]string{
		ErrWrongCode:                      "CheckAuthenticationCodeFail",
		ErrDeviceBound:                    "EntityAlreadyExists.User.MFADevice",
		ErrNoDevice:                       "EntityNotExist.User.MFADevice",
		&LockedError{Cause: ErrWrongCode}: "MFADevice.Locked",
		pendingError{}:                    "MFADevice.PendingBinding",
		ErrHOTPReplay:                     "AuthenticationCode.AlreadyUsed",
		errors.New("disk full"):           "InternalError",
		nil:                               "",
	} {
		if got := Code(err); got != want {
			t.Errorf("Code(%v) = %q, want %q", err, got, want)
		}
	}
}

// HOTP binding diagnoses its pairs too.
func TestHOTPBindPairReasons(t *testing.T) {
	v, _ := newTestVerifier(t, nil)
	en, err := v.Enroll("hal", EnrollOptions{Type: vault.HOTP})
	if err != nil {
		t.Fatal(err)
	}
	a := &en.Account
	mustErr(t, v.Bind("hal", a.CodeAtStep(1), a.CodeAtStep(0), Client{}), ErrCodesOrder)
	mustErr(t, v.Bind("hal", a.CodeAtStep(0), a.CodeAtStep(0), Client{}), ErrCodesSameStep)
	mustErr(t, v.Bind("hal", a.CodeAtStep(0), a.CodeAtStep(3), Client{}), ErrCodesApart)
	if err := v.Bind("hal", a.CodeAtStep(0), a.CodeAtStep(1), Client{}); err != nil {
		t.Fatal(err)
	}
}
