//go:build unix

package secmem

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// regions are the locked pages, to tell their slots from heap memory.
var regions []region

type region struct{ start, end uintptr }

func lockedPage() ([]byte, bool) {
	size := os.Getpagesize()
	page, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil, false
	}
	if err := unix.Mlock(page); err != nil { // RLIMIT_MEMLOCK reached
		unix.Munmap(page)
		return nil, false
	}
	dontDump(page)
	start := uintptr(unsafe.Pointer(&page[0]))
	regions = append(regions, region{start, start + uintptr(size)})
	return page, true
}

func isLocked(b []byte) bool {
	p := uintptr(unsafe.Pointer(&b[0]))
	mu.Lock()
	defer mu.Unlock()
	for _, r := range regions {
		if p >= r.start && p < r.end {
			return true
		}
	}
	return false
}
