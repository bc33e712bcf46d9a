package fsutil

import (
	"os"
)

// WriteNew creates path, which must not exist yet, with perm and writes
// data to it: O_EXCL, so an existing file is never overwritten, and
// O_NOFOLLOW, so a symlink planted at path is not followed (both fail
// with an error matching os.ErrExist or a symlink loop). A file whose
// write fails is removed again. For files vmfa hands to the user: exports,
// QR images.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}
