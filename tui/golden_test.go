package tui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// TestGolden renders every screen at 80×24 and 120×40 with the Ascii
// profile and an injected clock. Rewrite with: go test ./tui -run Golden -update
func TestGolden(t *testing.T) {
	type screenCase struct {
		name  string
		empty bool
		open  error // the opener fails with this
		fresh bool  // no vault file exists yet
		keys  string
	}
	cases := []screenCase{
		{name: "main"},
		{name: "main-help", keys: "?"},
		{name: "main-hotp-generated", keys: "jj<enter>"},
		{name: "main-hotp-one-code", keys: "njj<enter>n"}, // generated with the next column hidden
		{name: "main-offset", keys: "o-45<enter>"},
		{name: "empty", empty: true},
		{name: "filter", keys: "/cloud"},
		{name: "filter-none", keys: "/zzz<enter>"},
		{name: "add-menu", keys: "a"},
		{name: "add-qr", keys: "ai"},
		{name: "add-qr-error", keys: "aitestdata/nope.png<enter>"},
		{name: "add-uri", keys: "au"},
		{name: "add-uri-error", keys: "auotpauth://totp/x?secret=abc1<enter>"},
		{name: "add-manual", keys: "amCorp<tab>dave<tab>JBSWY3DP"},
		{name: "add-manual-empty", keys: "am<ctrl+a>"},
		{name: "add-manual-advanced", keys: "am<ctrl+a>Corp<tab>dave<tab>JBSWY3DPEHPK3PXP<tab>hotp<tab>md5<tab>9"},
		{name: "add-import-batch", keys: "aitestdata/qr-migration.png<enter><space>"},
		{name: "add-import-incomplete", keys: "aitestdata/big-1.png<enter>"},
		{name: "edit", keys: "jjje"},
		{name: "confirm-delete", keys: "jjjd"},
		{name: "reveal-secret", keys: "jjjSy"},
		{name: "show-qr", keys: "Qy"},
		{name: "offset", keys: "o"},
		{name: "offset-error", keys: "oabc<enter>"},
		{name: "error-no-keyring-first-run", fresh: true, open: fmt.Errorf("cannot create a keyring vault: %w: dbus: The name org.freedesktop.secrets was not provided", vault.ErrKeyringUnavailable)},
		{name: "error-no-keyring", open: fmt.Errorf("cannot create a keyring vault: %w: dbus: The name org.freedesktop.secrets was not provided", vault.ErrKeyringUnavailable)},
		{name: "error-keyring-timeout", open: fmt.Errorf("%w after 10s", vault.ErrKeyringTimeout)},
		{name: "error-corrupt", open: fmt.Errorf("%w: authentication failed", vault.ErrCorrupt)},
		{name: "error-save", keys: "f"},
		{name: "passphrase", open: vault.ErrWrongPassphrase},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s_%dx%d", c.name, size[0], size[1]), func(t *testing.T) {
				var accts []vault.Account
				if !c.empty {
					accts = sampleAccounts()
				}
				env := &testEnv{store: newFakeStore(accts...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
				cfg := testConfig(env.store, env)
				// Fixed decoder errors: these goldens pin the layout, not
				// package scanner's wording (update_test checks that).
				realScan, realParse := cfg.Decoders.withDefaults().ScanFiles, cfg.Decoders.withDefaults().ParseURI
				cfg.Decoders.ScanFiles = func(paths ...string) ([]vault.Account, error) {
					if len(paths) == 1 && filepath.Base(paths[0]) == "nope.png" {
						return nil, errors.New("cannot read testdata/nope.png: no such file")
					}
					if len(paths) == 1 && filepath.Base(paths[0]) == "big-1.png" {
						// one image of a three-image export, as scanner.ScanFiles reports it
						accts, _ := realScan("testdata/qr-migration.png")
						return accts, fmt.Errorf("%w: codes 2, 3 of 3 are missing (give every code of the export at once)", scanner.ErrBatchIncomplete)
					}
					return realScan(paths...)
				}
				cfg.Decoders.ParseURI = func(s string) ([]vault.Account, error) {
					if strings.Contains(s, "abc1") {
						return nil, fmt.Errorf("%w", vault.ErrBadBase32)
					}
					return realParse(s)
				}
				if c.open != nil {
					err := c.open
					cfg.Open = func(func(bool) ([]byte, error)) (Store, error) { return nil, err }
					cfg.CreateWithPassphrase = cfg.Open
					cfg.VaultPath = "testdata/vault/vault.vmfa"
					if c.fresh {
						cfg.VaultPath = filepath.Join(t.TempDir(), "vault.vmfa")
					}
				}
				m := New(cfg)
				m.tick = func(int) tea.Cmd { return nil }
				m = drive(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				m = run(t, m, m.Init())
				if c.name == "error-save" {
					env.store.fail = errors.New("cannot write the vault: no space left on device")
				}
				m = press(t, m, c.keys)
				golden.RequireEqual(t, []byte(viewText(m)))
			})
		}
	}
}
