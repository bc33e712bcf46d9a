package tui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/vmfa/vmfa/vault"
)

func selectedID(m Model) string {
	a, ok := m.main.selected()
	if !ok {
		return ""
	}
	return a.ID
}

func stored(t *testing.T, env *testEnv, id string) vault.Account {
	t.Helper()
	for _, a := range env.store.Accounts() {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("account %s not in the store", id)
	return vault.Account{}
}

func codeAt(t *testing.T, env *testEnv, id string, at time.Time) string {
	t.Helper()
	a := stored(t, env, id)
	return a.CodeAt(at)
}

// Display order of sampleAccounts: AWS (favourite), Alibaba Cloud, Bank,
// GitHub, Token.
func TestUpdateKeys(t *testing.T) {
	tests := []struct {
		name  string
		keys  string
		check func(t *testing.T, m Model, env *testEnv)
	}{
		{"starts on the first account", "", func(t *testing.T, m Model, env *testEnv) {
			if got := selectedID(m); got != "a5" {
				t.Errorf("selected %s, want a5 (the favourite, pinned on top)", got)
			}
		}},
		{"j moves down", "j", func(t *testing.T, m Model, env *testEnv) {
			if got := selectedID(m); got != "a2" {
				t.Errorf("selected %s, want a2", got)
			}
		}},
		{"arrows move and clamp", "<down><down><down><down><down><down><up>", func(t *testing.T, m Model, env *testEnv) {
			if got := selectedID(m); got != "a1" {
				t.Errorf("selected %s, want a1", got)
			}
		}},
		{"G and g jump", "Gk", func(t *testing.T, m Model, env *testEnv) {
			if got := selectedID(m); got != "a1" {
				t.Errorf("selected %s, want a1", got)
			}
		}},
		{"filter matches fuzzily", "/ghb", func(t *testing.T, m Model, env *testEnv) {
			if len(m.main.visible) != 1 || selectedID(m) != "a1" {
				t.Errorf("visible %v selected %s, want only GitHub", m.main.visible, selectedID(m))
			}
			if !m.main.editing {
				t.Error("filter input lost focus while typing")
			}
		}},
		{"filter matches tags", "/work<enter>", func(t *testing.T, m Model, env *testEnv) {
			if len(m.main.visible) != 1 || selectedID(m) != "a1" {
				t.Errorf("visible %v, want only the account tagged work", m.main.visible)
			}
			if m.main.editing {
				t.Error("enter should apply the filter and leave the input")
			}
		}},
		{"filter puts the best match first", "/cloud", func(t *testing.T, m Model, env *testEnv) {
			if selectedID(m) != "a2" {
				t.Errorf("selected %s, want Alibaba Cloud", selectedID(m))
			}
		}},
		{"filter matches serials", "/GAKT<enter>", func(t *testing.T, m Model, env *testEnv) {
			if selectedID(m) != "a3" || len(m.main.visible) != 1 {
				t.Errorf("visible %v, want the token with that serial", m.main.visible)
			}
		}},
		{"esc clears the filter", "/ghb<enter><esc>", func(t *testing.T, m Model, env *testEnv) {
			if len(m.main.visible) != 5 || m.main.filter.Value() != "" {
				t.Errorf("visible %d filter %q, want all and empty", len(m.main.visible), m.main.filter.Value())
			}
		}},
		{"keys typed in the filter are not commands", "/qd", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateMain || m.quitting || m.main.filter.Value() != "qd" {
				t.Errorf("state %v quitting %v filter %q", m.state, m.quitting, m.main.filter.Value())
			}
		}},
		{"c copies the current code", "c", func(t *testing.T, m Model, env *testEnv) {
			want := codeAt(t, env, "a5", testTime)
			if got := env.clip.last(); got != want {
				t.Errorf("copied %q, want %q", got, want)
			}
			if !strings.Contains(m.status, "copied AWS: root") {
				t.Errorf("status %q", m.status)
			}
		}},
		{"enter copies a TOTP code", "jjj<enter>", func(t *testing.T, m Model, env *testEnv) {
			if got, want := env.clip.last(), codeAt(t, env, "a1", testTime); got != want {
				t.Errorf("copied %q, want %q", got, want)
			}
		}},
		{"HOTP needs enter before a copy", "jjc", func(t *testing.T, m Model, env *testEnv) {
			if env.clip.last() != "" {
				t.Errorf("copied %q before any code was generated", env.clip.last())
			}
			if !strings.Contains(viewText(m), "press enter to generate") {
				t.Error("HOTP row does not say how to generate")
			}
		}},
		{"HOTP enter with the next code shown uses up both", "jj<enter>c", func(t *testing.T, m Model, env *testEnv) {
			a := stored(t, env, "a4")
			if a.Counter != 6 {
				t.Fatalf("stored counter %d, want 6 (codes 5 and 6 handed out)", a.Counter)
			}
			want, next := a.CodeAtStep(5), a.CodeAtStep(6)
			if got := env.clip.last(); got != want {
				t.Errorf("copied %q, want the first handed-out code %q", got, want)
			}
			if v := viewText(m); !strings.Contains(v, groupCode(want)) || !strings.Contains(v, groupCode(next)) {
				t.Errorf("view does not show %s → %s", groupCode(want), groupCode(next))
			}
		}},
		{"HOTP enter with the next code hidden uses one", "njj<enter>c", func(t *testing.T, m Model, env *testEnv) {
			a := stored(t, env, "a4")
			if a.Counter != 5 {
				t.Fatalf("stored counter %d, want 5", a.Counter)
			}
			if want := a.CodeAtStep(5); env.clip.last() != want {
				t.Errorf("copied %q, want the code at the saved counter %q", env.clip.last(), want)
			}
		}},
		{"d asks, naming the account", "jjjd", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateConfirm || !strings.Contains(viewText(m), "Delete GitHub: alice@example.com?") {
				t.Errorf("state %v view:\n%s", m.state, viewText(m))
			}
			if len(env.store.Accounts()) != 5 {
				t.Error("deleted before confirmation")
			}
		}},
		{"d then y deletes", "jjjdy", func(t *testing.T, m Model, env *testEnv) {
			for _, a := range env.store.Accounts() {
				if a.ID == "a1" {
					t.Fatal("account still stored")
				}
			}
			if m.state != stateMain || len(m.main.all) != 4 || !strings.Contains(m.status, "deleted GitHub") {
				t.Errorf("state %v accounts %d status %q", m.state, len(m.main.all), m.status)
			}
		}},
		{"d then n keeps it", "jjjdn", func(t *testing.T, m Model, env *testEnv) {
			if len(env.store.Accounts()) != 5 || m.state != stateMain {
				t.Error("cancel did not keep the account")
			}
		}},
		{"f pins on top", "jjjf", func(t *testing.T, m Model, env *testEnv) {
			if !stored(t, env, "a1").Favourite {
				t.Fatal("favourite not saved")
			}
			if m.main.all[1].ID != "a1" || selectedID(m) != "a1" {
				t.Errorf("order %v, want GitHub second (favourites first) and selected", ids(m.main.all))
			}
		}},
		{"J moves an account down and saves the order", "jJ", func(t *testing.T, m Model, env *testEnv) {
			if got := ids(m.main.all); strings.Join(got, ",") != "a5,a4,a2,a1,a3" {
				t.Errorf("order %v", got)
			}
			if selectedID(m) != "a2" {
				t.Errorf("selection did not follow the moved account: %s", selectedID(m))
			}
		}},
		{"K does not cross the favourites", "jK", func(t *testing.T, m Model, env *testEnv) {
			if got := ids(m.main.all); got[0] != "a5" {
				t.Errorf("order %v", got)
			}
		}},
		{"n hides the next code", "n", func(t *testing.T, m Model, env *testEnv) {
			if strings.Contains(viewText(m), "NEXT") {
				t.Error("next column still shown")
			}
		}},
		{"? shows the full help", "?", func(t *testing.T, m Model, env *testEnv) {
			if !strings.Contains(viewText(m), "reveal secret") {
				t.Error("full help missing")
			}
		}},
		{"o sets a clock offset", "o+30<enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.offset != 30*time.Second || !strings.Contains(viewText(m), "clock +30s") {
				t.Fatalf("offset %v", m.offset)
			}
			want := groupCode(codeAt(t, env, "a5", testTime.Add(30*time.Second)))
			if !strings.Contains(viewText(m), want) {
				t.Errorf("view does not show the code 30 s ahead (%s)", want)
			}
		}},
		{"o rejects nonsense", "oabc<enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateOffset || !strings.Contains(viewText(m), "not a number of seconds") {
				t.Errorf("state %v", m.state)
			}
		}},
		{"e renames and tags", "jjje<ctrl+u>bob<tab><ctrl+u>ops, prod<enter>", func(t *testing.T, m Model, env *testEnv) {
			a := stored(t, env, "a1")
			if a.Name != "bob" || strings.Join(a.Tags, ",") != "ops,prod" {
				t.Errorf("stored name %q tags %v", a.Name, a.Tags)
			}
			if m.state != stateMain {
				t.Errorf("state %v", m.state)
			}
		}},
		{"e refuses an empty name", "jjje<ctrl+u><shift+tab><ctrl+u><enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateEdit || !strings.Contains(viewText(m), vault.ErrNoName.Error()) {
				t.Errorf("state %v view:\n%s", m.state, viewText(m))
			}
		}},
		{"S reveals the secret after confirmation", "jjjSy", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateShow || !strings.Contains(viewText(m), groupSecret(rfcSecret)) {
				t.Errorf("state %v view:\n%s", m.state, viewText(m))
			}
		}},
		{"S without y reveals nothing", "jjjS<esc>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateMain || strings.Contains(viewText(m), groupSecret(rfcSecret)) {
				t.Errorf("state %v", m.state)
			}
		}},
		{"q quits", "q", func(t *testing.T, m Model, env *testEnv) {
			if !m.quitting {
				t.Error("did not quit")
			}
		}},
		{"ctrl+c quits from any screen", "am<ctrl+c>", func(t *testing.T, m Model, env *testEnv) {
			if !m.quitting {
				t.Error("did not quit")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, env := newTestModel(t, 80, 24, sampleAccounts()...)
			m = press(t, m, tt.keys)
			tt.check(t, m, env)
		})
	}
}

