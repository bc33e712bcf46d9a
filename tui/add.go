package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"charm.land/bubbles/v2/filepicker"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/vault"
)

// errNoDecoder is shown when a decoder was not wired in.
var errNoDecoder = errors.New("this build of vmfa cannot decode that")

// menuScreen chooses an add flow.
type menuScreen struct {
	frame
	keys   chooseKeys
	cursor int
}

var addChoices = []struct {
	kind        state
	key         key.Binding
	title       string
	description string
}{
	{stateAddQR, addKeys.QR, "QR image", "a screenshot or export of the QR code a console shows"},
	{stateAddURI, addKeys.URI, "Paste a URI", "otpauth:// or otpauth-migration:// (Google Authenticator export)"},
	{stateAddManual, addKeys.Manual, "Enter by hand", "the account and key a console shows for manual entry"},
	{stateAddFile, addKeys.File, "Import a file", "another app's export: Aegis, 2FAS, Bitwarden, andOTP… (encrypted too)"},
}

func newMenuScreen(st *Styles) *menuScreen {
	return &menuScreen{frame: frame{st: st}, keys: newChooseKeys(false, "choose")}
}

func (s *menuScreen) ShortHelp() []key.Binding  { return s.keys.ShortHelp() }
func (s *menuScreen) FullHelp() [][]key.Binding { return s.keys.FullHelp() }

func (s *menuScreen) update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	for _, c := range addChoices {
		if key.Matches(km, c.key) {
			return emit(addKindMsg{kind: c.kind})
		}
	}
	switch {
	case key.Matches(km, s.keys.Up):
		s.cursor = (s.cursor + len(addChoices) - 1) % len(addChoices)
	case key.Matches(km, s.keys.Down):
		s.cursor = (s.cursor + 1) % len(addChoices)
	case key.Matches(km, s.keys.Confirm):
		return emit(addKindMsg{kind: addChoices[s.cursor].kind})
	case key.Matches(km, s.keys.Cancel):
		return emit(backMsg{})
	}
	return nil
}

func (s *menuScreen) View() string {
	var b strings.Builder
	b.WriteString(s.st.Title.Render("Add an account") + "\n\n")
	// Descriptions wrap on a narrow terminal; when they do not all fit
	// the height, only the selected choice's is shown.
	descs, lines := make([][]string, len(addChoices)), 2
	for i, c := range addChoices {
		descs[i] = strings.Split(wrap(c.description, s.width-9), "\n")
		lines += 1 + len(descs[i])
	}
	all := s.height <= 0 || lines <= s.height
	for i, c := range addChoices {
		cur := "  "
		if i == s.cursor {
			cur = s.st.Cursor.Render("▸ ")
		}
		b.WriteString(cur + s.st.FieldLabel.Render(c.key.Help().Key) + "  " + s.st.Issuer.Render(c.title) + "\n")
		if !all && i != s.cursor {
			continue
		}
		for _, l := range descs[i] {
			b.WriteString("     " + s.st.Hint.Render(l) + "\n")
		}
	}
	return indent(b.String(), 2)
}

// imageTypes are the extensions the file browser offers.
var imageTypes = []string{".png", ".PNG", ".jpg", ".JPG", ".jpeg", ".JPEG", ".gif", ".GIF", ".bmp", ".BMP", ".webp", ".WEBP"}

// qrScreen takes an image path, typed with tab completion or picked in a
// file browser, and decodes it in a command.
type qrScreen struct {
	frame
	keys     formKeys
	pkeys    pickKeys
	dec      Decoders
	input    textinput.Model
	picker   filepicker.Model
	browsing bool
	busy     bool
	err      string
	choices  []string // completion candidates

	// file mode (newFileScreen): one export file, and its password
	// asked on pass when it is encrypted.
	file    bool
	pass    textinput.Model
	asking  bool
	askPath string
}

type (
	completionMsg struct {
		value   string // the whole input when completion started
		prefix  string // the input before the path being completed
		word    string // the path being completed
		matches []string
	}
	scanFailedMsg struct{ err error }
	// moreImagesMsg reopens the QR screen with the images of the batch
	// being imported, to add the ones it is missing.
	moreImagesMsg struct{ paths []string }
)

