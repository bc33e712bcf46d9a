//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the master, which the test
// holds, and the slave, which the process under test gets as its
// terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Fatalf("unlocking the pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Fatalf("naming the pty: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatalf("opening the pty: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// runInSilentPTY runs vmfa with a pty as its controlling terminal and
// stdin, stdout and stderr. The pty never answers anything (a terminal
// that ignores queries, as expect scripts and some serial consoles do);
// what vmfa writes to it is returned.
func runInSilentPTY(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	master, slave := openPTY(t)
	c := exec.Command(vmfaBin, args...)
	c.Env = append(os.Environ(), env...)
	c.Env = append(c.Env, "TERM=xterm-256color")
	c.Stdin, c.Stdout, c.Stderr = slave, slave, slave
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	var (
		mu  sync.Mutex
		out bytes.Buffer
	)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		// A hang check, not a speed limit: a command that waits for an
		// answer the terminal never gives would wait forever (or until
		// a library's own timeout) here.
		_ = c.Process.Kill()
		<-done
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("vmfa %v did not finish in a terminal that never answers; it wrote %q", args, out.String())
	}
	select {
	case <-readDone:
	case <-time.After(5 * time.Second):
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return out.String(), code
}

// TestCodeInSilentTerminal: the CLI commands write their output and
// nothing else to a terminal (no colour query, no escape sequence) and
// never wait for it to answer. Bubble Tea v1 asked the terminal for its
// background colour in its package init, so every command printed
// ESC]11;? and, in a terminal that never answers, waited 5 s for a reply.
func TestCodeInSilentTerminal(t *testing.T) {
	env := vaultEnv(t)
	if r := vmfa(t, env, rfcURI, "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"code", "alice", "--at", "59"}, "287082\r\n"},
		{[]string{"code", "alice", "--at", "59", "--next"}, "287082 359152\r\n"},
	} {
		out, code := runInSilentPTY(t, env, c.args...)
		if code != 0 || out != c.want {
			t.Errorf("vmfa %v in a silent terminal: exit %d, wrote %q; want exit 0 and exactly %q", c.args, code, out, c.want)
		}
	}
	out, code := runInSilentPTY(t, env, "list")
	if code != 0 || !bytes.Contains([]byte(out), []byte("ACME")) || bytes.ContainsRune([]byte(out), 0x1b) {
		t.Errorf("vmfa list in a silent terminal: exit %d, wrote %q; want the list and no escape sequence", code, out)
	}
}
