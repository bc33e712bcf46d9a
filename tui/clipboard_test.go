package tui

import (
	"bytes"
	"testing"
)

func TestClipboardOSC52(t *testing.T) {
	tests := []struct {
		name, text string
		env        map[string]string
		want       string
	}{
		{"copy", "123456", nil, "\x1b]52;c;MTIzNDU2\x07"},
		// An empty payload is the documented clear; "!" is xterm-only.
		{"clear", "", nil, "\x1b]52;c;\x07"},
		{"clear in tmux, passed through too", "", map[string]string{"TMUX": "/tmp/tmux"}, "\x1b]52;c;\x07\x1bPtmux;\x1b\x1b]52;c;\x07\x1b\\"},
		{"tmux takes plain OSC 52", "123456", map[string]string{"TMUX": "/tmp/tmux"}, "\x1b]52;c;MTIzNDU2\x07"},
		{"screen needs its passthrough", "123456", map[string]string{"STY": "1.pts"}, "\x1bP\x1b]52;c;MTIzNDU2\x07\x1b\\"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			var native []string
			c := &termClipboard{out: &out, env: func(k string) string { return tt.env[k] },
				native: func(s string) error { native = append(native, s); return nil }}
			if err := c.Copy(tt.text); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("wrote %q, want %q", got, tt.want)
			}
			if len(native) != 1 || native[0] != tt.text {
				t.Errorf("native clipboard got %q, want [%q] (cleared too)", native, tt.text)
			}
		})
	}
}
