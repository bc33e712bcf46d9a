package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/verifier"
)

// DefaultKeyTimeout bounds each security key operation: how long the
// screen waits for a touch.
const DefaultKeyTimeout = hwkey.DefaultTimeout

// keysPhase is where the security keys screen is in the console's
// binding flow: insert the key (choose it in the list) → touch it →
// confirm → bound, then authenticate.
type keysPhase int

const (
	keysListing keysPhase = iota // looking for keys
	keysList                     // the keys present
	keysTouch                    // an operation waits for the key (touch)
	keysPIN                      // the key asked for its PIN
	keysConfirm                  // the key registered: bind it?
	keysBinding                  // the verifier checks the registration
	keysResult                   // the result panel
	keysError                    // an operation failed
	keysNewPIN                   // the PIN form (set or change)
	keysCreds                    // the passkeys on the key
	keysBusy                     // a PIN or passkey operation runs
)

// keysOp is the operation in flight or that failed.
type keysOp int

const (
	opList keysOp = iota
	opRegister
	opBind
	opAuthenticate
	opUnbind
	opPowerCycle
	opSetPIN
	opCreds
	opDeleteCred
)

// Messages of the security keys screen. seq ties a result to the
// operation that asked for it: results of cancelled operations are
// dropped.
type (
	keysListedMsg struct {
		seq  int
		devs []KeyDevice
		err  error
		// The user's binding at the verifier (nil: none), unless
		// bindErr says it could not be read.
		binding *KeyBinding
		bindErr error
	}
	keyInfoMsg struct {
		path string
		info KeyInfo
		err  error
	}
	keyRegisteredMsg struct {
		seq int
		reg *KeyRegistration
		err error
	}
	keyBoundMsg struct {
		seq  int
		bind KeyBinding
		err  error
	}
	keyAuthMsg struct {
		seq int
		res KeyAssertion
		err error
	}
	keyUnboundMsg struct {
		seq int
		err error
	}
	keyPowerCycledMsg struct {
		seq int
		err error
	}
)

type keyInfoState struct {
	info    KeyInfo
	err     error
	loading bool
}

// keysScreen lists security keys and runs the binding flow against the
// companion verifier. It is kept by the root between visits, so the
// bound key and the PIN typed this session are remembered.
type keysScreen struct {
	frame
	keys    keysScreenKeys
	svc     KeyService
	timeout time.Duration
	rp      string
	user    string

	phase    keysPhase
	op       keysOp // the operation in flight, or that failed
	seq      int
	cancel   context.CancelFunc
	now      func() time.Time // the injected clock
	deadline time.Time        // when the operation in flight gives up

	devs    []KeyDevice
	listErr error
	infos   map[string]keyInfoState
	cursor  int

	spin spinner.Model
	// spinTick starts the spinner; tests replace it so that no timer
	// runs.
	spinTick func(spinner.Model) tea.Cmd

	dev       KeyDevice     // the key of the current flow
	touch     chan struct{} // the current operation's touches (virtual keys)
	touched   bool          // the user touched the virtual key
	autoTouch bool          // virtual keys touch themselves
	pin       textinput.Model
	pinMsg    string
	opPIN     string            // the PIN the current operation sent
	pins      map[string]string // PINs accepted this session, by path

	reg     *KeyRegistration
	binding *KeyBinding
	bindErr error
	bound   *KeyDevice // the user's key bound at the verifier
	auth    *KeyAssertion
	prevCtr uint32
	err     error

	afterCycle keysOp // the operation a power cycle runs again
	askUnbind  bool   // "Unbind … from …? y/n" is asked
	notice     string // what the last operation did ("unbound …")
	fullHelp   bool   // ? shows every key of the screen

	pinForm    pinForm
	creds      *hwkey.ResidentCredentials
	credCursor int
	askDelete  bool // "Delete the passkey of …? y/n" is asked
	// optional are lines of the view being drawn that squeeze may drop.
	optional map[string]bool
}

func newKeysScreen(st *Styles, svc KeyService, timeout time.Duration, now func() time.Time) *keysScreen {
	if timeout <= 0 {
		timeout = DefaultKeyTimeout
	}
	rp, user := svc.Account()
	pin := newInput("", "the key's PIN")
	pin.EchoMode = textinput.EchoPassword
	pin.EchoCharacter = '•'
	pin.CharLimit = 63
	return &keysScreen{
		frame: frame{st: st}, keys: newKeysScreenKeys(), svc: svc, timeout: timeout, rp: rp, user: user, now: now,
		infos:    map[string]keyInfoState{},
		spin:     spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(st.Cursor)),
		spinTick: func(s spinner.Model) tea.Cmd { return s.Tick },
		pin:      pin,
		pins:     map[string]string{},
	}
}

func (s *keysScreen) SetSize(w, h int) {
	s.width, s.height = w, h
	s.pin.SetWidth(max(10, min(w-20, 30)))
	s.pinForm.setWidth(w)
}

// ShortHelp shows the keys of the current step.
func (s *keysScreen) ShortHelp() []key.Binding {
	k := s.keys
	if s.askUnbind {
		return []key.Binding{k.Yes, k.No}
	}
	switch s.phase {
	case keysNewPIN, keysCreds:
		return s.manageHelp()
	case keysListing, keysBusy:
		return []key.Binding{k.Cancel}
	case keysBinding:
		return nil
	case keysTouch:
		if s.dev.Virtual && !s.autoTouch {
			return []key.Binding{k.Touch, k.Cancel}
		}
		return []key.Binding{k.Cancel}
	case keysPIN:
		return []key.Binding{k.SubmitPIN, k.Cancel}
	case keysConfirm:
		return []key.Binding{k.Confirm, k.Cancel}
	case keysResult:
		if s.bound != nil {
			return []key.Binding{k.Authenticate, k.Unbind, k.Back}
		}
		return []key.Binding{k.Retry, k.Back}
	case keysError:
		if errors.Is(s.err, verifier.ErrDeviceBound) {
			return []key.Binding{k.Unbind, k.Back, k.Help}
		}
		return []key.Binding{k.Retry, k.Back, k.Help}
	}
	b := []key.Binding{k.Register, k.Up, k.Down}
	if s.bound != nil {
		b = append(b, k.Authenticate, k.Unbind)
	}
	return append(b, k.PIN, k.Creds, k.AutoTouch, k.Refresh, k.Back, k.Help)
}

