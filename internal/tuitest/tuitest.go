// Package tuitest watches a running Bubble Tea v2 program's screens in
// tests. Bubble Tea v2's renderer sends the terminal only the cells that
// changed, so text a test waits for is seldom whole in the output
// stream; Record wraps the model and keeps every view it draws, as
// plain text, for WaitFor to search.
package tuitest

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Screens holds the views a recorded model drew.
type Screens struct {
	mu    sync.Mutex
	views []string
	seen  int // views before this index were searched by an earlier WaitFor
}

// Record wraps m so that every view it draws is kept in s.
func Record(m tea.Model, s *Screens) tea.Model { return recorder{m, s} }

type recorder struct {
	tea.Model
	s *Screens
}

func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := r.Model.Update(msg)
	return recorder{m, r.s}, cmd
}

func (r recorder) View() tea.View {
	v := r.Model.View()
	text := ansi.Strip(v.Content)
	r.s.mu.Lock()
	if n := len(r.s.views); n == 0 || r.s.views[n-1] != text {
		r.s.views = append(r.s.views, text)
	}
	r.s.mu.Unlock()
	return v
}

// Unwrap returns the model inside a recorded one (as FinalModel gives
// it back), or m itself.
func Unwrap(m tea.Model) tea.Model {
	if r, ok := m.(recorder); ok {
		return r.Model
	}
	return m
}

// Last is the latest view drawn.
func (s *Screens) Last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.views) == 0 {
		return ""
	}
	return s.views[len(s.views)-1]
}

// WaitFor waits until a view drawn since the previous WaitFor holds
// every string, and returns it; after timeout it fails the test showing
// the latest view.
func (s *Screens) WaitFor(t testing.TB, timeout time.Duration, what ...string) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		for i := s.seen; i < len(s.views); i++ {
			if containsAll(s.views[i], what) {
				s.seen = i + 1
				v := s.views[i]
				s.mu.Unlock()
				return v
			}
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no screen showed %q within %s; the last one:\n%s", what, timeout, s.Last())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func containsAll(s string, what []string) bool {
	for _, w := range what {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
