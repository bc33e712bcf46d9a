package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/envsecret"
	"github.com/vmfa/vmfa/internal/fsutil"
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

func init() {
	rootCmd.AddCommand(scanCmd(), importCmd(), exportCmd(), showQRCmd())
}

// printErrors prints every line of a joined error but the last as its own
// "vmfa: " line and returns the last, for main to print: several files can
// fail for different reasons, and each deserves its line.
func printErrors(cmd *cobra.Command, err error) error {
	lines := strings.Split(err.Error(), "\n")
	for _, l := range lines[:len(lines)-1] {
		fmt.Fprintln(cmd.ErrOrStderr(), "vmfa: "+l)
	}
	return errors.New(lines[len(lines)-1])
}

// scanView is what `scan --json` prints for one account: no secret.
type scanView struct {
	Issuer    string          `json:"issuer"`
	Name      string          `json:"account"`
	Type      vault.Type      `json:"type"`
	Algorithm vault.Algorithm `json:"algorithm"`
	Digits    int             `json:"digits"`
	Period    int             `json:"period,omitempty"`
	Counter   *uint64         `json:"counter,omitempty"`
	Serial    string          `json:"serial,omitempty"`
	Source    string          `json:"source"`
}

func scanCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "scan FILE...",
		Short: "decode the QR codes in images and print the accounts, storing nothing",
		Long: `Decode every QR code in the given images (PNG, JPEG, GIF, BMP, WebP) and
print each account found as an otpauth:// URI, one per line. Google
Authenticator exports (otpauth-migration://) are expanded into their accounts;
give all the images of a multi-code export together. Nothing is stored.

The URIs hold the secrets: mind where the output goes. --json prints the
accounts without their secrets.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			found, err := scanner.ScanFiles(files...)
			out := cmd.OutOrStdout()
			if asJSON {
				views := make([]scanView, 0, len(found))
				for _, f := range found {
					a := f.Account
					v := scanView{Issuer: a.Issuer, Name: a.Name, Type: a.Type, Algorithm: a.Algorithm, Digits: a.Digits, Period: a.Period, Serial: a.Serial, Source: f.Source}
					if a.Type == vault.HOTP {
						c := a.Counter
						v.Counter, v.Period = &c, 0
					}
					views = append(views, v)
				}
				if len(views) > 0 || err == nil {
					if perr := printJSON(out, views); perr != nil {
						return perr
					}
				}
			} else {
				for _, f := range found {
					fmt.Fprintln(out, scanner.AccountURI(f.Account))
				}
			}
			if err != nil {
				return printErrors(cmd, err)
			}
			if len(found) == 0 {
				return errors.New("no accounts found")
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print issuer, account, type, algorithm, digits, period, counter and source file as JSON (no secrets)")
	return c
}

func importCmd() *cobra.Command {
	var (
		format, keyFile, passFile string
		passwordFile              string
		skipInvalid, dryRun       bool
		asJSON, listFormats       bool
	)
	c := &cobra.Command{
		Use:   "import FILE",
		Short: "add the accounts of an export or token file to the vault",
		Long: `Add the accounts of FILE ('-' for stdin) to the vault. The format is
detected from the content (exactly one format must recognise the file), or
given with --format; --list-formats prints every format, the apps that write
it, whether it is encrypted and how it is recognised.

