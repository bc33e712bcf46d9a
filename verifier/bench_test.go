package verifier

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// BenchmarkTOTPVerify measures one successful TOTP login through the
// in-memory store, with everything a login does: lock check, constant-time
// comparison over the window, replay bookkeeping, throttle reset, audit
// event. The clock advances one period per login so that every code is
// fresh (a repeated code would be refused as a replay). Report as
// verifications per second per core: 1e9 / ns/op.
func BenchmarkTOTPVerify(b *testing.B) {
	v, clk := newTestVerifier(b, nil)
	en, err := v.Enroll("bench", EnrollOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a := en.Account
	c := a.CodesAt(clk.Now())
	if err := v.Bind("bench", c.Current, c.Next, Client{}); err != nil {
		b.Fatal(err)
	}
	clk.Advance(60 * time.Second)
	base := vault.Step(clk.Now(), 30)
	codes := make([]string, b.N)
	for i := range codes {
		codes[i] = a.CodeAtStep(base + uint64(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := v.Login("bench", codes[i], Client{}); err != nil {
			b.Fatalf("login %d: %v", i, err)
		}
		clk.t = clk.t.Add(30 * time.Second)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkTOTPVerifyWrongCode measures a denied login (all window steps
// computed, failure counted); throttling is off so the user never locks.
func BenchmarkTOTPVerifyWrongCode(b *testing.B) {
	v, clk := newTestVerifier(b, func(c *Config) { c.MaxFailures = 0 })
	a := func() *vault.Account {
		en, _ := v.Enroll("bench", EnrollOptions{})
		c := en.Account.CodesAt(clk.Now())
		v.Bind("bench", c.Current, c.Next, Client{})
		return &en.Account
	}()
	wrong := wrongCode(a, clk.Now())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v.Login("bench", wrong, Client{})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkAssertionVerify measures FinishLogin of a prepared assertion:
// JSON, client data, challenge lookup, authenticator data, ES256 signature,
// counter. Compare with BenchmarkECDSAP256Verify, the bare crypto/ecdsa
// verification in the same run (goal: within 1.3×).
func BenchmarkAssertionVerify(b *testing.B) {
	v, _ := newTestVerifier(b, func(c *Config) { c.RPID, c.Origin = testRP, testOrigin })
	k := newTestKey(b)
	opts, err := v.BeginRegistration("bench", RegisterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := v.FinishRegistration("bench", k.register(b, opts, testOrigin, ceremony{}), Client{}); err != nil {
		b.Fatal(err)
	}
	// Prepare b.N challenges and assertions outside the timer.
	resps := make([][]byte, b.N)
	for i := range resps {
		lo, err := v.BeginLogin("bench")
		if err != nil {
			b.Fatal(err)
		}
		resps[i] = k.assert(b, lo, testOrigin, ceremony{})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.FinishLogin("bench", resps[i], Client{}); err != nil {
			b.Fatalf("assertion %d: %v", i, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkECDSAP256Verify is the baseline: one crypto/ecdsa P-256
// signature verification over a SHA-256 digest.
func BenchmarkECDSAP256Verify(b *testing.B) {
	k := newTestKey(b)
	msg := []byte("authenticator data and client data hash")
	sig := sign(b, k.priv, msg, false)
	h := sha256.Sum256(msg)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !ecdsa.VerifyASN1(&k.priv.PublicKey, h[:], sig) {
			b.Fatal("verify failed")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkAssertionVsECDSA interleaves one FinishLogin and one bare
// crypto/ecdsa verification per iteration and reports the ratio of their
// median times ("x-ecdsa"). Interleaving and medians keep the figure
// meaningful on a shared, noisy machine, where separate benchmarks run
// under different load and a preempted iteration is an outlier.
func BenchmarkAssertionVsECDSA(b *testing.B) {
	v, _ := newTestVerifier(b, func(c *Config) { c.RPID, c.Origin = testRP, testOrigin })
	k := newTestKey(b)
	opts, _ := v.BeginRegistration("bench", RegisterOptions{})
	if _, err := v.FinishRegistration("bench", k.register(b, opts, testOrigin, ceremony{}), Client{}); err != nil {
		b.Fatal(err)
	}
	resps := make([][]byte, b.N)
	for i := range resps {
		lo, _ := v.BeginLogin("bench")
		resps[i] = k.assert(b, lo, testOrigin, ceremony{})
	}
	other := newTestKey(b)
	msg := []byte("authenticator data and client data hash")
	sig := sign(b, other.priv, msg, false)
	h := sha256.Sum256(msg)
	tA := make([]time.Duration, 0, b.N)
	tE := make([]time.Duration, 0, b.N)
	assertion := func(i int) {
		t0 := time.Now()
		if _, err := v.FinishLogin("bench", resps[i], Client{}); err != nil {
			b.Fatal(err)
		}
		tA = append(tA, time.Since(t0))
	}
	bare := func() {
		t0 := time.Now()
		if !ecdsa.VerifyASN1(&other.priv.PublicKey, h[:], sig) {
			b.Fatal("verify failed")
		}
		tE = append(tE, time.Since(t0))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate the order so neither side always runs first.
		if i%2 == 0 {
			assertion(i)
			bare()
		} else {
			bare()
			assertion(i)
		}
	}
	b.StopTimer()
	ma, me := median(tA), median(tE)
	b.ReportMetric(float64(ma)/float64(me), "x-ecdsa")
	b.ReportMetric(float64(ma.Nanoseconds()), "assertion-median-ns")
	b.ReportMetric(float64(me.Nanoseconds()), "ecdsa-median-ns")
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[len(d)/2]
}
