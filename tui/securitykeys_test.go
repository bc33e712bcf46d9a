package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/verifier"
)

// fakeKeys is a KeyService with synthetic keys: PINs with retry
// counters, touches through KeyRequest.Touch, the verifier's one device
// per user, and injected failures. The real service (hwkey, libfido2,
// the verifier) is tested end to end in cmd/vmfa.
type fakeKeys struct {
	mu       sync.Mutex
	devs     []KeyDevice
	listErr  error
	infos    map[string]KeyInfo
	pins     map[string]string
	retries  map[string]int
	bad      map[string]int // wrong PINs in a row, since the last power cycle
	counters map[string]uint32
	bound    string
	regErr   error // Register fails with this
	bindErr  error // Bind refuses with this
	calls    []string
	creds    map[string][]hwkey.ResidentCredential
}

const (
	fakeVirtual  = "vmfa-virtual:fido2"
	fakeVirtualU = "vmfa-virtual:u2f"
	fakeYubiKey  = "/dev/hidraw3"
)

func newFakeKeys() *fakeKeys {
	return &fakeKeys{
		devs: []KeyDevice{
			{Path: fakeVirtual, Name: "virtual fido2 security key", Virtual: true},
			{Path: fakeVirtualU, Name: "virtual u2f security key", Virtual: true},
			{Path: fakeYubiKey, Name: "Yubico YubiKey OTP+FIDO+CCID", VendorID: 0x1050, ProductID: 0x0407},
		},
		infos: map[string]KeyInfo{
			fakeVirtual:  {Type: "fido2", Versions: []string{"U2F_V2", "FIDO_2_0"}, AAGUID: "560d1ec5-a51b-4bab-ba5c-990d7894ba9a", PIN: "not set", PINRetries: -1, Options: []string{"rk", "up"}},
			fakeVirtualU: {Type: "u2f", Versions: []string{"U2F_V2"}, PIN: "unsupported", PINRetries: -1},
			fakeYubiKey:  {Type: "fido2", Versions: []string{"U2F_V2", "FIDO_2_0", "FIDO_2_1"}, AAGUID: "cb69481e-8ff7-4039-93ec-0a2729a154a8", PIN: "set", PINRetries: 8, Options: []string{"rk", "up", "clientPin"}},
		},
		pins:     map[string]string{fakeYubiKey: "1234"},
		retries:  map[string]int{fakeYubiKey: 8},
		bad:      map[string]int{},
		counters: map[string]uint32{},
		creds:    map[string][]hwkey.ResidentCredential{},
	}
}

func (f *fakeKeys) Account() (string, string) { return "localhost", "alice" }

func (f *fakeKeys) Devices(ctx context.Context) ([]KeyDevice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "devices")
	return append([]KeyDevice(nil), f.devs...), f.listErr
}

func (f *fakeKeys) Info(ctx context.Context, path string) (KeyInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, ok := f.infos[path]
	if !ok {
		return KeyInfo{}, hwkey.ErrDeviceGone
	}
	if n, ok := f.retries[path]; ok {
		i.PINRetries = n
	}
	return i, nil
}

// use checks the PIN and waits for the touch, as a key does.
func (f *fakeKeys) use(ctx context.Context, req KeyRequest) error {
	f.mu.Lock()
	if want, ok := f.pins[req.Path]; ok {
		switch {
		case req.PIN == "":
			f.mu.Unlock()
			return hwkey.ErrPINRequired
		case f.retries[req.Path] <= 0:
			f.mu.Unlock()
			return hwkey.ErrPINBlocked
		case f.bad[req.Path] >= 3:
			f.mu.Unlock()
			return hwkey.ErrPINAuthBlocked
		case req.PIN != want:
			f.retries[req.Path]--
			f.bad[req.Path]++
			n, bad := f.retries[req.Path], f.bad[req.Path]
			f.mu.Unlock()
			switch {
			case n == 0:
				return hwkey.ErrPINBlocked
			case bad >= 3:
				return hwkey.ErrPINAuthBlocked
			}
			return &hwkey.PINError{Retries: n}
		}
		f.retries[req.Path], f.bad[req.Path] = 8, 0
	}
	f.mu.Unlock()
	if req.Touch != nil {
		select {
		case <-req.Touch:
		case <-ctx.Done():
			return &hwkey.TimeoutError{}
		}
	}
	return nil
}

