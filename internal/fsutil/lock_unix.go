//go:build unix

package fsutil

import (
	"os"

	"golang.org/x/sys/unix"
)

// Lock takes an advisory lock (flock) on path, creating it 0600, and
// returns the function that releases it: exclusive for writers, shared for
// readers. The kernel releases it if the process dies, so a killed process
// never wedges a store.
func Lock(path string, exclusive bool) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
