package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/tui"
	"github.com/vmfa/vmfa/vault"
)

// tuiConfig is what `vmfa` with no arguments runs the terminal UI with:
// the vault (created in the keyring on first use), --time-offset, and
// $VMFA_TUI_LOG for debug logs. A passphrase comes from
// VMFA_PASSPHRASE_FILE / VMFA_PASSPHRASE when set, else from the TUI's
// own prompt screen (never a prompt underneath the UI).
func tuiConfig(cmd *cobra.Command) tui.Config {
	opts := vaultOptions(cmd)
	opts.Create = vault.Auto
	_, envPass := os.LookupEnv("VMFA_PASSPHRASE")
	if os.Getenv("VMFA_PASSPHRASE_FILE") == "" && !envPass {
		opts.Passphrase = nil
	}
	return tui.Config{
		Open:       tui.OpenVault(opts),
		TimeOffset: globals.timeOffset,
		LogFile:    os.Getenv("VMFA_TUI_LOG"),
	}
}

// startTUI runs the terminal UI; runTUI (vmfa with no arguments) calls it.
func startTUI(cmd *cobra.Command) error { return tui.Run(tuiConfig(cmd)) }