func newQRScreen(st *Styles, dec Decoders) *qrScreen {
	k := newFormKeys("scan")
	k.complete, k.browse = true, true
	k.sources = dec.ScanClipboard != nil || dec.ScanScreen != nil
	in := newInput("paths: ", "e.g. ~/Pictures/qr.png (an export: export-1.png export-2.png)")
	return &qrScreen{frame: frame{st: st}, keys: k, pkeys: newPickKeys(), dec: dec, input: in}
}

// pathToken is one path typed on the QR screen (unquoted) and the offset
// in the input where it starts.
type pathToken struct {
	text  string
	start int
}

// splitPaths splits typed paths at spaces; quotes ('…' or "…") and a
// backslash keep spaces inside a path, as in a shell (and as terminals
// paste dropped files). A trailing space starts an empty last token.
func splitPaths(s string) []pathToken {
	var (
		out   []pathToken
		cur   strings.Builder
		start = -1
		quote rune
		esc   bool
	)
	for i, r := range s {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\' && quote != '\'':
			esc = true
			if start < 0 {
				start = i
			}
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote = r
			if start < 0 {
				start = i
			}
		case r == ' ' || r == '\t':
			if start >= 0 {
				out = append(out, pathToken{cur.String(), start})
				cur.Reset()
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
			cur.WriteRune(r)
		}
	}
	if start >= 0 {
		out = append(out, pathToken{cur.String(), start})
	} else if strings.TrimSpace(s) != "" {
		out = append(out, pathToken{"", len(s)})
	}
	return out
}

// quotePath writes a path so that splitPaths reads it back whole.
func quotePath(p string) string {
	if !strings.ContainsAny(p, " \t'\"\\") {
		return p
	}
	r := strings.NewReplacer("\\", "\\\\", " ", "\\ ", "\t", "\\\t", "'", "\\'", "\"", "\\\"")
	return r.Replace(p)
}

// joinPaths writes paths for the input, each read back whole by
// splitPaths.
func joinPaths(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = quotePath(p)
	}
	return strings.Join(q, " ")
}

// lastPath splits the input into what comes before the last path and
// that path, for completion.
func lastPath(value string) (prefix, word string) {
	toks := splitPaths(value)
	if len(toks) == 0 {
		return "", ""
	}
	last := toks[len(toks)-1]
	return value[:last.start], last.text
}

// typedPaths reads the image paths from the input. A whole input naming
// an existing file is one path, spaces and all; anything else is split
// at spaces. It touches the file system: call it inside a command.
func typedPaths(value string) []string {
	v := strings.TrimSpace(value)
	if v == "" {
		return nil
	}
	if fi, err := os.Stat(expandHome(v)); err == nil && !fi.IsDir() {
		return []string{expandHome(v)}
	}
	var out []string
	for _, t := range splitPaths(v) {
		if t.text != "" {
			out = append(out, expandHome(t.text))
		}
	}
	return out
}

func (s *qrScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.input.SetWidth(max(10, w-12))
	s.pass.SetWidth(max(10, min(w-16, 40)))
	s.picker.SetHeight(max(3, h-5))
}

func (s *qrScreen) ShortHelp() []key.Binding {
	if s.browsing {
		return s.pkeys.ShortHelp()
	}
	if s.asking {
		return []key.Binding{s.keys.Submit, s.keys.Cancel}
	}
	return s.keys.ShortHelp()
}
func (s *qrScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

// expandHome turns a leading ~ into the home directory.
func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// completePath lists the entries that complete the last path of value
// (directories end in a slash).
func completePath(value string) tea.Cmd {
	prefix, word := lastPath(value)
	return func() tea.Msg {
		msg := completionMsg{value: value, prefix: prefix, word: word}
		path := expandHome(word)
		dir, base := filepath.Split(path)
		if dir == "" {
			dir = "."
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return msg
		}
		var matches []string
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), base) || (strings.HasPrefix(e.Name(), ".") && !strings.HasPrefix(base, ".")) {
				continue
			}
			name := e.Name()
			if e.IsDir() {
				name += string(filepath.Separator)
			}
			matches = append(matches, name)
		}
		sort.Strings(matches)
		msg.matches = matches
		return msg
	}
}

