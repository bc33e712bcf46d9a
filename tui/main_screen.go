package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/vault"
)

// expiringSoon is when a code's countdown turns to a warning.
const expiringSoon = 5 * time.Second

// mainScreen is the account list: every account's current code, the next
// code and a countdown, with a fuzzy filter.
type mainScreen struct {
	frame
	keys     mainKeys
	fkeys    filterKeys
	all      []vault.Account // display order
	visible  []int           // indices into all that pass the filter
	cursor   int             // index into visible
	top      int             // first visible row on screen
	filter   textinput.Model
	editing  bool // the filter input has focus
	showNext bool
	fullHelp bool
	// hotp holds codes generated this session, by account ID. HOTP
	// codes are only shown after the counter has been saved.
	hotp map[string]hotpShown
	now  time.Time
}

func newMainScreen(st *Styles, showNext bool) *mainScreen {
	f := newInput("/ ", "issuer, account or tag")
	return &mainScreen{frame: frame{st: st}, keys: newMainKeys(), fkeys: newFilterKeys(), filter: f, showNext: showNext, hotp: map[string]hotpShown{}}
}

func (s *mainScreen) SetSize(w, h int) { s.width, s.height = w, h; s.scroll() }

// ShortHelp follows the selection (on an HOTP account enter generates)
// and the width: what does not fit goes, least needed first, so that
// copy, add, edit, delete, more help and quit stay down to 60 columns,
// and copy, add, more and quit to 40.
func (s *mainScreen) ShortHelp() []key.Binding {
	if s.editing {
		return s.fkeys.ShortHelp()
	}
	k := s.keys
	short := func(b key.Binding, desc string) key.Binding {
		b.SetHelp(b.Help().Key, desc)
		return b
	}
	copyKeys := []key.Binding{k.Copy}
	if a, ok := s.selected(); ok && a.Type == vault.HOTP {
		copyKeys = []key.Binding{short(k.Generate, "generate"), k.CopyHOTP}
	}
	items := []helpItem{}
	for _, b := range copyKeys {
		items = append(items, helpItem{b, 9})
	}
	items = append(items,
		helpItem{short(k.CopyNext, "next"), 1},
		helpItem{k.Add, 8},
		helpItem{short(k.Edit, "edit"), 5},
		helpItem{k.Delete, 4},
		helpItem{k.Filter, 2},
		helpItem{short(k.Help, "more"), 7},
		helpItem{k.Quit, 9},
	)
	return fitHelp(items, s.width)
}

// helpItem is a key for the short help with how much it is needed:
// the lowest go first when the line is too long.
type helpItem struct {
	b    key.Binding
	need int
}

// fitHelp keeps the items, in their order, that fit in width as
// bubbles/help draws them ("key desc" joined by " • ").
func fitHelp(items []helpItem, width int) []key.Binding {
	line := func(items []helpItem) int {
		w := 0
		for i, it := range items {
			if i > 0 {
				w += 3
			}
			w += ansi.StringWidth(it.b.Help().Key) + 1 + ansi.StringWidth(it.b.Help().Desc)
		}
		return w
	}
	for len(items) > 1 && line(items) > width {
		low := 0
		for i, it := range items {
			if it.need < items[low].need {
				low = i
			}
		}
		items = append(items[:low:low], items[low+1:]...)
	}
	out := make([]key.Binding, len(items))
	for i, it := range items {
		out[i] = it.b
	}
	return out
}

func (s *mainScreen) FullHelp() [][]key.Binding { return s.keyMap().FullHelp() }

func (s *mainScreen) keyMap() help.KeyMap {
	if s.editing {
		return s.fkeys
	}
	return s.keys
}

// selected returns the account under the cursor.
func (s *mainScreen) selected() (vault.Account, bool) {
	if s.cursor < 0 || s.cursor >= len(s.visible) {
		return vault.Account{}, false
	}
	return s.all[s.visible[s.cursor]], true
}

