package verifier

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/vmfa/vmfa/internal/webauthn"
)

// Verifier is the relying party: it enrolls, binds and verifies MFA devices
// for users under one Config, keeping its state in a Store. It is safe for
// concurrent use when its Store is.
type Verifier struct {
	cfg   Config
	store Store
}

// New returns a verifier over store (NewMemoryStore or NewFileStore).
func New(store Store, cfg Config) (*Verifier, error) {
	if store == nil {
		return nil, errors.New("verifier needs a store")
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Verifier{cfg: cfg, store: store}, nil
}

// Config returns the verifier's configuration.
func (v *Verifier) Config() Config { return v.cfg }

func checkUser(name string) error {
	if name == "" || len(name) > 128 {
		return ErrBadUser
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return ErrBadUser
		}
	}
	return nil
}

// maxClientName bounds Client.Name.
const maxClientName = 64

// checkClient validates what the audit log will record about the client:
// a printable name of at most maxClientName bytes and an IP address.
func checkClient(c Client) error {
	if len(c.Name) > maxClientName {
		return ErrBadClient
	}
	for _, r := range c.Name {
		if !unicode.IsPrint(r) {
			return ErrBadClient
		}
	}
	if c.IP != "" {
		if _, err := netip.ParseAddr(c.IP); err != nil {
			return ErrBadClient
		}
	}
	return nil
}

// audited runs one attempt by user inside a store update and records it
// in the audit log under action: fn returns the method to record and the
// attempt's denial. It returns a store failure, or else the denial.
func (v *Verifier) audited(user, action string, from Client, fn func(st *State, now time.Time) (Method, error)) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if err := checkClient(from); err != nil {
		return err
	}
	now := v.cfg.Now()
	var denial error
	err := v.store.Update(func(st *State) error {
		var m Method
		m, denial = fn(st, now)
		v.record(st, now, user, m, action, from, denial)
		return nil
	})
	if err != nil {
		return err
	}
	return denial
}

// userMethod is the method of u's device, "" for an unknown user.
func userMethod(u *User) Method {
	if u == nil {
		return ""
	}
	return u.Method
}

// unboundUser returns the record of user, creating it, to give the user a
// new device: a user whose device is bound is refused with ErrDeviceBound
// (one device per user).
func unboundUser(st *State, user string) (*User, error) {
	u := st.Users[user]
	if u == nil {
		if len(st.Users) >= MaxUsers {
			pruneUsers(st)
		}
		if len(st.Users) >= MaxUsers {
			return nil, fmt.Errorf("%w: the verifier holds at most %d users with a device (unbind some, or use another --state)", ErrLimit, MaxUsers)
		}
		u = &User{Name: user, State: StateNone}
		st.Users[user] = u
	}
	if u.State == StateBound {
		return nil, ErrDeviceBound
	}
	return u, nil
}

// pruneUsers forgets the users who have no device, no lock and no failed
// attempts pending: what is left of an unbind. Their audit events stay.
func pruneUsers(st *State) {
	for name, u := range st.Users {
		if (u.State == StateNone || u.State == "") && u.LockedUntil.IsZero() && len(u.Failures) == 0 {
			delete(st.Users, name)
		}
	}
}

// record appends an audit event, dropping the oldest past AuditMax.
func (v *Verifier) record(st *State, now time.Time, user string, m Method, action string, from Client, err error) {
	e := Event{
		Time:     now.UTC(),
		User:     user,
		Method:   m,
		Action:   action,
		Result:   ResultSuccess,
		Client:   from.Name,
		IP:       from.IP,
		Verifier: v.cfg.Name,
	}
	if err != nil {
		e.Result = ResultDenied
		e.Reason = Reason(err)
	}
	if n := len(st.Audit) + 1 - v.cfg.AuditMax; n > 0 {
		// Drop in batches so that a full log does not copy on every event.
		drop := max(n, v.cfg.AuditMax/8)
		drop = min(drop, len(st.Audit))
		st.Audit = append(st.Audit[:0], st.Audit[drop:]...)
	}
	st.Audit = append(st.Audit, e)
}

// locked reports the lock of a user at now, clearing an expired one.
func (v *Verifier) locked(u *User, now time.Time) error {
	if u.LockedUntil.IsZero() {
		return nil
	}
	if now.Before(u.LockedUntil) {
		return &LockedError{Until: u.LockedUntil, Failures: slices.Clone(u.LockCause)}
	}
	u.LockedUntil, u.LockCause = time.Time{}, nil
	return nil
}

