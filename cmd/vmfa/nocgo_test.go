//go:build linux

package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	staticOnce sync.Once
	staticPath string
	staticErr  string
)

// staticBin builds vmfa with CGO_ENABLED=0 (the static build, without
// libfido2) next to vmfaBin, once.
func staticBin(t *testing.T) string {
	t.Helper()
	staticOnce.Do(func() {
		p := filepath.Join(filepath.Dir(vmfaBin), "vmfa-static")
		c := exec.Command("go", "build", "-o", p, ".")
		c.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := c.CombinedOutput(); err != nil {
			staticErr = err.Error() + "\n" + string(out)
			return
		}
		staticPath = p
	})
	if staticPath == "" {
		t.Fatalf("CGO_ENABLED=0 go build: %s", staticErr)
	}
	return staticPath
}

// TestStaticBuild: the build without C is a static executable with
// everything but security keys; every key command says so in one line.
func TestStaticBuild(t *testing.T) {
	bin := staticBin(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the CGO_ENABLED=0 build has a dynamic loader: not static")
		}
	}
	libs, _ := f.ImportedLibraries()
	f.Close()
	if len(libs) > 0 {
		t.Errorf("the CGO_ENABLED=0 build links %v", libs)
	}

	env := vaultEnv(t)
	run := func(stdin string, args ...string) result {
		t.Helper()
		saved := vmfaBin
		vmfaBin = bin
		defer func() { vmfaBin = saved }()
		return vmfa(t, env, stdin, args...)
	}
	const msg = "vmfa: this build has no libfido2: security keys need the standard build\n"
	for _, args := range [][]string{
		{"key", "list"},
		{"key", "info", "--virtual"},
		{"key", "register", "--virtual", "--rp", "example.com", "--user", "alice"},
		{"key", "pin", "--virtual", "--pin-stdin"},
	} {
		if r := run("1234\n", args...); r.code != 1 || r.stderr != msg || r.stdout != "" {
			t.Errorf("static vmfa %s: exit %d, stdout %q, stderr %q; want exit 1 and %q", strings.Join(args, " "), r.code, r.stdout, r.stderr, msg)
		}
	}
	// The rest works: the vault (in the keyring when the tests have one),
	// codes, the list.
	if r := run(rfcURI, "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("static vmfa add: %+v", r)
	}
	if r := run("", "code", "alice", "--at", "59"); r.code != 0 || r.stdout != "287082\n" {
		t.Errorf("static vmfa code: %+v, want 287082", r)
	}
	// And the standard build reads what the static one wrote.
	if r := vmfa(t, env, "", "code", "alice", "--at", "59"); r.code != 0 || r.stdout != "287082\n" {
		t.Errorf("standard vmfa code on the static build's vault: %+v", r)
	}
}

// TestTmuxStaticKeysScreen: the TUI of the static build opens the
// security keys screen (F) on that message and what to do, not on "no
// security key found".
func TestTmuxStaticKeysScreen(t *testing.T) {
	bin := staticBin(t)
	env := tuiVault(t)
	s := startTmux(t, 120, 30, env, bin)
	s.waitFor("ACME")
	s.keys("F")
	scr := s.waitFor("this build has no libfido2: security keys need the standard build", "Use the standard build of vmfa")
	if strings.Contains(scr, "No security key found") {
		t.Errorf("the keys screen of the static build says no key was found:\n%s", scr)
	}
}