// FullHelp lists every key of the screen, by step of the flow.
func (s *keysScreen) FullHelp() [][]key.Binding {
	k := s.keys
	// r refreshes the list and retries after an error (a virtual key
	// blocked by wrong pins is power-cycled): one key, listed once.
	refresh := k.Refresh
	refresh.SetHelp("r", "refresh / retry")
	del := k.DeleteCred
	del.SetHelp("d", "delete a passkey (in c)")
	return [][]key.Binding{
		{k.Register, k.Up, k.Down, refresh, k.AutoTouch, k.PIN},
		{k.Creds, del, k.Touch, k.Authenticate, k.Unbind, k.Back},
	}
}

// helpView is the full help, shown on the screen while ? is on: every
// key with what it does, in two columns when they fit.
func (s *keysScreen) helpView() string {
	var items []key.Binding
	for _, g := range s.FullHelp() {
		items = append(items, g...)
	}
	w := max(10, s.width-4)
	cols := 1
	if w >= 76 {
		cols = 2
	}
	cell := w / cols
	rows := (len(items) + cols - 1) / cols
	var b strings.Builder
	b.WriteString(s.st.FieldLabel.Render("Keys") + s.st.Dim.Render(" (? hides)") + "\n")
	for r := 0; r < rows; r++ {
		var line strings.Builder
		for c := 0; c < cols; c++ {
			i := c*rows + r
			if i >= len(items) {
				break
			}
			h := items[i].Help()
			text := fit(s.st.FieldLabel.Render(h.Key), 7) + s.st.Dim.Render(clip(h.Desc, cell-9))
			if c < cols-1 {
				text = fit(text, cell)
			}
			line.WriteString(text)
		}
		b.WriteString(line.String() + "\n")
	}
	return b.String()
}

// start (re)lists the keys; the root calls it when the screen opens.
func (s *keysScreen) start() tea.Cmd {
	s.stop()
	s.phase, s.op, s.err = keysListing, opList, nil
	ctx, seq := s.begin()
	svc := s.svc
	return tea.Batch(s.spinTick(s.spin), func() tea.Msg {
		devs, err := svc.Devices(ctx)
		b, berr := svc.Binding(ctx)
		return keysListedMsg{seq: seq, devs: devs, err: err, binding: b, bindErr: berr}
	})
}

// begin starts an operation: a new sequence number and a context bounded
// by the timeout, cancelled by stop.
func (s *keysScreen) begin() (context.Context, int) {
	s.seq++
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	s.cancel = cancel
	s.deadline = s.now().Add(s.timeout)
	return ctx, s.seq
}

// stop cancels the operation in flight, if any, and forgets its result.
func (s *keysScreen) stop() {
	s.done()
	s.seq++
}

// done releases the context of the operation that just answered.
func (s *keysScreen) done() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

func (s *keysScreen) selected() (KeyDevice, bool) {
	if s.cursor < 0 || s.cursor >= len(s.devs) {
		return KeyDevice{}, false
	}
	return s.devs[s.cursor], true
}

func (s *keysScreen) request(pin string) KeyRequest {
	req := KeyRequest{Path: s.dev.Path, PIN: pin}
	s.touch, s.touched, s.opPIN = nil, false, pin
	if s.dev.Virtual && !s.autoTouch {
		// A fresh channel per operation: a touch given for an earlier
		// one never answers this one.
		s.touch = make(chan struct{}, 1)
		req.Touch = s.touch
	}
	return req
}

// register runs the key's side of the binding: the key waits for a touch.
func (s *keysScreen) register(pin string) tea.Cmd {
	s.notice = ""
	s.phase, s.op, s.err, s.reg, s.binding, s.bindErr, s.auth = keysTouch, opRegister, nil, nil, nil, nil, nil
	ctx, seq := s.begin()
	req, svc := s.request(pin), s.svc
	return tea.Batch(s.spinTick(s.spin), func() tea.Msg {
		reg, err := svc.Register(ctx, req)
		return keyRegisteredMsg{seq: seq, reg: reg, err: err}
	})
}

// bind hands the registration to the verifier.
func (s *keysScreen) bind() tea.Cmd {
	s.phase, s.op = keysBinding, opBind
	ctx, seq := s.begin()
	reg, svc := s.reg, s.svc
	return tea.Batch(s.spinTick(s.spin), func() tea.Msg {
		b, err := svc.Bind(ctx, reg)
		return keyBoundMsg{seq: seq, bind: b, err: err}
	})
}

// authenticate signs a verifier challenge with the bound key.
func (s *keysScreen) authenticate(pin string) tea.Cmd {
	if s.bound == nil {
		return nil
	}
	s.dev = *s.bound
	if s.bound.Path == "" {
		// Bound before this session: the selected key signs.
		d, ok := s.selected()
		if !ok {
			return nil
		}
		s.dev = d
		pin = s.pins[d.Path]
	}
	s.notice = ""
	s.phase, s.op, s.err = keysTouch, opAuthenticate, nil
	ctx, seq := s.begin()
	req, svc := s.request(pin), s.svc
	return tea.Batch(s.spinTick(s.spin), func() tea.Msg {
		res, err := svc.Authenticate(ctx, req)
		return keyAuthMsg{seq: seq, res: res, err: err}
	})
}

// unbindName names the key the unbind question is about.
func (s *keysScreen) unbindName() string {
	if s.bound != nil && s.bound.Path != "" {
		return s.deviceName(*s.bound)
	}
	if s.binding != nil && s.binding.CredentialID != "" {
		return "the key with credential " + shortID(s.binding.CredentialID)
	}
	return "the bound key"
}

