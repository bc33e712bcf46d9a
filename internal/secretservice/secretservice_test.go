//go:build linux || freebsd || openbsd || netbsd || dragonfly

package secretservice

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// realKeyring skips unless a private Secret Service is running (make test
// starts one through scripts/with-keyring).
func realKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("VMFA_TEST_SECRET_SERVICE") == "" {
		t.Skip("no private Secret Service (run under scripts/with-keyring)")
	}
}

// TestLookupMatchesGoKeyring: every item go-keyring writes, Lookup reads
// back byte for byte, the way go-keyring's own Get does, several at once;
// a user with no item is absent, and other services' items are not read.
//
// It runs in a child process with a keyring session of its own
// (scripts/with-keyring, nested), so that its D-Bus traffic never meets
// the other packages' tests in the shared throwaway daemon.
func TestLookupMatchesGoKeyring(t *testing.T) {
	realKeyring(t)
	if os.Getenv("VMFA_SECRETSERVICE_CHILD") == "" {
		script, err := filepath.Abs("../../scripts/with-keyring")
		if err != nil {
			t.Fatal(err)
		}
		c := exec.Command(script, os.Args[0], "-test.run=^TestLookupMatchesGoKeyring$", "-test.v")
		env := []string{"VMFA_SECRETSERVICE_CHILD=1"}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "VMFA_KEYRING_SESSION=") {
				env = append(env, kv)
			}
		}
		c.Env = env
		out, err := c.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestLookupMatchesGoKeyring") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	service := fmt.Sprintf("vmfa-secretservice-test-%d", os.Getpid())
	items := map[string]string{
		"vault-0123456789abcdef":      "c2VjcmV0IGtleSBieXRlcyAzMiBsb25nIC4uLi4uLi4=",
		"generation-0123456789abcdef": "42",
		"utf8":                        "pässwörd ✓",
		"empty":                       "",
	}
	for u, p := range items {
		if err := keyring.Set(service, u, p); err != nil {
			t.Fatalf("go-keyring set: %v", err)
		}
		t.Cleanup(func() { keyring.Delete(service, u) })
	}
	// The same user under another service must not be what comes back.
	if err := keyring.Set(service+"-other", "utf8", "not this one"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keyring.Delete(service+"-other", "utf8") })

	users := []string{"vault-0123456789abcdef", "generation-0123456789abcdef", "utf8", "empty", "missing"}
	got, err := Lookup(service, users...)
	if err != nil {
		t.Fatalf("Lookup: %v", err)
	}
	for _, u := range users {
		want, gerr := keyring.Get(service, u)
		v, ok := got[u]
		switch {
		case errors.Is(gerr, keyring.ErrNotFound):
			if ok {
				t.Errorf("%s: go-keyring has no item, Lookup returned %q", u, v)
			}
		case gerr != nil:
			t.Fatalf("go-keyring get %s: %v", u, gerr)
		case !ok || string(v) != want:
			t.Errorf("%s: Lookup %q (found %v), go-keyring %q", u, v, ok, want)
		}
	}
	// One user at a time gives the same.
	one, err := Lookup(service, "utf8")
	if err != nil || string(one["utf8"]) != items["utf8"] {
		t.Errorf("single Lookup: %q, %v", one["utf8"], err)
	}
}

// TestCollectLocked: an item found by the search whose secret the Secret
// Service leaves out of GetSecrets (it is locked) is ErrLocked, never
// "no such item", so the caller unlocks through go-keyring instead of
// reporting a missing key.
func TestCollectLocked(t *testing.T) {
	items := []dbus.ObjectPath{"/a", "", "/c"}
	_, err := collect([]string{"a", "b", "c"}, items, map[dbus.ObjectPath]secret{"/a": {Value: []byte("x")}})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("secret left out: %v, want ErrLocked", err)
	}
	got, err := collect([]string{"a", "b", "c"}, items, map[dbus.ObjectPath]secret{"/a": {Value: []byte("x")}, "/c": {Value: []byte("z")}})
	if err != nil || string(got["a"]) != "x" || string(got["c"]) != "z" || got["b"] != nil {
		t.Errorf("collect: %q, %v", got, err)
	}
}
