package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// editScreen renames an account and edits its tags and note.
type editScreen struct {
	frame
	keys   formKeys
	acct   vault.Account
	inputs [4]textinput.Model
	focus  int
	err    string
}

var editLabels = [4]string{"Issuer", "Account", "Tags", "Note"}

func newEditScreen(st *Styles, a vault.Account) *editScreen {
	s := &editScreen{frame: frame{st: st}, keys: newFormKeys("save"), acct: a}
	vals := [4]string{a.Issuer, a.Name, strings.Join(a.Tags, ", "), a.Note}
	ph := [4]string{"", "", "e.g. work, ci", ""}
	for i := range s.inputs {
		s.inputs[i] = newInput("", ph[i])
		s.inputs[i].SetValue(vals[i])
	}
	s.focus = 1
	return s
}

func (s *editScreen) focusCmd() tea.Cmd { return s.inputs[s.focus].Focus() }
func (s *editScreen) start() tea.Cmd    { return s.focusCmd() }

func (s *editScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	for i := range s.inputs {
		s.inputs[i].SetWidth(max(10, min(w-20, 50)))
	}
}
func (s *editScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.keys.Submit, s.keys.Next, s.keys.Prev, s.keys.Cancel}
}
func (s *editScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *editScreen) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := paste(&s.inputs[s.focus], msg); ok {
		s.err = ""
		return cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, s.keys.Cancel):
		return emit(backMsg{})
	case key.Matches(km, s.keys.Next), key.Matches(km, s.keys.Prev):
		d := 1
		if key.Matches(km, s.keys.Prev) {
			d = len(s.inputs) - 1
		}
		s.inputs[s.focus].Blur()
		s.focus = (s.focus + d) % len(s.inputs)
		return s.focusCmd()
	case key.Matches(km, s.keys.Submit):
		issuer := strings.TrimSpace(s.inputs[0].Value())
		name := strings.TrimSpace(s.inputs[1].Value())
		tags := tagList(s.inputs[2].Value())
		note := strings.TrimSpace(s.inputs[3].Value())
		check := s.acct.Clone()
		check.Issuer, check.Name = issuer, name
		if err := check.Validate(); err != nil {
			s.err = err.Error()
			return nil
		}
		fn := func(a *vault.Account) error {
			a.Issuer, a.Name, a.Tags, a.Note = issuer, name, tags, note
			return a.Validate()
		}
		return emit(editMsg{id: s.acct.ID, fn: fn, status: "saved " + check.Label()})
	}
	s.err = ""
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	return cmd
}

func (s *editScreen) View() string {
	var b strings.Builder
	b.WriteString(s.st.Title.Render(clip("Edit "+s.acct.Label(), s.width-4)) + "\n\n")
	for i := range s.inputs {
		cur := "  "
		if i == s.focus {
			cur = s.st.Cursor.Render("▸ ")
		}
		b.WriteString(cur + fit(s.st.FieldLabel.Render(editLabels[i]), 10) + s.inputs[i].View() + "\n")
	}
	b.WriteString("\n" + s.st.Hint.Render("Tags are separated by commas or spaces; the filter (/) matches them.") + "\n")
	if s.err != "" {
		b.WriteString("\n" + s.st.Error.Render(wrap(s.err, s.width-4)) + "\n")
	}
	return indent(b.String(), 2)
}

// confirmScreen asks a yes/no question naming what is at stake.
type confirmScreen struct {
	frame
	keys     confirmKeys
	question string
	detail   string
	action   func() tea.Cmd
}

func newConfirmScreen(st *Styles, question, detail, yes string, action func() tea.Cmd) *confirmScreen {
	return &confirmScreen{frame: frame{st: st}, keys: newConfirmKeys(yes), question: question, detail: detail, action: action}
}

func (s *confirmScreen) ShortHelp() []key.Binding  { return s.keys.ShortHelp() }
func (s *confirmScreen) FullHelp() [][]key.Binding { return s.keys.FullHelp() }

func (s *confirmScreen) update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, s.keys.Yes):
		return emit(confirmedMsg{action: s.action})
	case key.Matches(km, s.keys.No):
		return emit(backMsg{})
	}
	return nil
}

func (s *confirmScreen) View() string {
	w := max(20, min(s.width-8, 70))
	body := s.st.Error.Render(s.question) + "\n\n" +
		lipgloss.NewStyle().Width(w).Render(s.detail) + "\n\n" +
		s.st.FieldLabel.Render("y") + " " + s.keys.Yes.Help().Desc + "    " + s.st.FieldLabel.Render("n") + " cancel"
	return indent(s.st.Box.Render(body), 2)
}

// showScreen shows an account's secret or its QR code.
type showScreen struct {
	frame
	keys  backKeys
	acct  vault.Account
	qr    bool
	text  string   // the secret, grouped (S)
	forms []string // the QR drawings, biggest first (Q)
	err   string
}

