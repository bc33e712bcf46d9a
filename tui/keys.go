package tui

import "charm.land/bubbles/v2/key"

// All key bindings live here. Each screen has its own map, which is also
// its help.KeyMap, so the help bar always shows the active screen's keys.

func bind(keys []string, helpKey, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(helpKey, desc))
}

type mainKeys struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Filter, ClearFilter                     key.Binding
	Copy, CopyNext, Generate, CopyHOTP      key.Binding
	Add, Edit, Delete, Favourite            key.Binding
	MoveUp, MoveDown                        key.Binding
	ShowQR, Reveal, ToggleNext, Offset      key.Binding
	SecurityKeys                            key.Binding
	Help, Quit                              key.Binding
}

func newMainKeys() mainKeys {
	return mainKeys{
		Up:          bind([]string{"up", "k"}, "↑/k", "up"),
		Down:        bind([]string{"down", "j"}, "↓/j", "down"),
		Top:         bind([]string{"home", "g"}, "g", "first"),
		Bottom:      bind([]string{"end", "G"}, "G", "last"),
		PageUp:      bind([]string{"pgup"}, "pgup", "page up"),
		PageDown:    bind([]string{"pgdown"}, "pgdn", "page down"),
		Filter:      bind([]string{"/"}, "/", "filter"),
		ClearFilter: bind([]string{"esc"}, "esc", "clear filter"),
		Copy:        bind([]string{"enter", "c"}, "enter/c", "copy"),
		CopyNext:    bind([]string{"y", "C"}, "y/C", "copy next code"),
		Generate:    bind([]string{"enter"}, "enter", "generate (HOTP)"),
		CopyHOTP:    bind([]string{"c"}, "c", "copy"),
		Add:         bind([]string{"a"}, "a", "add"),
		Edit:        bind([]string{"e", "r"}, "e/r", "rename/tags/note"),
		Delete:      bind([]string{"d", "delete"}, "d", "delete"),
		Favourite:   bind([]string{"f"}, "f", "favourite"),
		MoveUp:      bind([]string{"K", "shift+up"}, "K", "move up"),
		MoveDown:    bind([]string{"J", "shift+down"}, "J", "move down"),
		ShowQR:      bind([]string{"Q"}, "Q", "show QR"),
		Reveal:      bind([]string{"S"}, "S", "reveal secret"),
		ToggleNext:  bind([]string{"n"}, "n", "next code"),
		Offset:      bind([]string{"o"}, "o", "clock offset"),
		// K already moves an account up: F as in FIDO.
		SecurityKeys: bind([]string{"F"}, "F", "security keys"),
		Help:         bind([]string{"?"}, "?", "help"),
		Quit:         bind([]string{"q", "ctrl+c"}, "q", "quit"),
	}
}

func (k mainKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Copy, k.Filter, k.Add, k.Delete, k.Help, k.Quit}
}

func (k mainKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown, k.Filter, k.ClearFilter},
		{k.Copy, k.CopyNext, k.Generate, k.ToggleNext, k.Offset, k.SecurityKeys, k.Help, k.Quit},
		{k.Add, k.Edit, k.Delete, k.Favourite, k.MoveUp, k.MoveDown, k.ShowQR, k.Reveal},
	}
}

// filterKeys are active while the filter input has focus.
type filterKeys struct {
	Apply, Cancel, Up, Down key.Binding
}

func newFilterKeys() filterKeys {
	return filterKeys{
		Apply:  bind([]string{"enter"}, "enter", "apply filter"),
		Cancel: bind([]string{"esc"}, "esc", "clear filter"),
		Up:     bind([]string{"up", "ctrl+p"}, "↑", "up"),
		Down:   bind([]string{"down", "ctrl+n"}, "↓", "down"),
	}
}

func (k filterKeys) ShortHelp() []key.Binding { return []key.Binding{k.Apply, k.Cancel, k.Up, k.Down} }
func (k filterKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.ShortHelp()}
}

// formKeys serve every screen made of text fields; submit names what
// enter does there.
type formKeys struct {
	Next, Prev, Submit, Cancel key.Binding
	Complete, Browse, Advanced key.Binding
	Reveal                     key.Binding
	Quit                       key.Binding
	// The QR screen's other sources of an image.
	Clipboard, Screen key.Binding
	complete, browse  bool
	sources           bool
}

