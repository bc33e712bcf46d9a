package verifier

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/webauthn"
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// SecretBytes is the size of the secrets Enroll issues: 160 bits, the
// HMAC-SHA1 output size RFC 4226 recommends.
const SecretBytes = 20

// EnrollOptions shape the virtual MFA device Enroll issues. Zero fields
// take the usual values: the verifier's issuer, TOTP, SHA1, 6 digits, 30 s.
type EnrollOptions struct {
	Issuer    string
	Type      vault.Type
	Algorithm vault.Algorithm
	Digits    int
	Period    int
}

// Enrollment is a freshly issued secret, to be handed to the user as an
// otpauth:// URI (or a QR code of it) or for manual entry as the pair
// account and key. It is the only time the secret leaves the verifier.
type Enrollment struct {
	User    string
	Account vault.Account // the device side's account: issuer, name, secret, parameters
	Expires time.Time     // bind before this
	// SerialNumber names the virtual MFA device, as a console's
	// CreateVirtualMFADevice returns it ("vmfa:<verifier>:mfa/<user>").
	SerialNumber string
}

// Base32Seed is the secret in Base32 without padding or spaces (a
// console's Base32StringSeed).
func (e *Enrollment) Base32Seed() string { return vault.EncodeSecret(e.Account.Secret) }

// URI is the otpauth:// Key URI of the enrollment (what the QR code holds).
func (e *Enrollment) URI() string { return scanner.AccountURI(e.Account) }

// QRPNG returns a PNG of the URI as a QR code about size pixels wide.
func (e *Enrollment) QRPNG(size int) ([]byte, error) { return scanner.QRPNG(e.URI(), size) }

// QRText draws the URI as a QR code for a terminal (half blocks, black on
// white whatever the terminal's theme).
func (e *Enrollment) QRText() (string, error) { return scanner.QRHalfBlocks(e.URI()) }

// ManualAccount is the account name shown for manual entry.
func (e *Enrollment) ManualAccount() string { return e.Account.Label() }

// ManualKey is the secret for manual entry: Base32, in groups of four.
func (e *Enrollment) ManualKey() string {
	k := vault.EncodeSecret(e.Account.Secret)
	var b strings.Builder
	for i := 0; i < len(k); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k[i:min(i+4, len(k))])
	}
	return b.String()
}

// Enroll issues a fresh 160-bit secret (from Config.Rand) for a virtual MFA
// device and puts the user in StatePending until Bind or expiry. A user
// with a bound device is refused with ErrDeviceBound; a pending enrollment
// is replaced.
func (v *Verifier) Enroll(user string, opts EnrollOptions) (*Enrollment, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	now := v.cfg.Now()
	secret := make([]byte, SecretBytes)
	if _, err := io.ReadFull(v.cfg.Rand, secret); err != nil {
		return nil, fmt.Errorf("generate secret: %w", err)
	}
	a := vault.Account{
		Type:      opts.Type,
		Issuer:    opts.Issuer,
		Name:      user,
		Secret:    secret,
		Algorithm: opts.Algorithm,
		Digits:    opts.Digits,
		Period:    opts.Period,
	}
	if a.Issuer == "" {
		a.Issuer = v.cfg.Issuer
	}
	if a.Type != "" && a.Type != vault.TOTP && a.Type != vault.HOTP {
		return nil, fmt.Errorf("%w, not %q", ErrEnrollType, webauthn.Clip(string(a.Type)))
	}
	if a.Type != vault.HOTP && a.Period < 0 {
		return nil, fmt.Errorf("%w (got %d)", vault.ErrPeriod, a.Period)
	}
	if err := a.Normalize(now); err != nil {
		return nil, err
	}
	en := &Enrollment{User: user, Account: a.Clone(), Expires: now.Add(v.cfg.PendingTTL).UTC(),
		SerialNumber: "vmfa:" + v.cfg.Name + ":mfa/" + user}
	var denial error
	err := v.store.Update(func(st *State) error {
		u, err := unboundUser(st, user)
		if err != nil {
			denial = err
			return nil
		}
		resetDevice(st, u)
		u.State = StatePending
		u.Method = MethodTOTP
		if a.Type == vault.HOTP {
			u.Method = MethodHOTP
		}
		acct := a.Clone()
		u.OTP = &acct
		u.PendingUntil = en.Expires
		u.DeviceSerial = en.SerialNumber
		return nil
	})
	if err != nil {
		return nil, err
	}
	if denial != nil {
		return nil, denial
	}
	return en, nil
}

