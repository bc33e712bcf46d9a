package tui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/vmfa/vmfa/vault"
)

// explanation is what an error screen says: a title, what happened and
// what to do.
type explanation struct {
	title, what, todo string
}

// explain turns an error into words for the error screen. The error's own
// text is shown too; it never contains a secret.
func explain(err error) explanation {
	switch {
	case errors.Is(err, vault.ErrKeyringTimeout), errors.Is(err, errOpenTimeout):
		return explanation{"The keyring did not answer",
			"vmfa asked the Secret Service for the vault key and got no reply in time. It may be waiting on an unlock prompt on another screen.",
			"Unlock your keyring (gnome-keyring, KeePassXC…) and press r to try again."}
	case errors.Is(err, vault.ErrKeyringUnavailable):
		return explanation{"No keyring available",
			"vmfa keeps the vault key in a Secret Service keyring, and none answered on D-Bus (or it refused to unlock).",
			"Start or unlock a Secret Service keyring (gnome-keyring, KeePassXC) and press r."}
	case errors.Is(err, vault.ErrKeyMissing):
		return explanation{"The vault key is missing from the keyring",
			"The keyring answered but holds no key for this vault: the item was deleted or the keyring was reset.",
			"Restore the keyring from a backup and press r. The vault file was not changed."}
	case errors.Is(err, vault.ErrRollback):
		return explanation{"The vault file is an older copy",
			"It is older than the last version vmfa wrote here: a backup or a copy was put back. Opening it could hand HOTP codes out twice and bring deleted accounts back. Nothing was changed.",
			"Quit and run 'vmfa restore' to list the backups; 'vmfa restore FILE' puts a copy back on purpose."}
	case errors.Is(err, vault.ErrNotVault):
		return explanation{"This file is not a vmfa vault",
			"It does not begin as a vault does: --vault or $VMFA_VAULT may name another file, or the vault was overwritten from its first byte. Nothing was changed.",
			"Check --vault and $VMFA_VAULT. If this was your vault, quit and restore the latest copy from the backups directory next to it."}
	case errors.Is(err, vault.ErrCorrupt):
		return explanation{"The vault file is damaged",
			"It could not be decrypted and verified, so it was damaged or modified. Nothing was changed.",
			"Quit and restore the latest copy from the backups directory next to the vault (vmfa keeps encrypted backups before each change)."}
	case errors.Is(err, vault.ErrNewerFormat):
		return explanation{"The vault needs a newer vmfa",
			"The vault was written by a newer version of vmfa.",
			"Upgrade vmfa. The vault was not changed."}
	case errors.Is(err, vault.ErrWrongPassphrase):
		return explanation{"Wrong passphrase", "The passphrase does not open this vault.", "Press r to try again."}
	case errors.Is(err, vault.ErrPassphraseRequired):
		return explanation{"A passphrase is required", "This vault is protected by a passphrase.", "Press r to be asked for it."}
	case errors.Is(err, vault.ErrNoVault):
		return explanation{"No vault", "There is no vault at the configured path.", "Check --vault or $VMFA_VAULT, or run 'vmfa init'."}
	case errors.Is(err, vault.ErrNotFound):
		return explanation{"The account was deleted elsewhere",
			"Another vmfa (the command line or another window) deleted it after this list was read, so there is nothing to save.",
			"Press esc to go back: the list now shows the vault as it is. Add the account again if it was deleted by mistake."}
	case errors.Is(err, vault.ErrDuplicate):
		return explanation{"Already in the vault", "An account with the same issuer, name and secret is already stored.", "Press esc to go back. The vault was not changed."}
	}
	return explanation{"", "", ""}
}

func isWrongPassphrase(err error) bool { return errors.Is(err, vault.ErrWrongPassphrase) }

// keyringTrouble: the keyring could not be used at all.
func keyringTrouble(err error) bool {
	return errors.Is(err, vault.ErrKeyringUnavailable) || errors.Is(err, vault.ErrKeyringTimeout) || errors.Is(err, errOpenTimeout)
}

// errorScreen shows what went wrong and what to do. A fatal one (the
// vault could not be opened) offers retry and quit; others go back.
type errorScreen struct {
	frame
	keys   backKeys
	prefix string
	err    error
	path   string     // the vault file, when known
	vault  vaultState // whether it exists (fatal screens)
}

func newErrorScreen(st *Styles, prefix string, err error, fatal bool) *errorScreen {
	return &errorScreen{frame: frame{st: st}, keys: newBackKeys(fatal), prefix: prefix, err: err}
}

func (s *errorScreen) ShortHelp() []key.Binding  { return s.keys.ShortHelp() }
func (s *errorScreen) FullHelp() [][]key.Binding { return s.keys.FullHelp() }

func (s *errorScreen) update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if s.keys.retry {
		switch {
		case key.Matches(km, s.keys.Retry):
			return emit(retryMsg{})
		case s.keys.passphrase && key.Matches(km, s.keys.Passphrase):
			return emit(usePassMsg{})
		case s.keys.restore && key.Matches(km, s.keys.Restore):
			return emit(restoreListMsg{})
		case key.Matches(km, s.keys.Quit):
			return emit(quitMsg{})
		}
		return nil
	}
	if key.Matches(km, s.keys.Back) {
		return emit(backMsg{})
	}
	return nil
}

