package tui

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/vault"
)

// clipState is the last copy: the code (kept to check the clipboard
// still holds it before clearing), where it went, and when the code is
// valid, which the status line counts down.
type clipState struct {
	seq  int
	text string
	res  clipboard.Result
	// The status reads before + validity + after + clears (dropped when
	// the line is too short); status is them joined, to tell whether it
	// is still the one on screen.
	before, after, clears, status string
	from, until                   time.Time // the code's validity (zero: HOTP)
	clearAt                       time.Time // when the clear is due (zero: none)
}

func (c clipState) showing(status string) bool { return c.status != "" && status == c.status }

// line is the status of the copy at now, in width cells if it can be:
// the clearing note goes first, then "the terminal clipboard" becomes
// "the terminal"; on a narrow terminal the account's name goes and the
// rest is shortened ("copied (11s) to tmux buffer, terminal"), so that
// where the code went is never what the cut loses.
func (c clipState) line(now time.Time, width int) string {
	full := c.before + c.validity(now) + c.after
	short := strings.ReplaceAll(c.after, " clipboard", "")
	for _, s := range []string{
		full + c.clears,
		full,
		c.before + c.validity(now) + short,
		"copied" + c.validity(now) + short,
		"copied" + c.shortValidity(now) + strings.ReplaceAll(strings.ReplaceAll(short, "the ", ""), " and ", ", "),
	} {
		if ansi.StringWidth(s) <= width {
			return s
		}
	}
	return c.before + c.validity(now) + short
}

// shortValidity is validity in the fewest words: " (11s)", " (in 5s)".
func (c clipState) shortValidity(now time.Time) string {
	switch {
	case c.until.IsZero():
		return ""
	case now.Before(c.from):
		return fmt.Sprintf(" (in %ds)", secondsLeft(c.from.Sub(now)))
	case now.Before(c.until):
		return fmt.Sprintf(" (%ds)", secondsLeft(c.until.Sub(now)))
	}
	return " (expired)"
}

// validity is the copied code's remaining validity at now.
func (c clipState) validity(now time.Time) string {
	switch {
	case c.until.IsZero():
		return ""
	case now.Before(c.from):
		return fmt.Sprintf(" (valid in %ds, for %ds)", secondsLeft(c.from.Sub(now)), secondsLeft(c.until.Sub(c.from)))
	case now.Before(c.until):
		return fmt.Sprintf(" (valid %ds more)", secondsLeft(c.until.Sub(now)))
	}
	return " (expired)"
}

// copyCode copies a's current code (next: the one after it) in a
// command.
func (m *Model) copyCode(a vault.Account, next bool) tea.Cmd {
	what := a.Label()
	if next {
		what = "the next code of " + a.Label()
	}
	if a.Type == vault.HOTP {
		c, ok := m.main.hotp[a.ID]
		code, step := c.Current, c.Step
		if next {
			code, step = c.next(), c.Step+1
		}
		switch {
		case !ok:
			m.status = "press enter to generate a code first"
			return nil
		case code == "":
			m.status = "the next code was not handed out: press n to show the next column, then enter"
			return nil
		}
		return m.copyCmd(code, fmt.Sprintf("%s (counter %d)", what, step), time.Time{}, time.Time{})
	}
	now := m.now()
	codes := a.CodesAt(now)
	if next {
		from := now.Add(codes.Left)
		return m.copyCmd(codes.Next, what, from, from.Add(codes.Period))
	}
	return m.copyCmd(codes.Current, what, now, now.Add(codes.Left))
}

// copyCmd copies code in a command; copied takes the result.
func (m *Model) copyCmd(code, what string, from, until time.Time) tea.Cmd {
	m.clip = clipState{seq: m.clip.seq + 1, text: code, before: "copied " + what, from: from, until: until}
	seq, clip := m.clip.seq, m.cfg.Clipboard
	if clip == nil {
		return nil
	}
	return func() tea.Msg { return copiedMsg{seq: seq, res: clip.Copy(code)} }
}

// copied shows where a copy went, writes the terminal's part (OSC 52)
// and schedules the clearing.
func (m *Model) copied(msg copiedMsg) tea.Cmd {
	if msg.seq != m.clip.seq {
		return nil // a newer copy replaced it
	}
	m.clip.res = msg.res
	log.Printf("copy: reached %q; problems %q", msg.res.Reached, msg.res.Problems)
	if !msg.res.OK() {
		m.status, m.clip.status = msg.res.Explain(""), ""
		return nil
	}
	var cmds []tea.Cmd
	if msg.res.Sequence != "" {
		cmds = append(cmds, tea.Raw(msg.res.Sequence))
	}
	m.clip.after = " to " + msg.res.Where()
	if d := m.cfg.ClearClipboard; d > 0 {
		m.clip.clears = fmt.Sprintf("; clears in %s", d)
		m.clip.clearAt = m.clock().Add(d)
		seq := msg.seq
		cmds = append(cmds, tea.Tick(d, func(time.Time) tea.Msg { return clearClipMsg{seq: seq} }))
	}
	m.status = m.clip.before + m.clip.after + m.clip.clears
	m.clip.status = m.status
	return tea.Batch(cmds...)
}

// clearClip clears the clipboards the last copy reached, if it is still
// the last one.
func (m *Model) clearClip(seq int) tea.Cmd {
	if seq != m.clip.seq || !m.clip.res.OK() || m.cfg.Clipboard == nil {
		return nil
	}
	clip, text, res := m.cfg.Clipboard, m.clip.text, m.clip.res
	return func() tea.Msg { return clearedMsg{seq: seq, res: clip.Clear(text, res)} }
}

func (m *Model) cleared(msg clearedMsg) tea.Cmd {
	if msg.seq != m.clip.seq {
		return nil // copied again meanwhile: the terminal holds the new code
	}
	log.Printf("clear: reached %q; problems %q", msg.res.Reached, msg.res.Problems)
	m.clip.text, m.clip.clearAt = "", time.Time{}
	if m.clip.showing(m.status) || m.status == "" {
		if msg.res.OK() {
			m.status = "cleared the code from " + msg.res.Where()
		} else {
			m.status = "left the clipboard alone: it holds something else now"
		}
	}
	m.clip.status = ""
	if msg.res.Sequence != "" {
		return tea.Raw(msg.res.Sequence)
	}
	return nil
}
