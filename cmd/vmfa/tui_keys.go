package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
	"github.com/vmfa/vmfa/internal/webauthn"
	"github.com/vmfa/vmfa/tui"
	"github.com/vmfa/vmfa/verifier"
)

// keyService is what the TUI's security keys screen runs on: USB keys
// through libfido2, vmfa's virtual keys (their state in the vault's
// softkey.* blobs, attached under the same libfido2) and the companion
// verifier playing the console, over the same state file as 'vmfa
// verifier' (a key bound here is the one 'vmfa verifier status' lists and
// 'vmfa verifier key login' signs in with). The TUI calls every method
// inside a tea.Cmd with a deadline.
type keyService struct {
	rp, user string
	blobs    tui.BlobStore // nil: the virtual keys are not saved
	// trusted verifies virtual keys' attestations against their roots;
	// others has no trust store (their attestation is recorded as not
	// checked). Both share one store, so the user has one device.
	trusted, others *verifier.Verifier
	roots           *x509.CertPool
	from            verifier.Client

	// opMu runs one key operation at a time, so that touch belongs to
	// the operation that set it.
	opMu sync.Mutex

	mu        sync.Mutex
	attached  bool
	attachErr error
	virtual   map[string]*virtualKey // by path
	// The operation in flight (inOp) and its touches (nil: automatic).
	// touchMoved is closed and renewed when they change, so that a touch
	// request still running for an operation given up (a U2F key keeps
	// its touch query after the host stops polling) follows the current
	// operation instead of waiting on a channel nobody sends on.
	inOp       bool
	touch      <-chan struct{}
	touchMoved chan struct{}
}

type virtualKey struct {
	key   *softkey.Key
	blob  string
	saved []byte
}

var _ tui.KeyService = (*keyService)(nil)

// newKeyService returns the service for relying party rp and user, with
// the virtual keys' state kept in blobs when not nil and the verifier's
// in store.
func newKeyService(rp, user string, blobs tui.BlobStore, store verifier.Store) (*keyService, error) {
	s := &keyService{rp: rp, user: user, blobs: blobs, roots: x509.NewCertPool(),
		virtual: map[string]*virtualKey{}, from: verifier.Client{Name: "vmfa tui"}}
	cfg := verifier.DefaultConfig()
	cfg.RPID = rp
	var err error
	if s.others, err = verifier.New(store, cfg); err != nil {
		return nil, err
	}
	cfg.TrustRoots = s.roots
	if s.trusted, err = verifier.New(store, cfg); err != nil {
		return nil, err
	}
	return s, nil
}

// tuiKeyService is tui.Config.SecurityKeys: the relying party and user
// come from $VMFA_KEY_RP (default localhost) and $VMFA_KEY_USER (default
// $USER); the verifier's state is the file 'vmfa verifier' uses
// ($VMFA_VERIFIER_STATE, else $XDG_DATA_HOME/vmfa/verifier.json).
func tuiKeyService(store tui.Store) tui.KeyService {
	rp := os.Getenv("VMFA_KEY_RP")
	if rp == "" {
		rp = "localhost"
	}
	user := os.Getenv("VMFA_KEY_USER")
	if user == "" {
		user = os.Getenv("USER")
	}
	if user == "" {
		user = "vmfa-user"
	}
	blobs, _ := store.(tui.BlobStore)
	vstore, err := openVerifierStore()
	if err != nil {
		return brokenKeyService{rp: rp, user: user, err: fmt.Errorf("the verifier state cannot be opened: %w (set VMFA_VERIFIER_STATE to a writable file)", err)}
	}
	s, err := newKeyService(rp, user, blobs, vstore)
	if err != nil {
		return brokenKeyService{rp: rp, user: user, err: fmt.Errorf("the security keys relying party %q is not usable: %w (set VMFA_KEY_RP to a domain)", rp, err)}
	}
	return s
}

// openVerifierStore opens the verifier state file every front end shares
// (verifier.StatePath without a --state flag).
func openVerifierStore() (*verifier.FileStore, error) {
	path, err := verifier.StatePath("")
	if err != nil {
		return nil, err
	}
	return verifier.OpenFileStore(path)
}

