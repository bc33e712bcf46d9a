package vault

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestLockedKeyring opens a keyring vault after its keyring collection was
// locked. It runs in a child process with a keyring session of its own
// (scripts/with-keyring, nested), so locking cannot disturb the other tests.
func TestLockedKeyring(t *testing.T) {
	needSecretService(t)
	if os.Getenv("VMFA_LOCKED_CHILD") != "" {
		lockedChild(t)
		return
	}
	script, err := filepath.Abs("../scripts/with-keyring")
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(script, os.Args[0], "-test.run=^TestLockedKeyring$", "-test.v")
	env := []string{"VMFA_LOCKED_CHILD=1"}
	for _, kv := range os.Environ() {
		if len(kv) > 21 && kv[:21] == "VMFA_KEYRING_SESSION=" {
			continue // ask for a fresh private session
		}
		env = append(env, kv)
	}
	c.Env = env
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Logf("child:\n%s", out)
}

func lockedChild(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v, err := Open(Options{Path: path, Create: KeyringSource})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Add(testAccount(1)); err != nil {
		t.Fatal(err)
	}
	before := mustRead(t, path)
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0,
		[]dbus.ObjectPath{"/org/freedesktop/secrets/collection/login"}).Store(&locked, &prompt); err != nil {
		t.Fatalf("locking the collection: %v", err)
	}
	if len(locked) != 1 {
		t.Fatalf("collection not locked: %v %v", locked, prompt)
	}
	// With no display nobody can answer an unlock prompt: vmfa says the
	// keyring is locked without asking. With a display the prompt is
	// tried, and its failure is still reported as a locked keyring.
	for _, display := range []string{"", ":79"} {
		os.Setenv("DISPLAY", display)
		_, err = Open(Options{Path: path, KeyringTimeout: 3 * time.Second})
		if !errors.Is(err, ErrKeyringLocked) || !errors.Is(err, ErrKeyringUnavailable) {
			t.Fatalf("locked keyring, DISPLAY=%q: %v", display, err)
		}
		t.Logf("locked keyring, DISPLAY=%q, gives: %v", display, err)
	}
	if string(before) != string(mustRead(t, path)) {
		t.Error("vault changed")
	}
}
