package tui

import (
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// state is the screen the root model shows. Add new screens (e.g. security
// keys) by adding a state, a component implementing screen and a case in
// the key that opens it.
type state int

const (
	stateLoading      state = iota // opening the vault
	statePassphrase                // vault passphrase prompt
	stateFatal                     // the vault could not be opened
	stateMain                      // the account list
	stateAddMenu                   // choose how to add
	stateAddQR                     // QR image path or file browser
	stateAddURI                    // paste a URI
	stateAddManual                 // manual entry form
	stateImport                    // confirm decoded accounts
	stateEdit                      // rename, tags, note
	stateConfirm                   // yes/no question (delete, reveal)
	stateShow                      // secret or QR code on screen
	stateOffset                    // clock offset prompt
	stateError                     // an operation failed
	stateSecurityKeys              // security keys: list, bind, authenticate
	stateBackups                   // choose a backup to restore
	stateAddFile                   // import an export file
)

var stateNames = [...]string{"loading", "passphrase", "fatal", "main", "add-menu", "add-qr", "add-uri", "add-manual", "import", "edit", "confirm", "show", "offset", "error", "security-keys", "backups", "add-file"}

func (s state) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state-%d", int(s))
}

// screen is one component of the TUI: its key bindings are its help,
// the root sizes it, passes it messages while it is active (update) and
// draws it (View) inside the header, status line and help. Screens are
// pointers changed in place; they report results to the root with
// messages returned as commands.
type screen interface {
	help.KeyMap
	SetSize(width, height int)
	update(msg tea.Msg) tea.Cmd
	View() string
}

// frame is what every screen embeds: the shared styles and its size.
type frame struct {
	st            *Styles
	width, height int
}

// SetSize records the screen's size; screens with inputs to size wrap it.
func (f *frame) SetSize(w, h int) { f.width, f.height = w, h }

var (
	_ screen = (*mainScreen)(nil)
	_ screen = (*menuScreen)(nil)
	_ screen = (*qrScreen)(nil)
	_ screen = (*uriScreen)(nil)
	_ screen = (*importScreen)(nil)
	_ screen = (*manualScreen)(nil)
	_ screen = (*editScreen)(nil)
	_ screen = (*confirmScreen)(nil)
	_ screen = (*showScreen)(nil)
	_ screen = (*offsetScreen)(nil)
	_ screen = (*errorScreen)(nil)
	_ screen = (*passScreen)(nil)
	_ screen = (*keysScreen)(nil)
)

// Messages.
type (
	tickMsg   struct{ tag int }
	openedMsg struct {
		store Store
		accts []vault.Account
	}
	openFailedMsg struct {
		err   error
		vault vaultState // whether the vault file exists
	}
	usePassMsg struct{} // create the vault with a passphrase instead
	// accountsMsg carries a fresh copy of the accounts after a change.
	accountsMsg struct {
		accts    []vault.Account
		selectID string
		status   string
	}
	opFailedMsg struct {
		what string
		err  error
	}
	hotpMsg struct {
		acct vault.Account
		n    uint64 // codes handed out by this advance
	}
	copiedMsg struct {
		seq int
		res clipboard.Result
	}
	clearClipMsg struct{ seq int }
	clearedMsg   struct {
		seq int
		res clipboard.Result
	}
	backMsg    struct{}              // leave the current screen
	quitMsg    struct{}              // quit from a screen
	passMsg    struct{ pass []byte } // passphrase typed
	retryMsg   struct{}              // retry opening
	addKindMsg struct{ kind state }  // chosen add flow
	decodedMsg struct {
		accts  []vault.Account
		source string
		warn   string   // what went wrong alongside (codes of an export missing)
		paths  []string // the images read, to add more to the batch
	}
	importMsg struct{ accts []vault.Account }
	editMsg   struct {
		id     string
		fn     func(*vault.Account) error
		status string
	}
	confirmedMsg struct{ action func() tea.Cmd }
	offsetMsg    struct{ offset time.Duration }
)

// emit is a command that delivers msg. Not inlined: every emit closure must share one code pointer (settle
// recognises them by it), which inlining would copy to each call site.
//
//go:noinline
func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// emitCode is the code pointer every emit closure shares.
var emitCode = reflect.ValueOf(emit(nil)).Pointer()

