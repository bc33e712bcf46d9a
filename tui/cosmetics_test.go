package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// flat joins a view's words with single spaces, so that a wrapped
// message can be looked for whole.
func flat(v string) string { return strings.Join(strings.Fields(v), " ") }

// TestErrorsWrapAt80: long errors are wrapped, never cut off with "…".
func TestErrorsWrapAt80(t *testing.T) {
	long := errors.New("cannot read /home/someone/Pictures/Screenshots/2026-11-22 console setup.png: unsupported wire type 7 in the export (was the QR code cut off?)")
	tests := []struct {
		name, keys, want string
	}{
		{"not an otpauth uri", "auhttps://example.com/not/otpauth<enter>", scanner.ErrNotOTPAuth.Error()},
		{"offset", "oabc<enter>", `offset "abc" is not a number of seconds like +30 or -90, or a duration like 1m30s`},
		{"QR scan error", "aitestdata/long.png<enter>", long.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &testEnv{store: newFakeStore(sampleAccounts()...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
			cfg := testConfig(env.store, env)
			cfg.Decoders.ScanFiles = func(...string) ([]vault.Account, error) { return nil, long }
			m := newTestModelFrom(t, cfg, 80, 24)
			m = press(t, m, tt.keys)
			v := viewText(m)
			// wrapped lines may break after a hyphen: compare without spaces
			if !strings.Contains(strings.Join(strings.Fields(v), ""), strings.Join(strings.Fields(tt.want), "")) {
				t.Errorf("error not shown whole at 80 columns, want %q:\n%s", tt.want, v)
			}
			for _, l := range strings.Split(v, "\n") {
				if lipglossWidth(l) > 80 {
					t.Errorf("line wider than 80: %q", l)
				}
			}
		})
	}
}

// TestCountdownMarker: the last seconds show "5s" in the expiring
// style, not "5!" (read as a factorial).
func TestCountdownMarker(t *testing.T) {
	m, env := newTestModel(t, 80, 24, sampleAccounts()...)
	env.clock.t = time.Unix((testTime.Unix()/30+1)*30-5, 0)
	m = drive(t, m, tickMsg{tag: m.tickTag})
	v := viewText(m)
	if strings.Contains(v, "5!") || !strings.Contains(v, " 5s") {
		t.Errorf("want a plain 5s countdown:\n%s", v)
	}
}

// TestPlaceholdersReadAsExamples: with NO_COLOR a placeholder looks like
// typed text, so each says it is an example or what blank means.
func TestPlaceholdersReadAsExamples(t *testing.T) {
	s := newManualScreen(&Styles{}, time.Now)
	for i, in := range s.inputs {
		if p := in.Placeholder; !strings.HasPrefix(p, "e.g. ") && !strings.HasPrefix(p, "blank: ") {
			t.Errorf("%s placeholder %q reads like a value", fieldLabels[i], p)
		}
	}
	for _, in := range []string{newURIScreen(&Styles{}, Decoders{}).input.Placeholder, newQRScreen(&Styles{}, Decoders{}).input.Placeholder, newOffsetScreen(&Styles{}, 0).input.Placeholder} {
		if !strings.HasPrefix(in, "e.g. ") {
			t.Errorf("placeholder %q reads like a value", in)
		}
	}
}

// TestEditAfterDeletedElsewhere: saving an account another vmfa deleted
// says so, and the list catches up.
func TestEditAfterDeletedElsewhere(t *testing.T) {
	m, env := newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "jjje")
	if err := env.store.Delete("a1"); err != nil {
		t.Fatal(err)
	}
	m = press(t, m, "<enter>")
	v := flat(viewText(m))
	if m.state != stateError || !strings.Contains(v, "deleted elsewhere") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	m = press(t, m, "<esc>")
	if m.state != stateMain || len(m.main.all) != 4 {
		t.Errorf("state %v, %d accounts listed, want the 4 left", m.state, len(m.main.all))
	}
}

// newTestModelFrom is newTestModel for a config of the test's own.
func newTestModelFrom(t *testing.T, cfg Config, width, height int) Model {
	t.Helper()
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = drive(t, m, tea.WindowSizeMsg{Width: width, Height: height})
	m = run(t, m, m.Init())
	if m.state != stateMain {
		t.Fatalf("state after open = %v, want main", m.state)
	}
	return m
}
