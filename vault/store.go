package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/vmfa/vmfa/internal/secmem"
	"github.com/vmfa/vmfa/internal/textutil"
)

// Errors returned when opening or writing a vault. Each message says what
// happened; the CLI and TUI add what to do.
var (
	ErrNoVault            = errors.New("no vault")
	ErrWrongPassphrase    = errors.New("wrong passphrase")
	ErrPassphraseRequired = errors.New("this vault is protected by a passphrase")
	ErrCorrupt            = errors.New("vault file is damaged or was modified")
	// ErrNotVault is a file that does not begin with a vault's magic: not a
	// vault at all (a wrong --vault), or one overwritten from its first
	// byte. errors.Is(err, ErrCorrupt) holds for it too.
	ErrNotVault           = &subError{msg: "not a vmfa vault (the file does not begin with VMFA)", parent: ErrCorrupt}
	ErrKeyringUnavailable = errors.New("no keyring available")
	ErrKeyMissing         = errors.New("the vault's key is missing from the keyring")
	ErrWrongKey           = errors.New("the keyring holds a different key for this vault")
	ErrKeyringTimeout     = errors.New("the keyring did not answer")
	ErrNewerFormat        = errors.New("vault was written by a newer vmfa")
	ErrNotFound           = errors.New("no matching account")
	ErrAmbiguous          = errors.New("more than one account matches")
	ErrDuplicate          = errors.New("account already in the vault")
)

// File layout (format 3):
//
//	magic "VMFA" | format uint16 | header length uint32 | header JSON | SHA-256 of all before it (32) | nonce (24) | sealed payload
//
// Everything before the sealed payload is the AEAD's associated data, so the
// header (format version, key source, KDF parameters, generation) cannot be
// changed without the open failing. The unkeyed checksum tells a damaged
// header (say, its KDF parameters) from a wrong passphrase before any key
// is derived. The payload is Data in the binary encoding of payload.go.
//
// Older formats are still read, and rewritten as format 3 by the next
// change: format 2 is format 3 with a JSON payload, format 1 is format 2
// without the header checksum.
const (
	magic         = "VMFA"
	formatVersion = 3
	maxHeaderLen  = 64 << 10
	// DefaultBackups is how many encrypted backups are kept.
	DefaultBackups = 10
)

// Size limits. A vault holds at most MaxAccounts accounts: an import or add
// that would go over is refused, with nothing written (a vault already over
// it, written by an older vmfa, still opens and can shrink). MaxFileSize is
// the largest vault file vmfa reads, and every write is checked against it
// before anything is written, so vmfa never writes a vault it cannot read
// back. 10,000 typical accounts seal to about 4 MiB.
const (
	MaxAccounts = 10000
	MaxFileSize = 256 << 20
)

// maxFileSize is MaxFileSize; tests lower it.
var maxFileSize = MaxFileSize

// ErrTooManyAccounts and ErrTooLarge refuse writes over the size limits.
var (
	ErrTooManyAccounts = errors.New("too many accounts for one vault")
	ErrTooLarge        = errors.New("the vault would be too large to read back")
)

type header struct {
	ID         string     `json:"id"`
	Source     KeySource  `json:"source"`
	KDF        *KDFParams `json:"kdf,omitempty"`
	Generation uint64     `json:"generation"`
	// Check is HMAC-SHA256(key, "vmfa key check"): it tells a wrong
	// passphrase (or a keyring holding another key) from a damaged file.
	Check   []byte    `json:"check"`
	Written time.Time `json:"written"`
}

// Data is the decrypted content of a vault. Update hands a fresh copy to
// its callback.
type Data struct {
	Accounts []Account `json:"accounts"`
	// Blobs holds named opaque state owned by other packages (the software
	// security key's credentials and counter), sealed with the accounts.
	Blobs map[string][]byte `json:"blobs,omitempty"`
}

