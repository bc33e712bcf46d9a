// Command vmfa is a terminal virtual authenticator: TOTP/HOTP codes from an
// encrypted vault rooted in the OS keyring, QR import, security keys through
// libfido2, and a companion verifier that plays the console's side.
//
// With no arguments it starts the terminal UI; see `vmfa help` for the
// commands.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/envsecret"
	"github.com/vmfa/vmfa/internal/procsec"
	"github.com/vmfa/vmfa/vault"
)

// globals are the persistent flags every command sees.
var globals struct {
	vaultPath  string
	timeOffset time.Duration
	backups    int
}

var rootCmd = &cobra.Command{
	Use:   "vmfa",
	Short: "a terminal virtual authenticator (TOTP/HOTP, security keys, companion verifier)",
	Long: `vmfa shows TOTP/HOTP codes for the accounts in an encrypted vault whose key
lives in the OS keyring (or comes from a passphrase). Run it with no arguments
for the terminal UI, or use the commands below for scripting.`,
	SilenceUsage:  true,
	SilenceErrors: true,
	Args:          cobra.NoArgs,
	RunE:          runTUI,
	PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
		if globals.backups == 0 {
			if s := os.Getenv("VMFA_BACKUPS"); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil {
					return fmt.Errorf("VMFA_BACKUPS=%q is not a number (how many backups to keep, -1 for none)", s)
				}
				if n < -1 {
					return fmt.Errorf("VMFA_BACKUPS=%d: how many backups to keep is 0 or more, or -1 for none", n)
				}
				globals.backups = n
			}
		}
		if globals.backups < -1 {
			return fmt.Errorf("--backups %d: how many backups to keep is 0 or more, or -1 for none", globals.backups)
		}
		return nil
	},
}

func init() {
	pf := rootCmd.PersistentFlags()
	pf.StringVar(&globals.vaultPath, "vault", "", "vault file (default $VMFA_VAULT or $XDG_DATA_HOME/vmfa/vault.vmfa)")
	pf.DurationVar(&globals.timeOffset, "time-offset", 0, "simulate a drifted device clock, e.g. 45s or -1m30s")
	pf.IntVar(&globals.backups, "backups", 0, "encrypted backups kept before each change (default 10, -1 for none; $VMFA_BACKUPS)")
	rootCmd.SetFlagErrorFunc(flagError) // inherited by every command
}

// badFlagValue matches pflag's "invalid argument %q for %q flag: %v",
// where the flag is "--name" or "-n, --name".
var badFlagValue = regexp.MustCompile(`^invalid argument ("(?:[^"\\]|\\.)*") for "(?:-., )?--([^"]+)" flag: `)

// flagError words a flag value pflag could not parse without the names of
// Go's parsers ("strconv.ParseInt: parsing …"): what the flag takes, and
// what was given. Other flag errors pass unchanged.
func flagError(cmd *cobra.Command, err error) error {
	m := badFlagValue.FindStringSubmatch(err.Error())
	if m == nil {
		return suggestFlag(cmd, err)
	}
	f := cmd.Flags().Lookup(m[2])
	if f == nil {
		return err
	}
	want := map[string]string{
		"int": "a whole number", "int64": "a whole number", "uint": "a whole number", "uint32": "a whole number",
		"duration": "a duration such as 30s, 2m or 1h", "bool": "true or false", "float64": "a number", "uint64": "a whole number",
	}[f.Value.Type()]
	if want == "" {
		return err
	}
	return fmt.Errorf("--%s takes %s, not %s", f.Name, want, m[1])
}

func main() {
	startup()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// startup runs before anything is read or decrypted: no core dumps, not
// dumpable (no ptrace or /proc/PID/mem for the same user's processes
// without CAP_SYS_PTRACE), and the secrets of the environment taken out of
// it so that no child process inherits them.
func startup() {
	procsec.Harden() // best effort: a refusal leaves vmfa as it was
	envsecret.Capture()
}

// opened are the vaults this run opened; run closes them (zeroing their
// keys and secrets) before it returns.
var opened struct {
	sync.Mutex
	vs []*vault.Vault
}

func keepOpened(v *vault.Vault, err error) (*vault.Vault, error) {
	if err == nil {
		opened.Lock()
		opened.vs = append(opened.vs, v)
		opened.Unlock()
	}
	return v, err
}

func closeOpened() {
	opened.Lock()
	defer opened.Unlock()
	for _, v := range opened.vs {
		v.Close()
	}
	opened.vs = nil
}

// run executes the CLI and returns the process exit code. Every error is
// printed as one line prefixed "vmfa: "; a panic is turned into an error
// line too, never a stack trace.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "vmfa: internal error (please report it): %v\n", r)
			code = 1
		}
	}()
	defer closeOpened()
	prepareCommands(rootCmd)
	setupCommands()
	rootCmd.SetArgs(args)
	rootCmd.SetIn(stdin)
	rootCmd.SetOut(stdout)
	rootCmd.SetErr(stderr)
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(stderr, "vmfa: "+errorLine(err))
		return exitStatus(err)
	}
	return exitOK
}

