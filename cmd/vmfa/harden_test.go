//go:build linux

package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryIsNotDumpableAndDumpsNoCore starts the real binary (blocked
// reading a URI on stdin) and looks at it from outside: RLIMIT_CORE 0 in
// /proc/PID/limits, and /proc/PID owned by root, which is how the kernel
// shows a process that is not dumpable (PR_SET_DUMPABLE 0).
func TestBinaryIsNotDumpableAndDumpsNoCore(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("prctl(PR_SET_DUMPABLE) is Linux's")
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_CORE, &lim); err != nil || lim.Max == 0 {
		t.Skip("core dumps are already off for this process tree; nothing to tell apart")
	}
	lim.Cur = lim.Max // the child inherits a non-zero limit to lower
	syscall.Setrlimit(syscall.RLIMIT_CORE, &lim)

	// As root, run the child as nobody: a dumpable child's /proc/PID is
	// then owned by nobody, a non-dumpable one's by root.
	dir, err := os.MkdirTemp("", "vmfa-dump")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "vmfa")
	src, _ := os.ReadFile(vmfaBin)
	if err := os.WriteFile(bin, src, 0o755); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(bin, "add", "--uri", "-")
	c.Env = []string{"HOME=" + dir, "VMFA_VAULT=" + filepath.Join(dir, "vault.vmfa"), "PATH=/usr/bin:/bin"}
	uid := os.Getuid()
	if uid == 0 {
		uid = 65534
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	stdin, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); c.Wait() }()
	proc := filepath.Join("/proc", strconv.Itoa(c.Process.Pid))

	// Wait until vmfa reads stdin: by then start-up is over.
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(proc, "syscall"))
		wchan, _ := os.ReadFile(filepath.Join(proc, "wchan"))
		if strings.HasPrefix(string(b), "0 ") || strings.Contains(string(wchan), "pipe_read") || strings.Contains(string(wchan), "wait") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("vmfa never got to reading stdin")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if core := coreLimit(t, filepath.Join(proc, "limits")); core != "0 0" {
		t.Errorf("RLIMIT_CORE of vmfa is %q, want 0 0", core)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(proc, "environ"), &st); err != nil {
		t.Fatal(err)
	}
	if int(st.Uid) == uid {
		t.Errorf("/proc/PID/environ is owned by uid %d (the process's own): vmfa is dumpable", st.Uid)
	} else if st.Uid != 0 {
		t.Errorf("/proc/PID/environ owned by %d", st.Uid)
	}
}

func coreLimit(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "Max core file size"); ok {
			fs := strings.Fields(rest)
			if len(fs) >= 2 {
				return fs[0] + " " + fs[1]
			}
		}
	}
	t.Fatal("no core limit in " + path)
	return ""
}

// TestStartupTakesSecretsOutOfTheEnvironment runs main's start-up in a
// child (this test binary) and lets that child start a process of its own,
// as the TUI starts clipboard helpers: the helper must not see the secrets.
func TestStartupTakesSecretsOutOfTheEnvironment(t *testing.T) {
	if os.Getenv("VMFA_STARTUP_CHILD") != "" {
		startup()
		out, err := exec.Command("env").Output()
		if err != nil {
			t.Fatal(err)
		}
		os.Stdout.Write(out)
		return
	}
	c := exec.Command(os.Args[0], "-test.run=^TestStartupTakesSecretsOutOfTheEnvironment$")
	c.Env = append(os.Environ(), "VMFA_STARTUP_CHILD=1", "VMFA_PASSPHRASE=pp-secret",
		"VMFA_IMPORT_PASSWORD=imp-secret", "VMFA_PSKC_PASSPHRASE=pskc-secret", "VMFA_NOT_SECRET=visible")
	stdout, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(stdout)
	if err := c.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "VMFA_NOT_SECRET=visible") {
		t.Fatalf("the grandchild's environment was not seen:\n%s", out)
	}
	for _, s := range []string{"pp-secret", "imp-secret", "pskc-secret"} {
		if strings.Contains(string(out), s) {
			t.Errorf("a child process inherited %s", s)
		}
	}
}
