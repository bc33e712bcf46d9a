// Package agent keeps the data keys of unlocked passphrase vaults in a
// small background process, in the manner of ssh-agent and rbw-agent, so
// that the passphrase is asked (and argon2id run) once per session rather
// than once per command.
//
// The agent is the vmfa binary re-executed (Start); it listens on a unix
// socket, mode 0600, in $XDG_RUNTIME_DIR/vmfa (mode 0700), answers only
// processes of its own user (SO_PEERCRED), keeps keys in memory locked
// against swapping and excluded from core dumps, forgets each key when its
// time is up and exits when it holds none. Clients (the CLI, the TUI) call
// Lookup or Get with a vault ID; the vault checks any key it is handed
// against its header, so a wrong key is never used.
//
// Protocol: one request line per connection, one answer line.
//
//	GET <vault id>                 -> KEY <base64> | ERR <reason>
//	PUT <vault id> <secs> <base64> -> OK
//	STATUS                         -> OK <pid> [<vault id>=<unix expiry>]...
//	STOP                           -> OK, and the agent ends
package agent

import (
	"errors"
	"os"
	"path/filepath"
	"time"
)

// Limits of the unlock time.
const (
	DefaultTTL = 15 * time.Minute
	MinTTL     = time.Second
	MaxTTL     = 24 * time.Hour
	// MaxKeys is how many vault keys one agent holds at once.
	MaxKeys = 64
	keySize = 32
)

// Errors of the client calls.
var (
	// ErrNoAgent: no agent is running for this user (no socket, or a stale
	// one), or $XDG_RUNTIME_DIR is unset.
	ErrNoAgent = errors.New("no unlock agent is running")
	// ErrNotHeld: the agent runs but does not hold this vault's key (it
	// expired, or another vault was unlocked).
	ErrNotHeld = errors.New("the unlock agent does not hold this vault's key")
	// ErrRefused: the agent, or the process at its socket, belongs to
	// another user.
	ErrRefused = errors.New("the unlock agent belongs to another user")
	// ErrNoRuntimeDir: $XDG_RUNTIME_DIR is unset or unsafe.
	ErrNoRuntimeDir = errors.New("XDG_RUNTIME_DIR is not set (it is where the agent's socket lives; a login session sets it)")
)

// Dir is the agent's directory, $XDG_RUNTIME_DIR/vmfa.
func Dir() (string, error) {
	rt := os.Getenv("XDG_RUNTIME_DIR")
	if rt == "" || !filepath.IsAbs(rt) {
		return "", ErrNoRuntimeDir
	}
	return filepath.Join(rt, "vmfa"), nil
}

// SocketPath is the agent's socket, $XDG_RUNTIME_DIR/vmfa/agent.sock.
func SocketPath() (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "agent.sock"), nil
}

// Held is a vault key the agent holds.
type Held struct {
	VaultID string
	Expires time.Time
}

// Status is what a running agent holds.
type Status struct {
	PID   int
	Vault []Held
}
