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
