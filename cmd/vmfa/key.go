package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/vmfa/vmfa/internal/webauthn"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
)

func init() {
	c := &cobra.Command{
		Use:   "key",
		Short: "drive USB security keys (FIDO U2F/FIDO2) or the virtual key through libfido2",
		Long: `Security keys are driven through libfido2, as browsers do. --virtual uses
vmfa's software key instead (kept in the vault), through the same libfido2
path: "fido2" (the default, with PIN support) or "u2f" (a U2F-only key).

register and login print standard WebAuthn PublicKeyCredential JSON (--json)
that any WebAuthn server library accepts.`,
	}
	// A build without cgo (CGO_ENABLED=0) has no libfido2: every key
	// command says so before doing anything.
	c.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if !hwkey.Available() {
			return hwkey.ErrNoLibfido2
		}
		return rootCmd.PersistentPreRunE(cmd, args)
	}
	c.AddCommand(keyListCmd(), keyInfoCmd(), keyRegisterCmd(), keyLoginCmd(), keyPINCmd(), keyResetCmd(), keyCredsCmd())
	rootCmd.AddCommand(c)
}

// keyFlags select the key a command drives and how long to wait for it.
type keyFlags struct {
	device   string
	virtual  string
	timeout  time.Duration
	pinStdin bool
}

func (f *keyFlags) add(fs *pflag.FlagSet, pin bool) {
	fs.StringVar(&f.device, "device", "", "key to use (a path from 'vmfa key list', vmfa-virtual:fido2 included); default: the only key present")
	fs.StringVar(&f.virtual, "virtual", "", "use vmfa's software key: fido2 or u2f")
	fs.Lookup("virtual").NoOptDefVal = "fido2"
	fs.DurationVar(&f.timeout, "timeout", hwkey.DefaultTimeout, "how long to wait for a touch")
	if pin {
		fs.BoolVar(&f.pinStdin, "pin-stdin", false, "read the key's PIN from the first line of stdin")
	}
}

// checkTimeout refuses a --timeout that could never see a touch.
func (f *keyFlags) checkTimeout() error {
	if f.timeout <= 0 {
		return fmt.Errorf("--timeout must be positive (such as 30s or 2m), not %s", f.timeout)
	}
	return nil
}

// openedKey is a key ready for hwkey calls; close saves the software key's
// state back to the vault.
type openedKey struct {
	path    string
	virtual bool
	mode    softkey.Mode // of a virtual key
	close   func() error
	// renew replaces a virtual key with a new one (new credentials, no
	// pin, counter 0); close then saves it.
	renew func() error
}

// openKey resolves --device / --virtual. For --virtual it loads the
// software key from the vault (creating it on first use) and attaches it
// under libfido2. The verifier commands use it too.
func openKey(cmd *cobra.Command, f *keyFlags) (*openedKey, error) {
	if err := f.checkTimeout(); err != nil {
		return nil, err
	}
	if err := f.resolveVirtualDevice(); err != nil {
		return nil, err
	}
	if f.virtual == "" {
		d, err := hwkey.Choose(f.device)
		var multi *hwkey.MultipleDevicesError
		if errors.As(err, &multi) {
			// Several keys: the one the user touches is the one to use.
			fmt.Fprintf(cmd.ErrOrStderr(), "%d security keys found: touch the one to use (or pass --device)\n", len(multi.Devices))
			ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
			defer cancel()
			d, err = hwkey.WaitForTouch(ctx, multi.Devices)
		}
		if err != nil {
			return nil, f.keyHint(err)
		}
		return &openedKey{path: d.Path, close: func() error { return nil }}, nil
	}
	if f.device != "" {
		return nil, errors.New("use either --device or --virtual, not both")
	}
	mode, err := softkey.ParseMode(f.virtual)
	if err != nil {
		return nil, fmt.Errorf("--virtual must be fido2 or u2f")
	}
	v, err := openOrCreateVault(cmd)
	if err != nil {
		return nil, err
	}
	name := hwkey.BlobName(mode)
	// One key across processes: hold the key's state until the new state
	// (its signature counter above all) is saved, so that two vmfa runs
	// never hand out the same counter.
	release, err := v.HoldBlob(name)
	if err != nil {
		return nil, err
	}
	saved := v.Blob(name)
	var k *softkey.Key
	kopts := softkey.Options{Persist: persistBlob(v, name, func() *softkey.Key { return k }, func(state []byte) { saved = state })}
	if saved == nil {
		k, err = softkey.New(mode, kopts)
	} else {
		k, err = softkey.Load(saved, kopts)
	}
	if err != nil {
		release()
		return nil, fmt.Errorf("the virtual %s key in the vault cannot be loaded: %w", mode, err)
	}
	path, err := hwkey.AttachVirtual(k)
	if err != nil {
		release()
		return nil, err
	}
	renew := func() error {
		fresh, err := softkey.New(mode, kopts)
		if err != nil {
			return err
		}
		if _, err := hwkey.AttachVirtual(fresh); err != nil {
			return err
		}
		k = fresh
		return nil
	}
	return &openedKey{path: path, virtual: true, mode: mode, renew: renew, close: func() error {
		defer release()
		hwkey.DetachVirtual(path)
		state, err := k.State()
		if err != nil {
			return err
		}
		if bytes.Equal(state, saved) {
			return nil
		}
		if err := v.SetBlob(name, state); err != nil {
			return fmt.Errorf("the virtual key's new state (counter, pin, credentials) was not saved: %w", err)
		}
		return nil
	}}, nil
}