// Options configure Open.
type Options struct {
	// Path is the vault file; empty means DefaultPath().
	Path string
	// Keys is the keyring; nil means the OS keyring.
	Keys KeyStore
	// Passphrase is called when the vault uses a passphrase, or when one is
	// being created (confirm true: ask twice). Nil means no passphrase can
	// be had: ErrPassphraseRequired.
	Passphrase func(confirm bool) ([]byte, error)
	// Create says what to do when the file does not exist: "" returns
	// ErrNoVault; Auto, KeyringSource or PassphraseSource create it.
	Create KeySource
	// KDF overrides DefaultKDF for new passphrase vaults (tests use cheap ones).
	KDF *KDFParams
	// Backups is how many encrypted backups to keep (0 = DefaultBackups, <0 = none).
	Backups int
	// KeyringTimeout bounds each keyring call (0 = DefaultKeyringTimeout).
	KeyringTimeout time.Duration
	// Now is the clock for creation times (nil = time.Now).
	Now func() time.Time
	// StateDir holds the generation records of passphrase vaults (empty =
	// StateDir()).
	StateDir string

	// allowOlder skips the rollback check: Restore reads backups with it.
	allowOlder bool
	// KeyCache, if set, is asked for a passphrase vault's key (by vault
	// ID) before the passphrase is: the unlock agent. A key that is not
	// the vault's is ignored.
	KeyCache func(vaultID string) []byte
}

// Vault is an open vault. Its methods are safe for concurrent use, and
// Update is safe against other processes writing the same file.
type Vault struct {
	opts Options
	path string
	key  []byte

	mu   sync.Mutex
	hdr  header
	data Data

	closed bool

	// genKeyringDown: the optional keyring record of a passphrase vault
	// failed once; it is not tried again by this handle.
	genKeyringDown atomic.Bool
}

// Info is what Inspect can tell without any key. Generation and Written
// come from the header, which is only authenticated when the vault is
// opened.
type Info struct {
	Path       string
	Exists     bool
	Source     KeySource
	ID         string
	Generation uint64
	Written    time.Time
}

// DataDir is vmfa's data directory: $XDG_DATA_HOME/vmfa, else
// ~/.local/share/vmfa.
func DataDir() (string, error) {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find the home directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "vmfa"), nil
}

// DefaultPath is $VMFA_VAULT, else DataDir()/vault.vmfa.
func DefaultPath() (string, error) {
	if p := os.Getenv("VMFA_VAULT"); p != "" {
		return p, nil
	}
	dir, err := DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "vault.vmfa"), nil
}

// Inspect reads a vault's header without decrypting anything.
func Inspect(path string) (Info, error) {
	if path == "" {
		p, err := DefaultPath()
		if err != nil {
			return Info{}, err
		}
		path = p
	}
	raw, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Info{Path: path}, nil
	}
	if err != nil {
		return Info{Path: path}, err
	}
	h, _, _, err := parse(raw)
	if err != nil {
		return Info{Path: path, Exists: true}, err
	}
	return Info{Path: path, Exists: true, Source: h.Source, ID: h.ID, Generation: h.Generation, Written: h.Written}, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > int64(maxFileSize) {
		return nil, fmt.Errorf("%w: file is larger than %d MiB", ErrCorrupt, maxFileSize>>20)
	}
	var buf bytes.Buffer
	buf.Grow(int(st.Size()))
	_, err = buf.ReadFrom(f)
	return buf.Bytes(), err
}