func newFormKeys(submit string) formKeys {
	return formKeys{
		Next:     bind([]string{"tab", "down"}, "tab/↓", "next field"),
		Prev:     bind([]string{"shift+tab", "up"}, "shift+tab/↑", "previous field"),
		Submit:   bind([]string{"enter"}, "enter", submit),
		Cancel:   bind([]string{"esc"}, "esc", "cancel"),
		Complete: bind([]string{"tab"}, "tab", "complete path"),
		Browse:   bind([]string{"ctrl+o"}, "ctrl+o", "browse files"),
		Advanced: bind([]string{"ctrl+a"}, "ctrl+a", "advanced"),
		Reveal:   bind([]string{"ctrl+r"}, "ctrl+r", "show key"),
		Quit:     bind([]string{"ctrl+c"}, "ctrl+c", "quit"),
		// ctrl+v: most terminals paste text with ctrl+shift+v and pass
		// ctrl+v on; ctrl+s arrives too (raw mode has no flow control).
		Clipboard: bind([]string{"ctrl+v"}, "ctrl+v", "from the clipboard"),
		Screen:    bind([]string{"ctrl+s"}, "ctrl+s", "from the screen"),
	}
}

func (k formKeys) ShortHelp() []key.Binding {
	if k.complete {
		b := []key.Binding{k.Submit, k.Complete}
		if k.browse {
			b = append(b, k.Browse)
		}
		if k.sources {
			b = append(b, k.Clipboard, k.Screen)
		}
		return append(b, k.Cancel)
	}
	return []key.Binding{k.Submit, k.Next, k.Prev, k.Cancel}
}
func (k formKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// pickKeys serve the file browser.
type pickKeys struct {
	Up, Down, Open, Back, Typed, Cancel key.Binding
}

func newPickKeys() pickKeys {
	return pickKeys{
		Up:     bind([]string{"up", "k"}, "↑/k", "up"),
		Down:   bind([]string{"down", "j"}, "↓/j", "down"),
		Open:   bind([]string{"enter", "l", "right"}, "enter", "open/select"),
		Back:   bind([]string{"h", "left", "backspace"}, "h", "parent dir"),
		Typed:  bind([]string{"ctrl+o"}, "ctrl+o", "type a path"),
		Cancel: bind([]string{"esc"}, "esc", "cancel"),
	}
}

func (k pickKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Back, k.Up, k.Down, k.Typed, k.Cancel}
}
func (k pickKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// chooseKeys serve menus and checkbox lists.
type chooseKeys struct {
	Up, Down, Toggle, All, Confirm, Cancel key.Binding
	More                                   key.Binding // add images to a QR batch
	checkboxes, more                       bool
}

// addKeys pick an add flow from the add menu.
var addKeys = struct{ QR, URI, Manual, File key.Binding }{
	QR:     bind([]string{"i"}, "i", "QR image"),
	URI:    bind([]string{"u"}, "u", "paste a URI"),
	Manual: bind([]string{"m"}, "m", "enter by hand"),
	File:   bind([]string{"f"}, "f", "import a file"),
}

func newChooseKeys(checkboxes bool, confirm string) chooseKeys {
	return chooseKeys{
		Up:         bind([]string{"up", "k"}, "↑/k", "up"),
		Down:       bind([]string{"down", "j"}, "↓/j", "down"),
		Toggle:     bind([]string{"space", "x"}, "space", "toggle"),
		All:        bind([]string{"a"}, "a", "all/none"),
		Confirm:    bind([]string{"enter"}, "enter", confirm),
		Cancel:     bind([]string{"esc", "q"}, "esc", "cancel"),
		More:       bind([]string{"+", "i"}, "+", "add images"),
		checkboxes: checkboxes,
	}
}

// ShortHelp names enter first: a narrow help line drops keys from its
// end (before esc), and what adds the checked accounts must stay.
func (k chooseKeys) ShortHelp() []key.Binding {
	if k.checkboxes && k.more {
		return []key.Binding{k.Confirm, k.Toggle, k.All, k.More, k.Up, k.Down, k.Cancel}
	}
	if k.checkboxes {
		return []key.Binding{k.Confirm, k.Toggle, k.All, k.Up, k.Down, k.Cancel}
	}
	return []key.Binding{k.Confirm, k.Up, k.Down, k.Cancel}
}
func (k chooseKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// confirmKeys serve yes/no questions.
type confirmKeys struct {
	Yes, No key.Binding
}

func newConfirmKeys(yes string) confirmKeys {
	return confirmKeys{
		Yes: bind([]string{"y", "Y"}, "y", yes),
		No:  bind([]string{"n", "N", "esc", "q"}, "n/esc", "cancel"),
	}
}

func (k confirmKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Yes, k.No} }
func (k confirmKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// backKeys serve read-only screens (secret, QR, errors).
type backKeys struct {
	Back, Retry, Passphrase, Restore, Quit key.Binding
	retry, passphrase, restore             bool
}

func newBackKeys(retry bool) backKeys {
	return backKeys{
		Back:       bind([]string{"esc", "enter", "q"}, "esc", "back"),
		Retry:      bind([]string{"r"}, "r", "retry"),
		Passphrase: bind([]string{"p"}, "p", "use a passphrase"),
		Restore:    bind([]string{"b"}, "b", "restore a backup"),
		Quit:       bind([]string{"q", "esc", "ctrl+c"}, "q", "quit"),
		retry:      retry,
	}
}

func (k backKeys) ShortHelp() []key.Binding {
	if k.retry && k.passphrase {
		return []key.Binding{k.Retry, k.Passphrase, k.Quit}
	}
	if k.retry && k.restore {
		return []key.Binding{k.Restore, k.Retry, k.Quit}
	}
	if k.retry {
		return []key.Binding{k.Retry, k.Quit}
	}
	return []key.Binding{k.Back}
}
func (k backKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// backupsKeys serve the list of backups to restore.
type backupsKeys struct {
	Up, Down, Restore, Back, Yes, No key.Binding
}

func newBackupsKeys() backupsKeys {
	return backupsKeys{
		Up:      bind([]string{"up", "k"}, "↑/k", "up"),
		Down:    bind([]string{"down", "j"}, "↓/j", "down"),
		Restore: bind([]string{"enter"}, "enter", "restore"),
		Back:    bind([]string{"esc", "q"}, "esc", "back"),
		Yes:     bind([]string{"y", "Y"}, "y", "restore"),
		No:      bind([]string{"n", "N", "esc"}, "n/esc", "keep it"),
	}
}

// loadingKeys serve the "opening the vault…" screen, which may wait on a
// keyring that never answers.
type loadingKeys struct{ Quit key.Binding }

func newLoadingKeys() loadingKeys {
	return loadingKeys{Quit: bind([]string{"q", "esc"}, "q", "quit")}
}

func (k loadingKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Quit} }
func (k loadingKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// keysScreenKeys serve the security keys screen; which ones show depends
// on the step of the flow.
type keysScreenKeys struct {
	Up, Down, Register, Authenticate, Unbind, Refresh key.Binding
	AutoTouch, Touch, Confirm, SubmitPIN, Retry       key.Binding
	Cancel, Back, Help                                key.Binding
	Yes, No                                           key.Binding // the unbind question
	// The selected key's PIN and passkeys.
	PIN, Creds           key.Binding
	NextField, PrevField key.Binding // the PIN form
	DeleteCred, YesDel   key.Binding // the passkeys list and its question
}

func newKeysScreenKeys() keysScreenKeys {
	return keysScreenKeys{
		Up:           bind([]string{"up", "k"}, "↑/k", "up"),
		Down:         bind([]string{"down", "j"}, "↓/j", "down"),
		Register:     bind([]string{"enter"}, "enter", "bind key"),
		Authenticate: bind([]string{"a"}, "a", "authenticate"),
		Unbind:       bind([]string{"u"}, "u", "unbind"),
		Refresh:      bind([]string{"r"}, "r", "refresh"),
		AutoTouch:    bind([]string{"T"}, "T", "auto-touch"),
		Touch:        bind([]string{"t", "enter", "space"}, "t", "touch the virtual key"),
		Confirm:      bind([]string{"enter", "y"}, "enter", "bind"),
		SubmitPIN:    bind([]string{"enter"}, "enter", "send pin"),
		Retry:        bind([]string{"r"}, "r", "retry"),
		Cancel:       bind([]string{"esc"}, "esc", "cancel"),
		Back:         bind([]string{"esc", "q"}, "esc", "back"),
		Help:         bind([]string{"?"}, "?", "help"),
		Yes:          bind([]string{"y", "Y"}, "y", "unbind"),
		No:           bind([]string{"n", "N", "esc"}, "n/esc", "keep it"),
		PIN:          bind([]string{"p"}, "p", "pin"),
		Creds:        bind([]string{"c"}, "c", "passkeys"),
		NextField:    bind([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField:    bind([]string{"shift+tab", "up"}, "shift+tab/↑", "previous field"),
		DeleteCred:   bind([]string{"d", "delete"}, "d", "delete passkey"),
		YesDel:       bind([]string{"y", "Y"}, "y", "delete"),
	}
}