func ids(as []vault.Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func TestAddFlows(t *testing.T) {
	const uri = "otpauth://totp/ACME:carol@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME&period=60"
	tests := []struct {
		name  string
		keys  string
		check func(t *testing.T, m Model, env *testEnv)
	}{
		{"URI: decoded, confirmed, selected", "au" + uri + "<enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateImport || !strings.Contains(viewText(m), "carol@example.com") || !strings.Contains(viewText(m), "[x]") {
				t.Fatalf("state %v view:\n%s", m.state, viewText(m))
			}
			m = press(t, m, "<enter>")
			a, ok := m.main.selected()
			if m.state != stateMain || !ok || a.Issuer != "ACME" || a.Period != 60 {
				t.Fatalf("state %v selected %+v", m.state, a)
			}
			c := a.CodesAt(testTime)
			if v := viewText(m); !strings.Contains(v, groupCode(c.Current)) || !strings.Contains(v, groupCode(c.Next)) {
				t.Errorf("current and next code of the new account not in view:\n%s", v)
			}
		}},
		{"URI: the parser's error inline", "auhttp://example.com<enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateAddURI || !strings.Contains(viewText(m), "otpauth") {
				t.Errorf("state %v view:\n%s", m.state, viewText(m))
			}
		}},
		{"URI: a duplicate is unchecked", "au" + "otpauth://totp/GitHub:alice@example.com?secret=" + rfcSecret + "<enter>", func(t *testing.T, m Model, env *testEnv) {
			if !strings.Contains(viewText(m), "already in the vault") || !strings.Contains(viewText(m), "[ ]") {
				t.Fatalf("view:\n%s", viewText(m))
			}
			m = press(t, m, "<enter>")
			if m.state != stateImport || !strings.Contains(viewText(m), "nothing is checked") {
				t.Errorf("state %v", m.state)
			}
		}},
		{"manual: account and key", "amCorp<tab>dave<tab>jbsw y3dp ehpk 3pxp<enter>", func(t *testing.T, m Model, env *testEnv) {
			a, _ := m.main.selected()
			if m.state != stateMain || a.Issuer != "Corp" || a.Name != "dave" || vault.EncodeSecret(a.Secret) != "JBSWY3DPEHPK3PXP" {
				t.Fatalf("state %v selected %+v", m.state, a)
			}
			if len(env.store.Accounts()) != 6 {
				t.Error("not stored")
			}
		}},
		{"manual: secret masked while typed", "am<tab><tab>JBSWY3DP", func(t *testing.T, m Model, env *testEnv) {
			if strings.Contains(viewText(m), "JBSWY3DP") || !strings.Contains(viewText(m), "••••••••") {
				t.Errorf("secret not masked:\n%s", viewText(m))
			}
		}},
		{"manual: base32 rule from vault", "amCorp<tab>dave<tab>abc1<enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateAddManual || !strings.Contains(viewText(m), "not valid base32") {
				t.Errorf("state %v view:\n%s", m.state, viewText(m))
			}
		}},
		{"manual: short secret rule from vault", "amCorp<tab>dave<tab>JBSWY3DP<enter>", func(t *testing.T, m Model, env *testEnv) {
			if !strings.Contains(viewText(m), vault.ErrSecretTooShort.Error()) {
				t.Errorf("view:\n%s", viewText(m))
			}
		}},
		{"manual: advanced digits rule from vault", "am<ctrl+a>Corp<tab>dave<tab>JBSWY3DPEHPK3PXP<tab><tab><tab>9<enter><enter><enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateAddManual || !strings.Contains(viewText(m), "digits must be between 6 and 8") {
				t.Errorf("state %v view:\n%s", m.state, viewText(m))
			}
		}},
		{"manual: HOTP by hand", "am<ctrl+a>Corp<tab>hw<tab>JBSWY3DPEHPK3PXP<tab>hotp<tab>sha256<tab>8<tab><tab>7<enter>", func(t *testing.T, m Model, env *testEnv) {
			a, _ := m.main.selected()
			if m.state != stateMain || a.Type != vault.HOTP || a.Algorithm != vault.SHA256 || a.Digits != 8 || a.Counter != 7 {
				t.Errorf("state %v selected %+v", m.state, a)
			}
		}},
		{"manual: name required", "am<tab><tab>JBSWY3DPEHPK3PXP<enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateAddManual || !strings.Contains(viewText(m), "type an account name or an issuer") {
				t.Errorf("state %v view:\n%s", m.state, viewText(m))
			}
		}},
		{"esc leaves every add screen", "au<esc>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateMain {
				t.Errorf("state %v", m.state)
			}
		}},
		{"QR: a missing file is an inline error", "aitestdata/nope.png<enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateAddQR || !strings.Contains(viewText(m), "nope.png") {
				t.Errorf("state %v view:\n%s", m.state, viewText(m))
			}
		}},
		{"QR: tab completes the path", "aitestdata/qr-git<tab>", func(t *testing.T, m Model, env *testEnv) {
			if got := m.sub.(*qrScreen).input.Value(); got != "testdata/qr-github.png" {
				t.Errorf("completed to %q", got)
			}
		}},
		{"QR: decoded, confirmed, selected", "aitestdata/qr-github.png<enter>", func(t *testing.T, m Model, env *testEnv) {
			if m.state != stateImport || !strings.Contains(viewText(m), "Found 1 account in qr-github.png") || !strings.Contains(viewText(m), "octocat") {
				t.Fatalf("state %v view:\n%s", m.state, viewText(m))
			}
			m = press(t, m, "<enter>")
			a, _ := m.main.selected()
			if m.state != stateMain || a.Name != "octocat" || vault.EncodeSecret(a.Secret) != rfcSecret {
				t.Errorf("state %v selected %+v", m.state, a)
			}
		}},
		{"QR: a migration batch with checkboxes", "aitestdata/qr-migration.png<enter>", func(t *testing.T, m Model, env *testEnv) {
			v := viewText(m)
			if m.state != stateImport || !strings.Contains(v, "one@example.com") || !strings.Contains(v, "two@example.com") || !strings.Contains(v, "HOTP") {
				t.Fatalf("state %v view:\n%s", m.state, v)
			}
			m = press(t, m, "<space><enter>")
			names := map[string]bool{}
			for _, a := range env.store.Accounts() {
				names[a.Name] = true
			}
			if names["one@example.com"] || !names["two@example.com"] {
				t.Errorf("stored %v, want only the checked account", names)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, env := newTestModel(t, 80, 24, sampleAccounts()...)
			m = press(t, m, tt.keys)
			tt.check(t, m, env)
		})
	}
}