// parse splits a vault file into header, associated data and the sealed
// part (nonce ‖ ciphertext).
func parse(raw []byte) (h header, ad, sealed []byte, err error) {
	const fixed = len(magic) + 2 + 4
	if !bytes.HasPrefix(raw, []byte(magic)) {
		return h, nil, nil, ErrNotVault
	}
	if len(raw) < fixed {
		return h, nil, nil, fmt.Errorf("%w: cut short (%d bytes)", ErrCorrupt, len(raw))
	}
	sumLen := 0
	switch v := binary.BigEndian.Uint16(raw[4:6]); {
	case v == 1:
	case v <= formatVersion:
		sumLen = sha256.Size
	case v > formatVersion:
		return h, nil, nil, fmt.Errorf("%w (format %d)", ErrNewerFormat, v)
	default:
		return h, nil, nil, fmt.Errorf("%w: unknown format %d", ErrCorrupt, v)
	}
	n := int(binary.BigEndian.Uint32(raw[6:10]))
	if n > maxHeaderLen || len(raw) < fixed+n+sumLen+chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead {
		return h, nil, nil, fmt.Errorf("%w: file is truncated", ErrCorrupt)
	}
	if sumLen > 0 {
		sum := sha256.Sum256(raw[:fixed+n])
		if !bytes.Equal(sum[:], raw[fixed+n:fixed+n+sumLen]) {
			return h, nil, nil, fmt.Errorf("%w: the header does not match its checksum", ErrCorrupt)
		}
	}
	if err := json.Unmarshal(raw[fixed:fixed+n], &h); err != nil {
		return h, nil, nil, fmt.Errorf("%w: unreadable header", ErrCorrupt)
	}
	switch h.Source {
	case KeyringSource:
	case PassphraseSource:
		if h.KDF == nil {
			return h, nil, nil, fmt.Errorf("%w: passphrase vault without key derivation parameters", ErrCorrupt)
		}
		if err := h.KDF.check(); err != nil {
			return h, nil, nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	default:
		return h, nil, nil, fmt.Errorf("%w: unknown key source %q", ErrCorrupt, textutil.Clip(string(h.Source)))
	}
	if !validID(h.ID) {
		return h, nil, nil, fmt.Errorf("%w: header has no valid vault id", ErrCorrupt)
	}
	end := fixed + n + sumLen + chacha20poly1305.NonceSizeX
	return h, raw[:end], raw[fixed+n+sumLen:], nil
}

func keyCheck(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("vmfa key check"))
	return m.Sum(nil)
}

func seal(h header, key []byte, d *Data) ([]byte, error) {
	return sealFormat(h, key, d, formatVersion)
}

// sealFormat writes format 3, or format 2 (JSON payload) for tests of
// the upgrade.
func sealFormat(h header, key []byte, d *Data, format uint16) ([]byte, error) {
	hj, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	var payload []byte
	if format >= 3 {
		payload = marshalPayload(d)
	} else if payload, err = json.Marshal(d); err != nil {
		return nil, err
	}
	defer clear(payload)
	size := 10 + len(hj) + sha256.Size + chacha20poly1305.NonceSizeX + len(payload) + chacha20poly1305.Overhead
	if len(hj) > maxHeaderLen || size > maxFileSize {
		return nil, fmt.Errorf("%w: it would be %d MiB, over the %d MiB vmfa reads; nothing was written", ErrTooLarge, (size+1<<20-1)>>20, maxFileSize>>20)
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, size)
	out = append(out, magic...)
	out = binary.BigEndian.AppendUint16(out, format)
	out = binary.BigEndian.AppendUint32(out, uint32(len(hj)))
	out = append(out, hj...)
	sum := sha256.Sum256(out)
	out = append(out, sum[:]...)
	out = append(out, randomBytes(chacha20poly1305.NonceSizeX)...)
	ad := bytes.Clone(out) // Seal's dst must not overlap its inputs
	out = aead.Seal(out, ad[len(ad)-chacha20poly1305.NonceSizeX:], payload, ad)
	return out, nil
}

