package envsecret

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestSecretsAreUnsetOnceRead(t *testing.T) {
	for _, n := range Names {
		t.Setenv(n, "s3cret-"+n)
	}
	t.Setenv("VMFA_OTHER", "kept")
	Capture()
	for _, n := range Names {
		if _, ok := os.LookupEnv(n); ok {
			t.Errorf("%s is still in the environment", n)
		}
		if v, ok := Lookup(n); !ok || v != "s3cret-"+n {
			t.Errorf("Lookup(%s) = %q, %v after Capture", n, v, ok)
		}
	}
	// A child process started afterwards does not inherit them.
	out, err := exec.Command("env").Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cret-") {
		t.Errorf("a child inherited a secret:\n%s", out)
	}
	if !strings.Contains(string(out), "VMFA_OTHER=kept") {
		t.Error("other variables were removed too")
	}
	if _, ok := Lookup("VMFA_NEVER_SET"); ok {
		t.Error("an unset variable was found")
	}
}
