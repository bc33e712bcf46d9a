package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/vault"
)

// newInput is a text field with a static cursor: a blinking one would
// wake the program twice a second.
func newInput(prompt, placeholder string) textinput.Model {
	t := textinput.New()
	t.Prompt = prompt
	t.Placeholder = placeholder
	st := t.Styles()
	st.Cursor.Blink = false
	t.SetStyles(st)
	return t
}

// paste types pasted text into a field when msg is a paste (which
// arrives as its own message, not as keys).
func paste(in *textinput.Model, msg tea.Msg) (tea.Cmd, bool) {
	p, ok := msg.(tea.PasteMsg)
	if !ok {
		return nil, false
	}
	var cmd tea.Cmd
	*in, cmd = in.Update(p)
	return cmd, true
}

// updateMain handles the main screen's actions and passes everything else
// to the list.
func (m *Model) updateMain(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	s := m.main
	if !ok || s.editing {
		return s.update(msg)
	}
	k := s.keys
	a, has := s.selected()
	switch {
	case key.Matches(km, k.Quit):
		return tea.Quit
	case key.Matches(km, k.Add):
		m.status = ""
		m.setState(stateAddMenu, newMenuScreen(m.st))
		return nil
	case key.Matches(km, k.Offset):
		m.setState(stateOffset, newOffsetScreen(m.st, m.offset))
		return m.sub.(*offsetScreen).input.Focus()
	case key.Matches(km, k.SecurityKeys):
		return m.openSecurityKeys()
	}
	if !has {
		return s.update(msg)
	}
	switch {
	case key.Matches(km, k.Generate) && a.Type == vault.HOTP:
		st, id := m.store, a.ID
		if st == nil {
			return nil
		}
		// With the next code on screen, both codes are handed out (a
		// console binds with the pair), so both are used up.
		n := uint64(1)
		if m.main.showNext {
			n = 2
		}
		return func() tea.Msg {
			acct, err := st.AdvanceHOTP(id, n)
			if err != nil {
				return opFailedMsg{what: "save the new HOTP counter", err: err}
			}
			return hotpMsg{acct: acct, n: n}
		}
	case key.Matches(km, k.Copy):
		return m.copyCode(a, false)
	case key.Matches(km, k.CopyNext):
		return m.copyCode(a, true)
	case key.Matches(km, k.Delete):
		id, label, store := a.ID, a.Label(), m.store
		m.setState(stateConfirm, newConfirmScreen(m.st,
			fmt.Sprintf("Delete %s?", label),
			"Its secret is removed from the vault. Unless the service still shows its QR code or you have a backup, you will need another way to log in there.",
			"delete",
			func() tea.Cmd {
				return storeCmd(store, "delete the account", func(s Store) error { return s.Delete(id) }, "", "deleted "+label)
			}))
		return nil
	case key.Matches(km, k.Edit):
		m.setState(stateEdit, newEditScreen(m.st, a))
		return m.sub.(*editScreen).start()
	case key.Matches(km, k.Favourite):
		fav := !a.Favourite
		status := "pinned " + a.Label()
		if !fav {
			status = "unpinned " + a.Label()
		}
		id := a.ID
		return m.storeCmd("save the account", func(s Store) error {
			return s.Edit(id, func(x *vault.Account) error { x.Favourite = fav; return nil })
		}, id, status)
	case key.Matches(km, k.MoveUp), key.Matches(km, k.MoveDown):
		return m.reorder(key.Matches(km, k.MoveUp))
	case key.Matches(km, k.Reveal):
		acct := a.Clone()
		m.setState(stateConfirm, newConfirmScreen(m.st,
			"Reveal the secret of "+a.Label()+"?",
			"Anyone who can see your screen (or a recording of it) can copy this account.",
			"reveal",
			func() tea.Cmd { return emit(showMsg{acct: acct, qr: false}) }))
		return nil
	case key.Matches(km, k.ShowQR):
		acct := a.Clone()
		m.setState(stateConfirm, newConfirmScreen(m.st,
			"Show the QR code of "+a.Label()+"?",
			"Anyone who can see your screen (or a recording of it) can scan it and copy this account.",
			"show",
			func() tea.Cmd { return emit(showMsg{acct: acct, qr: true}) }))
		return nil
	}
	return s.update(msg)
}

// showMsg opens the secret or QR screen after confirmation.
type showMsg struct {
	acct vault.Account
	qr   bool
}

// reorder moves the selected account one place within its group
// (favourites stay on top) and saves the new order of every account.
func (m *Model) reorder(up bool) tea.Cmd {
	s := m.main
	if s.filter.Value() != "" {
		m.status = "clear the filter (esc) to reorder"
		return nil
	}
	i := s.cursor
	j := i + 1
	if up {
		j = i - 1
	}
	if j < 0 || j >= len(s.all) || s.all[i].Favourite != s.all[j].Favourite {
		return nil
	}
	ids := make([]string, len(s.all))
	for k := range s.all {
		ids[k] = s.all[k].ID
	}
	ids[i], ids[j] = ids[j], ids[i]
	id := s.all[i].ID
	return m.storeCmd("save the new order", func(st Store) error { return st.Reorder(ids) }, id, "moved "+s.all[i].Label())
}

// openAdd opens one of the add flows.
func (m *Model) openAdd(kind state) tea.Cmd {
	switch kind {
	case stateAddQR:
		q := newQRScreen(m.st, m.cfg.Decoders)
		m.setState(stateAddQR, q)
		return q.input.Focus()
	case stateAddURI:
		u := newURIScreen(m.st, m.cfg.Decoders)
		m.setState(stateAddURI, u)
		return u.input.Focus()
	case stateAddFile:
		q := newFileScreen(m.st, m.cfg.Decoders)
		m.setState(stateAddFile, q)
		return q.input.Focus()
	case stateAddManual:
		f := newManualScreen(m.st, m.now)
		m.setState(stateAddManual, f)
		return f.start()
	}
	return nil
}

// tagList parses "work, ci  ops" into tags.
func tagList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '#' }) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