// settle handles at once a message a screen emitted (a choice, back, a
// screen switch) instead of leaving it to a command: Bubble Tea delivers
// command results after the keys already queued, so keys typed ahead of a
// screen switch ("a", "m", then the issuer; a paste, tmux send-keys)
// would reach the screen being left and be lost, or be taken as its
// shortcuts. Commands that do work stay commands.
func (m Model) settle(cmd tea.Cmd) (tea.Model, tea.Cmd) {
	if cmd == nil || reflect.ValueOf(cmd).Pointer() != emitCode {
		return m, cmd
	}
	return m.Update(cmd())
}

// needPassError is what the passphrase callback returns before the user
// has typed one.
type needPassError struct{ confirm bool }

func (e needPassError) Error() string        { return ErrNeedPassphrase.Error() }
func (e needPassError) Is(target error) bool { return target == ErrNeedPassphrase }

// errOpenTimeout is reported when Open does not return in time.
var errOpenTimeout = errors.New("the keyring did not answer in time")

// Model is the root Bubble Tea model.
type Model struct {
	cfg    Config
	st     *Styles
	state  state
	width  int
	height int
	store  Store
	clock  func() time.Time
	offset time.Duration
	// tickTag guards the once-a-second tick: only a tick carrying the
	// current tag re-arms, so a second loop can never start.
	tickTag int
	tick    func(tag int) tea.Cmd
	help    help.Model
	// dark is whether the terminal's background is dark (assumed until
	// it answers); colour whether it shows colours (assumed until Bubble
	// Tea reports its colour profile).
	dark, colour bool
	main         *mainScreen
	sub          screen // the active screen when state != stateMain
	// keys is the security keys screen, kept between visits (the bound
	// key, PINs typed this session).
	keys   *keysScreen
	status string
	// clip is the last copy: while its status is shown, the status line
	// counts down the copied code's validity.
	clip  clipState
	fatal error
	// restoring, while set, opens the vault by putting restoredFrom back.
	restoring    Opener
	restoredFrom string
	// quitting is set by the test driver when a command quits.
	quitting  bool
	ticks     int
	reloading bool
	// lastStatus and statusAge fade a status message out after a while.
	lastStatus string
	statusAge  int
}

// statusTicks is how long (in seconds) a status message stays.
const statusTicks = 8

func (m *Model) ageStatus() {
	if m.clip.showing(m.status) && m.now().Before(m.clip.until) {
		// a copy's status stays while the copied code is valid
		m.lastStatus, m.statusAge = m.status, 0
		return
	}
	if m.status != m.lastStatus {
		m.lastStatus, m.statusAge = m.status, 0
	}
	if m.statusAge++; m.statusAge >= statusTicks {
		m.status, m.lastStatus = "", ""
	}
}

// ReloadEvery is how often (in clock ticks, i.e. seconds) the TUI picks
// up changes other processes made to the vault, such as `vmfa add`.
const ReloadEvery = 10

// Reloader is implemented by stores that can re-read their file to pick
// up changes made by other processes.
type Reloader interface {
	// Reload re-reads the store and reports whether anything changed.
	Reload() (changed bool, err error)
}

type reloadedMsg struct {
	accts   []vault.Account
	changed bool
	err     error
}

// reloadCmd re-reads the vault every ReloadEvery ticks while the list is
// shown.
func (m *Model) reloadCmd() tea.Cmd {
	r, ok := m.store.(Reloader)
	if !ok || m.reloading || m.state != stateMain || m.ticks%ReloadEvery != 0 {
		return nil
	}
	m.reloading = true
	s := m.store
	return func() tea.Msg {
		changed, err := r.Reload()
		if err != nil || !changed {
			return reloadedMsg{err: err}
		}
		return reloadedMsg{accts: s.Accounts(), changed: true}
	}
}

// New returns the root model for cfg. Run calls it; tests drive it
// directly.
func New(cfg Config) Model {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OpenTimeout <= 0 {
		cfg.OpenTimeout = 15 * time.Second
	}
	cfg.Decoders = cfg.Decoders.withDefaults()
	// Whole seconds keep the device clock's period boundaries on the
	// clock-aligned tick, so codes change exactly when they should.
	cfg.TimeOffset = cfg.TimeOffset.Round(time.Second)
	st := DefaultStyles(true)
	m := Model{
		cfg:    cfg,
		st:     &st,
		dark:   true,
		colour: true,
		state:  stateLoading,
		width:  80,
		height: 24,
		clock:  cfg.Now,
		offset: cfg.TimeOffset,
		help:   help.New(),
		tick:   everySecond,
	}
	m.setStyles()
	m.main = newMainScreen(m.st, !cfg.HideNext)
	m.resize()
	return m
}