func commonPrefix(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// scan decodes the images typed in the input. Accounts read alongside an
// error (an export with codes missing, one unreadable image among
// several) are listed with the error as a warning, so that the missing
// images can be added before confirming.
func (s *qrScreen) scan(typed string) tea.Cmd {
	if s.file {
		return s.readFile(typed, nil)
	}
	scan := s.dec.ScanFiles
	s.busy, s.err, s.choices = true, "", nil
	return func() tea.Msg {
		if scan == nil {
			return scanFailedMsg{err: errNoDecoder}
		}
		paths := typedPaths(typed)
		if len(paths) == 0 {
			return scanFailedMsg{err: errors.New("type the path of an image, or press ctrl+o to browse")}
		}
		source := filepath.Base(paths[0])
		if len(paths) > 1 {
			source = fmt.Sprintf("%d images", len(paths))
		}
		accts, err := scan(paths...)
		if len(accts) == 0 {
			if err == nil {
				err = fmt.Errorf("no account found in %s", source)
			}
			return scanFailedMsg{err: err}
		}
		msg := decodedMsg{accts: accts, source: source, paths: paths}
		if err != nil {
			msg.warn = err.Error()
		}
		return msg
	}
}

// scanFrom decodes the QR codes of an image that is not a file (the
// clipboard's, the screen's) in a command.
func (s *qrScreen) scanFrom(scan func() ([]vault.Account, error), source string) tea.Cmd {
	s.busy, s.err, s.choices = true, "", nil
	return func() tea.Msg {
		accts, err := scan()
		if len(accts) == 0 {
			if err == nil {
				err = fmt.Errorf("no account found in %s", source)
			}
			return scanFailedMsg{err: err}
		}
		msg := decodedMsg{accts: accts, source: source}
		if err != nil {
			msg.warn = err.Error()
		}
		return msg
	}
}

func (s *qrScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case completionMsg:
		if msg.value != s.input.Value() {
			return nil // typed on meanwhile
		}
		s.choices = nil
		dir, _ := filepath.Split(msg.word)
		switch len(msg.matches) {
		case 0:
			s.err = "no file matches"
		case 1:
			s.input.SetValue(msg.prefix + quotePath(dir+msg.matches[0]))
			s.input.CursorEnd()
		default:
			s.input.SetValue(msg.prefix + quotePath(dir+commonPrefix(msg.matches)))
			s.input.CursorEnd()
			s.choices = msg.matches
		}
		return nil
	case scanFailedMsg:
		s.busy = false
		s.err = msg.err.Error()
		return nil
	case needPasswordMsg:
		// The scanner's words: "this is an encrypted Aegis vault: give
		// its password", "wrong password for this …".
		s.busy, s.err = false, msg.err.Error()
		s.asking, s.askPath = true, msg.path
		s.input.Blur()
		return s.pass.Focus()
	case browseDirMsg:
		return s.openPicker(msg.dir)
	}
	if s.busy {
		return nil
	}
	if s.browsing {
		return s.updatePicker(msg)
	}
	if s.asking {
		if cmd, ok := paste(&s.pass, msg); ok {
			return cmd
		}
		if km, ok := msg.(tea.KeyPressMsg); ok {
			return s.passwordKey(km)
		}
		return nil
	}
	if cmd, ok := paste(&s.input, msg); ok {
		s.err, s.choices = "", nil
		return cmd
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, s.keys.Cancel):
		return emit(backMsg{})
	case key.Matches(km, s.keys.Browse):
		return s.browse()
	case !s.file && s.dec.ScanClipboard != nil && key.Matches(km, s.keys.Clipboard):
		return s.scanFrom(s.dec.ScanClipboard, "the clipboard image")
	case !s.file && s.dec.ScanScreen != nil && key.Matches(km, s.keys.Screen):
		return s.scanFrom(s.dec.ScanScreen, "the screen")
	case key.Matches(km, s.keys.Complete):
		s.err = ""
		return completePath(s.input.Value())
	case key.Matches(km, s.keys.Submit):
		p := strings.TrimSpace(s.input.Value())
		if p == "" {
			s.err = "type the path of an image, or press ctrl+o to browse"
			if s.file {
				s.err = "type the path of the file, or press ctrl+o to browse"
			}
			return nil
		}
		return s.scan(p)
	}
	s.err, s.choices = "", nil
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return cmd
}

// browseDirMsg carries the directory the file browser opens in.
type browseDirMsg struct{ dir string }

