package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vmfa/vmfa/vault"
)

// tmuxServer is a tmux server of the test's own (its own socket, no
// configuration file), so that tests never touch the user's tmux.
type tmuxServer struct {
	t    *testing.T
	sock string
	env  []string
}

// startTmux starts a tmux server whose first window, width×height,
// runs command with env added to the test's environment. It skips the
// test only when tmux is not installed (make deps installs it).
func startTmux(t *testing.T, width, height int, env []string, command string) *tmuxServer {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: run make deps (the Makefile's APT_PACKAGES has it)")
	}
	dir, err := os.MkdirTemp("", "vmfa-tmux")
	if err != nil {
		t.Fatal(err)
	}
	s := &tmuxServer{t: t, sock: filepath.Join(dir, "s"), env: append(os.Environ(), env...)}
	t.Cleanup(func() {
		_ = exec.Command("tmux", "-S", s.sock, "kill-server").Run()
		os.RemoveAll(dir)
	})
	s.run("new-session", "-d", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), command)
	return s
}

func (s *tmuxServer) run(args ...string) string {
	s.t.Helper()
	c := exec.Command("tmux", append([]string{"-S", s.sock, "-f", "/dev/null"}, args...)...)
	c.Env = s.env
	out, err := c.CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// screen is the pane as text (escapes: with its colours and attributes).
func (s *tmuxServer) screen(escapes bool) string {
	args := []string{"capture-pane", "-p"}
	if escapes {
		args = append(args, "-e")
	}
	return s.run(args...)
}

// waitFor waits until the pane shows every string and returns it.
func (s *tmuxServer) waitFor(what ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := s.screen(false)
		ok := true
		for _, w := range what {
			ok = ok && strings.Contains(scr, w)
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the pane never showed %q; it shows:\n%s", what, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *tmuxServer) keys(keys ...string) { s.run(append([]string{"send-keys"}, keys...)...) }

// tuiVault makes a vault with ACME: alice (the RFC 6238 key) and a HOTP
// account, and returns the environment that opens it.
func tuiVault(t *testing.T) []string {
	t.Helper()
	env := vaultEnv(t)
	for _, uri := range []string{rfcURI, "otpauth://hotp/Bank:carol?secret=JBSWY3DPEHPK3PXP&counter=4&issuer=Bank"} {
		if r := vmfa(t, env, uri, "add", "--uri", "-"); r.code != 0 {
			t.Fatalf("add: %+v", r)
		}
	}
	return env
}

// rfcCodeNear tells whether code is ACME: alice's code within a few
// seconds of now (the copy happened a moment ago).
func rfcCodeNear(code string) bool {
	a := vault.Account{Issuer: "ACME", Name: "alice", Secret: []byte("12345678901234567890")}
	if err := a.Normalize(time.Now()); err != nil {
		return false
	}
	for d := -5; d <= 1; d++ {
		if a.CodeAt(time.Now().Add(time.Duration(d)*time.Second)) == code {
			return true
		}
	}
	return false
}

// TestTmuxCopyReachesTmuxBuffer runs the real TUI in a real tmux: c puts
// the code in tmux's buffer, and the status line says so.
func TestTmuxCopyReachesTmuxBuffer(t *testing.T) {
	env := append(tuiVault(t), "VMFA_CLIPBOARD_CLEAR=0", "TERM=xterm-256color")
	s := startTmux(t, 100, 24, env, vmfaBin)
	s.waitFor("ACME alice")
	s.keys("c")
	scr := s.waitFor("copied ACME: alice")
	if !strings.Contains(scr, "the tmux buffer") {
		t.Errorf("the status does not name the tmux buffer:\n%s", scr)
	}
	if buf := s.run("show-buffer"); !rfcCodeNear(buf) {
		t.Errorf("tmux buffer %q is not ACME: alice's code", buf)
	}
	s.keys("q")
}

// TestTmuxCopyReachesOuterTerminal nests vmfa's tmux in an outer tmux
// (standing for the terminal, set-clipboard on): the copy made inside
// reaches the outer one's clipboard, as the status claims; the clear
// after VMFA_CLIPBOARD_CLEAR removes it from the inner buffer.
func TestTmuxCopyReachesOuterTerminal(t *testing.T) {
	env := append(tuiVault(t), "VMFA_CLIPBOARD_CLEAR=2", "TERM=xterm-256color")
	innerDir := t.TempDir()
	inner := filepath.Join(innerDir, "inner")
	outer := startTmux(t, 100, 24, env, "tmux -S "+inner+" -f /dev/null new-session "+vmfaBin)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", inner, "kill-server").Run() })
	outer.run("set-option", "-g", "set-clipboard", "on")
	outer.waitFor("ACME alice")
	outer.keys("c")
	scr := outer.waitFor("copied ACME: alice")
	if !strings.Contains(scr, "the tmux buffer and the terminal clipboard") {
		t.Errorf("status:\n%s", scr)
	}
	code := outer.run("show-buffer")
	if !rfcCodeNear(code) {
		t.Fatalf("the outer terminal's clipboard holds %q, not ACME: alice's code", code)
	}
	outer.waitFor("cleared the code from the tmux buffer and the terminal clipboard")
	if out, _ := exec.Command("tmux", "-S", inner, "list-buffers").CombinedOutput(); strings.Contains(string(out), code) {
		t.Errorf("after the clear the inner tmux still holds the code: %s", out)
	}
	if buf := outer.run("show-buffer"); buf == code {
		t.Errorf("after the clear the outer terminal's clipboard still holds the code")
	}
}

// TestTmuxLayout looks at the real TUI in tmux at 40×15, 80×24 and
// 200×50: every account's code sits on its row next to its name, the
// help keeps its essential keys, and nothing runs past the edge. With
// NO_COLOR the selected row is in reverse video across the width;
// VMFA_TUI_LOG receives the TUI's events.
func TestTmuxLayout(t *testing.T) {
	env := tuiVault(t)
	logFile := filepath.Join(t.TempDir(), "tui.log")
	for _, size := range [][2]int{{40, 15}, {80, 24}, {200, 50}} {
		w, h := size[0], size[1]
		t.Run(strconv.Itoa(w)+"x"+strconv.Itoa(h), func(t *testing.T) {
			s := startTmux(t, w, h, append(env, "TERM=xterm-256color", "NO_COLOR=1", "VMFA_TUI_LOG="+logFile), vmfaBin)
			scr := s.waitFor("ACME alice", "Bank carol", "q quit")
			lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
			if len(lines) > h {
				t.Errorf("%d lines on a %d-line terminal", len(lines), h)
			}
			var acme string
			for _, l := range lines {
				if utf8.RuneCountInString(l) > w {
					t.Errorf("line wider than %d: %q", w, l)
				}
				if strings.Contains(l, "ACME alice") {
					acme = l
				}
			}
			// six digits, grouped, right after the name column
			code := regexp.MustCompile(`ACME alice +(\d{3} \d{3})`).FindStringSubmatch(acme)
			if code == nil {
				t.Fatalf("no code on the ACME row: %q", acme)
			}
			if gap := strings.Index(acme, code[1]) - strings.Index(acme, "ACME alice"); gap > 20 {
				t.Errorf("the code is %d columns from the name: %q", gap, acme)
			}
			help := lines[len(lines)-1]
			for _, k := range []string{"copy", "a add", "? more", "q quit"} {
				if !strings.Contains(help, k) {
					t.Errorf("help %q lacks %q", help, k)
				}
			}
			// NO_COLOR: the selected row (the first) is reversed to the edge.
			for _, l := range strings.Split(s.screen(true), "\n") {
				if strings.Contains(l, "ACME") {
					attrs := sgrParams(l)
					if !attrs["7"] {
						t.Errorf("the selected row is not in reverse video: %q", l)
					}
					for p := range attrs {
						if n, _ := strconv.Atoi(p); (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || n >= 90 {
							t.Errorf("colour %s under NO_COLOR: %q", p, l)
						}
					}
				}
			}
			s.keys("q")
		})
	}
	logged, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"vault opened: 2 accounts", "screen main", "key q"} {
		if !strings.Contains(string(logged), want) {
			t.Errorf("VMFA_TUI_LOG lacks %q:\n%s", want, logged)
		}
	}
	if strings.Contains(string(logged), "GEZDGNBVGY3TQOJQ") {
		t.Errorf("VMFA_TUI_LOG holds the secret")
	}
}

// sgrParams collects the parameters of every SGR sequence in s.
func sgrParams(s string) map[string]bool {
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllStringSubmatch(s, -1) {
		for _, p := range strings.Split(m[1], ";") {
			out[p] = true
		}
	}
	return out
}

// TestTmuxOSC52 runs the TUI with TMUX unset, as in a terminal of its
// own: the copy goes out as OSC 52 through Bubble Tea's output, and tmux
// (set-clipboard on, standing for a terminal that takes OSC 52) stores
// it.
func TestTmuxOSC52(t *testing.T) {
	env := append(tuiVault(t), "VMFA_CLIPBOARD_CLEAR=0", "TERM=xterm-256color")
	s := startTmux(t, 100, 24, env, "env -u TMUX "+vmfaBin)
	s.run("set-option", "-g", "set-clipboard", "on")
	s.waitFor("ACME alice")
	s.keys("c")
	scr := s.waitFor("copied ACME: alice")
	if !strings.Contains(scr, "to the terminal clipboard") || strings.Contains(scr, "tmux buffer") {
		t.Errorf("status:\n%s", scr)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := exec.Command("tmux", "-S", s.sock, "show-buffer").CombinedOutput()
		if rfcCodeNear(string(out)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the terminal (tmux) got no OSC 52 copy: buffer %q", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTmuxClearAfterQuit: quitting before the clear is due leaves it to
// a background vmfa, which still clears the code from the tmux buffer.
func TestTmuxClearAfterQuit(t *testing.T) {
	env := append(tuiVault(t), "VMFA_CLIPBOARD_CLEAR=2", "TERM=xterm-256color")
	s := startTmux(t, 100, 24, env, vmfaBin+"; sleep 30")
	s.waitFor("ACME alice")
	s.keys("c")
	s.waitFor("copied ACME: alice")
	code := s.run("show-buffer")
	if !rfcCodeNear(code) {
		t.Fatalf("tmux buffer %q", code)
	}
	s.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := exec.Command("tmux", "-S", s.sock, "list-buffers", "-F", "#{buffer_sample}").CombinedOutput()
		if !strings.Contains(string(out), code) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after quitting, tmux still holds the code: %s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