func open(raw, key []byte) (header, *Data, error) {
	h, ad, sealed, err := parse(raw)
	if err != nil {
		return h, nil, err
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return h, nil, err
	}
	if !hmac.Equal(h.Check, keyCheck(key)) {
		if h.Source == PassphraseSource {
			return h, nil, ErrWrongPassphrase
		}
		return h, nil, ErrWrongKey
	}
	nonce, ct := sealed[:chacha20poly1305.NonceSizeX], sealed[chacha20poly1305.NonceSizeX:]
	payload, err := aead.Open(nil, nonce, ct, ad)
	if err != nil {
		return h, nil, fmt.Errorf("%w: authentication failed (tampered or truncated)", ErrCorrupt)
	}
	defer clear(payload)
	if binary.BigEndian.Uint16(raw[4:6]) >= 3 {
		d, err := unmarshalPayload(payload)
		if err != nil {
			return h, nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return h, d, nil
	}
	var d Data
	if err := json.Unmarshal(payload, &d); err != nil {
		return h, nil, fmt.Errorf("%w: unreadable content", ErrCorrupt)
	}
	return h, &d, nil
}

// Open opens (or, with Options.Create, creates) a vault. A keyring vault
// costs exactly one keyring round trip however many accounts it holds.
func Open(opts Options) (*Vault, error) {
	if opts.Path == "" {
		p, err := DefaultPath()
		if err != nil {
			return nil, err
		}
		opts.Path = p
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	v := &Vault{opts: opts, path: opts.Path}
	raw, err := readFile(v.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if opts.Create == "" {
			return nil, fmt.Errorf("%w at %s", ErrNoVault, v.path)
		}
		return v, v.create()
	case err != nil:
		return nil, fmt.Errorf("cannot read the vault: %w", err)
	}
	return v, v.loadLatest(raw)
}

// loadLatest is load for a file read without the lock. A writer may write
// a newer file and its generation record between the read of the file and
// the read of the record, which looks like a rollback; under the lock,
// where writers leave the two agreeing, the file is read and checked again.
func (v *Vault) loadLatest(raw []byte) error {
	err := v.load(raw)
	if !errors.Is(err, ErrRollback) {
		return err
	}
	unlock, lerr := lockFile(v.path + ".lock")
	if lerr != nil {
		return err
	}
	defer unlock()
	raw, rerr := readFile(v.path)
	if rerr != nil {
		return err
	}
	return v.load(raw)
}

func (v *Vault) load(raw []byte) error {
	h, _, _, err := parse(raw)
	if err != nil {
		return err
	}
	if h.Source == KeyringSource && !v.opts.allowOlder && (v.key == nil || h.ID != v.hdr.ID) {
		if bg, ok := v.keys().(batchGetter); ok {
			// The key and the generation record in one keyring exchange
			// (a locked keyring: one after the other, see GetBatch).
			key, rec, err := v.keyringKeyAndGen(bg, h.ID)
			if err != nil {
				return err
			}
			v.setKey(key)
			h, d, err := open(raw, v.key)
			if err != nil {
				return err
			}
			if err := v.checkRollback(h, rec); err != nil {
				return err
			}
			v.hdr, v.data = h, *d
			return nil
		}
	}
	// The generation record of a passphrase vault is fetched while the
	// passphrase is asked for and derived. A keyring vault's is fetched
	// after its key: a locked keyring then asks to be unlocked once, for
	// the key, and the record comes from the unlocked keyring.
	type recResult struct {
		gen uint64
		err error
	}
	var rec chan recResult
	fetch := func() {
		rec = make(chan recResult, 1)
		go func() {
			g, err := v.recordedGeneration(h.Source, h.ID)
			rec <- recResult{g, err}
		}()
	}
	if !v.opts.allowOlder && h.Source != KeyringSource {
		fetch()
	}
	if v.key == nil || h.ID != v.hdr.ID {
		key, err := v.deriveKey(h)
		if err != nil {
			return err
		}
		v.setKey(key)
	}
	h, d, err := open(raw, v.key)
	if err != nil {
		return err
	}
	if !v.opts.allowOlder && rec == nil {
		fetch()
	}
	if rec != nil {
		r := <-rec
		if r.err != nil {
			return r.err
		}
		if err := v.checkRollback(h, r.gen); err != nil {
			return err
		}
	}
	v.hdr, v.data = h, *d
	return nil
}

func (v *Vault) deriveKey(h header) ([]byte, error) {
	switch h.Source {
	case KeyringSource:
		return v.keyringGet(h.ID)
	case PassphraseSource:
		if key := v.cachedKey(h); key != nil {
			return key, nil
		}
		if v.opts.Passphrase == nil {
			return nil, ErrPassphraseRequired
		}
		pass, err := v.opts.Passphrase(false)
		if err != nil {
			return nil, err
		}
		defer clear(pass)
		return h.KDF.derive(pass)
	}
	return nil, fmt.Errorf("%w: unknown key source", ErrCorrupt)
}

// create makes a new empty vault under the lock, unless another process
// created it first, in which case that one is opened.
func (v *Vault) create() error {
	if err := os.MkdirAll(filepath.Dir(v.path), 0o700); err != nil {
		return fmt.Errorf("cannot create the vault directory: %w", err)
	}
	unlock, err := lockFile(v.path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	if raw, err := readFile(v.path); err == nil {
		return v.load(raw)
	}
	removeStaleTemps(v.path)
	h := header{ID: NewID(), Written: v.opts.Now().UTC()}
	src := v.opts.Create
	if src == Auto {
		src = KeyringSource
	}
	kdf, key, err := v.newKey(h.ID, src, v.opts.Passphrase)
	if err != nil {
		if src == KeyringSource {
			return fmt.Errorf("cannot create a keyring vault: %w", err)
		}
		return err
	}
	h.Source, h.KDF = src, kdf
	v.setKey(key)
	h.Check = keyCheck(v.key)
	v.hdr = h
	v.data = Data{}
	raw, err := seal(h, v.key, &v.data)
	if err != nil {
		return err
	}
	return writeAtomic(v.path, raw)
}

// ErrClosed is returned by a vault's methods after Close.
var ErrClosed = errors.New("the vault is closed")

// setKey makes key the data key, moving it into locked memory
// (internal/secmem) and zeroing the copy it came in. The previous key, if
// any, is zeroed.
func (v *Vault) setKey(key []byte) {
	k := secmem.Alloc(len(key))
	copy(k, key)
	clear(key)
	secmem.Free(v.key)
	v.key = k
}

// Close zeroes the data key and the decrypted secrets this handle holds.
// Every later call that needs them returns ErrClosed; Close is idempotent.
func (v *Vault) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	secmem.Free(v.key)
	v.key = nil
	for i := range v.data.Accounts {
		clear(v.data.Accounts[i].Secret)
	}
	for _, b := range v.data.Blobs {
		clear(b)
	}
	v.data = Data{}
	v.closed = true
	return nil
}

// Path is the vault file.
func (v *Vault) Path() string { return v.path }

// Source is where the vault's key comes from.
func (v *Vault) Source() KeySource { return v.hdr.Source }

// Generation counts the writes made to this vault since it was created.
func (v *Vault) Generation() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.hdr.Generation
}

// Accounts returns a copy of the accounts in display order: favourites
// first, then by Order, then by label.
func (v *Vault) Accounts() []Account {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]Account, len(v.data.Accounts))
	for i, a := range v.data.Accounts {
		out[i] = a.Clone()
	}
	SortAccounts(out)
	return out
}

