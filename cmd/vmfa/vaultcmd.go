package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

func init() {
	rootCmd.AddCommand(initCmd(), addCmd(), listCmd(), codeCmd(), rmCmd(), renameCmd())
}

func initCmd() *cobra.Command {
	var pass bool
	c := &cobra.Command{
		Use:   "init [--passphrase]",
		Short: "create the vault (keyring-backed by default)",
		Long: `Create an empty vault. By default its 256-bit key is kept in the OS keyring
(Secret Service). With --passphrase the key is derived from a passphrase
(argon2id) instead, for machines without a keyring such as SSH sessions; the
passphrase is asked on the terminal or read from VMFA_PASSPHRASE_FILE or
VMFA_PASSPHRASE. 'vmfa add' creates a keyring vault on first use.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if info, err := vault.Inspect(vaultPathOrDefault()); err == nil && info.Exists {
				return fmt.Errorf("a vault already exists at %s (key source: %s)", info.Path, info.Source)
			}
			o := vaultOptions(cmd)
			o.Create = vault.KeyringSource
			if pass {
				o.Create = vault.PassphraseSource
			}
			v, err := keepOpened(vault.Open(o))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created %s (key in the %s)\n", v.Path(), v.Source())
			return nil
		},
	}
	c.Flags().BoolVar(&pass, "passphrase", false, "protect the vault with a passphrase instead of the keyring")
	return c
}

func addCmd() *cobra.Command {
	var (
		uri, issuer, account, typ, alg string
		qr, fromClipboard, fromScreen  bool
		digits, period                 int
		counter                        uint64
		secretStdin                    bool
		note, serial                   string
		tags                           []string
		asJSON                         bool
	)
	c := &cobra.Command{
		Use:   "add (--uri - | --qr FILE|-... | --clipboard | --screen | --issuer I --account A)",
		Short: "add an account from an otpauth:// URI, QR images, or an account and key",
		Long: `Add accounts to the vault (created in the keyring on first use).

  vmfa add --uri - < uri.txt              otpauth:// or migration URIs on stdin, one a line
  vmfa add --uri 'otpauth://totp/ACME:alice?issuer=ACME'   refused: a URI holding
                                          its secret= or data= must come on stdin
  vmfa add --qr a.png b.png               every account in the images (whole migration batches)
  vmfa add --qr - < shot.png              an image piped on stdin
  vmfa add --clipboard                    the image on the clipboard (wl-paste, xclip; image/png)
  vmfa add --screen                       every QR code on the screen (grim; import or xwd)
  vmfa add --issuer ACME --account alice  the key is asked without echo, or
           ... --secret-stdin             read from stdin

The secret is never accepted as a flag: argv is visible to every user
(/proc/PID/cmdline), so --uri refuses a URI with secret= or data=; pipe it to
--uri -, use --qr, or paste it in the TUI (a, then u).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if qr && len(args) == 0 {
				return errors.New("--qr needs at least one image file (or - for an image on stdin)")
			}
			if !qr && len(args) > 0 {
				// The argument may be a pasted URI with its secret: quote
				// only its first characters.
				return fmt.Errorf("unexpected argument %q (image files go after --qr; uris go on stdin with --uri -)", textutil.Peek(args[0]))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, files []string) error {
			var accts []vault.Account
			images := qr || fromClipboard || fromScreen
			switch {
			case uri != "" && images, (uri != "" || images) && (issuer != "" || account != ""):
				return errors.New("give one of --uri, --qr/--clipboard/--screen, or --issuer/--account")
			case uri != "":
				if secretInURI(uri) {
					return errSecretInArgv
				}
				uris := []stdinURI{{0, uri}}
				if uri == "-" {
					var err error
					if uris, err = readURIsStdin(cmd.InOrStdin()); err != nil {
						return err
					}
				}
				for _, u := range uris {
					as, err := scanner.ParseURI(u.uri)
					if err != nil {
						if uri == "-" {
							// The line number, never the line: it holds a secret.
							return fmt.Errorf("stdin line %d: %w", u.line, err)
						}
						return err
					}
					accts = append(accts, as...)
				}
			case images:
				src := imageSource{clipboard: fromClipboard, screen: fromScreen}
				var paths []string
				for _, f := range files {
					if f == "-" {
						if src.stdin {
							return errors.New("--qr takes '-' (stdin) once")
						}
						src.stdin = true
						continue
					}
					paths = append(paths, f)
				}
				found, err := src.scan(cmd.InOrStdin(), paths)
				if err != nil {
					return err
				}
				for _, f := range found {
					accts = append(accts, f.Account)
				}
			case issuer != "" || account != "":
				var secret string
				var err error
				if secretStdin {
					secret, err = readSecretStdin(cmd.InOrStdin())
				} else {
					var b []byte
					b, err = readHidden(cmd, "secret key (base32): ")
					secret = string(b)
					if err != nil {
						err = fmt.Errorf("%w; use --secret-stdin to pipe the key", err)
					}
				}
				if err != nil {
					return err
				}
				key, err := vault.ParseSecret(secret)
				if err != nil {
					return err
				}
				t, err := vault.ParseType(typ)
				if err != nil {
					return err
				}
				a, err := vault.ParseAlgorithm(alg)
				if err != nil {
					return err
				}
				if digits < vault.MinDigits || digits > vault.MaxDigits {
					return fmt.Errorf("--digits: %w (got %d)", vault.ErrDigits, digits)
				}
				if period <= 0 {
					return fmt.Errorf("--period: %w (got %d)", vault.ErrPeriod, period)
				}
				if t != vault.HOTP && cmd.Flags().Changed("counter") {
					return errors.New("--counter is for hotp accounts (add --type hotp)")
				}
				accts = []vault.Account{{
					Type: t, Issuer: issuer, Name: account, Secret: key, Algorithm: a,
					Digits: digits, Period: period, Counter: counter,
				}}
			default:
				return errors.New("nothing to add: give --uri, --qr, or --issuer and --account")
			}
			for i := range accts {
				if note != "" {
					accts[i].Note = note
				}
				if serial != "" {
					accts[i].Serial = serial
				}
				accts[i].Tags = append(accts[i].Tags, tags...)
				if err := accts[i].Normalize(time.Now()); err != nil {
					return fmt.Errorf("%s: %w", textutil.Clip(accts[i].Label()), err)
				}
			}
			v, err := openOrCreateVault(cmd)
			if err != nil {
				return err
			}
			// One account that is already there is an error; in a batch
			// (a migration export, several images) it is skipped and said.
			var added, skipped []vault.Account
			err = v.Update(func(d *vault.Data) error {
				added, skipped = added[:0], skipped[:0]
				seen := vault.NewCredentialSet(d.Accounts)
				for _, a := range accts {
					if seen.Has(&a) {
						skipped = append(skipped, a)
						continue
					}
					seen.Add(&a)
					added = append(added, a)
				}
				if len(added) == 0 {
					if len(skipped) == 1 {
						return fmt.Errorf("%w: %s", vault.ErrDuplicate, skipped[0].Label())
					}
					return fmt.Errorf("all %d accounts are already in the vault", len(skipped))
				}
				d.Accounts = append(d.Accounts, added...)
				return nil
			})
			if err != nil {
				return err
			}
			// The warning imports give (README: short secrets), said on
			// stderr whatever the output format.
			for _, a := range added {
				if w := scanner.ShortSecretWarning(&a); w != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "vmfa: warning: %s: %v\n", textutil.Clip(a.Label()), w)
				}
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), accountViews(added))
			}
			for _, a := range added {
				fmt.Fprintf(cmd.OutOrStdout(), "added %s (%s, id %s)\n", a.Label(), a.Type, a.ID)
			}
			for _, a := range skipped {
				fmt.Fprintf(cmd.OutOrStdout(), "skipped %s: already in the vault\n", a.Label())
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&uri, "uri", "", "'-': read otpauth:// or otpauth-migration:// URIs from stdin, one per line (a URI holding its secret is refused as a flag value)")
	f.BoolVar(&qr, "qr", false, "add every account in the QR image files given as arguments ('-' reads an image from stdin)")
	f.BoolVar(&fromClipboard, "clipboard", false, "add every account in the image on the clipboard")
	f.BoolVar(&fromScreen, "screen", false, "add every account whose QR code is on the screen")
	f.StringVar(&issuer, "issuer", "", "issuer (service name)")
	f.StringVar(&account, "account", "", "account name")
	f.BoolVar(&secretStdin, "secret-stdin", false, "read the base32 key from stdin instead of a hidden prompt")
	f.StringVar(&typ, "type", "totp", "totp, hotp or steam")
	f.StringVar(&alg, "algorithm", "SHA1", "SHA1, SHA256 or SHA512")
	f.IntVar(&digits, "digits", 6, "code length, 6 to 8")
	f.IntVar(&period, "period", 30, "TOTP period in seconds")
	f.Uint64Var(&counter, "counter", 0, "HOTP counter")
	f.StringVar(&note, "note", "", "a note kept with the account")
	f.StringVar(&serial, "serial", "", "hardware token serial number")
	f.StringSliceVar(&tags, "tag", nil, "tags (repeat or comma-separate)")
	f.BoolVar(&asJSON, "json", false, "print the added accounts as JSON")
	return c
}