func TestStoreFailureIsAScreen(t *testing.T) {
	m, env := newTestModel(t, 80, 24, sampleAccounts()...)
	env.store.fail = errTest
	m = press(t, m, "f")
	if m.state != stateError || !strings.Contains(viewText(m), "disk full") || !strings.Contains(viewText(m), "Could not save the account") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	m = press(t, m, "<esc>")
	if m.state != stateMain {
		t.Errorf("esc did not go back: %v", m.state)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantState state
		want      string
	}{
		{"no secret service", errors.Join(vault.ErrKeyringUnavailable, errors.New("dbus: no such name")), stateFatal, "No keyring available"},
		{"locked keyring", vault.ErrKeyringTimeout, stateFatal, "Unlock your keyring"},
		{"key missing", vault.ErrKeyMissing, stateFatal, "missing from the keyring"},
		{"corrupt vault", vault.ErrCorrupt, stateFatal, "damaged"},
		{"not a vault", fmt.Errorf("/etc/passwd is %w", vault.ErrNotVault), stateFatal, "This file is not a vmfa vault"},
		{"wrong passphrase", vault.ErrWrongPassphrase, statePassphrase, "wrong passphrase, try again"},
		{"unknown", errTest, stateFatal, "disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
			cfg := testConfig(nil, env)
			calls := 0
			cfg.Open = func(func(bool) ([]byte, error)) (Store, error) { calls++; return nil, tt.err }
			m := New(cfg)
			m.tick = func(int) tea.Cmd { return nil }
			m = run(t, m, m.Init())
			if m.state != tt.wantState || !strings.Contains(viewText(m), tt.want) {
				t.Fatalf("state %v view:\n%s", m.state, viewText(m))
			}
			if tt.wantState == stateFatal {
				m = press(t, m, "r")
				if calls != 2 {
					t.Errorf("r did not retry (calls %d)", calls)
				}
				m = press(t, m, "q")
				if !m.quitting {
					t.Error("q did not quit")
				}
			}
		})
	}
}

