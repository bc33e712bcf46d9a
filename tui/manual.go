package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/vault"
)

// Fields of the manual entry form.
const (
	fIssuer = iota
	fName
	fSecret
	fType
	fAlgorithm
	fDigits
	fPeriod
	fCounter
	nFields
	nBasic = fType // fields shown before "advanced" is opened
)

var fieldLabels = [nFields]string{"Issuer", "Account", "Secret key", "Type", "Algorithm", "Digits", "Period", "Counter"}

// manualScreen is "account and key" entry. Every rule comes from vault
// (ParseSecret, ParseType, ParseAlgorithm, Normalize); the form only maps
// their errors to the field they concern.
type manualScreen struct {
	frame
	keys      formKeys
	inputs    [nFields]textinput.Model
	focus     int
	advanced  bool
	submitted bool
	now       func() time.Time
	errs      [nFields]string
	general   string
	// badAt is the position (in characters) of the first character of
	// the secret that is not Base32, -1 when there is none.
	badAt int
	// revealed shows the secret as typed (ctrl+r).
	revealed bool
}

func newManualScreen(st *Styles, now func() time.Time) *manualScreen {
	s := &manualScreen{frame: frame{st: st}, keys: newFormKeys("next/add"), now: now, badAt: -1}
	// Placeholders read as examples even where dim text looks like any
	// other (NO_COLOR): "e.g." or "blank:" in front.
	placeholders := [nFields]string{"e.g. GitHub", "e.g. alice@example.com", "e.g. JBSW Y3DP EHPK 3PXP", "blank: totp (or hotp, steam)", "blank: SHA1 (or SHA256, SHA512)", "blank: 6", "blank: 30 (seconds)", "blank: 0"}
	for i := range s.inputs {
		s.inputs[i] = newInput("", placeholders[i])
	}
	s.inputs[fSecret].EchoMode = textinput.EchoPassword
	s.inputs[fSecret].EchoCharacter = '•'
	return s
}

func (s *manualScreen) focusCmd() tea.Cmd { return s.inputs[s.focus].Focus() }
func (s *manualScreen) start() tea.Cmd    { return s.focusCmd() }

func (s *manualScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	for i := range s.inputs {
		s.inputs[i].SetWidth(max(10, min(w-20, 50)))
	}
}

func (s *manualScreen) ShortHelp() []key.Binding {
	if s.focus == fSecret {
		return []key.Binding{s.keys.Submit, s.keys.Next, s.keys.Reveal, s.keys.Advanced, s.keys.Cancel}
	}
	return []key.Binding{s.keys.Submit, s.keys.Next, s.keys.Advanced, s.keys.Cancel}
}
func (s *manualScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *manualScreen) fields() int {
	if s.advanced {
		return nFields
	}
	return nBasic
}

func (s *manualScreen) moveFocus(d int) tea.Cmd {
	s.inputs[s.focus].Blur()
	n := s.fields()
	s.focus = (s.focus + d + n) % n
	return s.focusCmd()
}

// build turns the form into an account, collecting each field's error.
func (s *manualScreen) build() (vault.Account, bool) {
	s.errs, s.general, s.badAt = [nFields]string{}, "", -1
	v := func(i int) string { return strings.TrimSpace(s.inputs[i].Value()) }
	a := vault.Account{Issuer: v(fIssuer), Name: v(fName)}
	var err error
	if a.Type, err = vault.ParseType(v(fType)); err != nil {
		s.errs[fType] = err.Error()
	}
	if a.Algorithm, err = vault.ParseAlgorithm(v(fAlgorithm)); err != nil {
		s.errs[fAlgorithm] = err.Error()
	}
	// Digits and period: only the parsing is done here. Whether a number
	// is allowed is vault's rule (Validate), applied to what was typed,
	// an explicit 0 included: Normalize would take 0 for "unset" and
	// quietly put the default in its place.
	number := func(i int) (int, bool) {
		if v(i) == "" {
			return 0, false
		}
		n, err := strconv.Atoi(v(i))
		if err != nil {
			s.errs[i] = strings.ToLower(fieldLabels[i]) + " must be a whole number"
			return 0, false
		}
		return n, true
	}
	digits, hasDigits := number(fDigits)
	period, hasPeriod := number(fPeriod)
	a.Digits, a.Period = digits, period
	if v(fCounter) != "" {
		c, err := strconv.ParseUint(v(fCounter), 10, 64)
		if err != nil {
			s.errs[fCounter] = "counter must be a whole number"
		}
		a.Counter = c
	}
	if a.Secret, err = vault.ParseSecret(s.inputs[fSecret].Value()); err != nil {
		s.errs[fSecret] = err.Error()
		if i, r, ok := badBase32(s.inputs[fSecret].Value()); ok {
			s.badAt = i
			s.errs[fSecret] = fmt.Sprintf("%s: %q, character %d (marked ^)", err, string(r), i+1)
		}
	}
	ok := true
	for _, e := range s.errs {
		ok = ok && e == ""
	}
	if !ok {
		return a, false
	}
	err = a.Normalize(s.now())
	if err == nil && a.Type != vault.Steam {
		// Steam pins digits and period; elsewhere what was typed stands.
		if hasDigits {
			a.Digits = digits
		}
		if hasPeriod && a.Type == vault.TOTP {
			a.Period = period
		}
		err = a.Validate()
	}
	if err != nil {
		switch {
		case errors.Is(err, vault.ErrDigits):
			s.errs[fDigits] = err.Error()
		case errors.Is(err, vault.ErrPeriod):
			s.errs[fPeriod] = err.Error()
		case errors.Is(err, vault.ErrNoName):
			s.errs[fName] = "type an account name or an issuer"
		case errors.Is(err, vault.ErrUnknownType):
			s.errs[fType] = err.Error()
		case errors.Is(err, vault.ErrUnknownAlgorithm):
			s.errs[fAlgorithm] = err.Error()
		case errors.Is(err, vault.ErrEmptySecret), errors.Is(err, vault.ErrSecretTooShort), errors.Is(err, vault.ErrSecretTooLong), errors.Is(err, vault.ErrBadBase32):
			s.errs[fSecret] = err.Error()
		default:
			s.general = err.Error()
		}
		return a, false
	}
	return a, true
}