Duplicates (same issuer, account and secret as an account in the vault or
earlier in the file) are skipped and counted.
The import is all or nothing: one invalid entry stops it with the vault
untouched, unless --skip-invalid is given. A file holds at most ` + fmt.Sprint(scanner.MaxImportAccounts) + ` accounts.
Secrets shorter than 80 bits (down to 32) import with a warning. An encrypted
PSKC file needs --pskc-key-file (a file holding the hex pre-shared key) or a
passphrase (--pskc-passphrase-file, $VMFA_PSKC_PASSPHRASE, or asked on the
terminal). An encrypted backup needs its password: --password-file FILE,
$VMFA_IMPORT_PASSWORD (removed from the environment once read), or asked on
the terminal. A wrong password imports nothing.
--json prints the counts and the added accounts, without their secrets.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if listFormats {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if listFormats {
				return printFormats(cmd.OutOrStdout(), asJSON)
			}
			password, err := importPassword(passwordFile)
			if err != nil {
				return err
			}
			data, err := readInput(cmd, args[0])
			if err != nil {
				return err
			}
			var opts []scanner.ImportOption
			if password != nil {
				opts = append(opts, scanner.WithPassword(password))
			}
			if skipInvalid {
				opts = append(opts, scanner.SkipInvalid())
			}
			key, err := pskcKey(keyFile, passFile)
			if err != nil {
				return err
			}
			res, err := scanner.Import(bytes.NewReader(data), format, append(opts, scanner.WithPSKCKey(key))...)
			if errors.Is(err, scanner.ErrPasswordNeeded) && password == nil {
				p, perr := readHidden(cmd, "backup password: ")
				if perr != nil {
					return fmt.Errorf("%v (--password-file or $VMFA_IMPORT_PASSWORD)", err)
				}
				opts = append(opts, scanner.WithPassword(p))
				res, err = scanner.Import(bytes.NewReader(data), format, append(opts, scanner.WithPSKCKey(key))...)
			}
			if errors.Is(err, scanner.ErrPSKCPassphrase) && key.Passphrase == nil {
				p, perr := readHidden(cmd, "pskc passphrase: ")
				if perr != nil {
					return fmt.Errorf("%v; give --pskc-passphrase-file", err)
				}
				key.Passphrase = p
				res, err = scanner.Import(bytes.NewReader(data), format, append(opts, scanner.WithPSKCKey(key))...)
			}
			if err != nil {
				if errors.Is(err, scanner.ErrPSKCPreShared) {
					return fmt.Errorf("%w (give the hex key with --pskc-key-file)", err)
				}
				// A wrong key fails every entry alike: --skip-invalid is no help.
				if skipInvalid || !isEntryError(err) || errors.Is(err, scanner.ErrPSKCKey) {
					return err
				}
				return fmt.Errorf("%w (nothing was imported; --skip-invalid imports the valid entries)", err)
			}
			var added []vault.Account
			dups := 0
			if dryRun {
				if info, ierr := vault.Inspect(vaultPathOrDefault()); ierr == nil && info.Exists {
					v, err := openVault(cmd)
					if err != nil {
						return err
					}
					added, dups = scanner.Merge(v.Accounts(), res.Accounts)
				} else {
					added, dups = scanner.Merge(nil, res.Accounts)
				}
			} else {
				v, err := openOrCreateVault(cmd)
				if err != nil {
					return err
				}
				errNothing := errors.New("nothing to add")
				err = v.Update(func(d *vault.Data) error {
					added, dups = scanner.Merge(d.Accounts, res.Accounts)
					if len(added) == 0 {
						return errNothing
					}
					d.Accounts = append(d.Accounts, added...)
					return nil
				})
				if err != nil && !errors.Is(err, errNothing) {
					return err
				}
			}
			w := cmd.OutOrStdout()
			if asJSON {
				rep := importReport{File: args[0], Format: res.Format, DryRun: dryRun, Added: len(added), Skipped: dups,
					Invalid: len(res.Invalid), Accounts: accountViews(added), InvalidEntries: []invalidView{}}
				for _, inv := range res.Invalid {
					rep.InvalidEntries = append(rep.InvalidEntries, invalidView{Entry: inv.Entry, Error: inv.Err.Error()})
				}
				rep.UnsupportedEntries = []invalidView{}
				for _, u := range res.Unsupported {
					rep.UnsupportedEntries = append(rep.UnsupportedEntries, invalidView{Entry: u.Entry, Error: u.Err.Error()})
				}
				rep.Warnings = []invalidView{}
				for _, w := range res.Warnings {
					rep.Warnings = append(rep.Warnings, invalidView{Entry: w.Entry, Error: w.Err.Error()})
				}
				return printJSON(w, rep)
			}
			verb := "added"
			if dryRun {
				verb = "would add"
			}
			for _, a := range added {
				fmt.Fprintf(w, "%s %s (%s)\n", verb, a.Label(), a.Type)
			}
			for _, inv := range res.Invalid {
				fmt.Fprintf(w, "skipped %s: %v\n", inv.Entry, inv.Err)
			}
			for _, u := range res.Unsupported {
				fmt.Fprintf(w, "skipped %s: %v\n", u.Entry, u.Err)
			}
			for _, warn := range res.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "vmfa: warning: %s: %v\n", warn.Entry, warn.Err)
			}
			summary := fmt.Sprintf("%s %d from %s (%s)", verb, len(added), args[0], res.Format)
			if dups > 0 {
				summary += fmt.Sprintf(", skipped %d duplicates (same issuer, account and secret)", dups)
			}
			if n := len(res.Invalid); n > 0 {
				summary += fmt.Sprintf(", skipped %d invalid", n)
			}
			if n := len(res.Unsupported); n > 0 {
				summary += fmt.Sprintf(", skipped %d unsupported", n)
			}
			fmt.Fprintln(w, summary)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&format, "format", scanner.FormatAuto, "file format: "+strings.Join(scanner.ImportFormats, ", "))
	f.BoolVar(&skipInvalid, "skip-invalid", false, "import the valid entries and list the invalid ones instead of failing")
	f.BoolVar(&listFormats, "list-formats", false, "print the import formats (format, apps, encrypted?, how detected) and exit")
	f.BoolVar(&dryRun, "dry-run", false, "read and check the file, say what would be added, change nothing")
	f.BoolVar(&asJSON, "json", false, "print the counts (added, skipped duplicates, invalid) and the added accounts as JSON (no secrets)")
	f.StringVar(&keyFile, "pskc-key-file", "", "file holding the hex AES pre-shared key of an encrypted PSKC file")
	f.StringVar(&passFile, "pskc-passphrase-file", "", "file holding the passphrase of an encrypted PSKC file")
	f.StringVar(&passwordFile, "password-file", "", "file holding the password of an encrypted backup (Aegis, 2FAS, andOTP…)")
	return c
}

