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

// backupTimeLayout is the write time in a backup's name.
const backupTimeLayout = "20060102T150405.000000000Z"

// backup saves the current (still encrypted) file before a change and
// prunes all but the newest N backups of this vault, newest by the time
// they were written (not by the generation they hold: a restored or
// re-created vault writes lower generations again). keep, when not empty,
// is never pruned: the backup a restore is reading from. It returns the
// backup's path ("" when backups are off).
func (v *Vault) backup(raw []byte, gen uint64, keep string) (string, error) {
	n := v.opts.Backups
	if n == 0 {
		n = DefaultBackups
	}
	if n < 0 {
		return "", nil
	}
	dir := BackupDir(v.path)
	base := filepath.Base(v.path)
	name := filepath.Join(dir, fmt.Sprintf("%s.%020d.%s.bak", base, gen, time.Now().UTC().Format(backupTimeLayout)))
	if err := writeAtomic(name, raw); err != nil {
		return "", fmt.Errorf("cannot keep a backup, vault left unchanged: %w", err)
	}
	bs, _ := Backups(v.path)
	for i := 0; i < len(bs)-n; i++ {
		if bs[i] != name && !sameFile(bs[i], keep) {
			os.Remove(bs[i])
		}
	}
	return name, nil
}

func sameFile(a, b string) bool {
	if b == "" {
		return false
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// parseBackupName reads "BASE.GENERATION.TIME.bak" (rest == ".bak") or a
// writer's temporary file for one (rest starts ".bak.tmp-").
func parseBackupName(base, name string) (gen uint64, written time.Time, rest string, ok bool) {
	s, found := strings.CutPrefix(name, base+".")
	if !found {
		return 0, time.Time{}, "", false
	}
	g, s, found := strings.Cut(s, ".")
	if !found || len(g) != 20 {
		return 0, time.Time{}, "", false
	}
	gen, err := strconv.ParseUint(g, 10, 64)
	if err != nil || len(s) < len(backupTimeLayout) {
		return 0, time.Time{}, "", false
	}
	written, err = time.Parse(backupTimeLayout, s[:len(backupTimeLayout)])
	if err != nil || written.Format(backupTimeLayout) != s[:len(backupTimeLayout)] { // exactly as vmfa writes it
		return 0, time.Time{}, "", false
	}
	return gen, written, s[len(backupTimeLayout):], true
}

// Backups lists a vault's backups, oldest first by the time they were
// written.
func Backups(vaultPath string) ([]string, error) {
	dir := BackupDir(vaultPath)
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	base := filepath.Base(vaultPath)
	type bak struct {
		path string
		gen  uint64
		at   time.Time
	}
	var bs []bak
	for _, e := range ents {
		gen, at, rest, ok := parseBackupName(base, e.Name())
		if ok && rest == ".bak" {
			bs = append(bs, bak{filepath.Join(dir, e.Name()), gen, at})
		}
	}
	sort.Slice(bs, func(i, j int) bool {
		if !bs[i].at.Equal(bs[j].at) {
			return bs[i].at.Before(bs[j].at)
		}
		return bs[i].gen < bs[j].gen
	})
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.path
	}
	return out, nil
}

// removeStaleTemps deletes the temporary files of writers of this vault
// that were killed before renaming them into place (fsutil.WriteAtomic's
// ".BASE.tmp-*", and the same for backups). Called under the vault's lock,
// so no live writer of this vault owns one.
func removeStaleTemps(vaultPath string) {
	base := filepath.Base(vaultPath)
	if ents, err := os.ReadDir(filepath.Dir(vaultPath)); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "."+base+".tmp-") && e.Type().IsRegular() {
				os.Remove(filepath.Join(filepath.Dir(vaultPath), e.Name()))
			}
		}
	}
	dir := BackupDir(vaultPath)
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			n, ok := strings.CutPrefix(e.Name(), ".")
			if !ok || !e.Type().IsRegular() {
				continue
			}
			if _, _, rest, ok := parseBackupName(base, n); ok && strings.HasPrefix(rest, ".bak.tmp-") {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
}
