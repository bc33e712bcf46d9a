package tui

import (
	"strings"
	"testing"
)

// TestHOTPShowsOnlyHandedOutCodes: an HOTP row shows the codes its last
// enter handed out and nothing more, and forgets them when another
// process moves the counter.
func TestHOTPShowsOnlyHandedOutCodes(t *testing.T) {
	tests := []struct {
		name  string
		keys  string
		moved uint64 // the CLI advances the counter by this much, then the TUI reloads
		check func(t *testing.T, m Model, env *testEnv)
	}{
		{name: "generated hidden, then shown: no next code", keys: "njj<enter>n", check: func(t *testing.T, m Model, env *testEnv) {
			a := stored(t, env, "a4")
			v := viewText(m)
			if !strings.Contains(v, groupCode(a.CodeAtStep(5))) {
				t.Fatalf("handed-out code %s not shown:\n%s", a.CodeAtStep(5), v)
			}
			if strings.Contains(v, groupCode(a.CodeAtStep(6))) {
				t.Errorf("code %s (not handed out, the next enter's code) shown as next:\n%s", a.CodeAtStep(6), v)
			}
			if !strings.Contains(v, "—") {
				t.Errorf("empty next column not marked:\n%s", v)
			}
		}},
		{name: "next enter shows fresh codes", keys: "njj<enter>n<enter>c", check: func(t *testing.T, m Model, env *testEnv) {
			a := stored(t, env, "a4")
			if a.Counter != 7 {
				t.Fatalf("counter %d, want 7", a.Counter)
			}
			if got := env.clip.last(); got != a.CodeAtStep(6) {
				t.Errorf("copied %q, want %q", got, a.CodeAtStep(6))
			}
			if v := viewText(m); !strings.Contains(v, groupCode(a.CodeAtStep(7))) {
				t.Errorf("handed-out next code %s not shown:\n%s", a.CodeAtStep(7), v)
			}
		}},
		{name: "generated with next shown: both codes", keys: "jj<enter>", check: func(t *testing.T, m Model, env *testEnv) {
			a := stored(t, env, "a4")
			if v := viewText(m); !strings.Contains(v, groupCode(a.CodeAtStep(5))+"    → "+groupCode(a.CodeAtStep(6))) {
				t.Errorf("pair not shown:\n%s", v)
			}
		}},
		{name: "counter moved elsewhere: codes forgotten", keys: "jj<enter>", moved: 1, check: func(t *testing.T, m Model, env *testEnv) {
			a := stored(t, env, "a4")
			v := viewText(m)
			if !strings.Contains(v, "press enter to generate") {
				t.Errorf("row still shows codes after the CLI moved the counter:\n%s", v)
			}
			for step := uint64(5); step <= a.Counter+1; step++ {
				if strings.Contains(v, groupCode(a.CodeAtStep(step))) {
					t.Errorf("code at step %d shown without enter:\n%s", step, v)
				}
			}
			m = press(t, m, "c")
			if env.clip.last() != "" {
				t.Errorf("copied %q, a code the CLI may have handed out", env.clip.last())
			}
			if !strings.Contains(m.status, "press enter to generate") {
				t.Errorf("status %q", m.status)
			}
		}},
		{name: "reload without a counter move keeps the codes", keys: "jj<enter>", moved: 0, check: func(t *testing.T, m Model, env *testEnv) {
			a := stored(t, env, "a4")
			if v := viewText(m); !strings.Contains(v, groupCode(a.CodeAtStep(5))) {
				t.Errorf("codes lost on a reload that did not touch the counter:\n%s", v)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, env := newTestModel(t, 80, 24, sampleAccounts()...)
			m = press(t, m, tt.keys)
			if strings.Contains(tt.name, "reload") || tt.moved > 0 {
				if tt.moved > 0 {
					if _, err := env.store.AdvanceHOTP("a4", tt.moved); err != nil {
						t.Fatal(err)
					}
				}
				m = drive(t, m, reloadedMsg{accts: env.store.Accounts(), changed: true})
			}
			tt.check(t, m, env)
		})
	}
}