func newShowScreen(st *Styles, a vault.Account, qr bool, dec Decoders, style scanner.QRStyle) *showScreen {
	s := &showScreen{frame: frame{st: st}, keys: newBackKeys(false), acct: a, qr: qr}
	switch {
	case !qr:
		s.text = groupSecret(vault.EncodeSecret(a.Secret))
	case dec.AccountURI == nil || dec.QRText == nil:
		s.err = errNoDecoder.Error()
	default:
		forms, err := qrForms(dec.AccountURI(a), style, dec.QRText)
		if err != nil {
			s.err = "cannot draw the QR code: " + err.Error()
			break
		}
		s.forms = forms
	}
	return s
}

// FullScreen: a QR code gets the whole terminal, without header or help,
// so that it fits 80×24 more often.
func (s *showScreen) FullScreen() bool { return s.qr && s.err == "" }

func (s *showScreen) ShortHelp() []key.Binding  { return s.keys.ShortHelp() }
func (s *showScreen) FullHelp() [][]key.Binding { return s.keys.FullHelp() }

func (s *showScreen) update(msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyPressMsg); ok && key.Matches(km, s.keys.Back) {
		return emit(backMsg{})
	}
	return nil
}

func (s *showScreen) View() string {
	var b strings.Builder
	if s.err != "" {
		b.WriteString(s.st.Error.Render(s.err))
		return indent(b.String(), 2)
	}
	if !s.qr {
		b.WriteString(s.st.Title.Render(clip("Secret of "+s.acct.Label(), s.width-4)) + "\n\n")
		b.WriteString(s.st.Code.Render(s.text) + "\n\n")
		b.WriteString(s.st.Dim.Render(describe(&s.acct)) + "\n\n")
		b.WriteString(s.st.Hint.Render("Type it into another authenticator as the key (spaces are optional).") + "\n")
		return indent(b.String(), 2)
	}
	caption := s.st.Dim.Render(clip("  "+s.acct.Label()+" · scan with another authenticator · esc back", s.width))
	// The biggest drawing that fits: two columns and one line per module
	// (square, easiest to scan), else the half-block drawing, each with
	// the full quiet zone or a 2-module one. The QR code is drawn
	// without indentation: its quiet zone is part of it.
	forms := s.forms
	for _, code := range forms {
		w, h := lipgloss.Width(code), lipgloss.Height(code)
		switch {
		case w <= s.width && h+1 <= s.height:
			return code + "\n" + caption
		case w <= s.width && h == s.height:
			return code // exactly the terminal: no room for the caption
		}
	}
	smallest := forms[len(forms)-1]
	w, h := lipgloss.Width(smallest), lipgloss.Height(smallest)
	b.WriteString("\n" + s.st.Error.Render(wrap("The terminal is too small for this QR code.", s.width-4)) + "\n\n")
	b.WriteString(s.st.Hint.Render(wrap(fmt.Sprintf("It needs %d×%d (this one is %d×%d); enlarge the window or make the font smaller, or press esc and use S to reveal the key as text instead.", w, h, s.width, s.height), s.width-4)) + "\n\n")
	b.WriteString(caption)
	return indent(b.String(), 2)
}

func itoa(n int) string { return strconv.Itoa(n) }

// offsetScreen sets the simulated clock drift.
type offsetScreen struct {
	frame
	keys  formKeys
	input textinput.Model
	err   string
}

func newOffsetScreen(st *Styles, cur time.Duration) *offsetScreen {
	k := newFormKeys("set")
	in := newInput("offset: ", "e.g. +30, -90, 1m30s")
	if cur != 0 {
		in.SetValue(formatOffset(cur))
	}
	return &offsetScreen{frame: frame{st: st}, keys: k, input: in}
}

func (s *offsetScreen) SetSize(w, h int)          { s.width, s.height = w, h; s.input.SetWidth(30) }
func (s *offsetScreen) ShortHelp() []key.Binding  { return []key.Binding{s.keys.Submit, s.keys.Cancel} }
func (s *offsetScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *offsetScreen) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := paste(&s.input, msg); ok {
		s.err = ""
		return cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, s.keys.Cancel):
		return emit(backMsg{})
	case key.Matches(km, s.keys.Submit):
		d, err := parseOffset(s.input.Value())
		if err != nil {
			s.err = err.Error()
			return nil
		}
		return emit(offsetMsg{offset: d})
	}
	s.err = ""
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return cmd
}

func (s *offsetScreen) View() string {
	var b strings.Builder
	b.WriteString(s.st.Title.Render("Simulate a drifted clock") + "\n\n")
	b.WriteString(s.st.Hint.Render("Codes are computed as if the device clock were this far ahead (+)\nor behind (-), to check a verifier's skew window. 0 resets it.") + "\n\n")
	b.WriteString(s.input.View() + "\n")
	if s.err != "" {
		b.WriteString("\n" + s.st.Error.Render(wrap(s.err, s.width-4)) + "\n")
	}
	return indent(b.String(), 2)
}
