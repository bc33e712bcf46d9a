// Package softkey is a software security key: a virtual FIDO authenticator,
// in pure Go, that speaks the USB HID wire protocol (CTAPHID) so that an
// unmodified libfido2 can drive it as if it were a USB token.
//
// A Key works in one of two modes. In U2FOnly mode it is a FIDO U2F (CTAP1)
// token: the INIT response advertises no CBOR capability, CTAPHID_CBOR is
// refused, and REGISTER/AUTHENTICATE answer "conditions not satisfied" until
// the user touches the key. In FIDO2 mode it is a CTAP 2.1 authenticator
// (getInfo, makeCredential with packed attestation, getAssertion,
// getNextAssertion, clientPIN with PIN/UV auth protocols 2 and 1 and
// pinUvAuthTokens with permissions, credential management, reset, the
// credProtect and hmac-secret extensions) that also answers CTAP1 commands
// over CTAPHID_MSG. It holds MaxResident discoverable credentials.
//
// Credentials are key-wrapped: a credential ID (or U2F key handle) is the
// credential's private key sealed with AES-256-GCM under the key's master
// secret and bound to the relying party's ID hash, so nothing per credential
// has to be stored. Resident (discoverable) credentials additionally keep the
// user entity in the state. The attestation key and certificate, the master
// secret, the PIN, the resident credentials and the global signature counter
// make up the state returned by State; loading it with Load gives back the same
// key across runs. The state is secret material: store it encrypted.
//
// The HID transport is WriteReport/ReadReport: 64-byte reports exactly as they
// travel over USB, without a report-ID byte. CTAP2 and U2F are direct entry
// points without framing, for tests and benchmarks.
package softkey

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Mode selects the protocols a Key speaks.
type Mode int

const (
	// U2FOnly is a FIDO U2F (CTAP1) token without CBOR support.
	U2FOnly Mode = iota
	// FIDO2 is a CTAP 2.1 authenticator that also answers CTAP1 commands.
	FIDO2
)

