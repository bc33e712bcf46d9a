package clipboard

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeSystem records helper runs and plays the helpers' clipboards.
type fakeSystem struct {
	installed map[string]bool
	options   map[string]string // tmux global options
	runs      []fakeRun
	clip      map[string]string // clipboard contents by helper family
	fail      map[string]error
}

type fakeRun struct {
	env   []string
	stdin string
	argv  []string
}

func (f *fakeSystem) lookPath(name string) (string, error) {
	if f.installed[name] {
		return "/usr/bin/" + name, nil
	}
	return "", exec.ErrNotFound
}

func family(name string) string {
	switch name {
	case "wl-copy", "wl-paste":
		return "wayland"
	case "pbcopy", "pbpaste":
		return "mac"
	}
	return name
}

func (f *fakeSystem) run(_ context.Context, env []string, stdin []byte, name string, args ...string) ([]byte, error) {
	f.runs = append(f.runs, fakeRun{env: env, stdin: string(stdin), argv: append([]string{name}, args...)})
	if err := f.fail[name]; err != nil {
		return nil, err
	}
	a := strings.Join(args, " ")
	switch {
	case name == "tmux" && strings.HasPrefix(a, "show-options -gv "):
		return []byte(f.options[strings.TrimPrefix(a, "show-options -gv ")] + "\n"), nil
	case name == "tmux" && strings.HasPrefix(a, "load-buffer"):
		f.clip["tmux"] = string(stdin)
	case name == "tmux" && a == "show-buffer":
		return []byte(f.clip["tmux"]), nil
	case name == "tmux" && a == "delete-buffer":
		f.clip["tmux"] = ""
	case name == "tmux":
	case strings.Contains(a, "clear"):
		f.clip[family(name)] = ""
	case name == "wl-paste" || name == "pbpaste" || strings.Contains(a, "-out"):
		return []byte(f.clip[family(name)]), nil
	default:
		f.clip[family(name)] = string(stdin)
	}
	return nil, nil
}

func newFake(env []string, installed ...string) (*Clipboard, *fakeSystem) {
	f := &fakeSystem{installed: map[string]bool{}, options: map[string]string{}, clip: map[string]string{}, fail: map[string]error{}}
	for _, n := range installed {
		f.installed[n] = true
	}
	return NewWith(append(env, "VMFA_PASSPHRASE=hunter2", "PATH=/usr/bin"), f.lookPath, f.run, "linux"), f
}

