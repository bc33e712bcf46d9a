package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/internal/webauthn"
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
	"github.com/vmfa/vmfa/verifier"
)

// verifierFlags are the flags every verifier command sees.
var verifierFlags struct {
	state  string
	asJSON bool
	client string
	ip     string
	name   string
	at     string
	policy verifier.Config // the policy flags below
}

func init() {
	c := &cobra.Command{
		Use:   "verifier",
		Short: "the companion verifier: rehearse a console's MFA enrollment and login",
		Long: `verifier plays the console's side of MFA: it issues virtual MFA secrets
(otpauth URI, QR code, account and key), binds them with two consecutive
codes, verifies logins with replay protection and throttling, assigns
hardware OATH tokens, registers and verifies security keys (WebAuthn), and
keeps an audit log. One MFA device per user: unbind to change it.

Its state is one JSON file (--state, default $VMFA_VERIFIER_STATE or
$XDG_DATA_HOME/vmfa/verifier.json), written with mode 0600: it holds the
verifier's copies of the TOTP secrets in the clear, like a console's
database. Exit status 0 is success; 1 is a denial or an error, with the
reason on stderr.`,
		Example: `  # terminal 1 (the console)             # terminal 2 (the phone)
  vmfa verifier totp enroll --user alice --qr alice.png
                                            vmfa add --qr alice.png
                                            vmfa          # current and next code
  vmfa verifier totp bind --user alice 123456 654321
  vmfa verifier login --user alice --code 112233`,
	}
	pf := c.PersistentFlags()
	pf.StringVar(&verifierFlags.state, "state", "", "verifier state file (default $VMFA_VERIFIER_STATE or $XDG_DATA_HOME/vmfa/verifier.json)")
	pf.BoolVar(&verifierFlags.asJSON, "json", false, "print data as JSON")
	pf.StringVar(&verifierFlags.client, "client", "", "client name recorded in the audit log")
	pf.StringVar(&verifierFlags.ip, "ip", "", "client IP recorded in the audit log")
	pf.StringVar(&verifierFlags.name, "verifier-name", "", "this verifier's name in the audit log (default vmfa-verifier)")
	pf.StringVar(&verifierFlags.at, "at", "", "run as if the verifier's clock said this time (RFC 3339 or Unix seconds), to script a rehearsal")
	// Policy: not stored, so pass the same flags on every call of one
	// rehearsal.
	def := verifier.DefaultConfig()
	p := &verifierFlags.policy
	pf.IntVar(&p.Skew, "skew", def.Skew, "time steps accepted either side of now")
	pf.IntVar(&p.MaxFailures, "max-failures", def.MaxFailures, "failures within --failure-window that lock a user (0: no throttling)")
	pf.DurationVar(&p.FailureWindow, "failure-window", def.FailureWindow, "window in which failures are counted")
	pf.DurationVar(&p.Lockout, "lockout", def.Lockout, "how long a throttled user stays locked")
	pf.DurationVar(&p.PendingTTL, "pending-ttl", def.PendingTTL, "how long an enrollment waits for its binding")
	pf.DurationVar(&p.ChallengeTTL, "challenge-ttl", def.ChallengeTTL, "how long a security-key challenge is valid")
	pf.IntVar(&p.HOTPLookAhead, "hotp-look-ahead", def.HOTPLookAhead, fmt.Sprintf("counter values accepted past the expected one (hotp, at most %d)", verifier.MaxHOTPLookAhead))
	pf.IntVar(&p.HOTPResyncWindow, "hotp-resync-window", def.HOTPResyncWindow, fmt.Sprintf("counter values resync searches (hotp, at most %d)", verifier.MaxHOTPResyncWindow))

	totp := &cobra.Command{Use: "totp", Short: "virtual MFA devices (TOTP/HOTP): enroll, bind, resync"}
	totp.AddCommand(verifierEnrollCmd(), verifierBindCmd(), verifierResyncCmd())
	key := &cobra.Command{Use: "key", Short: "security keys (WebAuthn): register, login"}
	key.AddCommand(verifierKeyRegisterCmd(), verifierKeyLoginCmd())
	tokens := &cobra.Command{Use: "tokens", Short: "hardware OATH tokens: import, assign, list"}
	tokens.AddCommand(verifierTokensImportCmd(), verifierTokensAssignCmd(), verifierTokensListCmd())
	c.AddCommand(totp, key, tokens, verifierLoginCmd(), verifierUnbindCmd(), verifierUnlockCmd(), verifierStatusCmd(), verifierLogCmd())
	jsonErrors(c)
	rootCmd.AddCommand(c)
}

// verifierStatePath resolves --state (verifier.StatePath: the flag,
// $VMFA_VERIFIER_STATE, $XDG_DATA_HOME/vmfa/verifier.json), the one rule
// every front end shares.
func verifierStatePath() (string, error) {
	return verifier.StatePath(verifierFlags.state)
}