// errorLine renders an error as the one lowercase line the CLI prints,
// adding what to do for the vault errors people hit.
func errorLine(err error) string {
	msg := err.Error()
	hint := ""
	switch {
	case errors.Is(err, vault.ErrNoVault):
		hint = "add an account first with 'vmfa add', or point --vault at an existing vault"
	case errors.Is(err, vault.ErrWrongPassphrase):
		hint = "check the passphrase (VMFA_PASSPHRASE_FILE or VMFA_PASSPHRASE if set); the vault was not changed"
	case errors.Is(err, vault.ErrPassphraseRequired):
		hint = "run 'vmfa unlock' in a terminal first, run vmfa in a terminal to be asked, or set VMFA_PASSPHRASE_FILE"
	case errors.Is(err, vault.ErrKeyMissing):
		hint = "the keyring item of service 'vmfa' for this vault was deleted or the keyring was reset; restore the keyring, the vault was not changed"
	case errors.Is(err, vault.ErrWrongKey):
		hint = "the keyring item of service 'vmfa' for this vault was overwritten; restore the original keyring item (the vault file and its backups are intact and need that key)"
	case errors.Is(err, vault.ErrKeyringTimeout):
		hint = "unlock your keyring (it may be waiting on a prompt) and try again"
	case errors.Is(err, vault.ErrKeyringLocked):
		hint = "unlock it in your desktop session, or here (gnome-keyring): read -rs P && printf %s \"$P\" | gnome-keyring-daemon --replace --daemonize --unlock; then run the command again"
	case errors.Is(err, vault.ErrKeyringUnavailable):
		if info, _ := vault.Inspect(vaultPathOrDefault()); info.Exists {
			hint = "this vault's key is in the keyring: run vmfa where the Secret Service is reachable (your desktop session), or convert the vault there with 'vmfa vault rekey --to passphrase'"
		} else {
			hint = "start or unlock a Secret Service keyring (gnome-keyring, KeePassXC), or create a passphrase vault with 'vmfa init --passphrase'"
		}
	case errors.Is(err, vault.ErrRollback):
		hint = "the vault was not changed; 'vmfa restore' lists the backups"
	case errors.Is(err, vault.ErrNotVault):
		path := vaultPathOrDefault()
		msg = path + " is " + vault.ErrNotVault.Error()
		hint = "check --vault and VMFA_VAULT"
		if bs, _ := vault.Backups(path); len(bs) > 0 {
			hint += "; if it was your vault, 'vmfa restore' lists its backups in " + vault.BackupDir(path)
		}
	case errors.Is(err, vault.ErrCorrupt):
		hint = "the vault was not changed; restore a backup with 'vmfa restore BACKUP' ('vmfa restore' lists them in " + vault.BackupDir(vaultPathOrDefault()) + ")"
	case errors.Is(err, vault.ErrAmbiguous):
		hint = "use a longer query or the account id"
	}
	if hint != "" {
		msg += ": " + hint
	}
	msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; ")
	return strings.TrimRight(escapeControls(msg), ".")
}

// escapeControls replaces control characters with "?": an error may
// quote a name read from a QR code or a file, and a terminal must never
// receive its escape sequences.
func escapeControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

func vaultPathOrDefault() string {
	if globals.vaultPath != "" {
		return globals.vaultPath
	}
	p, _ := vault.DefaultPath()
	return p
}

// vaultOptions builds the options every command opens the vault with.
func vaultOptions(cmd *cobra.Command) vault.Options {
	return vault.Options{
		Path:       vaultPathOrDefault(),
		Passphrase: passphraseSource(cmd),
		Backups:    globals.backups,
		KeyCache:   agentKeyCache,
	}
}

// openVault opens the existing vault; it is an error if there is none.
func openVault(cmd *cobra.Command) (*vault.Vault, error) {
	return keepOpened(vault.Open(vaultOptions(cmd)))
}

// openOrCreateVault opens the vault, creating a keyring vault on first use.
func openOrCreateVault(cmd *cobra.Command) (*vault.Vault, error) {
	o := vaultOptions(cmd)
	o.Create = vault.Auto
	return keepOpened(vault.Open(o))
}

// now is the clock commands use, shifted by --time-offset.
func now() time.Time { return time.Now().Add(globals.timeOffset) }

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
