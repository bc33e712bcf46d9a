package verifier

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"
)

// Config is the policy a Verifier enforces. Start from DefaultConfig and
// change what you need: in a Config built by hand a zero MaxFailures turns
// throttling off and a zero Skew accepts only the current time step.
type Config struct {
	// Name identifies this verifier in the audit log.
	Name string
	// Issuer is the default issuer written into otpauth:// URIs.
	Issuer string
	// Now is the clock; tests inject a fixed one.
	Now func() time.Time
	// Rand is the source of secrets and challenges (crypto/rand).
	Rand io.Reader

	// Skew is how many time steps either side of the expected one a TOTP
	// code may come from (RFC 6238 §5.2 recommends at most one).
	Skew int
	// PendingTTL is how long an issued secret may wait for its binding.
	PendingTTL time.Duration
	// HOTPLookAhead is how many counter values past the expected one a
	// login code may come from.
	HOTPLookAhead int
	// HOTPResyncWindow is how far ahead resynchronisation (two consecutive
	// codes) searches.
	HOTPResyncWindow int

	// MaxFailures failed attempts within FailureWindow lock the user for
	// Lockout. A locked user's codes are not even checked.
	MaxFailures   int
	FailureWindow time.Duration
	Lockout       time.Duration

	// RPID and RPName are the WebAuthn relying party; Origin is the origin
	// clients must report (default "https://" + RPID). Registrations may
	// override them per ceremony.
	RPID   string
	RPName string
	Origin string
	// ChallengeTTL is how long a WebAuthn challenge stays valid.
	ChallengeTTL time.Duration
	// RequireUV demands user verification (PIN, biometrics) on every
	// security-key ceremony, not just presence.
	RequireUV bool
	// AllowCrossOrigin accepts client data with crossOrigin true.
	AllowCrossOrigin bool
	// TrustRoots, when set, is the store of attestation roots: packed and
	// fido-u2f attestation certificates must chain to one of them, and
	// none and packed self attestation are refused with
	// ErrAttestationRequired. Nil accepts any well-formed attestation
	// (recorded as none, self or basic-unverified).
	TrustRoots *x509.CertPool

	// AuditMax bounds the audit log (at most MaxAuditEvents); the oldest
	// events are dropped first.
	AuditMax int
}

// Limits on the Config, refused by New: windows wider than these turn a
// one-time code into something an attacker can guess, or make every
// verification slow.
const (
	// MaxSkew bounds Config.Skew (steps either side of now).
	MaxSkew = 10
	// MaxHOTPLookAhead bounds Config.HOTPLookAhead.
	MaxHOTPLookAhead = 100
	// MaxHOTPResyncWindow bounds Config.HOTPResyncWindow.
	MaxHOTPResyncWindow = 10000
	// MaxAuditEvents bounds Config.AuditMax.
	MaxAuditEvents = 50000
)

// DefaultConfig returns the consoles' usual policy: ±1 step, 10-minute
// pending enrollments, 5 failures in 5 minutes lock for 15 minutes, 180 s
// challenges, relying party "localhost".
func DefaultConfig() Config {
	return Config{
		Name:             "vmfa-verifier",
		Issuer:           "vmfa",
		Now:              time.Now,
		Rand:             rand.Reader,
		Skew:             1,
		PendingTTL:       10 * time.Minute,
		HOTPLookAhead:    10,
		HOTPResyncWindow: 1000,
		MaxFailures:      5,
		FailureWindow:    5 * time.Minute,
		Lockout:          15 * time.Minute,
		RPID:             "localhost",
		RPName:           "vmfa verifier",
		ChallengeTTL:     180 * time.Second,
		AuditMax:         10000,
	}
}

func (c *Config) check() error {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Name == "" {
		c.Name = "vmfa-verifier"
	}
	if c.Issuer == "" {
		c.Issuer = "vmfa"
	}
	if c.RPID == "" {
		c.RPID = "localhost"
	}
	if c.RPName == "" {
		c.RPName = c.RPID
	}
	switch {
	case c.Skew < 0 || c.Skew > MaxSkew:
		return fmt.Errorf("skew must be 0 to %d steps", MaxSkew)
	case c.HOTPLookAhead < 0 || c.HOTPLookAhead > MaxHOTPLookAhead:
		return fmt.Errorf("hotp look-ahead must be 0 to %d counter values (got %d)", MaxHOTPLookAhead, c.HOTPLookAhead)
	case c.HOTPResyncWindow < 0 || c.HOTPResyncWindow > MaxHOTPResyncWindow:
		return fmt.Errorf("hotp resync window must be 0 to %d counter values (got %d)", MaxHOTPResyncWindow, c.HOTPResyncWindow)
	case c.AuditMax < 0 || c.AuditMax > MaxAuditEvents:
		return fmt.Errorf("audit log bound must be 0 (default %d) to %d events (got %d)", 10000, MaxAuditEvents, c.AuditMax)
	case c.MaxFailures < 0 || c.FailureWindow < 0 || c.Lockout < 0:
		return errors.New("throttling settings must not be negative")
	case c.PendingTTL <= 0:
		return errors.New("pending enrollment lifetime must be positive")
	case c.ChallengeTTL <= 0:
		return errors.New("challenge lifetime must be positive")
	}
	if c.MaxFailures > 0 && (c.FailureWindow <= 0 || c.Lockout <= 0) {
		return errors.New("throttling needs a positive failure window and lockout")
	}
	if c.AuditMax <= 0 {
		c.AuditMax = 10000
	}
	return nil
}
