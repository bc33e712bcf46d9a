package tui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/hwkey"
)

// The security keys screen's management of the selected key: its PIN
// (set the first, or change it) and the discoverable credentials
// (passkeys) it holds, listed and deleted one at a time after a question.

type (
	keyPINSetMsg struct {
		seq int
		pin string
		err error
	}
	keyCredsMsg struct {
		seq   int
		creds *hwkey.ResidentCredentials
		err   error
	}
	keyCredDeletedMsg struct {
		seq  int
		name string
		err  error
	}
)

// pinForm is the PIN form: the current PIN when the key has one, the new
// one twice.
type pinForm struct {
	inputs []textinput.Model // [current,] new, repeat
	focus  int
	hasOld bool
	msg    string
}

func newPINForm(hasOld bool) pinForm {
	labels := []string{"new PIN", "the new PIN again"}
	if hasOld {
		labels = append([]string{"the key's current PIN"}, labels...)
	}
	f := pinForm{hasOld: hasOld}
	for _, l := range labels {
		in := newInput("", l)
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
		in.CharLimit = 63
		f.inputs = append(f.inputs, in)
	}
	return f
}

// setWidth sizes the inputs for a screen w cells wide.
func (f *pinForm) setWidth(w int) {
	for i := range f.inputs {
		f.inputs[i].SetWidth(max(10, min(w-14, 30)))
	}
}

func (f *pinForm) focusOn(i int) tea.Cmd {
	f.focus = (i + len(f.inputs)) % len(f.inputs)
	for j := range f.inputs {
		f.inputs[j].Blur()
	}
	return f.inputs[f.focus].Focus()
}

// values returns the current PIN ("" when the key has none) and the new
// one, or a message saying what is wrong with them.
func (f *pinForm) values() (old, pin, problem string) {
	n := len(f.inputs)
	pin, again := f.inputs[n-2].Value(), f.inputs[n-1].Value()
	if f.hasOld {
		old = f.inputs[0].Value()
	}
	switch {
	case f.hasOld && old == "":
		return "", "", "type the key's current pin"
	case len(pin) < 4 || len(pin) > 63:
		return "", "", "the new pin must be 4 to 63 characters"
	case pin != again:
		return "", "", "the two new pins differ: type them again"
	case f.hasOld && pin == old:
		return "", "", "the new pin is the current one"
	}
	return old, pin, ""
}

// openPINForm starts setting or changing the selected key's PIN.
func (s *keysScreen) openPINForm() tea.Cmd {
	d, ok := s.selected()
	if !ok {
		return nil
	}
	s.dev, s.op, s.err = d, opSetPIN, nil
	is := s.infos[d.Path]
	if !is.loading && is.err == nil && is.info.Type == "u2f" {
		s.notice = s.deviceName(d) + " is a U2F key: it has no pin"
		return nil
	}
	s.pinForm = newPINForm(is.info.PIN == "set")
	s.pinForm.setWidth(s.width)
	s.phase = keysNewPIN
	return s.pinForm.focusOn(0)
}

// setPIN sends the form's PINs to the key.
func (s *keysScreen) setPIN(old, pin string) tea.Cmd {
	s.phase, s.op = keysBusy, opSetPIN
	ctx, seq := s.begin()
	req, svc := s.request(old), s.svc
	return tea.Batch(s.spinTick(s.spin), func() tea.Msg {
		return keyPINSetMsg{seq: seq, pin: pin, err: svc.SetPIN(ctx, req, pin)}
	})
}

// listCreds asks the key of the flow for its passkeys.
func (s *keysScreen) listCreds(pin string) tea.Cmd {
	s.phase, s.op, s.err = keysBusy, opCreds, nil
	ctx, seq := s.begin()
	req, svc := s.request(pin), s.svc
	return tea.Batch(s.spinTick(s.spin), func() tea.Msg {
		c, err := svc.Credentials(ctx, req)
		return keyCredsMsg{seq: seq, creds: c, err: err}
	})
}

// deleteCred deletes the passkey under the cursor.
func (s *keysScreen) deleteCred() tea.Cmd {
	c, ok := s.selectedCred()
	if !ok {
		return nil
	}
	s.phase, s.op = keysBusy, opDeleteCred
	ctx, seq := s.begin()
	req, svc, name := s.request(s.pins[s.dev.Path]), s.svc, credName(c)
	return tea.Batch(s.spinTick(s.spin), func() tea.Msg {
		return keyCredDeletedMsg{seq: seq, name: name, err: svc.DeleteCredential(ctx, req, c.ID)}
	})
}

