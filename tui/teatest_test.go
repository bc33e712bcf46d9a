package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/vmfa/vmfa/internal/tuitest"
	"github.com/vmfa/vmfa/vault"
)

// TestFlowAddFromQR runs the real program (real once-a-second tick) on an
// empty vault: add the RFC 6238 key from a QR image, check the code shown
// against RFC 6238 appendix B for the injected time, then let the clock
// cross the period boundary and check the next code is shown.
func TestFlowAddFromQR(t *testing.T) {
	env := &testEnv{store: newFakeStore(), clip: &fakeClipboard{}, clock: &testClock{t: time.Unix(1111111109, 0)}}
	cfg := testConfig(env.store, env)
	tm, waitFor := startFlow(t, New(cfg))

	waitFor("No accounts yet")
	tm.Type("ai")
	waitFor("Add from a QR image")
	tm.Type("testdata/qr-rfc6238.png")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("Found 1 account in qr-rfc6238.png")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	// RFC 6238 appendix B, SHA1: T=1111111109 → 07081804, and the next
	// step (T=1111111111) → 14050471, shown side by side.
	waitFor("0708 1804  → 1405 0471")

	// Cross the boundary; the next tick redraws with the new current code.
	env.clock.Add(2 * time.Second)
	waitFor("1405 0471  →")

	tm.Type("c")
	waitFor("copied RFC6238: sha1")
	if got := env.clip.last(); got != "14050471" {
		t.Errorf("copied %q, want 14050471", got)
	}
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestFlowDoneWhen is the acceptance path, keyboard only: add an
// account by hand, filter to it, copy its code, delete it.
func TestFlowDoneWhen(t *testing.T) {
	env := &testEnv{store: newFakeStore(sampleAccounts()...), clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	tm, waitFor := startFlow(t, New(testConfig(env.store, env)))
	waitFor("5 accounts")
	tm.Type("am")
	waitFor("Enter an account by hand")
	tm.Type("Corp")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type("dave")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type("JBSWY3DPEHPK3PXP")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("added Corp: dave")

	tm.Type("/corp")
	waitFor("1 of 6")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Type("c")
	waitFor("copied Corp: dave")
	dave, err := env.store.find(findID(t, env, "dave"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := env.clip.last(), dave.CodeAt(testTime); got != want {
		t.Errorf("copied %q, want %q", got, want)
	}
	tm.Type("d")
	waitFor("Delete Corp: dave?")
	tm.Type("y")
	waitFor("deleted Corp: dave")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if len(env.store.Accounts()) != 5 {
		t.Errorf("%d accounts left, want 5", len(env.store.Accounts()))
	}
}

// startFlow runs the real program at 80×24 (teatest/v2); waitFor blocks
// until a screen drawn since its last call shows what.
func startFlow(t *testing.T, m Model) (*teatest.TestModel, func(what string)) {
	t.Helper()
	var screens tuitest.Screens
	tm := teatest.NewTestModel(t, tuitest.Record(m, &screens), teatest.WithInitialTermSize(80, 24))
	return tm, func(what string) {
		t.Helper()
		screens.WaitFor(t, 10*time.Second, what)
	}
}

func findID(t *testing.T, env *testEnv, name string) string {
	t.Helper()
	for _, a := range env.store.Accounts() {
		if a.Name == name {
			return a.ID
		}
	}
	t.Fatalf("no account %q", name)
	return ""
}

// TestFlowImportEncryptedFile runs the real program: a then f, the path
// of an encrypted Aegis backup, its password on the masked field, the
// checkbox preview, enter: the account is added and its code shown.
func TestFlowImportEncryptedFile(t *testing.T) {
	rfc := vault.Account{Issuer: "RFC6238", Name: "sha1", Secret: []byte("12345678901234567890"), Type: vault.TOTP, Algorithm: "SHA1", Digits: 8, Period: 30}
	path := aegisBackup(t, "s3cret pass", rfc)
	env := &testEnv{store: newFakeStore(), clip: &fakeClipboard{}, clock: &testClock{t: time.Unix(1111111109, 0)}}
	tm, waitFor := startFlow(t, New(testConfig(env.store, env)))
	waitFor("No accounts yet")
	tm.Type("af")
	waitFor("file: ")
	tm.Type(path)
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("give its password")
	tm.Type("s3cret pass")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("Found 1 account in aegis-backup.json (aegis)")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("0708 1804")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