// setStyles rebuilds the styles for the terminal's background and colour
// profile, in place: every screen shares them.
func (m *Model) setStyles() {
	dark := m.dark
	if m.colour {
		*m.st = DefaultStyles(dark)
	} else {
		*m.st = NoColorStyles()
	}
	m.help.Styles = help.DefaultStyles(dark)
	m.help.Styles.ShortKey = m.st.Help.Bold(true)
	m.help.Styles.FullKey = m.st.Help.Bold(true)
}

func everySecond(tag int) tea.Cmd {
	return tea.Every(time.Second, func(time.Time) tea.Msg { return tickMsg{tag: tag} })
}

// now is the device clock: the injected clock plus the simulated offset.
func (m Model) now() time.Time { return m.clock().Add(m.offset) }

// Init opens the vault, starts the clock and asks the terminal for its
// background colour (the answer, if any, comes as a message; until then
// the styles are those for a dark background).
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.openCmd(nil), m.tick(m.tickTag), tea.RequestBackgroundColor)
}

// openCmd opens the vault in a command bounded by OpenTimeout.
func (m *Model) openCmd(pass []byte) tea.Cmd {
	open, timeout, path := m.cfg.Open, m.cfg.OpenTimeout, m.cfg.VaultPath
	if m.restoring != nil {
		open = m.restoring
	}
	return func() tea.Msg {
		cb := func(confirm bool) ([]byte, error) {
			if pass == nil {
				return nil, needPassError{confirm: confirm}
			}
			return append([]byte(nil), pass...), nil
		}
		type result struct {
			s   Store
			a   []vault.Account
			err error
		}
		ch := make(chan result, 1)
		go func() {
			var r result
			defer func() {
				if p := recover(); p != nil {
					r = result{err: fmt.Errorf("opening the vault failed unexpectedly: %v", p)}
				}
				ch <- r
			}()
			r.s, r.err = open(cb)
			if r.err == nil && r.s == nil {
				r.err = errors.New("no vault was opened")
			}
			if r.err == nil {
				r.a = r.s.Accounts()
			}
		}()
		select {
		case r := <-ch:
			if r.err != nil {
				return openFailedMsg{err: r.err, vault: inspectVault(path)}
			}
			return openedMsg{store: r.s, accts: r.a}
		case <-time.After(timeout):
			return openFailedMsg{err: fmt.Errorf("%w after %s", errOpenTimeout, timeout), vault: inspectVault(path)}
		}
	}
}

// storeCmd runs a vault change in a command and reloads the accounts.
func (m Model) storeCmd(what string, do func(Store) error, selectID, status string) tea.Cmd {
	return storeCmd(m.store, what, do, selectID, status)
}

func storeCmd(s Store, what string, do func(Store) error, selectID, status string) tea.Cmd {
	if s == nil {
		return nil
	}
	return func() tea.Msg {
		if err := do(s); err != nil {
			return opFailedMsg{what: what, err: err}
		}
		return accountsMsg{accts: s.Accounts(), selectID: selectID, status: status}
	}
}

