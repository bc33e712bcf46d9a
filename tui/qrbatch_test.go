package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// writeExport writes a Google Authenticator export of n accounts as
// images big-1.png, big-2.png… (10 accounts each), as
// `vmfa export --format migration` does, and returns their paths.
func writeExport(t *testing.T, dir string, n int) []string {
	t.Helper()
	accts := make([]vault.Account, n)
	for i := range accts {
		accts[i] = vault.Account{Issuer: "Many", Name: fmt.Sprintf("user%02d@example.com", i), Secret: mustSecret(rfcSecret),
			Type: vault.TOTP, Algorithm: vault.SHA1, Digits: 6, Period: 30}
	}
	uris, err := scanner.MigrationURIs(accts, 7)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for i, u := range uris {
		png, err := scanner.QRPNG(u, 600)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("big-%d.png", i+1))
		if err := os.WriteFile(p, png, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func TestQRMultiImageExport(t *testing.T) {
	dir := t.TempDir()
	paths := writeExport(t, dir, 21)
	if len(paths) != 3 {
		t.Fatalf("export in %d images, want 3", len(paths))
	}
	spaced := filepath.Join(dir, "my qr.png")
	gh, err := os.ReadFile("testdata/qr-github.png")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spaced, gh, 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("one image of three warns and lists what it found", func(t *testing.T) {
		m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
		m = press(t, m, "ai"+paths[0]+"<enter>")
		v := viewText(m)
		if m.state != stateImport || !strings.Contains(v, "Found 10 accounts in big-1.png") {
			t.Fatalf("state %v view:\n%s", m.state, v)
		}
		if !strings.Contains(v, "incomplete") || !strings.Contains(v, "codes 2, 3 of 3 are missing") || !strings.Contains(v, "+ add images") {
			t.Errorf("no warning about the missing images:\n%s", v)
		}
	})
	t.Run("adding the missing images to the batch", func(t *testing.T) {
		m, env := newTestModel(t, 80, 24, sampleAccounts()...)
		m = press(t, m, "ai"+paths[0]+"<enter>+")
		q, ok := m.sub.(*qrScreen)
		if m.state != stateAddQR || !ok || q.input.Value() != paths[0]+" " {
			t.Fatalf("state %v, + should reopen the QR screen with the batch so far", m.state)
		}
		m = press(t, m, paths[1]+" "+paths[2]+"<enter>")
		v := viewText(m)
		if m.state != stateImport || !strings.Contains(v, "Found 21 accounts in 3 images") || strings.Contains(v, "incomplete") {
			t.Fatalf("state %v view:\n%s", m.state, v)
		}
		m = press(t, m, "<enter>")
		if n := len(env.store.Accounts()); m.state != stateMain || n != 5+21 {
			t.Errorf("state %v, %d accounts stored, want 26", m.state, n)
		}
	})
	t.Run("every image at once, space-separated", func(t *testing.T) {
		m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
		m = press(t, m, "ai"+strings.Join(paths, " ")+"<enter>")
		if v := viewText(m); m.state != stateImport || !strings.Contains(v, "Found 21 accounts") || strings.Contains(v, "incomplete") {
			t.Fatalf("state %v view:\n%s", m.state, v)
		}
	})
	t.Run("a path with a space, typed as is", func(t *testing.T) {
		m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
		m = press(t, m, "ai"+spaced+"<enter>")
		if v := viewText(m); m.state != stateImport || !strings.Contains(v, "octocat") {
			t.Fatalf("state %v view:\n%s", m.state, v)
		}
	})
	t.Run("a path with a space, escaped, with another", func(t *testing.T) {
		m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
		m = press(t, m, "ai"+quotePath(spaced)+" testdata/qr-rfc6238.png<enter>")
		if v := viewText(m); m.state != stateImport || !strings.Contains(v, "octocat") || !strings.Contains(v, "RFC6238") {
			t.Fatalf("state %v view:\n%s", m.state, v)
		}
	})
	t.Run("tab completes the last path", func(t *testing.T) {
		m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
		m = press(t, m, "aitestdata/qr-github.png testdata/qr-rf<tab>")
		if got := m.sub.(*qrScreen).input.Value(); got != "testdata/qr-github.png testdata/qr-rfc6238.png" {
			t.Errorf("completed to %q", got)
		}
	})
	t.Run("a missing image among several", func(t *testing.T) {
		m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
		m = press(t, m, "aitestdata/qr-github.png testdata/nope.png<enter>")
		if v := viewText(m); m.state != stateImport || !strings.Contains(v, "octocat") || !strings.Contains(v, "nope.png") {
			t.Fatalf("state %v view:\n%s", m.state, v)
		}
	})
}

func TestSplitPaths(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a.png", []string{"a.png"}},
		{"a.png  b.png", []string{"a.png", "b.png"}},
		{`my\ qr.png b.png`, []string{"my qr.png", "b.png"}},
		{`'my qr.png' "your qr.png"`, []string{"my qr.png", "your qr.png"}},
		{"a.png ", []string{"a.png", ""}},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range splitPaths(tt.in) {
			got = append(got, tok.text)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitPaths(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, p := range []string{"plain.png", "my qr.png", `it's "x"\y.png`} {
		toks := splitPaths(quotePath(p))
		if len(toks) != 1 || toks[0].text != p {
			t.Errorf("quotePath(%q) reads back as %+v", p, toks)
		}
	}
}