// errSecretInArgv refuses a secret passed as a flag value. It never quotes
// the value.
var errSecretInArgv = errors.New("--uri would put the secret in the process list, readable by every user: " +
	"pipe the uri to 'vmfa add --uri -' (one per line), use 'vmfa add --qr FILE', or paste it in the terminal ui")

// secretInURI reports whether a --uri value carries key material: an
// otpauth secret= or a migration data= parameter, in any case or escaping.
func secretInURI(uri string) bool {
	l := strings.ToLower(uri)
	if strings.Contains(l, "secret=") || strings.Contains(l, "data=") {
		return true
	}
	_, query, _ := strings.Cut(uri, "?")
	for _, kv := range strings.FieldsFunc(query, func(r rune) bool { return r == '&' || r == ';' }) {
		k, _, _ := strings.Cut(kv, "=")
		if k, err := url.QueryUnescape(k); err == nil {
			if k = strings.ToLower(strings.TrimSpace(k)); k == "secret" || k == "data" {
				return true
			}
		}
	}
	return false
}

// accountView is an account without its secret, for listings.
type accountView struct {
	ID        string          `json:"id"`
	Type      vault.Type      `json:"type"`
	Issuer    string          `json:"issuer"`
	Name      string          `json:"account"`
	Algorithm vault.Algorithm `json:"algorithm"`
	Digits    int             `json:"digits"`
	Period    int             `json:"period,omitempty"`
	Counter   *uint64         `json:"counter,omitempty"`
	Serial    string          `json:"serial,omitempty"`
	Tags      []string        `json:"tags,omitempty"`
	Note      string          `json:"note,omitempty"`
	Favourite bool            `json:"favourite,omitempty"`
	Created   time.Time       `json:"created"`
}

