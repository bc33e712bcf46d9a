//go:build unix

package fsutil

import "syscall"

// oNoFollow refuses to open a symlink planted at the path.
const oNoFollow = syscall.O_NOFOLLOW
