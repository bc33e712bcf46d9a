package vault

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/argon2"
)

// KeySource says where a vault's data key comes from.
type KeySource string

// Key sources. Auto is only meaningful when creating a vault: the keyring
// when one is reachable, otherwise an error explaining the passphrase option.
const (
	KeyringSource    KeySource = "keyring"
	PassphraseSource KeySource = "passphrase"
	Auto             KeySource = "auto"
)

// KeyringService is the keyring service name under which data keys live.
const KeyringService = "vmfa"

// DefaultKeyringTimeout bounds every keyring call: a Secret Service that
// waits forever on an unlock prompt must not hang vmfa.
const DefaultKeyringTimeout = 10 * time.Second

// KeyStore is the part of an OS keyring the vault uses. The default is the
// system keyring through go-keyring; tests inject faults through it.
type KeyStore interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// SystemKeyring is the OS keyring (Secret Service on Linux, Keychain on
// macOS, Credential Manager on Windows).
type SystemKeyring struct{}

// Get implements KeyStore.
func (SystemKeyring) Get(service, user string) (string, error) {
	if err := sessionBus(); err != nil {
		return "", err
	}
	return keyring.Get(service, user)
}

// Set implements KeyStore.
func (SystemKeyring) Set(service, user, pw string) error {
	if err := sessionBus(); err != nil {
		return err
	}
	return keyring.Set(service, user, pw)
}

// Delete implements KeyStore.
func (SystemKeyring) Delete(service, user string) error {
	if err := sessionBus(); err != nil {
		return err
	}
	return keyring.Delete(service, user)
}

// errNoSessionBus is returned on Linux and the BSDs when there is no D-Bus
// session bus to reach a Secret Service through.
var errNoSessionBus = errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset, as in SSH sessions)")

// sessionBus checks that a D-Bus session bus can be found without
// autolaunching one: with no bus address, godbus runs dbus-launch, which
// leaves a dbus-daemon and a keyring daemon running after vmfa exits.
func sessionBus() error {
	switch runtime.GOOS {
	case "darwin", "windows":
		return nil
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return nil
		}
	}
	return errNoSessionBus
}

// keyringUser is the keyring item name of a vault: one item per vault.
func keyringUser(vaultID string) string { return "vault-" + vaultID }

// withTimeout runs f on its own goroutine and gives up after d. A keyring
// call that never returns leaks one goroutine; vmfa stays responsive.
func withTimeout(ctx context.Context, d time.Duration, f func() error) error {
	if d <= 0 {
		d = DefaultKeyringTimeout
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return fmt.Errorf("%w after %s", ErrKeyringTimeout, d)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func classifyKeyringErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrKeyringTimeout):
		return err
	case errors.Is(err, keyring.ErrNotFound):
		return ErrKeyMissing
	}
	// Any other failure: no Secret Service, a locked collection whose unlock
	// was refused, D-Bus missing. The underlying text carries no secret.
	return fmt.Errorf("%w: %v", ErrKeyringUnavailable, err)
}

func (v *Vault) keyringGet(vaultID string) ([]byte, error) {
	var s string
	err := withTimeout(context.Background(), v.opts.KeyringTimeout, func() error {
		var err error
		s, err = v.keys().Get(KeyringService, keyringUser(vaultID))
		return err
	})
	if err = classifyKeyringErr(err); err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%w (the keyring item is not a vmfa key)", ErrWrongKey)
	}
	return key, nil
}

func (v *Vault) keyringSet(vaultID string, key []byte) error {
	enc := base64.StdEncoding.EncodeToString(key)
	return classifyKeyringErr(withTimeout(context.Background(), v.opts.KeyringTimeout, func() error {
		return v.keys().Set(KeyringService, keyringUser(vaultID), enc)
	}))
}

func (v *Vault) keys() KeyStore {
	if v.opts.Keys != nil {
		return v.opts.Keys
	}
	return SystemKeyring{}
}

// KDFParams are argon2id parameters for passphrase vaults.
type KDFParams struct {
	Algorithm string `json:"alg"` // "argon2id"
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"t"`
	MemoryKiB uint32 `json:"m"`
	Threads   uint8  `json:"p"`
}

// DefaultKDF is what new passphrase vaults use: argon2id, 64 MiB, 3 passes
// (about a quarter of a second on a laptop core).
var DefaultKDF = KDFParams{Algorithm: "argon2id", Time: 3, MemoryKiB: 64 * 1024, Threads: 2}

// Limits on the argon2id parameters a passphrase vault's header may ask
// for: near what vmfa writes (DefaultKDF: 64 MiB, 3 passes, 2 lanes), so
// an edited header cannot make vmfa spend minutes and gigabytes before
// saying "wrong passphrase". At the limits a derivation costs about 13
// times the default (a few seconds). A header over them is damaged.
const (
	MaxKDFMemoryKiB = 256 * 1024
	MaxKDFTime      = 10
	MaxKDFThreads   = 16
	maxKDFSalt      = 64
)

// errKDFLimits is wrapped in ErrCorrupt when a header asks for more.
var errKDFLimits = fmt.Errorf("key derivation parameters outside vmfa's limits (argon2id, at most %d MiB, %d passes, %d lanes)",
	MaxKDFMemoryKiB>>10, MaxKDFTime, MaxKDFThreads)

// check refuses parameters vmfa does not write.
func (p KDFParams) check() error {
	if p.Algorithm != "argon2id" || len(p.Salt) < 16 || len(p.Salt) > maxKDFSalt || p.Time == 0 || p.Time > MaxKDFTime ||
		p.Threads == 0 || p.Threads > MaxKDFThreads || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > MaxKDFMemoryKiB {
		return errKDFLimits
	}
	return nil
}

func (p KDFParams) derive(pass []byte) ([]byte, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return argon2.IDKey(pass, p.Salt, p.Time, p.MemoryKiB, p.Threads, 32), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("vmfa: crypto/rand failed: " + err.Error())
	}
	return b
}
