package procsec

import "golang.org/x/sys/unix"

// Harden sets RLIMIT_CORE to 0 and PR_SET_DUMPABLE to 0 (as KeePassXC
// does). Both are kept across fork but reset by exec.
func Harden() error {
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0}); err != nil {
		return err
	}
	return unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}
