package procsec

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestHarden(t *testing.T) {
	if os.Getenv("VMFA_PROCSEC_CHILD") != "" {
		if err := Harden(); err != nil {
			t.Fatal(err)
		}
		d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
		if err != nil || d != 0 {
			t.Fatalf("dumpable %d %v", d, err)
		}
		var r unix.Rlimit
		if err := unix.Getrlimit(unix.RLIMIT_CORE, &r); err != nil || r.Cur != 0 || r.Max != 0 {
			t.Fatalf("core limit %+v %v", r, err)
		}
		return
	}
	// In a child: the test process itself must stay debuggable.
	c := exec.Command(os.Args[0], "-test.run=^TestHarden$", "-test.v")
	c.Env = append(os.Environ(), "VMFA_PROCSEC_CHILD=1")
	out, err := c.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
