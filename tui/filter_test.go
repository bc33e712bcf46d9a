package tui

import (
	"strings"
	"testing"

	"github.com/vmfa/vmfa/vault"
)

// TestClearFilterKeepsSelection: esc drops the filter but not the
// selection, so the next key acts on the account the user picked.
// Display order of sampleAccounts: AWS (a5), Alibaba Cloud (a2), Bank
// (a4), GitHub (a1), Token (a3).
func TestClearFilterKeepsSelection(t *testing.T) {
	tests := []struct {
		name, keys string
		want       string // selected account
		order      string // stored order after the keys, when checked
	}{
		// G: the last account of the filtered view ("a" is a substring
		// of every account; the longest form, Alibaba Cloud, comes last).
		{name: "esc after enter", keys: "/a<enter>G<esc>", want: "a2"},
		{name: "esc while typing", keys: "/a<down><down><esc>", want: ""},
		{name: "K moves the account picked in the filter", keys: "/hardware<enter><esc>K", want: "a3", order: "a5,a2,a4,a3,a1"},
		{name: "e edits the account picked in the filter", keys: "/bank<enter><esc>e", want: "a4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == "" {
				// the account under the cursor just before esc (screens
				// are pointers: use a model of its own)
				before, _ := newTestModel(t, 80, 24, sampleAccounts()...)
				before = press(t, before, tt.keys[:strings.LastIndex(tt.keys, "<esc>")])
				want = selectedID(before)
			}
			m, _ := newTestModel(t, 80, 24, sampleAccounts()...)
			m = press(t, m, tt.keys)
			if m.main.filter.Value() != "" {
				t.Fatalf("filter %q not cleared", m.main.filter.Value())
			}
			if m.state == stateEdit {
				if got := m.sub.(*editScreen).acct.ID; got != want {
					t.Errorf("editing %s, want %s", got, want)
				}
				return
			}
			if got := selectedID(m); got != want {
				t.Errorf("selected %s after esc, want %s (selected in the filtered view)", got, want)
			}
			if tt.order != "" {
				if got := strings.Join(ids(m.main.all), ","); got != tt.order {
					t.Errorf("order %s, want %s", got, tt.order)
				}
			}
		})
	}
}

// TestClearFilterManyAccounts is the QA report: filter, pick an account
// that sits elsewhere in the full list, esc, K moves that account.
func TestClearFilterManyAccounts(t *testing.T) {
	m, env := newTestModel(t, 80, 24, manyAccounts(30)...)
	m = press(t, m, "/user0005<enter>")
	for i := 0; i < len(m.main.visible); i++ {
		if a, _ := m.main.selected(); strings.HasPrefix(a.Name, "user0005@") {
			break
		}
		m = press(t, m, "j")
	}
	picked, _ := m.main.selected()
	if !strings.HasPrefix(picked.Name, "user0005@") {
		t.Fatalf("could not select user0005 in the filtered view: %s", picked.Name)
	}
	m = press(t, m, "<esc>")
	if a, _ := m.main.selected(); a.ID != picked.ID {
		t.Fatalf("selected %s after esc, want %s", a.Name, picked.Name)
	}
	pos := func(id string) int {
		for i, a := range env.store.Accounts() {
			if a.ID == id {
				return i
			}
		}
		return -1
	}
	was := pos(picked.ID)
	m = press(t, m, "K")
	if got := pos(picked.ID); got != was-1 {
		t.Errorf("K moved another account: %s at %d, was %d", picked.Name, got, was)
	}
	if a, _ := m.main.selected(); a.ID != picked.ID {
		t.Errorf("selection left the moved account: %s", a.Name)
	}
}

// TestFilterUsesCLIMatcher: the filter is vault.Match, the matcher of the
// CLI's QUERY (issue 11 item 4): the forms the CLI takes ("ACME:alice",
// "ACME alice" as the list shows it, a serial) find the account, an exact
// match is listed before substring matches, and fuzzy matches come last.
func TestFilterUsesCLIMatcher(t *testing.T) {
	accts := []vault.Account{
		{ID: "b1", Issuer: "ACME", Name: "alice2", Secret: []byte("12345678901234567890"), Type: vault.TOTP, Algorithm: "SHA1", Digits: 6, Period: 30},
		{ID: "b2", Issuer: "ACME", Name: "alice", Secret: []byte("12345678901234567891"), Type: vault.TOTP, Algorithm: "SHA1", Digits: 6, Period: 30},
		{ID: "b3", Issuer: "Token", Name: "hw", Serial: "1234567", Secret: []byte("12345678901234567892"), Type: vault.TOTP, Algorithm: "SHA1", Digits: 6, Period: 30},
		{ID: "b4", Issuer: "Amazon Cloud", Name: "ops", Secret: []byte("12345678901234567893"), Type: vault.TOTP, Algorithm: "SHA1", Digits: 6, Period: 30},
	}
	for _, tt := range []struct{ query, want string }{
		{"ACME:alice", "b2,b1"},
		{"acme alice", "b2,b1"},
		{"ACME: alice2", "b1"},
		{"1234567", "b3"},
		{"aco", "b4"}, // fuzzy: A(mazon) C(l)o(ud)
	} {
		m, _ := newTestModel(t, 80, 24, accts...)
		m = press(t, m, "/"+tt.query)
		var got []string
		for _, i := range m.main.visible {
			got = append(got, m.main.all[i].ID)
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("filter %q shows %v, want %s", tt.query, got, tt.want)
		}
	}
}
