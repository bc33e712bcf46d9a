package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/internal/clipboard"
	"github.com/vmfa/vmfa/internal/envsecret"
	"github.com/vmfa/vmfa/tui"
	"github.com/vmfa/vmfa/vault"
)

// tuiConfig is what `vmfa` with no arguments runs the terminal UI with:
// the vault (created in the keyring on first use; with no keyring the
// error screen offers a passphrase vault instead), --time-offset,
// $VMFA_CLIPBOARD_CLEAR (clear the clipboard this long after a copy if it
// still holds the code: 30s by default, 0 = never), $VMFA_TUI_LOG (event
// log file, never secrets), and for the
// security keys screen (key F) $VMFA_KEY_RP and $VMFA_KEY_USER (the
// relying party and user it binds keys for; default localhost and $USER). A passphrase
// comes from VMFA_PASSPHRASE_FILE / VMFA_PASSPHRASE when set, else from
// the TUI's own prompt screen (never a prompt underneath the UI).
func tuiConfig(cmd *cobra.Command) (tui.Config, error) {
	opts := vaultOptions(cmd)
	opts.Create = vault.Auto
	_, envPass := envsecret.Lookup("VMFA_PASSPHRASE")
	if os.Getenv("VMFA_PASSPHRASE_FILE") == "" && !envPass {
		opts.Passphrase = nil
	}
	clear, err := clipboardClear(os.Getenv("VMFA_CLIPBOARD_CLEAR"))
	if err != nil {
		return tui.Config{}, err
	}
	popts := opts
	popts.Create = vault.PassphraseSource
	return tui.Config{
		Open:                 tui.OpenVault(opts),
		CreateWithPassphrase: tui.OpenVault(popts),
		Restore:              tui.RestoreVault(opts),
		VaultPath:            opts.Path,
		TimeOffset:           globals.timeOffset,
		ClearClipboard:       clear,
		ClearLater:           clearLater,
		LogFile:              os.Getenv("VMFA_TUI_LOG"),
		SecurityKeys:         tuiKeyService,
		Decoders: tui.Decoders{
			// The QR screen's ctrl+v and ctrl+s: add --clipboard and
			// --screen.
			ScanClipboard: imageSource{clipboard: true}.accounts,
			ScanScreen:    imageSource{screen: true}.accounts,
		},
	}, nil
}

// DefaultClipboardClear is how long a copied code stays on the clipboard.
const DefaultClipboardClear = 30 * time.Second

// clipboardClear reads $VMFA_CLIPBOARD_CLEAR: a duration (30s, 1m), a
// number of seconds, or 0 for never; unset is DefaultClipboardClear.
func clipboardClear(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultClipboardClear, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("the VMFA_CLIPBOARD_CLEAR value %q is not a duration like 30s (0 = never clear)", s)
	}
	return d, nil
}

func init() { rootCmd.AddCommand(clipboardClearCmd()) }

// clearLater hands a clipboard clear that is not due yet (the TUI quit
// first) to `vmfa clipboard-clear` in the background: the code goes on
// its stdin, the terminal stays its stdout (for the OSC 52 clear).
func clearLater(text string, copied clipboard.Result, at time.Time) {
	enc, err := clipboard.EncodePending(text, copied, at)
	if err != nil {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	c := exec.Command(exe, "clipboard-clear")
	c.Stdout = os.Stdout
	detachFromTerminal(c) // not stopped by the shell's ctrl+c
	in, err := c.StdinPipe()
	if err != nil {
		return
	}
	if err := c.Start(); err != nil {
		return
	}
	_, _ = in.Write(enc)
	in.Close()
	_ = c.Process.Release()
}

// clipboardClearCmd is the background half of clearLater; it is not
// meant to be run by hand.
func clipboardClearCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "clipboard-clear",
		Short:  "clear a copied code from the clipboard when due (used by the terminal UI)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			enc, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<16))
			if err != nil {
				return err
			}
			_, err = clipboard.New().ClearPending(enc, cmd.OutOrStdout(), time.Sleep)
			return err
		},
	}
}

// startTUI runs the terminal UI; runTUI (vmfa with no arguments) calls it.
func startTUI(cmd *cobra.Command) error {
	cfg, err := tuiConfig(cmd)
	if err != nil {
		return err
	}
	return tui.Run(cfg)
}
