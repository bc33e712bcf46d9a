package verifier

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// start is 10 s into a 30 s step, so ±1 step is unambiguous.
var start = time.Date(2026, 11, 22, 9, 0, 10, 0, time.UTC)

func newTestVerifier(t testing.TB, mod func(*Config)) (*Verifier, *clock) {
	t.Helper()
	return newTestVerifierStore(t, NewMemoryStore(), mod)
}

func newTestVerifierStore(t testing.TB, store Store, mod func(*Config)) (*Verifier, *clock) {
	t.Helper()
	clk := &clock{t: start}
	cfg := DefaultConfig()
	cfg.Now = clk.Now
	if mod != nil {
		mod(&cfg)
	}
	v, err := New(store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v, clk
}

// device is the phone side: codes of a vault.Account at a time.
func codeAt(a *vault.Account, t time.Time) string { return a.CodeAt(t) }

func enrollAndBind(t *testing.T, v *Verifier, clk *clock, user string) *vault.Account {
	t.Helper()
	en, err := v.Enroll(user, EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := en.Account
	c := a.CodesAt(clk.Now())
	if err := v.Bind(user, c.Current, c.Next, Client{}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	return &a
}

func mustErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

func TestEnrollIssues160BitSecret(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	en, err := v.Enroll("alice", EnrollOptions{Issuer: "Example"})
	if err != nil {
		t.Fatal(err)
	}
	a := en.Account
	if len(a.Secret) != 20 || a.Type != vault.TOTP || a.Digits != 6 || a.Period != 30 || a.Algorithm != vault.SHA1 {
		t.Fatalf("unexpected account %+v", a)
	}
	if a.Issuer != "Example" || a.Name != "alice" || en.ManualAccount() != "Example: alice" {
		t.Fatalf("label %q", en.ManualAccount())
	}
	key, err := vault.ParseSecret(en.ManualKey())
	if err != nil || string(key) != string(a.Secret) {
		t.Fatalf("manual key %q does not round-trip: %v", en.ManualKey(), err)
	}
	if !en.Expires.Equal(clk.Now().Add(10 * time.Minute)) {
		t.Fatalf("expires %v", en.Expires)
	}
	en2, err := v.Enroll("alice", EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if string(en2.Account.Secret) == string(a.Secret) {
		t.Fatal("re-enrollment reused the secret")
	}
	st, _ := v.Status("alice")
	if st[0].State != StatePending || st[0].Method != MethodTOTP {
		t.Fatalf("status %+v", st[0])
	}
}

func TestBindNeedsTwoConsecutiveCodes(t *testing.T) {
	tests := []struct {
		name   string
		codes  func(a *vault.Account, now time.Time) (string, string)
		want   error
		binded bool
	}{
		{"current and next", func(a *vault.Account, now time.Time) (string, string) {
			c := a.CodesAt(now)
			return c.Current, c.Next
		}, nil, true},
		{"previous and current", func(a *vault.Account, now time.Time) (string, string) {
			return a.CodeAt(now.Add(-30 * time.Second)), a.CodeAt(now)
		}, nil, true},
		{"same code twice", func(a *vault.Account, now time.Time) (string, string) {
			return a.CodeAt(now), a.CodeAt(now)
		}, ErrCodesSameStep, false},
		{"reversed order", func(a *vault.Account, now time.Time) (string, string) {
			c := a.CodesAt(now)
			return c.Next, c.Current
		}, ErrCodesOrder, false},
		{"outside the window", func(a *vault.Account, now time.Time) (string, string) {
			return a.CodeAt(now.Add(-90 * time.Second)), a.CodeAt(now.Add(-60 * time.Second))
		}, ErrCodesClock, false},
		{"next and the one after", func(a *vault.Account, now time.Time) (string, string) {
			return a.CodeAt(now.Add(30 * time.Second)), a.CodeAt(now.Add(60 * time.Second))
		}, ErrCodesClock, false},
		{"not consecutive", func(a *vault.Account, now time.Time) (string, string) {
			return a.CodeAt(now.Add(-30 * time.Second)), a.CodeAt(now.Add(30 * time.Second))
		}, ErrCodesApart, false},
		{"far apart", func(a *vault.Account, now time.Time) (string, string) {
			return a.CodeAt(now), a.CodeAt(now.Add(4 * time.Minute))
		}, ErrCodesApart, false},
		{"wrong first code", func(a *vault.Account, now time.Time) (string, string) {
			return wrongCode(a, now), a.CodeAt(now)
		}, ErrWrongCode, false},
		{"same wrong code twice", func(a *vault.Account, now time.Time) (string, string) {
			w := wrongCode(a, now)
			return w, w
		}, ErrWrongCode, false},
		{"letters", func(a *vault.Account, now time.Time) (string, string) {
			return "12a456", a.CodeAt(now)
		}, ErrMalformedCode, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, clk := newTestVerifier(t, nil)
			en, err := v.Enroll("bob", EnrollOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c1, c2 := tt.codes(&en.Account, clk.Now())
			err = v.Bind("bob", c1, c2, Client{})
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("bind: got %v, want %v", err, tt.want)
			}
			st, _ := v.Status("bob")
			if (st[0].State == StateBound) != tt.binded {
				t.Fatalf("state %s", st[0].State)
			}
		})
	}
}

func TestPendingEnrollmentExpires(t *testing.T) {
	v, clk := newTestVerifier(t, func(c *Config) { c.PendingTTL = 2 * time.Minute })
	en, err := v.Enroll("carol", EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	c := en.Account.CodesAt(clk.Now())
	mustErr(t, v.Bind("carol", c.Current, c.Next, Client{}), ErrEnrollmentExpired)
	mustErr(t, v.Bind("nobody", c.Current, c.Next, Client{}), ErrUnknownUser)
}

func TestLoginReplayThrottleUnbind(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	a := enrollAndBind(t, v, clk, "dave")

	// The codes spent on binding are not accepted again.
	mustErr(t, v.Login("dave", codeAt(a, clk.Now()), Client{}), ErrReplay)
	clk.Advance(60 * time.Second)
	code := codeAt(a, clk.Now())
	if err := v.Login("dave", code, Client{Name: "console", IP: "192.0.2.1"}); err != nil {
		t.Fatalf("login: %v", err)
	}
	mustErr(t, v.Login("dave", code, Client{}), ErrReplay)

	wrong := wrongCode(a, clk.Now())
	for i := 1; i <= 4; i++ {
		err := v.Login("dave", wrong, Client{})
		mustErr(t, err, ErrWrongCode)
		if errors.Is(err, ErrLocked) {
			t.Fatalf("locked after %d failures", i)
		}
	}
	err := v.Login("dave", wrong, Client{})
	mustErr(t, err, ErrLocked)
	mustErr(t, err, ErrWrongCode) // the fifth is wrong and locks
	// Locked: even the right code is refused with "locked until".
	clk.Advance(30 * time.Second)
	err = v.Login("dave", codeAt(a, clk.Now()), Client{})
	mustErr(t, err, ErrLocked)
	if errors.Is(err, ErrWrongCode) || !strings.HasPrefix(err.Error(), "locked until 2026-11-22T09:16:10Z") {
		t.Fatalf("locked user told %q", err)
	}
	// After the cooldown the right code works again.
	clk.Advance(15 * time.Minute)
	if err := v.Login("dave", codeAt(a, clk.Now()), Client{}); err != nil {
		t.Fatalf("login after lockout: %v", err)
	}

	// Unbind: the administrator's disable MFA.
	if err := v.Unbind("dave", Client{}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(30 * time.Second)
	mustErr(t, v.Login("dave", codeAt(a, clk.Now()), Client{}), ErrNoDevice)
	mustErr(t, v.Unbind("dave", Client{}), ErrNoDevice)

	evs, err := v.Log(LogFilter{User: "dave"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Action+":"+e.Result+":"+e.Reason)
	}
	want := []string{
		"bind:success:", "login:denied:replay", "login:success:", "login:denied:replay",
		"login:denied:wrong-code", "login:denied:wrong-code", "login:denied:wrong-code", "login:denied:wrong-code",
		"login:denied:wrong-code+locked", "login:denied:locked", "login:success:", "unbind:success:",
		"login:denied:no-device", "unbind:denied:no-device",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("audit\n got %v\nwant %v", got, want)
	}
	if evs[2].Client != "console" || evs[2].IP != "192.0.2.1" || evs[2].Method != MethodTOTP || evs[2].Verifier != "vmfa-verifier" {
		t.Fatalf("event %+v", evs[2])
	}
}

// wrongCode returns a well-formed code that matches no step near t.
func wrongCode(a *vault.Account, t time.Time) string {
	near := map[string]bool{}
	for d := -3; d <= 3; d++ {
		near[a.CodeAt(t.Add(time.Duration(d)*30*time.Second))] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555", "666666", "777777"} {
		if !near[c] {
			return c
		}
	}
	panic("no wrong code")
}

func TestFailuresOutsideWindowDoNotLock(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	a := enrollAndBind(t, v, clk, "erin")
	for i := 0; i < 8; i++ {
		clk.Advance(2 * time.Minute) // 8 failures, never 5 within 5 minutes
		err := v.Login("erin", wrongCode(a, clk.Now()), Client{})
		mustErr(t, err, ErrWrongCode)
		if errors.Is(err, ErrLocked) {
			t.Fatalf("locked at failure %d", i+1)
		}
	}
	// A success clears the count.
	if err := v.Login("erin", codeAt(a, clk.Now()), Client{}); err != nil {
		t.Fatal(err)
	}
	st, _ := v.Status("erin")
	if st[0].RecentFails != 0 {
		t.Fatalf("recent failures %d after success", st[0].RecentFails)
	}
}

func TestSkewWindowAndDrift(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	a := enrollAndBind(t, v, clk, "fred")
	clk.Advance(5 * time.Minute)
	// The device runs 30 s behind: the previous step's code is accepted
	// and the drift remembered.
	if err := v.Login("fred", codeAt(a, clk.Now().Add(-30*time.Second)), Client{}); err != nil {
		t.Fatal(err)
	}
	st, _ := v.Status("fred")
	if st[0].Drift != -1 {
		t.Fatalf("drift %d, want -1", st[0].Drift)
	}
	// Now centred on -1, the device may fall a further step behind; the
	// drift stays within the skew window around real time.
	clk.Advance(5 * time.Minute)
	if err := v.Login("fred", codeAt(a, clk.Now().Add(-60*time.Second)), Client{}); err != nil {
		t.Fatalf("drifted code: %v", err)
	}
	st, _ = v.Status("fred")
	if st[0].Drift != -1 {
		t.Fatalf("drift %d, want -1 (clamped to the skew)", st[0].Drift)
	}
	// Two steps ahead of the centre is outside ±1.
	clk.Advance(5 * time.Minute)
	mustErr(t, v.Login("fred", codeAt(a, clk.Now().Add(30*time.Second)), Client{}), ErrWrongCode)
}

// Codes from the future cannot walk the window away from real time: after
// a run of logins each a step further ahead (6 minutes in the end), the
// device's real code is still accepted (issue 10, item 7).
func TestDriftClampedToSkew(t *testing.T) {
	for _, skew := range []int{1, 2} {
		v, clk := newTestVerifier(t, func(c *Config) { c.Skew = skew })
		a := enrollAndBind(t, v, clk, "walker")
		ahead := 0
		for i := 0; i < 12; i++ {
			clk.Advance(30 * time.Second)
			st, _ := v.Status("walker")
			off := st[0].Drift + skew // the furthest step the window takes
			err := v.Login("walker", codeAt(a, clk.Now().Add(time.Duration(off)*30*time.Second)), Client{})
			if err != nil {
				break
			}
			ahead = off
		}
		if ahead > 2*skew {
			t.Fatalf("skew %d: a code %d steps ahead was accepted", skew, ahead)
		}
		st, _ := v.Status("walker")
		if st[0].Drift > skew {
			t.Fatalf("skew %d: drift %d", skew, st[0].Drift)
		}
		clk.Advance(5 * time.Minute)
		if err := v.Login("walker", codeAt(a, clk.Now()), Client{}); err != nil {
			t.Fatalf("skew %d: the real code after a walk into the future: %v", skew, err)
		}
	}
}

// A drift stored by an older vmfa (or under a wider skew) is clamped when
// read: the real code is accepted.
func TestStoredDriftClamped(t *testing.T) {
	store := NewMemoryStore()
	v, clk := newTestVerifierStore(t, store, nil)
	a := enrollAndBind(t, v, clk, "old")
	store.Update(func(st *State) error { st.Users["old"].Drift = 12; return nil })
	clk.Advance(time.Minute)
	if err := v.Login("old", codeAt(a, clk.Now()), Client{}); err != nil {
		t.Fatalf("real code with a stored drift of 12: %v", err)
	}
}

func TestNoSkew(t *testing.T) {
	v, clk := newTestVerifier(t, func(c *Config) { c.Skew = 0 })
	a := enrollAndBind(t, v, clk, "gina") // binding still spans two steps
	clk.Advance(5 * time.Minute)
	mustErr(t, v.Login("gina", codeAt(a, clk.Now().Add(-30*time.Second)), Client{}), ErrWrongCode)
	if err := v.Login("gina", codeAt(a, clk.Now()), Client{}); err != nil {
		t.Fatal(err)
	}
}

func TestOneDevicePolicy(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	enrollAndBind(t, v, clk, "hank")
	_, err := v.Enroll("hank", EnrollOptions{})
	mustErr(t, err, ErrDeviceBound)
	if !strings.Contains(err.Error(), "unbind the current device first") {
		t.Fatalf("message %q", err)
	}
	_, err = v.BeginRegistration("hank", RegisterOptions{})
	mustErr(t, err, ErrDeviceBound)
	if _, err := v.ImportTokens([]vault.Account{tokenAccount("T1", 60)}); err != nil {
		t.Fatal(err)
	}
	mustErr(t, v.AssignToken("T1", "hank", Client{}), ErrDeviceBound)
	if err := v.Unbind("hank", Client{}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.BeginRegistration("hank", RegisterOptions{}); err != nil {
		t.Fatalf("after unbind: %v", err)
	}
}

func tokenAccount(serial string, period int) vault.Account {
	secret := []byte("12345678901234567890")
	return vault.Account{Type: vault.TOTP, Issuer: "Token", Name: serial, Serial: serial, Secret: secret,
		Algorithm: vault.SHA1, Digits: 6, Period: period}
}

func TestOATHTokenUsesItsOwnPeriod(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	res, err := v.ImportTokens([]vault.Account{tokenAccount("SN1", 60), tokenAccount("SN2", 30)})
	if err != nil || len(res.Added) != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	res, err = v.ImportTokens([]vault.Account{tokenAccount("SN1", 60)})
	if err != nil || len(res.Skipped) != 1 || len(res.Added) != 0 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	_, err = v.ImportTokens([]vault.Account{{Secret: []byte("12345678901234567890")}})
	mustErr(t, err, ErrNoSerial)

	mustErr(t, v.AssignToken("NOPE", "ivan", Client{}), ErrUnknownToken)
	if err := v.AssignToken("SN1", "ivan", Client{}); err != nil {
		t.Fatal(err)
	}
	mustErr(t, v.AssignToken("SN1", "judy", Client{}), ErrTokenAssigned)

	tok := tokenAccount("SN1", 60)
	if err := tok.Normalize(clk.Now()); err != nil {
		t.Fatal(err)
	}
	// The token counts 60 s steps; codes computed with 30 s steps are
	// wrong for it.
	if err := v.Login("ivan", tok.CodeAt(clk.Now()), Client{}); err != nil {
		t.Fatalf("token login: %v", err)
	}
	thirty := tokenAccount("SN1", 30)
	thirty.Normalize(clk.Now())
	clk.Advance(2 * time.Minute)
	if c30, c60 := thirty.CodeAt(clk.Now()), tok.CodeAt(clk.Now()); c30 != c60 {
		mustErr(t, v.Login("ivan", c30, Client{}), ErrWrongCode)
	}
	if err := v.Login("ivan", tok.CodeAt(clk.Now()), Client{}); err != nil {
		t.Fatalf("token login: %v", err)
	}
	evs, _ := v.Log(LogFilter{User: "ivan", Result: ResultSuccess})
	if len(evs) != 3 || evs[1].Method != MethodOATHToken {
		t.Fatalf("events %+v", evs)
	}
	// Unbinding releases the token for someone else, who cannot replay
	// the last code.
	if err := v.Unbind("ivan", Client{}); err != nil {
		t.Fatal(err)
	}
	if err := v.AssignToken("SN1", "judy", Client{}); err != nil {
		t.Fatal(err)
	}
	mustErr(t, v.Login("judy", tok.CodeAt(clk.Now()), Client{}), ErrReplay)
	toks, _ := v.Tokens()
	if len(toks) != 2 || toks[0].AssignedTo != "judy" || toks[0].Period != 60 {
		t.Fatalf("tokens %+v", toks)
	}
}

func TestHOTPLookAheadAndResync(t *testing.T) {
	v, _ := newTestVerifier(t, func(c *Config) { c.HOTPLookAhead = 3 })
	en, err := v.Enroll("kate", EnrollOptions{Type: vault.HOTP})
	if err != nil {
		t.Fatal(err)
	}
	a := en.Account
	// Codes beyond the look-ahead window do not bind.
	mustErr(t, v.Bind("kate", a.CodeAtStep(4), a.CodeAtStep(5), Client{}), ErrWrongCode)
	// The device pressed twice before binding: counters 2 and 3.
	if err := v.Bind("kate", a.CodeAtStep(2), a.CodeAtStep(3), Client{}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	// Counter now 4; a code at 6 is within the look-ahead of 3.
	if err := v.Login("kate", a.CodeAtStep(6), Client{}); err != nil {
		t.Fatalf("look-ahead login: %v", err)
	}
	// Counter 7: a code already used (6) is refused as a replay.
	mustErr(t, v.Login("kate", a.CodeAtStep(6), Client{}), ErrReplay)
	// Far ahead (50) is outside the look-ahead...
	mustErr(t, v.Login("kate", a.CodeAtStep(50), Client{}), ErrWrongCode)
	// ...until resynchronised with two consecutive codes.
	mustErr(t, v.ResyncHOTP("kate", a.CodeAtStep(50), a.CodeAtStep(52), Client{}), ErrCodesApart)
	mustErr(t, v.ResyncHOTP("kate", a.CodeAtStep(51), a.CodeAtStep(50), Client{}), ErrCodesOrder)
	if err := v.ResyncHOTP("kate", a.CodeAtStep(50), a.CodeAtStep(51), Client{}); err != nil {
		t.Fatalf("resync: %v", err)
	}
	if err := v.Login("kate", a.CodeAtStep(52), Client{}); err != nil {
		t.Fatalf("login after resync: %v", err)
	}
	evs, _ := v.Log(LogFilter{User: "kate", Method: MethodHOTP})
	if len(evs) != 9 {
		t.Fatalf("%d hotp events", len(evs))
	}
}

func TestResyncRefusedForTOTP(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	a := enrollAndBind(t, v, clk, "liam")
	mustErr(t, v.ResyncHOTP("liam", codeAt(a, clk.Now()), codeAt(a, clk.Now()), Client{}), ErrNotHOTP)
}

func TestBadUserNames(t *testing.T) {
	v, _ := newTestVerifier(t, nil)
	for _, u := range []string{"", "a\x00b", strings.Repeat("x", 129)} {
		_, err := v.Enroll(u, EnrollOptions{})
		mustErr(t, err, ErrBadUser)
		mustErr(t, v.Login(u, "123456", Client{}), ErrBadUser)
	}
}

func TestReasonNames(t *testing.T) {
	for _, r := range reasons {
		if got := Reason(r.err); got != r.reason {
			t.Errorf("Reason(%v) = %q, want %q", r.err, got, r.reason)
		}
	}
	if Reason(nil) != "" || Reason(errors.New("x")) != "error" {
		t.Fatal("nil or foreign error")
	}
}

func TestImportTokenFiles(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	for _, f := range []string{"testdata/tokens.csv", "testdata/tokens.pskc"} {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := v.ImportTokenFile(fh, scanner.PSKCKey{})
		fh.Close()
		if err != nil || len(res.Added) != 2 {
			t.Fatalf("%s: %+v %v", f, res, err)
		}
	}
	toks, _ := v.Tokens()
	var got []string
	for _, tk := range toks {
		got = append(got, fmt.Sprintf("%s/%s/%d/%s", tk.Serial, tk.Type, tk.Period, tk.Owner))
	}
	if want := "HOTP-7/hotp/0/ TK-1001/totp/60/helga@contoso.com TK-1002/totp/30/raj@contoso.com TOTP-60/totp/60/"; strings.Join(got, " ") != want {
		t.Fatalf("inventory %v, want %s", got, want)
	}

	// The 60 s CSV token, verified at its own period.
	secret, _ := vault.ParseSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	if err := v.AssignToken("TK-1001", "helga", Client{}); err != nil {
		t.Fatal(err)
	}
	code := vault.HOTPCode(secret, vault.SHA1, 6, vault.Step(clk.Now(), 60))
	if err := v.Login("helga", code, Client{}); err != nil {
		t.Fatalf("csv token: %v", err)
	}

	// The PSKC HOTP token starts at counter 5.
	if err := v.AssignToken("HOTP-7", "raj", Client{}); err != nil {
		t.Fatal(err)
	}
	key := []byte("12345678901234567890")
	mustErr(t, v.Login("raj", vault.HOTPCode(key, vault.SHA1, 6, 4), Client{}), ErrReplay)
	if err := v.Login("raj", vault.HOTPCode(key, vault.SHA1, 6, 5), Client{}); err != nil {
		t.Fatalf("pskc hotp token: %v", err)
	}
	// Unbinding hands the counter back to the inventory: the next holder
	// cannot replay counter 5.
	v.Unbind("raj", Client{})
	v.AssignToken("HOTP-7", "sue", Client{})
	mustErr(t, v.Login("sue", vault.HOTPCode(key, vault.SHA1, 6, 5), Client{}), ErrReplay)
	if err := v.Login("sue", vault.HOTPCode(key, vault.SHA1, 6, 6), Client{}); err != nil {
		t.Fatal(err)
	}

	_, err := v.ImportTokenFile(strings.NewReader("serial,secret\nX,notbase32!\n"), scanner.PSKCKey{})
	if err == nil {
		t.Fatal("bad csv accepted")
	}
}

func TestBindWindowFollowsSkew(t *testing.T) {
	v, clk := newTestVerifier(t, func(c *Config) { c.Skew = 2 })
	en, _ := v.Enroll("ned", EnrollOptions{})
	a := en.Account
	// A device two steps ahead still binds with a skew of 2.
	if err := v.Bind("ned", a.CodeAt(clk.Now().Add(30*time.Second)), a.CodeAt(clk.Now().Add(60*time.Second)), Client{}); err != nil {
		t.Fatal(err)
	}
}

// An HOTP code behind the counter is a replay, as for TOTP: refused with
// ErrReplay and not counted toward the lockout, for a virtual HOTP device
// and for a hardware HOTP token alike.
func TestHOTPReplayIsNotAGuess(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, v *Verifier) *vault.Account // binds "hal", returns the device
	}{
		{"virtual hotp", func(t *testing.T, v *Verifier) *vault.Account {
			en, err := v.Enroll("hal", EnrollOptions{Type: vault.HOTP})
			if err != nil {
				t.Fatal(err)
			}
			a := en.Account
			if err := v.Bind("hal", a.CodeAtStep(0), a.CodeAtStep(1), Client{}); err != nil {
				t.Fatal(err)
			}
			return &a
		}},
		{"hotp token", func(t *testing.T, v *Verifier) *vault.Account {
			a := tokenAccount("H-1", 0)
			a.Type, a.Period = vault.HOTP, 0
			if _, err := v.ImportTokens([]vault.Account{a}); err != nil {
				t.Fatal(err)
			}
			if err := v.AssignToken("H-1", "hal", Client{}); err != nil {
				t.Fatal(err)
			}
			for c := uint64(0); c < 2; c++ {
				if err := v.Login("hal", a.CodeAtStep(c), Client{}); err != nil {
					t.Fatal(err)
				}
			}
			return &a
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := newTestVerifier(t, nil) // 5 failures lock
			a := tt.setup(t, v)
			// Counters 0 and 1 are spent: replaying them, more often than
			// the lockout allows guesses, is refused but never locks.
			for i := range 8 {
				err := v.Login("hal", a.CodeAtStep(uint64(i%2)), Client{})
				mustErr(t, err, ErrReplay)
				if errors.Is(err, ErrLocked) || errors.Is(err, ErrWrongCode) {
					t.Fatalf("replay %d: %v", i+1, err)
				}
				if err.Error() != "code already used (generate the next code on the device)" {
					t.Fatalf("replay message %q", err)
				}
			}
			if err := v.Login("hal", a.CodeAtStep(2), Client{}); err != nil {
				t.Fatalf("next code after replays: %v", err)
			}
			evs, _ := v.Log(LogFilter{User: "hal", Result: ResultDenied})
			if len(evs) != 8 || evs[0].Reason != "replay" {
				t.Fatalf("audit: %d denials, first %+v", len(evs), evs[0])
			}
			st, _ := v.Status("hal")
			if st[0].RecentFails != 0 {
				t.Fatalf("replays counted as %d failures", st[0].RecentFails)
			}
		})
	}
}

// A pending enrollment is its own state: logging in says to bind it, a
// token is not assigned over it, and Status marks it expired in time.
func TestPendingEnrollmentRules(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	if _, err := v.ImportTokens([]vault.Account{tokenAccount("T-1", 30)}); err != nil {
		t.Fatal(err)
	}
	en, err := v.Enroll("pam", EnrollOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = v.Login("pam", codeAt(&en.Account, clk.Now()), Client{})
	if !errors.Is(err, ErrPending) || err.Error() != "enrollment pending: bind it with two consecutive codes first" {
		t.Fatalf("login while pending: %v", err)
	}
	err = v.AssignToken("T-1", "pam", Client{})
	if !errors.Is(err, ErrPending) || !strings.Contains(err.Error(), "unbind it first") {
		t.Fatalf("assign while pending: %v", err)
	}
	_, err = v.BeginRegistration("pam", RegisterOptions{})
	if !errors.Is(err, ErrPending) || !strings.Contains(err.Error(), "unbind it first") {
		t.Fatalf("security key while pending: %v", err)
	}
	// Nothing was dropped: the enrollment still binds, the token is free.
	if toks, _ := v.Tokens(); toks[0].AssignedTo != "" {
		t.Fatalf("token assigned: %+v", toks[0])
	}
	st, _ := v.Status("pam")
	if st[0].State != StatePending || st[0].Expired {
		t.Fatalf("status while pending: %+v", st[0])
	}
	clk.Advance(v.Config().PendingTTL)
	st, _ = v.Status("pam")
	if st[0].State != StatePending || !st[0].Expired || !st[0].PendingUntil.Equal(start.Add(v.Config().PendingTTL)) {
		t.Fatalf("status after expiry: %+v", st[0])
	}
	mustErr(t, v.Login("pam", codeAt(&en.Account, clk.Now()), Client{}), ErrEnrollmentExpired)
	evs, _ := v.Log(LogFilter{User: "pam"})
	if len(evs) != 3 || evs[0].Reason != "enrollment-pending" || evs[1].Reason != "enrollment-pending" || evs[2].Reason != "enrollment-expired" {
		t.Fatalf("audit %+v", evs)
	}
	// An expired enrollment is dead: a token is assigned over it.
	if err := v.AssignToken("T-1", "pam", Client{}); err != nil {
		t.Fatalf("assign over an expired enrollment: %v", err)
	}
	// Unbinding drops a pending enrollment; then the token can be assigned.
	if _, err := v.Enroll("quinn", EnrollOptions{}); err != nil {
		t.Fatal(err)
	}
	v.Unbind("pam", Client{})
	mustErr(t, v.AssignToken("T-1", "quinn", Client{}), ErrPending)
	if err := v.Unbind("quinn", Client{}); err != nil {
		t.Fatal(err)
	}
	if err := v.AssignToken("T-1", "quinn", Client{}); err != nil {
		t.Fatalf("assign after unbind: %v", err)
	}
}

func TestEnrollRefusesWhatItDoesNotIssue(t *testing.T) {
	v, _ := newTestVerifier(t, nil)
	tests := []struct {
		opts EnrollOptions
		want error
		msg  string
	}{
		{EnrollOptions{Type: vault.Steam}, ErrEnrollType, `the verifier issues totp or hotp devices only, not "steam"`},
		{EnrollOptions{Type: "motp"}, ErrEnrollType, `not "motp"`},
		{EnrollOptions{Period: -30}, vault.ErrPeriod, "(got -30)"},
		{EnrollOptions{Digits: 12}, vault.ErrDigits, ""},
	}
	for _, tt := range tests {
		_, err := v.Enroll("ed", tt.opts)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%+v: %v, want %v with %q", tt.opts, err, tt.want, tt.msg)
		}
	}
	if st, _ := v.Status("ed"); st[0].State != StateNone {
		t.Fatalf("a refused enrollment left %+v", st[0])
	}
}

func TestLogFilterCheck(t *testing.T) {
	v, _ := newTestVerifier(t, nil)
	v.Login("x", "123456", Client{})
	tests := []struct {
		f    LogFilter
		want string // "" for accepted
	}{
		{LogFilter{}, ""},
		{LogFilter{Method: MethodHOTP, Result: ResultDenied}, ""},
		{LogFilter{Method: "bogus"}, `bad audit log filter: unknown method "bogus" (want totp, hotp, oath-token, security-key)`},
		{LogFilter{Result: "bogus"}, `bad audit log filter: unknown result "bogus" (want success or denied)`},
	}
	for _, tt := range tests {
		_, err := v.Log(tt.f)
		var buf strings.Builder
		err2 := v.ExportLog(&buf, tt.f)
		switch {
		case tt.want == "" && (err != nil || err2 != nil):
			t.Errorf("%+v: %v / %v", tt.f, err, err2)
		case tt.want != "" && (!errors.Is(err, ErrLogFilter) || err.Error() != tt.want || !errors.Is(err2, ErrLogFilter) || buf.Len() != 0):
			t.Errorf("%+v: %v / %v, want %q", tt.f, err, err2, tt.want)
		}
	}
}

// TestImportTokenFileUnsupportedKeys: a PSKC key of an algorithm vmfa does
// not implement is left out and named; the file's other keys are added.
func TestImportTokenFileUnsupportedKeys(t *testing.T) {
	v, _ := newTestVerifier(t, nil)
	data, err := os.ReadFile("testdata/tokens.pskc")
	if err != nil {
		t.Fatal(err)
	}
	mixed := strings.Replace(string(data), "urn:ietf:params:xml:ns:keyprov:pskc:hotp", "urn:ietf:params:xml:ns:keyprov:pskc:ocra", 1)
	if mixed == string(data) {
		t.Fatal("sample has no hotp key")
	}
	res, err := v.ImportTokenFile(strings.NewReader(mixed), scanner.PSKCKey{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 1 || len(res.Unsupported) != 1 || !strings.Contains(res.Unsupported[0], "ocra (challenge-response) keys are not supported") {
		t.Errorf("mixed file: %+v", res)
	}
}
