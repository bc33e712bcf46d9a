package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/vault"
)

// TestNoKeyringAdvice: 'vmfa init --passphrase' and p are offered only
// while no vault exists; for an existing keyring vault the screen says
// its key is in the keyring.
func TestNoKeyringAdvice(t *testing.T) {
	errNoKeyring := fmt.Errorf("cannot open the vault: %w: dbus: no such name", vault.ErrKeyringUnavailable)
	tests := []struct {
		name         string
		exists       bool
		createWithPP bool
		want, avoid  []string
	}{
		{name: "existing keyring vault", exists: true, createWithPP: true,
			want:  []string{"key is kept in the keyring", "r retry"},
			avoid: []string{"init --passphrase", "p use a passphrase", "press p"}},
		{name: "no vault yet, passphrase offered", createWithPP: true,
			want: []string{"press p", "p use a passphrase"}},
		{name: "no vault yet, no passphrase opener", createWithPP: false,
			want:  []string{"vmfa init --passphrase"},
			avoid: []string{"p use a passphrase"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vault.vmfa")
			if tt.exists {
				if err := os.WriteFile(path, []byte("a keyring vault"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
			cfg := testConfig(nil, env)
			cfg.VaultPath = path
			cfg.Open = func(func(bool) ([]byte, error)) (Store, error) { return nil, errNoKeyring }
			created := false
			if tt.createWithPP {
				cfg.CreateWithPassphrase = func(func(bool) ([]byte, error)) (Store, error) {
					created = true
					return nil, errNoKeyring
				}
			}
			m := New(cfg)
			m.tick = func(int) tea.Cmd { return nil }
			m = drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
			m = run(t, m, m.Init())
			v := strings.Join(strings.Fields(viewText(m)), " ")
			for _, w := range tt.want {
				if !strings.Contains(v, w) {
					t.Errorf("missing %q:\n%s", w, viewText(m))
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(v, a) {
					t.Errorf("offers %q:\n%s", a, viewText(m))
				}
			}
			m = press(t, m, "p")
			if want := tt.createWithPP && !tt.exists; created != want {
				t.Errorf("p created a passphrase vault: %v, want %v", created, want)
			}
		})
	}
}

// TestQuitWhileOpening: a keyring that never answers keeps the opening
// screen up; q and esc quit there, and the help bar says so.
func TestQuitWhileOpening(t *testing.T) {
	for _, k := range []string{"q", "<esc>"} {
		t.Run(k, func(t *testing.T) {
			env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
			cfg := testConfig(nil, env)
			m := New(cfg) // Init's open command is never run: the keyring never answers
			m.tick = func(int) tea.Cmd { return nil }
			m = drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
			v := viewText(m)
			if m.state != stateLoading || !strings.Contains(v, "opening the vault") || !strings.Contains(v, "q quit") {
				t.Fatalf("state %v view:\n%s", m.state, v)
			}
			m = press(t, m, k)
			if !m.quitting {
				t.Errorf("%s did not quit while opening", k)
			}
		})
	}
}