// verifierConfig is the policy the flags give.
func verifierConfig() (verifier.Config, error) {
	cfg := verifier.DefaultConfig()
	p := verifierFlags.policy
	cfg.Skew, cfg.MaxFailures, cfg.FailureWindow, cfg.Lockout = p.Skew, p.MaxFailures, p.FailureWindow, p.Lockout
	cfg.PendingTTL, cfg.ChallengeTTL = p.PendingTTL, p.ChallengeTTL
	cfg.HOTPLookAhead, cfg.HOTPResyncWindow = p.HOTPLookAhead, p.HOTPResyncWindow
	if verifierFlags.name != "" {
		cfg.Name = verifierFlags.name
	}
	if verifierFlags.at != "" {
		at, err := parseAt(verifierFlags.at)
		if err != nil {
			return cfg, &paramError{"InvalidParameter.Time", "--at: " + err.Error()}
		}
		at = at.Local()
		cfg.Now = func() time.Time { return at }
	}
	return cfg, nil
}

// verifierNow is the verifier's clock: --at, or now.
func verifierNow() time.Time {
	if verifierFlags.at != "" {
		if t, err := parseAt(verifierFlags.at); err == nil {
			return t.Local()
		}
	}
	return time.Now()
}

// openVerifier opens the verifier over its state file, creating the
// directory (mode 0700) on first use.
func openVerifier(rp, origin string) (*verifier.Verifier, error) {
	path, err := verifierStatePath()
	if err != nil {
		return nil, err
	}
	store, err := verifier.OpenFileStore(path)
	if err != nil {
		return nil, err
	}
	cfg, err := verifierConfig()
	if err != nil {
		return nil, err
	}
	if rp != "" {
		cfg.RPID = rp
	}
	cfg.Origin = origin
	return verifier.New(store, cfg)
}

func auditClient() verifier.Client {
	return verifier.Client{Name: verifierFlags.client, IP: verifierFlags.ip}
}

// paramError is a bad or missing command-line value, with its error code.
type paramError struct {
	code string
	msg  string
}

func (e *paramError) Error() string { return e.msg }

// reportedError is an error a command has already put in its JSON output.
type reportedError struct{ err error }

func (e *reportedError) Error() string { return e.err.Error() }
func (e *reportedError) Unwrap() error { return e.err }

// deviceError is a failure of the security key a verifier command drove
// (--virtual, --device): the key's side, not a verifier refusal.
type deviceError struct{ err error }

func (e *deviceError) Error() string { return e.err.Error() }
func (e *deviceError) Unwrap() error { return e.err }

// jsonErrors makes every verifier command under c print, with --json, a
// JSON error object on stdout next to the usual stderr line: the stable
// error code, the audit reason, the message and the details of the
// refusal (a replay's next code, a lock's end and cause).
func jsonErrors(c *cobra.Command) {
	for _, sub := range c.Commands() {
		jsonErrors(sub)
	}
	if check := c.Args; check != nil {
		// Arguments are checked after the flags are read: a refusal
		// there is a JSON error too.
		c.Args = func(cmd *cobra.Command, args []string) error {
			err := check(cmd, args)
			if err != nil {
				var pe *paramError
				if !errors.As(err, &pe) {
					err = &paramError{"InvalidParameter", err.Error()}
				}
				if verifierFlags.asJSON {
					printJSON(cmd.OutOrStdout(), map[string]any{"error": errorJSON(err)})
				}
			}
			return err
		}
	}
	run := c.RunE
	if run == nil {
		return
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		err := run(cmd, args)
		var rep *reportedError
		if err != nil && verifierFlags.asJSON && !errors.As(err, &rep) {
			printJSON(cmd.OutOrStdout(), map[string]any{"error": errorJSON(err)})
		}
		return err
	}
}

// errorCode is the stable code of a CLI error: the verifier's, or
// InvalidParameter for a value the CLI refused.
func errorCode(err error) string {
	var pe *paramError
	var de *deviceError
	switch {
	case errors.As(err, &pe):
		return pe.code
	case errors.As(err, &de):
		return "SecurityKey.DeviceError"
	case errors.Is(err, vault.ErrPeriod), errors.Is(err, vault.ErrDigits), errors.Is(err, vault.ErrUnknownAlgorithm):
		return "InvalidParameter"
	}
	return verifier.Code(err)
}

// errorJSON is the JSON object of a refusal.
func errorJSON(err error) map[string]any {
	o := map[string]any{"code": errorCode(err), "message": errorLine(err)}
	if r := verifier.Reason(err); r != "error" {
		o["reason"] = r
	}
	var re *verifier.ReplayError
	if errors.As(err, &re) {
		if re.By != "" {
			o["used_by"] = re.By
			o["used_at"] = re.At.UTC()
		}
		o["next_code_at"] = re.Next.UTC()
		o["wait_seconds"] = int(re.Wait() / time.Second)
	}
	var le *verifier.LockedError
	if errors.As(err, &le) {
		o["locked_until"] = le.Until.UTC()
		o["lock_cause"] = failuresJSON(le.Failures)
	}
	return o
}