func TestOpenTimeout(t *testing.T) {
	env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	cfg := testConfig(nil, env)
	block := make(chan struct{})
	defer close(block)
	cfg.Open = func(func(bool) ([]byte, error)) (Store, error) { <-block; return nil, nil }
	cfg.OpenTimeout = 20 * time.Millisecond
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = run(t, m, m.Init())
	if m.state != stateFatal || !strings.Contains(viewText(m), "The keyring did not answer") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
}

func TestPassphraseScreen(t *testing.T) {
	env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	store := newFakeStore(sampleAccounts()...)
	cfg := testConfig(nil, env)
	var got []string
	cfg.Open = func(pass func(bool) ([]byte, error)) (Store, error) {
		p, err := pass(false)
		if err != nil {
			return nil, err
		}
		got = append(got, string(p))
		if string(p) != "correct horse" {
			return nil, vault.ErrWrongPassphrase
		}
		return store, nil
	}
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = run(t, m, m.Init())
	if m.state != statePassphrase {
		t.Fatalf("state %v, want the passphrase screen", m.state)
	}
	m = press(t, m, "battery<enter>")
	if m.state != statePassphrase || !strings.Contains(viewText(m), "wrong passphrase") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	if strings.Contains(viewText(m), "battery") {
		t.Error("passphrase echoed")
	}
	m = press(t, m, "correct horse<enter>")
	if m.state != stateMain || len(m.main.all) != 5 {
		t.Fatalf("state %v", m.state)
	}
	if strings.Join(got, "|") != "battery|correct horse" {
		t.Errorf("opener got %q", got)
	}
}

