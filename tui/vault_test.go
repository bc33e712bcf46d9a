package tui

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/vault"
)

var cheapKDF = &vault.KDFParams{Algorithm: "argon2id", Time: 1, MemoryKiB: 64, Threads: 1}

// TestRealVault drives the TUI against a real passphrase vault in a temp
// dir: create it on the passphrase screen, add, favourite, reorder,
// generate HOTP, delete, then reopen with a wrong and a right passphrase.
func TestRealVault(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	opts := vault.Options{Path: path, Create: vault.PassphraseSource, KDF: cheapKDF, Backups: -1, Now: func() time.Time { return testTime }}
	env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	newModel := func() Model {
		cfg := testConfig(nil, env)
		cfg.Open = OpenVault(opts)
		m := New(cfg)
		m.tick = func(int) tea.Cmd { return nil }
		m = drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
		return run(t, m, m.Init())
	}

	m := newModel()
	if m.state != statePassphrase || !strings.Contains(viewText(m), "Create the vault") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	m = press(t, m, "hunter22<enter>hunter22<enter>")
	if m.state != stateMain {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	m = press(t, m, "au"+qrGitHubURI+"<enter><enter>")
	m = press(t, m, "au"+"otpauth://hotp/Bank:hw?secret=JBSWY3DPEHPK3PXP&counter=4"+"<enter><enter>")
	m = press(t, m, "am"+"Corp<tab>dave<tab>MFRGGZDFMZTWQ2LK<enter>")
	if len(m.main.all) != 3 {
		t.Fatalf("%d accounts after adding 3", len(m.main.all))
	}
	// Corp is selected: pin it, then generate the HOTP code.
	m = press(t, m, "f")
	if m.main.all[0].Name != "dave" || !m.main.all[0].Favourite {
		t.Fatalf("order %v", ids(m.main.all))
	}
	m = press(t, m, "j")
	if a, _ := m.main.selected(); a.Type != vault.HOTP {
		t.Fatalf("selected %+v", a)
	}
	m = press(t, m, "<enter>c")
	// Move Bank below octocat, then delete it (now last).
	m = press(t, m, "J")
	if m.main.all[2].Type != vault.HOTP || m.main.all[2].Counter != 6 { // current and next handed out
		t.Fatalf("Bank not moved down with its saved counter: %+v", m.main.all[2])
	}
	m = press(t, m, "Gdy")

	m = newModel()
	m = press(t, m, "wrong<enter>")
	if m.state != statePassphrase || !strings.Contains(viewText(m), "wrong passphrase") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	m = press(t, m, "hunter22<enter>")
	if m.state != stateMain {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	var names []string
	for _, a := range m.main.all {
		names = append(names, a.Label())
	}
	if got := strings.Join(names, ", "); got != "Corp: dave, GitHub: octocat" {
		t.Errorf("reopened vault holds %q", got)
	}
	if env.clip.last() == "" {
		t.Error("the HOTP code was not copied")
	}
}

// TestOpenVaultEnvPassphrase: a passphrase from the environment is used
// first; when it is wrong, the one typed on the passphrase screen wins.
func TestOpenVaultEnvPassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	create := vault.Options{Path: path, Create: vault.PassphraseSource, KDF: cheapKDF, Backups: -1,
		Passphrase: func(bool) ([]byte, error) { return []byte("right"), nil }}
	if _, err := vault.Open(create); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		env       string
		wantState state
	}{{"right", stateMain}, {"wrong", statePassphrase}} {
		env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
		cfg := testConfig(nil, env)
		envPass := tt.env
		cfg.Open = OpenVault(vault.Options{Path: path, Backups: -1, Passphrase: func(bool) ([]byte, error) { return []byte(envPass), nil }})
		m := New(cfg)
		m.tick = func(int) tea.Cmd { return nil }
		m = run(t, m, m.Init())
		if m.state != tt.wantState {
			t.Fatalf("env %q: state %v", tt.env, m.state)
		}
		if m.state == statePassphrase {
			m = press(t, m, "right<enter>")
			if m.state != stateMain {
				t.Errorf("typed passphrase did not win: state %v", m.state)
			}
		}
	}
}