func failuresJSON(fs []verifier.Failure) []verifier.Failure {
	if fs == nil {
		return []verifier.Failure{}
	}
	return fs
}

// denied wraps a verifier refusal for the one stderr line.
func denied(what string, err error) error {
	if err == nil || errors.Is(err, verifier.ErrStateDamaged) {
		return err // not a refusal: the state could not be read
	}
	return fmt.Errorf("%s denied: %w", what, err)
}

// userAction is the RunE of a verifier command that acts on --user: it
// opens the verifier, runs act and prints done (a format taking the user);
// a refusal is reported as "<what> denied: …".
func userAction(user *string, what, done string, act func(v *verifier.Verifier, user string, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := requireUser(*user); err != nil {
			return err
		}
		v, err := openVerifier("", "")
		if err != nil {
			return err
		}
		if err := act(v, *user, args); err != nil {
			return denied(what, err)
		}
		if verifierFlags.asJSON {
			return printJSON(cmd.OutOrStdout(), map[string]any{"user": *user, "result": verifier.ResultSuccess,
				"message": fmt.Sprintf(done, *user)})
		}
		fmt.Fprintf(cmd.OutOrStdout(), done+"\n", *user)
		return nil
	}
}

func requireUser(u string) error {
	if u == "" {
		return &paramError{"MissingParameter.UserName", "--user is required"}
	}
	return nil
}

