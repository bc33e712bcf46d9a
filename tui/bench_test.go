package tui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/vault"
)

func manyAccounts(n int) []vault.Account {
	out := make([]vault.Account, n)
	for i := range out {
		a := vault.Account{
			Issuer: fmt.Sprintf("Issuer %03d", i%97),
			Name:   fmt.Sprintf("user%04d@example.com", i),
			Secret: mustSecret(rfcSecret),
			Tags:   []string{"bench"},
		}
		switch i % 10 {
		case 7:
			a.Period, a.Digits = 60, 8
		case 9:
			a.Type = vault.HOTP
		}
		out[i] = a
	}
	return out
}

// BenchmarkFirstFrame is the time from an opened vault of 1,000 accounts
// to the first rendered frame at 120×40.
func BenchmarkFirstFrame(b *testing.B) {
	accts := manyAccounts(1000)
	store := newFakeStore(accts...)
	loaded := store.Accounts()
	env := &testEnv{store: store, clip: &fakeClipboard{}, clock: &testClock{t: testTime}}
	b.ReportAllocs()
	for b.Loop() {
		m := New(testConfig(store, env))
		nm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		nm, _ = nm.(Model).Update(openedMsg{store: store, accts: loaded})
		_ = nm.View()
	}
}

// BenchmarkTickView is one clock tick with 1,000 accounts: Update(tick)
// and the View it triggers.
func BenchmarkTickView(b *testing.B) {
	m, env := newTestModel(b, 120, 40, manyAccounts(1000)...)
	b.ReportAllocs()
	for b.Loop() {
		env.clock.Add(1e9)
		nm, _ := m.Update(tickMsg{tag: m.tickTag})
		m = nm.(Model)
		_ = viewText(m)
	}
}

// BenchmarkFilterKeystroke is one keystroke in the filter with 1,000
// accounts: fuzzy matching and the View.
func BenchmarkFilterKeystroke(b *testing.B) {
	m, _ := newTestModel(b, 120, 40, manyAccounts(1000)...)
	m = press(b, m, "/user0")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := "1"
		if i%2 == 1 {
			k = "<backspace>"
		}
		m = press(b, m, k)
		_ = viewText(m)
	}
}