// fail counts a failed attempt; reaching MaxFailures within FailureWindow
// locks the user and turns the denial into a LockedError.
func (v *Verifier) fail(u *User, now time.Time, cause error) error {
	if v.cfg.MaxFailures <= 0 {
		return cause
	}
	cut := now.Add(-v.cfg.FailureWindow)
	kept := u.Failures[:0]
	for _, f := range u.Failures {
		if f.Time.After(cut) {
			kept = append(kept, f)
		}
	}
	u.Failures = append(kept, Failure{Time: now.UTC(), Reason: Reason(cause)})
	if len(u.Failures) >= v.cfg.MaxFailures {
		u.LockCause, u.Failures = u.Failures, nil
		u.LockedUntil = now.Add(v.cfg.Lockout).UTC()
		return &LockedError{Until: u.LockedUntil, Cause: cause, Failures: slices.Clone(u.LockCause)}
	}
	return cause
}

func (v *Verifier) succeed(u *User) {
	u.Failures = nil
}

// Unlock is the administrator's "unlock": it ends a user's lockout and
// forgets the failed attempts counted against them, leaving the device
// bound. It reports whether the user was locked; unlocking a user who is
// not locked only clears the failures. Every unlock is audited.
func (v *Verifier) Unlock(user string, from Client) (wasLocked bool, err error) {
	err = v.audited(user, "unlock", from, func(st *State, now time.Time) (Method, error) {
		u, ok := st.Users[user]
		if !ok {
			return "", ErrUnknownUser
		}
		wasLocked = now.Before(u.LockedUntil)
		u.LockedUntil, u.LockCause, u.Failures = time.Time{}, nil, nil
		return u.Method, nil
	})
	return wasLocked, err
}

// resetDevice returns a user to StateNone, releasing an assigned token.
func resetDevice(st *State, u *User) {
	if u.Serial != "" {
		if t, ok := st.Tokens[u.Serial]; ok && t.AssignedTo == u.Name {
			t.AssignedTo = ""
			// The token keeps its counter and spent steps, so that its
			// next holder cannot replay a code the last one used.
			if u.OTP != nil {
				t.Account.Counter = u.OTP.Counter
			}
			t.LastStep, t.StepsUsed, t.Used = u.LastStep, u.StepsUsed, u.Used
		}
	}
	handle := u.Handle
	*u = User{Name: u.Name, State: StateNone, Handle: handle}
}

// Unbind is the administrator's "disable MFA": it removes the user's
// device (pending or bound), releases an assigned token, and clears the
// throttle, so it is also the recovery path for a lost device.
func (v *Verifier) Unbind(user string, from Client) error {
	return v.audited(user, "unbind", from, func(st *State, _ time.Time) (Method, error) {
		u, ok := st.Users[user]
		if !ok || u.State == StateNone {
			return "", ErrNoDevice
		}
		m := u.Method
		resetDevice(st, u)
		return m, nil
	})
}

// UserStatus is what Status reports about a user; it never holds secrets.
type UserStatus struct {
	User         string      `json:"user"`
	State        DeviceState `json:"state"`
	Method       Method      `json:"method,omitempty"`
	Issuer       string      `json:"issuer,omitempty"`
	Serial       string      `json:"serial,omitempty"`
	Period       int         `json:"period,omitempty"`
	Digits       int         `json:"digits,omitempty"`
	PendingUntil time.Time   `json:"pending_until,omitzero"`
	// Expired is set for a pending enrollment past PendingUntil: it can
	// no longer be bound (enroll again).
	Expired      bool      `json:"expired,omitempty"`
	BoundAt      time.Time `json:"bound_at,omitzero"`
	Drift        int       `json:"drift,omitempty"`
	DeviceSerial string    `json:"serial_number,omitempty"`
	RecentFails  int       `json:"recent_failures,omitempty"`
	// LockedUntil is the end of a lockout in force; LockCause the failed
	// attempts that caused it.
	LockedUntil  time.Time `json:"locked_until,omitzero"`
	LockCause    []Failure `json:"lock_cause,omitempty"`
	CredentialID string    `json:"credential_id,omitempty"`
	SignCount    uint32    `json:"sign_count,omitempty"`
	Attestation  string    `json:"attestation,omitempty"`
	Cloned       bool      `json:"possibly_cloned,omitempty"`
	// Flags is the bound security key's credential flags, nil for other
	// devices.
	Flags *CredentialFlags `json:"flags,omitempty"`
}