func TestPassphraseCreateConfirms(t *testing.T) {
	env := &testEnv{clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	cfg := testConfig(nil, env)
	var created string
	cfg.Open = func(pass func(bool) ([]byte, error)) (Store, error) {
		p, err := pass(true)
		if err != nil {
			return nil, err
		}
		created = string(p)
		return newFakeStore(), nil
	}
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = run(t, m, m.Init())
	m = press(t, m, "one<enter>two<enter>")
	if m.state != statePassphrase || !strings.Contains(viewText(m), "do not match") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	m = press(t, m, "same<enter>same<enter>")
	if m.state != stateMain || created != "same" {
		t.Fatalf("state %v created %q", m.state, created)
	}
	if !strings.Contains(viewText(m), "No accounts yet") {
		t.Errorf("empty vault view:\n%s", viewText(m))
	}
}

func TestTickGuard(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	var armed []int
	m.tick = func(tag int) tea.Cmd { armed = append(armed, tag); return nil }
	nm, _ := m.Update(tickMsg{tag: m.tickTag})
	m = nm.(Model)
	nm, _ = m.Update(tickMsg{tag: m.tickTag + 7}) // a stale loop
	m = nm.(Model)
	if len(armed) != 1 {
		t.Errorf("re-armed %d times, want once (stale ticks must die)", len(armed))
	}
}

func TestCodesRollOverOnTheBoundary(t *testing.T) {
	m, env := newTestModel(t, 80, 24, sampleAccounts()...)
	a := stored(t, env, "a1")
	// One second before the boundary: the old code, expiring.
	env.clock.t = time.Unix((testTime.Unix()/30+1)*30-1, 0)
	m = drive(t, m, tickMsg{tag: m.tickTag})
	old := a.CodesAt(env.clock.t)
	if v := viewText(m); !strings.Contains(v, groupCode(old.Current)+"    →") || !strings.Contains(v, " 1s") {
		t.Fatalf("before the boundary:\n%s", v)
	}
	// Exactly on the boundary: the next code is now current.
	env.clock.t = env.clock.t.Add(time.Second)
	m = drive(t, m, tickMsg{tag: m.tickTag})
	if v := viewText(m); !strings.Contains(v, groupCode(old.Next)+"    →") || !strings.Contains(v, "30s") {
		t.Fatalf("on the boundary the next code %s should be current:\n%s", old.Next, v)
	}
}

func TestClipboardAutoClear(t *testing.T) {
	env := &testEnv{store: newFakeStore(sampleAccounts()...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	cfg := testConfig(env.store, env)
	cfg.ClearClipboard = time.Millisecond
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = run(t, m, m.Init())
	m = press(t, m, "c")
	if len(env.clip.copies) != 2 || env.clip.copies[1] != "" || m.status != "cleared the code from the test clipboard" {
		t.Errorf("copies %q status %q", env.clip.copies, m.status)
	}
}

func TestResizeReflows(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	for _, size := range [][2]int{{120, 40}, {60, 15}, {20, 5}, {80, 24}} {
		m = drive(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		v := viewText(m)
		lines := strings.Split(v, "\n")
		if len(lines) > size[1] {
			t.Errorf("%dx%d: %d lines", size[0], size[1], len(lines))
		}
		for _, l := range lines {
			if w := lipglossWidth(l); w > size[0] {
				t.Errorf("%dx%d: line wider than the terminal (%d): %q", size[0], size[1], w, l)
			}
		}
	}
}

func TestFileBrowser(t *testing.T) {
	m, env := newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "aitestdata/<ctrl+o>")
	q := m.sub.(*qrScreen)
	if !q.browsing || !strings.HasSuffix(q.picker.CurrentDirectory, "testdata") {
		t.Fatalf("browsing %v in %q", q.browsing, q.picker.CurrentDirectory)
	}
	if v := viewText(m); !strings.Contains(v, "qr-github.png") || !strings.Contains(v, "TestGolden") {
		t.Fatalf("picker view:\n%s", v)
	}
	// Directories come first; the last entry is qr-rfc6238.png.
	m = press(t, m, "G<enter>")
	if m.state != stateImport || !strings.Contains(viewText(m), "RFC6238") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	m = press(t, m, "<enter>")
	if a, _ := m.main.selected(); a.Issuer != "RFC6238" || len(env.store.Accounts()) != 6 {
		t.Errorf("selected %+v", a)
	}
}

func TestShowQR(t *testing.T) {
	m, _ := newTestModel(t, 120, 60, sampleAccounts()...)
	m = press(t, m, "Q")
	if m.state != stateConfirm || !strings.Contains(viewText(m), "Show the QR code of AWS: root?") {
		t.Fatalf("state %v view:\n%s", m.state, viewText(m))
	}
	m = press(t, m, "y")
	// 120×60 holds the doubled drawing (two columns, one line a module).
	if v := viewText(m); m.state != stateShow || strings.ContainsAny(v, "▀▄") || !strings.Contains(v, "████") || !strings.Contains(v, "scan with another authenticator") {
		t.Fatalf("state %v view:\n%s", m.state, v)
	}
	// 80×30 takes the half-block one.
	m = drive(t, m, tea.WindowSizeMsg{Width: 80, Height: 30})
	if v := viewText(m); !strings.Contains(v, "▀") || !strings.Contains(v, "scan with another authenticator") {
		t.Fatalf("80×30 view:\n%s", v)
	}
	m = drive(t, m, tea.WindowSizeMsg{Width: 30, Height: 12})
	if v := flat(viewText(m)); !strings.Contains(v, "too small") || !strings.Contains(v, "It needs 43×22 (this one is 30×12)") {
		t.Errorf("small terminal view:\n%s", v)
	}
	m = press(t, m, "<esc>")
	if m.state != stateMain {
		t.Errorf("state %v", m.state)
	}
}

// TestFastTyping: runes read in one go arrive as one message; each must
// act as its own key.
func TestFastTyping(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyExtended, Text: "/git"})
	if !m.main.editing || m.main.filter.Value() != "git" || selectedID(m) != "a1" {
		t.Errorf("editing %v filter %q selected %s", m.main.editing, m.main.filter.Value(), selectedID(m))
	}
	// A bracketed paste stays one piece of text: Bubble Tea v2 sends it
	// as a PasteMsg, which the focused field takes whole.
	m, _ = newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "au")
	m = drive(t, m, tea.PasteMsg{Content: "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP"})
	if got := m.sub.(*uriScreen).input.Value(); got != "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP" {
		t.Errorf("pasted %q", got)
	}
}

