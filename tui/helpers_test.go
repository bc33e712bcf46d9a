package tui

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/vault"
)

// viewText is the screen as text: the view without its escape
// sequences (colours, bold, reverse), as golden files hold it.
func viewText(m Model) string { return ansi.Strip(m.View().Content) }

// viewAscii is the screen as a terminal with the Ascii colour profile
// (NO_COLOR) gets it: no colours, but bold and reverse video kept.
func viewAscii(m Model) string {
	var b strings.Builder
	w := &colorprofile.Writer{Forward: &b, Profile: colorprofile.Ascii}
	_, _ = w.WriteString(m.View().Content)
	return b.String()
}

// fakeStore is an in-memory Store for fault injection and fast tests; the
// vault-backed path is covered by TestRealVault.
type fakeStore struct {
	mu    sync.Mutex
	accts []vault.Account
	fail  error // returned by every write when set
	now   func() time.Time
}

func newFakeStore(accts ...vault.Account) *fakeStore {
	s := &fakeStore{now: func() time.Time { return testTime }}
	for _, a := range accts {
		if err := a.Normalize(testTime); err != nil {
			panic(err)
		}
		s.accts = append(s.accts, a)
	}
	return s
}

func (s *fakeStore) Accounts() []vault.Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]vault.Account, len(s.accts))
	for i, a := range s.accts {
		out[i] = a.Clone()
	}
	vault.SortAccounts(out)
	return out
}

func (s *fakeStore) Add(accts ...vault.Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	for _, a := range accts {
		if err := a.Normalize(s.now()); err != nil {
			return err
		}
		for _, b := range s.accts {
			if a.SameCredential(&b) {
				return fmt.Errorf("%w: %s", vault.ErrDuplicate, a.Label())
			}
		}
		s.accts = append(s.accts, a)
	}
	return nil
}

func (s *fakeStore) find(id string) (*vault.Account, error) {
	for i := range s.accts {
		if s.accts[i].ID == id {
			return &s.accts[i], nil
		}
	}
	return nil, vault.ErrNotFound
}

func (s *fakeStore) AdvanceHOTP(id string, n uint64) (vault.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return vault.Account{}, s.fail
	}
	a, err := s.find(id)
	if err != nil {
		return vault.Account{}, err
	}
	a.Counter += n
	return a.Clone(), nil
}

func (s *fakeStore) Edit(id string, fn func(a *vault.Account) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	a, err := s.find(id)
	if err != nil {
		return err
	}
	c := a.Clone()
	if err := fn(&c); err != nil {
		return err
	}
	*a = c
	return nil
}

func (s *fakeStore) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	for i := range s.accts {
		if s.accts[i].ID == id {
			s.accts = append(s.accts[:i], s.accts[i+1:]...)
			return nil
		}
	}
	return vault.ErrNotFound
}

func (s *fakeStore) Reorder(ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, id := range ids {
		if a, err := s.find(id); err == nil {
			a.Order = i + 1
		}
	}
	return nil
}

// fakeClipboard records copies.
type fakeClipboard struct {
	mu     sync.Mutex
	copies []string
}

func (c *fakeClipboard) Copy(text string) clipboard.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.copies = append(c.copies, text)
	return clipboard.Result{Reached: []string{"the test clipboard"}}
}

// Clear records an empty copy, as if the clipboard still held text.
func (c *fakeClipboard) Clear(text string, _ clipboard.Result) clipboard.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.copies = append(c.copies, "")
	return clipboard.Result{Reached: []string{"the test clipboard"}}
}

func (c *fakeClipboard) last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.copies) == 0 {
		return ""
	}
	return c.copies[len(c.copies)-1]
}

// testTime is 17 s into a 30 s period (13 s left) and 17 s into a 60 s
// period (43 s left).
var testTime = time.Date(2026, 11, 22, 9, 30, 17, 0, time.UTC)

// RFC 6238 appendix B secret (SHA1), base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"

func mustSecret(s string) []byte {
	b, err := vault.ParseSecret(s)
	if err != nil {
		panic(err)
	}
	return b
}

