package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/vmfa/vmfa/internal/fsutil"
	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/vault"
)

// Store keeps a verifier's State. Update runs fn with exclusive access and
// persists whatever fn left in the state when it returns nil; when fn
// returns an error nothing is persisted by a FileStore (a MemoryStore keeps
// changes already made, so the verifier only fails before changing
// anything). View runs fn with read access; fn must not change the state.
type Store interface {
	Update(fn func(*State) error) error
	View(fn func(*State) error) error
}

// MemoryStore is a Store in memory, safe for concurrent use.
type MemoryStore struct {
	mu sync.RWMutex
	st *State
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{st: newState()} }

// Update implements Store.
func (m *MemoryStore) Update(fn func(*State) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(m.st)
}

// View implements Store.
func (m *MemoryStore) View(fn func(*State) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(m.st)
}

// FileStore keeps the state in one JSON file. Every operation takes an
// advisory lock (flock on FILE.lock), reads the file, and an Update writes
// a temporary file in the same directory, syncs it and renames it over the
// original, so a crash leaves the old or the new state, never half of one.
// The file is created with mode 0600: it holds the verifier's TOTP secrets
// in the clear.
type FileStore struct {
	Path string
	mu   sync.Mutex
}

// NewFileStore returns a store for path; the file is created on the first
// Update.
func NewFileStore(path string) *FileStore { return &FileStore{Path: path} }

// MaxStateSize bounds what a FileStore reads, and so what it writes: an
// update whose state would be larger is refused with ErrLimit before the
// file is touched, so a FileStore never writes a file it cannot read back.
// The limits on users, tokens, challenges and audit events keep a state
// far below it.
const MaxStateSize = 64 << 20

// stateSizeLimit is MaxStateSize; tests lower it.
var stateSizeLimit = MaxStateSize

// StatePath resolves the verifier state file the way every vmfa front end
// does: flag (the --state value) when set, else $VMFA_VERIFIER_STATE, else
// verifier.json in vmfa's data directory ($XDG_DATA_HOME/vmfa).
func StatePath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if p := os.Getenv("VMFA_VERIFIER_STATE"); p != "" {
		return p, nil
	}
	dir, err := vault.DataDir()
	if err != nil {
		return "", fmt.Errorf("%w: pass --state FILE or set $VMFA_VERIFIER_STATE", err)
	}
	return filepath.Join(dir, "verifier.json"), nil
}

// OpenFileStore returns the FileStore for path. Front ends open the state
// with OpenFileStore(StatePath(flag)) so that they all share one file. The
// file and its directory (mode 0700) are created by the first Update; a
// View of a state that does not exist yet sees an empty state and creates
// nothing, so a mistyped --state given to a read-only command ("status",
// "log") leaves no directory or lock file behind.
func OpenFileStore(path string) (*FileStore, error) {
	return NewFileStore(path), nil
}

func (f *FileStore) lock(exclusive bool) (func(), error) {
	f.mu.Lock()
	unlock, err := fsutil.Lock(f.Path+".lock", exclusive)
	if err != nil {
		f.mu.Unlock()
		return nil, fmt.Errorf("lock verifier state: %w", err)
	}
	return func() {
		unlock()
		f.mu.Unlock()
	}, nil
}

func (f *FileStore) read() (*State, error) {
	fh, err := os.Open(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read verifier state: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(fh, int64(stateSizeLimit)+1))
	fh.Close()
	if err != nil {
		return nil, fmt.Errorf("read verifier state: %w", err)
	}
	if len(b) > stateSizeLimit {
		return nil, fmt.Errorf("%w: %s is larger than the %s a state may be: not a state file? move it away", ErrStateDamaged, f.Path, sizeText(stateSizeLimit))
	}
	if len(bytes.TrimSpace(b)) == 0 {
		// FileStore never writes an empty file: this one lost its
		// content (a full disk, a truncation), and reading it as an
		// empty state would overwrite it at the next change.
		return nil, fmt.Errorf("%w: %s is empty: restore it from a backup or move it away", ErrStateDamaged, f.Path)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("%w: %s: %s: restore it from a backup or move it away", ErrStateDamaged, f.Path, textutil.JSONError(err, b))
	}
	if st.Version != 1 {
		return nil, fmt.Errorf("%w: %s has version %d, which this vmfa does not know: use the vmfa that wrote it, or move it away", ErrStateDamaged, f.Path, st.Version)
	}
	st.init()
	return &st, nil
}

func (f *FileStore) write(st *State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode verifier state: %w", err)
	}
	if len(b)+1 > stateSizeLimit {
		return fmt.Errorf("%w: the change would make the state file %s, more than the %s vmfa reads back; nothing was written (unbind unused users or start another --state)",
			ErrLimit, sizeText(len(b)+1), sizeText(stateSizeLimit))
	}
	if err := fsutil.WriteAtomic(f.Path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write verifier state: %w", err)
	}
	return nil
}

// Update implements Store.
func (f *FileStore) Update(fn func(*State) error) error {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return fmt.Errorf("create the verifier state directory: %w", err)
	}
	return f.locked(true, func(st *State) error {
		if err := fn(st); err != nil {
			return err
		}
		return f.write(st)
	})
}

// View implements Store.
func (f *FileStore) View(fn func(*State) error) error {
	return f.locked(false, fn)
}

// locked runs fn on the state read under the file lock (exclusive for an
// update, shared for a view).
func (f *FileStore) locked(exclusive bool, fn func(*State) error) error {
	if _, err := os.Lstat(f.Path); !exclusive && errors.Is(err, fs.ErrNotExist) {
		// Nothing to read, and nothing to lock against: the first
		// writer renames a complete file into place.
		return fn(newState())
	}
	unlock, err := f.lock(exclusive)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := f.read()
	if err != nil {
		return err
	}
	return fn(st)
}

// sizeText words a size in KiB or MiB.
func sizeText(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.4g MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.4g KiB", float64(n)/(1<<10))
}