// SortAccounts sorts into display order: favourites, then Order, then label
// (case-insensitive), stable. Each label is lowered once, not once per
// comparison.
func SortAccounts(as []Account) {
	if len(as) < 2 {
		return
	}
	type entry struct {
		fav   bool
		order int
		label string
		i     int
	}
	es := make([]entry, len(as))
	for i := range as {
		es[i] = entry{as[i].Favourite, as[i].Order, strings.ToLower(as[i].Label()), i}
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := &es[i], &es[j]
		if a.fav != b.fav {
			return a.fav
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.label < b.label
	})
	sorted := make([]Account, len(as))
	for k, e := range es {
		sorted[k] = as[e.i]
	}
	copy(as, sorted)
}

// Blob returns a copy of a named blob, or nil.
func (v *Vault) Blob(name string) []byte {
	v.mu.Lock()
	defer v.mu.Unlock()
	return bytes.Clone(v.data.Blobs[name])
}

// Reload re-reads the file (another process may have written it).
func (v *Vault) Reload() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return ErrClosed
	}
	raw, err := readFile(v.path)
	if err != nil {
		return fmt.Errorf("cannot read the vault: %w", err)
	}
	return v.loadLatest(raw)
}

// Update changes the vault safely: under a cross-process lock it re-reads
// the file (so a change another process made meanwhile is kept), applies fn
// to a fresh copy, keeps an encrypted backup of the previous file, and
// writes the result atomically. If fn returns an error nothing is written.
func (v *Vault) Update(fn func(d *Data) error) error {
	return v.update(fn, true)
}