func TestAddShowsNextCode(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "n") // hide the next code
	m = press(t, m, "amCorp<tab>dave<tab>JBSWY3DPEHPK3PXP<enter>")
	a, _ := m.main.selected()
	if c := a.CodesAt(testTime); !strings.Contains(viewText(m), groupCode(c.Next)) {
		t.Errorf("next code %s of the new account not in view:\n%s", c.Next, viewText(m))
	}
}

func TestSteamRow(t *testing.T) {
	steam := vault.Account{ID: "s1", Type: vault.Steam, Issuer: "Steam", Name: "gamer", Secret: mustSecret("JBSWY3DPEHPK3PXP")}
	m, env := newTestModel(t, 80, 24, steam)
	a := stored(t, env, "s1")
	c := a.CodesAt(testTime)
	if len(c.Current) != 5 || !strings.Contains(viewText(m), c.Current+"    → "+c.Next) {
		t.Errorf("steam codes %+v not shown whole:\n%s", c, viewText(m))
	}
	if !strings.Contains(viewText(m), "STEAM · 30s") {
		t.Errorf("detail line:\n%s", viewText(m))
	}
}

func TestStatusFades(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "f") // unpins AWS: root
	for i := 0; i < statusTicks; i++ {
		if m.status == "" {
			t.Fatalf("status gone after %d ticks", i)
		}
		m = drive(t, m, tickMsg{tag: m.tickTag})
	}
	if m.status != "" {
		t.Errorf("status %q still shown after %d ticks", m.status, statusTicks)
	}
}

