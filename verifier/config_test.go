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
