// Package clipboard puts a code where the user can paste it, through
// every channel that can work where vmfa runs, and says which ones took
// it:
//
//   - the terminal's clipboard through OSC 52 (wrapped for GNU screen;
//     inside tmux, through tmux itself when its set-clipboard option
//     forwards it, else through allow-passthrough when that is on);
//   - tmux's own paste buffer (tmux load-buffer -w -) inside tmux;
//   - the desktop's clipboard through wl-copy (Wayland), xclip or xsel
//     (X11), or pbcopy (macOS), when a display is there.
//
// The text goes to helpers on their stdin, never in argv, and helpers
// run with every VMFA_* variable removed from their environment. The
// escape sequence for the terminal is returned, not written: the caller
// owns the terminal (the TUI hands it to Bubble Tea).
package clipboard

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Channel names, as the status line shows them.
const (
	Terminal   = "the terminal clipboard"
	TmuxBuffer = "the tmux buffer"
	System     = "the system clipboard"
)

// Runner runs a helper program with stdin and returns its stdout.
type Runner func(ctx context.Context, env []string, stdin []byte, name string, args ...string) ([]byte, error)

// Clipboard copies to every channel it can reach. The zero value is not
// usable; use New.
type Clipboard struct {
	env      []string // the environment vmfa runs in
	lookPath func(string) (string, error)
	run      Runner
	goos     string
	// Timeout bounds each helper (a display that hangs must not hang
	// the caller).
	Timeout time.Duration
}

// New returns a clipboard for this process: its environment, $PATH and
// operating system.
func New() *Clipboard {
	return &Clipboard{env: os.Environ(), lookPath: exec.LookPath, run: runHelper, goos: runtime.GOOS, Timeout: 3 * time.Second}
}

// NewWith returns a clipboard for the given environment, helper lookup
// and runner (tests; a remote session's environment).
func NewWith(env []string, lookPath func(string) (string, error), run Runner, goos string) *Clipboard {
	return &Clipboard{env: env, lookPath: lookPath, run: run, goos: goos, Timeout: 3 * time.Second}
}

func (c *Clipboard) getenv(k string) string {
	for i := len(c.env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(c.env[i], k+"="); ok {
			return v
		}
	}
	return ""
}

// childEnv is the environment helpers run with: vmfa's own, without the
// VMFA_* variables (a passphrase may be among them).
func (c *Clipboard) childEnv() []string {
	out := make([]string, 0, len(c.env))
	for _, kv := range c.env {
		if !strings.HasPrefix(kv, "VMFA_") {
			out = append(out, kv)
		}
	}
	return out
}

func (c *Clipboard) helper(stdin []byte, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	return c.run(ctx, c.childEnv(), stdin, name, args...)
}

// runHelper is the real Runner. Helpers such as xclip and wl-copy leave a
// child behind to serve the selection; WaitDelay stops waiting for the
// pipes that child inherited once the helper itself has exited.
func runHelper(ctx context.Context, env []string, stdin []byte, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = 200 * time.Millisecond
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // the helper exited; its background child kept the pipe
	}
	if err != nil {
		if msg := strings.TrimSpace(errb.String()); msg != "" {
			return out.Bytes(), errors.New(firstLine(msg))
		}
		return out.Bytes(), err
	}
	return out.Bytes(), nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Result says where a copy went.
type Result struct {
	// Reached names the channels that took the text, in the order
	// tried (Terminal, TmuxBuffer, System …).
	Reached []string
	// Sequence is the escape sequence to write to the terminal (OSC 52,
	// possibly wrapped for tmux or screen), "" when the terminal is not
	// to be written.
	Sequence string
	// Problems say, for each channel that could not be used, why and
	// what would make it work.
	Problems []string
	// native is the helper that took the text ("" for none); tmux is
	// whether tmux's buffer took it.
	native   string
	tmux     bool
	tmuxTerm bool // tmux forwarded the buffer to the terminal
}

// OK reports whether any channel took the text.
func (r Result) OK() bool { return len(r.Reached) > 0 }

// Where names the channels that took the text: "the tmux buffer and the
// terminal clipboard".
func (r Result) Where() string { return joinAnd(r.Reached) }

