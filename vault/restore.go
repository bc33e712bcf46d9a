package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// RestoreResult says what Restore did.
type RestoreResult struct {
	// From is the backup that was restored, and FromGeneration the write
	// generation it held.
	From           string
	FromGeneration uint64
	// Generation is the vault's generation now: above every generation
	// recorded, so the restored content is the newest version.
	Generation uint64
	// Previous is the backup of the vault file that was replaced ("" when
	// there was none, or backups are off).
	Previous string
}

// Restore puts a backup (or any older copy of the vault) back in place, on
// purpose: the one way past ErrRollback. Under the vault's lock it
// decrypts and authenticates the backup with the vault's key (keyring or
// passphrase, as for Open), keeps a backup of the file it replaces (even a
// damaged one), and writes the backup's content as a new generation above
// every one written so far, moving the generation record on. The backup
// file itself is kept. Nothing changes if the backup does not open.
//
// opts is as for Open (Path is the vault to replace; Create is ignored).
// The returned Vault is open on the restored content.
func Restore(opts Options, backup string) (*Vault, RestoreResult, error) {
	var res RestoreResult
	if opts.Path == "" {
		p, err := DefaultPath()
		if err != nil {
			return nil, res, err
		}
		opts.Path = p
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Create = ""
	opts.allowOlder = true
	if opts.Backups < 0 { // the file being replaced is always kept
		opts.Backups = DefaultBackups
	}
	abs, err := filepath.Abs(backup)
	if err != nil {
		return nil, res, err
	}
	res.From = abs
	raw, err := readFile(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, res, fmt.Errorf("no backup at %s", abs)
		}
		return nil, res, fmt.Errorf("cannot read the backup: %w", err)
	}
	v := &Vault{opts: opts, path: opts.Path}
	if err := v.load(raw); err != nil {
		return nil, res, fmt.Errorf("the backup %s does not open: %w", filepath.Base(abs), err)
	}
	res.FromGeneration = v.hdr.Generation

	if err := os.MkdirAll(filepath.Dir(v.path), 0o700); err != nil {
		return nil, res, fmt.Errorf("cannot create the vault directory: %w", err)
	}
	unlock, err := lockFile(v.path + ".lock")
	if err != nil {
		return nil, res, err
	}
	defer unlock()

	h := v.hdr
	next := h.Generation
	rec, err := v.recordedGeneration(h.Source, h.ID)
	if err != nil {
		return nil, res, err
	}
	next = max(next, rec)
	cur, err := readFile(v.path)
	switch {
	case err == nil:
		if ch, _, _, perr := parse(cur); perr == nil && ch.ID == h.ID {
			next = max(next, ch.Generation)
		}
	case errors.Is(err, fs.ErrNotExist):
		cur = nil
	default:
		return nil, res, fmt.Errorf("cannot read the vault: %w", err)
	}
	removeStaleTemps(v.path)
	if cur != nil {
		gen := uint64(0)
		if ch, _, _, perr := parse(cur); perr == nil {
			gen = ch.Generation
		}
		if res.Previous, err = v.backup(cur, gen, abs); err != nil {
			return nil, res, err
		}
	}
	h.Generation = next + 1
	h.Written = opts.Now().UTC()
	if err := v.commit(h, &v.data); err != nil {
		return nil, res, err
	}
	v.opts.allowOlder = false
	res.Generation = h.Generation
	return v, res, nil
}