// blobSetter is where a virtual key's state is kept: the vault, or the
// TUI's store over it.
type blobSetter interface {
	SetBlob(name string, data []byte) error
}

// persistBlob is the softkey.Options.Persist hook of a virtual key kept
// in blob name of store, shared by 'vmfa key' and the TUI: a PIN attempt
// is written to the vault before the key compares the PIN, so killing
// vmfa then does not give the attempt back. key returns the key in use;
// saved learns the state written.
func persistBlob(store blobSetter, name string, key func() *softkey.Key, saved func([]byte)) func() error {
	return func() error {
		state, err := key().State()
		if err != nil {
			return err
		}
		if err := store.SetBlob(name, state); err != nil {
			return err
		}
		saved(state)
		return nil
	}
}

// resolveVirtualDevice turns --device vmfa-virtual:MODE (the path 'vmfa key
// list' shows for a virtual key) into --virtual=MODE.
func (f *keyFlags) resolveVirtualDevice() error {
	for _, mode := range []softkey.Mode{softkey.FIDO2, softkey.U2FOnly} {
		if f.device != hwkey.VirtualPath(mode) {
			continue
		}
		if f.virtual != "" && f.virtual != mode.String() {
			return errors.New("use either --device or --virtual, not both")
		}
		f.device, f.virtual = "", mode.String()
		return nil
	}
	if strings.HasPrefix(f.device, hwkey.VirtualPath(softkey.FIDO2)[:len("vmfa-virtual:")]) {
		return fmt.Errorf("no virtual key %s: use %s or %s", webauthn.Clip(f.device), hwkey.VirtualPath(softkey.FIDO2), hwkey.VirtualPath(softkey.U2FOnly))
	}
	return nil
}

// withKey runs fn with the selected key, telling the user to touch a
// physical one, and asking for its PIN on the terminal if the key wants
// one and --pin-stdin was not given.
func withKey(cmd *cobra.Command, f *keyFlags, needsPIN bool, fn func(ctx context.Context, path, pin string) error) error {
	pin := ""
	if f.pinStdin {
		var err error
		if pin, err = readSecretStdin(cmd.InOrStdin()); err != nil {
			return fmt.Errorf("reading the pin: %w", err)
		}
	}
	k, err := openKey(cmd, f)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
	defer cancel()
	if !k.virtual {
		fmt.Fprintf(cmd.ErrOrStderr(), "touch the security key at %s when it blinks\n", k.path)
	}
	err = fn(ctx, k.path, pin)
	if needsPIN && errors.Is(err, hwkey.ErrPINRequired) && !f.pinStdin {
		if b, perr := readHidden(cmd, "PIN for the security key: "); perr == nil && len(b) > 0 {
			ctx2, cancel2 := context.WithTimeout(cmd.Context(), f.timeout)
			defer cancel2()
			err = fn(ctx2, k.path, string(b))
		}
	}
	if cerr := k.close(); err == nil {
		err = cerr
	}
	return f.keyHint(err)
}