// powerCycle removes and reinserts the virtual key of the flow, which
// ends a PIN block of three wrong PINs in a row, then runs the failed
// operation again (the key asks for its PIN).
func (s *keysScreen) powerCycle() tea.Cmd {
	if s.op != opPowerCycle {
		s.afterCycle = s.op
	}
	s.op = opPowerCycle
	ctx, seq := s.begin()
	svc, path := s.svc, s.dev.Path
	return func() tea.Msg { return keyPowerCycledMsg{seq: seq, err: svc.PowerCycle(ctx, path)} }
}

func (s *keysScreen) unbind() tea.Cmd {
	s.op = opUnbind
	ctx, seq := s.begin()
	svc := s.svc
	return func() tea.Msg { return keyUnboundMsg{seq: seq, err: svc.Unbind(ctx)} }
}

// infoCmds ask every listed key for its info, each in its own command.
func (s *keysScreen) infoCmds() tea.Cmd {
	var cmds []tea.Cmd
	for _, d := range s.devs {
		s.infos[d.Path] = keyInfoState{loading: true}
		cmds = append(cmds, s.infoCmd(d.Path))
	}
	return tea.Batch(cmds...)
}

func (s *keysScreen) infoCmd(path string) tea.Cmd {
	svc, timeout := s.svc, s.timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), min(timeout, 10*time.Second))
		defer cancel()
		info, err := svc.Info(ctx, path)
		return keyInfoMsg{path: path, info: info, err: err}
	}
}

// toList goes back to the list, asking the key of the flow for fresh
// info (its PIN retries may have changed).
func (s *keysScreen) toList() tea.Cmd {
	s.phase = keysList
	if s.dev.Path == "" {
		return nil
	}
	return s.infoCmd(s.dev.Path)
}

// fail shows err; a wrong or missing PIN goes back to the PIN prompt.
func (s *keysScreen) fail(err error) tea.Cmd {
	s.done()
	var pe *hwkey.PINError
	switch {
	case errors.Is(err, hwkey.ErrPINRequired):
		delete(s.pins, s.dev.Path)
		return s.askPIN("")
	case errors.As(err, &pe):
		delete(s.pins, s.dev.Path)
		return s.askPIN(pe.Error())
	case errors.Is(err, hwkey.ErrPINInvalid):
		delete(s.pins, s.dev.Path)
		return s.askPIN(err.Error())
	}
	s.phase, s.err = keysError, err
	if errors.Is(err, hwkey.ErrPINAuthBlocked) || errors.Is(err, hwkey.ErrPINBlocked) {
		// The attempts left tell a block for now from one for good.
		delete(s.pins, s.dev.Path)
		return s.infoCmd(s.dev.Path)
	}
	return nil
}

func (s *keysScreen) askPIN(msg string) tea.Cmd {
	s.phase, s.pinMsg = keysPIN, msg
	s.pin.Reset()
	return s.pin.Focus()
}

