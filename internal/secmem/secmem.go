// Package secmem holds small secrets (vault data keys) in memory that is
// locked against swapping (mlock), left out of core dumps where the system
// allows (MADV_DONTDUMP), and zeroed when freed. Where locking is not
// available the secret still lives in one place and is zeroed on Free.
//
// Go copies keys it hands to crypto code (an AEAD keeps its own copy on the
// heap); this package keeps the long-lived copy out of swap and makes
// closing a vault wipe it.
package secmem

import "sync"

// SlotSize is the largest secret Alloc places in locked memory; larger
// requests get ordinary memory (still zeroed by Free).
const SlotSize = 64

var (
	mu    sync.Mutex
	free  [][]byte // free slots, each SlotSize long
	pages int      // pages mapped so far
)

// Alloc returns n zero bytes for a secret; release them with Free.
func Alloc(n int) []byte {
	if n > SlotSize || n < 0 {
		return make([]byte, n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(free) == 0 {
		page, ok := lockedPage()
		if !ok {
			return make([]byte, n, SlotSize)
		}
		pages++
		for i := 0; i+SlotSize <= len(page); i += SlotSize {
			free = append(free, page[i:i+SlotSize:i+SlotSize])
		}
	}
	s := free[len(free)-1]
	free = free[:len(free)-1]
	return s[:n]
}

// Free zeroes b and gives its slot back. b must come from Alloc and must
// not be used afterwards; Free(nil) does nothing.
func Free(b []byte) {
	if b == nil {
		return
	}
	b = b[:cap(b)]
	clear(b)
	if cap(b) != SlotSize || !isLocked(b) {
		return
	}
	mu.Lock()
	free = append(free, b)
	mu.Unlock()
}

// Locked reports whether b is in locked memory.
func Locked(b []byte) bool {
	return b != nil && cap(b) == SlotSize && isLocked(b[:cap(b)])
}
