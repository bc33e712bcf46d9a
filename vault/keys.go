package vault

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/argon2"

	"github.com/vmfa/vmfa/internal/secretservice"
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
func (k SystemKeyring) Get(service, user string) (string, error) {
	m, err := k.GetBatch(service, user)
	if err != nil {
		return "", err
	}
	p, ok := m[user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return p, nil
}

// GetBatch implements batchGetter. On a Secret Service it reads every
// item in one exchange of two round trips (internal/secretservice), which
// also tells whether the keyring is locked, so no separate question is
// asked. A locked keyring is ErrKeyringLocked where no one could answer
// an unlock prompt (no display); otherwise, and where there is no Secret
// Service (macOS, Windows), go-keyring is asked for each item in turn (it
// unlocks the keyring for the first).
func (SystemKeyring) GetBatch(service string, users ...string) (map[string]string, error) {
	if err := sessionBus(); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(users))
	m, err := lookup(service, users...)
	if err == nil {
		for u, p := range m {
			out[u] = string(p)
			clear(p)
		}
		lockedMu.Lock()
		seenUnlocked = true
		lockedMu.Unlock()
		return out, nil
	}
	if errors.Is(err, secretservice.ErrLocked) && noDisplay() {
		return nil, ErrKeyringLocked
	}
	if err := secretService(); err != nil {
		return nil, err
	}
	for _, u := range users {
		p, err := keyring.Get(service, u)
		if errors.Is(err, keyring.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, lockedOr(err)
		}
		out[u] = p
	}
	return out, nil
}

// lookup is the one-exchange Secret Service read. It is off for now
// (secretservice.ErrUnsupported, so go-keyring reads each item): with it,
// the throwaway gnome-keyring of make test aborted (a GLib assertion) in
// some full runs, and the cause is not found yet. Tests turn it on.
var lookup = func(service string, users ...string) (map[string][]byte, error) {
	if os.Getenv("VMFA_SECRETSERVICE_BATCH") == "1" {
		return secretservice.Lookup(service, users...)
	}
	return nil, secretservice.ErrUnsupported
}

// batchGetter is a KeyStore that reads several items of one service at
// once: a keyring vault's key and its generation record cost one exchange.
type batchGetter interface {
	GetBatch(service string, users ...string) (map[string]string, error)
}

// Set implements KeyStore.
func (SystemKeyring) Set(service, user, pw string) error {
	if err := secretService(); err != nil {
		return err
	}
	return lockedOr(keyring.Set(service, user, pw))
}

// Delete implements KeyStore.
func (SystemKeyring) Delete(service, user string) error {
	if err := secretService(); err != nil {
		return err
	}
	return lockedOr(keyring.Delete(service, user))
}

// ErrKeyringLocked is returned when the Secret Service's default collection
// is locked and could not be unlocked (no one to answer its prompt, as in
// an SSH session). It is also an ErrKeyringUnavailable.
var ErrKeyringLocked = fmt.Errorf("%w: the keyring is locked", ErrKeyringUnavailable)

// errNoSessionBus is returned on Linux and the BSDs when there is no D-Bus
// session bus to reach a Secret Service through.
var errNoSessionBus = errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus, as in SSH sessions)")

// secretService finds the session bus and, where no one could answer an
// unlock prompt (no display), fails at once with ErrKeyringLocked rather
// than waiting on a prompt nobody sees.
func secretService() error {
	if err := sessionBus(); err != nil {
		return err
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return nil
	}
	if noDisplay() && lockedAtStart() {
		return ErrKeyringLocked
	}
	return nil
}

// noDisplay: no graphical session, so no one to answer an unlock prompt.
func noDisplay() bool { return os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" }

var (
	lockedMu     sync.Mutex
	seenUnlocked bool
)

// lockedAtStart is keyringLocked, asked again only while the keyring is
// locked: once seen unlocked, the keyring calls of the process (the key,
// the generation record) do not each open another D-Bus connection to ask.
// A keyring locked later is still reported, by lockedOr.
func lockedAtStart() bool {
	lockedMu.Lock()
	defer lockedMu.Unlock()
	if seenUnlocked {
		return false
	}
	locked := keyringLocked()
	seenUnlocked = !locked
	return locked
}

// lockedOr turns a keyring failure into ErrKeyringLocked when the reason
// is a locked collection (an unlock prompt dismissed or unanswerable).
func lockedOr(err error) error {
	if err == nil || errors.Is(err, keyring.ErrNotFound) || runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return err
	}
	if keyringLocked() {
		return fmt.Errorf("%w (%v)", ErrKeyringLocked, err)
	}
	return err
}