// setAccounts replaces the list, keeping the selection on the same
// account, or moving it to selectID when given. When that account is gone
// (deleted) the cursor stays where it was. It reports whether selectID
// is visible.
func (s *mainScreen) setAccounts(accts []vault.Account, selectID string) bool {
	if selectID == "" {
		if a, ok := s.selected(); ok {
			selectID = a.ID
		}
	}
	old := s.cursor
	s.all = accts
	for id, c := range s.hotp {
		if a, ok := findAccount(accts, id); !ok || a.Type != vault.HOTP || c.counter != a.Counter {
			// The counter moved elsewhere (the CLI handed out codes) or the
			// account is gone: the codes shown here may be used up, so
			// forget them until enter generates fresh ones.
			delete(s.hotp, id)
		}
	}
	s.applyFilter()
	s.cursor = old
	found := false
	for i, idx := range s.visible {
		if s.all[idx].ID == selectID {
			s.cursor, found = i, true
			break
		}
	}
	s.scroll()
	return found
}

func findAccount(accts []vault.Account, id string) (*vault.Account, bool) {
	for i := range accts {
		if accts[i].ID == id {
			return &accts[i], true
		}
	}
	return nil, false
}

// hotpShown is what an HOTP row shows: the codes handed out, how many
// (1: only Current; 2: Current and Next, both used up) and the saved
// counter they belong to.
type hotpShown struct {
	vault.Codes
	n       uint64
	counter uint64
}

// next is the next code when it was handed out too, else "".
func (c hotpShown) next() string {
	if c.n < 2 {
		return ""
	}
	return c.Next
}

func (s *mainScreen) setHOTP(a vault.Account, n uint64) {
	for i := range s.all {
		if s.all[i].ID == a.ID {
			s.all[i] = a
		}
	}
	if n < 1 || n > 2 {
		n = 1
	}
	s.hotp[a.ID] = hotpShown{a.HOTPHandedOut(n), n, a.Counter}
}

// applyFilter keeps the accounts the filter names, best first, with the
// matcher the CLI uses for QUERY (vault.Match): exact forms ("ACME:
// alice", "acme alice", an ID or serial) before substrings of the issuer,
// name, tags or serial, before fuzzy matches as one types; ties keep the
// display order. The order only changes as the filter does, never as
// codes tick.
func (s *mainScreen) applyFilter() {
	q := strings.TrimSpace(s.filter.Value())
	s.visible = s.visible[:0]
	if q == "" {
		for i := range s.all {
			s.visible = append(s.visible, i)
		}
		return
	}
	for _, mt := range vault.Match(s.all, q, vault.MatchOptions{Fuzzy: true, All: true}) {
		s.visible = append(s.visible, mt.Index)
	}
}

// clearFilter drops the filter, keeping the selection on the account
// selected in the filtered view, so the next key acts on it.
func (s *mainScreen) clearFilter() {
	sel, has := s.selected()
	s.filter.SetValue("")
	s.filter.Blur()
	s.editing = false
	s.applyFilter()
	if has {
		for i, idx := range s.visible {
			if s.all[idx].ID == sel.ID {
				s.cursor = i
				break
			}
		}
	}
	s.scroll()
}

// listHeight is the number of account rows that fit.
func (s *mainScreen) listHeight() int {
	h := s.height - 3 // column header, blank line and the detail line
	if s.editing || s.filter.Value() != "" {
		h -= 2
	}
	return max(1, h)
}

func (s *mainScreen) scroll() {
	n := s.listHeight()
	s.cursor = max(0, min(s.cursor, len(s.visible)-1))
	if s.cursor < s.top {
		s.top = s.cursor
	}
	if s.cursor >= s.top+n {
		s.top = s.cursor - n + 1
	}
	s.top = max(0, min(s.top, len(s.visible)-n))
}

func (s *mainScreen) move(d int) {
	s.cursor += d
	s.scroll()
}

