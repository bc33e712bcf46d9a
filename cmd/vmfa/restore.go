package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/vault"
)

func init() {
	rootCmd.AddCommand(restoreCmd())
}

func restoreCmd() *cobra.Command {
	var yes, asJSON bool
	c := &cobra.Command{
		Use:   "restore [BACKUP] [--yes] [--json]",
		Short: "put a backup (or an older copy) of the vault back, on purpose",
		Long: `Without BACKUP, list the vault's encrypted backups, oldest first.

With BACKUP (a file from the list, or any older copy of this vault), replace
the vault with it. vmfa refuses to open a vault older than the last version
it wrote (a copied-back file would hand HOTP codes out twice and bring
deleted accounts back); restore is the explicit way back. The vault file
being replaced is kept as a backup first, the backup itself stays, and the
restored content becomes the newest version. Asks first unless --yes.

--json prints the list as [{"written", "generation", "path", "damaged"}]
and a restore as {"from", "from_generation", "generation", "accounts",
"previous"}.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := vaultPathOrDefault()
			if len(args) == 0 {
				return listBackups(cmd, path, asJSON)
			}
			from, err := vault.Inspect(args[0])
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if !from.Exists {
				return fmt.Errorf("no backup at %s", args[0])
			}
			cur, _ := vault.Inspect(path)
			q := fmt.Sprintf("replace the vault %s with %s (generation %d, written %s)?", path, args[0], from.Generation, when(from.Written))
			if cur.Exists {
				other := ""
				if cur.ID != "" && cur.ID != from.ID {
					other = " — a different vault"
				}
				q = fmt.Sprintf("replace the vault %s (generation %d, written %s) with %s (generation %d, written %s%s)? the current file is kept as a backup",
					path, cur.Generation, when(cur.Written), args[0], from.Generation, when(from.Written), other)
			}
			if !yes && !confirm(q) {
				return errors.New("not restored: confirm on the terminal or pass --yes")
			}
			v, res, err := vault.Restore(vaultOptions(cmd), args[0])
			if err != nil {
				return err
			}
			defer v.Close()
			n := len(v.Accounts())
			if asJSON {
				return printJSON(cmd.OutOrStdout(), restoreView{From: res.From, FromGeneration: res.FromGeneration,
					Generation: res.Generation, Accounts: n, Previous: res.Previous})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %s (%d account%s) as generation %d\n", res.From, n, map[bool]string{true: "", false: "s"}[n == 1], res.Generation)
			if res.Previous != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "the replaced vault is kept in %s\n", res.Previous)
			}
			return nil
		},
	}
	c.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func when(t time.Time) string {
	if t.IsZero() {
		return "at an unknown time"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// backupView is one backup of `restore --json`.
type backupView struct {
	Written    *time.Time `json:"written"` // null when unknown or damaged
	Generation uint64     `json:"generation"`
	Path       string     `json:"path"`
	Damaged    bool       `json:"damaged"`
}

// restoreView is what `restore BACKUP --json` did.
type restoreView struct {
	From           string `json:"from"`
	FromGeneration uint64 `json:"from_generation"`
	Generation     uint64 `json:"generation"`
	Accounts       int    `json:"accounts"`
	Previous       string `json:"previous,omitempty"`
}

func listBackups(cmd *cobra.Command, path string, asJSON bool) error {
	bs, err := vault.Backups(path)
	if err != nil {
		return fmt.Errorf("cannot list the backups: %w", err)
	}
	if asJSON {
		views := []backupView{}
		for _, b := range bs {
			bv := backupView{Path: filepath.Join(vault.BackupDir(path), filepath.Base(b))}
			if info, err := vault.Inspect(b); err != nil {
				bv.Damaged = true
			} else {
				bv.Generation = info.Generation
				if !info.Written.IsZero() {
					w := info.Written.UTC()
					bv.Written = &w
				}
			}
			views = append(views, bv)
		}
		return printJSON(cmd.OutOrStdout(), views)
	}
	if len(bs) == 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "no backups in %s\n", vault.BackupDir(path))
		return nil
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "WRITTEN\tGENERATION\tBACKUP")
	for _, b := range bs {
		info, err := vault.Inspect(b)
		if err != nil {
			fmt.Fprintf(w, "?\t?\t%s (damaged)\n", b)
			continue
		}
		fmt.Fprintf(w, "%s\t%d\t%s\n", when(info.Written), info.Generation, filepath.Join(vault.BackupDir(path), filepath.Base(b)))
	}
	return w.Flush()
}