func (s *keysScreen) selectedCred() (hwkey.ResidentCredential, bool) {
	if s.creds == nil || s.credCursor < 0 || s.credCursor >= len(s.creds.Credentials) {
		return hwkey.ResidentCredential{}, false
	}
	return s.creds.Credentials[s.credCursor], true
}

// credName names a passkey: its user at its site.
func credName(c hwkey.ResidentCredential) string {
	user := c.UserName
	if user == "" {
		user = c.DisplayName
	}
	if user == "" {
		user = "(no user name)"
	}
	return user + " at " + c.RPID
}

// manageUpdate handles the management messages; ok is false for others.
func (s *keysScreen) manageUpdate(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case keyPINSetMsg:
		if msg.seq != s.seq {
			return nil, true
		}
		s.done()
		var pe *hwkey.PINError
		switch {
		case msg.err == nil:
			s.pins[s.dev.Path] = msg.pin
			s.notice = "pin set on " + s.deviceName(s.dev)
			if s.pinForm.hasOld {
				s.notice = "pin changed on " + s.deviceName(s.dev)
			}
			s.phase = keysList
			return s.infoCmd(s.dev.Path), true
		case errors.As(msg.err, &pe), errors.Is(msg.err, hwkey.ErrPINInvalid), errors.Is(msg.err, hwkey.ErrPINPolicy):
			// Back to the form, the current PIN to type again.
			s.phase, s.pinForm.msg = keysNewPIN, msg.err.Error()
			s.pinForm.inputs[0].Reset()
			return tea.Batch(s.pinForm.focusOn(0), s.infoCmd(s.dev.Path)), true
		}
		return s.fail(msg.err), true
	case keyCredsMsg:
		if msg.seq != s.seq {
			return nil, true
		}
		if msg.err != nil {
			return s.fail(msg.err), true
		}
		s.done()
		s.rememberPIN()
		s.creds, s.phase = msg.creds, keysCreds
		s.credCursor = max(0, min(s.credCursor, len(s.creds.Credentials)-1))
		return nil, true
	case keyCredDeletedMsg:
		if msg.seq != s.seq {
			return nil, true
		}
		if msg.err != nil {
			return s.fail(msg.err), true
		}
		s.done()
		cmd := s.listCreds(s.pins[s.dev.Path])
		s.notice = "deleted the passkey of " + msg.name
		return cmd, true
	}
	return nil, false
}

// pinFormKey handles a key press in the PIN form.
func (s *keysScreen) pinFormKey(km tea.KeyPressMsg) tea.Cmd {
	k, f := s.keys, &s.pinForm
	switch {
	case key.Matches(km, k.Cancel):
		return s.toList()
	case key.Matches(km, k.NextField):
		return f.focusOn(f.focus + 1)
	case key.Matches(km, k.PrevField):
		return f.focusOn(f.focus - 1)
	case key.Matches(km, k.SubmitPIN):
		if f.focus < len(f.inputs)-1 {
			return f.focusOn(f.focus + 1)
		}
		old, pin, problem := f.values()
		if problem != "" {
			f.msg = problem
			return nil
		}
		f.msg = ""
		return s.setPIN(old, pin)
	}
	var cmd tea.Cmd
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(km)
	return cmd
}

// credsKey handles a key press on the passkeys list.
func (s *keysScreen) credsKey(km tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	if s.askDelete {
		switch {
		case key.Matches(km, k.YesDel):
			s.askDelete = false
			return s.deleteCred()
		case key.Matches(km, k.No):
			s.askDelete = false
		}
		return nil
	}
	s.notice = ""
	n := 0
	if s.creds != nil {
		n = len(s.creds.Credentials)
	}
	switch {
	case key.Matches(km, k.Back):
		return s.toList()
	case key.Matches(km, k.Up):
		s.credCursor = max(0, s.credCursor-1)
	case key.Matches(km, k.Down):
		s.credCursor = max(0, min(n-1, s.credCursor+1))
	case key.Matches(km, k.Refresh):
		return s.listCreds(s.pins[s.dev.Path])
	case key.Matches(km, k.DeleteCred) && n > 0:
		s.askDelete = true
	}
	return nil
}