// command is the vmfa command line of a key subcommand for the key these
// flags name, for hints: "vmfa key pin --virtual".
func (f *keyFlags) command(sub string) string {
	c := "vmfa key " + sub
	switch f.virtual {
	case "":
	case "fido2":
		c += " --virtual"
	default:
		c += " --virtual=" + f.virtual
	}
	if f.device != "" {
		c += " --device " + f.device
	}
	return c
}

// keyHint adds the CLI's way out to the errors that have one, naming the
// key the flags chose.
func (f *keyFlags) keyHint(err error) error {
	switch {
	case errors.Is(err, hwkey.ErrPINRequired):
		return fmt.Errorf("%w: pass it with --pin-stdin", err)
	case errors.Is(err, hwkey.ErrPINNotSet):
		return fmt.Errorf("%w with '%s'", err, f.command("pin"))
	case errors.Is(err, hwkey.ErrPINBlocked):
		return fmt.Errorf("%w with '%s'", err, f.command("reset"))
	case errors.Is(err, hwkey.ErrKeyStoreFull):
		held := ""
		if f.virtual == "fido2" {
			held = fmt.Sprintf(" (the virtual key holds %d)", softkey.MaxResident)
		}
		return fmt.Errorf("%w%s: see '%s' and delete with '%s CREDENTIAL_ID'", err, held, f.command("creds list"), f.command("creds rm"))
	case errors.Is(err, hwkey.ErrMultipleDevices):
		return fmt.Errorf("%w with --device (see 'vmfa key list')", err)
	case errors.Is(err, hwkey.ErrDeviceGone):
		return fmt.Errorf("%w (see 'vmfa key list')", err)
	}
	return err
}

