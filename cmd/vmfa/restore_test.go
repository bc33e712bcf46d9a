package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestRollbackAndRestoreCLI(t *testing.T) {
	env := vaultEnv(t)
	path := strings.TrimPrefix(env[0], "VMFA_VAULT=")
	if r := vmfa(t, env, rfcURI, "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if r := vmfa(t, env, "otpauth://totp/ACME:bob?secret=JBSWY3DPEHPK3PXP&issuer=ACME", "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	r := vmfa(t, env, "", "list")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: the vault file is older than the last version written (rolled back)") ||
		!strings.Contains(r.stderr, "vmfa restore "+path) || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("list of a rolled-back vault: %+v", r)
	}
	if r := vmfa(t, env, "", "restore"); r.code != 0 || !strings.Contains(r.stdout, "GENERATION") || !strings.Contains(r.stdout, "backups/vault.vmfa.") {
		t.Errorf("restore listing: %+v", r)
	}
	r = vmfa(t, env, "", "restore", "--json")
	var list []struct {
		Written    *string `json:"written"`
		Generation uint64  `json:"generation"`
		Path       string  `json:"path"`
		Damaged    bool    `json:"damaged"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); r.code != 0 || err != nil || len(list) == 0 ||
		!strings.Contains(list[0].Path, "backups/vault.vmfa.") || list[0].Written == nil || list[0].Damaged {
		t.Errorf("restore --json listing: %+v %v", r, err)
	}
	// No terminal to confirm on and no --yes: nothing happens.
	if r := vmfa(t, env, "", "restore", path); r.code != 1 || !strings.Contains(r.stderr, "not restored") {
		t.Errorf("unconfirmed restore: %+v", r)
	}
	if b, _ := os.ReadFile(path); string(b) != string(old) {
		t.Fatal("an unconfirmed restore changed the vault")
	}
	r = vmfa(t, env, "", "restore", "--yes", "--json", path)
	var done struct {
		From       string `json:"from"`
		Generation uint64 `json:"generation"`
		Accounts   int    `json:"accounts"`
		Previous   string `json:"previous"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &done); r.code != 0 || err != nil || done.Accounts != 1 || done.Generation != 3 || done.Previous == "" {
		t.Fatalf("restore --json: %+v %v", r, err)
	}
	if r := vmfa(t, env, "", "list"); r.code != 0 || !strings.Contains(r.stdout, "alice") || strings.Contains(r.stdout, "bob") {
		t.Errorf("list after restore: %+v", r)
	}
	if r := vmfa(t, env, "", "restore", "--yes", "/nonexistent/backup"); r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: ") {
		t.Errorf("restoring a missing file: %+v", r)
	}
}
