package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// typeAhead delivers every key before any command runs, as Bubble Tea
// does when the keys are already queued (fast typing, a paste split into
// keys, tmux send-keys, an expect script), then runs the commands.
func typeAhead(t *testing.T, m Model, spec string) Model {
	t.Helper()
	var cmds []tea.Cmd
	for _, k := range keys(spec) {
		nm, cmd := m.Update(k)
		m = nm.(Model)
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		m = run(t, m, c)
	}
	return m
}

// Keys typed right after a choice reach the screen chosen: "a", "m" and
// then "Zed" fills the issuer with "Zed"; the "Z" is not swallowed by the
// add menu (nor would an "u" there open the URI screen instead).
func TestTypeAheadReachesTheChosenScreen(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	m = typeAhead(t, m, "amZed")
	v := viewText(m)
	if !strings.Contains(v, "Enter an account by hand") || !strings.Contains(v, "Issuer      Zed") {
		t.Fatalf("after typing amZed ahead:\n%s", v)
	}
	m, _ = newTestModel(t, 80, 24, sampleAccounts()...)
	m = typeAhead(t, m, "amuser")
	if v := viewText(m); !strings.Contains(v, "Enter an account by hand") || !strings.Contains(v, "Issuer      user") {
		t.Fatalf("after typing amuser ahead:\n%s", v)
	}
}