// browse resolves the directory to open (the last typed path, else the
// working directory) in a command, since that touches the file system.
func (s *qrScreen) browse() tea.Cmd {
	_, typed := lastPath(s.input.Value())
	return func() tea.Msg {
		dir := "."
		if typed != "" {
			d := expandHome(typed)
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				dir = d
			} else {
				dir = filepath.Dir(d)
			}
		}
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		return browseDirMsg{dir: dir}
	}
}

func (s *qrScreen) openPicker(dir string) tea.Cmd {
	p := filepicker.New()
	p.AllowedTypes = imageTypes
	if s.file {
		p.AllowedTypes = nil // any file: the content tells the format
	}
	p.ShowPermissions, p.ShowSize, p.AutoHeight = false, false, false
	p.Cursor = "▸"
	p.Styles.EmptyDirectory = p.Styles.EmptyDirectory.SetString("no files here")
	p.CurrentDirectory = dir
	p.SetHeight(max(3, s.height-5))
	s.picker, s.browsing, s.err = p, true, ""
	return s.picker.Init()
}

func (s *qrScreen) updatePicker(msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(km, s.pkeys.Cancel):
			s.browsing = false
			return nil
		case key.Matches(km, s.pkeys.Typed):
			s.browsing = false
			prefix, _ := lastPath(s.input.Value())
			s.input.SetValue(prefix + quotePath(s.picker.CurrentDirectory+string(filepath.Separator)))
			s.input.CursorEnd()
			return nil
		}
	}
	var cmd tea.Cmd
	s.picker, cmd = s.picker.Update(msg)
	if ok, path := s.picker.DidSelectFile(msg); ok {
		// the picked image joins the ones typed before it (a batch)
		s.browsing = false
		prefix, _ := lastPath(s.input.Value())
		s.input.SetValue(prefix + quotePath(path))
		s.input.CursorEnd()
		return s.scan(s.input.Value())
	}
	if ok, path := s.picker.DidSelectDisabledFile(msg); ok && !s.file {
		s.err = filepath.Base(path) + " is not an image (png, jpeg, gif, bmp, webp)"
	}
	return cmd
}

func (s *qrScreen) View() string {
	var b strings.Builder
	// Parts of b (QR screen: the intro, then the ctrl+v hint) that give
	// way, in this order, on a screen too short for all of it.
	var optional [][2]int
	if s.file {
		b.WriteString(s.st.Title.Render("Import a file") + "\n\n")
	} else {
		b.WriteString(s.st.Title.Render("Add from a QR image") + "\n\n")
	}
	switch {
	case s.browsing && s.file:
		b.WriteString(s.st.Dim.Render(clip(s.picker.CurrentDirectory, s.width-4)) + "\n\n")
		b.WriteString(s.picker.View())
	case s.file:
		if !s.asking && s.err == "" {
			b.WriteString(s.st.Hint.Render(wrap("Another authenticator's export or backup, in any format vmfa import reads (vmfa import --list-formats).", s.width-4)) + "\n\n")
		}
		b.WriteString(s.input.View() + "\n")
		if len(s.choices) > 0 {
			b.WriteString("\n" + s.st.Dim.Render(clip(strings.Join(s.choices, "  "), s.width-4)) + "\n")
		}
		if s.asking {
			b.WriteString("\n" + s.pass.View() + "\n")
		}
	case s.browsing:
		b.WriteString(s.st.Dim.Render(clip(s.picker.CurrentDirectory, s.width-4)) + "\n\n")
		b.WriteString(s.picker.View())
	default:
		intro := "A screenshot or export of the QR code a console shows, or a\nGoogle Authenticator export: give all its images, separated by spaces."
		if s.width-4 < 71 { // narrower than its longest line: wrap it
			intro = wrap(strings.ReplaceAll(intro, "\n", " "), s.width-4)
		}
		at := b.Len()
		b.WriteString(s.st.Hint.Render(intro) + "\n\n")
		optional = append(optional, [2]int{at, b.Len()})
		b.WriteString(s.input.View() + "\n")
		if s.keys.sources {
			at := b.Len()
			b.WriteString("\n" + s.st.Hint.Render(wrap("Or ctrl+v: the image on the clipboard · ctrl+s: a QR shown on the screen", s.width-4)) + "\n")
			optional = append(optional, [2]int{at, b.Len()})
		}
		if len(s.choices) > 0 {
			b.WriteString("\n" + s.st.Dim.Render(clip(strings.Join(s.choices, "  "), s.width-4)) + "\n")
		}
	}
	if s.busy && s.file {
		b.WriteString("\n" + s.st.Hint.Render("reading…") + "\n")
	} else if s.busy {
		b.WriteString("\n" + s.st.Hint.Render("scanning…") + "\n")
	}
	if s.err != "" {
		b.WriteString("\n" + s.st.Error.Render(wrap(s.err, s.width-4)) + "\n")
	}
	// A short screen: the optional parts give way so that the error (of
	// ctrl+v, ctrl+s or a path) at the bottom stays visible.
	v := b.String()
	tall := func(v string) bool {
		return s.height > 0 && strings.Count(strings.TrimSuffix(v, "\n"), "\n")+1 > s.height
	}
	drop := 0
	for drop < len(optional) && tall(v) {
		drop++
		var cut strings.Builder
		last := 0
		for _, r := range optional[:drop] {
			cut.WriteString(b.String()[last:r[0]])
			last = r[1]
		}
		cut.WriteString(b.String()[last:])
		v = cut.String()
	}
	return indent(v, 2)
}

