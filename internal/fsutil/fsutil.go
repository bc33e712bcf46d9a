// Package fsutil holds the file primitives vmfa's stores share: atomic
// replacement and cross-process advisory locks.
package fsutil

import (
	"os"
	"path/filepath"
)

// WriteAtomic replaces path with data so that a crash at any instant leaves
// either the old file or the new one: a temporary file in the same
// directory (created with perm), fsync, rename over path, fsync the
// directory. The directory must exist.
func WriteAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
