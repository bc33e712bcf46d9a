//go:build !windows

package main

import (
	"os/exec"
	"syscall"
)

// noControllingTerminal starts c in a new session, without the test's
// terminal.
func noControllingTerminal(c *exec.Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