// TestReloadPicksUpOtherProcesses: an account added by another process
// (the CLI) appears within ReloadEvery ticks, without leaving the list.
func TestReloadPicksUpOtherProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	pass := func(bool) ([]byte, error) { return []byte("pw"), nil }
	opts := vault.Options{Path: path, Create: vault.PassphraseSource, KDF: cheapKDF, Backups: -1, Passphrase: pass}
	env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	cfg := testConfig(nil, env)
	cfg.Open = OpenVault(opts)
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = run(t, m, m.Init())
	if m.state != stateMain {
		t.Fatalf("state %v", m.state)
	}
	m = press(t, m, "/other") // the filter stays as typed across a reload

	other, err := vault.Open(vault.Options{Path: path, Backups: -1, Passphrase: pass})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Add(vault.Account{Issuer: "Other", Name: "process", Secret: mustSecret("JBSWY3DPEHPK3PXP")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < ReloadEvery; i++ {
		m = drive(t, m, tickMsg{tag: m.tickTag})
	}
	if len(m.main.all) != 1 || len(m.main.visible) != 1 || m.main.filter.Value() != "other" {
		t.Fatalf("after reload: %d accounts, %d visible, filter %q", len(m.main.all), len(m.main.visible), m.main.filter.Value())
	}
}

// noKeyring is a keyring that is not there.
type noKeyring struct{}

func (noKeyring) Get(string, string) (string, error) {
	return "", errors.New("dbus: no secret service")
}
func (noKeyring) Set(string, string, string) error { return errors.New("dbus: no secret service") }
func (noKeyring) Delete(string, string) error      { return errors.New("dbus: no secret service") }

// TestNoKeyringFirstRun: with no keyring and no vault yet, the error
// screen offers a passphrase vault instead, and p creates one.
func TestNoKeyringFirstRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	opts := vault.Options{Path: path, Create: vault.Auto, Keys: noKeyring{}, KDF: cheapKDF, Backups: -1}
	popts := opts
	popts.Create = vault.PassphraseSource
	env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	cfg := testConfig(nil, env)
	cfg.Open, cfg.CreateWithPassphrase, cfg.VaultPath = OpenVault(opts), OpenVault(popts), path
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = run(t, m, m.Init())
	v := viewText(m)
	if m.state != stateFatal || !errors.Is(m.fatal, vault.ErrKeyringUnavailable) || !strings.Contains(v, "press p to protect") || !strings.Contains(v, "p use a passphrase") {
		t.Fatalf("state %v fatal %v view:\n%s", m.state, m.fatal, v)
	}
	m = press(t, m, "p")
	if m.state != statePassphrase || !strings.Contains(viewText(m), "Create the vault") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	m = press(t, m, "s3cret<enter>s3cret<enter>")
	if m.state != stateMain || m.fatal != nil {
		t.Fatalf("state %v fatal %v", m.state, m.fatal)
	}
	info, err := vault.Inspect(path)
	if err != nil || !info.Exists || info.Source != vault.PassphraseSource {
		t.Errorf("vault %+v %v", info, err)
	}

	// Once the vault exists, a keyring error no longer offers p.
	m = New(cfg)
	m.cfg.Open = OpenVault(vault.Options{Path: path, Keys: noKeyring{}, Backups: -1, Passphrase: func(bool) ([]byte, error) { return nil, vault.ErrKeyringUnavailable }})
	m.tick = func(int) tea.Cmd { return nil }
	m = run(t, m, m.Init())
	if m.state != stateFatal || strings.Contains(viewText(m), "p use a passphrase") {
		t.Errorf("state %v view:\n%s", m.state, viewText(m))
	}
}
