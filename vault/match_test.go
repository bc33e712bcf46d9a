package vault

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func matchAccounts() []Account {
	return []Account{
		{ID: "0a1b2c3d4e5f6071", Issuer: "ACME", Name: "alice"},
		{ID: "1111111111111111", Issuer: "ACME", Name: "alice2"},
		{ID: "2222222222222222", Issuer: "Globex", Name: "bob@globex.com", Tags: []string{"work"}},
		{ID: "3333333333333333", Issuer: "Token", Name: "hw", Serial: "1234567"},
		{ID: "4444444444444444", Issuer: "", Name: "carol"},
	}
}

func TestMatch(t *testing.T) {
	as := matchAccounts()
	tests := []struct {
		query string
		want  []string // IDs, best first
		rank  Rank
	}{
		{"ACME:alice", []string{"0a1b2c3d4e5f6071"}, Exact}, // the form rename takes
		{"ACME: alice", []string{"0a1b2c3d4e5f6071"}, Exact},
		{"acme alice", []string{"0a1b2c3d4e5f6071"}, Exact}, // the form the TUI shows
		{"  ACME   ALICE ", []string{"0a1b2c3d4e5f6071"}, Exact},
		{"alice", []string{"0a1b2c3d4e5f6071"}, Exact}, // exact beats alice2's substring
		{"alice2", []string{"1111111111111111"}, Exact},
		{"ali", []string{"0a1b2c3d4e5f6071", "1111111111111111"}, Substring},
		{"ACME", []string{"0a1b2c3d4e5f6071", "1111111111111111"}, Exact},
		{"1234567", []string{"3333333333333333"}, Exact}, // serial
		{"34567", []string{"3333333333333333"}, Substring},
		{"2222222222222222", []string{"2222222222222222"}, Exact}, // ID
		{"0A1B2C", []string{"0a1b2c3d4e5f6071"}, Substring},
		{"globex.com", []string{"2222222222222222"}, Substring},
		{"work", []string{"2222222222222222"}, Substring}, // tag
		{"carol", []string{"4444444444444444"}, Exact},
		{"acm:ali", nil, NoMatch}, // pieces of two fields are not a substring
		{"", nil, NoMatch},
		{"zzz", nil, NoMatch},
	}
	for _, tt := range tests {
		ms := Match(as, tt.query, MatchOptions{})
		var got []string
		for _, m := range ms {
			got = append(got, as[m.Index].ID)
			if m.Rank != tt.rank {
				t.Errorf("%q: %s ranked %d, want %d", tt.query, as[m.Index].ID, m.Rank, tt.rank)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Match(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestMatchAllAndFuzzy(t *testing.T) {
	as := matchAccounts()
	// All keeps the lower ranks after the best: the TUI's filter order.
	ms := Match(as, "alice", MatchOptions{All: true})
	if len(ms) != 2 || ms[0].Rank != Exact || ms[1].Rank != Substring || as[ms[1].Index].Name != "alice2" {
		t.Fatalf("All: %+v", ms)
	}
	// Fuzzy: letters in order, only when asked.
	if ms := Match(as, "glbx", MatchOptions{}); len(ms) != 0 {
		t.Errorf("fuzzy match without Fuzzy: %+v", ms)
	}
	ms = Match(as, "glbx", MatchOptions{Fuzzy: true, All: true})
	if len(ms) != 1 || as[ms[0].Index].Issuer != "Globex" || ms[0].Rank != Fuzzy {
		t.Errorf("fuzzy: %+v", ms)
	}
	// A substring match outranks a fuzzy one.
	ms = Match(as, "ace", MatchOptions{Fuzzy: true, All: true})
	for i := 1; i < len(ms); i++ {
		if ms[i].Rank > ms[i-1].Rank {
			t.Errorf("not best first: %+v", ms)
		}
	}
}

func TestSuggest(t *testing.T) {
	as := matchAccounts()
	tests := []struct{ query, want string }{
		{"ACME: alcie", "ACME: alice"}, // swapped letters
		{"acme alise", "ACME: alice"},
		{"globx", "Globex: bob@globex.com"},
		{"1234576", "Token: hw"},
		{"something else entirely", ""},
		{"", ""},
	}
	for _, tt := range tests {
		a, ok := Suggest(as, tt.query)
		got := ""
		if ok {
			got = a.Label()
		}
		if got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestFindSuggestsAndExactWins(t *testing.T) {
	v, err := Open(Options{Path: filepath.Join(t.TempDir(), "v.vmfa"), Create: PassphraseSource,
		Passphrase: pass("pw"), KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Add(
		Account{Issuer: "ACME", Name: "alice", Secret: []byte("0123456789abcdef")},
		Account{Issuer: "ACME", Name: "alice2", Secret: []byte("0123456789abcdeg")},
	); err != nil {
		t.Fatal(err)
	}
	a, err := v.FindOne("ACME:alice")
	if err != nil || a.Name != "alice" {
		t.Fatalf("FindOne(ACME:alice) = %v, %v", a.Label(), err)
	}
	_, err = v.FindOne("ACME alcie")
	if !errors.Is(err, ErrNotFound) || !strings.HasSuffix(err.Error(), "did you mean ACME: alice?") {
		t.Fatalf("typo: %v", err)
	}
	if _, err = v.FindOne("ali"); !errors.Is(err, ErrAmbiguous) {
		t.Fatalf("ali: %v", err)
	}
}

// FuzzMatch: no query panics the matcher or the suggestion, matches are
// best first, and an account's own label always finds it exactly.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"ACME:alice", "ACME alice", "1234567", "acme alcie", "Überbank  :  Ålice", "", ":::"} {
		f.Add(s)
	}
	as := matchAccounts()
	f.Fuzz(func(t *testing.T, q string) {
		ms := Match(as, q, MatchOptions{Fuzzy: true, All: true})
		for i := 1; i < len(ms); i++ {
			if better(ms[i], ms[i-1]) {
				t.Fatalf("%q: not best first: %+v", q, ms)
			}
		}
		Suggest(as, q)
		b := []Account{{ID: "0000000000000001", Issuer: q, Name: "n"}}
		if normQuery(q) != "" {
			if m := Match(b, b[0].Label(), MatchOptions{}); len(m) != 1 || m[0].Rank != Exact {
				t.Fatalf("label %q does not find its account: %+v", b[0].Label(), m)
			}
		}
	})
}
