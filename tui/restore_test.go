package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/vmfa/vmfa/vault"
)

// rolledBackVault makes a passphrase vault with accounts written one by
// one (a backup before each change), then puts the backup holding only
// the first account back by hand, as a copied-back file: opening it is
// vault.ErrRollback. It returns the options and the backups, oldest
// first.
func rolledBackVault(t *testing.T) (vault.Options, []string) {
	t.Helper()
	dir := t.TempDir()
	now := testTime
	opts := vault.Options{Path: filepath.Join(dir, "vault.vmfa"), Create: vault.PassphraseSource, KDF: cheapKDF,
		StateDir: filepath.Join(dir, "state"), Now: func() time.Time { now = now.Add(time.Minute); return now },
		Passphrase: func(bool) ([]byte, error) { return []byte("hunter22"), nil }}
	v, err := vault.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"alice", "bob", "carol"} {
		a := vault.Account{Issuer: "ACME", Name: name, Secret: []byte("12345678901234567890"), Type: vault.TOTP, Algorithm: "SHA1", Digits: 6, Period: 30}
		if err := v.Add(a); err != nil {
			t.Fatal(err)
		}
	}
	v.Close()
	bs, err := vault.Backups(opts.Path)
	if err != nil || len(bs) < 3 {
		t.Fatalf("backups %v, %v", bs, err)
	}
	raw, err := os.ReadFile(bs[1]) // before bob: alice only
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(opts.Path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	opts.Create = ""
	return opts, bs
}

// TestRestoreBackupFromTUI: the older-copy screen offers b; the backups
// are listed newest first; n keeps the vault; y restores the chosen one
// (vault.Restore), after which the vault opens with its accounts and the
// generation record moved on, so it opens again.
func TestRestoreBackupFromTUI(t *testing.T) {
	opts, bs := rolledBackVault(t)
	env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	cfg := testConfig(nil, env)
	cfg.Open, cfg.Restore, cfg.VaultPath = OpenVault(opts), RestoreVault(opts), opts.Path
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = run(t, m, m.Init())
	v := viewText(m)
	if m.state != stateFatal || !strings.Contains(v, "older copy") || !strings.Contains(v, "b restore a backup") {
		t.Fatalf("state %v:\n%s", m.state, v)
	}
	m = press(t, m, "b")
	if m.state != stateBackups {
		t.Fatalf("b: state %v", m.state)
	}
	list := m.sub.(*backupsScreen).list
	if len(list) != len(bs) || list[0].path != bs[len(bs)-1] {
		t.Fatalf("backups listed %+v, want %d newest first", list, len(bs))
	}
	// The newest backup holds alice and bob.
	m = press(t, m, "<enter>")
	if v := viewText(m); !strings.Contains(v, "Restore the backup written") {
		t.Fatalf("no question:\n%s", v)
	}
	m = press(t, m, "n")
	if m.state != stateBackups || m.sub.(*backupsScreen).ask {
		t.Fatal("n did not keep the vault")
	}
	m = press(t, m, "<esc>")
	if m.state != stateFatal {
		t.Fatalf("esc from the backups: state %v", m.state)
	}
	m = press(t, m, "b")
	m = press(t, m, "<enter>y")
	v = viewText(m)
	if m.state != stateMain || len(m.main.all) != 2 || !strings.Contains(v, "restored the backup") {
		t.Fatalf("after restoring: state %v, %d accounts\n%s", m.state, len(m.main.all), v)
	}
	if _, err := vault.Open(opts); err != nil {
		t.Fatalf("the restored vault does not open again: %v", err)
	}
}

// TestGoldenBackups renders the backups list and its question at 80×24
// and 40×15 (times in UTC; the directory, a temporary one, is named DIR).
func TestGoldenBackups(t *testing.T) {
	local := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = local })
	opts, _ := rolledBackVault(t)
	for _, size := range [][2]int{{80, 24}, {40, 15}} {
		for _, c := range []struct{ name, keys string }{{"backups", ""}, {"backups-ask", "j<enter>"}} {
			t.Run(c.name+"_"+itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
				env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
				cfg := testConfig(nil, env)
				cfg.Open, cfg.Restore, cfg.VaultPath = OpenVault(opts), RestoreVault(opts), opts.Path
				m := New(cfg)
				m.tick = func(int) tea.Cmd { return nil }
				m = drive(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				m = run(t, m, m.Init())
				m = press(t, m, "b")
				m.sub.(*backupsScreen).dir = "DIR/backups"
				m = press(t, m, c.keys)
				golden.RequireEqual(t, []byte(viewText(m)))
			})
		}
	}
}