// KeyringUnlocked reports, without prompting, whether a keyring is
// reachable and not locked: what a caller that must never cause an unlock
// prompt (shell completion) checks before opening a keyring vault.
func KeyringUnlocked() bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return true
	}
	return sessionBus() == nil && !keyringLocked()
}

// keyringLocked reports whether the Secret Service's default collection
// is locked. Any failure to tell is "not locked": the caller's own error
// then stands.
func keyringLocked() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	locked := make(chan bool, 1)
	go func() {
		for _, path := range []dbus.ObjectPath{"/org/freedesktop/secrets/collection/login", "/org/freedesktop/secrets/aliases/default"} {
			v, err := conn.Object("org.freedesktop.secrets", path).GetProperty("org.freedesktop.Secret.Collection.Locked")
			if err == nil {
				b, _ := v.Value().(bool)
				locked <- b
				return
			}
		}
		locked <- false
	}()
	select {
	case b := <-locked:
		return b
	case <-time.After(2 * time.Second):
		return false
	}
}

// sessionBus finds the D-Bus session bus without autolaunching one (with no
// bus address, godbus runs dbus-launch, which leaves a dbus-daemon and a
// keyring daemon running after vmfa exits). When DBUS_SESSION_BUS_ADDRESS
// is unset but $XDG_RUNTIME_DIR/bus is a socket (the user bus systemd
// starts for a desktop session, reachable from an SSH login of the same
// user), it is used, as libsystemd's sd_bus_open_user does.
func sessionBus() error {
	switch runtime.GOOS {
	case "darwin", "windows":
		return nil
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if addr := RuntimeBusAddress(); addr != "" {
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
		return nil
	}
	return errNoSessionBus
}

// RuntimeBusAddress is the D-Bus address of $XDG_RUNTIME_DIR/bus when that
// is a socket, else "".
func RuntimeBusAddress() string {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return ""
	}
	p := filepath.Join(dir, "bus")
	if st, err := os.Stat(p); err != nil || st.Mode().Type() != fs.ModeSocket {
		return ""
	}
	return "unix:path=" + dbus.EscapeBusAddressValue(p)
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
	case errors.Is(err, ErrKeyringTimeout), errors.Is(err, ErrKeyringLocked):
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
	if _, system := v.keys().(SystemKeyring); system && errors.Is(err, ErrKeyringTimeout) && keyringLocked() {
		err = fmt.Errorf("%w (an unlock prompt went unanswered)", ErrKeyringLocked)
	}
	if err = classifyKeyringErr(err); err != nil {
		return nil, err
	}
	return decodeKey(s)
}

func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%w (the keyring item is not a vmfa key)", ErrWrongKey)
	}
	return key, nil
}

// keyringKeyAndGen reads a keyring vault's key and its generation record
// together (one Secret Service exchange instead of two).
func (v *Vault) keyringKeyAndGen(bg batchGetter, vaultID string) ([]byte, uint64, error) {
	var m map[string]string
	err := withTimeout(context.Background(), v.opts.KeyringTimeout, func() error {
		var err error
		m, err = bg.GetBatch(KeyringService, keyringUser(vaultID), keyringGenUser(vaultID))
		return err
	})
	if err = classifyKeyringErr(err); err != nil {
		return nil, 0, err
	}
	s, ok := m[keyringUser(vaultID)]
	if !ok {
		return nil, 0, ErrKeyMissing
	}
	key, err := decodeKey(s)
	if err != nil {
		return nil, 0, err
	}
	return key, parseGen(m[keyringGenUser(vaultID)]), nil
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
