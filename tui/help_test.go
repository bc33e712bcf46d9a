package tui

import (
	"strings"
	"testing"
)

// TestFullHelpFitsNarrowTerminals: ? lists every key of the main screen at
// every width the TUI supports, as the README says, with no line wider
// than the terminal (bubbles/help's columns cut the second and third
// column to "…" below about 75 columns).
func TestFullHelpFitsNarrowTerminals(t *testing.T) {
	for _, size := range [][2]int{{40, 15}, {50, 20}, {60, 24}, {80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		m, _ := newTestModel(t, w, h, sampleAccounts()...)
		m = press(t, m, "?")
		v := viewText(m)
		lines := strings.Split(v, "\n")
		if len(lines) > h {
			t.Errorf("%dx%d: %d lines", w, h, len(lines))
		}
		for _, l := range lines {
			if lipglossWidth(l) > w {
				t.Errorf("%dx%d: line %q is %d wide", w, h, l, lipglossWidth(l))
			}
		}
		for _, g := range m.main.keyMap().FullHelp() {
			for _, b := range g {
				if d := b.Help().Desc; !strings.Contains(v, d) {
					t.Errorf("%dx%d: full help lacks %q:\n%s", w, h, d, v)
				}
			}
		}
	}
}

// The add menu and the manual-entry screen wrap their explanations on a
// narrow terminal instead of cutting them ("a screenshot or export of
// the …"), within the width and height of a 40×15 terminal.
func TestAddScreensWrapAt40(t *testing.T) {
	for _, tc := range []struct{ keys, want string }{
		{"a", "a screenshot or export of the QR code a console shows"},
		{"ajj", "the account and key a console shows for manual entry"},
		{"am", "As a console's manual-entry tab hands it out: the account and the key."},
	} {
		m, _ := newTestModel(t, 40, 15, sampleAccounts()...)
		m = press(t, m, tc.keys)
		v := viewText(m)
		if !strings.Contains(flat(v), tc.want) {
			t.Errorf("%q at 40x15 lacks %q:\n%s", tc.keys, tc.want, v)
		}
		lines := strings.Split(v, "\n")
		if len(lines) > 15 {
			t.Errorf("%q at 40x15: %d lines", tc.keys, len(lines))
		}
		for _, l := range lines {
			if lipglossWidth(l) > 40 {
				t.Errorf("%q at 40x15: line %q is %d wide", tc.keys, l, lipglossWidth(l))
			}
		}
	}
}