func keyListCmd() *cobra.Command {
	var asJSON bool
	var virtual string
	c := &cobra.Command{
		Use:   "list [--virtual[=fido2|u2f]]",
		Short: "list security keys: USB keys, then vmfa's virtual keys",
		Long: `list shows the USB security keys libfido2 sees, then vmfa's two virtual
keys (kept in the vault, created on first use). Any of the paths can be
given to the other key commands with --device; vmfa-virtual:fido2 is the
same as --virtual. --virtual lists only the virtual keys.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var devs []hwkey.Device
			if virtual == "" {
				var err error
				if devs, err = hwkey.List(); err != nil && !errors.Is(err, hwkey.ErrNotAccessible) {
					return err
				} else if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "vmfa: %v\n", err)
				}
			}
			modes := []softkey.Mode{softkey.FIDO2, softkey.U2FOnly}
			if virtual != "" {
				mode, err := softkey.ParseMode(virtual)
				if err != nil {
					return errors.New("--virtual must be fido2 or u2f")
				}
				modes = []softkey.Mode{mode}
			}
			for _, mode := range modes {
				if !slices.ContainsFunc(devs, func(d hwkey.Device) bool { return d.Path == hwkey.VirtualPath(mode) }) {
					devs = append(devs, virtualDevice(mode))
				}
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), devs)
			}
			for _, d := range devs {
				name := strings.TrimSpace(d.Manufacturer + " " + d.Product)
				if d.Virtual {
					fmt.Fprintf(cmd.OutOrStdout(), "%s\tvirtual\t%s (in the vault; --virtual=%s)\n", d.Path, name, strings.TrimPrefix(d.Path, "vmfa-virtual:"))
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%04x:%04x\t%s\n", d.Path, d.VendorID, d.ProductID, name)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&virtual, "virtual", "", "list only vmfa's virtual key: fido2 or u2f")
	c.Flags().Lookup("virtual").NoOptDefVal = "fido2"
	return c
}

// virtualDevice is how 'key list' shows a virtual key that is not
// attached (it lives in the vault until a command uses it).
func virtualDevice(mode softkey.Mode) hwkey.Device {
	return hwkey.Device{Path: hwkey.VirtualPath(mode), Manufacturer: "vmfa", Product: fmt.Sprintf("virtual %s security key", mode), Virtual: true}
}

// infoView is the printed form of hwkey.Info.
type infoView struct {
	Path       string          `json:"path"`
	Type       string          `json:"type"`
	Versions   []string        `json:"versions"`
	Extensions []string        `json:"extensions,omitempty"`
	AAGUID     string          `json:"aaguid,omitempty"`
	Options    map[string]bool `json:"options,omitempty"`
	PIN        string          `json:"pin"`
	PINRetries *int            `json:"pin_retries,omitempty"`
	// PINProtocols are the PIN/UV auth protocols offered.
	PINProtocols []int `json:"pin_protocols,omitempty"`
	// RemainingResident is how many more passkeys fit, when the key says.
	RemainingResident *int `json:"remaining_resident,omitempty"`
}

func newInfoView(i *hwkey.Info) infoView {
	v := infoView{Path: i.Path, Type: i.Type, Versions: i.Versions, Extensions: i.Extensions, Options: i.Options, PINProtocols: i.PINProtocols}
	if i.RemainingResident >= 0 {
		n := i.RemainingResident
		v.RemainingResident = &n
	}
	if a := i.AAGUID; len(a) == 16 {
		v.AAGUID = fmt.Sprintf("%x-%x-%x-%x-%x", a[:4], a[4:6], a[6:8], a[8:10], a[10:])
	}
	switch {
	case !i.PINSupported():
		v.PIN = "unsupported"
	case i.PINSet() && i.PINRetries == 0:
		v.PIN = "blocked"
		v.PINRetries = new(int)
	case i.PINSet():
		v.PIN = "set"
		if i.PINRetries >= 0 {
			n := i.PINRetries
			v.PINRetries = &n
		}
	default:
		v.PIN = "not set"
	}
	return v
}

func keyInfoCmd() *cobra.Command {
	var f keyFlags
	var asJSON bool
	c := &cobra.Command{
		Use:   "info",
		Short: "show what a security key supports and how it is set up",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := openKey(cmd, &f)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
			defer cancel()
			info, err := hwkey.GetInfo(ctx, k.path)
			if cerr := k.close(); err == nil {
				err = cerr
			}
			if err != nil {
				return f.keyHint(err)
			}
			v := newInfoView(info)
			if asJSON {
				return printJSON(cmd.OutOrStdout(), v)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "path:        %s\n", v.Path)
			fmt.Fprintf(w, "type:        %s\n", v.Type)
			fmt.Fprintf(w, "versions:    %s\n", strings.Join(v.Versions, ", "))
			if v.AAGUID != "" {
				fmt.Fprintf(w, "aaguid:      %s\n", v.AAGUID)
			}
			if len(v.Extensions) > 0 {
				fmt.Fprintf(w, "extensions:  %s\n", strings.Join(v.Extensions, ", "))
			}
			if len(v.Options) > 0 {
				var opts []string
				for _, name := range sortedKeys(v.Options) {
					opts = append(opts, fmt.Sprintf("%s=%t", name, v.Options[name]))
				}
				fmt.Fprintf(w, "options:     %s\n", strings.Join(opts, " "))
			}
			pin := v.PIN
			switch {
			case v.PIN == "blocked":
				pin = "blocked (reset the key with '" + f.command("reset") + "')"
			case v.PINRetries != nil:
				pin = fmt.Sprintf("set (%d attempts left)", *v.PINRetries)
			}
			fmt.Fprintf(w, "pin:         %s\n", pin)
			if len(v.PINProtocols) > 0 {
				ps := make([]string, len(v.PINProtocols))
				for i, p := range v.PINProtocols {
					ps[i] = strconv.Itoa(p)
				}
				fmt.Fprintf(w, "pin/uv auth: protocol %s\n", strings.Join(ps, ", "))
			}
			if v.RemainingResident != nil {
				fmt.Fprintf(w, "passkeys:    room for %d more\n", *v.RemainingResident)
			}
			return nil
		},
	}
	f.add(c.Flags(), false)
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func sortedKeys(m map[string]bool) []string {
	return slices.Sorted(maps.Keys(m))
}

// readWebAuthnJSON reads at most 1 MiB of WebAuthn JSON from a file, or from
// stdin when name is "" or "-".
func readWebAuthnJSON(cmd *cobra.Command, name string) ([]byte, error) {
	var r io.Reader = cmd.InOrStdin()
	if name != "" && name != "-" {
		fh, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		r = fh
	}
	return io.ReadAll(io.LimitReader(r, 1<<20))
}

// serverOptions reads the server's WebAuthn options from a file or "-"
// (stdin, which --pin-stdin cannot share) and parses them.
func serverOptions[T any](cmd *cobra.Command, name string, f *keyFlags, parse func([]byte) (*T, error)) (*T, error) {
	if name == "-" && f.pinStdin {
		return nil, errors.New("--options - and --pin-stdin both read stdin: put the options in a file")
	}
	b, err := readWebAuthnJSON(cmd, name)
	if err != nil {
		return nil, fmt.Errorf("cannot read the options: %w", err)
	}
	return parse(b)
}

func challengeBytes(s string) (string, error) {
	if s == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		return webauthn.B64(b), nil
	}
	b, err := webauthn.DecodeB64(s)
	if err != nil || len(b) < 16 {
		return "", errors.New("--challenge must be at least 16 base64url-encoded bytes")
	}
	return webauthn.B64(b), nil
}

func keyRegisterCmd() *cobra.Command {
	var (
		f                         keyFlags
		rpID, rpName, user        string
		userID, origin, challenge string
		appID, optionsFile        string
		exclude                   []string
		resident, uv, asJSON      bool
		credProtect               int
	)
	c := &cobra.Command{
		Use:   "register",
		Short: "register a security key (WebAuthn create) and print the PublicKeyCredential",
		Long: `register builds the clientDataJSON (type, challenge, origin) a browser would,
has the key make an ES256 credential and prints the PublicKeyCredential
(id, rawId, type, response{clientDataJSON, attestationObject, transports}).

Take the challenge from your server (--challenge) or pass the server's whole
PublicKeyCredentialCreationOptions JSON with --options FILE ('-' for stdin).
--appid registers under a legacy U2F AppID instead of the RP ID.

--resident makes a discoverable credential (a passkey: 'vmfa key login'
finds it without --credential); --cred-protect 2 hides it from logins
without user verification unless the server names it, 3 allows it only with
user verification (the key's PIN); a key without credProtect refuses it. From --options, authenticatorSelection
(residentKey, requireResidentKey, userVerification) and the credProtect
(credentialProtectionPolicy) and credProps extensions are honoured.`,
		Example: `  vmfa key register --virtual --rp example.com --user alice --json
  vmfa key register --rp example.com --user alice --challenge "$CHALLENGE" --pin-stdin <<< "$PIN"
  vmfa key register --virtual --resident --uv --cred-protect 2 --rp example.com --user alice --pin-stdin <<< "$PIN"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var opts *hwkey.CreationOptions
			if optionsFile != "" {
				var err error
				if opts, err = serverOptions(cmd, optionsFile, &f, hwkey.ParseCreationOptions); err != nil {
					return err
				}
			} else {
				if rpID == "" || user == "" {
					return errors.New("--rp and --user are required (or pass the server's options with --options)")
				}
				ch, err := challengeBytes(challenge)
				if err != nil {
					return err
				}
				uid := []byte(nil)
				if userID != "" {
					if uid, err = webauthn.DecodeB64(userID); err != nil || len(uid) == 0 || len(uid) > 64 {
						return errors.New("--user-id must be 1 to 64 base64url-encoded bytes")
					}
				} else {
					sum := sha256.Sum256([]byte("vmfa user:" + rpID + ":" + user))
					uid = sum[:16]
				}
				if rpName == "" {
					rpName = rpID
				}
				opts = &hwkey.CreationOptions{
					RP:               webauthn.RPEntity{ID: rpID, Name: rpName},
					User:             webauthn.UserEntity{ID: webauthn.B64(uid), Name: user, DisplayName: user},
					Challenge:        ch,
					PubKeyCredParams: []webauthn.CredentialParameter{{Type: webauthn.TypePublicKey, Alg: webauthn.AlgES256}},
				}
				for _, id := range exclude {
					opts.ExcludeCredentials = append(opts.ExcludeCredentials, webauthn.CredentialDescriptor{Type: webauthn.TypePublicKey, ID: id})
				}
				if resident {
					opts.Extensions.CredProps = true
				}
			}
			// The flags add to (or override) the server's options.
			if resident {
				opts.AuthenticatorSelection.ResidentKey = "required"
			}
			if uv {
				opts.AuthenticatorSelection.UserVerification = "required"
			}
			if credProtect != 0 {
				if credProtect < 1 || credProtect > 3 {
					return errors.New("--cred-protect must be 1, 2 or 3")
				}
				cp := webauthn.CredProtect(credProtect)
				opts.Extensions.CredProtect, opts.Extensions.CredentialProtectionPolicy = &cp, ""
				opts.Extensions.EnforceCredentialProtectionPolicy = true
			}
			var cred *hwkey.RegistrationCredential
			var format string
			var counter uint32
			err := withKey(cmd, &f, true, func(ctx context.Context, path, pin string) error {
				client := &hwkey.Client{Path: path, Origin: origin, PIN: pin}
				var err error
				if appID != "" {
					cred, err = client.CreateAppID(ctx, opts, appID)
				} else {
					cred, err = client.Create(ctx, opts)
				}
				if err != nil {
					return err
				}
				format, counter, err = describeRegistration(cred)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), cred)
			}
			w := cmd.OutOrStdout()
			kind := ""
			if cp := cred.ClientExtensionResults.CredProps; cp != nil && cp.RK {
				kind = "resident "
			}
			fmt.Fprintf(w, "registered %s at %s (%s%s attestation, counter %d)\n", opts.User.Name, opts.RP.ID, kind, format, counter)
			fmt.Fprintf(w, "credential id: %s\n", cred.ID)
			return nil
		},
	}
	fs := c.Flags()
	f.add(fs, true)
	fs.StringVar(&rpID, "rp", "", "relying party ID (the site's domain)")
	fs.StringVar(&rpName, "rp-name", "", "relying party name (default: the RP ID)")
	fs.StringVar(&user, "user", "", "user name")
	fs.StringVar(&userID, "user-id", "", "user handle, base64url (default: derived from --rp and --user)")
	fs.StringVar(&origin, "origin", "", "origin in the client data (default https://<rp>)")
	fs.StringVar(&challenge, "challenge", "", "challenge from the server, base64url (default: random)")
	fs.StringVar(&appID, "appid", "", "register under this legacy U2F AppID (URL) instead of the RP ID")
	fs.StringVar(&optionsFile, "options", "", "read PublicKeyCredentialCreationOptions JSON from this file ('-' for stdin)")
	fs.StringSliceVar(&exclude, "exclude", nil, "credential ID (base64url) the key must not already hold; repeatable")
	fs.BoolVar(&resident, "resident", false, "make a resident (discoverable) credential (FIDO2 keys)")
	fs.BoolVar(&uv, "uv", false, "require user verification (FIDO2 keys)")
	fs.IntVar(&credProtect, "cred-protect", 0, "credProtect level: 1, 2 (discoverable only with UV) or 3 (usable only with UV)")
	fs.BoolVar(&asJSON, "json", false, "print the PublicKeyCredential JSON")
	return c
}