func (f *fakeKeys) Register(ctx context.Context, req KeyRequest) (*KeyRegistration, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "register "+req.Path)
	bound, regErr := f.bound, f.regErr
	f.mu.Unlock()
	if bound != "" {
		return nil, verifier.ErrDeviceBound // BeginRegistration refuses before the key is asked
	}
	if regErr != nil {
		return nil, regErr
	}
	if err := f.use(ctx, req); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return &KeyRegistration{
		Path: req.Path, CredentialID: "q0Zx3cU5m8b5Lf3k", Format: "packed",
		AAGUID: f.infos[req.Path].AAGUID, CertSubject: "CN=vmfa virtual fido2 attestation,OU=Authenticator Attestation,O=vmfa",
		Counter: f.counters[req.Path], Response: []byte(`{"type":"public-key"}`),
	}, nil
}

func (f *fakeKeys) Bind(ctx context.Context, reg *KeyRegistration) (KeyBinding, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "bind "+reg.Path)
	if f.bindErr != nil {
		return KeyBinding{}, f.bindErr
	}
	f.bound = reg.Path
	return KeyBinding{Attestation: "basic", Counter: reg.Counter, BoundAt: testTime}, nil
}

func (f *fakeKeys) Authenticate(ctx context.Context, req KeyRequest) (KeyAssertion, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "authenticate "+req.Path)
	bound := f.bound
	f.mu.Unlock()
	if bound != req.Path {
		return KeyAssertion{}, verifier.ErrNoDevice
	}
	if err := f.use(ctx, req); err != nil {
		return KeyAssertion{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counters[req.Path]++
	return KeyAssertion{Counter: f.counters[req.Path], UserVerified: req.PIN != ""}, nil
}

func (f *fakeKeys) Unbind(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "unbind")
	if f.bound == "" {
		return verifier.ErrNoDevice
	}
	f.bound = ""
	return nil
}

func (f *fakeKeys) PowerCycle(ctx context.Context, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "power-cycle "+path)
	if !strings.HasPrefix(path, "vmfa-virtual:") {
		return errors.New("only a virtual key can be power-cycled")
	}
	f.bad[path] = 0
	return nil
}

func (f *fakeKeys) Binding(ctx context.Context) (*KeyBinding, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.bound == "" {
		return nil, nil
	}
	return &KeyBinding{Attestation: "basic", Counter: f.counters[f.bound], BoundAt: testTime, CredentialID: "q0Zx3cU5m8b5Lf3kWm2pQ7rT9vXyZa1b"}, nil
}

func (f *fakeKeys) SetPIN(ctx context.Context, req KeyRequest, pin string) error {
	f.mu.Lock()
	f.calls = append(f.calls, "set-pin "+req.Path)
	if f.infos[req.Path].Type != "fido2" {
		f.mu.Unlock()
		return hwkey.ErrUnsupported
	}
	_, has := f.pins[req.Path]
	f.mu.Unlock()
	if has {
		if req.PIN == "" {
			return hwkey.ErrPINSet
		}
		if err := f.use(ctx, KeyRequest{Path: req.Path, PIN: req.PIN}); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pins[req.Path], f.retries[req.Path] = pin, 8
	i := f.infos[req.Path]
	i.PIN = "set"
	f.infos[req.Path] = i
	return nil
}

func (f *fakeKeys) Credentials(ctx context.Context, req KeyRequest) (*hwkey.ResidentCredentials, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "creds "+req.Path)
	_, has := f.pins[req.Path]
	f.mu.Unlock()
	if !has {
		return nil, hwkey.ErrPINNotSet
	}
	if err := f.use(ctx, KeyRequest{Path: req.Path, PIN: req.PIN}); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &hwkey.ResidentCredentials{Credentials: append([]hwkey.ResidentCredential(nil), f.creds[req.Path]...), Remaining: 25}
	out.Existing = len(out.Credentials)
	out.Remaining -= out.Existing
	return out, nil
}

func (f *fakeKeys) DeleteCredential(ctx context.Context, req KeyRequest, id []byte) error {
	if err := f.use(ctx, KeyRequest{Path: req.Path, PIN: req.PIN}); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "delete "+string(id))
	for i, c := range f.creds[req.Path] {
		if string(c.ID) == string(id) {
			f.creds[req.Path] = append(f.creds[req.Path][:i:i], f.creds[req.Path][i+1:]...)
			return nil
		}
	}
	return hwkey.ErrNoCredentials
}

// withPasskeys puts two passkeys on the fake YubiKey.
func withPasskeys(f *fakeKeys) {
	f.creds[fakeYubiKey] = []hwkey.ResidentCredential{
		{RPID: "github.com", ID: []byte("cred-gh"), UserName: "alice", DisplayName: "Alice Liddell"},
		{RPID: "login.example.org", ID: []byte("cred-ex"), UserName: "alice@example.org"},
	}
}