// normalizeCode strips the spaces people type and checks the shape of a
// code for account a.
func normalizeCode(a *vault.Account, code string) (string, error) {
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code)
	if a.Type == vault.Steam {
		if len(code) != 5 {
			return "", ErrMalformedCode
		}
		return strings.ToUpper(code), nil
	}
	if len(code) != a.Digits {
		return "", ErrMalformedCode
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", ErrMalformedCode
		}
	}
	return code, nil
}

// offsets lists the steps to try around centre, nearest first:
// c, c-1, c+1, c-2, c+2, …
func offsets(centre, skew int, buf []int) []int {
	buf = append(buf[:0], centre)
	for d := 1; d <= skew; d++ {
		buf = append(buf, centre-d, centre+d)
	}
	return buf
}

func addStep(step uint64, off int) (uint64, bool) {
	if off < 0 && uint64(-off) > step {
		return 0, false
	}
	return step + uint64(int64(off)), true
}

// Bind completes an enrollment with two consecutive codes: the codes of
// steps T and T+1 (TOTP), both inside the skew window around now (at least
// ±1 step, so current+next and previous+current both bind), or of counters
// c and c+1 within the look-ahead window (HOTP). Both codes are then spent:
// neither is accepted again. Codes that are each right but not a pair are
// told apart: ErrCodesOrder, ErrCodesSameStep, ErrCodesApart,
// ErrCodesClock (all counted as failed attempts).
func (v *Verifier) Bind(user, code1, code2 string, from Client) error {
	return v.BindCodes(user, []string{code1, code2}, from)
}

// BindCodes is Bind with the two codes as typed: two codes, or the groups
// vmfa and authenticator apps display ("756 935 787 331", "1234 5678 8765
// 4321"), which are joined into two codes of the device's digit count.
func (v *Verifier) BindCodes(user string, codes []string, from Client) error {
	return v.audited(user, "bind", from, func(st *State, now time.Time) (Method, error) {
		u := st.Users[user]
		m := userMethod(u)
		return m, v.bind(u, codes, now)
	})
}

func (v *Verifier) bind(u *User, codes []string, now time.Time) error {
	switch {
	case u == nil:
		return ErrUnknownUser
	case u.State == StateBound:
		return ErrDeviceBound
	case u.State != StatePending || u.OTP == nil:
		return ErrNotPending
	}
	if err := v.locked(u, now); err != nil {
		return err
	}
	if !now.Before(u.PendingUntil) {
		return ErrEnrollmentExpired
	}
	a := u.OTP
	c1, c2, err := codePair(a, codes)
	if err != nil {
		return v.fail(u, now, err)
	}
	if a.Type == vault.HOTP {
		if !matchHOTPPair(a, c1, c2, v.cfg.HOTPLookAhead) {
			return v.fail(u, now, pairError(a, c1, c2, a.Counter, uint64(v.cfg.HOTPLookAhead)+2, 0, 0))
		}
		u.State, u.BoundAt, u.PendingUntil = StateBound, now.UTC(), time.Time{}
		v.succeed(u)
		return nil
	}
	// Both steps T and T+1 must lie in the window [n-w, n+w]; since two
	// consecutive codes span two steps, w is at least 1 even when Skew is
	// 0 (current+next or previous+current).
	n := vault.Step(now, a.Period)
	w := max(v.cfg.Skew, 1)
	for off := -w; off < w; off++ {
		t, ok := addStep(n, off)
		if !ok {
			continue
		}
		if vault.EqualCodes(a.CodeAtStep(t), c1) && vault.EqualCodes(a.CodeAtStep(t+1), c2) {
			u.State, u.BoundAt, u.PendingUntil = StateBound, now.UTC(), time.Time{}
			u.LastStep, u.StepsUsed, u.Drift = t+1, true, 0
			u.Used = noteUse(noteUse(u.Used, t, "bind", now), t+1, "bind", now)
			v.succeed(u)
			return nil
		}
	}
	// Tell the tester what is wrong with codes that are each right:
	// look for them some minutes either side.
	from, _ := addStep(n, -(w + diagnoseSteps))
	if n < uint64(w+diagnoseSteps) {
		from = 0
	}
	return v.fail(u, now, pairError(a, c1, c2, from, n+uint64(w+diagnoseSteps)-from+1, n, w))
}

