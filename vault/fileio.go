package vault

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/fsutil"
)

// lockFile takes the exclusive cross-process lock of path.
func lockFile(path string) (func(), error) {
	unlock, err := fsutil.Lock(path, true)
	if err != nil {
		return nil, fmt.Errorf("cannot lock the vault: %w", err)
	}
	return unlock, nil
}

// writeAtomic replaces path with data (mode 0600) so that a crash at any
// instant leaves either the old file or the new one.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", dir, err)
	}
	if err := fsutil.WriteAtomic(path, data, 0o600); err != nil {
		return fmt.Errorf("cannot write the vault: %w", err)
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
