package tui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/vmfa/vmfa/vault"
)

// TestQRFromClipboardAndScreen: the QR screen offers ctrl+v (the image on
// the clipboard) and ctrl+s (a grab of the screen), through the
// functions vmfa add --clipboard and --screen use (Decoders); what they
// read is listed with checkboxes, their errors are shown as they are.
func TestQRFromClipboardAndScreen(t *testing.T) {
	fresh := vault.Account{Issuer: "Forgejo", Name: "erin", Secret: []byte("12345678901234567890"), Type: vault.TOTP, Algorithm: "SHA1", Digits: 6, Period: 30}
	var calls []string
	newModel := func(screenErr error) Model {
		env := &testEnv{store: newFakeStore(sampleAccounts()...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
		cfg := testConfig(env.store, env)
		cfg.Decoders.ScanClipboard = func() ([]vault.Account, error) {
			calls = append(calls, "clipboard")
			return []vault.Account{fresh}, nil
		}
		cfg.Decoders.ScanScreen = func() ([]vault.Account, error) {
			calls = append(calls, "screen")
			return nil, screenErr
		}
		m := New(cfg)
		m.tick = func(int) tea.Cmd { return nil }
		m = drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
		return run(t, m, m.Init())
	}
	m := newModel(nil)
	m = press(t, m, "ai")
	if v := viewText(m); !strings.Contains(v, "ctrl+v: the image on the clipboard") || !strings.Contains(v, "ctrl+s: a QR shown on the screen") {
		t.Fatalf("the QR screen does not offer the clipboard and the screen:\n%s", v)
	}
	m = press(t, m, "<ctrl+v>")
	if v := viewText(m); m.state != stateImport || !strings.Contains(v, "Found 1 account in the clipboard image") {
		t.Fatalf("ctrl+v: state %v\n%s", m.state, v)
	}

	m = newModel(errors.New("cannot grab the screen: no display (WAYLAND_DISPLAY and DISPLAY are unset; over SSH use 'vmfa add --qr FILE')"))
	m = press(t, m, "ai<ctrl+s>")
	if v := viewText(m); m.state != stateAddQR || !strings.Contains(oneLine(v), "cannot grab the screen: no display") {
		t.Fatalf("ctrl+s failing: state %v\n%s", m.state, v)
	}
	if strings.Join(calls, ",") != "clipboard,screen" {
		t.Fatalf("calls %v", calls)
	}
	// The file import has neither.
	m = press(t, m, "<esc>af<ctrl+v>")
	if len(calls) != 2 || strings.Contains(viewText(m), "ctrl+v") {
		t.Fatalf("the file screen offers the clipboard (calls %v):\n%s", calls, viewText(m))
	}
}

// TestGoldenQRSources renders the QR screen with the two sources at 80×24
// and 40×15.
func TestGoldenQRSources(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {40, 15}} {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			env := &testEnv{store: newFakeStore(sampleAccounts()...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
			cfg := testConfig(env.store, env)
			cfg.Decoders.ScanClipboard = func() ([]vault.Account, error) { return nil, nil }
			cfg.Decoders.ScanScreen = func() ([]vault.Account, error) { return nil, nil }
			m := New(cfg)
			m.tick = func(int) tea.Cmd { return nil }
			m = drive(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m = run(t, m, m.Init())
			m = press(t, m, "ai")
			golden.RequireEqual(t, []byte(viewText(m)))
		})
	}
}

// TestGoldenQRSourcesError: a failing ctrl+v says why on every size; at
// 40×15 the intro gives way so that the error is not below the screen
// (the key seemed to do nothing).
func TestGoldenQRSourcesError(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {40, 15}} {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			env := &testEnv{store: newFakeStore(sampleAccounts()...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
			cfg := testConfig(env.store, env)
			cfg.Decoders.ScanClipboard = func() ([]vault.Account, error) {
				return nil, errors.New("no image on the clipboard: no desktop clipboard (no DISPLAY or WAYLAND_DISPLAY); over SSH, copy the image to a file and use --qr FILE")
			}
			cfg.Decoders.ScanScreen = func() ([]vault.Account, error) { return nil, nil }
			m := New(cfg)
			m.tick = func(int) tea.Cmd { return nil }
			m = drive(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m = run(t, m, m.Init())
			m = press(t, m, "ai<ctrl+v>")
			v := viewText(m)
			if !strings.Contains(strings.Join(strings.Fields(v), " "), "over SSH, copy the image to a file and use --qr FILE") {
				t.Fatalf("the ctrl+v error is not (all) on the screen:\n%s", v)
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}
