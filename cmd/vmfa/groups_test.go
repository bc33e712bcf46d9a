package main

import (
	"strings"
	"testing"
)

// A subcommand a group does not have is an error, as at the root: one
// "vmfa:" line and exit 1, never the group's help with exit 0 (a script's
// typo must not pass for success).
func TestUnknownSubcommandOfAGroup(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"key", "bogus"}, `vmfa: unknown command "bogus" for "vmfa key"`},
		{[]string{"key", "creds", "ls"}, `vmfa: unknown command "ls" for "vmfa key creds"`},
		{[]string{"verifier", "lgoin"}, `vmfa: unknown command "lgoin" for "vmfa verifier"`},
		{[]string{"verifier", "totp", "enrol"}, `vmfa: unknown command "enrol" for "vmfa verifier totp"`},
		{[]string{"verifier", "tokens", "nope"}, `vmfa: unknown command "nope" for "vmfa verifier tokens"`},
		{[]string{"completion", "bogus"}, `vmfa: unknown command "bogus" for "vmfa completion"`},
		{[]string{"help", "bogus"}, `vmfa: unknown help topic "bogus"`},
		{[]string{"help", "key", "bogus"}, `vmfa: unknown help topic "key bogus"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := vmfa(t, nil, "", tc.args...)
			if r.code != 1 || !strings.HasPrefix(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Errorf("got exit %d, stdout %q, stderr %q; want exit 1 and one line starting %q", r.code, r.stdout, r.stderr, tc.want)
			}
		})
	}
	// The group alone still shows its help.
	if r := vmfa(t, nil, "", "verifier", "totp"); r.code != 0 || !strings.Contains(r.stdout, "enroll") {
		t.Errorf("vmfa verifier totp: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// A wrong number of arguments names the command and its usage.
func TestArgCountErrorsShowUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"code"}, "vmfa: code: accepts 1 arg(s), received 0 (usage: vmfa code QUERY"},
		{[]string{"rename", "a"}, "vmfa: rename: accepts 2 arg(s), received 1 (usage: vmfa rename "},
		{[]string{"scan"}, "vmfa: scan: requires at least 1 arg(s), only received 0 (usage: vmfa scan FILE..."},
		{[]string{"key", "creds", "rm"}, "vmfa: key creds rm: accepts 1 arg(s), received 0 (usage: vmfa key creds rm CREDENTIAL_ID"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := vmfa(t, nil, "", tc.args...)
			if r.code != 1 || !strings.HasPrefix(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("got exit %d, stderr %q; want exit 1 and one line starting %q", r.code, r.stderr, tc.want)
			}
		})
	}
}