func (s *manualScreen) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := paste(&s.inputs[s.focus], msg); ok {
		s.build()
		return cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, s.keys.Cancel):
		return emit(backMsg{})
	case key.Matches(km, s.keys.Reveal):
		s.revealed = !s.revealed
		s.inputs[fSecret].EchoMode = textinput.EchoPassword
		if s.revealed {
			s.inputs[fSecret].EchoMode = textinput.EchoNormal
		}
		return nil
	case key.Matches(km, s.keys.Advanced):
		s.advanced = !s.advanced
		if !s.advanced && s.focus >= nBasic {
			return s.moveFocus(-s.focus)
		}
		return nil
	case key.Matches(km, s.keys.Next):
		return s.moveFocus(1)
	case key.Matches(km, s.keys.Prev):
		return s.moveFocus(-1)
	case key.Matches(km, s.keys.Submit):
		if s.focus < s.fields()-1 && !s.submitted {
			return s.moveFocus(1)
		}
		s.submitted = true
		a, ok := s.build()
		if !ok {
			if !s.advanced {
				for i := nBasic; i < nFields; i++ {
					if s.errs[i] != "" {
						s.advanced = true
					}
				}
			}
			return nil
		}
		return emit(importMsg{accts: []vault.Account{a}})
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	s.build() // inline validation as the user types
	return cmd
}

// badBase32 finds the first character of a typed secret that
// vault.ParseSecret refuses on its own (not for the length), by index
// in characters.
func badBase32(typed string) (int, rune, bool) {
	for i, r := range []rune(typed) {
		if _, err := vault.ParseSecret(string(r)); err == vault.ErrBadBase32 { //nolint:errorlint // the unwrapped sentinel is the bad-character case
			return i, r, true
		}
	}
	return 0, 0, false
}

// shownError is a field's error once it is worth showing: after a submit
// attempt, or as soon as the field holds something.
func (s *manualScreen) shownError(i int) string {
	if s.errs[i] == "" {
		return ""
	}
	if s.submitted || s.inputs[i].Value() != "" {
		return s.errs[i]
	}
	return ""
}

func (s *manualScreen) View() string {
	var b strings.Builder
	b.WriteString(s.st.Title.Render("Enter an account by hand") + "\n\n")
	for _, l := range strings.Split(wrap("As a console's manual-entry tab hands it out: the account and the key.", s.width-4), "\n") {
		b.WriteString(s.st.Hint.Render(l) + "\n")
	}
	b.WriteString("\n")
	for i := 0; i < s.fields(); i++ {
		label := fieldLabels[i]
		cur := "  "
		if i == s.focus {
			cur = s.st.Cursor.Render("▸ ")
		}
		b.WriteString(cur + fit(s.st.FieldLabel.Render(label), 12) + s.inputs[i].View() + "\n")
		if i == fSecret && s.badAt >= 0 && s.badAt < s.inputs[i].Width() && s.shownError(i) != "" {
			b.WriteString(strings.Repeat(" ", 14+s.badAt) + s.st.Error.Render("^") + "\n")
		}
		if e := s.shownError(i); e != "" {
			pad := "              "
			b.WriteString(pad + strings.ReplaceAll(s.st.Error.Render(wrap(e, s.width-18)), "\n", "\n"+pad) + "\n")
		}
		if i == nBasic-1 && !s.advanced {
			b.WriteString("\n" + s.st.Hint.Render("  ctrl+a: advanced (type, algorithm, digits, period, counter)") + "\n")
		}
	}
	if s.general != "" && s.submitted {
		b.WriteString("\n" + s.st.Error.Render(wrap(s.general, s.width-4)) + "\n")
	}
	return indent(b.String(), 2)
}