// describeRegistration reads the format and counter back from the JSON.
func describeRegistration(cred *hwkey.RegistrationCredential) (string, uint32, error) {
	att, err := webauthn.DecodeB64(cred.Response.AttestationObject)
	if err != nil {
		return "", 0, fmt.Errorf("%w: attestationObject is not base64url", webauthn.ErrMalformed)
	}
	ao, err := webauthn.ParseAttestationObject(att)
	if err != nil {
		return "", 0, err
	}
	return ao.Format, ao.AuthData.SignCount, nil
}

func keyLoginCmd() *cobra.Command {
	var (
		f                                   keyFlags
		rpID, origin, challenge, appID, opt string
		userHandle, account                 string
		creds                               []string
		uv, asJSON                          bool
	)
	c := &cobra.Command{
		Use:   "login",
		Short: "authenticate with a security key (WebAuthn get) and print the PublicKeyCredential",
		Long: `login builds the clientDataJSON, has the key sign it and prints the
PublicKeyCredential (id, rawId, type, response{authenticatorData,
clientDataJSON, signature, userHandle}).

Without --credential (and without allowCredentials in --options) the login
is discoverable, as with a passkey: a FIDO2 key offers every resident
credential it holds for the RP. With several, vmfa lists the accounts and
asks which one to sign in as, or takes the one --user-handle or --account
(the user name; the key reveals names only after its PIN) names.`,
		Example: `  vmfa key login --virtual --rp example.com --credential "$ID" --json
  vmfa key login --virtual --rp example.com --account alice --pin-stdin --json <<< "$PIN"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var opts *hwkey.RequestOptions
			if opt != "" {
				var err error
				if opts, err = serverOptions(cmd, opt, &f, hwkey.ParseRequestOptions); err != nil {
					return err
				}
			} else {
				if rpID == "" {
					return errors.New("--rp is required (or pass the server's options with --options)")
				}
				ch, err := challengeBytes(challenge)
				if err != nil {
					return err
				}
				opts = &hwkey.RequestOptions{Challenge: ch, RPID: rpID, Extensions: webauthn.Extensions{AppID: appID}}
				for _, id := range creds {
					opts.AllowCredentials = append(opts.AllowCredentials, webauthn.CredentialDescriptor{Type: webauthn.TypePublicKey, ID: id})
				}
				if uv {
					opts.UserVerification = "required"
				}
			}
			if userHandle != "" {
				if b, err := webauthn.DecodeB64(userHandle); err != nil || len(b) == 0 || len(b) > 64 {
					return errors.New("--user-handle must be 1 to 64 base64url-encoded bytes")
				}
			}
			if (userHandle != "" || account != "") && len(opts.AllowCredentials) > 0 {
				return errors.New("--user-handle and --account choose among discoverable credentials: leave out --credential")
			}
			var cred *hwkey.AssertionCredential
			err := withKey(cmd, &f, true, func(ctx context.Context, path, pin string) error {
				var err error
				client := &hwkey.Client{Path: path, Origin: origin, PIN: pin, ChooseAccount: accountChooser(cmd, opts.RPID, userHandle, account)}
				cred, err = client.Get(ctx, opts)
				if errors.Is(err, hwkey.ErrNoCredentials) && len(opts.AllowCredentials) == 0 && pin == "" {
					// credProtect 2 and 3 hide passkeys from a login
					// without user verification.
					return fmt.Errorf("%w (passkeys made with --cred-protect 2 or 3 show only after the key's pin: pass --pin-stdin)", err)
				}
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), cred)
			}
			counter := uint32(0)
			if ad, err := webauthn.DecodeB64(cred.Response.AuthenticatorData); err == nil {
				if p, err := webauthn.ParseAuthenticatorData(ad); err == nil {
					counter = p.SignCount
				}
			}
			w := cmd.OutOrStdout()
			who := ""
			if h := cred.Response.UserHandle; h != "" {
				who = " as user handle " + h
			}
			fmt.Fprintf(w, "signed in at %s%s with credential %s (counter %d)\n", opts.RPID, who, cred.ID, counter)
			return nil
		},
	}
	fs := c.Flags()
	f.add(fs, true)
	fs.StringVar(&rpID, "rp", "", "relying party ID (the site's domain)")
	fs.StringSliceVar(&creds, "credential", nil, "credential ID (base64url) from registration; repeatable")
	fs.StringVar(&origin, "origin", "", "origin in the client data (default https://<rp>)")
	fs.StringVar(&challenge, "challenge", "", "challenge from the server, base64url (default: random)")
	fs.StringVar(&appID, "appid", "", "also try the legacy U2F AppID (the appid extension)")
	fs.StringVar(&opt, "options", "", "read PublicKeyCredentialRequestOptions JSON from this file ('-' for stdin)")
	fs.StringVar(&userHandle, "user-handle", "", "discoverable login: the account with this user handle (base64url)")
	fs.StringVar(&account, "account", "", "discoverable login: the account with this user name")
	fs.BoolVar(&uv, "uv", false, "require user verification (FIDO2 keys)")
	fs.BoolVar(&asJSON, "json", false, "print the PublicKeyCredential JSON")
	return c
}

// readPINs reads n PINs: lines of stdin with --pin-stdin, else prompts.
func readPINs(cmd *cobra.Command, fromStdin bool, prompts ...string) ([]string, error) {
	out := make([]string, 0, len(prompts))
	if fromStdin {
		sc := bufio.NewScanner(io.LimitReader(cmd.InOrStdin(), 4096))
		for range prompts {
			if !sc.Scan() {
				return nil, fmt.Errorf("expected %d pins on stdin, one per line", len(prompts))
			}
			out = append(out, strings.TrimRight(sc.Text(), "\r"))
		}
		return out, nil
	}
	f, err := tty()
	if err != nil {
		return nil, fmt.Errorf("no terminal to ask the pin on: pass --pin-stdin and write the %s to stdin, one per line", pinLines(len(prompts)-1))
	}
	f.Close()
	for _, p := range prompts {
		b, err := readHidden(cmd, p)
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	return out, nil
}

// pinLines names the lines --pin-stdin wants in place of n prompts (the
// confirmation prompt has no line on stdin).
func pinLines(n int) string {
	if n >= 2 {
		return "current pin and the new one"
	}
	return "new pin"
}

func keyPINCmd() *cobra.Command {
	var f keyFlags
	var change bool
	c := &cobra.Command{
		Use:   "pin",
		Short: "set the PIN of a FIDO2 key, or change it with --change",
		Long: `pin sets the first PIN of a FIDO2 key, or with --change replaces it.
With --pin-stdin the PINs are read from stdin, one per line: the new PIN, or
the current PIN then the new one with --change.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			prompts := []string{"new PIN: ", "new PIN again: "}
			if change {
				prompts = append([]string{"current PIN: "}, prompts...)
			}
			if f.pinStdin {
				prompts = prompts[:len(prompts)-1] // no confirmation line on stdin
			}
			pins, err := readPINs(cmd, f.pinStdin, prompts...)
			if err != nil {
				return err
			}
			if !f.pinStdin && pins[len(pins)-1] != pins[len(pins)-2] {
				return errors.New("the new pins differ")
			}
			k, err := openKey(cmd, &f)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
			defer cancel()
			if change {
				err = hwkey.ChangePIN(ctx, k.path, pins[0], pins[1])
			} else {
				err = hwkey.SetPIN(ctx, k.path, pins[0])
			}
			if cerr := k.close(); err == nil {
				err = cerr
			}
			if err != nil {
				return f.keyHint(err)
			}
			if change {
				fmt.Fprintln(cmd.OutOrStdout(), "pin changed")
			} else {
				fmt.Fprintln(cmd.OutOrStdout(), "pin set")
			}
			return nil
		},
	}
	f.add(c.Flags(), true)
	c.Flags().BoolVar(&change, "change", false, "change the existing PIN")
	return c
}

