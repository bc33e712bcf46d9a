package verifier

import (
	"testing"
	"time"
)

func TestConfigValidation(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"negative skew":        func(c *Config) { c.Skew = -1 },
		"huge skew":            func(c *Config) { c.Skew = 11 },
		"negative look-ahead":  func(c *Config) { c.HOTPLookAhead = -1 },
		"huge look-ahead":      func(c *Config) { c.HOTPLookAhead = MaxHOTPLookAhead + 1 },
		"negative resync":      func(c *Config) { c.HOTPResyncWindow = -1 },
		"huge resync window":   func(c *Config) { c.HOTPResyncWindow = 1 << 30 },
		"huge audit log":       func(c *Config) { c.AuditMax = MaxAuditEvents + 1 },
		"negative failures":    func(c *Config) { c.MaxFailures = -1 },
		"no pending lifetime":  func(c *Config) { c.PendingTTL = 0 },
		"no challenge life":    func(c *Config) { c.ChallengeTTL = 0 },
		"throttle, no lockout": func(c *Config) { c.Lockout = 0 },
	} {
		cfg := DefaultConfig()
		mod(&cfg)
		if _, err := New(NewMemoryStore(), cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(nil, DefaultConfig()); err == nil {
		t.Error("nil store accepted")
	}
	// Zero clock, randomness and names are filled in.
	v, err := New(NewMemoryStore(), Config{PendingTTL: time.Minute, ChallengeTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	c := v.Config()
	if c.Now == nil || c.Rand == nil || c.Name == "" || c.RPID != "localhost" || c.AuditMax == 0 {
		t.Fatalf("defaults not filled: %+v", c)
	}
	if DefaultOrigin("localhost") != "http://localhost" || DefaultOrigin("example.org") != "https://example.org" {
		t.Fatal("default origins")
	}
}

// The limits are stated in the refusals (issue 10, item 7).
func TestConfigLimitsInErrors(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Skew = 11 }, "skew must be 0 to 10 steps"},
		{func(c *Config) { c.HOTPLookAhead = 1000 }, "hotp look-ahead must be 0 to 100 counter values (got 1000)"},
		{func(c *Config) { c.HOTPResyncWindow = 1 << 20 }, "hotp resync window must be 0 to 10000 counter values (got 1048576)"},
	} {
		cfg := DefaultConfig()
		tc.mod(&cfg)
		if _, err := New(NewMemoryStore(), cfg); err == nil || err.Error() != tc.want {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	cfg := DefaultConfig()
	cfg.Skew, cfg.HOTPLookAhead, cfg.HOTPResyncWindow, cfg.AuditMax = MaxSkew, MaxHOTPLookAhead, MaxHOTPResyncWindow, MaxAuditEvents
	if _, err := New(NewMemoryStore(), cfg); err != nil {
		t.Fatalf("the limits themselves: %v", err)
	}
}
