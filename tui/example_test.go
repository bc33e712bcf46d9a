package tui_test

import (
	"fmt"
	"os"
	"time"

	"github.com/vmfa/vmfa/tui"
	"github.com/vmfa/vmfa/vault"
)

// Run the authenticator screen on the default vault, created in the OS
// keyring on first use, with the device clock 45 seconds fast and the
// clipboard cleared 30 seconds after each copy. With Passphrase left nil
// the TUI asks for a vault passphrase on its own screen.
func ExampleRun() {
	cfg := tui.Config{
		Open:           tui.OpenVault(vault.Options{Create: vault.Auto}),
		TimeOffset:     45 * time.Second,
		ClearClipboard: 30 * time.Second,
	}
	if err := tui.Run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "vmfa:", err)
		os.Exit(1)
	}
}