// uriScreen takes a pasted otpauth:// or otpauth-migration:// URI.
type uriScreen struct {
	frame
	keys  formKeys
	dec   Decoders
	input textinput.Model
	err   string
}

func newURIScreen(st *Styles, dec Decoders) *uriScreen {
	k := newFormKeys("decode")
	in := newInput("uri: ", "e.g. otpauth://totp/Issuer:account?secret=…")
	return &uriScreen{frame: frame{st: st}, keys: k, dec: dec, input: in}
}

func (s *uriScreen) SetSize(w, h int)          { s.width, s.height = w, h; s.input.SetWidth(max(10, w-11)) }
func (s *uriScreen) ShortHelp() []key.Binding  { return []key.Binding{s.keys.Submit, s.keys.Cancel} }
func (s *uriScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *uriScreen) update(msg tea.Msg) tea.Cmd {
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
		v := strings.TrimSpace(s.input.Value())
		if v == "" {
			s.err = "paste an otpauth:// or otpauth-migration:// URI"
			return nil
		}
		if s.dec.ParseURI == nil {
			s.err = errNoDecoder.Error()
			return nil
		}
		accts, err := s.dec.ParseURI(v)
		if err != nil {
			s.err = oneLine(err.Error())
			return nil
		}
		if len(accts) == 0 {
			s.err = "the URI holds no account"
			return nil
		}
		return emit(decodedMsg{accts: accts, source: "the URI"})
	}
	s.err = ""
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return cmd
}

func (s *uriScreen) View() string {
	var b strings.Builder
	b.WriteString(s.st.Title.Render("Paste a URI") + "\n\n")
	b.WriteString(s.st.Hint.Render("An otpauth:// URI (what a setup QR code holds) or an\notpauth-migration:// URI (a Google Authenticator export).") + "\n\n")
	b.WriteString(s.input.View() + "\n")
	if s.err != "" {
		b.WriteString("\n" + s.st.Error.Render(wrap(s.err, s.width-4)) + "\n")
	}
	return indent(b.String(), 2)
}

// importScreen lists decoded accounts with checkboxes and asks to confirm.
// Accounts already in the vault are marked and unchecked.
type importScreen struct {
	frame
	keys    chooseKeys
	accts   []vault.Account
	checked []bool
	dup     []bool
	source  string
	warn    string   // the scanner's warning (codes of an export missing)
	paths   []string // the images read (QR flow), to add more
	cursor  int
	top     int
	err     string
}

func newImportScreen(st *Styles, accts, existing []vault.Account, source string) *importScreen {
	s := &importScreen{frame: frame{st: st}, keys: newChooseKeys(true, "add checked"), accts: accts, source: source}
	s.checked = make([]bool, len(accts))
	s.dup = make([]bool, len(accts))
	for i := range accts {
		for j := range existing {
			if accts[i].SameCredential(&existing[j]) {
				s.dup[i] = true
			}
		}
		s.checked[i] = !s.dup[i]
	}
	return s
}