// manageHelp is the short help of the management phases.
func (s *keysScreen) manageHelp() []key.Binding {
	k := s.keys
	switch s.phase {
	case keysNewPIN:
		return []key.Binding{k.SubmitPIN, k.NextField, k.Cancel}
	case keysCreds:
		if s.askDelete {
			return []key.Binding{k.YesDel, k.No}
		}
		if s.creds == nil || len(s.creds.Credentials) == 0 {
			// Nothing to move over or delete.
			return []key.Binding{k.Refresh, k.Back}
		}
		return []key.Binding{k.Up, k.Down, k.DeleteCred, k.Refresh, k.Back}
	}
	return nil
}

func (s *keysScreen) pinFormView() string {
	var b strings.Builder
	st, f := s.st, &s.pinForm
	title := "Set the key's PIN"
	if f.hasOld {
		title = "Change the key's PIN"
	}
	b.WriteString(st.FieldLabel.Render(title) + "\n\n")
	hint := "4 to 63 characters."
	if f.hasOld {
		hint += " A wrong current PIN uses up an attempt."
	}
	b.WriteString(s.wrap(st.Hint, hint, s.width-6) + "\n\n")
	labels := []string{"New", "Again"}
	if f.hasOld {
		labels = append([]string{"Current"}, labels...)
	}
	for i, in := range f.inputs {
		b.WriteString(fit(st.FieldLabel.Render(labels[i]), 9) + in.View() + "\n")
	}
	if f.msg != "" {
		b.WriteString("\n" + s.wrap(st.Error, f.msg, s.width-6) + "\n")
	} else if is := s.infos[s.dev.Path]; f.hasOld && is.err == nil && !is.loading && is.info.PINRetries >= 0 {
		b.WriteString("\n" + st.Hint.Render(fmt.Sprintf("%d attempts left.", is.info.PINRetries)) + "\n")
	}
	return b.String()
}

func (s *keysScreen) credsView() string {
	var b strings.Builder
	st, w := s.st, s.width-4
	b.WriteString(st.FieldLabel.Render("Passkeys on the key") + "\n\n")
	var list []hwkey.ResidentCredential
	if s.creds != nil {
		list = s.creds.Credentials
	}
	if len(list) == 0 {
		b.WriteString(s.wrap(st.Hint, "The key holds no passkey (discoverable credential).", w) + "\n")
	}
	siteW := max(10, min(30, w/2-4))
	// Rows that fit between the lines above the list (title, hint,
	// heading, columns and blanks: 6) and those below it (count, notice,
	// question).
	below := 2
	if s.notice != "" {
		below++
	}
	if s.askDelete {
		below += 2
	}
	rows := max(1, s.height-6-below)
	first := max(0, min(s.credCursor-rows+1, len(list)-rows))
	if len(list) > 0 {
		b.WriteString(st.Dim.Render(clip("  "+fit("SITE", siteW)+"  USER", w)) + "\n")
	}
	for i := first; i < len(list) && i < first+rows; i++ {
		c := list[i]
		cur := "  "
		if i == s.credCursor {
			cur = st.Cursor.Render("▸ ")
		}
		user := c.UserName
		if c.DisplayName != "" && c.DisplayName != c.UserName {
			user += " (" + c.DisplayName + ")"
		}
		b.WriteString(clip(cur+fit(c.RPID, siteW)+"  "+orDash(strings.TrimSpace(user)), w) + "\n")
	}
	if s.creds != nil {
		b.WriteString("\n" + st.Dim.Render(clip(fmt.Sprintf("%d on the key, room for %d more", s.creds.Existing, s.creds.Remaining), w)) + "\n")
	}
	if s.notice != "" {
		b.WriteString(s.wrap(st.Status, "✓ "+s.notice, w) + "\n")
	}
	if s.askDelete {
		if c, ok := s.selectedCred(); ok {
			b.WriteString("\n" + s.wrap(st.FieldLabel, fmt.Sprintf("Delete the passkey of %s? Its site will no longer accept it. y/n", credName(c)), w) + "\n")
		}
	}
	return b.String()
}

// busyText says what the key does during a management operation.
func (s *keysScreen) busyText() string {
	switch s.op {
	case opSetPIN:
		return "setting the pin…"
	case opCreds:
		return "reading the passkeys on the key…"
	case opDeleteCred:
		return "deleting the passkey…"
	}
	return "working…"
}
