package main

import (
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/cobra"
)

var prepareOnce sync.Once

// prepareCommands applies strictGroups and usageOnArgErrors to the
// command tree, once.
func prepareCommands(root *cobra.Command) {
	prepareOnce.Do(func() {
		// cobra adds help and completion only when it executes; made now,
		// they get the same strictness as the other commands.
		root.InitDefaultHelpCmd()
		root.InitDefaultCompletionCmd()
		strictHelp(root)
		strictGroups(root)
		usageOnArgErrors(root)
	})
}

// strictHelp makes "vmfa help TOPIC" for a topic that does not exist an
// error (exit 1), not the root's help with exit 0.
func strictHelp(root *cobra.Command) {
	for _, h := range root.Commands() {
		if h.Name() != "help" || h.Run == nil {
			continue
		}
		show := h.Run
		h.Run = nil
		h.RunE = func(c *cobra.Command, args []string) error {
			if cmd, rest, err := c.Root().Find(args); err != nil || cmd == nil || len(rest) > 0 {
				return fmt.Errorf("unknown help topic %q ('%s help' lists the commands)", strings.Join(args, " "), c.Root().Name())
			}
			show(c, args)
			return nil
		}
	}
}

// usageOnArgErrors names the command and its usage in cobra's argument
// count errors: "code: accepts 1 arg(s), received 0 (usage: vmfa code
// QUERY [flags])" instead of a bare "accepts 1 arg(s), received 0" that
// does not say which command or what it wants.
func usageOnArgErrors(c *cobra.Command) {
	for _, sub := range c.Commands() {
		usageOnArgErrors(sub)
	}
	check := c.Args
	if check == nil || !c.HasParent() {
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		err := check(cmd, args)
		if err != nil && strings.Contains(err.Error(), " arg(s)") {
			return fmt.Errorf("%s: %w (usage: %s)", strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" "), err, cmd.UseLine())
		}
		return err
	}
}

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
