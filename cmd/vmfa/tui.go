package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/tui"
	"github.com/vmfa/vmfa/vault"
)

// tuiConfig is what `vmfa` with no arguments runs the terminal UI with:
// the vault (created in the keyring on first use; with no keyring the
// error screen offers a passphrase vault instead), --time-offset,
// $VMFA_CLIPBOARD_CLEAR (clear the clipboard this long after a copy, e.g.
// 30s; off by default), $VMFA_TUI_LOG (debug log file), and for the
// security keys screen (key F) $VMFA_KEY_RP and $VMFA_KEY_USER (the
// relying party and user it binds keys for; default localhost and $USER). A passphrase
// comes from VMFA_PASSPHRASE_FILE / VMFA_PASSPHRASE when set, else from
// the TUI's own prompt screen (never a prompt underneath the UI).
func tuiConfig(cmd *cobra.Command) (tui.Config, error) {
	opts := vaultOptions(cmd)
	opts.Create = vault.Auto
	_, envPass := os.LookupEnv("VMFA_PASSPHRASE")
	if os.Getenv("VMFA_PASSPHRASE_FILE") == "" && !envPass {
		opts.Passphrase = nil
	}
	var clear time.Duration
	if s := os.Getenv("VMFA_CLIPBOARD_CLEAR"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return tui.Config{}, fmt.Errorf("the VMFA_CLIPBOARD_CLEAR value %q is not a duration like 30s", s)
		}
		clear = d
	}
	popts := opts
	popts.Create = vault.PassphraseSource
	return tui.Config{
		Open:                 tui.OpenVault(opts),
		CreateWithPassphrase: tui.OpenVault(popts),
		VaultPath:            opts.Path,
		TimeOffset:           globals.timeOffset,
		ClearClipboard:       clear,
		LogFile:              os.Getenv("VMFA_TUI_LOG"),
		SecurityKeys:         tuiKeyService,
	}, nil
}

// startTUI runs the terminal UI; runTUI (vmfa with no arguments) calls it.
func startTUI(cmd *cobra.Command) error {
	cfg, err := tuiConfig(cmd)
	if err != nil {
		return err
	}
	return tui.Run(cfg)
}