// Update is the root of the message flow.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		log.Printf("window %dx%d", msg.Width, msg.Height)
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
		m.setStyles()
		log.Printf("terminal background: dark %v", m.dark)
		return m, nil
	case tea.ColorProfileMsg:
		m.colour = msg.Profile > colorprofile.ASCII
		m.setStyles()
		log.Printf("colour profile: %s", msg.Profile)
		return m, nil
	case tickMsg:
		if msg.tag != m.tickTag {
			return m, nil // a stale loop: let it die
		}
		m.main.now = m.now()
		m.ticks++
		m.ageStatus()
		return m, tea.Batch(m.tick(m.tickTag), m.reloadCmd())
	case reloadedMsg:
		m.reloading = false
		switch {
		case msg.err != nil:
			m.status = "could not re-read the vault: " + oneLine(msg.err.Error())
		case msg.changed:
			m.main.setAccounts(msg.accts, "")
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.state == stateMain && !m.main.editing {
			// keys typed into fields are never logged: they may be secrets
			log.Printf("key %s", msg.String())
		}
		if msg.String() == "ctrl+c" {
			return m, tea.Quit
		}
		if len([]rune(msg.Text)) > 1 && msg.Mod == 0 {
			// Several characters in one key message (an input method,
			// or a test): "/git" must start the filter and then type
			// "git".
			return m.splitKeys(msg)
		}
	case quitMsg:
		return m, tea.Quit
	case openedMsg:
		log.Printf("vault opened: %d accounts", len(msg.accts))
		m.fatal = nil
		if m.restoring != nil {
			m.restoring = nil
			m.status = "restored the backup " + filepath.Base(m.restoredFrom) + "; the file it replaced is kept as a backup"
			log.Printf("backup restored")
		}
		m.store = msg.store
		m.main.setAccounts(msg.accts, "")
		m.setState(stateMain, nil)
		return m, nil
	case openFailedMsg:
		log.Printf("vault not opened: %v", msg.err)
		return m.openFailed(msg.err, msg.vault)
	case usePassMsg:
		if m.cfg.CreateWithPassphrase != nil {
			m.cfg.Open = m.cfg.CreateWithPassphrase
		}
		m.setState(stateLoading, nil)
		return m, m.openCmd(nil)
	case passMsg:
		m.setState(stateLoading, nil)
		return m, m.openCmd(msg.pass)
	case retryMsg:
		m.setState(stateLoading, nil)
		return m, m.openCmd(nil)
	case restoreListMsg:
		return m, m.openBackups()
	case restoreCancelMsg:
		return m.openFailed(m.fatal, vaultExists)
	case restoreMsg:
		log.Printf("restoring a backup")
		m.restoring, m.restoredFrom = m.cfg.Restore(msg.backup), msg.backup
		m.setState(stateLoading, nil)
		return m, m.openCmd(nil)
	case accountsMsg:
		if !m.main.setAccounts(msg.accts, msg.selectID) && msg.selectID != "" {
			// the filter hides the account to show (a new one): drop it
			m.main.clearFilter()
			m.main.setAccounts(msg.accts, msg.selectID)
		}
		m.status = msg.status
		log.Printf("vault changed: %s", msg.status)
		switch m.state {
		case stateMain, stateImport, stateAddManual, stateEdit, stateConfirm:
			// the screen that asked for the change hands back to the list
			m.setState(stateMain, nil)
		}
		return m, nil
	case opFailedMsg:
		log.Printf("could not %s: %v", msg.what, msg.err)
		m.setState(stateError, newErrorScreen(m.st, "Could not "+msg.what, msg.err, false))
		if errors.Is(msg.err, vault.ErrNotFound) && m.store != nil {
			// deleted elsewhere: show the list as the vault has it now
			s := m.store
			return m, func() tea.Msg { return reloadedMsg{accts: s.Accounts(), changed: true} }
		}
		return m, nil
	case hotpMsg:
		log.Printf("hotp: %s advanced by %d to counter %d", msg.acct.Label(), msg.n, msg.acct.Counter)
		m.main.setHOTP(msg.acct, msg.n)
		m.status = "generated a new code for " + msg.acct.Label() + " (counter saved)"
		return m, nil
	case copiedMsg:
		return m, m.copied(msg)
	case clearClipMsg:
		return m, m.clearClip(msg.seq)
	case clearedMsg:
		return m, m.cleared(msg)
	case backMsg:
		if m.state == stateFatal || m.state == stateLoading || m.state == statePassphrase {
			return m, tea.Quit
		}
		m.setState(stateMain, nil)
		return m, nil
	case addKindMsg:
		return m, m.openAdd(msg.kind)
	case decodedMsg:
		s := newImportScreen(m.st, msg.accts, m.main.all, msg.source)
		s.warn, s.paths = msg.warn, msg.paths
		s.keys.more = msg.paths != nil
		m.setState(stateImport, s)
		return m, nil
	case moreImagesMsg:
		q := newQRScreen(m.st, m.cfg.Decoders)
		q.input.SetValue(joinPaths(msg.paths) + " ")
		q.input.CursorEnd()
		m.setState(stateAddQR, q)
		return m, q.input.Focus()
	case importMsg:
		accts := msg.accts
		for i := range accts {
			if accts[i].ID == "" {
				accts[i].ID = vault.NewID() // to select it once stored
			}
		}
		if len(accts) == 0 {
			m.setState(stateMain, nil)
			return m, nil
		}
		// The new account is shown with its current and next code: the
		// two a console asks for when binding.
		m.main.showNext = true
		status := fmt.Sprintf("added %s", accts[0].Label())
		if len(accts) > 1 {
			status = fmt.Sprintf("added %d accounts", len(accts))
		}
		return m, m.storeCmd("add the accounts", func(s Store) error { return s.Add(accts...) }, accts[0].ID, status)
	case editMsg:
		return m, m.storeCmd("save the account", func(s Store) error { return s.Edit(msg.id, msg.fn) }, msg.id, msg.status)
	case confirmedMsg:
		return m, msg.action()
	case showMsg:
		// Black on white set explicitly, or under NO_COLOR characters
		// only, for the background the terminal reported.
		style := scanner.QRStyle{Colour: true}
		if m.cfg.plainQR {
			style = scanner.QRStyle{LightOnDark: m.dark}
		}
		m.setState(stateShow, newShowScreen(m.st, msg.acct, msg.qr, m.cfg.Decoders, style))
		return m, nil
	case offsetMsg:
		m.offset = msg.offset
		m.main.now = m.now()
		m.status = "clock offset " + formatOffset(m.offset)
		m.setState(stateMain, nil)
		return m, nil
	}

	if m.state == stateMain {
		return m.settle(m.updateMain(msg))
	}
	if km, ok := msg.(tea.KeyPressMsg); ok && m.state == stateLoading && key.Matches(km, newLoadingKeys().Quit) {
		// the keyring may never answer: quitting must not wait for it
		return m, tea.Quit
	}
	if m.sub != nil {
		return m.settle(m.sub.update(msg))
	}
	return m, nil
}