// importPassword reads the password of an encrypted backup from a file or
// $VMFA_IMPORT_PASSWORD, which is removed from the environment at once so
// that no child process inherits it. nil: none given.
func importPassword(file string) ([]byte, error) {
	env, inEnv := envsecret.Lookup("VMFA_IMPORT_PASSWORD")
	if file != "" {
		return readPasswordFile(file)
	}
	if inEnv {
		return []byte(env), nil
	}
	return nil, nil
}

// readPasswordFile reads a password: the file's first line, at most 4 KiB.
func readPasswordFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read the password file: %w", fileError(name, err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4097))
	if err != nil {
		return nil, fmt.Errorf("cannot read the password file: %w", err)
	}
	if len(b) > 4096 {
		return nil, errors.New("the password file is longer than 4 KiB; it must hold only the password")
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return nil, errors.New("the password file is empty")
	}
	return line, nil
}

// printFormats prints the import format table.
func printFormats(w io.Writer, asJSON bool) error {
	fs := scanner.Formats()
	if asJSON {
		type row struct {
			Format    string `json:"format"`
			Apps      string `json:"apps"`
			Encrypted string `json:"encrypted"`
			Detection string `json:"detection"`
		}
		rows := make([]row, 0, len(fs))
		for _, f := range fs {
			rows = append(rows, row{f.Name, f.Apps, f.Encrypted, f.Detection})
		}
		return printJSON(w, rows)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FORMAT\tAPPS\tENCRYPTED\tDETECTED BY")
	for _, f := range fs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, f.Apps, f.Encrypted, f.Detection)
	}
	return tw.Flush()
}

// importReport is what `import --json` prints: no secrets.
type importReport struct {
	File           string        `json:"file"`
	Format         string        `json:"format"`
	DryRun         bool          `json:"dry_run"`
	Added          int           `json:"added"`   // added, or would be with --dry-run
	Skipped        int           `json:"skipped"` // duplicates left out
	Invalid        int           `json:"invalid"` // invalid entries left out (--skip-invalid)
	Accounts       []accountView `json:"accounts"`
	InvalidEntries []invalidView `json:"invalid_entries"`
	// UnsupportedEntries: records of kinds vmfa does not implement (PSKC
	// keys of other algorithms), left out and named.
	UnsupportedEntries []invalidView `json:"unsupported_entries"`
	Warnings           []invalidView `json:"warnings"` // imported, worth a warning (short secrets)
}

type invalidView struct {
	Entry string `json:"entry"`
	Error string `json:"error"`
}

func isEntryError(err error) bool {
	var ee *scanner.EntryError
	return errors.As(err, &ee)
}

// readInput reads a file, or stdin for "-".
func readInput(cmd *cobra.Command, name string) ([]byte, error) {
	var r io.Reader = cmd.InOrStdin()
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fileError(name, err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, scanner.MaxImportBytes+1))
	if err != nil {
		return nil, fileError(name, err)
	}
	if len(b) > scanner.MaxImportBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB, not an authenticator export", name, scanner.MaxImportBytes>>20)
	}
	return b, nil
}

// fileError says why a file could not be read.
func fileError(name string, err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: no such file", name)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%s: permission denied", name)
	}
	return fmt.Errorf("cannot read %s: %w", name, err)
}

