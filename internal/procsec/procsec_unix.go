//go:build unix && !linux

package procsec

import "golang.org/x/sys/unix"

// Harden sets RLIMIT_CORE to 0. (PR_SET_DUMPABLE is Linux's.)
func Harden() error {
	return unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
}
