package main

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/tuitest"
	"github.com/vmfa/vmfa/internal/webauthn"
	"github.com/vmfa/vmfa/tui"
	"github.com/vmfa/vmfa/vault"
	"github.com/vmfa/vmfa/verifier"
)

// testVaultStore opens a fresh passphrase vault (cheap KDF) as the TUI's
// store: the virtual keys' state goes into its blobs.
func testVaultStore(t *testing.T) (tui.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v, err := vault.Open(vault.Options{Path: path, Create: vault.PassphraseSource, Backups: -1,
		KDF:        &vault.KDFParams{Algorithm: "argon2id", Time: 1, MemoryKiB: 64, Threads: 1},
		Passphrase: func(bool) ([]byte, error) { return []byte("test passphrase"), nil }})
	if err != nil {
		t.Fatal(err)
	}
	return tui.VaultStore(v), path
}

func touchNow() <-chan struct{} {
	ch := make(chan struct{}, 1)
	ch <- struct{}{}
	return ch
}

// TestKeyServiceVirtualFIDO2 runs the TUI's key service for real: the
// virtual FIDO2 key from the vault, attached under the real libfido2,
// registered and bound at the in-memory verifier (attestation chained to
// the key's root: verified ✓), then authenticated with a counter that
// increases, with the PIN flow and the key's state saved to the vault.
func TestKeyServiceVirtualFIDO2(t *testing.T) {
	store, _ := testVaultStore(t)
	blobs := store.(tui.BlobStore)
	s, err := newKeyService("localhost", "alice", blobs, verifier.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := hwkey.VirtualPath(softkey.FIDO2)
	t.Cleanup(func() {
		hwkey.DetachVirtual(path)
		hwkey.DetachVirtual(hwkey.VirtualPath(softkey.U2FOnly))
	})

	devs, err := s.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, d := range devs {
		found = found || (d.Path == path && d.Virtual)
	}
	if !found {
		t.Fatalf("devices %+v lack the virtual fido2 key", devs)
	}
	if blobs.Blob(hwkey.BlobName(softkey.FIDO2)) == nil {
		t.Fatal("a new virtual key was not saved to the vault")
	}
	info, err := s.Info(ctx, path)
	if err != nil || info.Type != "fido2" || info.PIN != "not set" || info.AAGUID == "" {
		t.Fatalf("info %+v, %v", info, err)
	}

	// A touch that never comes: the deadline ends the wait.
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = s.Register(short, tui.KeyRequest{Path: path, Touch: make(chan struct{})})
	cancelShort()
	if !errors.Is(err, hwkey.ErrTimeout) {
		t.Fatalf("untouched register: %v, want ErrTimeout", err)
	}

	reg, err := s.Register(ctx, tui.KeyRequest{Path: path, Touch: touchNow()})
	if err != nil {
		t.Fatal(err)
	}
	if reg.Format != "packed" || reg.AAGUID != info.AAGUID || reg.CertSubject == "" || reg.CredentialID == "" {
		t.Fatalf("registration %+v", reg)
	}
	b, err := s.Bind(ctx, reg)
	if err != nil {
		t.Fatalf("the verifier refused: %v", err)
	}
	if b.Attestation != "basic" {
		t.Fatalf("attestation %q, want basic (chained to the virtual key's root)", b.Attestation)
	}
	// One device per user.
	if _, err := s.Register(ctx, tui.KeyRequest{Path: path}); err == nil {
		t.Fatal("a second registration for a bound user was accepted")
	}

	last := b.Counter
	for i := 0; i < 2; i++ {
		a, err := s.Authenticate(ctx, tui.KeyRequest{Path: path, Touch: touchNow()})
		if err != nil {
			t.Fatal(err)
		}
		if a.Counter <= last {
			t.Fatalf("counter %d after %d: it must increase", a.Counter, last)
		}
		last = a.Counter
	}

	// The key's state (its counter) is in the vault: a key loaded from
	// the blob carries on from it.
	k, err := softkey.Load(blobs.Blob(hwkey.BlobName(softkey.FIDO2)), softkey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if k.Counter() < last {
		t.Fatalf("saved counter %d, want at least %d", k.Counter(), last)
	}

	// With a PIN set, registering needs it: required, wrong (attempts
	// left), right. One device per user: unbind first.
	if err := hwkey.SetPIN(ctx, path, "2468"); err != nil {
		t.Fatal(err)
	}
	if err := s.Unbind(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Register(ctx, tui.KeyRequest{Path: path, Touch: touchNow()}); !errors.Is(err, hwkey.ErrPINRequired) {
		t.Fatalf("register without the pin: %v, want ErrPINRequired", err)
	}
	var pe *hwkey.PINError
	if _, err := s.Register(ctx, tui.KeyRequest{Path: path, PIN: "0000", Touch: touchNow()}); !errors.As(err, &pe) || pe.Retries != 7 {
		t.Fatalf("wrong pin: %v, want a PINError with 7 attempts left", err)
	}
	if reg, err = s.Register(ctx, tui.KeyRequest{Path: path, PIN: "2468", Touch: touchNow()}); err != nil {
		t.Fatal(err)
	}
	if b, err = s.Bind(ctx, reg); err != nil {
		t.Fatal(err)
	}
	a, err := s.Authenticate(ctx, tui.KeyRequest{Path: path, PIN: "2468", Touch: touchNow()})
	if err != nil || a.Counter <= b.Counter || !a.UserVerified {
		t.Fatalf("sign in with the pin: %+v, %v", a, err)
	}

	if err := s.Unbind(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tui.KeyRequest{Path: path}); err == nil {
		t.Fatal("authenticated after unbinding")
	}
}

// TestKeyServiceVirtualU2F: the U2F-only virtual key binds with
// fido-u2f attestation, verified against its root, and its counter
// increases on each sign-in; a PIN is refused as unsupported.
func TestKeyServiceVirtualU2F(t *testing.T) {
	store, _ := testVaultStore(t)
	s, err := newKeyService("example.com", "bob", store.(tui.BlobStore), verifier.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	path := hwkey.VirtualPath(softkey.U2FOnly)
	t.Cleanup(func() {
		hwkey.DetachVirtual(hwkey.VirtualPath(softkey.FIDO2))
		hwkey.DetachVirtual(path)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Devices(ctx); err != nil {
		t.Fatal(err)
	}
	if info, err := s.Info(ctx, path); err != nil || info.Type != "u2f" || info.PIN != "unsupported" {
		t.Fatalf("info %+v, %v", info, err)
	}
	if _, err := s.Register(ctx, tui.KeyRequest{Path: path, PIN: "1234"}); !errors.Is(err, hwkey.ErrUnsupported) {
		t.Fatalf("pin on a u2f key: %v, want ErrUnsupported", err)
	}
	reg, err := s.Register(ctx, tui.KeyRequest{Path: path, Touch: touchNow()})
	if err != nil {
		t.Fatal(err)
	}
	if reg.Format != "fido-u2f" || reg.CertSubject == "" {
		t.Fatalf("registration %+v", reg)
	}
	b, err := s.Bind(ctx, reg)
	if err != nil || b.Attestation != "basic" {
		t.Fatalf("bind: %+v, %v", b, err)
	}
	last := b.Counter
	for i := 0; i < 2; i++ {
		a, err := s.Authenticate(ctx, tui.KeyRequest{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if a.Counter <= last {
			t.Fatalf("counter %d after %d: it must increase", a.Counter, last)
		}
		last = a.Counter
	}
}

// TestTUISecurityKeysEndToEnd drives the real program through the
// security keys screen with the real service: list, bind the vault's
// virtual FIDO2 key, which has a PIN (a wrong one first), touched from
// the keyboard, see verified ✓, authenticate and see the counter
// increase.
func TestTUISecurityKeysEndToEnd(t *testing.T) {
	tm, waitFor := startKeysTUI(t)
	waitFor("No accounts yet")
	// Physical keys (if any) are listed first; the virtual fido2 key
	// follows them.
	devs, err := hwkey.List()
	if err != nil {
		t.Fatal(err)
	}
	physical := 0
	for _, d := range devs {
		if !d.Virtual {
			physical++
		}
	}
	tm.Type("F")
	waitFor("virtual fido2 security key", "set (8 left)")
	for i := 0; i < physical; i++ {
		tm.Type("j")
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("The key asks for its PIN", "8 attempts left")
	tm.Type("0000")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("wrong pin: 7 attempts left")
	tm.Type("13579")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("Press t to touch it")
	tm.Type("t")
	waitFor("Touched: the key made a credential", "packed")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("✓ by the verifier", "basic: chains to a trusted root")
	tm.Type("a")
	waitFor("Press t to touch it")
	tm.Type("t")
	out := waitFor("Authenticated", "(was ")
	m := regexp.MustCompile(`Counter\s+(\d+) \(was (\d+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no counter in:\n%s", out)
	}
	now, _ := strconv.Atoi(m[1])
	was, _ := strconv.Atoi(m[2])
	if now <= was {
		t.Fatalf("counter %d after %d: it must increase", now, was)
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc})
	waitFor("is bound to alice")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc})
	waitFor("No accounts yet")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// TestTUIKeyBindingSharedWithCLI: the security keys screen binds at the
// verifier state file of 'vmfa verifier' (issue 13 item 3): the key bound
// in the TUI is listed by 'vmfa verifier status' and logs in with 'vmfa
// verifier key login'; after a restart the TUI knows the binding and
// authenticates with it; an unbind from the CLI shows on a refresh.
func TestTUIKeyBindingSharedWithCLI(t *testing.T) {
	store, vpath := testVaultStore(t)
	statePath := filepath.Join(t.TempDir(), "verifier.json")
	env := []string{"VMFA_VAULT=" + vpath, "VMFA_PASSPHRASE=test passphrase", "VMFA_VERIFIER_STATE=" + statePath}

	tm, waitFor := startKeysTUIWith(t, store, vpath, statePath)
	waitFor("No accounts yet")
	tm.Type("F")
	waitFor("virtual fido2 security key", "set (8 left)")
	selectVirtual(t, tm)
	tm.Type("T")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("The key asks for its PIN")
	tm.Type("13579")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("Touched: the key made a credential")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("✓ by the verifier")
	tm.Type("q")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc})
	waitFor("No accounts yet")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	r := vmfa(t, env, "", "verifier", "status", "--user", "alice", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"state": "bound"`) || !strings.Contains(r.stdout, `"credential_id"`) {
		t.Fatalf("verifier status after a TUI bind: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = vmfa(t, env, "13579\n", "verifier", "key", "login", "--user", "alice", "--virtual", "--pin-stdin")
	if r.code != 0 || !strings.Contains(r.stdout, "security key login accepted for alice") {
		t.Fatalf("cli login with the key bound in the TUI: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A new session knows the binding and signs with the selected key.
	tm, waitFor = startKeysTUIWith(t, store, vpath, statePath)
	waitFor("No accounts yet")
	tm.Type("F")
	waitFor("alice has a key bound (", "select it and press a")
	selectVirtual(t, tm)
	tm.Type("T")
	tm.Type("a")
	// The CLI's login signed with counter 1.
	waitFor("Authenticated: the verifier accepted", "2 (was 1)")

	r = vmfa(t, env, "", "verifier", "unbind", "--user", "alice")
	if r.code != 0 {
		t.Fatalf("cli unbind: %s", r.stderr)
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc})
	waitFor("is bound to alice")
	tm.Type("r")
	waitFor("Choose the key you inserted")

	// The other way round: bound by the CLI, it shows here on a refresh
	// and signs in.
	r = vmfa(t, env, "13579\n", "verifier", "key", "register", "--user", "alice", "--virtual", "--pin-stdin")
	if r.code != 0 {
		t.Fatalf("cli bind: %s", r.stderr)
	}
	tm.Type("r")
	waitFor("alice has a key bound (")
	tm.Type("a")
	waitFor("Authenticated: the verifier accepted")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc})
	waitFor("is bound to alice")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc})
	waitFor("No accounts yet")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// selectVirtual moves the cursor past the physical keys (listed first) to
// the virtual fido2 key.
func selectVirtual(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	devs, err := hwkey.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if !d.Virtual {
			tm.Type("j")
		}
	}
}

type nopClipboard struct{}

func (nopClipboard) Copy(string) clipboard.Result { return clipboard.Result{} }
func (nopClipboard) Clear(string, clipboard.Result) clipboard.Result {
	return clipboard.Result{}
}

// TestTUIKeyServiceAccount: the relying party and user come from
// $VMFA_KEY_RP and $VMFA_KEY_USER, else localhost and $USER.
func TestTUIKeyServiceAccount(t *testing.T) {
	tests := []struct {
		rp, user, login  string
		wantRP, wantUser string
	}{
		{"", "", "carol", "localhost", "carol"},
		{"example.org", "ram-tester", "carol", "example.org", "ram-tester"},
		{"", "", "", "localhost", "vmfa-user"},
	}
	for _, tt := range tests {
		t.Setenv("VMFA_KEY_RP", tt.rp)
		t.Setenv("VMFA_KEY_USER", tt.user)
		t.Setenv("USER", tt.login)
		rp, user := tuiKeyService(nil).Account()
		if rp != tt.wantRP || user != tt.wantUser {
			t.Errorf("rp %q user %q (env %+v), want %q %q", rp, user, tt, tt.wantRP, tt.wantUser)
		}
	}
}

// The TUI keeps the virtual key loaded for the session; when the CLI uses
// the key meanwhile, the TUI's next operation continues from the counter
// the CLI saved instead of reusing it.
func TestKeyServiceContinuesAfterCLI(t *testing.T) {
	store, vaultPath := testVaultStore(t)
	s, err := newKeyService("localhost", "alice", store.(tui.BlobStore), verifier.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	path := hwkey.VirtualPath(softkey.FIDO2)
	t.Cleanup(func() {
		hwkey.DetachVirtual(path)
		hwkey.DetachVirtual(hwkey.VirtualPath(softkey.U2FOnly))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Devices(ctx); err != nil {
		t.Fatal(err)
	}
	reg, err := s.Register(ctx, tui.KeyRequest{Path: path, Touch: touchNow()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Bind(ctx, reg); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, tui.KeyRequest{Path: path, Touch: touchNow()}); err != nil {
		t.Fatal(err)
	}
	env := []string{"VMFA_VAULT=" + vaultPath, "VMFA_PASSPHRASE=test passphrase"}
	var cli uint32
	for range 3 {
		r := vmfa(t, env, "", "key", "login", "--virtual", "--rp", "localhost", "--credential", reg.CredentialID, "--json")
		if r.code != 0 {
			t.Fatalf("cli login: %s", r.stderr)
		}
		var l loginJSON
		if err := json.Unmarshal([]byte(r.stdout), &l); err != nil {
			t.Fatal(err)
		}
		ad, err := webauthn.ParseAuthenticatorData(mustB64(t, l.Response.AuthenticatorData))
		if err != nil {
			t.Fatal(err)
		}
		cli = ad.SignCount
	}
	a, err := s.Authenticate(ctx, tui.KeyRequest{Path: path, Touch: touchNow()})
	if err != nil {
		t.Fatal(err)
	}
	if a.Counter <= cli {
		t.Fatalf("the TUI signed with counter %d after the CLI reached %d", a.Counter, cli)
	}
}

// TestKeyServiceU2FAfterCancel: a registration on the virtual U2F key
// that the user cancels (esc) while it waits for a touch must not leave
// the key stuck: the next registration, touched at once, succeeds.
func TestKeyServiceU2FAfterCancel(t *testing.T) {
	store, _ := testVaultStore(t)
	s, err := newKeyService("localhost", "alice", store.(tui.BlobStore), verifier.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	path := hwkey.VirtualPath(softkey.U2FOnly)
	t.Cleanup(func() {
		hwkey.DetachVirtual(hwkey.VirtualPath(softkey.FIDO2))
		hwkey.DetachVirtual(path)
	})
	if _, err := s.Devices(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Cancelled at once (as esc right after enter), and while the key
	// waits for the touch.
	for i, wait := range []time.Duration{50 * time.Millisecond, 500 * time.Millisecond} {
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := s.Register(ctx, tui.KeyRequest{Path: path, Touch: make(chan struct{})})
			errc <- err
		}()
		time.Sleep(wait)
		cancel()
		if err := <-errc; !errors.Is(err, hwkey.ErrCancelled) {
			t.Fatalf("cancelled register: %v, want ErrCancelled", err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
		reg, err := s.Register(ctx, tui.KeyRequest{Path: path, Touch: touchNow()})
		cancel()
		if err != nil {
			t.Fatalf("register after a cancelled one (round %d): %v", i, err)
		}
		if reg.Format != "fido-u2f" {
			t.Fatalf("format %q", reg.Format)
		}
	}
}

// TestKeyServicePINAuthBlocked: three wrong PINs in a row block the
// virtual key's PIN until it is power-cycled, which is not the permanent
// block: the attempts left stay (5), and after PowerCycle the right PIN
// works.
func TestKeyServicePINAuthBlocked(t *testing.T) {
	store, _ := testVaultStore(t)
	s, err := newKeyService("localhost", "alice", store.(tui.BlobStore), verifier.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	path := hwkey.VirtualPath(softkey.FIDO2)
	t.Cleanup(func() {
		hwkey.DetachVirtual(path)
		hwkey.DetachVirtual(hwkey.VirtualPath(softkey.U2FOnly))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Devices(ctx); err != nil {
		t.Fatal(err)
	}
	if err := hwkey.SetPIN(ctx, path, "2468"); err != nil {
		t.Fatal(err)
	}
	register := func(pin string) error {
		_, err := s.Register(ctx, tui.KeyRequest{Path: path, PIN: pin, Touch: touchNow()})
		return err
	}
	var pe *hwkey.PINError
	for _, want := range []int{7, 6} {
		if err := register("0000"); !errors.As(err, &pe) || pe.Retries != want {
			t.Fatalf("wrong pin: %v, want %d attempts left", err, want)
		}
	}
	if err := register("0000"); !errors.Is(err, hwkey.ErrPINAuthBlocked) || errors.Is(err, hwkey.ErrPINBlocked) {
		t.Fatalf("third wrong pin in a row: %v, want ErrPINAuthBlocked", err)
	}
	if err := register("2468"); !errors.Is(err, hwkey.ErrPINAuthBlocked) {
		t.Fatalf("right pin before the power cycle: %v, want ErrPINAuthBlocked", err)
	}
	if info, err := s.Info(ctx, path); err != nil || info.PIN != "set" || info.PINRetries != 5 {
		t.Fatalf("info while blocked: %+v, %v; want set, 5 attempts left", info, err)
	}
	if err := s.PowerCycle(ctx, path); err != nil {
		t.Fatal(err)
	}
	if err := register("2468"); err != nil {
		t.Fatalf("right pin after the power cycle: %v", err)
	}
	if info, err := s.Info(ctx, path); err != nil || info.PINRetries != 8 {
		t.Fatalf("info after the right pin: %+v, %v; want 8 attempts left", info, err)
	}
	if err := s.PowerCycle(ctx, "/dev/hidraw9"); err == nil {
		t.Fatal("a physical key was power-cycled")
	}
}

// TestKeyServiceRefreshSeesCLIPin: a PIN set with 'vmfa key pin
// --virtual' in another process while the TUI runs shows on the next
// refresh (Devices, Info), and the TUI's key then asks for it.
func TestKeyServiceRefreshSeesCLIPin(t *testing.T) {
	store, vaultPath := testVaultStore(t)
	s, err := newKeyService("localhost", "alice", store.(tui.BlobStore), verifier.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	path := hwkey.VirtualPath(softkey.FIDO2)
	t.Cleanup(func() {
		hwkey.DetachVirtual(path)
		hwkey.DetachVirtual(hwkey.VirtualPath(softkey.U2FOnly))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Devices(ctx); err != nil {
		t.Fatal(err)
	}
	if info, err := s.Info(ctx, path); err != nil || info.PIN != "not set" {
		t.Fatalf("info %+v, %v", info, err)
	}
	env := []string{"VMFA_VAULT=" + vaultPath, "VMFA_PASSPHRASE=test passphrase"}
	if r := vmfa(t, env, "1234\n", "key", "pin", "--virtual", "--pin-stdin"); r.code != 0 {
		t.Fatalf("cli pin: %s", r.stderr)
	}
	if _, err := s.Devices(ctx); err != nil {
		t.Fatal(err)
	}
	if info, err := s.Info(ctx, path); err != nil || info.PIN != "set" || info.PINRetries != 8 {
		t.Fatalf("info after the cli set a pin: %+v, %v; want set, 8 attempts left", info, err)
	}
	if _, err := s.Register(ctx, tui.KeyRequest{Path: path, Touch: touchNow()}); !errors.Is(err, hwkey.ErrPINRequired) {
		t.Fatalf("register without the pin: %v, want ErrPINRequired", err)
	}
	if _, err := s.Register(ctx, tui.KeyRequest{Path: path, PIN: "1234", Touch: touchNow()}); err != nil {
		t.Fatal(err)
	}
}

// TestTUISecurityKeysQAFlows drives the real program through what QA
// found broken: a virtual U2F registration cancelled with esc, then
// retried and touched (it used to wait until the timeout); three wrong
// PINs on the virtual FIDO2 key, r to power-cycle it, then the right PIN.
func TestTUISecurityKeysQAFlows(t *testing.T) {
	tm, waitFor := startKeysTUI(t)
	enter := func() { tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter}) }
	waitFor("No accounts yet")
	devs, err := hwkey.List()
	if err != nil {
		t.Fatal(err)
	}
	physical := 0
	for _, d := range devs {
		if !d.Virtual {
			physical++
		}
	}
	tm.Type("F")
	waitFor("virtual u2f security key", "set (8 left)")
	for i := 0; i <= physical; i++ {
		tm.Type("j") // the u2f key, after the fido2 one
	}
	enter()
	waitFor("Press t to touch it")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc})
	waitFor("Choose the key you inserted")
	enter()
	waitFor("Press t to touch it")
	tm.Type("t")
	waitFor("Touched: the key made a credential", "fido-u2f")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc}) // discard: nothing bound
	waitFor("Choose the key you inserted")

	tm.Type("k") // the fido2 key, with a PIN
	enter()
	waitFor("The key asks for its PIN")
	for _, left := range []string{"7 attempts left", "6 attempts left"} {
		tm.Type("0000")
		enter()
		waitFor("wrong pin: " + left)
	}
	tm.Type("0000")
	enter()
	waitFor("too many wrong pins in a row", "5 attempts left", "Press r to power-cycle")
	tm.Type("r")
	waitFor("power-cycled", "5 attempts left.")
	tm.Type("13579")
	enter()
	waitFor("Press t to touch it")
	tm.Type("t")
	waitFor("Touched: the key made a credential", "packed")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc})
	waitFor("Choose the key you inserted")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEsc})
	waitFor("No accounts yet")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// startKeysTUI runs the real program on a vault whose virtual FIDO2 key
// has the PIN 13579, with the real key service for user alice at
// localhost. waitFor blocks until a screen drawn since the last call
// holds every string, and returns that screen.
func startKeysTUI(t *testing.T) (*teatest.TestModel, func(what ...string) string) {
	t.Helper()
	store, vpath := testVaultStore(t)
	tm, waitFor := startKeysTUIWith(t, store, vpath, filepath.Join(t.TempDir(), "verifier.json"))
	return tm, waitFor
}

// startKeysTUIWith runs the TUI over store (the vault at vpath, whose
// virtual fido2 key gets the PIN 13579) with the verifier state file
// statePath.
func startKeysTUIWith(t *testing.T, store tui.Store, vpath, statePath string) (*teatest.TestModel, func(what ...string) string) {
	t.Helper()
	t.Cleanup(func() {
		hwkey.DetachVirtual(hwkey.VirtualPath(softkey.FIDO2))
		hwkey.DetachVirtual(hwkey.VirtualPath(softkey.U2FOnly))
	})
	if store.(tui.BlobStore).Blob(hwkey.BlobName(softkey.FIDO2)) == nil {
		setUpVirtualKey(t, store)
	}
	return runKeysTUI(t, store, vpath, statePath)
}

// setUpVirtualKey keeps a virtual fido2 key with the PIN 13579 in store.
func setUpVirtualKey(t *testing.T, store tui.Store) {
	t.Helper()
	k, err := softkey.New(softkey.FIDO2, softkey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kpath, err := hwkey.AttachVirtual(k)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hwkey.SetPIN(ctx, kpath, "13579"); err != nil {
		t.Fatal(err)
	}
	hwkey.DetachVirtual(kpath)
	state, err := k.State()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.(tui.BlobStore).SetBlob(hwkey.BlobName(softkey.FIDO2), state); err != nil {
		t.Fatal(err)
	}
}

func runKeysTUI(t *testing.T, store tui.Store, vpath, statePath string) (*teatest.TestModel, func(what ...string) string) {
	t.Helper()
	cfg := tui.Config{
		Open:      func(func(bool) ([]byte, error)) (tui.Store, error) { return store, nil },
		VaultPath: vpath,
		SecurityKeys: func(st tui.Store) tui.KeyService {
			vs, err := verifier.OpenFileStore(statePath)
			if err != nil {
				t.Error(err)
			}
			s, err := newKeyService("localhost", "alice", st.(tui.BlobStore), vs)
			if err != nil {
				t.Error(err)
			}
			return s
		},
		KeyTimeout:  20 * time.Second,
		NoAltScreen: true,
		Clipboard:   nopClipboard{},
	}
	var screens tuitest.Screens
	tm := teatest.NewTestModel(t, tuitest.Record(tui.New(cfg), &screens), teatest.WithInitialTermSize(120, 40))
	waitFor := func(what ...string) string {
		t.Helper()
		return screens.WaitFor(t, 20*time.Second, what...)
	}
	return tm, waitFor
}

// failingBlobs is a BlobStore whose writes fail while fail is set.
type failingBlobs struct {
	tui.BlobStore
	fail bool
}

func (f *failingBlobs) SetBlob(name string, data []byte) error {
	if f.fail {
		return errors.New("disk full")
	}
	return f.BlobStore.SetBlob(name, data)
}

func (f *failingBlobs) HoldBlob(name string) (func(), error) {
	return f.BlobStore.(blobHolder).HoldBlob(name)
}

// TestKeyServicePINAndPasskeys drives the TUI's PIN and passkey
// operations on the virtual key through real libfido2: the first PIN is
// set, a PIN attempt is saved to the vault before the key compares it (a
// vault that cannot be written leaves the PIN uncompared, and unchanged),
// the PIN is changed, and passkeys registered by the CLI are listed and
// one deleted.
func TestKeyServicePINAndPasskeys(t *testing.T) {
	store, vaultPath := testVaultStore(t)
	blobs := &failingBlobs{BlobStore: store.(tui.BlobStore)}
	s, err := newKeyService("localhost", "alice", blobs, verifier.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	path := hwkey.VirtualPath(softkey.FIDO2)
	t.Cleanup(func() {
		hwkey.DetachVirtual(path)
		hwkey.DetachVirtual(hwkey.VirtualPath(softkey.U2FOnly))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := s.Devices(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPIN(ctx, tui.KeyRequest{Path: path}, "13579"); err != nil {
		t.Fatal(err)
	}
	if info, err := s.Info(ctx, path); err != nil || info.PIN != "set" {
		t.Fatalf("after SetPIN: %+v %v", info, err)
	}
	if _, err := s.Credentials(ctx, tui.KeyRequest{Path: path, PIN: "0000"}); err == nil {
		t.Fatal("a wrong pin listed the passkeys")
	}

	blobs.fail = true
	if err := s.SetPIN(ctx, tui.KeyRequest{Path: path, PIN: "13579"}, "24680"); err == nil {
		t.Fatal("the pin changed although the attempt could not be saved")
	}
	blobs.fail = false
	if err := s.SetPIN(ctx, tui.KeyRequest{Path: path, PIN: "13579"}, "24680"); err != nil {
		t.Fatalf("the pin was compared (and changed) before its attempt was saved: %v", err)
	}

	env := []string{"VMFA_VAULT=" + vaultPath, "VMFA_PASSPHRASE=test passphrase"}
	for _, u := range []string{"carol", "dave"} {
		r := vmfa(t, env, "24680\n", "key", "register", "--virtual", "--resident", "--rp", "example.com", "--user", u, "--pin-stdin")
		if r.code != 0 {
			t.Fatalf("register %s: %s", u, r.stderr)
		}
	}
	creds, err := s.Credentials(ctx, tui.KeyRequest{Path: path, PIN: "24680"})
	if err != nil {
		t.Fatal(err)
	}
	if len(creds.Credentials) != 2 || creds.Existing != 2 || creds.Remaining <= 0 {
		t.Fatalf("passkeys %+v", creds)
	}
	var gone hwkey.ResidentCredential
	for _, c := range creds.Credentials {
		if c.UserName == "dave" {
			gone = c
		}
	}
	if gone.RPID != "example.com" {
		t.Fatalf("no passkey of dave at example.com in %+v", creds.Credentials)
	}
	if err := s.DeleteCredential(ctx, tui.KeyRequest{Path: path, PIN: "24680"}, gone.ID); err != nil {
		t.Fatal(err)
	}
	r := vmfa(t, env, "24680\n", "key", "creds", "list", "--virtual", "--pin-stdin")
	if r.code != 0 || !strings.Contains(r.stdout, "carol") || strings.Contains(r.stdout, "dave") {
		t.Fatalf("the CLI after the TUI's delete: %s%s", r.stdout, r.stderr)
	}
}