func verifierEnrollCmd() *cobra.Command {
	var user, issuer, qrFile, typ, alg string
	var digits, period int
	var noQR bool
	c := &cobra.Command{
		Use:   "enroll --user U [--issuer I] [--qr FILE]",
		Short: "issue a virtual MFA secret: otpauth URI, QR code, account and key",
		Long: `enroll issues a fresh 160-bit secret for the user and prints it three ways:
the otpauth:// URI, a QR code drawn in the terminal (and written as a PNG
with --qr FILE, mode 0600), and the account and key for manual entry. The
enrollment is pending until bound with two consecutive codes (totp bind)
within 10 minutes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireUser(user); err != nil {
				return err
			}
			t, err := vault.ParseType(typ)
			if err != nil || t != vault.TOTP && t != vault.HOTP {
				return fmt.Errorf("--type %s: %w", typ, verifier.ErrEnrollType)
			}
			if t != vault.HOTP && period <= 0 {
				return fmt.Errorf("--period: %w (got %d)", vault.ErrPeriod, period)
			}
			a, err := vault.ParseAlgorithm(alg)
			if err != nil {
				return err
			}
			if qrFile != "" {
				// Refused before the enrollment, so that nothing is
				// issued for a QR image that cannot be written; the
				// write itself is exclusive too.
				if _, err := os.Lstat(qrFile); err == nil {
					return &paramError{"InvalidParameter.QRFile", fmt.Sprintf("%s already exists; remove it or choose another --qr", qrFile)}
				}
			}
			v, err := openVerifier("", "")
			if err != nil {
				return err
			}
			en, err := v.Enroll(user, verifier.EnrollOptions{Issuer: issuer, Type: t, Algorithm: a, Digits: digits, Period: period})
			if err != nil {
				return denied("enrollment", err)
			}
			var png []byte
			if qrFile != "" || verifierFlags.asJSON {
				if png, err = en.QRPNG(512); err != nil {
					return err
				}
			}
			if qrFile != "" {
				if err := writeNew(qrFile, "--qr", png); err != nil {
					return err
				}
			}
			w := cmd.OutOrStdout()
			if verifierFlags.asJSON {
				// What a console's CreateVirtualMFADevice returns
				// (serial number, Base32 seed, QR as a base64 PNG), and
				// the otpauth URI and manual-entry pair.
				return printJSON(w, map[string]any{
					"user": en.User, "serial_number": en.SerialNumber, "base32_string_seed": en.Base32Seed(),
					"qr_code_png": base64.StdEncoding.EncodeToString(png), "uri": en.URI(), "account": en.ManualAccount(),
					"key": en.Base32Seed(), "type": en.Account.Type,
					"digits": en.Account.Digits, "period": en.Account.Period, "expires": en.Expires,
				})
			}
			if !noQR {
				qr, err := qrDrawing(en.URI()) // plain characters under NO_COLOR, as show-qr
				if err != nil {
					return err
				}
				fmt.Fprint(w, qr)
			}
			fmt.Fprintf(w, "uri:     %s\n", en.URI())
			fmt.Fprintf(w, "account: %s\n", en.ManualAccount())
			fmt.Fprintf(w, "key:     %s\n", en.ManualKey())
			if qrFile != "" {
				fmt.Fprintf(w, "qr:      %s\n", qrFile)
			}
			fmt.Fprintf(w, "serial:  %s\n", en.SerialNumber)
			fmt.Fprintf(w, "pending until %s: bind with two consecutive codes:\n  vmfa verifier totp bind --user %s CODE1 CODE2\n",
				en.Expires.Local().Format(timeLayout), user)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&user, "user", "", "user name")
	f.StringVar(&issuer, "issuer", "", "issuer shown by authenticator apps (default vmfa)")
	f.StringVar(&qrFile, "qr", "", "also write the QR code as a PNG to this file")
	f.StringVar(&typ, "type", "totp", "totp or hotp")
	f.StringVar(&alg, "algorithm", "SHA1", "SHA1, SHA256 or SHA512")
	f.IntVar(&digits, "digits", 6, "digits per code (6 to 8)")
	f.IntVar(&period, "period", 30, "seconds per code (totp)")
	f.BoolVar(&noQR, "no-qr", false, "do not draw the QR code in the terminal")
	return c
}

func verifierBindCmd() *cobra.Command {
	var user string
	c := &cobra.Command{
		Use:   "bind --user U CODE1 CODE2",
		Short: "bind a pending virtual MFA device with two consecutive codes",
		Long: `bind completes an enrollment with two consecutive codes: the device's
current code and the next one (or the previous and the current). Codes may
be typed as displayed, in groups: 'bind --user U 756 935 787 331', or
'1234 5678 8765 4321' for 8 digits. Both codes are then spent: the first
login takes the code after them.`,
		Args: codeArgs,
		RunE: userAction(&user, "binding", "virtual mfa device bound for %s", func(v *verifier.Verifier, user string, args []string) error {
			return v.BindCodes(user, args, auditClient())
		}),
	}
	c.Flags().StringVar(&user, "user", "", "user name")
	return c
}

func verifierResyncCmd() *cobra.Command {
	var user string
	c := &cobra.Command{
		Use:   "resync --user U CODE1 CODE2",
		Short: "resynchronise an HOTP device's counter with two consecutive codes",
		Args:  codeArgs,
		RunE: userAction(&user, "resync", "counter resynchronised for %s", func(v *verifier.Verifier, user string, args []string) error {
			return v.ResyncHOTPCodes(user, args, auditClient())
		}),
	}
	c.Flags().StringVar(&user, "user", "", "user name")
	return c
}

// codeArgs takes the two codes of a binding or resync, whole or in the
// groups they are displayed in (at most 8 groups).
func codeArgs(_ *cobra.Command, args []string) error {
	if len(args) == 0 || len(args) > 8 {
		return &paramError{"MissingParameter.AuthenticationCode", fmt.Sprintf("want two consecutive codes (CODE1 CODE2, or as displayed: 756 935 787 331), got %d arguments", len(args))}
	}
	return nil
}

func verifierLoginCmd() *cobra.Command {
	var user, code string
	c := &cobra.Command{
		Use:   "login --user U [--code C | CODE]",
		Short: "verify a login code from the user's virtual MFA device or OATH token",
		Long: `login verifies one code, from --code, the arguments ('login --user U 756 935'
as displayed) or stdin. A code is accepted once: the same time step is
refused as a replay, saying what used it and when the next code comes. 5
failures in 5 minutes lock the user for 15 minutes ('unlock' ends it).`,
		Args: cobra.MaximumNArgs(4),
	}
	login := userAction(&user, "login", "login accepted for %s", func(v *verifier.Verifier, user string, _ []string) error {
		return v.Login(user, code, auditClient())
	})
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := requireUser(user); err != nil {
			return err
		}
		if code != "" && len(args) > 0 {
			return &paramError{"InvalidParameter.AuthenticationCode", "give the code once: --code or as arguments"}
		}
		if len(args) > 0 {
			code = strings.Join(args, " ")
		}
		if code == "" {
			line, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 256)).ReadString('\n')
			if err != nil && line == "" {
				return errors.New("no code: pass --code or write it to stdin")
			}
			code = strings.TrimSpace(line)
		}
		return login(cmd, args)
	}
	c.Flags().StringVar(&user, "user", "", "user name")
	c.Flags().StringVar(&code, "code", "", "the code the authenticator shows")
	return c
}

func verifierUnbindCmd() *cobra.Command {
	var user string
	c := &cobra.Command{
		Use:   "unbind --user U",
		Short: "disable MFA for a user (remove the device; the lost-device recovery path)",
		Args:  cobra.NoArgs,
		RunE: userAction(&user, "unbind", "mfa device removed for %s", func(v *verifier.Verifier, user string, _ []string) error {
			return v.Unbind(user, auditClient())
		}),
	}
	c.Flags().StringVar(&user, "user", "", "user name")
	return c
}

func verifierUnlockCmd() *cobra.Command {
	var user string
	c := &cobra.Command{
		Use:   "unlock --user U",
		Short: "end a user's lockout and forget their failed attempts (audit-logged)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireUser(user); err != nil {
				return err
			}
			v, err := openVerifier("", "")
			if err != nil {
				return err
			}
			was, err := v.Unlock(user, auditClient())
			if err != nil {
				return denied("unlock", err)
			}
			msg := "lockout ended for " + user
			if !was {
				msg = user + " was not locked; failed attempts cleared"
			}
			if verifierFlags.asJSON {
				return printJSON(cmd.OutOrStdout(), map[string]any{"user": user, "result": verifier.ResultSuccess, "was_locked": was, "message": msg})
			}
			fmt.Fprintln(cmd.OutOrStdout(), msg)
			return nil
		},
	}
	c.Flags().StringVar(&user, "user", "", "user name")
	return c
}

// readResponse reads a PublicKeyCredential JSON from file or stdin.
func readResponse(cmd *cobra.Command, file string) ([]byte, error) {
	b, err := readWebAuthnJSON(cmd, file)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, errors.New("no webauthn response on stdin: pipe in the PublicKeyCredential json, use --begin for the options, or --virtual/--device to drive a key")
	}
	return b, nil
}

// credentialView is what the CLI prints about a credential.
type credentialView struct {
	User        string `json:"user"`
	ID          string `json:"credential_id"`
	RPID        string `json:"rp_id"`
	Format      string `json:"fmt,omitempty"`
	Attestation string `json:"attestation,omitempty"`
	SignCount   uint32 `json:"sign_count"`
}

func viewCredential(user string, c *verifier.Credential) credentialView {
	return credentialView{User: user, ID: webauthn.B64(c.ID), RPID: c.RPID, Format: c.Format, Attestation: c.Attestation, SignCount: c.SignCount}
}

func verifierKeyRegisterCmd() *cobra.Command {
	var user, rp, origin, appID, respFile, roots string
	var begin, uv bool
	var kf keyFlags
	c := &cobra.Command{
		Use:   "register --user U [--rp ID] [--origin URL] [--begin | --virtual | --device PATH]",
		Short: "register a security key as the user's MFA device (WebAuthn)",
		Long: `register runs a WebAuthn registration. With --begin it prints the
PublicKeyCredentialCreationOptions JSON (a random, single-use challenge valid
for 180 s) for a browser or 'vmfa key register --options FILE'; without it
it reads the PublicKeyCredential JSON response on stdin (or --response FILE)
and verifies it. With --virtual or --device it does both, driving the key
directly.`,
		Example: `  vmfa verifier key register --user alice --rp example.com --begin > options.json
  vmfa key register --virtual --options options.json --json | vmfa verifier key register --user alice
  vmfa verifier key register --user bob --rp example.com --virtual`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireUser(user); err != nil {
				return err
			}
			v, err := openVerifier(rp, origin)
			if err != nil {
				return err
			}
			if roots != "" {
				if v, err = withTrustRoots(v, roots); err != nil {
					return err
				}
			}
			direct := kf.virtual != "" || kf.device != ""
			if begin || direct {
				opts, err := v.BeginRegistration(user, verifier.RegisterOptions{RPID: rp, Origin: origin, AppID: appID, RequireUV: uv})
				if err != nil {
					return denied("registration", err)
				}
				if begin {
					return printJSON(cmd.OutOrStdout(), opts)
				}
				resp, err := keyCeremony(cmd, &kf, origin, opts, (*hwkey.Client).Create)
				if err != nil {
					return err
				}
				return finishRegistration(cmd, v, user, resp)
			}
			resp, err := readResponse(cmd, respFile)
			if err != nil {
				return err
			}
			return finishRegistration(cmd, v, user, resp)
		},
	}
	f := c.Flags()
	f.StringVar(&user, "user", "", "user name")
	f.StringVar(&rp, "rp", "", "relying party ID (default localhost)")
	f.StringVar(&origin, "origin", "", "origin clients must report (default https://<rp>, http://localhost for localhost)")
	f.StringVar(&appID, "appid", "", "accept a fido-u2f registration under this legacy U2F AppID")
	f.BoolVar(&uv, "uv", false, "require user verification (PIN or biometrics)")
	f.BoolVar(&begin, "begin", false, "print the creation options JSON and stop")
	f.StringVar(&respFile, "response", "", "read the PublicKeyCredential JSON from this file instead of stdin")
	f.StringVar(&roots, "trust-roots", "", "PEM file of attestation roots: packed and fido-u2f attestations must chain to one")
	kf.add(f, true)
	return c
}

// withTrustRoots returns v with the attestation roots of a PEM file.
func withTrustRoots(v *verifier.Verifier, file string) (*verifier.Verifier, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, &paramError{"InvalidParameter.TrustRoots", fmt.Sprintf("--trust-roots: %v", err)}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &paramError{"InvalidParameter.TrustRoots", fmt.Sprintf("%s holds no PEM certificates", file)}
	}
	path, err := verifierStatePath()
	if err != nil {
		return nil, err
	}
	cfg := v.Config()
	cfg.TrustRoots = pool
	return verifier.New(verifier.NewFileStore(path), cfg)
}

func finishRegistration(cmd *cobra.Command, v *verifier.Verifier, user string, resp []byte) error {
	cred, err := v.FinishRegistration(user, resp, auditClient())
	if err != nil {
		return denied("registration", err)
	}
	if verifierFlags.asJSON {
		return printJSON(cmd.OutOrStdout(), viewCredential(user, cred))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "security key bound for %s at %s (%s attestation: %s, credential %s)\n",
		user, cred.RPID, cred.Format, cred.Attestation, webauthn.B64(cred.ID))
	return nil
}

// keyCeremony runs one WebAuthn ceremony (hwkey.Client's Create or Get)
// with opts on the key the flags name, as a client at origin, and returns
// the PublicKeyCredential JSON.
func keyCeremony[O, C any](cmd *cobra.Command, kf *keyFlags, origin string, opts *O, run func(*hwkey.Client, context.Context, *O) (*C, error)) ([]byte, error) {
	var out []byte
	err := withKey(cmd, kf, true, func(ctx context.Context, path, pin string) error {
		cred, err := run(&hwkey.Client{Path: path, Origin: origin, PIN: pin}, ctx, opts)
		if err != nil {
			return err
		}
		out, err = json.Marshal(cred)
		return err
	})
	if err != nil {
		return nil, &deviceError{err}
	}
	return out, nil
}

func verifierKeyLoginCmd() *cobra.Command {
	var user, respFile string
	var begin bool
	var kf keyFlags
	c := &cobra.Command{
		Use:   "login --user U [--begin | --virtual | --device PATH]",
		Short: "verify a security-key login (WebAuthn assertion)",
		Long: `login runs a WebAuthn authentication with the user's bound key. With --begin
it prints the PublicKeyCredentialRequestOptions JSON; without it it reads
the PublicKeyCredential JSON assertion on stdin (or --response FILE) and
verifies it: challenge, origin, rpIdHash, user presence, signature and the
signature counter (a counter that does not increase is refused as a
possible clone). With --virtual or --device it drives the key directly.`,
		Example: `  vmfa verifier key login --user alice --begin > request.json
  vmfa key login --virtual --options request.json --json | vmfa verifier key login --user alice`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireUser(user); err != nil {
				return err
			}
			v, err := openVerifier("", "")
			if err != nil {
				return err
			}
			direct := kf.virtual != "" || kf.device != ""
			var resp []byte
			if begin || direct {
				opts, err := v.BeginLogin(user)
				if err != nil {
					return denied("login", err)
				}
				if begin {
					return printJSON(cmd.OutOrStdout(), opts)
				}
				origin, err := v.KeyOrigin(user)
				if err != nil {
					return denied("login", err)
				}
				if resp, err = keyCeremony(cmd, &kf, origin, opts, (*hwkey.Client).Get); err != nil {
					return err
				}
			} else if resp, err = readResponse(cmd, respFile); err != nil {
				return err
			}
			cred, err := v.FinishLogin(user, resp, auditClient())
			if err != nil {
				return denied("login", err)
			}
			if verifierFlags.asJSON {
				return printJSON(cmd.OutOrStdout(), viewCredential(user, cred))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "security key login accepted for %s (counter %d)\n", user, cred.SignCount)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&user, "user", "", "user name")
	f.BoolVar(&begin, "begin", false, "print the request options JSON and stop")
	f.StringVar(&respFile, "response", "", "read the PublicKeyCredential JSON from this file instead of stdin")
	kf.add(f, true)
	return c
}

func verifierTokensImportCmd() *cobra.Command {
	var keyFile, passFile string
	var assign bool
	c := &cobra.Command{
		Use:   "import FILE [--assign]",
		Short: "import hardware OATH tokens from a token CSV or PSKC file into the inventory",
		Long: `import reads a hardware-token CSV (Entra "upn,serial number,secret key,time
interval,…" or MFA Server "serial,secret,interval") or an RFC 6030 PSKC
file. Encrypted PSKC files take the pre-shared key as hex in
--pskc-key-file or a passphrase in --pskc-passphrase-file or
$VMFA_PSKC_PASSPHRASE (else it is asked on the terminal). Tokens already
in the inventory are skipped. --assign then assigns each new token to the
user the file names (Entra's upn column, PSKC's UserId), as Entra does.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The same key sources as 'vmfa import': the files, else
			// $VMFA_PSKC_PASSPHRASE, else the terminal when needed.
			key, err := pskcKey(keyFile, passFile)
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return fileError(args[0], err)
			}
			// ImportTokenFile refuses a file past its bound.
			data, err := io.ReadAll(io.LimitReader(f, 64<<20))
			f.Close()
			if err != nil {
				return fileError(args[0], err)
			}
			v, err := openVerifier("", "")
			if err != nil {
				return err
			}
			res, err := v.ImportTokenFile(bytes.NewReader(data), key)
			if errors.Is(err, scanner.ErrPSKCPassphrase) && key.Passphrase == nil {
				p, perr := readHidden(cmd, "pskc passphrase: ")
				if perr != nil {
					return fmt.Errorf("%s: %v; give --pskc-passphrase-file or $VMFA_PSKC_PASSPHRASE", args[0], err)
				}
				key.Passphrase = p
				res, err = v.ImportTokenFile(bytes.NewReader(data), key)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			assigned := []string{}
			var refused []error
			if assign {
				toks, err := v.Tokens()
				if err != nil {
					return err
				}
				for _, t := range toks {
					if t.Owner == "" || !slices.Contains(res.Added, t.Serial) {
						continue
					}
					if err := v.AssignToken(t.Serial, t.Owner, auditClient()); err != nil {
						refused = append(refused, fmt.Errorf("token %s to %s: %w", t.Serial, t.Owner, err))
						continue
					}
					assigned = append(assigned, t.Serial)
				}
			}
			if verifierFlags.asJSON {
				added, skipped := res.Added, res.Skipped
				if added == nil {
					added = []string{}
				}
				if skipped == nil {
					skipped = []string{}
				}
				unsupported := res.Unsupported
				if unsupported == nil {
					unsupported = []string{}
				}
				out := map[string]any{"added": added, "skipped": skipped, "assigned": assigned, "unsupported": unsupported}
				if len(refused) > 0 {
					// One JSON document: the refusals go in it, with
					// the code of each.
					var errs []map[string]any
					for _, r := range refused {
						errs = append(errs, errorJSON(r))
					}
					out["refused"] = errs
				}
				if err := printJSON(cmd.OutOrStdout(), out); err != nil {
					return err
				}
				if len(refused) > 0 {
					return &reportedError{fmt.Errorf("%s not assigned, first: %w", tokens(len(refused)), refused[0])}
				}
			} else {
				for _, u := range res.Unsupported {
					fmt.Fprintf(cmd.OutOrStdout(), "skipped %s\n", u)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s added, %d already in the inventory\n", tokens(len(res.Added)), len(res.Skipped))
				if assign {
					fmt.Fprintf(cmd.OutOrStdout(), "%s assigned to the users the file names\n", tokens(len(assigned)))
				}
			}
			if len(refused) > 0 {
				return fmt.Errorf("%s not assigned, first: %w", tokens(len(refused)), refused[0])
			}
			return nil
		},
	}
	c.Flags().StringVar(&keyFile, "pskc-key-file", "", "file with the PSKC pre-shared key in hex")
	c.Flags().StringVar(&passFile, "pskc-passphrase-file", "", "file with the PSKC passphrase")
	c.Flags().BoolVar(&assign, "assign", false, "assign each new token to the user named in the file")
	return c
}

// tokens is "1 token" or "n tokens".
func tokens(n int) string {
	if n == 1 {
		return "1 token"
	}
	return fmt.Sprintf("%d tokens", n)
}

func verifierTokensAssignCmd() *cobra.Command {
	var serial, user string
	c := &cobra.Command{
		Use:   "assign --serial S --user U",
		Short: "assign an inventory token to a user as their MFA device",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireUser(user); err != nil {
				return err
			}
			if serial == "" {
				return errors.New("--serial is required")
			}
			v, err := openVerifier("", "")
			if err != nil {
				return err
			}
			if err := v.AssignToken(serial, user, auditClient()); err != nil {
				return denied("assignment", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "token %s assigned to %s\n", serial, user)
			return nil
		},
	}
	c.Flags().StringVar(&serial, "serial", "", "token serial number")
	c.Flags().StringVar(&user, "user", "", "user name")
	return c
}

func verifierTokensListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "list the token inventory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := openVerifier("", "")
			if err != nil {
				return err
			}
			toks, err := v.Tokens()
			if err != nil {
				return err
			}
			if verifierFlags.asJSON {
				if toks == nil {
					toks = []verifier.TokenInfo{}
				}
				return printJSON(cmd.OutOrStdout(), toks)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SERIAL\tTYPE\tPERIOD\tDIGITS\tOWNER\tASSIGNED TO")
			for _, t := range toks {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", escapeText(t.Serial), t.Type, t.Period, t.Digits, escapeText(t.Owner), escapeText(t.AssignedTo))
			}
			return tw.Flush()
		},
	}
}

