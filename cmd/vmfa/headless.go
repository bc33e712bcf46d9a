package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/vault"
)

func init() {
	v := &cobra.Command{
		Use:   "vault",
		Short: "the vault's key: convert between keyring and passphrase, change the passphrase",
	}
	v.AddCommand(vaultRekeyCmd(), vaultPasswdCmd())
	rootCmd.AddCommand(v, unlockCmd(), lockCmd(), agentCmd())
}

// agentKeyCache is vault.Options.KeyCache: the unlock agent's key for a
// passphrase vault, when one runs.
func agentKeyCache(id string) []byte { return agent.Lookup(id) }

// forgetInAgent ends a running agent after the vault's key changed: the
// key it holds no longer opens anything. It says so on stderr.
func forgetInAgent(cmd *cobra.Command) {
	if err := agent.Stop(); err == nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "the unlock agent was stopped; run 'vmfa unlock' again")
	}
}

func vaultRekeyCmd() *cobra.Command {
	var to string
	c := &cobra.Command{
		Use:   "rekey --to passphrase|keyring",
		Short: "convert the vault to another key source in place, keeping every account",
		Long: `Re-encrypt the vault under a new key: --to passphrase derives it from a new
passphrase (asked twice, or VMFA_NEW_PASSPHRASE_FILE), --to keyring keeps a
random key in the OS keyring. The vault is opened with its current key
first (keyring, unlock agent, or passphrase), written atomically, and the
previous file is kept in backups/ (even with --backups -1). The old keyring
item is left in place so that backups made before still open.

  vmfa vault rekey --to passphrase   on the desktop, before using the vault over SSH
  vmfa vault rekey --to keyring      back on the desktop`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			src := vault.KeySource(strings.ToLower(to))
			if src != vault.PassphraseSource && src != vault.KeyringSource {
				return fmt.Errorf("--to takes passphrase or keyring, not %q", to)
			}
			v, err := openVault(cmd)
			if err != nil {
				return err
			}
			if v.Source() == src && src == vault.PassphraseSource {
				return errors.New("the vault already uses a passphrase: change it with 'vmfa vault passwd'")
			}
			from := v.Source()
			if err := v.Rekey(src, newPassphraseSource(cmd)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: key moved from the %s to the %s, %d accounts kept; the previous file is in %s\n",
				v.Path(), from, src, len(v.Accounts()), vault.BackupDir(v.Path()))
			if from == vault.PassphraseSource {
				forgetInAgent(cmd)
			}
			return nil
		},
	}
	c.Flags().StringVar(&to, "to", "", "passphrase or keyring")
	c.MarkFlagRequired("to")
	c.RegisterFlagCompletionFunc("to", cobra.FixedCompletions([]string{"passphrase", "keyring"}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

func vaultPasswdCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "passwd",
		Short: "change the passphrase of a passphrase vault",
		Long: `Change the vault's passphrase. The current one is asked first (or comes from
VMFA_PASSPHRASE_FILE / VMFA_PASSPHRASE, or the unlock agent), then the new one
twice (or VMFA_NEW_PASSPHRASE_FILE). The previous file is kept in backups/:
it still opens with the old passphrase.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if info, err := vault.Inspect(vaultPathOrDefault()); err == nil && info.Exists && info.Source == vault.KeyringSource {
				return errors.New("this vault's key is in the keyring, it has no passphrase: 'vmfa vault rekey --to passphrase' gives it one")
			}
			v, err := openVault(cmd)
			if err != nil {
				return err
			}
			if err := v.Rekey(vault.PassphraseSource, newPassphraseSource(cmd)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: passphrase changed; the previous file is in %s\n", v.Path(), vault.BackupDir(v.Path()))
			forgetInAgent(cmd)
			return nil
		},
	}
}

func unlockCmd() *cobra.Command {
	var (
		ttl    time.Duration
		status bool
	)
	c := &cobra.Command{
		Use:   "unlock [--for 15m]",
		Short: "ask a passphrase vault's passphrase once and keep its key in an agent for a while",
		Long: fmt.Sprintf(`Ask the passphrase once, derive the vault's key, and keep the key in a
small background process (the unlock agent, like ssh-agent) so that the
next commands and the TUI do not ask again. The agent listens on
$XDG_RUNTIME_DIR/vmfa/agent.sock (mode 0600), answers only your own user,
holds keys in memory locked against swapping, forgets each after --for
(%s to %s, default %s) and exits when it holds none. 'vmfa lock' ends it
at once. Keyring vaults need no agent: the keyring is their agent.`, agent.MinTTL, agent.MaxTTL, agent.DefaultTTL),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if status {
				st, err := agent.Query()
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "unlock agent pid %d\n", st.PID)
				for _, h := range st.Vault {
					fmt.Fprintf(cmd.OutOrStdout(), "vault %s until %s\n", h.VaultID, h.Expires.Format(time.TimeOnly))
				}
				return nil
			}
			if ttl < agent.MinTTL || ttl > agent.MaxTTL {
				return fmt.Errorf("--for takes a time between %s and %s, not %s", agent.MinTTL, agent.MaxTTL, ttl)
			}
			if _, err := agent.SocketPath(); err != nil {
				return err
			}
			info, err := vault.Inspect(vaultPathOrDefault())
			if err != nil {
				return err
			}
			if info.Exists && info.Source == vault.KeyringSource {
				return errors.New("this vault's key is in the keyring, which unlocks it: there is nothing for the agent to keep")
			}
			o := vaultOptions(cmd)
			o.KeyCache = nil // ask the passphrase: this is the one place that does
			v, err := keepOpened(vault.Open(o))
			if err != nil {
				return err
			}
			key := v.Key()
			defer clear(key)
			until := time.Now().Add(ttl).Format(time.TimeOnly)
			err = agent.Put(v.ID(), key, ttl)
			if errors.Is(err, agent.ErrNoAgent) {
				exe, xerr := os.Executable()
				if xerr != nil {
					return fmt.Errorf("cannot find the vmfa binary to run the agent: %w", xerr)
				}
				var pid int
				if pid, err = agent.Start(exe, []string{"__agent"}, agentEnv(), v.ID(), key, ttl); err == nil {
					fmt.Fprintf(cmd.OutOrStdout(), "unlocked %s until %s (agent pid %d); 'vmfa lock' locks it now\n", v.Path(), until, pid)
					return nil
				}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "unlocked %s until %s; 'vmfa lock' locks it now\n", v.Path(), until)
			return nil
		},
	}
	c.Flags().DurationVar(&ttl, "for", agent.DefaultTTL, "how long the agent keeps the key")
	c.Flags().BoolVar(&status, "status", false, "show what the running agent holds")
	return c
}

// agentEnv is the agent's environment: this one without passphrases.
func agentEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VMFA_PASSPHRASE") && !strings.HasPrefix(kv, "VMFA_NEW_PASSPHRASE") {
			env = append(env, kv)
		}
	}
	return env
}

func lockCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "lock",
		Short: "end the unlock agent: passphrase vaults ask for the passphrase again",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := agent.Stop()
			switch {
			case errors.Is(err, agent.ErrNoAgent), errors.Is(err, agent.ErrNoRuntimeDir):
				fmt.Fprintln(cmd.OutOrStdout(), "locked (no unlock agent was running)")
				return nil
			case err != nil:
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "locked: the unlock agent forgot every key and ended")
			return nil
		},
	}
}

// agentCmd is the unlock agent itself, re-executed by 'vmfa unlock'.
func agentCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "__agent",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return agent.Run(os.Stdin, os.Stdout)
		},
	}
}
