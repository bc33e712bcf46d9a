//go:build windows

package main

import "os/exec"

// noControllingTerminal: Windows has no controlling terminals to leave.
func noControllingTerminal(c *exec.Cmd) {}
