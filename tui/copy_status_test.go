package tui

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/internal/clipboard"
)

// The copy status shortens itself to the terminal's width so that where
// the code went is what stays: at 40 columns it must not be cut to
// "copied ACME: alice (valid 11s more) to …".
func TestCopyStatusNamesWhereAtEveryWidth(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 33, 49, 0, time.UTC)
	res := clipboard.Result{Reached: []string{clipboard.TmuxBuffer, clipboard.Terminal}}
	c := clipState{before: "copied ACME: alice", after: " to " + res.Where(), clears: "; clears in 30s",
		from: now, until: now.Add(11 * time.Second)}
	tests := []struct {
		width int
		want  string
	}{
		{120, "copied ACME: alice (valid 11s more) to the tmux buffer and the terminal clipboard; clears in 30s"},
		{80, "copied ACME: alice (valid 11s more) to the tmux buffer and the terminal"},
		{60, "copied (valid 11s more) to the tmux buffer and the terminal"},
		{40, "copied (11s) to tmux buffer, terminal"},
	}
	for _, tc := range tests {
		got := c.line(now, tc.width)
		if got != tc.want {
			t.Errorf("%d columns: %q, want %q", tc.width, got, tc.want)
		}
		if ansi.StringWidth(got) > tc.width {
			t.Errorf("%d columns: %q is %d wide", tc.width, got, ansi.StringWidth(got))
		}
	}
}