func (s *importScreen) SetSize(w, h int)          { s.width, s.height = w, h; s.scroll() }
func (s *importScreen) ShortHelp() []key.Binding  { return s.keys.ShortHelp() }
func (s *importScreen) FullHelp() [][]key.Binding { return s.keys.FullHelp() }

func (s *importScreen) rows() int {
	h := s.height - 6
	if s.warn != "" {
		h -= 2 + strings.Count(wrap(s.warn, s.width-4), "\n") + 1
	}
	return max(1, h/2)
}

func (s *importScreen) scroll() {
	n := s.rows()
	s.cursor = max(0, min(s.cursor, len(s.accts)-1))
	if s.cursor < s.top {
		s.top = s.cursor
	}
	if s.cursor >= s.top+n {
		s.top = s.cursor - n + 1
	}
}

func (s *importScreen) update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, s.keys.Cancel):
		return emit(backMsg{})
	case s.keys.more && key.Matches(km, s.keys.More):
		return emit(moreImagesMsg{paths: s.paths})
	case key.Matches(km, s.keys.Up):
		s.cursor--
	case key.Matches(km, s.keys.Down):
		s.cursor++
	case key.Matches(km, s.keys.Toggle):
		s.checked[s.cursor] = !s.checked[s.cursor]
	case key.Matches(km, s.keys.All):
		all := true
		for _, c := range s.checked {
			all = all && c
		}
		for i := range s.checked {
			s.checked[i] = !all
		}
	case key.Matches(km, s.keys.Confirm):
		var out []vault.Account
		for i, a := range s.accts {
			if s.checked[i] {
				out = append(out, a.Clone())
			}
		}
		if len(out) == 0 {
			s.err = "nothing is checked: press space to check an account, or esc to cancel"
			return nil
		}
		return emit(importMsg{accts: out})
	}
	s.scroll()
	return nil
}

func describe(a *vault.Account) string {
	var parts []string
	switch a.Type {
	case vault.HOTP:
		parts = append(parts, "HOTP", string(a.Algorithm), fmt.Sprintf("%d digits", a.Digits), fmt.Sprintf("counter %d", a.Counter))
	case vault.Steam:
		parts = append(parts, "Steam")
	default:
		parts = append(parts, "TOTP", string(a.Algorithm), fmt.Sprintf("%d digits", a.Digits), fmt.Sprintf("%ds", a.Period))
	}
	if a.Serial != "" {
		parts = append(parts, "serial "+a.Serial)
	}
	return strings.Join(parts, " · ")
}

func (s *importScreen) View() string {
	var b strings.Builder
	n := len(s.accts)
	title := fmt.Sprintf("Found %d account%s in %s", n, plural(n), s.source)
	b.WriteString(s.st.Title.Render(clip(title, s.width-4)) + "\n\n")
	if s.warn != "" {
		b.WriteString(s.st.Warn.Render(wrap(s.warn, s.width-4)) + "\n")
		if s.keys.more {
			b.WriteString(s.st.Hint.Render(wrap("Press + to add the missing images (or fix the paths), or enter to add only the accounts listed.", s.width-4)) + "\n")
		}
		b.WriteString("\n")
	}
	end := min(n, s.top+s.rows())
	for i := s.top; i < end; i++ {
		a := &s.accts[i]
		cur := "  "
		if i == s.cursor {
			cur = s.st.Cursor.Render("▸ ")
		}
		box := "[ ] "
		if s.checked[i] {
			box = "[x] "
		}
		name := s.st.Issuer.Render(orDash(a.Issuer)) + "  " + s.st.Name.Render(orDash(a.Name))
		line := cur + box + name
		if s.dup[i] {
			line += "  " + s.st.Warn.Render("(already in the vault)")
		}
		b.WriteString(clip(line, s.width-2) + "\n")
		b.WriteString("        " + s.st.Dim.Render(clip(describe(a), s.width-10)) + "\n")
	}
	if end < n || s.top > 0 {
		b.WriteString(s.st.Hint.Render(fmt.Sprintf("  %d–%d of %d", s.top+1, end, n)) + "\n")
	}
	if s.err != "" {
		b.WriteString("\n" + s.st.Error.Render(wrap(s.err, s.width-4)) + "\n")
	}
	return indent(b.String(), 2)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
