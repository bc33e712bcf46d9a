package tui

import (
	"strings"
	"testing"

	"github.com/vmfa/vmfa/vault"
)

// TestManualNumbers: digits and period typed by hand follow vault's
// rules as typed; an explicit 0 is not replaced with the default.
func TestManualNumbers(t *testing.T) {
	const base = "am<ctrl+a>Corp<tab>dave<tab>JBSWY3DPEHPK3PXP<tab><tab><tab>"
	tests := []struct {
		name, digits, period string
		wantErr              error  // vault's rule shown, nil when added
		wantText             string // or this text
		check                func(t *testing.T, a vault.Account)
	}{
		{name: "explicit 0 digits", digits: "0", wantErr: vault.ErrDigits},
		{name: "explicit 0 period", period: "0", wantErr: vault.ErrPeriod},
		{name: "negative period is not positive", period: "-5", wantErr: vault.ErrPeriod},
		{name: "negative digits", digits: "-6", wantErr: vault.ErrDigits},
		{name: "not a number", period: "abc", wantText: "period must be a whole number"},
		{name: "blank takes the defaults", check: func(t *testing.T, a vault.Account) {
			if a.Digits != vault.DefaultDigits || a.Period != vault.DefaultPeriod {
				t.Errorf("digits %d period %d, want the defaults", a.Digits, a.Period)
			}
		}},
		{name: "typed values stand", digits: "8", period: "60", check: func(t *testing.T, a vault.Account) {
			if a.Digits != 8 || a.Period != 60 {
				t.Errorf("digits %d period %d, want 8 and 60", a.Digits, a.Period)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
			m = press(t, m, base+tt.digits+"<tab>"+tt.period+"<tab><enter>")
			v := viewText(m)
			if tt.check != nil {
				a, _ := m.main.selected()
				if m.state != stateMain || a.Name != "dave" {
					t.Fatalf("not added: state %v view:\n%s", m.state, v)
				}
				tt.check(t, a)
				return
			}
			want := tt.wantText
			if tt.wantErr != nil {
				want = tt.wantErr.Error()
			}
			if m.state != stateAddManual || !strings.Contains(v, want) {
				t.Errorf("state %v, want %q on the form:\n%s", m.state, want, v)
			}
			if strings.Contains(v, "whole number") && tt.wantErr != nil {
				t.Errorf("says whole number for a rule of vault's:\n%s", v)
			}
		})
	}
}

// TestManualSecretTypo: a character that is not Base32 is named and
// marked under the (masked) field; ctrl+r shows the key as typed and
// hides it again.
func TestManualSecretTypo(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "amCorp<tab>dave<tab>JBSW1DP")
	v := viewText(m)
	if strings.Contains(v, "JBSW1DP") {
		t.Fatalf("the key is shown before ctrl+r:\n%s", v)
	}
	if !strings.Contains(flat(v), `not valid base32 (letters A-Z and digits 2-7): "1", character 5 (marked ^)`) {
		t.Errorf("no error naming the character:\n%s", v)
	}
	var field, marker int = -1, -1
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		if strings.Contains(l, "Secret key") {
			field = i
		}
		if strings.TrimSpace(l) == "^" {
			marker = i
		}
	}
	if field < 0 || marker != field+1 {
		t.Fatalf("no marker under the field:\n%s", v)
	}
	masked := []rune(lines[field])
	if col := runeIndex(lines[marker], '^'); col < 4 || col >= len(masked) || masked[col] != '•' || string(masked[col-4:col]) != "••••" {
		t.Errorf("the marker is not under the fifth character:\n%s\n%s", lines[field], lines[marker])
	}
	m = press(t, m, "<ctrl+r>")
	v = viewText(m)
	lines = strings.Split(v, "\n")
	if !strings.Contains(lines[field], "JBSW1DP") {
		t.Errorf("ctrl+r does not show the key:\n%s", v)
	}
	if col := runeIndex(lines[marker], '^'); col < 0 || []rune(lines[field])[col] != '1' {
		t.Errorf("the marker is not under the 1:\n%s\n%s", lines[field], lines[marker])
	}
	m = press(t, m, "<ctrl+r>")
	if strings.Contains(viewText(m), "JBSW1DP") {
		t.Error("a second ctrl+r does not hide the key")
	}
}

func runeIndex(s string, r rune) int {
	for i, c := range []rune(s) {
		if c == r {
			return i
		}
	}
	return -1
}