func (s *keyService) Account() (string, string) { return s.rp, s.user }

// softkeyOptions are a virtual key's options: touches from the screen,
// and its PIN attempts saved to the vault before they are compared.
func (s *keyService) softkeyOptions(vk *virtualKey) softkey.Options {
	opts := softkey.Options{Touch: s.touched}
	if s.blobs != nil {
		opts.Persist = persistBlob(s.blobs, vk.blob, func() *softkey.Key {
			s.mu.Lock()
			defer s.mu.Unlock()
			return vk.key
		}, func(state []byte) {
			s.mu.Lock()
			vk.saved = state
			s.mu.Unlock()
		})
	}
	return opts
}

// touched answers a virtual key's touch request: automatically when the
// operation in flight brought no touch channel, else when the user
// touches the key on the screen. Between operations nobody touches.
func (s *keyService) touched(ctx context.Context, _ string) bool {
	for {
		s.mu.Lock()
		inOp, ch, moved := s.inOp, s.touch, s.touchMoved
		if moved == nil {
			moved = make(chan struct{})
			s.touchMoved = moved
		}
		s.mu.Unlock()
		if inOp && ch == nil {
			return true
		}
		select {
		case <-ch: // blocks while ch is nil (no operation)
			return true
		case <-moved:
		case <-ctx.Done():
			return false
		}
	}
}

// setTouch records the operation in flight and its touch channel.
func (s *keyService) setTouch(inOp bool, ch <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inOp, s.touch = inOp, ch
	if s.touchMoved != nil {
		close(s.touchMoved)
		s.touchMoved = nil
	}
}

// attachVirtual loads the virtual keys from the vault (creating them on
// first use) and attaches them under libfido2, once.
func (s *keyService) attachVirtual() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attached {
		return s.attachErr
	}
	s.attached = true
	var errs []error
	for _, mode := range []softkey.Mode{softkey.FIDO2, softkey.U2FOnly} {
		name := hwkey.BlobName(mode)
		var saved []byte
		if s.blobs != nil {
			saved = s.blobs.Blob(name)
		}
		vk := &virtualKey{blob: name, saved: saved}
		opts := s.softkeyOptions(vk)
		var k *softkey.Key
		var err error
		if saved == nil {
			k, err = softkey.New(mode, opts)
		} else {
			k, err = softkey.Load(saved, opts)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("the virtual %s key in the vault cannot be loaded: %w", mode, err))
			continue
		}
		path, err := hwkey.AttachVirtual(k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if cert, err := x509.ParseCertificate(k.RootCertificate()); err == nil {
			s.roots.AddCert(cert)
		}
		vk.key = k
		s.virtual[path] = vk
	}
	s.attachErr = errors.Join(errs...)
	return s.attachErr
}

// save writes a virtual key's state to the vault when it changed
// (counter, PIN, credentials).
func (s *keyService) save(path string) error {
	s.mu.Lock()
	vk := s.virtual[path]
	s.mu.Unlock()
	if vk == nil || s.blobs == nil {
		return nil
	}
	state, err := vk.key.State()
	if err != nil {
		return err
	}
	if bytes.Equal(state, vk.saved) {
		return nil
	}
	if err := s.blobs.SetBlob(vk.blob, state); err != nil {
		return fmt.Errorf("the virtual key's new state (counter, pin, credentials) was not saved: %w", err)
	}
	vk.saved = state
	return nil
}