// pskcKey reads the PSKC pre-shared key (hex) and passphrase from files or
// the environment; secrets never come from argv.
func pskcKey(keyFile, passFile string) (scanner.PSKCKey, error) {
	var k scanner.PSKCKey
	if keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return k, fmt.Errorf("cannot read the pskc key file: %w", err)
		}
		h := strings.Join(strings.Fields(string(b)), "")
		if k.PreShared, err = hex.DecodeString(h); err != nil {
			return k, errors.New("the pskc key file must hold the key in hex (32, 48 or 64 hex digits)")
		}
	}
	if passFile != "" {
		b, err := os.ReadFile(passFile)
		if err != nil {
			return k, fmt.Errorf("cannot read the pskc passphrase file: %w", err)
		}
		k.Passphrase = bytes.TrimRight(b, "\r\n")
	} else if p, ok := envsecret.Lookup("VMFA_PSKC_PASSPHRASE"); ok {
		k.Passphrase = []byte(p)
	}
	return k, nil
}

func exportCmd() *cobra.Command {
	var (
		format, out  string
		passwordFile string
		plaintext    bool
		size         int
	)
	c := &cobra.Command{
		Use:   "export --format uris|aegis|migration [--plaintext] [--out FILE] [QUERY]",
		Short: "write the accounts (or those matching QUERY) to an export for another app",
		Long: `Export accounts for another authenticator. The aegis format is an encrypted
Aegis vault unless --plaintext is given; every other format holds the
secrets in the clear, so --plaintext is required to confirm. Files are
created with mode 0600 and an existing file is never overwritten.

  uris       otpauth:// URIs, one per line
  aegis      Aegis vault (importable by Aegis, and by vmfa import), encrypted
             with a password asked twice on the terminal or read from
             --password-file (scrypt N=2^15 r=8 p=1 and AES-256-GCM, as Aegis
             writes it); plain JSON with --plaintext. Tags become Aegis
             groups, the serial number a last note line "serial: …"
  migration  Google Authenticator transfer QR codes of at most 10 accounts
             each: PNG files FILE-1.png, FILE-2.png… with --out FILE.png, or
             drawn in the terminal without --out

Without --out, uris and aegis go to stdout.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case scanner.ExportURIs, scanner.ExportAegis, scanner.ExportMigration:
			case "":
				return fmt.Errorf("give --format (%s)", strings.Join(scanner.ExportFormats, ", "))
			default:
				return fmt.Errorf("unknown export format %q (want %s)", format, strings.Join(scanner.ExportFormats, ", "))
			}
			encrypt := format == scanner.ExportAegis && !plaintext
			if !plaintext && !encrypt {
				return errors.New("an export holds your secrets unencrypted; add --plaintext to confirm")
			}
			if plaintext && passwordFile != "" {
				return errors.New("--password-file encrypts the export; leave out --plaintext")
			}
			var password []byte
			if encrypt {
				var err error
				if password, err = exportPassword(cmd, passwordFile); err != nil {
					return err
				}
			}
			v, err := openVault(cmd)
			if err != nil {
				return err
			}
			accs := v.Accounts()
			if len(args) == 1 {
				if accs, err = v.Find(args[0]); err != nil {
					return err
				}
			}
			if len(accs) == 0 {
				return errors.New("no accounts to export")
			}
			w := cmd.OutOrStdout()
			switch format {
			case scanner.ExportURIs, scanner.ExportAegis:
				var buf bytes.Buffer
				switch {
				case format == scanner.ExportURIs:
					err = scanner.WriteURIs(&buf, accs)
				case encrypt:
					err = scanner.WriteAegisEncrypted(&buf, accs, password)
				default:
					err = scanner.WriteAegis(&buf, accs)
				}
				if err != nil {
					return err
				}
				if out == "" {
					_, err = w.Write(buf.Bytes())
					return err
				}
				if err := writeNew(out, "--out", buf.Bytes()); err != nil {
					return err
				}
				fmt.Fprintf(w, "exported %d accounts to %s\n", len(accs), out)
				return nil
			}
			qrs, err := scanner.MigrationExport(accs, size)
			if err != nil {
				return err
			}
			if out == "" {
				for i, q := range qrs {
					s, err := qrDrawing(q.URI)
					if err != nil {
						return err
					}
					fmt.Fprintf(w, "google authenticator export, code %d of %d:\n%s\n", i+1, len(qrs), s)
				}
				return nil
			}
			names := migrationNames(out, len(qrs))
			for _, n := range names {
				if _, err := os.Lstat(n); err == nil {
					return fmt.Errorf("%s already exists; remove it or choose another --out", n)
				}
			}
			for i, q := range qrs {
				if err := writeNew(names[i], "--out", q.PNG); err != nil {
					return err
				}
			}
			fmt.Fprintf(w, "exported %d accounts to %s\n", len(accs), strings.Join(names, ", "))
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&format, "format", "", "uris, aegis or migration")
	f.StringVar(&out, "out", "", "file to write (created 0600; migration: FILE-1.png, FILE-2.png…)")
	f.BoolVar(&plaintext, "plaintext", false, "write the secrets unencrypted (required for uris and migration; plain JSON for aegis)")
	f.StringVar(&passwordFile, "password-file", "", "file holding the password of an encrypted aegis export (else asked twice)")
	f.IntVar(&size, "size", 600, "migration QR image size in pixels")
	f.StringVar(&qrMode, "mode", "color", "how to draw migration codes without --out: color, light or dark")
	return c
}

// exportPassword reads the password of an encrypted export from a file, or
// asks it twice on the terminal.
func exportPassword(cmd *cobra.Command, file string) ([]byte, error) {
	if file != "" {
		return readPasswordFile(file)
	}
	p, err := readHidden(cmd, "export password: ")
	if err != nil {
		return nil, errors.New("no terminal to ask the export password on: give --password-file, or --plaintext for an unencrypted export")
	}
	if len(p) == 0 {
		return nil, errors.New("the export password is empty")
	}
	q, err := readHidden(cmd, "again, to confirm: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(p, q) {
		return nil, errors.New("the passwords do not match; nothing was exported")
	}
	return p, nil
}

// migrationNames names the PNG of each export code: out itself for one,
// out-1.png, out-2.png… for several.
func migrationNames(out string, n int) []string {
	if n == 1 {
		return []string{out}
	}
	ext := filepath.Ext(out)
	if ext == "" {
		ext = ".png"
	}
	base := strings.TrimSuffix(out, filepath.Ext(out))
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%d%s", base, i+1, ext)
	}
	return names
}

// writeNew creates a file that must not exist yet, mode 0600, without
// following a symlink, and removes it again if writing fails
// (fsutil.WriteNew). flag names the option that gave the file, for the
// message when it exists.
func writeNew(name, flag string, data []byte) error {
	if err := fsutil.WriteNew(name, data, 0o600); err != nil {
		if errors.Is(err, os.ErrExist) || errors.Is(err, syscall.ELOOP) {
			return fmt.Errorf("%s already exists; remove it or choose another %s", name, flag)
		}
		return fmt.Errorf("cannot write %s: %w", name, err)
	}
	return nil
}

// qrMode says how show-qr and export draw codes: "color" (explicit black
// on white, right in any theme), "light" or "dark" (plain characters for a
// light or dark terminal background).
var qrMode = "color"

func qrDrawing(text string) (string, error) {
	switch qrMode {
	case "light":
		return scanner.QRHalfBlocksPlain(text, false)
	case "dark":
		return scanner.QRHalfBlocksPlain(text, true)
	}
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return scanner.QRHalfBlocksPlain(text, false)
	}
	return scanner.QRHalfBlocks(text)
}

func showQRCmd() *cobra.Command {
	var png string
	var size int
	c := &cobra.Command{
		Use:   "show-qr QUERY",
		Short: "draw an account's QR code in the terminal, to move it to a phone",
		Long: `Draw the otpauth:// QR code of the account matching QUERY (issuer, name or
id) with half-block characters, for a phone authenticator to scan.

The code is drawn black on white with explicit colours, so it reads the same
in dark and light terminals. --mode light or --mode dark draws plain
characters instead (also used when NO_COLOR is set, as light). --png FILE
writes a PNG (mode 0600) instead. The code holds the secret: mind who sees
the screen.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch qrMode {
			case "color", "light", "dark":
			default:
				return fmt.Errorf("unknown --mode %q (want color, light or dark)", qrMode)
			}
			v, err := openVault(cmd)
			if err != nil {
				return err
			}
			a, err := v.FindOne(args[0])
			if err != nil {
				return err
			}
			uri := scanner.AccountURI(a)
			if png != "" {
				b, err := scanner.QRPNG(uri, size)
				if err != nil {
					return err
				}
				if err := writeNew(png, "--png", b); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote the QR code of %s to %s\n", a.Label(), png)
				return nil
			}
			s, err := qrDrawing(uri)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n%s", a.Label(), s)
			return nil
		},
	}
	c.Flags().StringVar(&qrMode, "mode", "color", "color (works in any terminal), light or dark (plain characters)")
	c.Flags().StringVar(&png, "png", "", "write a PNG file instead of drawing")
	c.Flags().IntVar(&size, "size", 400, "PNG size in pixels")
	return c
}