// Update handles navigation and the filter; the root handles actions.
func (s *mainScreen) update(msg tea.Msg) tea.Cmd {
	if s.editing {
		if cmd, ok := paste(&s.filter, msg); ok {
			s.applyFilter()
			s.cursor = 0
			s.scroll()
			return cmd
		}
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if s.editing {
		switch {
		case key.Matches(km, s.fkeys.Apply):
			s.filter.Blur()
			s.editing = false
			s.scroll()
			return nil
		case key.Matches(km, s.fkeys.Cancel):
			s.clearFilter()
			s.scroll()
			return nil
		case key.Matches(km, s.fkeys.Up):
			s.move(-1)
			return nil
		case key.Matches(km, s.fkeys.Down):
			s.move(1)
			return nil
		}
		var cmd tea.Cmd
		s.filter, cmd = s.filter.Update(km)
		s.applyFilter()
		s.cursor = 0
		s.scroll()
		return cmd
	}
	switch {
	case key.Matches(km, s.keys.Up):
		s.move(-1)
	case key.Matches(km, s.keys.Down):
		s.move(1)
	case key.Matches(km, s.keys.Top):
		s.cursor = 0
		s.scroll()
	case key.Matches(km, s.keys.Bottom):
		s.cursor = len(s.visible) - 1
		s.scroll()
	case key.Matches(km, s.keys.PageUp):
		s.move(-s.listHeight())
	case key.Matches(km, s.keys.PageDown):
		s.move(s.listHeight())
	case key.Matches(km, s.keys.Filter):
		s.editing = true
		s.scroll()
		return s.filter.Focus()
	case key.Matches(km, s.keys.ClearFilter):
		s.clearFilter()
		s.scroll()
	case key.Matches(km, s.keys.ToggleNext):
		s.showNext = !s.showNext
	case key.Matches(km, s.keys.Help):
		s.fullHelp = !s.fullHelp
	}
	return nil
}

// columns of a row at the current width. The name column is as wide as
// the longest name (so codes sit next to names on a wide terminal) but
// no wider than what is left; on a narrow one the countdown bar shrinks,
// then goes, then the next code.
type columns struct {
	name, code, next, bar int
	tags                  bool
}

const (
	rowPrefix = 4  // cursor and favourite marks
	rowSecs   = 4  // " 30s"
	minName   = 10 // narrower than this, names are cut to nothing useful
)

func (c columns) fixed() int {
	f := rowPrefix + 2 + c.code + rowSecs
	if c.next > 0 {
		f += 4 + c.next // "  → "
	}
	if c.bar > 0 {
		f += 2 + c.bar
	}
	return f
}

func (s *mainScreen) columns() columns {
	avail := s.width - 1
	c := columns{code: 7, bar: 10, tags: s.width >= 100}
	if s.width >= 110 {
		c.bar = 16
	}
	for i := range s.all {
		if s.all[i].Type != vault.HOTP {
			c.code = max(c.code, len(groupCode(s.all[i].CodeAt(s.now))))
		} else if h, ok := s.hotp[s.all[i].ID]; ok {
			c.code = max(c.code, len(groupCode(h.Current)))
		}
	}
	if s.showNext {
		c.next = c.code
	}
	if c.fixed()+minName > avail {
		c.bar = 5
	}
	if c.fixed()+minName > avail {
		c.bar = 0
	}
	if c.fixed()+minName > avail {
		c.next = 0
	}
	longest := len("ACCOUNT")
	for i := range s.all {
		longest = max(longest, ansi.StringWidth(s.plainName(&s.all[i], c.tags)))
	}
	c.name = max(minName, min(longest, avail-c.fixed()))
	return c
}

// plainName is the name column's text: issuer, account, and on a wide
// screen tags and serial.
func (s *mainScreen) plainName(a *vault.Account, tags bool) string {
	name := a.Issuer
	if a.Issuer != "" && a.Name != "" {
		name += " "
	}
	name += a.Name
	if tags {
		for _, t := range a.Tags {
			name += " #" + t
		}
		if a.Serial != "" {
			name += " [" + a.Serial + "]"
		}
	}
	return name
}

// View renders the list.
func (s *mainScreen) View() string {
	var b strings.Builder
	st := s.st
	if s.editing || s.filter.Value() != "" {
		b.WriteString(s.filter.View())
		b.WriteString(st.Hint.Render(fmt.Sprintf("  %d of %d", len(s.visible), len(s.all))))
		b.WriteString("\n\n")
	}
	if len(s.all) == 0 {
		b.WriteString(st.Hint.Render("  No accounts yet.\n\n  Press a to add one from a QR image, an otpauth:// URI or by hand\n  (the account and key a console shows for manual entry),\n  or a then f to import a file another authenticator exported."))
		return b.String()
	}
	if len(s.visible) == 0 {
		b.WriteString(st.Hint.Render("  No account matches the filter. Press esc to clear it."))
		return b.String()
	}
	c := s.columns()
	head := "    " + fit("ACCOUNT", c.name) + "  " + fit("CODE", c.code)
	if c.next > 0 {
		head += "    " + fit("NEXT", c.next)
	}
	if c.bar > 0 {
		head += "  EXPIRES"
	} else {
		head += " LEFT"
	}
	b.WriteString(st.Dim.Render(clip(head, s.width)))
	b.WriteString("\n")
	n := s.listHeight()
	end := min(len(s.visible), s.top+n)
	for i := s.top; i < end; i++ {
		a := &s.all[s.visible[i]]
		b.WriteString(s.row(a, i == s.cursor, c))
		b.WriteString("\n")
	}
	for i := end - s.top; i < n; i++ {
		b.WriteString("\n")
	}
	if a, ok := s.selected(); ok {
		b.WriteString(clip(s.detail(&a), s.width))
	}
	return b.String()
}

func (s *mainScreen) row(a *vault.Account, sel bool, c columns) string {
	st := s.st
	// On the selected row every part also takes the Selected style, so
	// the highlight runs across the whole width without hiding what the
	// parts' own styles say (an expiring code stays marked).
	sty := func(x lipgloss.Style) lipgloss.Style {
		if sel {
			return x.Inherit(st.Selected)
		}
		return x
	}
	plain := sty(lipgloss.NewStyle())
	var b strings.Builder
	if sel {
		b.WriteString(sty(st.Cursor).Render("▸ "))
	} else {
		b.WriteString("  ")
	}
	if a.Favourite {
		b.WriteString(sty(st.Fav).Render("★ "))
	} else {
		b.WriteString(plain.Render("  "))
	}
	name := sty(st.Issuer).Render(a.Issuer)
	if a.Issuer != "" && a.Name != "" {
		name += plain.Render(" ")
	}
	name += sty(st.Name).Render(a.Name)
	if c.tags {
		for _, t := range a.Tags {
			name += plain.Render(" ") + sty(st.Tag).Render("#"+t)
		}
		if a.Serial != "" {
			name += plain.Render(" ") + sty(st.Dim).Render("["+a.Serial+"]")
		}
	}
	name = ansi.Truncate(name, c.name, "…")
	b.WriteString(name + plain.Render(strings.Repeat(" ", max(0, c.name-ansi.StringWidth(name)))+"  "))
	line := b.String() + s.codes(a, c, sty, false)
	if ansi.StringWidth(line) > s.width && a.Type == vault.HOTP {
		line = b.String() + s.codes(a, c, sty, true)
	}
	if w := ansi.StringWidth(line); w > s.width {
		line = ansi.Truncate(line, s.width, "")
	} else if sel {
		line += plain.Render(strings.Repeat(" ", s.width-w))
	}
	return line
}

// codes is the code part of a row: the current code, the next one and
// the countdown (TOTP) or the counters used (HOTP).
func (s *mainScreen) codes(a *vault.Account, c columns, sty func(lipgloss.Style) lipgloss.Style, short bool) string {
	st := s.st
	plain := sty(lipgloss.NewStyle())
	var b strings.Builder
	if a.Type == vault.HOTP {
		codes, ok := s.hotp[a.ID]
		if !ok {
			hint := "press enter to generate"
			if short {
				hint = "press enter"
			}
			b.WriteString(sty(st.Hint).Render(hint))
			return b.String()
		}
		b.WriteString(sty(st.Code).Render(fit(groupCode(codes.Current), c.code)))
		if c.next > 0 {
			// Only a code that was handed out (generated with the next
			// column shown) is shown: the one after the saved counter is
			// the next enter's current code.
			if next := codes.next(); next != "" {
				b.WriteString(plain.Render("  ") + sty(st.Dim).Render("→ ") + sty(st.Next).Render(fit(groupCode(next), c.next)))
			} else {
				b.WriteString(plain.Render("    ") + sty(st.Dim).Render(fit("—", c.next)))
			}
		}
		used := hotpUsed(codes)
		if short {
			used = strings.Replace(used, "counters ", "#", 1)
			used = strings.Replace(used, "counter ", "#", 1)
		}
		b.WriteString(plain.Render("  ") + sty(st.Dim).Render(used))
		return b.String()
	}
	codes := a.CodesAt(s.now)
	expiring := codes.Left <= expiringSoon
	codeStyle, barStyle := st.Code, st.BarFull
	if expiring {
		codeStyle, barStyle = st.Expiring, st.Expiring
	}
	b.WriteString(sty(codeStyle).Render(fit(groupCode(codes.Current), c.code)))
	if c.next > 0 {
		b.WriteString(plain.Render("  ") + sty(st.Dim).Render("→ ") + sty(st.Next).Render(fit(groupCode(codes.Next), c.next)))
	}
	if c.bar > 0 {
		full, empty := bar(codes.Left, codes.Period, c.bar)
		b.WriteString(plain.Render("  ") + sty(barStyle).Render(full) + sty(st.BarEmpty).Render(empty))
	}
	// The last seconds are marked by the expiring style alone: "5!"
	// read as a factorial.
	b.WriteString(sty(barStyle).Render(fmt.Sprintf(" %2ds", secondsLeft(codes.Left))))
	return b.String()
}

// hotpUsed names the counters of the HOTP codes shown: they are handed
// out (used up), and the vault's counter is past them.
func hotpUsed(c hotpShown) string {
	if c.n >= 2 {
		return fmt.Sprintf("counters %d–%d used", c.Step, c.Step+1)
	}
	return fmt.Sprintf("counter %d used", c.Step)
}

// detail describes the selected account on one line.
func (s *mainScreen) detail(a *vault.Account) string {
	parts := []string{strings.ToUpper(string(a.Type))}
	if a.Type != vault.Steam {
		parts = append(parts, string(a.Algorithm), fmt.Sprintf("%d digits", a.Digits))
	}
	if a.Type == vault.HOTP {
		// The row names the counters of the codes it shows; the vault's
		// counter is the last one handed out.
		uses := fmt.Sprint(a.Counter + 1)
		if s.showNext {
			uses = fmt.Sprintf("%d–%d", a.Counter+1, a.Counter+2)
		}
		parts = append(parts, fmt.Sprintf("counter %d used · enter uses %s", a.Counter, uses))
	} else {
		parts = append(parts, fmt.Sprintf("%ds", a.Period))
	}
	if a.Serial != "" {
		parts = append(parts, "serial "+a.Serial)
	}
	if len(a.Tags) > 0 {
		parts = append(parts, "tags "+strings.Join(a.Tags, ", "))
	}
	if a.Note != "" {
		parts = append(parts, "note "+strings.ReplaceAll(a.Note, "\n", " "))
	}
	if len(s.visible) > s.listHeight() {
		parts = append([]string{fmt.Sprintf("%d/%d", s.cursor+1, len(s.visible))}, parts...)
	}
	return s.st.Dim.Render("  " + strings.Join(parts, " · "))
}