// diagnoseSteps is how many steps past the binding window Bind looks for
// codes that are right but not a usable pair, to say why.
const diagnoseSteps = 10

// pairError explains a failed pair: c1 and c2 are looked for among count
// steps (or counters) from first. n and w are the binding window of a TOTP
// device (w 0 for HOTP, whose window is the whole search).
func pairError(a *vault.Account, c1, c2 string, first, count, n uint64, w int) error {
	s1, ok1 := findStep(a, c1, first, count)
	s2, ok2 := findStep(a, c2, first, count)
	if !ok1 || !ok2 {
		return ErrWrongCode
	}
	switch {
	case s1 == s2:
		return ErrCodesSameStep
	case s2+1 == s1:
		return ErrCodesOrder
	case s1+1 != s2:
		d := int64(s2) - int64(s1)
		return fmt.Errorf("%w: they are %d codes apart (enter two codes in a row)", ErrCodesApart, d)
	}
	if w == 0 {
		return ErrWrongCode
	}
	steps := int64(s1) - int64(n)
	dir := "behind"
	if steps > 0 {
		dir = "ahead of"
	} else {
		steps = -steps
	}
	return fmt.Errorf("%w (%d steps %s it; the window is ±%d)", ErrCodesClock, steps, dir, w)
}

// findStep returns the step (or counter) among count from first whose
// code is c.
func findStep(a *vault.Account, c string, first, count uint64) (uint64, bool) {
	for k := uint64(0); k < count; k++ {
		if vault.EqualCodes(a.CodeAtStep(first+k), c) {
			return first + k, true
		}
	}
	return 0, false
}

// drift is the user's stored drift clamped to ±Skew: a state written
// before the clamp, or under a wider skew, cannot move the window away
// from real time.
func (v *Verifier) drift(u *User) int {
	return min(max(u.Drift, -v.cfg.Skew), v.cfg.Skew)
}

// Login verifies one code from the user's bound TOTP/HOTP device or OATH
// token: locked users are refused without looking at the code; a code is
// compared in constant time with those of the steps in the skew window
// (centred on the user's last drift) or the HOTP look-ahead; a time step
// accepted once is never accepted again (RFC 6238 §5.2); failures are
// throttled. Every attempt is audited.
func (v *Verifier) Login(user, code string, from Client) error {
	return v.audited(user, "login", from, func(st *State, now time.Time) (Method, error) {
		u := st.Users[user]
		m := userMethod(u)
		return m, v.login(st, u, code, now)
	})
}

func (v *Verifier) otpAccount(u *User, now time.Time) (*vault.Account, error) {
	switch {
	case u == nil:
		return nil, ErrUnknownUser
	case u.State == StatePending && !now.Before(u.PendingUntil):
		return nil, ErrEnrollmentExpired
	case u.State == StatePending:
		return nil, ErrPending
	case u.State != StateBound:
		return nil, ErrNoDevice
	case u.Method == MethodSecurityKey || u.OTP == nil:
		return nil, ErrWrongMethod
	}
	return u.OTP, nil
}

