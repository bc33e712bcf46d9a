package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
