package tui

import (
	"errors"

	"github.com/vmfa/vmfa/vault"
)

// vaultStore adapts a *vault.Vault to Store.
type vaultStore struct{ v *vault.Vault }

// VaultStore returns the Store the TUI uses for an open vault.
func VaultStore(v *vault.Vault) Store { return vaultStore{v} }

func (s vaultStore) Accounts() []vault.Account        { return s.v.Accounts() }
func (s vaultStore) Add(accts ...vault.Account) error { return s.v.Add(accts...) }
func (s vaultStore) AdvanceHOTP(id string, n uint64) (vault.Account, error) {
	return s.v.AdvanceHOTP(id, n)
}
func (s vaultStore) Delete(id string) error { return s.v.Remove(id) }

// Reload re-reads the vault file; the key is not asked for again.
func (s vaultStore) Reload() (bool, error) {
	g := s.v.Generation()
	if err := s.v.Reload(); err != nil {
		return false, err
	}
	return s.v.Generation() != g, nil
}

func (s vaultStore) Edit(id string, fn func(a *vault.Account) error) error {
	_, err := s.v.Edit(id, fn)
	return err
}

func (s vaultStore) Reorder(ids []string) error {
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		pos[id] = i + 1
	}
	return s.v.Update(func(d *vault.Data) error {
		for i := range d.Accounts {
			if p, ok := pos[d.Accounts[i].ID]; ok {
				d.Accounts[i].Order = p
			}
		}
		return nil
	})
}

// OpenVault returns an Opener for vault.Open with opts. A passphrase
// typed on the TUI's passphrase screen wins; before one is typed,
// opts.Passphrase (say, from the environment) is used when set, else the
// TUI shows its passphrase screen.
func OpenVault(opts vault.Options) Opener {
	return func(pass func(confirm bool) ([]byte, error)) (Store, error) {
		v, err := vault.Open(typedPassphraseFirst(opts, pass))
		if err != nil {
			return nil, err
		}
		return VaultStore(v), nil
	}
}

// typedPassphraseFirst returns opts asking pass (the passphrase screen)
// for the passphrase, and opts' own Passphrase while none was typed.
func typedPassphraseFirst(opts vault.Options, pass func(confirm bool) ([]byte, error)) vault.Options {
	o := opts
	o.Passphrase = func(confirm bool) ([]byte, error) {
		p, err := pass(confirm)
		if errors.Is(err, ErrNeedPassphrase) && opts.Passphrase != nil {
			return opts.Passphrase(confirm)
		}
		return p, err
	}
	return o
}