func TestCopyChannels(t *testing.T) {
	const code = "123456"
	tests := []struct {
		name      string
		env       []string
		installed []string
		options   map[string]string
		want      string // Explain("X")
		seq       string
	}{
		{"xterm over ssh: OSC 52 only", []string{"TERM=xterm-256color"}, nil, nil,
			"copied X to the terminal clipboard", "\x1b]52;c;MTIzNDU2\x07"},
		{"screen wraps OSC 52", []string{"TERM=screen", "STY=1.pts-0"}, nil, nil,
			"copied X to the terminal clipboard", "\x1bP\x1b]52;c;MTIzNDU2\x07\x1b\\"},
		{"tmux forwards its buffer (set-clipboard external)", []string{"TERM=tmux-256color", "TMUX=/tmp/s,1,0"}, []string{"tmux"},
			map[string]string{"set-clipboard": "external"},
			"copied X to the tmux buffer and the terminal clipboard", ""},
		{"tmux with passthrough only", []string{"TERM=tmux-256color", "TMUX=/tmp/s,1,0"}, []string{"tmux"},
			map[string]string{"set-clipboard": "off", "allow-passthrough": "on"},
			"copied X to the tmux buffer and the terminal clipboard", "\x1bPtmux;\x1b\x1b]52;c;MTIzNDU2\x07\x1b\\"},
		{"tmux that forwards nothing: buffer only", []string{"TERM=tmux-256color", "TMUX=/tmp/s,1,0"}, []string{"tmux"},
			map[string]string{"set-clipboard": "off", "allow-passthrough": "off"},
			"copied X to the tmux buffer", ""},
		{"wayland desktop", []string{"TERM=xterm", "WAYLAND_DISPLAY=wayland-0"}, []string{"wl-copy", "wl-paste"}, nil,
			"copied X to the terminal clipboard and the system clipboard", "\x1b]52;c;MTIzNDU2\x07"},
		{"x11 with xsel only", []string{"TERM=xterm", "DISPLAY=:0"}, []string{"xsel"}, nil,
			"copied X to the terminal clipboard and the system clipboard", "\x1b]52;c;MTIzNDU2\x07"},
		{"linux console, nothing", []string{"TERM=linux"}, nil, nil,
			"could not reach a clipboard: this terminal (TERM=linux) has no clipboard: run vmfa inside tmux, or in a terminal emulator; no desktop clipboard (no DISPLAY or WAYLAND_DISPLAY)", ""},
		{"linux console with a display but no helper", []string{"TERM=linux", "DISPLAY=:0"}, nil, nil,
			"could not reach a clipboard: this terminal (TERM=linux) has no clipboard: run vmfa inside tmux, or in a terminal emulator; a display is set but xclip and xsel are not installed (install wl-clipboard, xclip or xsel)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := newFake(tt.env, tt.installed...)
			for k, v := range tt.options {
				f.options[k] = v
			}
			r := c.Copy(code)
			if got := r.Explain("X"); got != tt.want {
				t.Errorf("status %q\nwant   %q", got, tt.want)
			}
			if r.Sequence != tt.seq {
				t.Errorf("sequence %q, want %q", r.Sequence, tt.seq)
			}
			for _, run := range f.runs {
				for _, a := range run.argv {
					if strings.Contains(a, code) {
						t.Errorf("the code is in argv: %q", run.argv)
					}
				}
				for _, e := range run.env {
					if strings.HasPrefix(e, "VMFA_") {
						t.Errorf("%s runs with %s", run.argv[0], e)
					}
				}
			}
		})
	}
}

func TestCopyGoesOnStdin(t *testing.T) {
	c, f := newFake([]string{"TERM=xterm", "DISPLAY=:0"}, "xclip")
	if r := c.Copy("654321"); !r.OK() {
		t.Fatal(r.Problems)
	}
	if f.clip["xclip"] != "654321" {
		t.Errorf("xclip holds %q", f.clip["xclip"])
	}
}

func TestClearOnlyOurCode(t *testing.T) {
	env := []string{"TERM=tmux-256color", "TMUX=/tmp/s,1,0", "WAYLAND_DISPLAY=w"}
	t.Run("still ours: cleared everywhere", func(t *testing.T) {
		c, f := newFake(env, "tmux", "wl-copy", "wl-paste")
		f.options["set-clipboard"] = "on"
		r := c.Copy("111222")
		out := c.Clear("111222", r)
		if f.clip["tmux"] != "" || f.clip["wayland"] != "" {
			t.Errorf("left %q", f.clip)
		}
		if got := out.Where(); got != "the tmux buffer, the terminal clipboard and the system clipboard" {
			t.Errorf("cleared %q", got)
		}
	})
	t.Run("the user copied something since: left alone", func(t *testing.T) {
		c, f := newFake(env, "tmux", "wl-copy", "wl-paste")
		f.options["set-clipboard"] = "on"
		r := c.Copy("111222")
		f.clip["wayland"] = "my notes"
		out := c.Clear("111222", r)
		if out.OK() || f.clip["wayland"] != "my notes" || f.clip["tmux"] != "111222" {
			t.Errorf("cleared %v; clipboards %q", out.Reached, f.clip)
		}
	})
	t.Run("terminal only: cleared blind", func(t *testing.T) {
		c, _ := newFake([]string{"TERM=xterm"})
		r := c.Copy("111222")
		out := c.Clear("111222", r)
		if out.Sequence != "\x1b]52;c;\x07" {
			t.Errorf("clear sequence %q", out.Sequence)
		}
	})
}

