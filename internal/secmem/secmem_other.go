//go:build !unix

package secmem

func lockedPage() ([]byte, bool) { return nil, false }

func isLocked([]byte) bool { return false }