func (s *errorScreen) View() string {
	e := explain(s.err)
	title := e.title
	switch {
	case title == "" && s.prefix != "":
		title = s.prefix
	case title == "":
		title = "The vault could not be opened"
	case s.prefix != "":
		title = s.prefix + ": " + strings.ToLower(e.title[:1]) + e.title[1:]
	}
	switch {
	case s.keys.passphrase:
		e.todo = "Start or unlock a Secret Service keyring (gnome-keyring, KeePassXC) and press r, or press p to protect the new vault with a passphrase instead."
	case errors.Is(s.err, vault.ErrKeyringUnavailable) && s.vault == vaultMissing:
		e.todo = "Start or unlock a Secret Service keyring (gnome-keyring, KeePassXC) and press r, or quit and create a passphrase vault with 'vmfa init --passphrase'."
	case errors.Is(s.err, vault.ErrKeyringUnavailable) && s.vault == vaultExists:
		e.todo = "This vault's key is kept in the keyring, so only the keyring can open it: start or unlock the Secret Service keyring (gnome-keyring, KeePassXC) and press r, or run vmfa where that keyring is reachable (your desktop session)."
	case s.keys.restore && errors.Is(s.err, vault.ErrRollback):
		e.todo = "Press b to choose a backup and put it back on purpose (asks first), r to try again, or q to quit."
	case s.keys.restore && errors.Is(s.err, vault.ErrNotVault):
		e.todo = "Check --vault and $VMFA_VAULT, or, if this was your vault, press b to restore a backup from " + vault.BackupDir(s.path) + " (asks first; this file is kept), or q to quit."
	case s.keys.restore:
		e.todo = "Press b to restore a backup from " + vault.BackupDir(s.path) + " (asks first; the damaged file is kept), or q to quit. The vault was not changed."
	case errors.Is(s.err, vault.ErrCorrupt) && !errors.Is(s.err, vault.ErrNotVault) && s.path != "":
		e.todo = "Quit and restore the latest copy from " + vault.BackupDir(s.path) + " (encrypted backups kept before each change). The vault was not changed."
	}
	if e.todo == "" {
		e.todo = "Press r to try again, or q to quit."
		if !s.keys.retry {
			e.todo = "Press esc to go back. The vault was not changed."
		}
	}
	w := min(s.width-4, 76)
	wrap := lipgloss.NewStyle().Width(w)
	var parts []string
	parts = append(parts, s.st.Error.Render(title), "")
	if e.what != "" {
		parts = append(parts, wrap.Render(e.what), "")
	}
	parts = append(parts, wrap.Render(s.st.Dim.Render("error: ")+oneLine(s.err.Error())), "")
	parts = append(parts, wrap.Render(s.st.FieldLabel.Render("What to do: ")+e.todo))
	return indent(strings.Join(parts, "\n"), 2)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}

// passScreen asks for the vault passphrase (twice when creating one).
type passScreen struct {
	frame
	keys    formKeys
	inputs  []textinput.Model
	focus   int
	confirm bool
	msg     string
}

func newPassScreen(st *Styles, confirm bool, msg string) *passScreen {
	s := &passScreen{frame: frame{st: st}, keys: newFormKeys("unlock"), confirm: confirm, msg: msg}
	if confirm {
		s.keys.Submit.SetHelp("enter", "create")
	}
	s.keys.Cancel.SetHelp("esc", "quit")
	n := 1
	if confirm {
		n = 2
	}
	for i := 0; i < n; i++ {
		in := newInput("", "")
		in.EchoMode = textinput.EchoPassword
		in.EchoCharacter = '•'
		s.inputs = append(s.inputs, in)
	}
	s.inputs[0].Focus()
	return s
}

func (s *passScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	for i := range s.inputs {
		s.inputs[i].SetWidth(max(10, min(w-24, 40)))
	}
}
func (s *passScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.keys.Submit, s.keys.Cancel}
}
func (s *passScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *passScreen) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := paste(&s.inputs[s.focus], msg); ok {
		return cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, s.keys.Cancel):
		return emit(quitMsg{})
	case key.Matches(km, s.keys.Next), key.Matches(km, s.keys.Prev):
		s.inputs[s.focus].Blur()
		s.focus = (s.focus + 1) % len(s.inputs)
		return s.inputs[s.focus].Focus()
	case key.Matches(km, s.keys.Submit):
		p := s.inputs[0].Value()
		if p == "" {
			s.msg = "the passphrase is empty"
			return nil
		}
		if s.confirm && s.focus == 0 {
			s.inputs[0].Blur()
			s.focus = 1
			return s.inputs[1].Focus()
		}
		if s.confirm && s.inputs[1].Value() != p {
			s.msg = "the passphrases do not match, type them again"
			for i := range s.inputs {
				s.inputs[i].Reset()
				s.inputs[i].Blur()
			}
			s.focus = 0
			return s.inputs[0].Focus()
		}
		return emit(passMsg{pass: []byte(p)})
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	return cmd
}

func (s *passScreen) View() string {
	var b strings.Builder
	if s.confirm {
		b.WriteString(s.st.Title.Render("Create the vault") + "\n\n")
		b.WriteString(s.st.Hint.Render("No keyring is being used: choose a passphrase to encrypt the vault.\nThere is no way to recover it if you forget it.") + "\n\n")
	} else {
		b.WriteString(s.st.Title.Render("Unlock the vault") + "\n\n")
		b.WriteString(s.st.Hint.Render("This vault is protected by a passphrase.") + "\n\n")
	}
	labels := []string{"Passphrase", "Again"}
	for i, in := range s.inputs {
		b.WriteString(fit(s.st.FieldLabel.Render(labels[i]), 12) + in.View() + "\n")
	}
	if s.msg != "" {
		b.WriteString("\n" + s.st.Error.Render(s.msg) + "\n")
	}
	return indent(b.String(), 2)
}