// String returns "u2f" or "fido2".
func (m Mode) String() string {
	switch m {
	case U2FOnly:
		return "u2f"
	case FIDO2:
		return "fido2"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode parses "u2f" or "fido2" (as returned by Mode.String).
func ParseMode(s string) (Mode, error) {
	switch s {
	case "u2f":
		return U2FOnly, nil
	case "fido2":
		return FIDO2, nil
	}
	return 0, fmt.Errorf("%w: unknown mode %q, use u2f or fido2", ErrInvalidMode, s)
}

// Options configures a Key. The zero value touches automatically and uses the
// system clock.
type Options struct {
	// Touch decides whether the user touched the key for an operation; nil
	// means touch automatically. It may block; ctx is cancelled on
	// CTAPHID_CANCEL, on Reset and when the operation times out (30 s), and
	// Touch should then return promptly. purpose says what the touch is for:
	// "register example.com", "authenticate example.com" (CTAP2 RP ID, or a
	// U2F application named with NameApplication, else "u2f app 1a2b3c4d"),
	// "confirm touch" (libfido2's touch probe) or "reset security key".
	// For U2F, the key answers "conditions not satisfied" while Touch has
	// not said yes, and the host polls.
	Touch func(ctx context.Context, purpose string) bool
	// Now is the clock used for certificate validity; nil means time.Now.
	Now func() time.Time
	// Changed, when not nil, is called after the persistent state (counter,
	// PIN, credentials) changed, so that the caller can save State. It is
	// called without internal locks held, from the goroutine that ran the
	// operation.
	Changed func()
	// Persist, when not nil, saves State durably. It is called after a PIN
	// attempt has taken one retry off the counter and before the PIN is
	// compared, so that a process killed in between has used the attempt
	// up (no free guesses); when it fails the attempt is refused
	// (CTAP1_ERR_OTHER) and the PIN is not compared. Without it the counter
	// lives in memory until the caller saves State.
	Persist func() error
	// PINProtocols restricts the PIN/UV auth protocols getInfo advertises,
	// in order of preference; nil advertises 2 then 1. The key accepts
	// both whatever it advertises: this only steers platforms such as
	// libfido2, which use the first protocol they know (tests drive
	// protocol 1 this way).
	PINProtocols []int
}

// Errors returned by the package.
var (
	// ErrTimeout is returned by ReadReport when no report is ready in time.
	ErrTimeout = errors.New("softkey: no report ready")
	// ErrReportSize is returned by WriteReport for a report longer than 64 bytes.
	ErrReportSize = errors.New("softkey: hid report longer than 64 bytes")
	// ErrInvalidState is returned by Load for state it cannot use.
	ErrInvalidState = errors.New("softkey: invalid key state")
	// ErrInvalidMode is returned for a mode other than U2FOnly and FIDO2.
	ErrInvalidMode = errors.New("softkey: invalid mode")
)

// MaxResident is how many discoverable (resident) credentials a key holds;
// making one more answers CTAP2_ERR_KEY_STORE_FULL.
const MaxResident = maxResident

// PINTokenLifetime is how long a pinUvAuthToken stays usable after it was
// issued (CTAP 2.1's maximum usage period). Setting or changing the PIN,
// a reset and a power cycle renew it earlier.
const PINTokenLifetime = pinTokenLifetime

// defaultAAGUID identifies the vmfa software key model.
var defaultAAGUID = [16]byte{0x56, 0x0d, 0x1e, 0xc5, 0xa5, 0x1b, 0x4b, 0xab, 0xba, 0x5c, 0x99, 0x0d, 0x78, 0x94, 0xba, 0x9a}

const (
	maxPINRetries      = 8
	maxConsecutiveBad  = 3
	maxResident        = 50
	stateVersion       = 1
	defaultTouchWait   = 30 * time.Second
	resetWindow        = 10 * time.Second
	nextAssertionValid = 30 * time.Second
	pinTokenLifetime   = 10 * time.Minute
)

// Key is a software security key. All methods are safe for concurrent use.
type Key struct {
	mode    Mode
	touchFn func(ctx context.Context, purpose string) bool
	now     func() time.Time
	changed func()
	persist func() error
	// protocols are the advertised PIN/UV auth protocols.
	protocols []int
	// touchTimeout bounds the wait for a touch (USER_ACTION_TIMEOUT).
	touchTimeout time.Duration

	// Immutable after construction.
	aaguid  [16]byte
	attKey  *ecdsa.PrivateKey
	attCert []byte
	caCert  []byte

	mu             sync.Mutex // guards the fields below
	master         []byte
	wrapAEAD       cipher.AEAD
	counter        uint32
	pinHash        []byte // LEFT(SHA-256(PIN), 16); nil when no PIN is set
	pinRetries     int
	pinBadInARow   int // wrong PINs since power-up
	keyAgreement   *ecdh.PrivateKey
	token          pinUvToken
	lastGrant      tokenGrant
	resident       []residentCred
	residentSeq    uint64
	next           *nextAssertion
	credman        *credmanState // enumeration in progress
	powerUp        time.Time
	pendingPresent *presenceQuery // U2F touch query in flight
	appNames       map[[32]byte]string

	hid hidState
}

// residentCred is a discoverable credential: its private key is in the
// wrapped ID, the rest is what getAssertion returns without an allow list.
type residentCred struct {
	ID          []byte `json:"id"`
	RPID        string `json:"rp_id"`
	RPName      string `json:"rp_name,omitempty"`
	UserID      []byte `json:"user_id"`
	UserName    string `json:"user_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Seq         uint64 `json:"seq"`
}

// state is the JSON form of a Key.
type state struct {
	Version         int            `json:"version"`
	Mode            string         `json:"mode"`
	AAGUID          []byte         `json:"aaguid"`
	AttestationKey  []byte         `json:"attestation_key"`
	AttestationCert []byte         `json:"attestation_cert"`
	CACert          []byte         `json:"ca_cert"`
	MasterKey       []byte         `json:"master_key"`
	Counter         uint32         `json:"counter"`
	PINHash         []byte         `json:"pin_hash,omitempty"`
	PINRetries      int            `json:"pin_retries"`
	Resident        []residentCred `json:"resident,omitempty"`
}

// New creates a key with a fresh attestation key and certificate, a fresh
// master wrapping key, no PIN and a signature counter of 0.
func New(mode Mode, opts Options) (*Key, error) {
	if mode != U2FOnly && mode != FIDO2 {
		return nil, fmt.Errorf("%w: %d", ErrInvalidMode, int(mode))
	}
	k := newKey(mode, opts)
	k.aaguid = defaultAAGUID
	var err error
	k.attKey, k.attCert, k.caCert, err = newAttestation(k.now(), k.aaguid)
	if err != nil {
		return nil, err
	}
	master := make([]byte, 32)
	if _, err := rand.Read(master); err != nil {
		return nil, fmt.Errorf("softkey: generate master key: %w", err)
	}
	if err := k.setMaster(master); err != nil {
		return nil, err
	}
	k.pinRetries = maxPINRetries
	if err := k.powerCycle(); err != nil {
		return nil, err
	}
	return k, nil
}

func newKey(mode Mode, opts Options) *Key {
	k := &Key{mode: mode, touchFn: opts.Touch, now: opts.Now, changed: opts.Changed, persist: opts.Persist, touchTimeout: defaultTouchWait}
	if k.now == nil {
		k.now = time.Now
	}
	k.protocols = []int{2, 1}
	if opts.PINProtocols != nil {
		k.protocols = slices.Clone(opts.PINProtocols)
	}
	k.hid.init()
	return k
}

// Load restores a key from the output of State.
func Load(data []byte, opts Options) (*Key, error) {
	var s state
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%w: not a softkey state document", ErrInvalidState)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("%w: unsupported version %d", ErrInvalidState, s.Version)
	}
	mode, err := ParseMode(s.Mode)
	if err != nil {
		return nil, fmt.Errorf("%w: unknown mode", ErrInvalidState)
	}
	k := newKey(mode, opts)
	if len(s.AAGUID) != 16 {
		return nil, fmt.Errorf("%w: aaguid is not 16 bytes", ErrInvalidState)
	}
	copy(k.aaguid[:], s.AAGUID)
	priv, err := x509.ParsePKCS8PrivateKey(s.AttestationKey)
	if err != nil {
		return nil, fmt.Errorf("%w: unreadable attestation key", ErrInvalidState)
	}
	ec, ok := priv.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: attestation key is not P-256", ErrInvalidState)
	}
	cert, err := x509.ParseCertificate(s.AttestationCert)
	if err != nil {
		return nil, fmt.Errorf("%w: unreadable attestation certificate", ErrInvalidState)
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&ec.PublicKey) {
		return nil, fmt.Errorf("%w: attestation certificate does not match its key", ErrInvalidState)
	}
	if len(s.CACert) > 0 {
		if _, err := x509.ParseCertificate(s.CACert); err != nil {
			return nil, fmt.Errorf("%w: unreadable attestation root certificate", ErrInvalidState)
		}
	}
	k.attKey, k.attCert, k.caCert = ec, s.AttestationCert, s.CACert
	if len(s.MasterKey) != 32 {
		return nil, fmt.Errorf("%w: master key is not 32 bytes", ErrInvalidState)
	}
	if err := k.setMaster(bytes.Clone(s.MasterKey)); err != nil {
		return nil, err
	}
	k.counter = s.Counter
	if s.PINHash != nil && len(s.PINHash) != 16 {
		return nil, fmt.Errorf("%w: pin hash is not 16 bytes", ErrInvalidState)
	}
	k.pinHash = s.PINHash
	if s.PINRetries < 0 || s.PINRetries > maxPINRetries {
		return nil, fmt.Errorf("%w: pin retries out of range", ErrInvalidState)
	}
	k.pinRetries = s.PINRetries
	for _, rc := range s.Resident {
		if _, ok := k.unwrap(rc.ID, rpIDHash(rc.RPID)); !ok {
			return nil, fmt.Errorf("%w: resident credential does not belong to this key", ErrInvalidState)
		}
		if rc.Seq > k.residentSeq {
			k.residentSeq = rc.Seq
		}
	}
	k.resident = s.Resident
	if err := k.powerCycle(); err != nil {
		return nil, err
	}
	return k, nil
}

// State returns the key's persistent state as JSON. It contains private keys:
// keep it encrypted.
func (k *Key) State() ([]byte, error) {
	attKey, err := x509.MarshalPKCS8PrivateKey(k.attKey)
	if err != nil {
		return nil, fmt.Errorf("softkey: encode attestation key: %w", err)
	}
	k.mu.Lock()
	s := state{
		Version:         stateVersion,
		Mode:            k.mode.String(),
		AAGUID:          k.aaguid[:],
		AttestationKey:  attKey,
		AttestationCert: k.attCert,
		CACert:          k.caCert,
		MasterKey:       bytes.Clone(k.master),
		Counter:         k.counter,
		PINHash:         bytes.Clone(k.pinHash),
		PINRetries:      k.pinRetries,
		Resident:        append([]residentCred(nil), k.resident...),
	}
	k.mu.Unlock()
	return json.Marshal(s)
}

// Mode returns the key's mode.
func (k *Key) Mode() Mode { return k.mode }

// AAGUID returns the authenticator model identifier put in attestations.
func (k *Key) AAGUID() [16]byte { return k.aaguid }

// AttestationCertificate returns the DER attestation certificate used for
// U2F registrations and packed attestations.
func (k *Key) AttestationCertificate() []byte { return bytes.Clone(k.attCert) }

// RootCertificate returns the DER certificate of the CA that signed the
// attestation certificate, for relying parties that want to trust this key.
func (k *Key) RootCertificate() []byte { return bytes.Clone(k.caCert) }

// Counter returns the global signature counter.
func (k *Key) Counter() uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.counter
}

// Reset simulates a power cycle: HID channels and pending messages are
// dropped, a pending operation is cancelled, and the PIN-auth block (three
// wrong PINs in a row), the PIN token and the key-agreement key are renewed.
func (k *Key) Reset() {
	k.hid.reset()
	_ = k.powerCycle()
}

// powerCycle renews the per-power-up secrets.
func (k *Key) powerCycle() error {
	ka, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("softkey: generate key agreement key: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.resetTokenLocked(); err != nil {
		return err
	}
	k.keyAgreement = ka
	k.pinBadInARow = 0
	k.next = nil
	k.credman = nil
	k.powerUp = k.now()
	if k.pendingPresent != nil {
		k.pendingPresent.cancel()
		k.pendingPresent = nil
	}
	return nil
}

// setMaster installs the master secret and derives the wrapping key from it.
func (k *Key) setMaster(master []byte) error {
	block, err := aes.NewCipher(derive(master, "vmfa softkey credential wrapping"))
	if err != nil {
		return fmt.Errorf("softkey: wrapping key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return fmt.Errorf("softkey: wrapping key: %w", err)
	}
	k.master, k.wrapAEAD = master, aead
	return nil
}

// derive returns HMAC-SHA-256(secret, label).
func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// notifyChanged calls Options.Changed; callers must not hold k.mu.
func (k *Key) notifyChanged() {
	if k.changed != nil {
		k.changed()
	}
}

func rpIDHash(rpID string) []byte {
	h := sha256.Sum256([]byte(rpID))
	return h[:]
}