// TestCopyStatusCountsDown: a copy's status says where the code went and
// counts down its validity while it lasts, then says it expired and
// fades; y copies the next code and says when it becomes valid.
func TestCopyStatusCountsDown(t *testing.T) {
	m, env := newTestModel(t, 100, 24, sampleAccounts()...)
	m = press(t, m, "c") // AWS: root, 13 s left at testTime
	status := func() string { return strings.TrimSpace(ansi.Strip(m.statusView())) }
	if got := status(); got != "copied AWS: root (valid 13s more) to the test clipboard" {
		t.Fatalf("status %q", got)
	}
	for i := 0; i < 13; i++ {
		env.clock.Add(time.Second)
		m = drive(t, m, tickMsg{tag: m.tickTag})
		if i == 4 && status() != "copied AWS: root (valid 8s more) to the test clipboard" {
			t.Errorf("5 s later: %q", status())
		}
	}
	if got := status(); got != "copied AWS: root (expired) to the test clipboard" {
		t.Errorf("at expiry: %q", got)
	}
	for i := 0; i < statusTicks; i++ {
		env.clock.Add(time.Second)
		m = drive(t, m, tickMsg{tag: m.tickTag})
	}
	if m.status != "" {
		t.Errorf("status %q still shown %d ticks after the code expired", m.status, statusTicks)
	}

	m = press(t, m, "y")
	a := stored(t, env, "a5")
	codes := a.CodesAt(env.clock.Now())
	if got := env.clip.last(); got != codes.Next {
		t.Errorf("y copied %q, want the next code %q", got, codes.Next)
	}
	want := fmt.Sprintf("copied the next code of AWS: root (valid in %ds, for 30s) to the test clipboard", secondsLeft(codes.Left))
	if got := status(); got != want {
		t.Errorf("status %q\nwant   %q", got, want)
	}
	m = press(t, m, "C")
	if env.clip.last() != codes.Next {
		t.Errorf("C copied %q", env.clip.last())
	}
}

func TestHelpFollowsSelection(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	if v := viewText(m); !strings.Contains(v, "enter/c copy") {
		t.Errorf("TOTP help:\n%s", v)
	}
	m = press(t, m, "jj") // Bank, HOTP
	if v := viewText(m); !strings.Contains(v, "enter generate • c copy") {
		t.Errorf("HOTP help:\n%s", v)
	}
}