func (v *Verifier) login(st *State, u *User, code string, now time.Time) error {
	a, err := v.otpAccount(u, now)
	if err != nil {
		return err
	}
	if err := v.locked(u, now); err != nil {
		return err
	}
	c, err := normalizeCode(a, code)
	if err != nil {
		return v.fail(u, now, err)
	}
	if a.Type == vault.HOTP {
		for k := uint64(0); k <= uint64(v.cfg.HOTPLookAhead); k++ {
			if vault.EqualCodes(a.CodeAtStep(a.Counter+k), c) {
				a.Counter += k + 1
				v.succeed(u)
				return nil
			}
		}
		if hotpReplayed(a, c, v.cfg.HOTPLookAhead+2) {
			// As for TOTP: the right code resubmitted is refused but
			// not counted as a guess.
			return ErrHOTPReplay
		}
		return v.fail(u, now, ErrWrongCode)
	}
	n := vault.Step(now, a.Period)
	var buf [64]int
	replay, replayed := false, uint64(0)
	for _, off := range offsets(v.drift(u), v.cfg.Skew, buf[:0]) {
		t, ok := addStep(n, off)
		if !ok {
			continue
		}
		if !vault.EqualCodes(a.CodeAtStep(t), c) {
			continue
		}
		if u.StepsUsed && t <= u.LastStep {
			if !replay {
				replay, replayed = true, t
			}
			continue // keep looking: another step may match too
		}
		// The drift is what the window is centred on next time: it
		// stays within ±Skew of real time, so that codes from the
		// future cannot walk the window away from the device's real
		// code (the accepted offset is at most drift+Skew).
		u.LastStep, u.StepsUsed, u.Drift = t, true, min(max(off, -v.cfg.Skew), v.cfg.Skew)
		u.Used = noteUse(u.Used, t, "login", now)
		v.succeed(u)
		return nil
	}
	if replay {
		// A replayed code is the right code resubmitted (or stolen); it
		// is refused but not counted as a guess.
		return replayError(u, a, replayed, now)
	}
	return v.fail(u, now, ErrWrongCode)
}

// replayError explains the replay of step t: what accepted it, and when
// the step after the last accepted one becomes the device's current code.
func replayError(u *User, a *vault.Account, t uint64, now time.Time) error {
	e := &ReplayError{Now: now}
	use := func(step uint64) bool {
		for i := len(u.Used) - 1; i >= 0; i-- {
			if u.Used[i].Step == step {
				e.By, e.At = u.Used[i].Action, u.Used[i].Time
				return true
			}
		}
		return false
	}
	if !use(t) && t < u.LastStep {
		// A step passed over: name what accepted the later one.
		e.Older = use(u.LastStep)
	}
	period := int64(a.Period)
	if period <= 0 {
		period = 30
	}
	// The device shows step s as its current code from s*period on its
	// own clock, which runs drift steps ahead of the verifier's.
	e.Next = time.Unix((int64(u.LastStep+1)-int64(u.Drift))*period, 0)
	return e
}

// hotpReplayed reports whether c is the code of one of the window counter
// values just behind a's counter: values already used (or skipped over by
// the look-ahead, which spends them too). The window covers a look-ahead's
// worth and the two codes of a binding.
func hotpReplayed(a *vault.Account, c string, window int) bool {
	for k := uint64(1); k <= uint64(window) && k <= a.Counter; k++ {
		if vault.EqualCodes(a.CodeAtStep(a.Counter-k), c) {
			return true
		}
	}
	return false
}

// ResyncHOTP resynchronises the counter of a user's HOTP device (virtual
// or token) from two consecutive codes found within HOTPResyncWindow.
func (v *Verifier) ResyncHOTP(user, code1, code2 string, from Client) error {
	return v.ResyncHOTPCodes(user, []string{code1, code2}, from)
}

// ResyncHOTPCodes is ResyncHOTP with the codes as typed (see BindCodes).
func (v *Verifier) ResyncHOTPCodes(user string, codes []string, from Client) error {
	return v.audited(user, "resync", from, func(st *State, now time.Time) (Method, error) {
		u := st.Users[user]
		m := userMethod(u)
		return m, v.resync(st, u, codes, now)
	})
}

func (v *Verifier) resync(st *State, u *User, codes []string, now time.Time) error {
	a, err := v.otpAccount(u, now)
	if err != nil {
		return err
	}
	if a.Type != vault.HOTP {
		return ErrNotHOTP
	}
	if err := v.locked(u, now); err != nil {
		return err
	}
	c1, c2, err := codePair(a, codes)
	if err != nil {
		return v.fail(u, now, err)
	}
	if !matchHOTPPair(a, c1, c2, v.cfg.HOTPResyncWindow) {
		return v.fail(u, now, pairError(a, c1, c2, a.Counter, uint64(v.cfg.HOTPResyncWindow)+2, 0, 0))
	}
	v.succeed(u)
	return nil
}