func (s *keyService) Devices(ctx context.Context) ([]tui.KeyDevice, error) {
	if !hwkey.Available() {
		return nil, hwkey.ErrNoLibfido2
	}
	aerr := s.attachVirtual()
	for path := range s.virtualPaths() {
		// A PIN set by the CLI meanwhile shows on a refresh.
		if err := s.reload(path); err != nil {
			aerr = errors.Join(aerr, err)
		}
		if err := s.save(path); err != nil { // a new key is kept from the start
			aerr = errors.Join(aerr, err)
		}
	}
	devs, err := hwkey.List()
	out := make([]tui.KeyDevice, 0, len(devs))
	for _, d := range devs {
		out = append(out, tui.KeyDevice{Path: d.Path, Name: strings.TrimSpace(d.Manufacturer + " " + d.Product),
			VendorID: d.VendorID, ProductID: d.ProductID, Virtual: d.Virtual})
	}
	// USB keys first, then the virtual ones (fido2, u2f).
	slices.SortStableFunc(out, func(a, b tui.KeyDevice) int {
		if a.Virtual != b.Virtual {
			if a.Virtual {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out, errors.Join(err, aerr)
}

func (s *keyService) virtualPaths() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]bool, len(s.virtual))
	for p := range s.virtual {
		out[p] = true
	}
	return out
}

func (s *keyService) Info(ctx context.Context, path string) (tui.KeyInfo, error) {
	if err := s.reload(path); err != nil {
		return tui.KeyInfo{}, err
	}
	i, err := hwkey.GetInfo(ctx, path)
	if err != nil {
		return tui.KeyInfo{}, err
	}
	v := newInfoView(i)
	out := tui.KeyInfo{Type: v.Type, Versions: v.Versions, AAGUID: v.AAGUID, PIN: v.PIN, PINRetries: -1}
	if v.PINRetries != nil {
		out.PINRetries = *v.PINRetries
	}
	for _, name := range sortedKeys(v.Options) {
		if v.Options[name] {
			out.Options = append(out.Options, name)
		}
	}
	return out, nil
}

// verifierFor picks the verifier that knows the roots of the key at path.
func (s *keyService) verifierFor(path string) *verifier.Verifier {
	if s.virtualPaths()[path] {
		return s.trusted
	}
	return s.others
}

// blobHolder is a BlobStore that can serialise a blob's users across
// processes (vault.Vault.HoldBlob).
type blobHolder interface {
	HoldBlob(name string) (release func(), err error)
}

// holdVirtual takes a virtual key's state for one operation: if another
// vmfa process (the CLI) used the key since, the key continues from the
// state it saved, so the two never hand out the same signature counter.
func (s *keyService) holdVirtual(path string) (release func(), err error) {
	s.mu.Lock()
	vk := s.virtual[path]
	s.mu.Unlock()
	h, ok := s.blobs.(blobHolder)
	if vk == nil || !ok {
		return func() {}, nil
	}
	release, err = h.HoldBlob(vk.blob)
	if err != nil {
		return nil, err
	}
	cur := s.blobs.Blob(vk.blob)
	if cur == nil || bytes.Equal(cur, vk.saved) {
		return release, nil
	}
	k, err := softkey.Load(cur, s.softkeyOptions(vk))
	if err != nil {
		release()
		return nil, fmt.Errorf("the virtual key in the vault cannot be loaded: %w", err)
	}
	hwkey.DetachVirtual(path)
	if _, err := hwkey.AttachVirtual(k); err != nil {
		release()
		return nil, err
	}
	s.mu.Lock()
	vk.key, vk.saved = k, cur
	s.mu.Unlock()
	return release, nil
}

// reload takes the state another vmfa process saved for the virtual key
// at path (a PIN set with 'vmfa key pin --virtual'), when no operation
// is in flight; other paths are left alone.
func (s *keyService) reload(path string) error {
	if !s.virtualPaths()[path] || !s.opMu.TryLock() {
		return nil
	}
	defer s.opMu.Unlock()
	release, err := s.holdVirtual(path)
	if err != nil {
		return err
	}
	release()
	return nil
}

// PowerCycle removes and reinserts the virtual key at path: its PIN
// block after three wrong PINs in a row ends (its attempts left stay).
func (s *keyService) PowerCycle(ctx context.Context, path string) error {
	s.mu.Lock()
	vk := s.virtual[path]
	s.mu.Unlock()
	if vk == nil {
		return errors.New("only a virtual key can be power-cycled here: remove and reinsert the key")
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.mu.Lock()
	k := vk.key // holdVirtual may have replaced it
	s.mu.Unlock()
	k.Reset()
	return nil
}

// operate runs fn as the one key operation in flight, with the request's
// touch channel, and saves a virtual key's new state afterwards.
func (s *keyService) operate(req tui.KeyRequest, fn func() error) error {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	release, err := s.holdVirtual(req.Path)
	if err != nil {
		return err
	}
	defer release()
	s.setTouch(true, req.Touch)
	err = fn()
	s.setTouch(false, nil)
	if serr := s.save(req.Path); err == nil {
		err = serr
	}
	return err
}

// roundTrip hands options to the client as a browser gets them: JSON.
func roundTrip[T any](v any, parse func([]byte) (T, error)) (T, error) {
	b, err := json.Marshal(v)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(b)
}

func (s *keyService) Register(ctx context.Context, req tui.KeyRequest) (*tui.KeyRegistration, error) {
	v := s.verifierFor(req.Path)
	copts, err := v.BeginRegistration(s.user, verifier.RegisterOptions{})
	if err != nil {
		return nil, err
	}
	opts, err := roundTrip(copts, hwkey.ParseCreationOptions)
	if err != nil {
		return nil, err
	}
	var cred *hwkey.RegistrationCredential
	err = s.operate(req, func() error {
		var err error
		client := &hwkey.Client{Path: req.Path, Origin: verifier.DefaultOrigin(opts.RP.ID), PIN: req.PIN}
		cred, err = client.Create(ctx, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	reg := &tui.KeyRegistration{Path: req.Path, CredentialID: cred.ID, Response: resp}
	att, err := webauthn.DecodeB64(cred.Response.AttestationObject)
	if err != nil {
		return nil, fmt.Errorf("%w: attestationObject is not base64url", webauthn.ErrMalformed)
	}
	ao, err := webauthn.ParseAttestationObject(att)
	if err != nil {
		return nil, err
	}
	reg.Format, reg.Counter = ao.Format, ao.AuthData.SignCount
	if a := ao.AuthData.AAGUID; len(a) == 16 {
		reg.AAGUID = fmt.Sprintf("%x-%x-%x-%x-%x", a[:4], a[4:6], a[6:8], a[8:10], a[10:])
	}
	if len(ao.Stmt.X5C) > 0 {
		if cert, err := x509.ParseCertificate(ao.Stmt.X5C[0]); err == nil {
			reg.CertSubject = cert.Subject.String()
		} else {
			reg.CertSubject = "(unreadable certificate)"
		}
	}
	return reg, nil
}

func (s *keyService) Bind(ctx context.Context, reg *tui.KeyRegistration) (tui.KeyBinding, error) {
	c, err := s.verifierFor(reg.Path).FinishRegistration(s.user, reg.Response, s.from)
	if err != nil {
		return tui.KeyBinding{}, err
	}
	return tui.KeyBinding{Attestation: c.Attestation, Counter: c.SignCount, BoundAt: c.Created, CredentialID: webauthn.B64(c.ID)}, nil
}

func (s *keyService) Authenticate(ctx context.Context, req tui.KeyRequest) (tui.KeyAssertion, error) {
	v := s.verifierFor(req.Path)
	ropts, err := v.BeginLogin(s.user)
	if err != nil {
		return tui.KeyAssertion{}, err
	}
	origin, err := v.KeyOrigin(s.user)
	if err != nil {
		return tui.KeyAssertion{}, err
	}
	opts, err := roundTrip(ropts, hwkey.ParseRequestOptions)
	if err != nil {
		return tui.KeyAssertion{}, err
	}
	var cred *hwkey.AssertionCredential
	err = s.operate(req, func() error {
		var err error
		cred, err = (&hwkey.Client{Path: req.Path, Origin: origin, PIN: req.PIN}).Get(ctx, opts)
		return err
	})
	if err != nil {
		return tui.KeyAssertion{}, err
	}
	resp, err := json.Marshal(cred)
	if err != nil {
		return tui.KeyAssertion{}, err
	}
	c, err := v.FinishLogin(s.user, resp, s.from)
	if err != nil {
		return tui.KeyAssertion{}, err
	}
	out := tui.KeyAssertion{Counter: c.SignCount}
	if ad, err := webauthn.DecodeB64(cred.Response.AuthenticatorData); err == nil {
		if p, err := webauthn.ParseAuthenticatorData(ad); err == nil {
			out.UserVerified = p.UserVerified()
		}
	}
	return out, nil
}

func (s *keyService) Unbind(ctx context.Context) error {
	return s.others.Unbind(s.user, s.from)
}

// Binding reads the user's bound security key from the verifier state,
// wherever it was bound (this screen earlier, or 'vmfa verifier key
// register').
func (s *keyService) Binding(ctx context.Context) (*tui.KeyBinding, error) {
	st, err := s.others.Status(s.user)
	if err != nil {
		return nil, err
	}
	for _, u := range st {
		if u.State == verifier.StateBound && u.Method == verifier.MethodSecurityKey {
			return &tui.KeyBinding{Attestation: u.Attestation, Counter: u.SignCount, BoundAt: u.BoundAt, CredentialID: u.CredentialID}, nil
		}
	}
	return nil, nil
}

// SetPIN sets the key's first PIN (req.PIN empty) or changes req.PIN to
// pin; a virtual key's new PIN is saved to the vault.
func (s *keyService) SetPIN(ctx context.Context, req tui.KeyRequest, pin string) error {
	return s.operate(req, func() error {
		if req.PIN == "" {
			return hwkey.SetPIN(ctx, req.Path, pin)
		}
		return hwkey.ChangePIN(ctx, req.Path, req.PIN, pin)
	})
}

// Credentials lists every discoverable credential on the key (credential
// management, with req.PIN).
func (s *keyService) Credentials(ctx context.Context, req tui.KeyRequest) (*hwkey.ResidentCredentials, error) {
	var out *hwkey.ResidentCredentials
	err := s.operate(req, func() error {
		var err error
		out, err = hwkey.ListResidentCredentials(ctx, req.Path, req.PIN, "")
		return err
	})
	return out, err
}

// DeleteCredential deletes the discoverable credential id from the key.
func (s *keyService) DeleteCredential(ctx context.Context, req tui.KeyRequest, id []byte) error {
	return s.operate(req, func() error {
		return hwkey.DeleteResidentCredential(ctx, req.Path, req.PIN, id)
	})
}

// brokenKeyService reports why the security keys cannot be used.
type brokenKeyService struct {
	rp, user string
	err      error
}

func (b brokenKeyService) Account() (string, string) { return b.rp, b.user }
func (b brokenKeyService) Devices(context.Context) ([]tui.KeyDevice, error) {
	return nil, b.err
}
func (b brokenKeyService) Info(context.Context, string) (tui.KeyInfo, error) {
	return tui.KeyInfo{}, b.err
}
func (b brokenKeyService) Register(context.Context, tui.KeyRequest) (*tui.KeyRegistration, error) {
	return nil, b.err
}
func (b brokenKeyService) Bind(context.Context, *tui.KeyRegistration) (tui.KeyBinding, error) {
	return tui.KeyBinding{}, b.err
}
func (b brokenKeyService) Authenticate(context.Context, tui.KeyRequest) (tui.KeyAssertion, error) {
	return tui.KeyAssertion{}, b.err
}
func (b brokenKeyService) Unbind(context.Context) error { return b.err }
func (b brokenKeyService) Binding(context.Context) (*tui.KeyBinding, error) {
	return nil, b.err
}
func (b brokenKeyService) SetPIN(context.Context, tui.KeyRequest, string) error { return b.err }
func (b brokenKeyService) Credentials(context.Context, tui.KeyRequest) (*hwkey.ResidentCredentials, error) {
	return nil, b.err
}
func (b brokenKeyService) DeleteCredential(context.Context, tui.KeyRequest, []byte) error {
	return b.err
}
func (b brokenKeyService) PowerCycle(context.Context, string) error {
	return b.err
}