func TestScrollPosition(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, manyAccounts(100)...)
	m = press(t, m, "G")
	last, _ := m.main.selected()
	if v := viewText(m); !strings.Contains(v, "100/100") || !strings.Contains(v, "▸   "+last.Issuer+" "+last.Name) {
		t.Errorf("last account not in view:\n%s", v)
	}
	m = press(t, m, "<pgup>")
	if !strings.Contains(viewText(m), "/100") || strings.Contains(viewText(m), last.Name) {
		t.Errorf("page up:\n%s", viewText(m))
	}
}

func TestTimeOffsetFlag(t *testing.T) {
	env := &testEnv{store: newFakeStore(sampleAccounts()...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	cfg := testConfig(env.store, env)
	cfg.TimeOffset = -90*time.Second + 400*time.Millisecond // rounds to -90s
	m := New(cfg)
	m.tick = func(int) tea.Cmd { return nil }
	m = run(t, m, m.Init())
	v := viewText(m)
	want := groupCode(codeAt(t, env, "a5", testTime.Add(-90*time.Second)))
	if !strings.Contains(v, "clock -1m30s") || !strings.Contains(v, want) {
		t.Errorf("want clock -1m30s and code %s:\n%s", want, v)
	}
}

func TestSelectionAfterChanges(t *testing.T) {
	// Deleting keeps the cursor in place rather than jumping to the top.
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "jjjdy") // delete GitHub (4th)
	if got := selectedID(m); got != "a3" {
		t.Errorf("after delete selected %s, want the next one (a3)", got)
	}
	// Editing under a filter keeps the filter.
	m, _ = newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "/git<enter>e<tab><tab><ctrl+u>ops<enter>")
	if m.main.filter.Value() != "git" || selectedID(m) != "a1" {
		t.Errorf("filter %q selected %s", m.main.filter.Value(), selectedID(m))
	}
	// Adding under a filter that hides the new account drops the filter.
	m = press(t, m, "amCorp<tab>dave<tab>JBSWY3DPEHPK3PXP<enter>")
	if a, _ := m.main.selected(); m.main.filter.Value() != "" || a.Name != "dave" {
		t.Errorf("filter %q selected %+v", m.main.filter.Value(), a)
	}
}

// TestShowQRSmallTerminal: the QR screen uses the whole terminal and a
// narrower quiet zone, so a short URI's code fits 80×24; a longer one
// says what size it needs and points at S.
func TestShowQRSmallTerminal(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "Qy") // AWS: root, a 92-byte URI
	v := viewText(m)
	if strings.Contains(v, "too small") || strings.Count(v, "\n") != 23 || strings.Contains(v, "vmfa ·") {
		t.Fatalf("AWS at 80×24:\n%s", v)
	}
	m = press(t, m, "<esc>jjjQy") // GitHub, a 127-byte URI
	if v := viewText(m); !strings.Contains(v, "too small") || !strings.Contains(v, "use S to reveal") {
		t.Fatalf("GitHub at 80×24:\n%s", v)
	}
}

// TestEventLog: VMFA_TUI_LOG's log has the TUI's events (screens, vault
// changes, copies) and never a secret or a code.
func TestEventLog(t *testing.T) {
	var buf bytes.Buffer
	log.SetOutput(&buf)
	t.Cleanup(func() { log.SetOutput(io.Discard) })
	m, env := newTestModel(t, 80, 24, sampleAccounts()...)
	m = press(t, m, "amCorp<tab>dave<tab>JBSWY3DPEHPK3PXP<enter>")
	m = press(t, m, "c")
	m = press(t, m, "gjj<enter>") // generate an HOTP code (Bank: hotp)
	_ = m
	got := buf.String()
	for _, want := range []string{"vault opened: 5 accounts", "screen add-menu", "screen add-manual", "vault changed: added Corp: dave", "copy: reached", "hotp: Bank: hotp advanced"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	secrets := []string{"JBSWY3DPEHPK3PXP", "JBSW", env.clip.copies[0]}
	for _, a := range env.store.Accounts() {
		secrets = append(secrets, vault.EncodeSecret(a.Secret), a.CodeAt(testTime))
	}
	for _, s := range secrets {
		if strings.Contains(got, s) {
			t.Errorf("log holds %q:\n%s", s, got)
		}
	}
}