// codePair reads the two consecutive codes of a binding or a resync as
// typed: two codes, or the groups they are displayed in ("756 935 787
// 331"; "1234 5678 8765 4321" for 8 digits), which must split into two
// codes of a's length at a group boundary. Either code malformed is
// ErrMalformedCode; the message never repeats the codes.
func codePair(a *vault.Account, codes []string) (string, string, error) {
	var groups []string
	for _, c := range codes {
		groups = append(groups, strings.FieldsFunc(c, func(r rune) bool { return r == ' ' || r == '\t' || r == '-' })...)
	}
	want := a.Digits
	if a.Type == vault.Steam {
		want = 5
	}
	var c1, c2 string
	switch total := len(strings.Join(groups, "")); {
	case len(groups) == 2:
		c1, c2 = groups[0], groups[1]
	case len(groups) == 1 && total == 2*want:
		c1, c2 = groups[0][:want], groups[0][want:]
	case total == 2*want:
		n := 0
		for i, g := range groups {
			n += len(g)
			if n == want {
				c1, c2 = strings.Join(groups[:i+1], ""), strings.Join(groups[i+1:], "")
				break
			}
		}
		if c1 == "" {
			return "", "", fmt.Errorf("%w: the groups do not split into two codes of %d digits", ErrMalformedCode, want)
		}
	default:
		return "", "", fmt.Errorf("%w: want two codes of %d digits, got %d characters in %d groups", ErrMalformedCode, want, total, len(groups))
	}
	c1, err1 := normalizeCode(a, c1)
	c2, err2 := normalizeCode(a, c2)
	if err1 != nil || err2 != nil {
		return "", "", fmt.Errorf("%w: want two codes of %d digits", ErrMalformedCode, want)
	}
	return c1, c2, nil
}

// matchHOTPPair looks for a counter c within window past a's counter whose
// codes are c1 and c2 for c and c+1, and on a match moves the counter past
// both, so that neither is accepted again.
func matchHOTPPair(a *vault.Account, c1, c2 string, window int) bool {
	for k := uint64(0); k <= uint64(window); k++ {
		c := a.Counter + k
		if vault.EqualCodes(a.CodeAtStep(c), c1) && vault.EqualCodes(a.CodeAtStep(c+1), c2) {
			a.Counter = c + 2
			return true
		}
	}
	return false
}

// ImportResult reports a token import.
type ImportResult struct {
	Added   []string // serials added to the inventory
	Skipped []string // serials already present (left unchanged)
	// Unsupported names the keys of the file vmfa does not implement (PSKC
	// keys of the PIN, OCRA, YubiKey AES… algorithms), left out: "key 2
	// (serial 123): ocra (challenge-response) keys are not supported …".
	Unsupported []string
}

// ImportTokens adds hardware OATH tokens (accounts with a Serial, as the
// token-file parsers return them) to the inventory. Tokens already in the
// inventory are skipped, not overwritten. A token without a serial, or one
// that does not validate, fails the whole import before anything is added.
func (v *Verifier) ImportTokens(accts []vault.Account) (ImportResult, error) {
	now := v.cfg.Now()
	var res ImportResult
	if len(accts) > MaxTokens {
		return res, fmt.Errorf("%w: a token file may hold at most %d tokens (this one has %d): split it", ErrLimit, MaxTokens, len(accts))
	}
	clean := make([]vault.Account, 0, len(accts))
	for i := range accts {
		a := accts[i].Clone()
		a.Serial = strings.TrimSpace(a.Serial)
		if a.Serial == "" {
			return res, fmt.Errorf("token %d: %w", i+1, ErrNoSerial)
		}
		if a.Name == "" && a.Issuer == "" {
			a.Name = a.Serial
		}
		if err := a.Normalize(now); err != nil {
			return res, fmt.Errorf("token %s: %w", a.Serial, err)
		}
		clean = append(clean, a)
	}
	var denial error
	err := v.store.Update(func(st *State) error {
		fresh := 0
		seen := map[string]bool{}
		for _, a := range clean {
			if _, ok := st.Tokens[a.Serial]; !ok && !seen[a.Serial] {
				fresh++
				seen[a.Serial] = true
			}
		}
		if len(st.Tokens)+fresh > MaxTokens {
			denial = fmt.Errorf("%w: the inventory holds at most %d tokens (it has %d, the file adds %d)", ErrLimit, MaxTokens, len(st.Tokens), fresh)
			return denial // nothing is written
		}
		for _, a := range clean {
			if _, ok := st.Tokens[a.Serial]; ok {
				res.Skipped = append(res.Skipped, a.Serial)
				continue
			}
			st.Tokens[a.Serial] = &Token{Serial: a.Serial, Account: a, Imported: now.UTC()}
			res.Added = append(res.Added, a.Serial)
		}
		return nil
	})
	if denial != nil {
		return ImportResult{}, denial
	}
	return res, err
}