// Explain is the status line for a copy of what: "copied X to the tmux
// buffer and the terminal clipboard", or "could not reach a clipboard:
// …" with what to do.
func (r Result) Explain(what string) string {
	if !r.OK() {
		return "could not reach a clipboard: " + strings.Join(r.Problems, "; ")
	}
	return "copied " + what + " to " + r.Where()
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// osc52 is the OSC 52 sequence setting the clipboard to text ("" clears).
func osc52(text string) string {
	return "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x07"
}

// tmuxWrap passes seq through tmux to the terminal outside
// (allow-passthrough).
func tmuxWrap(seq string) string {
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

// screenWrap passes seq through GNU screen to the terminal outside.
func screenWrap(seq string) string { return "\x1bP" + seq + "\x1b\\" }

// noOSC52 are terminals known to have no clipboard escape.
var noOSC52 = map[string]bool{"linux": true, "dumb": true, "vt100": true, "vt220": true, "cons25": true}

func (c *Clipboard) inTmux() bool { return c.getenv("TMUX") != "" }

// tmuxOption reads a global tmux option ("" when unknown).
func (c *Clipboard) tmuxOption(name string) string {
	out, err := c.helper(nil, "tmux", "show-options", "-gv", name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Copy puts text on every clipboard it can reach and reports which.
func (c *Clipboard) Copy(text string) Result {
	var r Result
	term := c.getenv("TERM")
	switch {
	case c.inTmux():
		c.copyTmux(text, &r)
	case c.getenv("STY") != "":
		r.Sequence = screenWrap(osc52(text))
		r.Reached = append(r.Reached, Terminal)
	case noOSC52[term] || term == "":
		r.Problems = append(r.Problems, "this terminal ("+termName(term)+") has no clipboard: run vmfa inside tmux, or in a terminal emulator")
	default:
		r.Sequence = osc52(text)
		r.Reached = append(r.Reached, Terminal)
	}
	c.copyNative(text, &r)
	return r
}

func termName(t string) string {
	if t == "" {
		return "TERM unset"
	}
	return "TERM=" + t
}

func (c *Clipboard) copyTmux(text string, r *Result) {
	if _, err := c.lookPath("tmux"); err != nil {
		r.Problems = append(r.Problems, "inside tmux but the tmux command is not on PATH")
		return
	}
	// -w also sets the terminal's clipboard, when set-clipboard lets
	// tmux do that (tmux 3.2 and later).
	_, err := c.helper([]byte(text), "tmux", "load-buffer", "-w", "-")
	if err != nil {
		_, err = c.helper([]byte(text), "tmux", "load-buffer", "-")
	}
	if err != nil {
		r.Problems = append(r.Problems, "tmux refused the buffer: "+err.Error())
	} else {
		r.Reached = append(r.Reached, TmuxBuffer)
		r.tmux = true
	}
	switch setClip := c.tmuxOption("set-clipboard"); {
	case err == nil && (setClip == "on" || setClip == "external"):
		// tmux forwards the buffer to the terminal itself.
		r.Reached = append(r.Reached, Terminal)
		r.tmuxTerm = true
	default:
		if p := c.tmuxOption("allow-passthrough"); p == "on" || p == "all" {
			r.Sequence = tmuxWrap(osc52(text))
			r.Reached = append(r.Reached, Terminal)
			return
		}
		r.Problems = append(r.Problems, "tmux does not pass the clipboard on to the terminal (add 'set -g set-clipboard on' to ~/.tmux.conf)")
	}
}

// nativeHelper picks the desktop clipboard's helper: its command, the
// arguments to copy, to read back and to clear (nil: copy "" instead).
type nativeHelper struct {
	name             string
	copy, read, wipe []string
	readName         string // the command that reads back, when it is another one
}

func (c *Clipboard) nativeHelpers() (helpers []nativeHelper, why string) {
	switch {
	case c.goos == "darwin":
		return []nativeHelper{{name: "pbcopy", readName: "pbpaste"}}, ""
	case c.getenv("WAYLAND_DISPLAY") != "":
		helpers = append(helpers, nativeHelper{name: "wl-copy", read: []string{"-n"}, readName: "wl-paste", wipe: []string{"--clear"}})
	}
	if c.getenv("DISPLAY") != "" {
		helpers = append(helpers,
			nativeHelper{name: "xclip", copy: []string{"-selection", "clipboard", "-in"}, read: []string{"-selection", "clipboard", "-out"}},
			nativeHelper{name: "xsel", copy: []string{"--clipboard", "--input"}, read: []string{"--clipboard", "--output"}, wipe: []string{"--clipboard", "--clear"}})
	}
	if len(helpers) == 0 {
		return nil, "no desktop clipboard (no DISPLAY or WAYLAND_DISPLAY)"
	}
	return helpers, ""
}

func (c *Clipboard) copyNative(text string, r *Result) {
	helpers, why := c.nativeHelpers()
	if helpers == nil {
		if !r.OK() {
			r.Problems = append(r.Problems, why)
		}
		return
	}
	var missing []string
	for _, h := range helpers {
		if _, err := c.lookPath(h.name); err != nil {
			missing = append(missing, h.name)
			continue
		}
		if _, err := c.helper([]byte(text), h.name, h.copy...); err != nil {
			r.Problems = append(r.Problems, h.name+" failed: "+err.Error())
			continue
		}
		r.Reached = append(r.Reached, System)
		r.native = h.name
		return
	}
	if len(missing) > 0 {
		verb := " is"
		if len(missing) > 1 {
			verb = " are"
		}
		r.Problems = append(r.Problems, "a display is set but "+joinAnd(missing)+verb+" not installed (install wl-clipboard, xclip or xsel)")
	}
}

// Holds reports, where the clipboard can be read back, whether every
// channel of r still holds text; checked is false when none can be read.
func (c *Clipboard) Holds(text string, r Result) (holds, checked bool) {
	holds = true
	if r.tmux {
		out, err := c.helper(nil, "tmux", "show-buffer")
		if err == nil {
			checked = true
			holds = holds && same(out, text)
		}
	}
	if h, ok := c.helperNamed(r.native); ok {
		name := h.name
		if h.readName != "" {
			name = h.readName
		}
		if _, err := c.lookPath(name); err == nil {
			out, err := c.helper(nil, name, h.read...)
			if err == nil {
				checked = true
				holds = holds && same(out, text)
			}
		}
	}
	return holds, checked
}

func same(got []byte, want string) bool {
	return subtle.ConstantTimeCompare(bytes.TrimRight(got, "\n"), []byte(want)) == 1
}

func (c *Clipboard) helperNamed(name string) (nativeHelper, bool) {
	if name == "" {
		return nativeHelper{}, false
	}
	hs, _ := c.nativeHelpers()
	for _, h := range hs {
		if h.name == name {
			return h, true
		}
	}
	return nativeHelper{}, false
}

// Clear empties the clipboards a copy (r) reached, if they still hold
// text where that can be checked: a clipboard that now holds something
// else (the user copied since) is left alone, and so is the terminal's,
// which cannot be read back. It reports what was cleared.
func (c *Clipboard) Clear(text string, r Result) Result {
	var out Result
	holds, checked := c.Holds(text, r)
	if checked && !holds {
		out.Problems = append(out.Problems, "the clipboard holds something else now")
		return out
	}
	if r.tmux {
		// show-buffer and delete-buffer both act on the newest buffer,
		// which Holds found to be ours.
		if _, err := c.helper(nil, "tmux", "delete-buffer"); err == nil {
			out.Reached = append(out.Reached, TmuxBuffer)
		}
	}
	if r.tmuxTerm {
		// tmux does not forward an empty clipboard: overwrite the
		// terminal's with a space, then drop that buffer.
		if _, err := c.helper(nil, "tmux", "set-buffer", "-w", " "); err == nil {
			_, _ = c.helper(nil, "tmux", "delete-buffer")
			out.Reached = append(out.Reached, Terminal)
		}
	}
	if h, ok := c.helperNamed(r.native); ok {
		var err error
		if h.wipe != nil {
			_, err = c.helper(nil, h.name, h.wipe...)
		} else {
			_, err = c.helper([]byte{}, h.name, h.copy...)
		}
		if err == nil {
			out.Reached = append(out.Reached, System)
		} else {
			out.Problems = append(out.Problems, h.name+" failed: "+err.Error())
		}
	}
	if r.Sequence != "" {
		// An empty OSC 52 payload clears; sent the way the copy went.
		seq := osc52("")
		switch {
		case strings.HasPrefix(r.Sequence, "\x1bPtmux;"):
			seq = tmuxWrap(seq)
		case strings.HasPrefix(r.Sequence, "\x1bP"):
			seq = screenWrap(seq)
		}
		out.Sequence = seq
		out.Reached = append(out.Reached, Terminal)
	}
	return out
}

// pending is a clear still to be done, as handed to a process that
// outlives the one that copied (vmfa quits before the delay is over).
type pending struct {
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
	Reached  []string  `json:"reached"`
	Sequence string    `json:"sequence"`
	Native   string    `json:"native"`
	Tmux     bool      `json:"tmux"`
	TmuxTerm bool      `json:"tmux_term"`
}

// EncodePending describes the clear of text, copied with result r, due
// at: for ClearPending in another process (on its stdin: it holds the
// code).
func EncodePending(text string, r Result, at time.Time) ([]byte, error) {
	return json.Marshal(pending{Text: text, At: at, Reached: r.Reached, Sequence: r.Sequence, Native: r.native, Tmux: r.tmux, TmuxTerm: r.tmuxTerm})
}

// MaxPendingWait bounds how long ClearPending waits.
const MaxPendingWait = 24 * time.Hour

// ClearPending waits until the clear EncodePending described is due and
// does it (see Clear); the terminal's part is written to term.
func (c *Clipboard) ClearPending(encoded []byte, term io.Writer, sleep func(time.Duration)) (Result, error) {
	var p pending
	if err := json.Unmarshal(encoded, &p); err != nil {
		return Result{}, fmt.Errorf("cannot read the pending clear: %w", err)
	}
	if d := time.Until(p.At); d > 0 {
		sleep(min(d, MaxPendingWait))
	}
	out := c.Clear(p.Text, Result{Reached: p.Reached, Sequence: p.Sequence, native: p.Native, tmux: p.Tmux, tmuxTerm: p.TmuxTerm})
	if out.Sequence != "" {
		if _, err := io.WriteString(term, out.Sequence); err != nil {
			return out, err
		}
	}
	return out, nil
}
