package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// strictGroups makes every command group below the root (vmfa key, vmfa
// verifier, vmfa verifier totp, …) refuse a subcommand it does not have
// with one error line and exit 1, as the root does. Without it cobra
// prints the group's help and exits 0, so a script with a typo ("vmfa
// verifier lgoin") would seem to succeed. A group run without arguments
// still prints its help.
func strictGroups(c *cobra.Command) {
	for _, sub := range c.Commands() {
		strictGroups(sub)
	}
	if !c.HasParent() || !c.HasSubCommands() || c.Run != nil || c.RunE != nil {
		return
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("unknown command %q for %q ('%s --help' lists its commands)", args[0], cmd.CommandPath(), cmd.CommandPath())
		}
		return cmd.Help()
	}
}