// ImportTokenFile reads a hardware-token file and adds its tokens to the
// inventory (see ImportTokens): an RFC 6030 PSKC container (key unlocks
// encrypted secrets; leave it zero for a plain file) or a token CSV in the
// Entra or MFA Server layout. The format is told by the content. The files
// are parsed by package scanner.
func (v *Verifier) ImportTokenFile(r io.Reader, key scanner.PSKCKey) (ImportResult, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxTokenFile+1))
	if err != nil {
		return ImportResult{}, fmt.Errorf("read token file: %w", err)
	}
	if len(data) > maxTokenFile {
		return ImportResult{}, fmt.Errorf("token file is larger than %d MiB", maxTokenFile>>20)
	}
	var (
		accts       []vault.Account
		unsupported []scanner.Invalid
	)
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '<' {
		accts, unsupported, err = scanner.ParsePSKCKeys(bytes.NewReader(data), key)
	} else {
		accts, err = scanner.ParseTokenCSV(bytes.NewReader(data))
	}
	if err != nil {
		return ImportResult{}, err
	}
	res, err := v.ImportTokens(accts)
	for _, u := range unsupported {
		res.Unsupported = append(res.Unsupported, u.Entry+": "+u.Err.Error())
	}
	return res, err
}

// maxTokenFile bounds a token file.
const maxTokenFile = 32 << 20

// TokenInfo describes a token in the inventory, without its secret.
type TokenInfo struct {
	Serial     string     `json:"serial"`
	Type       vault.Type `json:"type"`
	Period     int        `json:"period,omitempty"`
	Digits     int        `json:"digits"`
	Issuer     string     `json:"issuer,omitempty"`
	Owner      string     `json:"owner,omitempty"` // the user the token file names (Entra's upn), if any
	AssignedTo string     `json:"assigned_to,omitempty"`
}

// Tokens lists the inventory sorted by serial.
func (v *Verifier) Tokens() ([]TokenInfo, error) {
	var out []TokenInfo
	err := v.store.View(func(st *State) error {
		for _, t := range st.Tokens {
			owner := t.Account.Name
			if owner == t.Serial {
				owner = ""
			}
			out = append(out, TokenInfo{Serial: t.Serial, Type: t.Account.Type, Period: t.Account.Period,
				Digits: t.Account.Digits, Issuer: t.Account.Issuer, Owner: owner, AssignedTo: t.AssignedTo})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b TokenInfo) int { return strings.Compare(a.Serial, b.Serial) })
	return out, err
}

// AssignToken binds the inventory token with this serial to user, the way
// an administrator assigns a hardware MFA device. The one-device rule
// holds: a user with a bound device or a pending enrollment is refused
// (ErrDeviceBound, ErrPending; an expired enrollment is dropped), and so is
// a token already assigned to someone else. The user
// then logs in with the token's codes, at the token's own period.
func (v *Verifier) AssignToken(serial, user string, from Client) error {
	return v.audited(user, "assign", from, func(st *State, now time.Time) (Method, error) {
		return MethodOATHToken, v.assign(st, serial, user, now)
	})
}

func (v *Verifier) assign(st *State, serial, user string, now time.Time) error {
	t, ok := st.Tokens[strings.TrimSpace(serial)]
	if !ok {
		return ErrUnknownToken
	}
	if t.AssignedTo != "" && t.AssignedTo != user {
		return ErrTokenAssigned
	}
	u, err := unboundUser(st, user)
	if err != nil {
		return err
	}
	if u.State == StatePending && now.Before(u.PendingUntil) {
		return pendingError{} // an expired one is dropped
	}
	resetDevice(st, u)
	acct := t.Account.Clone()
	u.State, u.Method, u.Serial, u.OTP, u.BoundAt = StateBound, MethodOATHToken, t.Serial, &acct, now.UTC()
	u.LastStep, u.StepsUsed, u.Used = t.LastStep, t.StepsUsed, slices.Clone(t.Used)
	t.AssignedTo = user
	return nil
}
