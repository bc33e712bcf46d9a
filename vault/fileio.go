package vault

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// lockFile takes an exclusive advisory lock (flock) on path, creating it
// 0600, and returns the function that releases it. The lock is released by
// the kernel if the process dies, so a killed vmfa never wedges the vault.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the vault lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot lock the vault: %w", err)
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}

// writeAtomic replaces path with data so that a crash at any instant leaves
// either the old file or the new one: temp file in the same directory,
// fsync, rename over, fsync the directory.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write the vault: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("cannot write the vault: %w", err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("cannot write the vault: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("cannot write the vault: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("cannot write the vault: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("cannot write the vault: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// BackupDir is where encrypted backups of a vault are kept.
func BackupDir(vaultPath string) string {
	return filepath.Join(filepath.Dir(vaultPath), "backups")
}

// backup saves the current (still encrypted) file before a change and
// prunes all but the newest N backups of this vault.
func (v *Vault) backup(raw []byte, gen uint64) error {
	n := v.opts.Backups
	if n == 0 {
		n = DefaultBackups
	}
	if n < 0 {
		return nil
	}
	dir := BackupDir(v.path)
	base := filepath.Base(v.path)
	name := fmt.Sprintf("%s.%020d.%s.bak", base, gen, time.Now().UTC().Format("20060102T150405.000000000Z"))
	if err := writeAtomic(filepath.Join(dir, name), raw); err != nil {
		return fmt.Errorf("cannot keep a backup, vault left unchanged: %w", err)
	}
	bs, _ := Backups(v.path)
	for i := 0; i < len(bs)-n; i++ {
		os.Remove(bs[i])
	}
	return nil
}

// Backups lists a vault's backups, oldest first.
func Backups(vaultPath string) ([]string, error) {
	dir := BackupDir(vaultPath)
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	prefix := filepath.Base(vaultPath) + "."
	var out []string
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, ".bak") {
			continue
		}
		gen := strings.SplitN(strings.TrimPrefix(n, prefix), ".", 2)[0]
		if _, err := strconv.ParseUint(gen, 10, 64); err != nil {
			continue
		}
		out = append(out, filepath.Join(dir, n))
	}
	sort.Strings(out) // zero-padded generation, then time
	return out, nil
}