// update is Update with the backup optional: a change that only moves an
// HOTP counter forward loses nothing if undone, and must not push the
// backups of real changes out of the rotation.
func (v *Vault) update(fn func(d *Data) error, keepBackup bool) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	raw, h, d, unlock, err := v.readLocked()
	if err != nil {
		return err
	}
	defer unlock()
	before := len(d.Accounts)
	if err := fn(d); err != nil {
		return err
	}
	if n := len(d.Accounts); n > MaxAccounts && n > before {
		return fmt.Errorf("%w: %d accounts, a vault holds at most %d; nothing was written", ErrTooManyAccounts, n, MaxAccounts)
	}
	now := v.opts.Now()
	for i := range d.Accounts {
		if err := d.Accounts[i].Normalize(now); err != nil {
			return fmt.Errorf("account %q: %w", textutil.Clip(d.Accounts[i].Label()), err)
		}
	}
	removeStaleTemps(v.path)
	if keepBackup {
		if _, err := v.backup(raw, h.Generation, ""); err != nil {
			return err
		}
	}
	h.Generation++
	h.Written = now.UTC()
	return v.commit(h, d)
}

// readLocked takes the cross-process lock (held until unlock is called,
// which the caller must do when err is nil), reads the vault file afresh,
// checks that it is still this vault, opens it with the handle's key and
// refuses a rollback (unless the handle reads backups). v.mu must be held.
func (v *Vault) readLocked() (raw []byte, h header, d *Data, unlock func(), err error) {
	if v.closed {
		return nil, h, nil, nil, ErrClosed
	}
	unlock, err = lockFile(v.path + ".lock")
	if err != nil {
		return nil, h, nil, nil, err
	}
	fail := func(err error) ([]byte, header, *Data, func(), error) {
		unlock()
		return nil, header{}, nil, nil, err
	}
	raw, err = readFile(v.path)
	if err != nil {
		return fail(fmt.Errorf("cannot read the vault: %w", err))
	}
	if h, _, _, err = parse(raw); err != nil {
		return fail(err)
	}
	if h.ID != v.hdr.ID {
		return fail(fmt.Errorf("%w: the vault file was replaced by another vault; reopen it", ErrCorrupt))
	}
	if h, d, err = open(raw, v.key); err != nil {
		return fail(err)
	}
	if !v.opts.allowOlder {
		rec, err := v.recordedGeneration(h.Source, h.ID)
		if err != nil {
			return fail(err)
		}
		if h.Generation < rec {
			return fail(v.checkRollback(h, rec))
		}
	}
	return raw, h, d, unlock, nil
}

// commit seals d under header h with the handle's key, replaces the vault
// file atomically, then moves the generation record up to h.Generation and
// makes h and d the handle's state. The caller holds the vault's lock and
// has checked the record (h.Generation must be above it). Whatever changes
// the key, its source or the vault ID (a rekey) writes through here too,
// with the new header and key in place: the record then follows the vault
// to its new key source (the keyring item, the state file) by ID.
func (v *Vault) commit(h header, d *Data) error {
	out, err := seal(h, v.key, d)
	if err != nil {
		return err
	}
	if err := writeAtomic(v.path, out); err != nil {
		return err
	}
	v.recordGeneration(h.Source, h.ID, h.Generation, false)
	v.hdr, v.data = h, *d
	return nil
}

// Add appends accounts (normalized and validated) in one write. An account
// with the same issuer, name and secret as one already stored is refused
// with ErrDuplicate.
func (v *Vault) Add(accts ...Account) error {
	now := v.opts.Now()
	for i := range accts {
		if err := accts[i].Normalize(now); err != nil {
			return err
		}
	}
	return v.Update(func(d *Data) error {
		seen := NewCredentialSet(d.Accounts)
		for i := range accts {
			if seen.Has(&accts[i]) {
				return fmt.Errorf("%w: %s", ErrDuplicate, accts[i].Label())
			}
			seen.Add(&accts[i])
			d.Accounts = append(d.Accounts, accts[i])
		}
		return nil
	})
}

// Find returns the accounts query names (see Match), in display order:
// the exact matches if there are any, else the substring matches. No match
// is ErrNotFound, with the closest account suggested when one is near. An
// empty query is every account.
func (v *Vault) Find(query string) ([]Account, error) {
	if strings.TrimSpace(query) == "" {
		return v.Accounts(), nil
	}
	// Match in place; only the matches are copied.
	v.mu.Lock()
	ms := Match(v.data.Accounts, query, MatchOptions{})
	out := make([]Account, len(ms))
	for i, m := range ms {
		out[i] = v.data.Accounts[m.Index].Clone()
	}
	var near Account
	var isNear bool
	if len(ms) == 0 {
		near, isNear = Suggest(v.data.Accounts, query)
	}
	v.mu.Unlock()
	if len(out) == 0 {
		if isNear {
			return nil, fmt.Errorf("%w: %q; did you mean %s?", ErrNotFound, query, near.Label())
		}
		return nil, fmt.Errorf("%w: %q", ErrNotFound, query)
	}
	SortAccounts(out)
	return out, nil
}