func verifierStatusCmd() *cobra.Command {
	var user string
	c := &cobra.Command{
		Use:   "status [--user U]",
		Short: "show users' MFA state (none, pending, bound), method and lockouts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := openVerifier("", "")
			if err != nil {
				return err
			}
			st, err := v.Status(user)
			if err != nil {
				return err
			}
			if verifierFlags.asJSON {
				if st == nil {
					st = []verifier.UserStatus{}
				}
				return printJSON(cmd.OutOrStdout(), st)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USER\tSTATE\tMETHOD\tDETAIL")
			for _, s := range st {
				state := string(s.State)
				if s.Expired {
					state += " (expired)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", escapeText(s.User), state, s.Method, statusDetail(s))
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&user, "user", "", "only this user")
	return c
}

// timeLayout is how the verifier's tables show a time.
const timeLayout = "2006-01-02 15:04:05"

func statusDetail(s verifier.UserStatus) string {
	var d []string
	switch {
	case s.State == verifier.StatePending && s.Expired:
		d = append(d, "enrollment expired at "+s.PendingUntil.Local().Format(timeLayout)+": enroll again")
	case s.State == verifier.StatePending:
		d = append(d, "bind before "+s.PendingUntil.Local().Format(timeLayout))
	case s.Serial != "":
		d = append(d, fmt.Sprintf("token %s, %d s", s.Serial, s.Period))
	case s.CredentialID != "":
		d = append(d, fmt.Sprintf("%s attestation, counter %d", s.Attestation, s.SignCount))
		if f := s.Flags; f != nil {
			d = append(d, fmt.Sprintf("flags uv=%s be=%s bs=%s", yesNo(f.UV), yesNo(f.BE), yesNo(f.BS)))
			if f.RequireUV {
				d = append(d, "uv required")
			}
		}
		if s.Cloned {
			d = append(d, "possibly cloned")
		}
	case s.DeviceSerial != "" && s.State == verifier.StateBound:
		d = append(d, "serial "+s.DeviceSerial)
	}
	if s.Drift != 0 {
		d = append(d, fmt.Sprintf("drift %+d steps", s.Drift))
	}
	if s.RecentFails > 0 {
		d = append(d, fmt.Sprintf("%d recent failures", s.RecentFails))
	}
	if !s.LockedUntil.IsZero() {
		d = append(d, "locked until "+s.LockedUntil.Local().Format(timeLayout)+lockCause(s.LockCause)+
			" (vmfa verifier unlock --user "+s.User+" ends it)")
	}
	return escapeText(strings.Join(d, "; "))
}

// lockCause words the failures that caused a lock: " after 5 failures
// from 12:30:01 to 12:31:40 (4 wrong-code, 1 malformed-code)".
func lockCause(fs []verifier.Failure) string {
	if len(fs) == 0 {
		return ""
	}
	var order []string
	n := map[string]int{}
	for _, f := range fs {
		r := f.Reason
		if r == "" {
			r = "failure"
		}
		if n[r] == 0 {
			order = append(order, r)
		}
		n[r]++
	}
	parts := make([]string, len(order))
	for i, r := range order {
		parts[i] = fmt.Sprintf("%d %s", n[r], r)
	}
	return fmt.Sprintf(" after %d failures from %s to %s (%s)", len(fs), fs[0].Time.Local().Format("15:04:05"),
		fs[len(fs)-1].Time.Local().Format("15:04:05"), strings.Join(parts, ", "))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func verifierLogCmd() *cobra.Command {
	var user, method, result, since string
	c := &cobra.Command{
		Use:   "log [--json] [--user U] [--method M] [--result success|denied]",
		Short: "show the audit log (--json: JSON lines)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := verifier.LogFilter{User: user, Method: verifier.Method(method), Result: result}
			if err := f.Check(); err != nil {
				return err
			}
			if since != "" {
				d, err := time.ParseDuration(since)
				if err != nil {
					return errors.New("--since takes a duration such as 1h or 30m")
				}
				f.Since = verifierNow().Add(-d)
			}
			v, err := openVerifier("", "")
			if err != nil {
				return err
			}
			if verifierFlags.asJSON {
				return v.ExportLog(cmd.OutOrStdout(), f)
			}
			evs, err := v.Log(f)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME\tUSER\tMETHOD\tACTION\tRESULT\tREASON\tCLIENT")
			for _, e := range evs {
				client := e.Client
				if e.IP != "" {
					client = strings.TrimSpace(client + " " + e.IP)
				}
				// The fields are validated on input, but a state file
				// may come from elsewhere: no control character reaches
				// the terminal.
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Time.Local().Format(timeLayout),
					escapeText(e.User), escapeText(string(e.Method)), escapeText(e.Action),
					escapeText(e.Result), escapeText(e.Reason), escapeText(client))
			}
			return tw.Flush()
		},
	}
	f := c.Flags()
	f.StringVar(&user, "user", "", "only this user")
	f.StringVar(&method, "method", "", "only this method: totp, hotp, oath-token, security-key")
	f.StringVar(&result, "result", "", "only success or denied")
	f.StringVar(&since, "since", "", "only events newer than this duration, e.g. 1h")
	return c
}

// escapeText escapes what must not reach a terminal from the verifier's
// state (user names, audit fields, token data, which may come from a file
// edited elsewhere): C0 and C1 controls, DEL, line and paragraph
// separators and bidirectional overrides are written as \xNN or \uNNNN,
// and a backslash as \\, so what is shown is unambiguous.
func escapeText(s string) string {
	clean := true
	for _, r := range s {
		if r == '\\' || needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case needsEscape(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0x2028 || r == 0x2029 ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0xfeff
}