// CredentialFlags are the authenticator data flags a bound security key
// has shown: UV (user verified at least once), BE (backup eligible, a
// synced passkey) and BS (backed up, last seen), and whether the policy
// requires UV for it.
type CredentialFlags struct {
	UV        bool `json:"uv"`
	BE        bool `json:"be"`
	BS        bool `json:"bs"`
	RequireUV bool `json:"require_uv"`
}

func (v *Verifier) status(u *User, now time.Time) UserStatus {
	s := UserStatus{User: u.Name, State: u.State, Method: u.Method, Serial: u.Serial,
		PendingUntil: u.PendingUntil, BoundAt: u.BoundAt, Drift: v.drift(u), DeviceSerial: u.DeviceSerial}
	if s.State == "" {
		s.State = StateNone
	}
	s.Expired = s.State == StatePending && !now.Before(u.PendingUntil)
	if u.OTP != nil {
		s.Issuer, s.Period, s.Digits = u.OTP.Issuer, u.OTP.Period, u.OTP.Digits
	}
	if now.Before(u.LockedUntil) {
		s.LockedUntil, s.LockCause = u.LockedUntil, slices.Clone(u.LockCause)
	}
	cut := now.Add(-v.cfg.FailureWindow)
	for _, f := range u.Failures {
		if f.Time.After(cut) {
			s.RecentFails++
		}
	}
	if c := u.Credential; c != nil {
		s.CredentialID = webauthn.B64(c.ID)
		s.SignCount, s.Attestation, s.Cloned = c.SignCount, c.Attestation, c.PossiblyCloned
		s.Flags = &CredentialFlags{UV: c.UVInitialized, BE: c.BackupEligible, BS: c.BackupState,
			RequireUV: c.RequireUV || v.cfg.RequireUV}
	}
	return s
}

// Status reports one user, or every known user sorted by name when user
// is "".
func (v *Verifier) Status(user string) ([]UserStatus, error) {
	now := v.cfg.Now()
	var out []UserStatus
	err := v.store.View(func(st *State) error {
		if user != "" {
			u, ok := st.Users[user]
			if !ok {
				out = append(out, UserStatus{User: user, State: StateNone})
				return nil
			}
			out = append(out, v.status(u, now))
			return nil
		}
		for _, u := range st.Users {
			out = append(out, v.status(u, now))
		}
		return nil
	})
	slices.SortFunc(out, func(a, b UserStatus) int { return strings.Compare(a.User, b.User) })
	return out, err
}

// LogFilter selects audit events; zero fields match everything.
type LogFilter struct {
	User   string
	Method Method
	Result string
	Since  time.Time
}

func (f LogFilter) match(e *Event) bool {
	return (f.User == "" || e.User == f.User) &&
		(f.Method == "" || e.Method == f.Method) &&
		(f.Result == "" || e.Result == f.Result) &&
		(f.Since.IsZero() || !e.Time.Before(f.Since))
}

// Methods lists the methods in the audit log; Results its results.
var (
	Methods = []Method{MethodTOTP, MethodHOTP, MethodOATHToken, MethodSecurityKey}
	Results = []string{ResultSuccess, ResultDenied}
)

// Check returns ErrLogFilter, listing the valid values, when f names a
// method or result the log never holds.
func (f LogFilter) Check() error {
	if f.Method != "" && !slices.Contains(Methods, f.Method) {
		names := make([]string, len(Methods))
		for i, m := range Methods {
			names[i] = string(m)
		}
		return fmt.Errorf("%w: unknown method %q (want %s)", ErrLogFilter, webauthn.Clip(string(f.Method)), strings.Join(names, ", "))
	}
	if f.Result != "" && !slices.Contains(Results, f.Result) {
		return fmt.Errorf("%w: unknown result %q (want %s)", ErrLogFilter, webauthn.Clip(f.Result), strings.Join(Results, " or "))
	}
	return nil
}

// Log returns the audit events matching f, oldest first. A filter that
// fails Check is refused.
func (v *Verifier) Log(f LogFilter) ([]Event, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	var out []Event
	err := v.store.View(func(st *State) error {
		for i := range st.Audit {
			if f.match(&st.Audit[i]) {
				out = append(out, st.Audit[i])
			}
		}
		return nil
	})
	return out, err
}

// ExportLog writes the audit events matching f as JSON lines.
func (v *Verifier) ExportLog(w io.Writer, f LogFilter) error {
	evs, err := v.Log(f)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	for i := range evs {
		if err := enc.Encode(&evs[i]); err != nil {
			return fmt.Errorf("export audit log: %w", err)
		}
	}
	return nil
}
