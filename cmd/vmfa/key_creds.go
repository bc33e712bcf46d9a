package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/internal/webauthn"
)

func keyCredsCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "creds",
		Short: "list or delete the resident credentials (passkeys) on a key",
		Long: `creds lists and deletes the discoverable (resident) credentials — passkeys —
stored on a FIDO2 key, through CTAP 2.1 credential management, on USB keys
and on the virtual key alike. Test enrollments fill a key up (a YubiKey
holds 25 to 100; the virtual key 50): delete the ones you no longer need.
Credential management needs the key's PIN (asked, or --pin-stdin).`,
	}
	c.AddCommand(keyCredsListCmd(), keyCredsRmCmd())
	return c
}

func keyCredsListCmd() *cobra.Command {
	var f keyFlags
	var rpID string
	var asJSON bool
	c := &cobra.Command{
		Use:   "list [--rp ID]",
		Short: "list the resident credentials on a key",
		Example: `  vmfa key creds list --virtual --pin-stdin <<< "$PIN"
  vmfa key creds list --rp example.com --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var res *hwkey.ResidentCredentials
			err := withKey(cmd, &f, true, func(ctx context.Context, path, pin string) error {
				var err error
				res, err = hwkey.ListResidentCredentials(ctx, path, pin, rpID)
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), credsView(res))
			}
			w := cmd.OutOrStdout()
			for _, c := range res.Credentials {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.RPID, orDash(c.UserName), orDash(c.DisplayName), webauthn.B64(c.ID))
			}
			where := ""
			if rpID != "" {
				where = " for " + rpID
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d resident credential%s%s; the key holds %d and has room for %d more\n",
				len(res.Credentials), plural(len(res.Credentials)), where, res.Existing, res.Remaining)
			return nil
		},
	}
	f.add(c.Flags(), true)
	c.Flags().StringVar(&rpID, "rp", "", "only this relying party's credentials")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// credView is the printed form of a resident credential: IDs base64url,
// as WebAuthn servers show them.
type credView struct {
	RPID        string `json:"rp_id"`
	RPName      string `json:"rp_name,omitempty"`
	ID          string `json:"credential_id"`
	UserHandle  string `json:"user_handle"`
	UserName    string `json:"user_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
}

type credsListView struct {
	Credentials []credView `json:"credentials"`
	Existing    int        `json:"existing"`
	Remaining   int        `json:"remaining"`
}

func credsView(res *hwkey.ResidentCredentials) credsListView {
	v := credsListView{Credentials: []credView{}, Existing: res.Existing, Remaining: res.Remaining}
	for _, c := range res.Credentials {
		v.Credentials = append(v.Credentials, credView{
			RPID: c.RPID, RPName: c.RPName, ID: webauthn.B64(c.ID), UserHandle: webauthn.B64(c.UserID),
			UserName: c.UserName, DisplayName: c.DisplayName,
		})
	}
	return v
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func keyCredsRmCmd() *cobra.Command {
	var f keyFlags
	var yes bool
	c := &cobra.Command{
		Use:   "rm CREDENTIAL_ID [--yes]",
		Short: "delete a resident credential from a key",
		Long: `rm deletes one resident credential (by its base64url ID, as 'vmfa key creds
list' and registration print it) from the key: the site it was registered
with no longer accepts it. It asks first on the terminal, unless --yes is given.`,
		Example: `  vmfa key creds rm --virtual "$CREDENTIAL_ID" --yes --pin-stdin <<< "$PIN"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := webauthn.DecodeB64(args[0])
			if err != nil || len(id) == 0 || len(id) > webauthn.MaxCredentialID {
				return fmt.Errorf("%q is not a credential id: give the base64url id 'vmfa key creds list' prints", webauthn.Clip(args[0]))
			}
			if !yes {
				question := fmt.Sprintf("delete resident credential %s? the site it was registered with will no longer accept it", webauthn.Clip(args[0]))
				t, err := tty()
				if err != nil {
					return errors.New("deleting a resident credential cannot be undone: pass --yes to confirm")
				}
				t.Close()
				if !confirm(question) {
					return errors.New("not deleted: nothing changed")
				}
			}
			err = withKey(cmd, &f, true, func(ctx context.Context, path, pin string) error {
				return hwkey.DeleteResidentCredential(ctx, path, pin, id)
			})
			if errors.Is(err, hwkey.ErrNoCredentials) {
				return fmt.Errorf("the key holds no resident credential %s (see '%s')", webauthn.Clip(args[0]), f.command("creds list"))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted resident credential %s\n", webauthn.B64(id))
			return nil
		},
	}
	f.add(c.Flags(), true)
	c.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return c
}

// accountChooser picks among the accounts a key offers for a discoverable
// login: the one --user-handle or --account names, else the one the user
// types on the terminal, else an error listing them.
func accountChooser(cmd *cobra.Command, rpID, userHandle, account string) func([]hwkey.Account) (int, error) {
	return func(accounts []hwkey.Account) (int, error) {
		if userHandle != "" || account != "" {
			want, _ := webauthn.DecodeB64(userHandle)
			for i, a := range accounts {
				if userHandle != "" && bytes.Equal(a.UserHandle, want) || account != "" && (a.Name == account || a.DisplayName == account) {
					return i, nil
				}
			}
			what := "user handle " + userHandle
			if account != "" {
				what = "account " + account
				if accounts[0].Name == "" {
					what += " (names are only shown after the key's pin: pass --pin-stdin, or choose by --user-handle)"
				}
			}
			return 0, fmt.Errorf("the key has no %s at %s; it has %s", what, rpID, listAccounts(accounts))
		}
		if len(accounts) == 1 {
			return 0, nil
		}
		t, err := tty()
		if err != nil {
			return 0, fmt.Errorf("the key has %d accounts at %s: %s; choose one with --account NAME or --user-handle B64URL", len(accounts), rpID, listAccounts(accounts))
		}
		defer t.Close()
		fmt.Fprintf(t, "the key has %d accounts at %s:\n", len(accounts), rpID)
		for i, a := range accounts {
			fmt.Fprintf(t, "  %d) %s\n", i+1, accountLabel(a))
		}
		fmt.Fprintf(t, "sign in as [1-%d]: ", len(accounts))
		line, _ := bufio.NewReader(t).ReadString('\n')
		n, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil || n < 1 || n > len(accounts) {
			return 0, errors.New("no account chosen: nothing signed")
		}
		return n - 1, nil
	}
}

func accountLabel(a hwkey.Account) string {
	h := "user handle " + webauthn.B64(a.UserHandle)
	switch {
	case a.Name != "" && a.DisplayName != "" && a.DisplayName != a.Name:
		return fmt.Sprintf("%s (%s, %s)", a.Name, a.DisplayName, h)
	case a.Name != "":
		return fmt.Sprintf("%s (%s)", a.Name, h)
	}
	return h
}

func listAccounts(accounts []hwkey.Account) string {
	labels := make([]string, len(accounts))
	for i, a := range accounts {
		labels[i] = accountLabel(a)
	}
	return strings.Join(labels, "; ")
}