// withVirtualPIN gives the fake virtual FIDO2 key the PIN 2468 with
// retries attempts left.
func withVirtualPIN(retries int) func(*fakeKeys) {
	return func(f *fakeKeys) {
		f.pins[fakeVirtual], f.retries[fakeVirtual] = "2468", retries
		i := f.infos[fakeVirtual]
		i.PIN, i.Options = "set", append(i.Options, "clientPin")
		f.infos[fakeVirtual] = i
	}
}

// newKeysModel opens the main screen with svc behind key F; the
// spinner's timer never runs.
func newKeysModel(t testing.TB, w, h int, svc KeyService) Model {
	t.Helper()
	env := &testEnv{store: newFakeStore(sampleAccounts()...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	cfg := testConfig(env.store, env)
	cfg.SecurityKeys = func(Store) KeyService { return svc }
	cfg.KeyTimeout = 5 * time.Second
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = drive(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	m = run(t, m, m.Init())
	m.keys = newKeysScreen(m.st, svc, cfg.KeyTimeout, env.clock.Now)
	m.keys.spinTick = func(spinner.Model) tea.Cmd { return nil }
	return m
}

// hold sends keys without running the commands they return, which are
// handed back: an operation that waits for a touch is left pending
// while the screen shows its prompt.
func hold(t testing.TB, m Model, spec string) (Model, []tea.Cmd) {
	t.Helper()
	var cmds []tea.Cmd
	for _, msg := range keys(spec) {
		nm, cmd := m.Update(msg)
		m = nm.(Model)
		if cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	return m, cmds
}

// flush runs held commands (a touch given before is already queued).
func flush(t testing.TB, m Model, cmds []tea.Cmd) Model {
	t.Helper()
	return run(t, m, tea.Batch(cmds...))
}

// TestSecurityKeysFlow walks the console's binding flow with synthetic
// keys: list → select → register → touch → PIN → confirm → bound →
// authenticate, and the ways out.
func TestSecurityKeysFlow(t *testing.T) {
	type step struct {
		keys string
		// hold leaves the commands the keys return pending (an
		// operation waiting for a touch); otherwise each key's commands
		// run at once, then the pending ones.
		hold   bool
		phase  keysPhase
		want   []string // in the view
		absent []string
	}
	tests := []struct {
		name  string
		setup func(*fakeKeys)
		steps []step
		calls []string
	}{
		{
			name: "virtual key: touch confirmed on screen, bind, authenticate twice",
			steps: []step{
				{keys: "F", phase: keysList, want: []string{"virtual fido2 security key", "Yubico", "set (8 left)", "560d1ec5-a51b-4bab-ba5c-990d7894ba9a"}},
				{keys: "<enter>", hold: true, phase: keysTouch, want: []string{"Touch your security key", "Press t to touch it", "● 2 Touch it"}},
				{keys: "t", phase: keysConfirm, want: []string{"Touched", "packed", "Bind it as alice's MFA device at localhost?"}},
				{keys: "<enter>", phase: keysResult, want: []string{"✓ Bound", "Verified", "✓ by the verifier", "basic: chains to a trusted root", "CN=vmfa virtual fido2 attestation", "Counter      0"}},
				{keys: "a", hold: true, phase: keysTouch, want: []string{"sign in as alice at localhost", "5 Authenticate"}},
				{keys: "t", phase: keysResult, want: []string{"✓ Authenticated", "Counter      1 (was 0)"}},
				{keys: "a", hold: true, phase: keysTouch},
				{keys: "t", phase: keysResult, want: []string{"Counter      2 (was 1)"}},
				{keys: "<esc>", phase: keysList, want: []string{"bound", "virtual fido2 security key is bound to alice"}},
				{keys: "<esc>", phase: keysList},
			},
			calls: []string{"devices", "register " + fakeVirtual, "bind " + fakeVirtual, "authenticate " + fakeVirtual, "authenticate " + fakeVirtual},
		},
		{
			name: "key with a pin: required, wrong with retries left, right; remembered for authenticate",
			steps: []step{
				{keys: "Fjj<enter>", phase: keysPIN, want: []string{"The key asks for its PIN", "PIN"}},
				{keys: "0000<enter>", phase: keysPIN, want: []string{"wrong pin: 7 attempts left"}, absent: []string{"0000"}},
				{keys: "<enter>", phase: keysPIN, want: []string{"type the key's pin"}},
				{keys: "1234", phase: keysPIN, want: []string{"••••"}, absent: []string{"1234"}},
				{keys: "<enter>", phase: keysConfirm, want: []string{"Touched"}},
				{keys: "y", phase: keysResult, want: []string{"✓ Bound: Yubico"}},
				{keys: "a", phase: keysResult, want: []string{"✓ Authenticated", "user verified"}},
			},
			calls: []string{"devices", "register " + fakeYubiKey, "register " + fakeYubiKey, "register " + fakeYubiKey, "bind " + fakeYubiKey, "authenticate " + fakeYubiKey},
		},
		{
			name: "the pin prompt says the attempts left; back on the list the key's info is fresh",
			steps: []step{
				{keys: "Fjj<enter>", phase: keysPIN, want: []string{"8 attempts left."}},
				{keys: "0000<enter>", phase: keysPIN, want: []string{"wrong pin: 7 attempts left"}},
				{keys: "<esc>", phase: keysList, want: []string{"set (7 left)"}},
			},
		},
		{
			name: "auto-touch: the virtual key touches itself",
			steps: []step{
				{keys: "FT", phase: keysList, want: []string{"touch automatically"}},
				{keys: "<enter>", phase: keysConfirm},
				{keys: "<enter>", phase: keysResult, want: []string{"✓ Bound"}},
			},
		},
		{
			name: "the verifier refuses the attestation: ✗ with what to do, nothing bound",
			setup: func(f *fakeKeys) {
				f.bindErr = fmt.Errorf("%w: x509: certificate signed by unknown authority", verifier.ErrUntrustedAttestation)
			},
			steps: []step{
				{keys: "FT<enter>", phase: keysConfirm},
				{keys: "<enter>", phase: keysResult, want: []string{"✗ Not bound", "✗ refused by the verifier", "attestation certificate does not chain", "What to do"}, absent: []string{"✓ Bound"}},
				{keys: "<esc>", phase: keysList, absent: []string{"is bound to"}},
			},
		},
		{
			name: "one device per user: a second key is refused, u unbinds, then it binds",
			steps: []step{
				{keys: "FT<enter>", phase: keysConfirm},
				{keys: "<enter>", phase: keysResult},
				{keys: "<esc>j<enter>", phase: keysError, want: []string{"Could not register the key", "already has an mfa device", "Press u to"}},
				{keys: "u", phase: keysError, want: []string{"Unbind virtual fido2 security key from alice? y/n"}},
				{keys: "y", phase: keysList, want: []string{"unbound virtual fido2 security key from alice"}, absent: []string{"is bound to"}},
				{keys: "<enter>", phase: keysConfirm},
				{keys: "<enter>", phase: keysResult, want: []string{"✓ Bound: virtual u2f security key"}},
			},
			calls: []string{"devices", "register " + fakeVirtual, "bind " + fakeVirtual, "register " + fakeVirtualU, "unbind", "register " + fakeVirtualU, "bind " + fakeVirtualU},
		},
		{
			name: "esc while waiting for a touch cancels; the late result is dropped",
			steps: []step{
				{keys: "F", phase: keysList},
				{keys: "<enter><esc>", hold: true, phase: keysList},
				{keys: "", phase: keysList, absent: []string{"Touched", "Could not"}},
			},
		},
		{
			name:  "a key error is shown with what to do, r retries",
			setup: func(f *fakeKeys) { f.regErr = hwkey.ErrDevice },
			steps: []step{
				{keys: "F<enter>", phase: keysError, want: []string{"Could not register the key", "communication with the security key failed", "Reinsert the key and press r"}},
				{keys: "r", phase: keysError},
				{keys: "<esc>", phase: keysList},
			},
			calls: []string{"devices", "register " + fakeVirtual, "register " + fakeVirtual},
		},
		{
			name:  "three wrong pins in a row: blocked until the virtual key is power-cycled (r), attempts kept, then the right pin works",
			setup: withVirtualPIN(8),
			steps: []step{
				{keys: "F<enter>", phase: keysPIN},
				{keys: "0000<enter>0000<enter>", phase: keysPIN, want: []string{"wrong pin: 6 attempts left"}},
				{keys: "0000<enter>", phase: keysError, want: []string{"too many wrong pins in a row", "5 attempts left", "Press r to power-cycle the virtual key"}, absent: []string{"vmfa key reset"}},
				{keys: "r", phase: keysPIN, want: []string{"power-cycled", "5 attempts left."}},
				{keys: "2468<enter>", hold: true, phase: keysTouch},
				{keys: "t", phase: keysConfirm, want: []string{"Touched"}},
			},
			calls: []string{"devices", "register " + fakeVirtual, "register " + fakeVirtual, "register " + fakeVirtual, "register " + fakeVirtual,
				"power-cycle " + fakeVirtual, "register " + fakeVirtual, "register " + fakeVirtual},
		},
		{
			name:  "no attempts left: blocked for good, reset with 'vmfa key reset --virtual'; r does not power-cycle",
			setup: withVirtualPIN(1),
			steps: []step{
				{keys: "F<enter>", phase: keysPIN},
				{keys: "0000<enter>", phase: keysError, want: []string{"pin blocked after too many wrong attempts", "0 attempts left", "reset --virtual'"}, absent: []string{"power-cycle"}},
				{keys: "r", phase: keysPIN},
			},
			calls: []string{"devices", "register " + fakeVirtual, "register " + fakeVirtual, "register " + fakeVirtual},
		},
		{
			name: "u asks before unbinding: n keeps the key bound, y unbinds and says so",
			steps: []step{
				{keys: "FT<enter><enter><esc>", phase: keysList, want: []string{"is bound to alice"}},
				{keys: "u", phase: keysList, want: []string{"Unbind virtual fido2 security key from alice? y/n"}},
				{keys: "n", phase: keysList, want: []string{"is bound to alice"}, absent: []string{"? y/n"}},
				{keys: "u", phase: keysList, want: []string{"? y/n"}},
				{keys: "y", phase: keysList, want: []string{"✓ unbound virtual fido2 security key from alice"}, absent: []string{"is bound to", "? y/n"}},
				{keys: "j", phase: keysList, absent: []string{"unbound"}},
			},
			calls: []string{"devices", "register " + fakeVirtual, "bind " + fakeVirtual, "unbind"},
		},
		{
			name: "? shows every key of the screen, ? again hides it",
			steps: []step{
				{keys: "F?", phase: keysList, want: []string{"Keys (? hides)", "touch the virtual key", "authenticate", "unbind", "refresh / retry", "delete a passkey (in c)", "esc    back"}},
				{keys: "?", phase: keysList, absent: []string{"Keys (? hides)"}},
			},
		},
		{
			name:  "no key and an inaccessible one",
			setup: func(f *fakeKeys) { f.devs = nil; f.listErr = hwkey.ErrNotAccessible },
			steps: []step{
				{keys: "F", phase: keysList, want: []string{"not accessible", "No security key found"}},
				{keys: "<enter>", phase: keysList},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newFakeKeys()
			if tt.setup != nil {
				tt.setup(svc)
			}
			m := newKeysModel(t, 100, 30, svc)
			var pending []tea.Cmd
			for i, st := range tt.steps {
				if st.hold {
					var cmds []tea.Cmd
					m, cmds = hold(t, m, st.keys)
					pending = append(pending, cmds...)
				} else {
					m = press(t, m, st.keys)
					m = flush(t, m, pending)
					pending = nil
				}
				if i == len(tt.steps)-1 && st.keys == "<esc>" && m.state == stateMain {
					break
				}
				if m.state != stateSecurityKeys {
					if st.keys == "<esc>" && i == len(tt.steps)-1 {
						break
					}
					t.Fatalf("step %d (%q): state %v, want the security keys screen", i, st.keys, m.state)
				}
				if m.keys.phase != st.phase {
					t.Fatalf("step %d (%q): phase %d, want %d\n%s", i, st.keys, m.keys.phase, st.phase, viewText(m))
				}
				v := viewText(m)
				for _, w := range st.want {
					if !strings.Contains(v, w) {
						t.Errorf("step %d (%q): view lacks %q\n%s", i, st.keys, w, v)
					}
				}
				for _, a := range st.absent {
					if strings.Contains(v, a) {
						t.Errorf("step %d (%q): view shows %q\n%s", i, st.keys, a, v)
					}
				}
			}
			if tt.calls != nil {
				svc.mu.Lock()
				got := strings.Join(svc.calls, ", ")
				svc.mu.Unlock()
				if want := strings.Join(tt.calls, ", "); got != want {
					t.Errorf("calls:\n got %s\nwant %s", got, want)
				}
			}
		})
	}
}

// TestSecurityKeysBackToMain: esc on the list returns to the accounts,
// and F again reuses the screen (the bound key is remembered).
func TestSecurityKeysBackToMain(t *testing.T) {
	svc := newFakeKeys()
	m := newKeysModel(t, 80, 24, svc)
	m = press(t, m, "FT<enter><enter><enter>")
	if m.keys.bound == nil {
		t.Fatalf("not bound:\n%s", viewText(m))
	}
	m = press(t, m, "<esc><esc>")
	if m.state != stateMain {
		t.Fatalf("state %v after esc esc, want main", m.state)
	}
	m = press(t, m, "F")
	if m.state != stateSecurityKeys || !strings.Contains(viewText(m), "is bound to alice") {
		t.Fatalf("reopened screen forgot the bound key:\n%s", viewText(m))
	}
}

// TestSecurityKeysTimeout: nobody touches the virtual key; the deadline
// ends the wait with an error that says what to do.
func TestSecurityKeysTimeout(t *testing.T) {
	svc := newFakeKeys()
	m := newKeysModel(t, 80, 24, svc)
	m.keys.timeout = 50 * time.Millisecond
	m = press(t, m, "F<enter>")
	if m.keys.phase != keysError || !errors.Is(m.keys.err, hwkey.ErrTimeout) {
		t.Fatalf("phase %d err %v, want a timeout", m.keys.phase, m.keys.err)
	}
	if v := viewText(m); !strings.Contains(v, "timed out waiting for a touch") || !strings.Contains(v, "press t") {
		t.Fatalf("timeout view:\n%s", v)
	}
}

// TestSecurityKeysPIN sets the virtual key's first PIN and changes the
// YubiKey's, with the form's checks and a wrong current PIN sent back to
// the form.
func TestSecurityKeysPIN(t *testing.T) {
	svc := newFakeKeys()
	m := newKeysModel(t, 80, 24, svc)
	m = press(t, m, "F")
	m = press(t, m, "p")
	if m.keys.phase != keysNewPIN || m.keys.pinForm.hasOld {
		t.Fatalf("p on a key without a pin: phase %v, hasOld %v", m.keys.phase, m.keys.pinForm.hasOld)
	}
	m = press(t, m, "12<tab>12<enter>")
	if v := viewText(m); !strings.Contains(v, "4 to 63 characters") {
		t.Fatalf("a short pin was not refused:\n%s", v)
	}
	m = press(t, m, "<tab>34<tab>34<enter>")
	if v := viewText(m); m.keys.phase != keysList || !strings.Contains(v, "pin set on virtual fido2 security key") || !strings.Contains(v, "set (8 left)") {
		t.Fatalf("after setting the pin: phase %v\n%s", m.keys.phase, v)
	}
	if svc.pins[fakeVirtual] != "1234" {
		t.Fatalf("the key's pin is %q", svc.pins[fakeVirtual])
	}

	// Change the YubiKey's PIN: a wrong current PIN costs an attempt and
	// returns to the form.
	m = press(t, m, "jjp")
	if !m.keys.pinForm.hasOld {
		t.Fatal("the form for a key with a pin does not ask the current one")
	}
	m = press(t, m, "0000<tab>5678<tab>5678<enter>")
	if v := viewText(m); m.keys.phase != keysNewPIN || !strings.Contains(v, "7 attempts left") {
		t.Fatalf("wrong current pin: phase %v\n%s", m.keys.phase, v)
	}
	m = press(t, m, "1234<tab><tab><enter>")
	if v := viewText(m); !strings.Contains(v, "pin changed on Yubico") || svc.pins[fakeYubiKey] != "5678" {
		t.Fatalf("after the change (pin %q):\n%s", svc.pins[fakeYubiKey], v)
	}
	// The new PIN is remembered for the session: the passkeys open
	// without asking it.
	m = press(t, m, "c")
	if m.keys.phase != keysCreds {
		t.Fatalf("c after a pin change: phase %v\n%s", m.keys.phase, viewText(m))
	}
}

// TestSecurityKeysPasskeys lists the YubiKey's passkeys (after its PIN)
// and deletes one after the question; n keeps it.
func TestSecurityKeysPasskeys(t *testing.T) {
	svc := newFakeKeys()
	withPasskeys(svc)
	m := newKeysModel(t, 80, 24, svc)
	m = press(t, m, "F")
	m = press(t, m, "jjc")
	if m.keys.phase != keysPIN {
		t.Fatalf("passkeys without the pin: phase %v", m.keys.phase)
	}
	m = press(t, m, "1234<enter>")
	v := viewText(m)
	for _, want := range []string{"github.com", "alice (Alice Liddell)", "login.example.org", "2 on the key, room for 23 more"} {
		if !strings.Contains(v, want) {
			t.Fatalf("passkeys view lacks %q:\n%s", want, v)
		}
	}
	m = press(t, m, "jdn")
	if len(svc.creds[fakeYubiKey]) != 2 {
		t.Fatal("n deleted the passkey")
	}
	m = press(t, m, "d")
	if v := viewText(m); !strings.Contains(v, "Delete the passkey of alice@example.org at login.example.org?") {
		t.Fatalf("no question:\n%s", v)
	}
	m = press(t, m, "y")
	if got := svc.creds[fakeYubiKey]; len(got) != 1 || got[0].RPID != "github.com" {
		t.Fatalf("after deleting: %+v", got)
	}
	if v := viewText(m); !strings.Contains(v, "deleted the passkey of alice@example.org") || strings.Contains(v, "login.example.org ") {
		t.Fatalf("after deleting:\n%s", v)
	}
	m = press(t, m, "<esc>")
	if m.keys.phase != keysList {
		t.Fatalf("esc from the passkeys: phase %v", m.keys.phase)
	}
	// A key without a PIN: credential management needs one.
	m = press(t, m, "kkc")
	if v := viewText(m); !strings.Contains(v, "Could not read the passkeys") || !strings.Contains(v, "p on the key") {
		t.Fatalf("passkeys of a key without a pin:\n%s", v)
	}
}

// TestSecurityKeysBoundElsewhere: a binding made before the session (the
// CLI, an earlier TUI) is read from the verifier; a authenticates with
// the selected key, which then is the bound one; an unbind elsewhere
// shows on a refresh.
func TestSecurityKeysBoundElsewhere(t *testing.T) {
	svc := newFakeKeys()
	svc.bound = fakeVirtual
	m := newKeysModel(t, 80, 24, svc)
	m = press(t, m, "FT")
	if v := viewText(m); !strings.Contains(v, "alice has a key bound (") {
		t.Fatalf("no binding shown:\n%s", v)
	}
	m = press(t, m, "a")
	if v := viewText(m); m.keys.auth == nil || !strings.Contains(v, "Authenticated") {
		t.Fatalf("a on the bound key: phase %v\n%s", m.keys.phase, v)
	}
	m = press(t, m, "<esc>")
	if v := viewText(m); !strings.Contains(v, "virtual fido2 security key is bound to alice") {
		t.Fatalf("after signing the bound key is not named:\n%s", v)
	}
	svc.bound = ""
	m = press(t, m, "r")
	if m.keys.bound != nil {
		t.Fatal("an unbind elsewhere did not show on a refresh")
	}
}

func TestSecurityKeysUnavailable(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "F")
	if m.state != stateMain || !strings.Contains(viewText(m), "security keys are not available") {
		t.Fatalf("F without a service: state %v\n%s", m.state, viewText(m))
	}
}

// TestGoldenKeys renders the security keys screens at 80×24, 120×40 and
// 40×15 (where lines wrap or the layout narrows instead of cutting text).
// Rewrite with: go test ./tui -run GoldenKeys -update
func TestGoldenKeys(t *testing.T) {
	cases := []struct {
		name  string
		setup func(*fakeKeys)
		keys  []string // each element is held, then run unless it ends in "!"
	}{
		{name: "list", keys: []string{"F"}},
		{name: "touch", keys: []string{"F", "<enter>!"}},
		{name: "touch-physical", keys: []string{"F", "jjj<enter>", "1234<enter>!"}},
		{name: "pin", keys: []string{"F", "jj<enter>"}},
		{name: "pin-wrong", keys: []string{"F", "jj<enter>", "0000<enter>", "12"}},
		{name: "confirm", keys: []string{"FT", "<enter>"}},
		{name: "result", keys: []string{"FT", "<enter>", "<enter>"}},
		{name: "result-authenticated", keys: []string{"FT", "<enter>", "<enter>", "a", "a"}},
		{name: "result-refused", setup: func(f *fakeKeys) {
			f.bindErr = fmt.Errorf("%w: x509: certificate signed by unknown authority", verifier.ErrUntrustedAttestation)
		}, keys: []string{"FT", "<enter>", "<enter>"}},
		{name: "error-timeout", setup: func(f *fakeKeys) { f.regErr = &hwkey.TimeoutError{} }, keys: []string{"F", "<enter>"}},
		{name: "error-bound", keys: []string{"FT", "<enter>", "<enter>", "<esc>j<enter>"}},
		{name: "error-pin-auth-blocked", setup: withVirtualPIN(8), keys: []string{"F", "<enter>", "0000<enter>", "0000<enter>", "0000<enter>"}},
		{name: "error-pin-blocked", setup: withVirtualPIN(1), keys: []string{"F", "<enter>", "0000<enter>"}},
		{name: "unbind-ask", keys: []string{"FT", "<enter>", "<enter>", "<esc>", "u"}},
		{name: "unbound", keys: []string{"FT", "<enter>", "<enter>", "<esc>", "u", "y"}},
		{name: "help", keys: []string{"F", "?"}},
		{name: "pin-set-form", keys: []string{"F", "p", "1357<tab>135"}},
		{name: "pin-change-mismatch", keys: []string{"F", "jj", "p", "1234<tab>5678<tab>5679<enter>"}},
		{name: "passkeys-pin", setup: withPasskeys, keys: []string{"F", "jjc"}},
		{name: "passkeys", setup: withPasskeys, keys: []string{"F", "jjc", "1234<enter>", "j"}},
		{name: "passkeys-none", keys: []string{"F", "jjc", "1234<enter>"}},
		{name: "passkeys-delete-ask", setup: withPasskeys, keys: []string{"F", "jjc", "1234<enter>", "jd"}},
		{name: "bound-elsewhere", setup: func(f *fakeKeys) { f.bound = fakeVirtual }, keys: []string{"F"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {40, 15}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				svc := newFakeKeys()
				if c.setup != nil {
					c.setup(svc)
				}
				m := newKeysModel(t, size[0], size[1], svc)
				for _, k := range c.keys {
					if strings.HasSuffix(k, "!") {
						m, _ = hold(t, m, strings.TrimSuffix(k, "!"))
						continue
					}
					m = press(t, m, k)
				}
				golden.RequireEqual(t, []byte(viewText(m)))
			})
		}
	}
}

// FuzzSecurityKeys drives the security keys screen with arbitrary keys
// and sizes over the fake service (unconfirmed touches time out at once):
// nothing panics and every view fits the terminal's height.
func FuzzSecurityKeys(f *testing.F) {
	for _, s := range []string{"F\x00t\x00a\x00", "FT\x00\x00a", "Fjj\x000000\x001234\x00y", "FT\x00\x00\x01j\x00u", "F\x01\x01", "Fp1234\x021234\x021234\x00", "Fjjp1234\x025678\x025678\x00", "Fjjc1234\x00jdy", "Fjjc\x01\x00dn"} {
		f.Add(s, uint8(80), uint8(24))
	}
	f.Fuzz(func(t *testing.T, in string, w, h uint8) {
		m := newKeysModel(t, 80, 24, newFakeKeys())
		m.keys.timeout = time.Millisecond
		m = drive(t, m, tea.WindowSizeMsg{Width: int(w), Height: int(h)})
		for _, b := range []byte(in) {
			if m.quitting {
				return
			}
			var msg tea.KeyPressMsg
			switch {
			case int(b) < len(fuzzKeys):
				msg = fuzzKeys[b]
			case b == 'q' || b == 0x7f:
				continue
			default:
				msg = tea.KeyPressMsg{Code: rune(b), Text: string(rune(b))}
			}
			m = drive(t, m, msg)
			v := viewText(m)
			if w > 0 && h > 0 {
				if n := strings.Count(v, "\n") + 1; n > int(h) {
					t.Fatalf("%d lines at height %d", n, h)
				}
			}
		}
	})
}

// TestSecurityKeysCountdown: the touch prompt counts down to the
// operation's deadline on the injected clock.
func TestSecurityKeysCountdown(t *testing.T) {
	m := newKeysModel(t, 80, 24, newFakeKeys())
	clk := &testClock{t: testTime}
	m.keys.now = clk.Now
	m = press(t, m, "F")
	m, _ = hold(t, m, "<enter>")
	for _, c := range []struct {
		advance time.Duration
		want    string
	}{{0, "gives up in 5s"}, {1500 * time.Millisecond, "gives up in 4s"}, {3 * time.Second, "gives up in 1s"}, {time.Hour, "gives up in 0s"}} {
		clk.Add(c.advance)
		if v := viewText(m); !strings.Contains(v, c.want) {
			t.Errorf("after %v: view lacks %q\n%s", c.advance, c.want, v)
		}
	}
	m = press(t, m, "<esc>")
}

// TestSecurityKeysPasskeysScroll: at 40×15 the passkeys list shows the
// rows that fit and keeps the cursor's in view.
func TestSecurityKeysPasskeysScroll(t *testing.T) {
	svc := newFakeKeys()
	for i := range 6 {
		svc.creds[fakeYubiKey] = append(svc.creds[fakeYubiKey], hwkey.ResidentCredential{RPID: fmt.Sprintf("site%d.example", i), ID: []byte{byte(i)}, UserName: "alice"})
	}
	m := newKeysModel(t, 40, 15, svc)
	m = press(t, m, "F")
	m = press(t, m, "jjc")
	m = press(t, m, "1234<enter>")
	v := viewText(m)
	if !strings.Contains(v, "site0.example") || !strings.Contains(v, "site1.example") {
		t.Fatalf("the first rows are not shown at 40x15:\n%s", v)
	}
	m = press(t, m, "jjjjj")
	v = viewText(m)
	if !strings.Contains(v, "▸ site5.example") || strings.Count(v, "\n")+1 > 15 {
		t.Fatalf("the cursor's row is not in view (or the view is too tall):\n%s", v)
	}
}