func accountViews(as []vault.Account) []accountView {
	out := make([]accountView, len(as))
	for i, a := range as {
		out[i] = accountView{ID: a.ID, Type: a.Type, Issuer: a.Issuer, Name: a.Name, Algorithm: a.Algorithm,
			Digits: a.Digits, Period: a.Period, Serial: a.Serial, Tags: a.Tags, Note: a.Note,
			Favourite: a.Favourite, Created: a.Created}
		if a.Type == vault.HOTP {
			c := a.Counter
			out[i].Counter = &c
			out[i].Period = 0
		}
	}
	return out
}

func listCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list [--json]",
		Short: "list the accounts (no secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := openVault(cmd)
			if err != nil {
				return err
			}
			as := v.Accounts()
			if asJSON {
				return printJSON(cmd.OutOrStdout(), accountViews(as))
			}
			if len(as) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no accounts yet: add one with 'vmfa add'")
				return nil
			}
			// tabwriter writes cell by cell: buffer it, or a list is
			// thousands of write system calls.
			buf := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
			w := tabwriter.NewWriter(buf, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tISSUER\tACCOUNT\tTYPE\tDETAILS")
			for _, a := range as {
				d := fmt.Sprintf("%s/%d/%ds", a.Algorithm, a.Digits, a.Period)
				if a.Type == vault.HOTP {
					d = fmt.Sprintf("%s/%d/counter %d", a.Algorithm, a.Digits, a.Counter)
				}
				if a.Serial != "" {
					d += " serial " + a.Serial
				}
				if len(a.Tags) > 0 {
					d += " [" + strings.Join(a.Tags, ",") + "]"
				}
				star := ""
				if a.Favourite {
					star = "★ "
				}
				fmt.Fprintf(w, "%s\t%s%s\t%s\t%s\t%s\n", a.ID, star, a.Issuer, a.Name, a.Type, d)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			return buf.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// parseAt parses --at: unix seconds or RFC 3339, from 1970 (T0 of RFC
// 6238) to the year 9999.
func parseAt(s string) (time.Time, error) {
	var t time.Time
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		t = time.Unix(n, 0)
	} else if t, err = time.Parse(time.RFC3339, s); err != nil {
		return time.Time{}, fmt.Errorf("cannot read time %q: give unix seconds or RFC 3339 (2006-01-02T15:04:05Z)", s)
	}
	if t.Before(time.Unix(0, 0)) || t.Year() > 9999 {
		return time.Time{}, fmt.Errorf("time %q is outside 1970–9999, where TOTP time steps are defined", s)
	}
	return t, nil
}

type codeView struct {
	ID          string  `json:"id"`
	Issuer      string  `json:"issuer"`
	Name        string  `json:"account"`
	Code        string  `json:"code"`
	Next        string  `json:"next,omitempty"`
	Step        uint64  `json:"step"`
	SecondsLeft int     `json:"seconds_left,omitempty"`
	Period      int     `json:"period,omitempty"`
	Counter     *uint64 `json:"counter,omitempty"`
}

func codeCmd() *cobra.Command {
	var (
		next, asJSON, copyCode bool
		at                     string
		waitIfExpiring         time.Duration
	)
	c := &cobra.Command{
		Use:   "code QUERY [--next] [--at TIME] [--copy] [--wait-if-expiring 5s] [--json]",
		Short: "print an account's current code (HOTP: advances and saves the counter first)",
		Long: `Print the code of the one account QUERY names: its issuer, its name,
'issuer:name', 'issuer name' (as the TUI shows it), its ID or a hardware
token's serial; case-insensitive. An exact match wins over accounts that
merely contain QUERY; a typo gets a "did you mean". --next prints the current
and the next code, the pair a console asks for when binding a virtual MFA
device. --at takes unix seconds or RFC 3339; --time-offset shifts the clock.

--wait-if-expiring 5s waits for the next period when fewer than 5 seconds
of the current code are left, so that a script never types a code that
expires on the way. --copy also puts the code on every clipboard it can
reach (the terminal's through OSC 52, tmux's buffer, the desktop's) and says
on stderr which took it and how long the code stays valid.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if waitIfExpiring < 0 {
				return fmt.Errorf("--wait-if-expiring takes a positive duration such as 5s, not %s", waitIfExpiring)
			}
			if waitIfExpiring > 0 && at != "" {
				return errors.New("--wait-if-expiring waits on the clock: it cannot be used with --at")
			}
			t := now()
			if at != "" {
				var err error
				if t, err = parseAt(at); err != nil {
					return err
				}
				t = t.Add(globals.timeOffset)
			}
			v, err := openVault(cmd)
			if err != nil {
				return err
			}
			a, err := v.FindOne(args[0])
			if err != nil {
				return err
			}
			if a.Type == vault.HOTP {
				// Checked before the counter moves: a refused command spends
				// nothing.
				for _, f := range []struct {
					name string
					set  bool
				}{{"--at", at != ""}, {"--time-offset", globals.timeOffset != 0}, {"--wait-if-expiring", waitIfExpiring > 0}} {
					if f.set {
						return fmt.Errorf("%s is for time-based accounts: %s is a hotp (counter-based) account; no code was used", f.name, textutil.Clip(a.Label()))
					}
				}
			}
			var cs vault.Codes
			if a.Type == vault.HOTP {
				// Save the counter before showing a code; with --next both
				// codes are handed out, so both are used up.
				n := uint64(1)
				if next {
					n = 2
				}
				if a, err = v.AdvanceHOTP(a.ID, n); err != nil {
					return err
				}
				cs = a.HOTPHandedOut(n)
			} else {
				cs = a.CodesAt(t)
				if waitIfExpiring > 0 && cs.Left < waitIfExpiring {
					if waitIfExpiring > cs.Period {
						return fmt.Errorf("--wait-if-expiring %s is longer than the %s period of %s", waitIfExpiring, cs.Period, a.Label())
					}
					if isTerminal(cmd.ErrOrStderr()) {
						fmt.Fprintf(cmd.ErrOrStderr(), "waiting %s for the next code\n", cs.Left.Round(time.Second))
					}
					time.Sleep(cs.Left + 50*time.Millisecond)
					cs = a.CodesAt(now())
				}
			}
			if copyCode {
				if err := copyToClipboard(cmd, a, cs); err != nil {
					return err
				}
			}
			out := codeView{ID: a.ID, Issuer: a.Issuer, Name: a.Name, Code: cs.Current, Step: cs.Step,
				SecondsLeft: int((cs.Left + time.Second - 1) / time.Second), Period: a.Period}
			if a.Type == vault.HOTP {
				c := a.Counter
				out.Counter, out.Period = &c, 0
			}
			if next {
				out.Next = cs.Next
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), out)
			}
			if next {
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", cs.Current, cs.Next)
			} else {
				fmt.Fprintln(cmd.OutOrStdout(), cs.Current)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&next, "next", false, "also print the next code")
	c.Flags().StringVar(&at, "at", "", "time: unix seconds or RFC 3339 (default now)")
	c.Flags().BoolVar(&copyCode, "copy", false, "also copy the code to the clipboard")
	c.Flags().DurationVar(&waitIfExpiring, "wait-if-expiring", 0, "wait for the next code if less than this is left (e.g. 5s)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// copyToClipboard copies the current code of `code --copy` and says on
// stderr where it went and how long it stays valid. The terminal's
// clipboard (OSC 52) is written to /dev/tty, never to stdout, which may
// be a pipe.
func copyToClipboard(cmd *cobra.Command, a vault.Account, cs vault.Codes) error {
	r := clipboard.New().Copy(cs.Current)
	if r.Sequence != "" {
		if f, err := tty(); err == nil {
			f.WriteString(r.Sequence)
			f.Close()
		} else {
			r.Reached = slices.DeleteFunc(r.Reached, func(s string) bool { return s == clipboard.Terminal })
			r.Problems = append(r.Problems, "no terminal to send the clipboard sequence (OSC 52) to")
		}
	}
	if !r.OK() {
		return errors.New(r.Explain("the code"))
	}
	valid := ""
	if a.Type != vault.HOTP {
		valid = fmt.Sprintf(" (valid for %d s)", int((cs.Left+time.Second-1)/time.Second))
	}
	fmt.Fprintln(cmd.ErrOrStderr(), r.Explain("the code")+valid)
	return nil
}

func rmCmd() *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:   "rm QUERY [--yes]",
		Short: "remove an account",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := openVault(cmd)
			if err != nil {
				return err
			}
			a, err := v.FindOne(args[0])
			if err != nil {
				return err
			}
			if !yes && !confirm(fmt.Sprintf("remove %s (%s)? its codes cannot be recovered without the original QR", a.Label(), a.ID)) {
				return fmt.Errorf("not removed: confirm on the terminal or pass --yes")
			}
			if err := v.Remove(a.ID); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", a.Label())
			return nil
		},
	}
	c.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return c
}

func renameCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rename QUERY NEW",
		Short: "rename an account (NEW is 'name' or 'issuer:name')",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := openVault(cmd)
			if err != nil {
				return err
			}
			a, err := v.FindOne(args[0])
			if err != nil {
				return err
			}
			issuer, name, hasIssuer := strings.Cut(args[1], ":")
			if !hasIssuer {
				issuer, name = a.Issuer, args[1]
			}
			issuer, name = strings.TrimSpace(issuer), strings.TrimSpace(name)
			if name == "" {
				return errors.New("the new account name is empty")
			}
			b, err := v.Edit(a.ID, func(x *vault.Account) error {
				x.Issuer, x.Name = issuer, name
				return nil
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "renamed %s to %s\n", a.Label(), b.Label())
			return nil
		},
	}
}

// runTUI starts the terminal UI (vmfa with no arguments).
func runTUI(cmd *cobra.Command, _ []string) error {
	return startTUI(cmd)
}