// splitKeys handles a multi-rune key message one rune at a time.
func (m Model) splitKeys(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	var model tea.Model = m
	for _, r := range msg.Text {
		var cmd tea.Cmd
		model, cmd = model.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		cmds = append(cmds, cmd)
	}
	return model, tea.Batch(cmds...)
}

// setState switches screens; s is the new screen unless the state is the
// main list.
func (m *Model) setState(st state, s screen) {
	if st != m.state {
		log.Printf("screen %s", st)
	}
	m.state, m.sub = st, s
	if st == stateMain {
		m.sub = nil
		m.main.now = m.now()
	}
	m.resize()
}

// vaultState is whether the vault file exists, as far as is known.
type vaultState int

const (
	vaultUnknown vaultState = iota // no path, or it could not be inspected
	vaultMissing                   // no vault yet: one can be created
	vaultExists                    // a vault exists: its key source is set
)

// inspectVault tells whether a vault file exists at path. It reads the
// file system: call it inside a command.
func inspectVault(path string) vaultState {
	if path == "" {
		return vaultUnknown
	}
	info, err := vault.Inspect(path)
	switch {
	case info.Exists: // even when unreadable: it is there
		return vaultExists
	case err != nil:
		return vaultUnknown
	}
	return vaultMissing
}

func (m Model) openFailed(err error, vs vaultState) (tea.Model, tea.Cmd) {
	var need needPassError
	if errors.As(err, &need) {
		m.setState(statePassphrase, newPassScreen(m.st, need.confirm, ""))
		return m, nil
	}
	if isWrongPassphrase(err) {
		m.setState(statePassphrase, newPassScreen(m.st, false, "wrong passphrase, try again"))
		return m, nil
	}
	prefix := ""
	if m.restoring != nil {
		// The backup was not put back: r opens the vault as it is.
		m.restoring, prefix = nil, "Could not restore the backup"
	}
	m.fatal = err
	s := newErrorScreen(m.st, prefix, err, true)
	s.keys.restore = m.restorable(err)
	s.path = m.cfg.VaultPath
	s.vault = vs
	s.keys.passphrase = vs == vaultMissing && m.cfg.CreateWithPassphrase != nil && keyringTrouble(err)
	m.setState(stateFatal, s)
	return m, nil
}

// body sizes: a header line and a blank line on top, a status line and
// the help at the bottom.
func (m *Model) resize() {
	w, h := m.width, m.height-m.chromeHeight()
	m.help.SetWidth(w)
	m.main.SetSize(w, h)
	if m.sub != nil {
		if m.fullScreen() {
			h = m.height
		}
		m.sub.SetSize(w, h)
	}
}

// fullScreen reports whether the active screen takes the whole terminal.
func (m *Model) fullScreen() bool {
	f, ok := m.sub.(interface{ FullScreen() bool })
	return ok && m.state != stateMain && f.FullScreen()
}

func (m *Model) chromeHeight() int {
	return 2 + 1 + lipgloss.Height(m.helpView())
}

func (m *Model) keyMap() help.KeyMap {
	if m.state == stateMain {
		return m.main
	}
	if m.sub != nil {
		return m.sub
	}
	if m.state == stateLoading {
		return newLoadingKeys()
	}
	return backKeys{}
}

