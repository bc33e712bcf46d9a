package vault

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"fmt"
)

// ErrSameSource is returned by Rekey when the vault already uses the
// requested key source.
var ErrSameSource = errors.New("the vault already uses this key source")

// newKey makes the key of a vault with this ID and source: a random key
// stored in the keyring, or one derived from a new passphrase (asked
// twice) with fresh salt.
func (v *Vault) newKey(id string, src KeySource, passphrase func(confirm bool) ([]byte, error)) (*KDFParams, []byte, error) {
	switch src {
	case KeyringSource:
		key := randomBytes(32)
		if err := v.keyringSet(id, key); err != nil {
			return nil, nil, err
		}
		return nil, key, nil
	case PassphraseSource:
		if passphrase == nil {
			return nil, nil, ErrPassphraseRequired
		}
		pass, err := passphrase(true)
		if err != nil {
			return nil, nil, err
		}
		defer clear(pass)
		if len(pass) == 0 {
			return nil, nil, errors.New("the passphrase is empty")
		}
		p := DefaultKDF
		if v.opts.KDF != nil {
			p = *v.opts.KDF
		}
		p.Salt = randomBytes(16)
		if err := p.check(); err != nil { // never write a header vmfa would refuse
			return nil, nil, err
		}
		key, err := p.derive(pass)
		if err != nil {
			return nil, nil, err
		}
		return &p, key, nil
	}
	return nil, nil, fmt.Errorf("unknown key source %q", src)
}

// Rekey re-encrypts the vault in place under a new key: from the keyring
// or a passphrase (to), with every account and blob kept. The new
// passphrase comes from passphrase (asked with confirm true). Rekey from
// a passphrase to a passphrase changes the passphrase.
//
// The change is one atomic write under the vault's lock, after an
// encrypted backup of the previous file (kept even with Backups < 0: it
// is the way back). The generation record (see ErrRollback) moves along.
// The vault gets a new ID, so the keyring item of the
// old key stays where it is and the backups sealed with it still open;
// other processes holding the vault open are told to reopen it.
func (v *Vault) Rekey(to KeySource, passphrase func(confirm bool) ([]byte, error)) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	raw, h, d, unlock, err := v.readLocked()
	if err != nil {
		return err
	}
	defer unlock()
	if to == h.Source && to != PassphraseSource {
		return fmt.Errorf("%w (%s)", ErrSameSource, to)
	}
	nh := h
	nh.ID = NewID()
	nh.KDF, nh.Source = nil, to
	kdf, key, err := v.newKey(nh.ID, to, passphrase)
	if err != nil {
		if to == KeyringSource {
			return fmt.Errorf("cannot store the new key in the keyring: %w", err)
		}
		return err
	}
	defer clear(key) // setKey below moves it to locked memory
	nh.KDF = kdf
	nh.Check = keyCheck(key)
	nh.Generation = h.Generation + 1
	nh.Written = v.opts.Now().UTC()
	out, err := seal(nh, key, d)
	if err != nil {
		return err
	}
	// Read back before replacing anything: the new file must open with
	// the new key and hold the same content.
	if _, back, err := open(out, key); err != nil || !sameData(back, d) {
		return fmt.Errorf("%w: the re-encrypted vault did not read back; nothing was changed", ErrCorrupt)
	}
	saved := v.opts.Backups
	if saved < 0 { // keep this one backup, prune none
		bs, _ := Backups(v.path)
		v.opts.Backups = len(bs) + 1
	}
	_, err = v.backup(raw, h.Generation, "")
	v.opts.Backups = saved
	if err != nil {
		return err
	}
	if err := writeAtomic(v.path, out); err != nil {
		return err
	}
	// The generation record moves with the key: the new ID starts at the
	// new generation, and the old ID's record moves past the file just
	// replaced, so that putting the pre-rekey file back is a rollback
	// (Restore can still do it on purpose).
	v.recordGeneration(nh.Source, nh.ID, nh.Generation, false)
	v.recordGeneration(h.Source, h.ID, h.Generation+1, true)
	v.setKey(key)
	v.hdr, v.data = nh, *d
	return nil
}

func sameData(a, b *Data) bool {
	if len(a.Accounts) != len(b.Accounts) || len(a.Blobs) != len(b.Blobs) {
		return false
	}
	for i := range a.Accounts {
		x, y := &a.Accounts[i], &b.Accounts[i]
		if x.ID != y.ID || !hmac.Equal(x.Secret, y.Secret) || x.Counter != y.Counter {
			return false
		}
	}
	for k, x := range a.Blobs {
		if !bytes.Equal(x, b.Blobs[k]) {
			return false
		}
	}
	return true
}

// ID is the vault's ID: the name of its keyring item, and what an unlock
// agent files its key under.
func (v *Vault) ID() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.hdr.ID
}

// Key returns a copy of the vault's data key, for an unlock agent to hold
// (vmfa unlock). The caller must clear it when done.
func (v *Vault) Key() []byte {
	v.mu.Lock()
	defer v.mu.Unlock()
	return bytes.Clone(v.key)
}

// cachedKey asks Options.KeyCache for the key of a passphrase vault and
// returns it only if it is this vault's key.
func (v *Vault) cachedKey(h header) []byte {
	if v.opts.KeyCache == nil {
		return nil
	}
	key := v.opts.KeyCache(h.ID)
	if len(key) != 32 || !hmac.Equal(h.Check, keyCheck(key)) {
		clear(key)
		return nil
	}
	return key
}
