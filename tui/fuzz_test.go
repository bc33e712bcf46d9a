package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// FuzzParseOffset: any text gives an offset within ±24h or an error,
// never a panic.
func FuzzParseOffset(f *testing.F) {
	for _, s := range []string{"+30", "-90", "0", "1m30s", "-45s", "", "abc", "99999999999999999999", "+-3", "24h1s", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseOffset(s)
		if err == nil && (d > MaxOffset || d < -MaxOffset || d%time.Second != 0) {
			t.Errorf("parseOffset(%q) = %v", s, d)
		}
	})
}

// fuzzKeys maps bytes to keys, so the fuzzer explores every screen.
var fuzzKeys = []tea.KeyPressMsg{
	{Code: tea.KeyEnter}, {Code: tea.KeyEsc}, {Code: tea.KeyTab}, {Code: tea.KeyTab, Mod: tea.ModShift},
	{Code: tea.KeyUp}, {Code: tea.KeyDown}, {Code: tea.KeyBackspace}, {Code: 'a', Mod: tea.ModCtrl},
	{Code: 'u', Mod: tea.ModCtrl}, {Code: tea.KeyPgDown}, {Code: tea.KeyUp, Mod: tea.ModShift}, {Code: tea.KeyDown, Mod: tea.ModShift},
	{Code: tea.KeySpace, Text: " "}, {Code: 'r', Mod: tea.ModCtrl},
}

// FuzzKeys drives the model with arbitrary key sequences and sizes: every
// View must render within the terminal and nothing may panic.
func FuzzKeys(f *testing.F) {
	for _, s := range []string{"/git\x00", "ajJq", "amCorp\x02dave\x02JBSWY3DPEHPK3PXP\x00", "au\x01", "jjjdy", "jjjSy\x01", "o+30\x00", "Qy", "?", "aitestdata/\x02", "af/etc/hostname\x00", "afx\x00pw\x00\x01"} {
		f.Add(s, uint8(80), uint8(24))
	}
	f.Fuzz(func(t *testing.T, in string, w, h uint8) {
		m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
		m = drive(t, m, tea.WindowSizeMsg{Width: int(w), Height: int(h)})
		for _, b := range []byte(in) {
			if m.quitting {
				return
			}
			var msg tea.KeyPressMsg
			if int(b) < len(fuzzKeys) {
				msg = fuzzKeys[b]
			} else if b == 'q' || b == 0x7f {
				continue // quitting ends the run early; skip to explore further
			} else {
				msg = tea.KeyPressMsg{Code: rune(b), Text: string(rune(b))}
			}
			if m.state == stateAddQR && (strings.HasPrefix(msg.Text, "/") || msg.Code == tea.KeyTab) {
				continue // no absolute paths, no completion: scans stay inside the package
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