func (s *keysScreen) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := s.manageUpdate(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !s.busy() {
			return nil // let the spinner stop
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return cmd
	case keysListedMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.done()
		s.devs, s.listErr = msg.devs, errors.Join(msg.err, msg.bindErr)
		s.cursor = max(0, min(s.cursor, len(s.devs)-1))
		switch {
		case msg.binding != nil && s.bound == nil:
			// Bound earlier (another session, the CLI): which key holds
			// the credential is not known until one signs.
			s.bound, s.binding = &KeyDevice{}, msg.binding
		case msg.binding == nil && msg.bindErr == nil && s.bound != nil:
			// Unbound elsewhere meanwhile.
			s.bound, s.binding, s.reg, s.auth = nil, nil, nil, nil
		}
		s.phase = keysList
		return s.infoCmds()
	case keyInfoMsg:
		s.infos[msg.path] = keyInfoState{info: msg.info, err: msg.err}
		return nil
	case keyRegisteredMsg:
		if msg.seq != s.seq {
			return nil
		}
		if msg.err != nil {
			return s.fail(msg.err)
		}
		s.done()
		s.rememberPIN()
		s.reg, s.phase = msg.reg, keysConfirm
		return nil
	case keyBoundMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.done()
		s.phase = keysResult
		if msg.err != nil {
			s.bindErr = msg.err
			return nil
		}
		b, d := msg.bind, s.dev
		s.binding, s.bound = &b, &d
		return nil
	case keyAuthMsg:
		if msg.seq != s.seq {
			return nil
		}
		if msg.err != nil {
			return s.fail(msg.err)
		}
		s.done()
		s.rememberPIN()
		if s.bound != nil && s.bound.Path == "" {
			d := s.dev
			s.bound = &d
		}
		s.prevCtr = s.counter()
		r := msg.res
		s.auth, s.phase = &r, keysResult
		return nil
	case keyUnboundMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.done()
		if msg.err != nil {
			s.phase, s.err = keysError, msg.err
			return nil
		}
		s.notice = fmt.Sprintf("unbound %s from %s", s.unbindName(), s.user)
		s.bound, s.binding, s.reg, s.auth, s.bindErr = nil, nil, nil, nil, nil
		s.phase = keysList
		return nil
	case keyPowerCycledMsg:
		if msg.seq != s.seq {
			return nil
		}
		s.done()
		if msg.err != nil {
			s.phase, s.err = keysError, msg.err
			return nil
		}
		retry := s.retryOp(s.afterCycle)
		s.notice = s.deviceName(s.dev) + " power-cycled: its pin block is over"
		return tea.Batch(s.infoCmd(s.dev.Path), retry)
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	if s.phase == keysPIN {
		var cmd tea.Cmd
		s.pin, cmd = s.pin.Update(msg)
		return cmd
	}
	return nil
}

// rememberPIN keeps the PIN a key accepted, for the next operation this
// session (in memory only).
func (s *keysScreen) rememberPIN() {
	if s.opPIN != "" {
		s.pins[s.dev.Path] = s.opPIN
	}
	s.pin.Reset()
}

func (s *keysScreen) busy() bool {
	return s.phase == keysListing || s.phase == keysTouch || s.phase == keysBinding || s.phase == keysBusy
}

// counter is the latest signature counter the verifier accepted.
func (s *keysScreen) counter() uint32 {
	switch {
	case s.auth != nil:
		return s.auth.Counter
	case s.binding != nil:
		return s.binding.Counter
	}
	return 0
}

func (s *keysScreen) key(km tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	if s.askUnbind {
		switch {
		case key.Matches(km, k.Yes):
			s.askUnbind = false
			return s.unbind()
		case key.Matches(km, k.No):
			s.askUnbind = false
		}
		return nil
	}
	switch s.phase {
	case keysNewPIN:
		return s.pinFormKey(km)
	case keysCreds:
		return s.credsKey(km)
	case keysBusy:
		if key.Matches(km, k.Cancel) {
			s.stop()
			if s.op == opDeleteCred {
				s.phase = keysCreds
				return nil
			}
			return s.toList()
		}
		return nil
	}
	if s.phase != keysPIN && key.Matches(km, k.Help) {
		s.fullHelp = !s.fullHelp
		return nil
	}
	if s.phase == keysList || s.phase == keysResult || s.phase == keysError {
		s.notice = ""
	}
	switch s.phase {
	case keysListing:
		if key.Matches(km, k.Cancel) {
			s.stop()
			s.phase = keysList
		}
		return nil
	case keysBinding:
		// The verifier answers at once and may already have bound the
		// key: its verdict is always shown.
		return nil
	case keysTouch:
		switch {
		case key.Matches(km, k.Cancel):
			s.stop()
			if s.op == opAuthenticate {
				s.phase = keysResult
				return nil
			}
			return s.toList()
		case s.touch != nil && key.Matches(km, k.Touch):
			select {
			case s.touch <- struct{}{}:
				s.touched = true
			default: // already touched
			}
		}
		return nil
	case keysPIN:
		switch {
		case key.Matches(km, k.Cancel):
			s.pin.Blur()
			if s.op == opAuthenticate && s.bound != nil && s.bound.Path != "" {
				s.phase = keysResult
				return nil
			}
			return s.toList()
		case key.Matches(km, k.SubmitPIN):
			if s.pin.Value() == "" {
				s.pinMsg = "type the key's pin (4 to 63 characters)"
				return nil
			}
			s.pin.Blur()
			switch s.op {
			case opAuthenticate:
				return s.authenticate(s.pin.Value())
			case opCreds, opDeleteCred:
				return s.listCreds(s.pin.Value())
			}
			return s.register(s.pin.Value())
		}
		var cmd tea.Cmd
		s.pin, cmd = s.pin.Update(km)
		return cmd
	case keysConfirm:
		switch {
		case key.Matches(km, k.Confirm):
			return s.bind()
		case key.Matches(km, k.Cancel):
			s.reg, s.phase = nil, keysList
		}
		return nil
	case keysResult:
		switch {
		case key.Matches(km, k.Back):
			return s.toList()
		case s.bound != nil && key.Matches(km, k.Authenticate):
			return s.authenticate(s.pins[s.bound.Path])
		case s.bound != nil && key.Matches(km, k.Unbind):
			s.askUnbind = true
		case s.bound == nil && key.Matches(km, k.Retry):
			return s.register(s.pins[s.dev.Path])
		}
		return nil
	case keysError:
		switch {
		case key.Matches(km, k.Back):
			return s.toList()
		case key.Matches(km, k.Retry) && s.dev.Virtual && errors.Is(s.err, hwkey.ErrPINAuthBlocked):
			return s.powerCycle()
		case key.Matches(km, k.Retry):
			return s.retry()
		case key.Matches(km, k.Unbind) && errors.Is(s.err, verifier.ErrDeviceBound):
			s.askUnbind = true
		}
		return nil
	}
	// the list
	switch {
	case key.Matches(km, k.Back):
		s.stop()
		return emit(backMsg{})
	case key.Matches(km, k.Up):
		s.cursor = max(0, s.cursor-1)
	case key.Matches(km, k.Down):
		s.cursor = max(0, min(len(s.devs)-1, s.cursor+1))
	case key.Matches(km, k.Refresh):
		return s.start()
	case key.Matches(km, k.AutoTouch):
		s.autoTouch = !s.autoTouch
	case s.bound != nil && key.Matches(km, k.Authenticate):
		return s.authenticate(s.pins[s.bound.Path])
	case s.bound != nil && key.Matches(km, k.Unbind):
		s.askUnbind = true
	case key.Matches(km, k.PIN):
		return s.openPINForm()
	case key.Matches(km, k.Creds):
		d, ok := s.selected()
		if !ok {
			return nil
		}
		s.dev, s.creds, s.credCursor = d, nil, 0
		return s.listCreds(s.pins[d.Path])
	case key.Matches(km, k.Register):
		d, ok := s.selected()
		if !ok {
			return nil
		}
		// With a key already bound the verifier refuses (one MFA device
		// per user, as the consoles enforce) and the error offers to
		// unbind.
		s.dev = d
		return s.register(s.pins[d.Path])
	}
	return nil
}

// retry runs the failed operation again.
func (s *keysScreen) retry() tea.Cmd { return s.retryOp(s.op) }

// retryOp runs op again.
func (s *keysScreen) retryOp(op keysOp) tea.Cmd {
	switch op {
	case opList:
		return s.start()
	case opAuthenticate:
		return s.authenticate(s.pins[s.dev.Path])
	case opCreds, opDeleteCred:
		return s.listCreds(s.pins[s.dev.Path])
	case opSetPIN:
		s.phase = keysNewPIN
		return s.pinForm.focusOn(0)
	case opUnbind:
		return s.unbind()
	case opPowerCycle:
		return s.powerCycle()
	case opRegister:
		if errors.Is(s.err, verifier.ErrDeviceBound) {
			return nil
		}
		return s.register(s.pins[s.dev.Path])
	}
	return nil
}

// Views.

func (s *keysScreen) View() string {
	var b strings.Builder
	title := "Security keys"
	if s.phase != keysList && s.phase != keysListing && s.dev.Path != "" {
		title += " › " + s.deviceName(s.dev)
	}
	b.WriteString(s.st.Title.Render(clip(title, s.width-2)) + "\n")
	b.WriteString(s.wrap(s.st.Hint, fmt.Sprintf("Bind a security key as %s's MFA device at %s (vmfa verifier).", s.user, s.rp), s.width-2) + "\n\n")
	head := b.String()
	switch s.phase {
	case keysListing:
		b.WriteString(s.spin.View() + "looking for security keys…\n")
	case keysList:
		b.WriteString(s.listView())
	case keysTouch:
		b.WriteString(s.stepsView() + "\n\n" + s.touchView())
	case keysPIN:
		if s.op == opCreds || s.op == opDeleteCred {
			// Not part of the binding flow: no steps.
			b.WriteString(s.pinView())
			break
		}
		b.WriteString(s.stepsView() + "\n\n" + s.pinView())
	case keysConfirm:
		b.WriteString(s.stepsView() + "\n\n" + s.confirmView())
	case keysBinding:
		b.WriteString(s.stepsView() + "\n\n" + s.spin.View() + "the verifier is checking the registration…\n")
	case keysResult:
		b.WriteString(s.stepsView() + "\n\n" + s.resultView())
	case keysError:
		b.WriteString(s.errorView())
	case keysNewPIN:
		b.WriteString(s.pinFormView())
	case keysCreds:
		b.WriteString(s.credsView())
	case keysBusy:
		b.WriteString(s.spin.View() + s.busyText() + "\n")
	}
	if s.askUnbind {
		b.WriteString("\n" + s.wrap(s.st.FieldLabel, fmt.Sprintf("Unbind %s from %s? y/n", s.unbindName(), s.user), s.width-4) + "\n")
	}
	if s.fullHelp && s.phase != keysPIN {
		b.WriteString("\n" + s.helpView())
		if s.height > 0 && lipgloss.Height(strings.TrimSuffix(b.String(), "\n")) > s.height {
			// No room for both: the help replaces the screen until ? again.
			b.Reset()
			b.WriteString(head + s.helpView())
		}
	}
	return indent(s.squeeze(b.String()), 2)
}

// markOptional lets squeeze drop the lines of text on a short screen.
func (s *keysScreen) markOptional(text string) {
	if s.optional == nil {
		s.optional = map[string]bool{}
	}
	for _, l := range strings.Split(text, "\n") {
		if l != "" {
			s.optional[l] = true
		}
	}
}

// wrap renders text in style, wrapped to width cells (lines are never cut).
func (s *keysScreen) wrap(st lipgloss.Style, text string, width int) string {
	if ansi.StringWidth(text) <= width || width < 10 {
		return st.Render(clip(text, max(width, 1)))
	}
	lines := strings.Split(ansi.Wordwrap(text, width, ""), "\n")
	for i, l := range lines {
		lines[i] = st.Render(clip(strings.TrimRight(l, " "), width))
	}
	return strings.Join(lines, "\n")
}

// squeeze fits a view taller than the screen (a small terminal, wrapped
// lines): first the blank lines go, then the subtitle, so that the
// question or what to do at the bottom stays on the screen.
func (s *keysScreen) squeeze(v string) string {
	defer func() { s.optional = nil }()
	lines := strings.Split(strings.TrimSuffix(v, "\n"), "\n")
	if s.height <= 0 || len(lines) <= s.height {
		return v
	}
	out := lines[:1]
	sub := 0 // subtitle lines: those after the title up to the first blank one
	for sub+1 < len(lines) && strings.TrimSpace(ansi.Strip(lines[sub+1])) != "" {
		sub++
	}
	over := len(lines) - s.height
	for i, l := range lines[1:] {
		if over > 0 && strings.TrimSpace(ansi.Strip(l)) == "" {
			over--
			continue
		}
		out = append(out, lines[i+1])
	}
	if over > 0 && sub > 0 {
		out = append(out[:1], out[1+sub:]...)
		over -= sub
	}
	// Then the optional lines (the selected key's details), all of them.
	if over > 0 {
		kept := out[:0]
		for _, l := range out {
			if !s.optional[l] {
				kept = append(kept, l)
			}
		}
		out = kept
	}
	return strings.Join(out, "\n") + "\n"
}

func (s *keysScreen) deviceName(d KeyDevice) string {
	if d.Name != "" {
		return d.Name
	}
	return d.Path
}

func (s *keysScreen) listView() string {
	var b strings.Builder
	st := s.st
	if s.listErr != nil {
		b.WriteString(st.Warn.Render(clip("! "+oneLine(s.listErr.Error()), s.width-4)) + "\n\n")
	}
	if errors.Is(s.listErr, hwkey.ErrNoLibfido2) {
		b.WriteString(st.Hint.Render(keyTodo(s.listErr, KeyDevice{})) + "\n")
		return b.String()
	}
	if len(s.devs) == 0 {
		b.WriteString(st.Hint.Render("No security key found. Insert a U2F/FIDO2 key and press r.") + "\n")
		return b.String()
	}
	w := s.width - 4
	// cursor, gaps, type and PIN take 28 cells; the AAGUID 38 more.
	const fixed, aaguidW = 28, 38
	wide := w >= fixed+20+aaguidW
	// narrow: no TYPE column (the detail line names it) and a PIN column
	// just wide enough for "set (8 left)", so names are not cut.
	narrow := w < fixed+18
	nameW := max(12, min(34, w-fixed-7))
	pinW := 16
	if wide {
		nameW = min(34, w-fixed-aaguidW)
	}
	if narrow {
		pinW = 12
		nameW = max(8, w-2-2-pinW)
	}
	typeCol := func(t string) string {
		if narrow {
			return ""
		}
		return "  " + fit(t, 6)
	}
	head := "  " + fit("DEVICE", nameW) + typeCol("TYPE") + "  " + fit("PIN", pinW)
	if wide {
		head += "  AAGUID"
	}
	b.WriteString(st.Dim.Render(clip(head, w)) + "\n")
	for i, d := range s.devs {
		cur := "  "
		if i == s.cursor {
			cur = st.Cursor.Render("▸ ")
		}
		typ, pin, aaguid := "…", "…", ""
		if is, ok := s.infos[d.Path]; ok && !is.loading {
			if is.err != nil {
				typ, pin = "?", "no answer"
			} else {
				typ, pin, aaguid = is.info.Type, pinText(is.info), is.info.AAGUID
			}
		}
		bound := s.bound != nil && s.bound.Path == d.Path
		name := fit(s.deviceName(d), nameW)
		if narrow && bound {
			// No room after the PIN column: the mark goes in the name's.
			name = fit(s.deviceName(d), nameW-6) + st.Status.Render(" bound")
		}
		line := cur + name + typeCol(typ) + "  " + fit(pin, pinW)
		if wide {
			line += "  " + st.Dim.Render(orDash(aaguid))
		}
		if bound && !narrow {
			line += "  " + st.Status.Render("bound")
		}
		b.WriteString(clip(line, w) + "\n")
	}
	b.WriteString("\n")
	if d, ok := s.selected(); ok {
		detail := s.detail(d)
		if is, ok := s.infos[d.Path]; narrow && ok && !is.loading && is.err == nil && is.info.Type != "" {
			detail = is.info.Type + " · " + detail
		}
		if narrow {
			lines := s.wrap(st.Dim, detail, w)
			s.optional = map[string]bool{}
			for _, l := range strings.Split(lines, "\n") {
				s.optional[l] = true
			}
			b.WriteString(lines + "\n")
		} else {
			b.WriteString(st.Dim.Render(clip(detail, w)) + "\n")
		}
		if is := s.infos[d.Path]; is.err != nil {
			b.WriteString(s.wrap(st.Warn, "! "+oneLine(is.err.Error()), w) + "\n")
		}
	}
	b.WriteString("\n")
	touch := "virtual keys: you confirm each touch (t)"
	if s.autoTouch {
		touch = "virtual keys: touch automatically"
	}
	b.WriteString(s.wrap(st.Hint, touch+" · T to switch", w) + "\n")
	if s.notice != "" {
		b.WriteString(s.wrap(st.Status, "✓ "+s.notice, w) + "\n")
	}
	switch {
	case s.bound != nil && s.bound.Path == "":
		b.WriteString(s.wrap(st.Status, fmt.Sprintf("%s has a key bound (%s): select it and press a", s.user, shortID(s.binding.CredentialID)), w) + "\n")
	case s.bound != nil:
		b.WriteString(s.wrap(st.Status, fmt.Sprintf("%s is bound to %s: a authenticates, u unbinds", s.deviceName(*s.bound), s.user), w) + "\n")
	default:
		b.WriteString(s.wrap(st.Hint, "Choose the key you inserted and press enter to bind it.", w) + "\n")
	}
	return b.String()
}

func (s *keysScreen) detail(d KeyDevice) string {
	parts := []string{d.Path, fmt.Sprintf("%04x:%04x", d.VendorID, d.ProductID)}
	if d.Virtual {
		parts = append(parts, "virtual (kept in the vault)")
	}
	if is, ok := s.infos[d.Path]; ok && is.err == nil && !is.loading {
		if len(is.info.Versions) > 0 {
			parts = append(parts, strings.Join(is.info.Versions, ", "))
		}
		if len(is.info.Options) > 0 {
			parts = append(parts, "options "+strings.Join(is.info.Options, " "))
		}
	}
	return strings.Join(parts, " · ")
}

func pinText(i KeyInfo) string {
	if i.PIN == "set" && i.PINRetries >= 0 {
		return fmt.Sprintf("set (%d left)", i.PINRetries)
	}
	if i.PIN == "" {
		return "—"
	}
	return i.PIN
}

// stepsView is the console's progress line: insert → touch → confirm →
// bound (then authenticate). When it does not fit, only the current step
// is named.
func (s *keysScreen) stepsView() string {
	steps := []string{"Insert the key", "Touch it", "Confirm", "Bound"}
	cur := 1
	switch s.phase {
	case keysTouch, keysPIN:
		if s.op == opAuthenticate {
			steps = append(steps, "Authenticate")
			cur = 4
		}
	case keysConfirm, keysBinding:
		cur = 2
	case keysResult:
		cur = 3
		if s.bound != nil {
			steps = append(steps, "Authenticate")
			cur = 4
			if s.auth != nil {
				cur = 5
			}
		}
	}
	render := func(short bool) string {
		var parts []string
		for i, name := range steps {
			n := fmt.Sprintf("%d %s", i+1, name)
			if short && i != cur {
				n = fmt.Sprint(i + 1)
			}
			switch {
			case i < cur:
				parts = append(parts, s.st.Status.Render("✓ "+n))
			case i == cur && s.phase == keysResult && s.bindErr != nil:
				parts = append(parts, s.st.Error.Render("✗ "+n))
			case i == cur && s.phase == keysResult && s.bound != nil && i == 3:
				parts = append(parts, s.st.Status.Render("✓ "+n))
			case i == cur:
				parts = append(parts, s.st.Cursor.Render("● "+n))
			default:
				parts = append(parts, s.st.Dim.Render("○ "+n))
			}
		}
		return strings.Join(parts, s.st.Dim.Render(" → "))
	}
	line := render(false)
	if lipgloss.Width(line) > s.width-4 {
		line = render(true)
	}
	return clip(line, s.width-4)
}

func (s *keysScreen) touchView() string {
	var b strings.Builder
	st := s.st
	what := fmt.Sprintf("register %s at %s", s.user, s.rp)
	if s.op == opAuthenticate {
		what = fmt.Sprintf("sign in as %s at %s", s.user, s.rp)
	}
	b.WriteString(s.spin.View() + st.FieldLabel.Render("Touch your security key") + "\n\n")
	w := lipgloss.NewStyle().Width(max(20, min(s.width-6, 76)))
	switch {
	case s.dev.Virtual && s.autoTouch:
		b.WriteString(w.Render("The virtual key waits for a touch to "+what+"; it touches itself (auto-touch is on).") + "\n")
	case s.dev.Virtual && s.touched:
		b.WriteString(w.Render("Touched. Waiting for the virtual key to answer…") + "\n")
	case s.dev.Virtual:
		b.WriteString(w.Render("The virtual key waits for a touch to "+what+".") + "\n\n")
		b.WriteString(st.Cursor.Render("Press t to touch it.") + "\n")
	default:
		b.WriteString(w.Render("The key waits for a touch to "+what+". Touch its button or gold disc when it blinks.") + "\n")
	}
	left := max(0, s.deadline.Sub(s.now())+time.Second-1).Truncate(time.Second)
	b.WriteString("\n" + st.Hint.Render(fmt.Sprintf("vmfa gives up in %s; esc cancels.", left)) + "\n")
	return b.String()
}

func (s *keysScreen) pinView() string {
	var b strings.Builder
	st := s.st
	b.WriteString(st.FieldLabel.Render("The key asks for its PIN") + "\n\n")
	b.WriteString(s.wrap(st.Hint, "A wrong PIN uses up one of the key's attempts; too many block it.", s.width-6) + "\n\n")
	if s.notice != "" {
		b.WriteString(st.Status.Render(clip("✓ "+s.notice, s.width-6)) + "\n\n")
	}
	b.WriteString(fit(st.FieldLabel.Render("PIN"), 6) + s.pin.View() + "\n")
	if s.pinMsg != "" {
		b.WriteString("\n" + s.wrap(st.Error, s.pinMsg, s.width-6) + "\n")
	} else if is := s.infos[s.dev.Path]; is.err == nil && !is.loading && is.info.PINRetries >= 0 {
		b.WriteString("\n" + st.Hint.Render(fmt.Sprintf("%d attempts left.", is.info.PINRetries)) + "\n")
	}
	return b.String()
}

// field is one "label  value" line of the panels.
func (s *keysScreen) field(label, value string) string {
	return fit(s.st.FieldLabel.Render(label), 13) + clip(value, s.width-19) + "\n"
}

func (s *keysScreen) registrationFields(b *strings.Builder) {
	r := s.reg
	b.WriteString(s.field("Format", orDash(r.Format)))
	b.WriteString(s.field("AAGUID", orDash(r.AAGUID)))
	b.WriteString(s.field("Certificate", orDash(r.CertSubject)))
	b.WriteString(s.field("Credential", orDash(shortID(r.CredentialID))))
}

func (s *keysScreen) confirmView() string {
	var b strings.Builder
	st := s.st
	b.WriteString(st.Status.Render("✓ Touched: the key made a credential.") + "\n\n")
	s.registrationFields(&b)
	counter := s.field("Counter", fmt.Sprint(s.reg.Counter))
	// On a small screen the question matters more than these fields.
	s.optional = map[string]bool{strings.TrimSuffix(counter, "\n"): true}
	for _, l := range strings.Split(b.String(), "\n")[2:] {
		if l != "" {
			s.optional[l] = true
		}
	}
	b.WriteString(counter)
	b.WriteString("\n" + s.wrap(st.FieldLabel, fmt.Sprintf("Bind it as %s's MFA device at %s?", s.user, s.rp), s.width-6) + "\n")
	b.WriteString(s.wrap(st.Hint, "One MFA device per user. enter binds, esc discards.", s.width-6) + "\n")
	return b.String()
}

func (s *keysScreen) resultView() string {
	var b strings.Builder
	st := s.st
	if s.bindErr != nil {
		b.WriteString(s.wrap(st.Error, "✗ Not bound: the verifier refused the registration", s.width-4) + "\n\n")
	} else {
		b.WriteString(s.wrap(st.Status, fmt.Sprintf("✓ Bound: %s is %s's MFA device at %s", s.deviceName(s.dev), s.user, s.rp), s.width-4) + "\n\n")
	}
	if s.reg != nil {
		// On a small screen the outcome matters more than these fields.
		var f strings.Builder
		s.registrationFields(&f)
		s.markOptional(f.String())
		b.WriteString(f.String())
	}
	if s.bindErr != nil {
		wrap := lipgloss.NewStyle().Width(max(20, min(s.width-6, 76)))
		b.WriteString(s.field("Verified", st.Error.Render("✗ refused by the verifier")))
		// On a small screen what to do matters more than the error's text.
		e := wrap.Render(st.Dim.Render("error: ") + oneLine(s.bindErr.Error()))
		s.markOptional(e)
		b.WriteString("\n" + e + "\n")
		b.WriteString("\n" + wrap.Render(st.FieldLabel.Render("What to do: ")+keyTodo(s.bindErr, s.dev)) + "\n")
		return b.String()
	}
	b.WriteString(s.field("Verified", st.Status.Render("✓ by the verifier")))
	att := s.field("Attestation", attestationText(s.binding.Attestation))
	s.markOptional(att)
	b.WriteString(att)
	if s.auth != nil {
		b.WriteString(s.field("Counter", fmt.Sprintf("%d", s.auth.Counter)+st.Dim.Render(fmt.Sprintf(" (was %d)", s.prevCtr))))
		uv := ""
		if s.auth.UserVerified {
			uv = " · user verified"
		}
		b.WriteString("\n" + s.wrap(st.Status, "✓ Authenticated: the verifier accepted the key's signature"+uv, s.width-4) + "\n")
		b.WriteString(s.wrap(st.Hint, "Press a to sign in again: the counter must increase each time.", s.width-4) + "\n")
		return b.String()
	}
	b.WriteString(s.field("Counter", fmt.Sprint(s.binding.Counter)))
	b.WriteString("\n" + s.wrap(st.Hint, "Next: press a to authenticate with the key, as a console login would.", s.width-4) + "\n")
	return b.String()
}

// shortID abbreviates a long credential ID: its ends tell it apart.
func shortID(id string) string {
	if len(id) <= 27 {
		return id
	}
	return id[:12] + "…" + id[len(id)-12:]
}

func attestationText(a string) string {
	switch a {
	case "basic":
		return "basic: chains to a trusted root"
	case "basic-unverified":
		return "basic: not checked, no trusted root for this key"
	case "self":
		return "self (signed by the credential key)"
	case "none":
		return "none (the key gave none)"
	}
	return a
}

func (s *keysScreen) errorView() string {
	st := s.st
	title := "Could not " + map[keysOp]string{
		opList: "list the security keys", opRegister: "register the key", opBind: "bind the key",
		opAuthenticate: "authenticate with the key", opUnbind: "unbind the key",
		opPowerCycle: "power-cycle the key", opSetPIN: "set the key's pin",
		opCreds: "read the passkeys on the key", opDeleteCred: "delete the passkey",
	}[s.op]
	wrap := lipgloss.NewStyle().Width(max(20, min(s.width-6, 76)))
	var parts []string
	parts = append(parts, st.Error.Render(title), "")
	// On a small screen what to do matters more than the error's text.
	e := wrap.Render(st.Dim.Render("error: ") + oneLine(s.err.Error()))
	s.markOptional(e)
	parts = append(parts, e, "")
	todo := keyTodo(s.err, s.dev)
	if errors.Is(s.err, verifier.ErrDeviceBound) && s.bound != nil {
		todo = fmt.Sprintf("%s already has %s bound. Press u to unbind it (the lost-device path), then bind this key; or esc to go back.", s.user, s.deviceName(*s.bound))
	}
	if errors.Is(s.err, hwkey.ErrPINAuthBlocked) || errors.Is(s.err, hwkey.ErrPINBlocked) {
		if is := s.infos[s.dev.Path]; !is.loading && is.err == nil && is.info.PINRetries >= 0 {
			parts = append(parts, strings.TrimSuffix(s.field("PIN", fmt.Sprintf("%d attempts left", is.info.PINRetries)), "\n"), "")
		}
	}
	parts = append(parts, wrap.Render(st.FieldLabel.Render("What to do: ")+todo))
	return strings.Join(parts, "\n") + "\n"
}

// keyTodo says what to do about a security key or verifier error from
// the key dev.
func keyTodo(err error, dev KeyDevice) string {
	switch {
	case errors.Is(err, hwkey.ErrNoLibfido2):
		return "Use the standard build of vmfa (cgo and libfido2) for security keys; codes, scanning and the verifier work in this one."
	case errors.Is(err, hwkey.ErrTimeout):
		return "Press r and touch the key while vmfa waits (virtual keys: press t)."
	case errors.Is(err, hwkey.ErrCancelled):
		return "Press r to start again."
	case errors.Is(err, hwkey.ErrNoDevice), errors.Is(err, hwkey.ErrDeviceGone):
		return "Insert the key, press esc and r to list the keys again."
	case errors.Is(err, hwkey.ErrNotAccessible):
		return "Install the libfido2 udev rules (70-u2f.rules) or join the plugdev group, reinsert the key, then press r."
	case errors.Is(err, hwkey.ErrBusy):
		return "Touch or reinsert the key, then press r."
	case errors.Is(err, hwkey.ErrPINAuthBlocked) && dev.Virtual:
		return "Three wrong PINs in a row: the key refuses PINs until it is powered off and on. Press r to power-cycle the virtual key (as if reinserted), then type the right PIN."
	case errors.Is(err, hwkey.ErrPINAuthBlocked):
		return "Three wrong PINs in a row: the key refuses PINs until it is powered off and on. Remove and reinsert the key, press r, then type the right PIN."
	case errors.Is(err, hwkey.ErrPINBlocked) && dev.Virtual:
		return "No PIN attempts are left: reset the virtual key with 'vmfa key reset --virtual' (this erases its credentials and PIN), then press r."
	case errors.Is(err, hwkey.ErrPINBlocked):
		return "No PIN attempts are left: reset the key with 'vmfa key reset' (this erases its credentials and PIN), then press r."
	case errors.Is(err, hwkey.ErrPINNotSet):
		return "Set a PIN: esc, then p on the key (or 'vmfa key pin'), then press r."
	case errors.Is(err, hwkey.ErrExcluded), errors.Is(err, verifier.ErrCredentialExists):
		return "This key is already registered here: unbind it first (u), or use another key."
	case errors.Is(err, hwkey.ErrUnsupported):
		return "Use a FIDO2 key, or register without a PIN (U2F-only keys have none)."
	case errors.Is(err, hwkey.ErrDenied):
		return "The key refused: press r to try again, or use another key."
	case errors.Is(err, verifier.ErrDeviceBound):
		return "Unbind the user's current device first (u), then bind this key."
	case errors.Is(err, verifier.ErrUntrustedAttestation):
		return "The verifier does not trust this key's maker. Use a key whose attestation root it trusts; nothing was bound."
	case errors.Is(err, verifier.ErrNoDevice), errors.Is(err, verifier.ErrUnknownUser):
		return "Bind a key first (enter on the list)."
	case errors.Is(err, verifier.ErrCounterRegression):
		return "The key may be cloned: unbind it (u) and bind a new key."
	case errors.Is(err, hwkey.ErrDevice):
		return "Reinsert the key and press r."
	}
	return "Press r to try again, or esc to go back."
}

// openSecurityKeys shows the security keys screen, creating it (and its
// service) on first use, and lists the keys.
func (m *Model) openSecurityKeys() tea.Cmd {
	if m.cfg.SecurityKeys == nil {
		m.status = "security keys are not available here"
		return nil
	}
	if m.keys == nil {
		svc := m.cfg.SecurityKeys(m.store)
		if svc == nil {
			m.status = "security keys are not available here"
			return nil
		}
		m.keys = newKeysScreen(m.st, svc, m.cfg.KeyTimeout, m.clock)
	}
	m.status = ""
	m.setState(stateSecurityKeys, m.keys)
	return m.keys.start()
}
