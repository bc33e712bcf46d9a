package tui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// aegisBackup writes an encrypted Aegis vault of accts with password in
// a temporary directory and returns its path.
func aegisBackup(t *testing.T, password string, accts ...vault.Account) string {
	t.Helper()
	var b bytes.Buffer
	if err := scanner.WriteAegisEncrypted(&b, accts, []byte(password)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "aegis-backup.json")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImportFileEncrypted: a then f imports an encrypted Aegis backup:
// the scanner's words ask for the password on a masked field, a wrong one
// is said and asked again, the right one lists the accounts with
// checkboxes (the one already in the vault unchecked), and enter adds
// the checked ones.
func TestImportFileEncrypted(t *testing.T) {
	sample := sampleAccounts()
	fresh := vault.Account{Issuer: "Forgejo", Name: "erin", Secret: []byte("12345678901234567890"), Type: vault.TOTP, Algorithm: "SHA1", Digits: 6, Period: 30}
	path := aegisBackup(t, "correct horse", sample[0], fresh)
	m, env := newTestModel(t, 80, 24, sample...)
	m = press(t, m, "af")
	if m.state != stateAddFile || !strings.Contains(viewText(m), "Import a file") {
		t.Fatalf("a f: state %v\n%s", m.state, viewText(m))
	}
	m = press(t, m, path+"<enter>")
	v := viewText(m)
	if !strings.Contains(v, "this is an encrypted Aegis vault: give its password") || !strings.Contains(v, "password:") {
		t.Fatalf("no password asked:\n%s", v)
	}
	m = press(t, m, "wrong one<enter>")
	v = viewText(m)
	if !strings.Contains(v, "wrong password for this encrypted Aegis vault") || strings.Contains(v, "wrong one") {
		t.Fatalf("wrong password (or shown in clear):\n%s", v)
	}
	m = press(t, m, "correct horse")
	if v := viewText(m); strings.Contains(v, "correct horse") || !strings.Contains(v, "•••••") {
		t.Fatalf("the password is not masked:\n%s", v)
	}
	m = press(t, m, "<enter>")
	v = viewText(m)
	if m.state != stateImport || !strings.Contains(v, "aegis-backup.json (aegis)") || !strings.Contains(v, "Forgejo") {
		t.Fatalf("no preview: state %v\n%s", m.state, v)
	}
	n := len(env.store.Accounts())
	m = press(t, m, "<enter>")
	if got := len(env.store.Accounts()); got != n+1 || m.state != stateMain {
		t.Fatalf("after enter: %d accounts (had %d), state %v\n%s", got, n, m.state, viewText(m))
	}
}

// TestImportFileErrors: a file vmfa cannot read gets the scanner's own
// message, word for word; a missing file says so; esc leaves.
func TestImportFileErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(junk, []byte("shopping: milk, eggs\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, want := scanner.Import(strings.NewReader("shopping: milk, eggs\n"), scanner.FormatAuto)
	if want == nil {
		t.Fatal("the scanner read a shopping list")
	}
	m, _ := newTestModel(t, 120, 30, sampleAccounts()...)
	m = press(t, m, "af")
	m = press(t, m, junk+"<enter>")
	if v := viewText(m); !strings.Contains(oneLine(v), oneLine(want.Error())) {
		t.Fatalf("view lacks the scanner's %q:\n%s", want, v)
	}
	m = press(t, m, "<ctrl+u>"+filepath.Join(dir, "missing.json")+"<enter>")
	if v := viewText(m); !strings.Contains(v, "no such file") {
		t.Fatalf("missing file:\n%s", v)
	}
	m = press(t, m, "<esc>")
	if m.state != stateMain {
		t.Fatalf("esc: state %v", m.state)
	}
}

// TestGoldenImportFile renders the menu, the password prompt and the
// preview at 80×24 and 40×15 (the temporary directory named DIR).
func TestGoldenImportFile(t *testing.T) {
	sample := sampleAccounts()
	fresh := vault.Account{Issuer: "Forgejo", Name: "erin", Secret: []byte("12345678901234567890"), Type: vault.TOTP, Algorithm: "SHA1", Digits: 6, Period: 30}
	path := aegisBackup(t, "pw", sample[0], fresh)
	for _, size := range [][2]int{{80, 24}, {40, 15}} {
		for _, c := range []struct{ name, keys string }{{"menu", "a"}, {"password", "af" + path + "<enter>"}, {"preview", "af" + path + "<enter>pw<enter>"}} {
			t.Run(c.name+"_"+itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
				m, _ := newTestModel(t, size[0], size[1], sample...)
				m = press(t, m, c.keys)
				if q, ok := m.sub.(*qrScreen); ok {
					q.input.SetValue("DIR/aegis-backup.json")
				}
				golden.RequireEqual(t, []byte(viewText(m)))
			})
		}
	}
}
