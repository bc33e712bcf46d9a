//go:build !windows

package main

import (
	"os/exec"
	"syscall"
)

// detachFromTerminal starts c in a session of its own, so the shell's
// ctrl+c (sent to the terminal's foreground group) does not reach it.
func detachFromTerminal(c *exec.Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
