package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// Set by the Makefile: -ldflags "-X main.version=... -X main.commit=...".
var (
	version string
	commit  string
)

// Exit statuses: one table for every command, in --help and the README.
const (
	exitOK     = 0
	exitError  = 1
	exitLocked = 2
)

const exitStatusHelp = `Exit status:
  0  success
  1  error: bad input, no or several matching accounts, a failed check or a
     verifier denial, an I/O error (one line on stderr starting "vmfa:")
  2  the vault's key is not available: a passphrase is needed and there is
     no terminal, agent or VMFA_PASSPHRASE_FILE; or the keyring is locked,
     unreachable or did not answer. Unlock ('vmfa unlock', the keyring) and
     run the command again`

// exitStatus is the exit status for an error returned by a command.
func exitStatus(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, vault.ErrPassphraseRequired), errors.Is(err, vault.ErrKeyringUnavailable),
		errors.Is(err, vault.ErrKeyringTimeout):
		return exitLocked
	}
	return exitError
}

// versionInfo is what --version prints: vmfa's version and commit (from
// the Makefile's -ldflags, else from the Go build information), the Go
// version, and the libfido2 this process loaded (cgo builds only).
func versionInfo() string {
	v, c, dirty := version, commit, false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	if c == "" {
		c = "unknown"
	} else if len(c) > 12 {
		c = c[:12]
	}
	if dirty && !strings.HasSuffix(c, "-dirty") {
		c += "-dirty"
	}
	s := fmt.Sprintf("vmfa %s\ncommit %s\n%s %s/%s\n", v, c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if lv := libfido2Version(); lv != "" {
		s += "libfido2 " + lv + "\n"
	}
	return s
}

var fido2SO = regexp.MustCompile(`libfido2\.so\.([0-9][0-9.]*)$`)

// libfido2Version is the version of the libfido2 mapped into this
// process, read from the name of its shared object (libfido2 has no
// version call); "" when it is not loaded (a build without cgo).
func libfido2Version() string {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "/")
		if i < 0 || !strings.Contains(line[i:], "/libfido2.so") {
			continue
		}
		p := line[i:]
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if m := fido2SO.FindStringSubmatch(p); m != nil {
			return m[1]
		}
		return "(version unknown)"
	}
	return ""
}

// closest is the candidate nearest to s, if it is near enough to be a typo
// of it (or s is a prefix of it).
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		d := textutil.EditDistance(strings.ToLower(s), strings.ToLower(c))
		if strings.HasPrefix(c, s) && len(s) >= 2 {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// subcommandArgs rejects an unknown subcommand of a command group with a
// "did you mean".
func subcommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
			names = append(names, c.Aliases...)
		}
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := closest(args[0], names); s != "" {
		return fmt.Errorf("%s: did you mean %q?", msg, s)
	}
	return fmt.Errorf("%s ('%s --help' lists its commands)", msg, cmd.CommandPath())
}

var unknownFlag = regexp.MustCompile(`^unknown (?:shorthand )?flag: '?-{0,2}([^' ]+)'?`)

// suggestFlag words an unknown flag with the closest one cmd has.
func suggestFlag(cmd *cobra.Command, err error) error {
	m := unknownFlag.FindStringSubmatch(err.Error())
	if m == nil || len(m[1]) < 2 {
		return err
	}
	var names []string
	add := func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	}
	cmd.Flags().VisitAll(add)
	cmd.InheritedFlags().VisitAll(add)
	if s := closest(m[1], names); s != "" {
		return fmt.Errorf("%w: did you mean --%s?", err, s)
	}
	return err
}

var setupOnce sync.Once

