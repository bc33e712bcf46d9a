package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/fsutil"
)

// ErrRollback is returned when a vault file is older than the newest
// version this machine has seen written: an older copy (a backup, a file
// synced back, a restored snapshot) was put in its place. Opening it
// silently would hand HOTP codes out twice, bring deleted accounts back and
// move the software key's signature counter backwards. A rollback on
// purpose is done with Restore (the CLI's `vmfa restore BACKUP`).
var ErrRollback = errors.New("the vault file is older than the last version written (rolled back)")

// The generation record.
//
// Every write bumps the header's generation. The highest generation written
// (or seen) is also recorded outside the vault file, by vault ID:
//
//   - keyring vaults: a second keyring item, service "vmfa", user
//     "generation-<id>", holding the decimal number;
//   - passphrase vaults: the file $XDG_STATE_HOME/vmfa/generation-<id>
//     (~/.local/state/vmfa), and the same keyring item when a keyring is
//     reachable.
//
// Opening a vault whose generation is below the record is ErrRollback.
// The record is written after the vault file (a crash in between leaves a
// record behind the file, which the next open moves up), and only ever
// moves up: writers hold a per-vault lock in the state directory and
// write the larger of the two numbers.

// StateDir is vmfa's state directory: $XDG_STATE_HOME/vmfa, else
// ~/.local/state/vmfa.
func StateDir() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find the home directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "vmfa"), nil
}

// keyringGenUser is the keyring item holding a vault's generation record.
func keyringGenUser(vaultID string) string { return "generation-" + vaultID }

// passphraseKeyringTimeout bounds the optional keyring calls of passphrase
// vaults: their users often have no keyring at all, or one that is locked.
const passphraseKeyringTimeout = 2 * time.Second

func (v *Vault) stateDir() string {
	if v.opts.StateDir != "" {
		return v.opts.StateDir
	}
	d, err := StateDir()
	if err != nil {
		return ""
	}
	return d
}

// genKeyring says whether the keyring takes part in the record for a vault
// with key source src, and the timeout of its calls.
func (v *Vault) genKeyring(src KeySource) (bool, time.Duration) {
	if src == KeyringSource {
		return true, v.opts.KeyringTimeout
	}
	if v.genKeyringDown.Load() {
		return false, 0
	}
	if v.opts.Keys == nil && sessionBus() != nil {
		return false, 0
	}
	d := v.opts.KeyringTimeout
	if d <= 0 || d > passphraseKeyringTimeout {
		d = passphraseKeyringTimeout
	}
	return true, d
}

// recordedGeneration is the highest generation recorded for a vault, 0 if
// none. For keyring vaults a keyring failure is an error (the key came
// from the same keyring); for passphrase vaults the keyring is optional.
func (v *Vault) recordedGeneration(src KeySource, id string) (uint64, error) {
	var rec uint64
	if src == PassphraseSource {
		if dir := v.stateDir(); dir != "" {
			rec = readGenFile(filepath.Join(dir, keyringGenUser(id)))
		}
	}
	if use, d := v.genKeyring(src); use {
		g, err := v.keyringGen(id, d)
		switch {
		case err == nil:
			rec = max(rec, g)
		case src == KeyringSource:
			return 0, err
		default:
			v.genKeyringDown.Store(true)
		}
	}
	return rec, nil
}

// recordGeneration moves the record up to gen. Failures are not errors:
// the vault file is already written, and the next open moves a lagging
// record up. With check false the keyring record is set without being
// read first: writers that hold the vault's lock and have just checked
// the record (every generation above it is theirs to write) save a round
// trip; the others only ever move it up.
func (v *Vault) recordGeneration(src KeySource, id string, gen uint64, check bool) {
	dir := v.stateDir()
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err == nil {
			if unlock, err := fsutil.Lock(filepath.Join(dir, keyringGenUser(id)+".lock"), true); err == nil {
				defer unlock()
			}
		}
	}
	if src == PassphraseSource && dir != "" {
		p := filepath.Join(dir, keyringGenUser(id))
		if readGenFile(p) < gen {
			fsutil.WriteAtomic(p, []byte(strconv.FormatUint(gen, 10)+"\n"), 0o600)
		}
	}
	if use, d := v.genKeyring(src); use {
		var cur uint64
		if check {
			var err error
			if cur, err = v.keyringGen(id, d); err != nil {
				if src != KeyringSource {
					v.genKeyringDown.Store(true)
				}
				return
			}
		}
		if cur < gen {
			s := strconv.FormatUint(gen, 10)
			err := classifyKeyringErr(withTimeout(context.Background(), d, func() error {
				return v.keys().Set(KeyringService, keyringGenUser(id), s)
			}))
			if err != nil && src != KeyringSource {
				v.genKeyringDown.Store(true)
			}
		}
	}
}

// keyringGen reads the keyring record; a missing item is 0 (a vault made
// before records existed), junk in the item is 0 too (it is rewritten on
// the next write).
func (v *Vault) keyringGen(id string, d time.Duration) (uint64, error) {
	var s string
	err := classifyKeyringErr(withTimeout(context.Background(), d, func() error {
		var err error
		s, err = v.keys().Get(KeyringService, keyringGenUser(id))
		return err
	}))
	if errors.Is(err, ErrKeyMissing) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return parseGen(s), nil
}

// parseGen reads a keyring record; junk (or nothing) is 0.
func parseGen(s string) uint64 {
	g, _ := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	return g
}

func readGenFile(p string) uint64 {
	b, err := os.ReadFile(p)
	if err != nil || len(b) > 64 {
		return 0
	}
	g, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return g
}

// checkRollback refuses a header older than the record and moves a record
// that lags behind the file up. h must come from an authenticated open.
func (v *Vault) checkRollback(h header, rec uint64) error {
	if h.Generation < rec {
		return fmt.Errorf("%w: the file is write generation %d, but generation %d of this vault was already written; "+
			"if you put this copy back on purpose, restore it explicitly with 'vmfa restore %s'",
			ErrRollback, h.Generation, rec, v.path)
	}
	if h.Generation > rec {
		v.recordGeneration(h.Source, h.ID, h.Generation, true)
	}
	return nil
}

// validID reports whether a header's vault ID is safe to name files and
// keyring items with: NewID's lower-case hex.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
