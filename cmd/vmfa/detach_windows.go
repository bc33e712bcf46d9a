//go:build windows

package main

import (
	"os/exec"
	"syscall"
)

// detachFromTerminal starts c in a process group of its own, so the
// console's ctrl+c does not reach it.
func detachFromTerminal(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