// fitHelp drops what does not fit in the help line: the arrow keys
// first (they go without saying), then from the middle, so that the
// first key (what the screen is for) and the last (the way out) stay.
func (m *Model) fitHelp(b []key.Binding) []key.Binding {
	whole := m.help
	whole.SetWidth(0) // measure without bubbles/help's own cut
	fits := func() bool { return lipgloss.Width(whole.ShortHelpView(b)) <= m.width }
	for i := 0; i < len(b) && !fits(); {
		if k := b[i].Help().Key; len(b) > 2 && (strings.HasPrefix(k, "↑") || strings.HasPrefix(k, "↓")) {
			b = append(b[:i:i], b[i+1:]...)
			continue
		}
		i++
	}
	for len(b) > 2 && !fits() {
		b = append(b[:len(b)-2:len(b)-2], b[len(b)-1])
	}
	return b
}

func (m *Model) helpView() string {
	km := m.keyMap()
	if m.state == stateMain && m.main.fullHelp {
		return m.fullHelpView(km.FullHelp())
	}
	return m.help.ShortHelpView(m.fitHelp(km.ShortHelp()))
}

// fullHelpView shows every key of groups: in bubbles/help's columns when
// they fit the width, else as short-help lines wrapped at the width, so
// that a narrow terminal (40 columns) still lists every key instead of
// the first column cut with "…".
func (m *Model) fullHelpView(groups [][]key.Binding) string {
	whole := m.help
	whole.SetWidth(0) // measure without bubbles/help's own cut
	if cols := whole.FullHelpView(groups); m.width <= 0 || lipgloss.Width(cols) <= m.width {
		return cols
	}
	var lines []string
	var line []key.Binding
	for _, g := range groups {
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			if len(line) > 0 && lipgloss.Width(whole.ShortHelpView(append(line[:len(line):len(line)], b))) > m.width {
				lines = append(lines, whole.ShortHelpView(line))
				line = nil
			}
			line = append(line, b)
		}
	}
	if len(line) > 0 {
		lines = append(lines, whole.ShortHelpView(line))
	}
	return strings.Join(lines, "\n")
}

// View renders the header, the active screen, the status line and help,
// on the alternate screen unless Config.NoAltScreen.
func (m Model) View() tea.View {
	v := tea.NewView(m.draw())
	v.AltScreen = !m.cfg.NoAltScreen
	v.WindowTitle = "vmfa"
	return v
}

// draw renders the screen as text.
func (m Model) draw() string {
	if m.fullScreen() {
		return padLines(m.sub.View(), m.height, m.width)
	}
	var b strings.Builder
	b.WriteString(m.headerView())
	b.WriteString("\n\n")
	var body string
	switch {
	case m.state == stateMain:
		body = m.main.View()
	case m.sub != nil:
		body = m.sub.View()
	default:
		body = m.st.Hint.Render("  opening the vault…")
	}
	bodyHeight := max(0, m.height-m.chromeHeight())
	body = padLines(body, bodyHeight, m.width)
	b.WriteString(body)
	b.WriteString("\n")
	b.WriteString(clip(m.statusView(), m.width))
	b.WriteString("\n")
	b.WriteString(m.helpView())
	out := b.String()
	if strings.Count(out, "\n") >= m.height && m.height > 0 {
		// A terminal too small for the chrome: keep the top lines.
		out = padLines(out, m.height, m.width)
	}
	return out
}

func (m Model) headerView() string {
	left := m.st.Title.Render("vmfa")
	if m.state == stateMain || m.state >= stateAddMenu {
		n := len(m.main.all)
		left += m.st.Header.Render(fmt.Sprintf(" · %d account%s", n, plural(n)))
	}
	now := m.now()
	right := m.st.Header.Render(now.Format("15:04:05"))
	if m.offset != 0 {
		right = m.st.Offset.Render("clock "+formatOffset(m.offset)) + m.st.Header.Render(" · ") + right
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return clip(left+" "+right, m.width)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m Model) statusView() string {
	if m.state != stateMain || m.status == "" {
		return ""
	}
	s := m.status
	if m.clip.showing(m.status) {
		s = m.clip.line(m.now(), m.width)
	}
	return m.st.Status.Render(s)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// padLines cuts or pads s to exactly height lines.
func padLines(s string, height, width int) string {
	if height <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = clip(l, width)
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