func sampleAccounts() []vault.Account {
	return []vault.Account{
		{ID: "a1", Issuer: "GitHub", Name: "alice@example.com", Secret: mustSecret(rfcSecret), Tags: []string{"work", "ci"}},
		{ID: "a2", Issuer: "Alibaba Cloud", Name: "ram-tester@1234567890", Secret: mustSecret("JBSWY3DPEHPK3PXP")},
		{ID: "a3", Issuer: "Token", Name: "hardware", Secret: mustSecret("JBSWY3DPEHPK3PXPJBSWY3DP"), Period: 60, Digits: 8, Serial: "GAKT000123"},
		{ID: "a4", Issuer: "Bank", Name: "hotp", Type: vault.HOTP, Secret: mustSecret("GEZDGNBVGY3DQOJQ"), Counter: 4},
		{ID: "a5", Issuer: "AWS", Name: "root", Secret: mustSecret("MFRGGZDFMZTWQ2LK"), Favourite: true, Note: "break-glass account"},
	}
}

type testEnv struct {
	store *fakeStore
	clip  *fakeClipboard
	clock *testClock
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testConfig(store Store, env *testEnv) Config {
	return Config{
		Open:      func(func(bool) ([]byte, error)) (Store, error) { return store, nil },
		Now:       env.clock.Now,
		Clipboard: env.clip,
		Decoders:  testDecoders(),
	}
}

// newTestModel returns a model opened on a fake store holding accts, at
// width×height, with the tick disabled.
func newTestModel(t testing.TB, width, height int, accts ...vault.Account) (Model, *testEnv) {
	t.Helper()
	env := &testEnv{store: newFakeStore(accts...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	m := New(testConfig(env.store, env))
	m.tick = func(int) tea.Cmd { return nil }
	m = drive(t, m, tea.WindowSizeMsg{Width: width, Height: height})
	m = run(t, m, m.Init())
	if m.state != stateMain {
		t.Fatalf("state after open = %v, want main", m.state)
	}
	return m, env
}

// drive sends messages one by one, running every resulting command
// synchronously (tests disable the tick, which would block).
func drive(t testing.TB, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		nm, cmd := m.Update(msg)
		m = nm.(Model)
		m = run(t, m, cmd)
	}
	return m
}

func run(t testing.TB, m Model, cmd tea.Cmd) Model {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 1000 {
			t.Fatal("command loop")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			m.quitting = true
		default:
			nm, next := m.Update(msg)
			m = nm.(Model)
			queue = append(queue, next)
		}
	}
	return m
}

// keys turns a spec into key messages: named keys in angle brackets
// (<enter>, <esc>, <tab>, <up>, <down>, <space>, <ctrl+a>…), anything else
// typed rune by rune.
func keys(spec string) []tea.Msg {
	var out []tea.Msg
	for spec != "" {
		if strings.HasPrefix(spec, "<") {
			end := strings.Index(spec, ">")
			if end > 1 {
				out = append(out, namedKey(spec[1:end]))
				spec = spec[end+1:]
				continue
			}
		}
		r := []rune(spec)[0]
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
		spec = spec[len(string(r)):]
	}
	return out
}

func namedKey(name string) tea.KeyPressMsg {
	m := map[string]tea.KeyPressMsg{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "tab": {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift}, "up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown},
		"space": {Code: tea.KeySpace, Text: " "}, "backspace": {Code: tea.KeyBackspace},
		"ctrl+a": {Code: 'a', Mod: tea.ModCtrl}, "ctrl+c": {Code: 'c', Mod: tea.ModCtrl},
		"ctrl+o": {Code: 'o', Mod: tea.ModCtrl}, "ctrl+u": {Code: 'u', Mod: tea.ModCtrl},
		"ctrl+r": {Code: 'r', Mod: tea.ModCtrl}, "ctrl+v": {Code: 'v', Mod: tea.ModCtrl}, "ctrl+s": {Code: 's', Mod: tea.ModCtrl},
		"shift+up": {Code: tea.KeyUp, Mod: tea.ModShift}, "shift+down": {Code: tea.KeyDown, Mod: tea.ModShift},
		"pgdown": {Code: tea.KeyPgDown}, "pgup": {Code: tea.KeyPgUp},
	}
	k, ok := m[name]
	if !ok {
		panic("unknown key " + name)
	}
	if got := k.String(); got != name {
		panic("key " + name + " reads as " + got)
	}
	return k
}

func press(t testing.TB, m Model, spec string) Model {
	t.Helper()
	return drive(t, m, keys(spec)...)
}

var errTest = errors.New("disk full")

func testDecoders() Decoders { return Decoders{} }

func lipglossWidth(s string) int { return lipgloss.Width(s) }