// setupCommands finishes the command tree once every file's init has
// added its commands: groups reject unknown subcommands with a "did you
// mean", QUERY arguments and flag values complete, and the root's help
// ends with the exit-status table.
func setupCommands() {
	setupOnce.Do(func() {
		rootCmd.Version = "set" // enables --version; the template prints versionInfo
		rootCmd.SetVersionTemplate(`{{versionInfo}}`)
		cobra.AddTemplateFunc("versionInfo", versionInfo)
		rootCmd.Long += "\n\n" + exitStatusHelp
		rootCmd.Args = subcommandArgs
		rootCmd.InitDefaultCompletionCmd()
		for _, c := range rootCmd.Commands() {
			if c.Name() == "completion" {
				c.Short = "print the shell completion script (bash, zsh, fish, powershell)"
				c.Long = `Print the script that makes the shell complete vmfa's commands, flags,
flag values (--format, --algorithm, --type, --to ...) and account names:

  bash   source <(vmfa completion bash)          (in ~/.bashrc)
  zsh    vmfa completion zsh > "${fpath[1]}/_vmfa"
  fish   vmfa completion fish > ~/.config/fish/completions/vmfa.fish

Account names complete without any prompt: from a keyring vault while the
keyring is unlocked, from a passphrase vault while 'vmfa unlock' holds its
key; otherwise they are not offered.`
			}
		}
		var walk func(c *cobra.Command)
		walk = func(c *cobra.Command) {
			if c.HasSubCommands() && c != rootCmd && c.Args == nil {
				c.Args = subcommandArgs
				if c.Run == nil && c.RunE == nil {
					c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
				}
			}
			if strings.Contains(c.Use, "QUERY") && c.ValidArgsFunction == nil {
				c.ValidArgsFunction = completeAccounts
			}
			registerFlagValues(c)
			for _, s := range c.Commands() {
				walk(s)
			}
		}
		walk(rootCmd)
	})
}

// registerFlagValues completes the values of the flags that take one of
// a fixed set of words.
func registerFlagValues(c *cobra.Command) {
	values := map[string][]string{
		"algorithm": {"SHA1", "SHA256", "SHA512"},
		"to":        {"passphrase", "keyring"},
		"method":    {"totp", "hotp", "oath-token", "security-key"},
		"result":    {"success", "denied"},
		"type":      {"totp", "hotp", "steam"},
	}
	switch c.CommandPath() {
	case "vmfa import":
		values["format"] = scanner.ImportFormats
	case "vmfa export":
		values["format"] = scanner.ExportFormats
	case "vmfa verifier totp enroll":
		values["type"] = []string{"totp", "hotp"}
	}
	for name, words := range values {
		f := c.LocalNonPersistentFlags().Lookup(name)
		if f == nil || f.Value.Type() != "string" {
			continue
		}
		if _, ok := c.GetFlagCompletionFunc(name); ok {
			continue
		}
		c.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
	}
}

// completeAccounts completes a QUERY with account names ('name', or
// 'issuer:name' once the issuer is being typed). It never prompts: a
// passphrase vault completes only while the unlock agent holds its key;
// a keyring vault only while the keyring is unlocked, with a short
// timeout. Anything else completes nothing.
func completeAccounts(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	if len(args) > 0 {
		return nil, none
	}
	o := vaultOptions(cmd)
	o.Passphrase = nil
	o.KeyringTimeout = 2 * time.Second
	info, err := vault.Inspect(o.Path)
	if err != nil || !info.Exists || (info.Source == vault.KeyringSource && !vault.KeyringUnlocked()) {
		return nil, none
	}
	v, err := keepOpened(vault.Open(o))
	if err != nil {
		return nil, none
	}
	low := strings.ToLower(toComplete)
	var out []string
	seen := map[string]bool{}
	for _, a := range v.Accounts() {
		desc := "\t" + string(a.Type)
		if a.Issuer != "" {
			desc = "\t" + a.Label()
		}
		cands := []string{a.Name, a.Issuer + ":" + a.Name}
		if a.Issuer == "" {
			cands = cands[:1]
		}
		for _, s := range cands {
			if strings.HasPrefix(strings.ToLower(s), low) && !seen[s] {
				seen[s] = true
				out = append(out, s+desc)
				break
			}
		}
	}
	return out, none
}