func TestHelperFailureIsReported(t *testing.T) {
	c, f := newFake([]string{"TERM=linux", "DISPLAY=:0"}, "xclip")
	f.fail["xclip"] = errors.New("Error: Can't open display: :0")
	r := c.Copy("1")
	if r.OK() || !strings.Contains(r.Explain("x"), "xclip failed: Error: Can't open display: :0") {
		t.Errorf("%q", r.Explain("x"))
	}
}

// startTmux starts a tmux server of its own (tmux -L) for the test and
// returns the TMUX value a client inside it would have, and a function
// running tmux commands on it.
func startTmux(t *testing.T) (string, func(args ...string) string) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (make deps installs it)")
	}
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-x", "80", "-y", "24", "sleep 600")
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", sock, "kill-server").Run() })
	pid := strings.TrimSpace(tmux("display-message", "-p", "#{pid}"))
	if _, err := strconv.Atoi(pid); err != nil {
		t.Fatalf("tmux pid %q", pid)
	}
	return sock + "," + pid + ",0", tmux
}

// TestRealTmuxBuffer copies with a real tmux server as the multiplexer
// and reads its buffer back; clearing removes it again.
func TestRealTmuxBuffer(t *testing.T) {
	tmuxEnv, tmux := startTmux(t)
	env := []string{"TMUX=" + tmuxEnv, "TERM=tmux-256color", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "VMFA_PASSPHRASE=x"}
	c := NewWith(env, exec.LookPath, runHelper, "linux")
	c.Timeout = 10 * time.Second
	r := c.Copy("424242")
	if !r.OK() || r.Reached[0] != TmuxBuffer {
		t.Fatalf("copy: %q", r.Explain("x"))
	}
	if got := tmux("show-buffer"); got != "424242" {
		t.Errorf("tmux buffer %q, want 424242", got)
	}
	if holds, checked := c.Holds("424242", r); !holds || !checked {
		t.Errorf("holds %v checked %v", holds, checked)
	}
	c.Clear("424242", r)
	if out, _ := exec.Command("tmux", "-S", strings.Split(tmuxEnv, ",")[0], "list-buffers").CombinedOutput(); strings.Contains(string(out), "424242") {
		t.Errorf("after clearing, buffers: %s", out)
	}
}

// TestPendingClear: a clear handed to another process (vmfa quit before
// the delay) waits for its time and clears what the copy reached.
func TestPendingClear(t *testing.T) {
	c, f := newFake([]string{"TERM=tmux-256color", "TMUX=/tmp/s,1,0", "DISPLAY=:0"}, "tmux", "xsel")
	f.options["set-clipboard"] = "on"
	r := c.Copy("314159")
	at := time.Now().Add(20 * time.Second)
	enc, err := EncodePending("314159", r, at)
	if err != nil {
		t.Fatal(err)
	}
	var slept time.Duration
	var term strings.Builder
	c2, f2 := newFake([]string{"TERM=tmux-256color", "TMUX=/tmp/s,1,0", "DISPLAY=:0"}, "tmux", "xsel")
	f2.clip = f.clip // the same clipboards, seen from another process
	out, err := c2.ClearPending(enc, &term, func(d time.Duration) { slept = d })
	if err != nil {
		t.Fatal(err)
	}
	if slept < 19*time.Second || slept > 20*time.Second {
		t.Errorf("waited %s, want about 20s", slept)
	}
	if f.clip["tmux"] != "" || f.clip["xsel"] != "" || out.Where() != "the tmux buffer, the terminal clipboard and the system clipboard" {
		t.Errorf("cleared %q; clipboards %q", out.Where(), f.clip)
	}
	if _, err := c2.ClearPending([]byte("{"), &term, func(time.Duration) {}); err == nil {
		t.Error("a damaged description was accepted")
	}
}