func keyResetCmd() *cobra.Command {
	var f keyFlags
	var yes bool
	c := &cobra.Command{
		Use:   "reset [--virtual[=fido2|u2f] | --device PATH] [--yes]",
		Short: "reset a security key: erase every credential on it and its PIN",
		Long: `reset erases a security key as on the day it was made: every credential on
it and its PIN are gone, so the sites it was registered with no longer
accept it. It is the way out of a blocked PIN. A FIDO2 key asks for a
touch and accepts a reset only within 10 seconds of being plugged in:
plug it in, then run reset at once. U2F-only keys have no reset command.

--virtual resets vmfa's software key in the vault: the FIDO2 one through
libfido2's reset, as a USB key; the U2F one is replaced by a new key (new
credentials, counter 0). It asks for confirmation on the terminal unless
--yes is given.`,
		Example: `  vmfa key reset --virtual
  vmfa key reset --device /dev/hidraw3 --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := f.checkTimeout(); err != nil {
				return err
			}
			what := "the security key"
			switch {
			case f.virtual != "":
				what = "the virtual " + f.virtual + " key"
			case f.device != "":
				what = "the security key at " + f.device
			}
			if !yes {
				t, err := tty()
				if err != nil {
					return fmt.Errorf("resetting erases every credential on %s and its pin: pass --yes to confirm", what)
				}
				t.Close()
				if !confirm(fmt.Sprintf("reset %s? this erases every credential on it and its pin, for good", what)) {
					return errors.New("not reset: nothing changed")
				}
			}
			k, err := openKey(cmd, &f)
			if err != nil {
				return err
			}
			if k.virtual && k.mode == softkey.U2FOnly {
				// U2F has no reset command: a reset is a new key.
				err = k.renew()
			} else {
				if !k.virtual {
					fmt.Fprintf(cmd.ErrOrStderr(), "touch the security key at %s when it blinks (keys accept a reset only within 10 seconds of being plugged in)\n", k.path)
				}
				ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
				defer cancel()
				err = hwkey.Reset(ctx, k.path)
			}
			if cerr := k.close(); err == nil {
				err = cerr
			}
			if err != nil {
				return f.keyHint(err)
			}
			erased := "its credentials and pin are erased"
			if k.virtual && k.mode == softkey.U2FOnly {
				erased = "its credentials are erased"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is reset: %s\n", what, erased)
			return nil
		},
	}
	f.add(c.Flags(), false)
	c.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return c
}