// FindOne is Find that insists on exactly one match; ErrAmbiguous lists the
// candidates.
func (v *Vault) FindOne(query string) (Account, error) {
	as, err := v.Find(query)
	if err != nil {
		return Account{}, err
	}
	if len(as) > 1 {
		names := make([]string, len(as))
		for i, a := range as {
			names[i] = fmt.Sprintf("%s (%s)", a.Label(), a.ID)
		}
		return Account{}, fmt.Errorf("%w %q: %s", ErrAmbiguous, query, strings.Join(names, ", "))
	}
	return as[0], nil
}

// Edit applies fn to the stored account with this ID and saves it.
func (v *Vault) Edit(id string, fn func(a *Account) error) (Account, error) {
	return v.edit(id, fn, true)
}

func (v *Vault) edit(id string, fn func(a *Account) error, keepBackup bool) (Account, error) {
	var out Account
	err := v.update(func(d *Data) error {
		for i := range d.Accounts {
			if d.Accounts[i].ID == id {
				if err := fn(&d.Accounts[i]); err != nil {
					return err
				}
				out = d.Accounts[i].Clone()
				return nil
			}
		}
		return fmt.Errorf("%w: id %s", ErrNotFound, id)
	}, keepBackup)
	return out, err
}

// Remove deletes the account with this ID.
func (v *Vault) Remove(id string) error {
	return v.Update(func(d *Data) error {
		for i := range d.Accounts {
			if d.Accounts[i].ID == id {
				d.Accounts = append(d.Accounts[:i], d.Accounts[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("%w: id %s", ErrNotFound, id)
	})
}

// NextHOTP advances an HOTP account's counter, saves it, and returns the
// account as it now is: its code at the new counter is the one to show.
// The counter is saved before any code is shown, so a code is never
// reused after a crash.
func (v *Vault) NextHOTP(id string) (Account, error) {
	return v.AdvanceHOTP(id, 1)
}

// ErrCounterExhausted is returned when an HOTP counter cannot move forward.
var ErrCounterExhausted = errors.New("the HOTP counter is at its maximum; re-enroll the account")

// AdvanceHOTP moves an HOTP account's counter forward by n (1, or 2 when
// the current and next codes are both handed out) and saves it before any
// code is shown. The counter never wraps around to reuse old codes. Counter
// moves are not backed up: undoing one would only replay used codes.
func (v *Vault) AdvanceHOTP(id string, n uint64) (Account, error) {
	return v.edit(id, func(a *Account) error {
		if a.Type != HOTP {
			return fmt.Errorf("%s is not an HOTP account", a.Label())
		}
		if a.Counter > math.MaxUint64-n-1 { // the next code (counter+1) must exist too
			return ErrCounterExhausted
		}
		a.Counter += n
		return nil
	}, false)
}

// SetBlob stores a named blob (nil deletes it).
func (v *Vault) SetBlob(name string, b []byte) error {
	return v.Update(func(d *Data) error {
		if b == nil {
			delete(d.Blobs, name)
			return nil
		}
		if d.Blobs == nil {
			d.Blobs = map[string][]byte{}
		}
		d.Blobs[name] = bytes.Clone(b)
		return nil
	})
}

// HoldBlob serialises the users of a named blob across processes: it takes
// an exclusive lock of its own (not the vault's, which stays free for other
// changes while, say, a security-key operation waits for a touch), then
// re-reads the vault so that Blob(name) is the latest saved state. Call
// release after saving the new state with SetBlob.
func (v *Vault) HoldBlob(name string) (release func(), err error) {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return nil, fmt.Errorf("bad blob name %q", name)
		}
	}
	unlock, err := lockFile(v.path + "." + name + ".lock")
	if err != nil {
		return nil, err
	}
	if err := v.Reload(); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}
