package secmem

import "golang.org/x/sys/unix"

func dontDump(page []byte) { unix.Madvise(page, unix.MADV_DONTDUMP) }
