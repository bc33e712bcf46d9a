package tui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

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

// TestLayoutWidths: from 40 to 250 columns the codes sit next to the
// names (not across the screen), nothing is wider than the terminal, and
// the help keeps copy, add, more and quit (edit and delete too from 60).
func TestLayoutWidths(t *testing.T) {
	for _, w := range []int{40, 50, 60, 80, 120, 200, 250} {
		m, _ := newTestModel(t, w, 20, sampleAccounts()...)
		v := viewText(m)
		lines := strings.Split(v, "\n")
		for _, l := range lines {
			if lipglossWidth(l) > w {
				t.Errorf("%d columns: line %q is %d wide", w, l, lipglossWidth(l))
			}
		}
		row := ""
		for _, l := range lines {
			if strings.Contains(l, "GitHub") {
				row = l
			}
		}
		name := strings.Index(row, "GitHub")
		code := strings.Index(row, "378 338")
		if name < 0 || code < 0 {
			t.Fatalf("%d columns: no GitHub row with its code:\n%s", w, v)
		}
		// the longest name is "Alibaba Cloud ram-tester@1234567890" (35)
		// plus tags on wide screens: the code is never far beyond it
		if gap := code - name; gap > 50 {
			t.Errorf("%d columns: the code is %d columns from the name:\n%s", w, gap, row)
		}
		help := lines[len(lines)-1]
		want := []string{"copy", "a add", "? more", "q quit"}
		if w >= 60 {
			want = append(want, "e/r edit", "d delete")
		}
		if w >= 80 {
			want = append(want, "/ filter")
		}
		for _, k := range want {
			if !strings.Contains(help, k) {
				t.Errorf("%d columns: help %q lacks %q", w, help, k)
			}
		}
	}
}

// TestNoColorMarks: without colour (NO_COLOR) the selected row is in
// reverse video across the whole width and an expiring code is bold and
// underlined, so neither depends on colour.
func TestNoColorMarks(t *testing.T) {
	m, env := newTestModel(t, 80, 24, sampleAccounts()...)
	m = drive(t, m, tea.ColorProfileMsg{Profile: colorprofile.ASCII})
	env.clock.t = time.Unix((testTime.Unix()/30+1)*30-3, 0) // 3 s left
	m = drive(t, m, tickMsg{tag: m.tickTag})
	var sel, other string
	for _, l := range strings.Split(viewAscii(m), "\n") {
		switch {
		case strings.Contains(l, "AWS"):
			sel = l
		case strings.Contains(l, "GitHub"):
			other = l
		}
	}
	if !strings.Contains(sel, "\x1b[7m") || lipglossWidth(sel) != 80 || !strings.HasSuffix(sel, " \x1b[m") {
		t.Errorf("selected row not in reverse video across the width: %q", sel)
	}
	if strings.Contains(other, "\x1b[7m") {
		t.Errorf("an unselected row is reversed: %q", other)
	}
	if !strings.Contains(other, "4;") && !strings.Contains(other, ";4m") && !strings.Contains(other, "\x1b[4m") {
		t.Errorf("the expiring code is not underlined without colour: %q", other)
	}
}
