package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmfa/vmfa/internal/agent"
	"github.com/vmfa/vmfa/scanner"
	"github.com/vmfa/vmfa/vault"
)

// envWithout is this process's environment without the named variables,
// plus extra.
func envWithout(drop []string, extra ...string) []string {
	var out []string
next:
	for _, kv := range os.Environ() {
		for _, d := range drop {
			if strings.HasPrefix(kv, d+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return append(out, extra...)
}

// vmfaExact runs the binary with exactly env.
func vmfaExact(t testing.TB, env []string, stdin []byte, args ...string) result {
	t.Helper()
	return vmfaAs(t, nil, env, stdin, args...)
}

// vmfaAs runs the binary, prefixed by prefix (e.g. setpriv ...), with
// exactly env.
func vmfaAs(t testing.TB, prefix []string, env []string, stdin []byte, args ...string) result {
	t.Helper()
	argv := append(append(append([]string(nil), prefix...), vmfaBin), args...)
	c := exec.Command(argv[0], argv[1:]...)
	c.Env = env
	c.Stdin = bytes.NewReader(stdin)
	return runCmd(t, c)
}

const (
	aliceURI  = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME"
	alice2URI = "otpauth://totp/ACME:alice2?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ACME"
	bobURI    = "otpauth://hotp/Globex:bob?secret=KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TF&issuer=Globex&counter=5"
)

func TestQueryForms(t *testing.T) {
	env := vaultEnv(t)
	if r := vmfa(t, env, aliceURI+"\n"+alice2URI+"\n", "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	r := vmfa(t, env, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "add", "--issuer", "Token", "--account", "hw1", "--secret-stdin", "--serial", "1234567")
	if r.code != 0 {
		t.Fatalf("add token: %+v", r)
	}
	// ACME:alice is an exact match and wins over alice2, whichever form.
	for _, q := range []string{"ACME:alice", "ACME: alice", "ACME alice", "acme  ALICE", "alice", "1234567"} {
		r := vmfa(t, env, "", "code", q, "--at", "59")
		if r.code != 0 || r.stdout != "287082\n" {
			t.Errorf("code %q: %+v", q, r)
		}
	}
	r = vmfa(t, env, "", "code", "ali", "--at", "59")
	if r.code != 1 || !strings.Contains(r.stderr, "more than one account matches") {
		t.Errorf("ambiguous: %+v", r)
	}
	r = vmfa(t, env, "", "code", "ACME alcie")
	if r.code != 1 || r.stderr != "vmfa: no matching account: \"ACME alcie\"; did you mean ACME: alice?\n" {
		t.Errorf("typo: %+v", r)
	}
	r = vmfa(t, env, "", "code", "nothing like it")
	if r.code != 1 || strings.Contains(r.stderr, "did you mean") {
		t.Errorf("no match: %+v", r)
	}
}

func TestRekeyBothWaysCLI(t *testing.T) {
	needSecretService(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.vmfa")
	pass := []string{"VMFA_VAULT=" + path, "VMFA_PASSPHRASE=old one"}
	if r := vmfa(t, pass, "", "init", "--passphrase"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	if r := vmfa(t, pass, aliceURI+"\n"+alice2URI+"\n"+bobURI+"\n", "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	codes := func(env []string) string {
		t.Helper()
		var out []string
		for _, q := range []string{"ACME:alice", "ACME:alice2"} {
			r := vmfa(t, env, "", "code", q, "--at", "59")
			if r.code != 0 {
				t.Fatalf("code %s: %+v", q, r)
			}
			out = append(out, r.stdout)
		}
		r := vmfa(t, env, "", "list", "--json")
		if r.code != 0 || strings.Count(r.stdout, `"id"`) != 3 || !strings.Contains(r.stdout, `"counter": 5`) {
			t.Fatalf("list: %+v", r)
		}
		return strings.Join(out, "")
	}
	want := codes(pass)

	// To the keyring: afterwards no passphrase is needed or accepted.
	r := vmfa(t, pass, "", "vault", "rekey", "--to", "keyring")
	if r.code != 0 || !strings.Contains(r.stdout, "from the passphrase to the keyring, 3 accounts kept") {
		t.Fatalf("rekey to keyring: %+v", r)
	}
	keyring := []string{"VMFA_VAULT=" + path}
	if got := codes(keyring); got != want {
		t.Fatalf("codes after rekey to keyring: %q, want %q", got, want)
	}
	if info, _ := vault.Inspect(path); info.Source != vault.KeyringSource {
		t.Fatalf("source %s", info.Source)
	}
	if r := vmfa(t, keyring, "", "vault", "rekey", "--to", "keyring"); r.code != 1 || !strings.Contains(r.stderr, "already uses this key source") {
		t.Errorf("keyring to keyring: %+v", r)
	}
	if r := vmfa(t, keyring, "", "vault", "passwd"); r.code != 1 || !strings.Contains(r.stderr, "rekey --to passphrase") {
		t.Errorf("passwd of a keyring vault: %+v", r)
	}

	// Back to a passphrase.
	r = vmfa(t, append(keyring, "VMFA_NEW_PASSPHRASE=new one"), "", "vault", "rekey", "--to", "passphrase")
	if r.code != 0 || !strings.Contains(r.stdout, "3 accounts kept") {
		t.Fatalf("rekey to passphrase: %+v", r)
	}
	if got := codes([]string{"VMFA_VAULT=" + path, "VMFA_PASSPHRASE=new one"}); got != want {
		t.Fatalf("codes after rekey to passphrase: %q", got)
	}
	r = vmfa(t, []string{"VMFA_VAULT=" + path, "VMFA_PASSPHRASE=old one"}, "", "list")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: wrong passphrase") {
		t.Errorf("old passphrase: %+v", r)
	}

	// passwd, with the new passphrase from a file; every backup still
	// opens with the key it was made with.
	nf := filepath.Join(dir, "newpass")
	os.WriteFile(nf, []byte("third one\n"), 0o600)
	r = vmfa(t, []string{"VMFA_VAULT=" + path, "VMFA_PASSPHRASE=new one", "VMFA_NEW_PASSPHRASE_FILE=" + nf}, "", "vault", "passwd")
	if r.code != 0 || !strings.Contains(r.stdout, "passphrase changed") {
		t.Fatalf("passwd: %+v", r)
	}
	if got := codes([]string{"VMFA_VAULT=" + path, "VMFA_PASSPHRASE=third one"}); got != want {
		t.Fatalf("codes after passwd: %q", got)
	}
	// The oldest backup, made before the first rekey, still opens with the
	// old passphrase: restoring it on purpose brings the old key back.
	bs, _ := vault.Backups(path)
	if len(bs) < 3 {
		t.Fatalf("%d backups", len(bs))
	}
	old := []string{"VMFA_VAULT=" + path, "VMFA_PASSPHRASE=old one"}
	if r := vmfa(t, old, "", "restore", bs[1], "--yes"); r.code != 0 { // bs[0]: the empty vault before add
		t.Fatalf("restore the pre-rekey backup: %+v", r)
	}
	if got := codes(old); got != want {
		t.Fatalf("codes after restoring the pre-rekey backup: %q", got)
	}
}

// TestSessionBusFromRuntimeDir: an SSH login has no DBUS_SESSION_BUS_ADDRESS
// but the desktop session's bus is at $XDG_RUNTIME_DIR/bus; vmfa finds the
// keyring there.
func TestSessionBusFromRuntimeDir(t *testing.T) {
	needSecretService(t)
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	sock, ok := strings.CutPrefix(strings.Split(addr, ",")[0], "unix:path=")
	if !ok {
		t.Skipf("the private bus is not a socket path: %s", addr)
	}
	env := vaultEnv(t)
	if r := vmfa(t, env, aliceURI, "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	run := t.TempDir()
	ssh := envWithout([]string{"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY"}, append(env, "XDG_RUNTIME_DIR="+run)...)
	// No bus anywhere: exit 2 with what to do, and no bus autolaunched.
	r := vmfaExact(t, ssh, nil, "code", "alice", "--at", "59")
	if r.code != 2 || !strings.Contains(r.stderr, "no D-Bus session bus") || !strings.Contains(r.stderr, "vault rekey --to passphrase") {
		t.Errorf("without a bus: %+v", r)
	}
	if err := os.Symlink(sock, filepath.Join(run, "bus")); err != nil {
		t.Fatal(err)
	}
	r = vmfaExact(t, ssh, nil, "code", "alice", "--at", "59")
	if r.code != 0 || r.stdout != "287082\n" {
		t.Errorf("with $XDG_RUNTIME_DIR/bus: %+v", r)
	}
}

// agentEnvFor is an environment with its own runtime directory, so that
// the agent of one test is invisible to the others.
func agentEnvFor(t *testing.T, path string) []string {
	run := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	env := envWithout([]string{"XDG_RUNTIME_DIR", "VMFA_PASSPHRASE", "VMFA_PASSPHRASE_FILE", "VMFA_VAULT"},
		"XDG_RUNTIME_DIR="+run, "VMFA_VAULT="+path)
	t.Cleanup(func() { vmfaExact(t, env, nil, "lock") })
	return env
}

func waitGone(t *testing.T, p string) {
	t.Helper()
	for i := 0; i < 600; i++ {
		if _, err := os.Stat(p); os.IsNotExist(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s is still there after a minute", p)
}

func TestUnlockAgent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	env := agentEnvFor(t, path)
	withPass := append(env[:len(env):len(env)], "VMFA_PASSPHRASE=agent pass")
	if r := vmfaExact(t, withPass, nil, "init", "--passphrase"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	if r := vmfaExact(t, withPass, []byte(aliceURI), "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	// Locked: no terminal, no passphrase, no agent: exit 2, pointing at unlock.
	r := vmfaExact(t, env, nil, "code", "alice", "--at", "59")
	if r.code != 2 || !strings.Contains(r.stderr, "'vmfa unlock'") {
		t.Fatalf("before unlock: %+v", r)
	}
	if r := vmfaExact(t, withPass, nil, "unlock", "--for", "0s"); r.code != 1 || !strings.Contains(r.stderr, "between 1s and 24h0m0s") {
		t.Errorf("--for 0s: %+v", r)
	}
	r = vmfaExact(t, withPass, nil, "unlock", "--for", "4s")
	if r.code != 0 || !strings.Contains(r.stdout, "unlocked "+path) {
		t.Fatalf("unlock: %+v", r)
	}
	sock := filepath.Join(strings.TrimPrefix(env[len(env)-2], "XDG_RUNTIME_DIR="), "vmfa", "agent.sock")
	for p, want := range map[string]os.FileMode{sock: 0o600, filepath.Dir(sock): 0o700} {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want mode %o", p, st.Mode(), err, want)
		}
	}
	// The agent's environment and argv carry no passphrase.
	pid := agentPID(t, env)
	for _, f := range []string{"environ", "cmdline"} {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, f)); err == nil && bytes.Contains(b, []byte("agent pass")) {
			t.Errorf("the agent's %s holds the passphrase", f)
		}
	}
	// While unlocked, no passphrase is needed.
	r = vmfaExact(t, env, nil, "code", "alice", "--at", "59")
	if r.code != 0 || r.stdout != "287082\n" {
		t.Fatalf("with the agent: %+v", r)
	}
	// Expiry: the agent forgets the key and ends by itself.
	waitGone(t, sock)
	for i := 0; running(pid); i++ {
		if i == 100 {
			t.Fatalf("agent pid %d still runs after its key expired", pid)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r := vmfaExact(t, env, nil, "code", "alice", "--at", "59"); r.code != 2 {
		t.Fatalf("after expiry: %+v", r)
	}
	// lock ends it at once.
	if r := vmfaExact(t, withPass, nil, "unlock", "--for", "10m"); r.code != 0 {
		t.Fatalf("unlock again: %+v", r)
	}
	if r := vmfaExact(t, env, nil, "unlock", "--status"); r.code != 0 || !strings.Contains(r.stdout, "vault ") {
		t.Errorf("status: %+v", r)
	}
	if r := vmfaExact(t, env, nil, "lock"); r.code != 0 || !strings.Contains(r.stdout, "forgot every key") {
		t.Fatalf("lock: %+v", r)
	}
	waitGone(t, sock)
	if r := vmfaExact(t, env, nil, "code", "alice"); r.code != 2 {
		t.Errorf("after lock: %+v", r)
	}
	if r := vmfaExact(t, env, nil, "lock"); r.code != 0 || !strings.Contains(r.stdout, "no unlock agent was running") {
		t.Errorf("lock twice: %+v", r)
	}
	// passwd stops the agent: the key it holds no longer opens the vault.
	if r := vmfaExact(t, withPass, nil, "unlock"); r.code != 0 {
		t.Fatalf("unlock: %+v", r)
	}
	r = vmfaExact(t, append(env[:len(env):len(env)], "VMFA_NEW_PASSPHRASE=changed"), nil, "vault", "passwd")
	if r.code != 0 || !strings.Contains(r.stderr, "unlock agent was stopped") {
		t.Errorf("passwd with an agent: %+v", r)
	}
	waitGone(t, sock)
}

// running reports whether pid runs (a zombie waiting for its reaper has
// ended).
func running(pid int) bool {
	if p, err := os.FindProcess(pid); err != nil || p.Signal(syscall.Signal(0)) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	if i := bytes.LastIndexByte(b, ')'); i >= 0 && len(b) > i+2 {
		return b[i+2] != 'Z' && b[i+2] != 'X'
	}
	return true
}

func agentPID(t *testing.T, env []string) int {
	t.Helper()
	r := vmfaExact(t, env, nil, "unlock", "--status")
	var pid int
	if _, err := fmt.Sscanf(r.stdout, "unlock agent pid %d", &pid); err != nil {
		t.Fatalf("status: %+v", r)
	}
	return pid
}

// TestAgentRefusesOtherUID runs an agent as another user (nobody) and
// talks to it as root: the agent itself refuses (SO_PEERCRED; root passes
// the socket's file permissions, so only that check stands in the way),
// and the client refuses to hand a key to an agent of another user. The
// other user's own commands are served.
func TestAgentRefusesOtherUID(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run the agent as another user")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("needs setpriv (util-linux)")
	}
	const uid = 65534
	base := t.TempDir()
	for p := base; p != os.TempDir() && p != "/"; p = filepath.Dir(p) {
		os.Chmod(p, 0o755) // nobody must reach the binary and its directories
	}
	bin := filepath.Join(base, "vmfa")
	if b, err := os.ReadFile(vmfaBin); err != nil || os.WriteFile(bin, b, 0o755) != nil {
		t.Fatal(err)
	}
	home, run := filepath.Join(base, "home"), filepath.Join(base, "run")
	for _, d := range []string{home, run} {
		if err := os.Mkdir(d, 0o700); err != nil || os.Chown(d, uid, uid) != nil {
			t.Fatal(err)
		}
	}
	as := []string{setpriv, "--reuid", strconv.Itoa(uid), "--regid", strconv.Itoa(uid), "--clear-groups", "--"}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_RUNTIME_DIR=" + run,
		"XDG_DATA_HOME=" + home, "VMFA_VAULT=" + filepath.Join(home, "vault.vmfa")}
	run1 := func(stdin string, extra []string, args ...string) result {
		c := exec.Command(as[0], append(append(as[1:], bin), args...)...)
		c.Env = append(env[:len(env):len(env)], extra...)
		c.Stdin = strings.NewReader(stdin)
		var o, e bytes.Buffer
		c.Stdout, c.Stderr = &o, &e
		err := c.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return result{o.String(), e.String(), code}
	}
	pw := []string{"VMFA_PASSPHRASE=nobody's"}
	if r := run1("", pw, "init", "--passphrase"); r.code != 0 {
		t.Fatalf("init as nobody: %+v", r)
	}
	if r := run1(aliceURI, pw, "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("add as nobody: %+v", r)
	}
	if r := run1("", pw, "unlock", "--for", "2m"); r.code != 0 {
		t.Fatalf("unlock as nobody: %+v", r)
	}
	t.Cleanup(func() { run1("", nil, "lock") })
	if r := run1("", nil, "code", "alice", "--at", "59"); r.code != 0 || r.stdout != "287082\n" {
		t.Fatalf("nobody's own agent did not serve nobody: %+v", r)
	}
	sock := filepath.Join(run, "vmfa", "agent.sock")
	id := ""
	if info, err := vault.Inspect(filepath.Join(home, "vault.vmfa")); err != nil || !info.Exists {
		t.Fatal(err)
	}
	st, _ := agentStatusRaw(t, sock, "STATUS\n")
	if f := strings.Fields(st); len(f) > 0 && f[0] == "OK" {
		t.Fatalf("root got an answer from nobody's agent: %q", st)
	}
	for _, req := range []string{"GET " + id + "x\n", "STOP\n", "STATUS\n"} {
		ans, err := agentStatusRaw(t, sock, req)
		if err != nil || !strings.HasPrefix(ans, "ERR refused") {
			t.Errorf("%q as root: %q %v", req, ans, err)
		}
	}
	// The agent is still there for nobody.
	if r := run1("", nil, "code", "alice", "--at", "59"); r.code != 0 {
		t.Fatalf("after the refusals: %+v", r)
	}
	// The client side: root's client will not talk to nobody's agent.
	t.Setenv("XDG_RUNTIME_DIR", run)
	if _, err := agent.Get("0123456789abcdef"); !errors.Is(err, agent.ErrRefused) {
		t.Errorf("client to another user's agent: %v", err)
	}
	if err := agent.Put("0123456789abcdef", make([]byte, 32), time.Minute); !errors.Is(err, agent.ErrRefused) {
		t.Errorf("a key was handed to another user's agent: %v", err)
	}
}

// agentStatusRaw sends one raw request line to the socket and returns the
// answer line.
func agentStatusRaw(t *testing.T, sock, req string) (string, error) {
	c, err := net.DialTimeout("unix", sock, 3*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		return "", err
	}
	return bufio.NewReader(c).ReadString('\n')
}

func TestVersionAndTypos(t *testing.T) {
	r := vmfa(t, nil, "", "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "vmfa ") || !strings.Contains(r.stdout, "\ncommit ") || !strings.Contains(r.stdout, "\ngo1.") {
		t.Errorf("--version: %+v", r)
	}
	if !strings.Contains(r.stdout, "\nlibfido2 1.") {
		t.Errorf("--version names no libfido2 in a cgo build: %q", r.stdout)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"cod", "alice"}, "vmfa: unknown command \"cod\" for \"vmfa\": did you mean \"code\"?\n"},
		{[]string{"verifier", "tokn"}, "vmfa: unknown command \"tokn\" for \"vmfa verifier\": did you mean \"tokens\"?\n"},
		{[]string{"vault", "rekee"}, "vmfa: unknown command \"rekee\" for \"vmfa vault\": did you mean \"rekey\"?\n"},
		{[]string{"code", "alice", "--nxt"}, "vmfa: unknown flag: --nxt: did you mean --next?\n"},
		{[]string{"zzzzzz"}, "vmfa: unknown command \"zzzzzz\" for \"vmfa\" ('vmfa --help' lists its commands)\n"},
	}
	for _, tt := range tests {
		r := vmfa(t, nil, "", tt.args...)
		if r.code != 1 || r.stderr != tt.want {
			t.Errorf("%v: exit %d stderr %q, want %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	r = vmfa(t, nil, "", "--help")
	if !strings.Contains(r.stdout, "Exit status:\n  0  success\n  1  error") || !strings.Contains(r.stdout, "\n  2  the vault's key is not available") {
		t.Errorf("--help has no exit-status table: %s", r.stdout)
	}
}

func TestCompletion(t *testing.T) {
	if r := vmfa(t, nil, "", "--help"); !strings.Contains(r.stdout, "\n  completion ") {
		t.Errorf("completion is not listed in --help: %s", r.stdout)
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := vmfa(t, nil, "", "completion", sh)
		if r.code != 0 || !strings.Contains(r.stdout, "vmfa") || len(r.stdout) < 500 {
			t.Errorf("completion %s: exit %d, %d bytes", sh, r.code, len(r.stdout))
		}
	}
	// Flag values.
	for args, want := range map[string]string{
		"add --algorithm ":       "SHA256",
		"export --format ":       "aegis",
		"import --format ":       "pskc",
		"vault rekey --to ":      "keyring",
		"add --type ":            "steam",
		"verifier log --result ": "denied",
	} {
		r := vmfa(t, nil, "", append([]string{"__complete"}, strings.Split(args, " ")...)...)
		if !strings.Contains(r.stdout, want+"\n") {
			t.Errorf("__complete %s: %q, want %s", args, r.stdout, want)
		}
	}
	// Account names: from the keyring vault, or a passphrase vault while
	// the agent holds its key; never a prompt (there is no terminal here,
	// and a passphrase vault without agent completes nothing, at once).
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	env := agentEnvFor(t, path)
	withPass := append(env[:len(env):len(env)], "VMFA_PASSPHRASE=pw")
	vmfaExact(t, withPass, nil, "init", "--passphrase")
	if r := vmfaExact(t, withPass, []byte(aliceURI+"\n"+bobURI), "add", "--uri", "-"); r.code != 0 {
		t.Fatal(r)
	}
	r := vmfaExact(t, env, nil, "__complete", "code", "al")
	if strings.Contains(r.stdout, "alice") || r.code != 0 {
		t.Errorf("a locked passphrase vault completed: %+v", r)
	}
	if r := vmfaExact(t, withPass, nil, "unlock", "--for", "1m"); r.code != 0 {
		t.Fatal(r)
	}
	for args, want := range map[string]string{"code al": "alice\tACME: alice", "rm Glo": "Globex:bob\tGlobex: bob", "code ": "bob\tGlobex: bob"} {
		r := vmfaExact(t, env, nil, append([]string{"__complete"}, strings.Split(args, " ")...)...)
		if !strings.Contains(r.stdout, want+"\n") {
			t.Errorf("__complete %s: %q, want %q", args, r.stdout, want)
		}
	}
	if r := vmfaExact(t, env, nil, "__complete", "code", "alice", ""); strings.Contains(r.stdout, "alice") {
		t.Errorf("a second QUERY was completed: %q", r.stdout)
	}
}

func TestCodeWaitIfExpiring(t *testing.T) {
	env := vaultEnv(t)
	if r := vmfa(t, env, aliceURI, "add", "--uri", "-"); r.code != 0 {
		t.Fatal(r)
	}
	// Shift the clock so that 2 s of the current period are left.
	now := time.Now()
	step := now.Unix()/30 + 1
	offset := time.Unix(step*30, 0).Add(-2 * time.Second).Sub(now)
	r := vmfa(t, env, "", "--time-offset", offset.String(), "code", "alice", "--wait-if-expiring", "5s", "--json")
	var got codeView
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil {
		t.Fatalf("%+v %v", r, err)
	}
	if int64(got.Step) != step || got.SecondsLeft < 5 {
		t.Errorf("waited for step %d with %d s left, want step %d with at least 5 s", got.Step, got.SecondsLeft, step)
	}
	// Plenty left: no wait, the current step.
	r = vmfa(t, env, "", "code", "alice", "--wait-if-expiring", "1s", "--at", "59")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot be used with --at") {
		t.Errorf("with --at: %+v", r)
	}
	r = vmfa(t, env, "", "code", "alice", "--wait-if-expiring", "31s")
	if r.code != 0 && !strings.Contains(r.stderr, "longer than the 30s period") {
		t.Errorf("longer than the period: %+v", r)
	}
}

// startXvfb starts a virtual X server on a free display and returns its
// DISPLAY value.
func startXvfb(t *testing.T) string {
	t.Helper()
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		t.Skip("needs Xvfb (make deps installs it)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(xvfb, "-displayfd", "3", "-screen", "0", "1024x768x24", "-nolisten", "tcp")
	c.ExtraFiles = []*os.File{w}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	line := make(chan string, 1)
	go func() { s, _ := bufio.NewReader(r).ReadString('\n'); line <- s }()
	select {
	case s := <-line:
		if s = strings.TrimSpace(s); s == "" {
			t.Fatal("Xvfb did not start")
		}
		return ":" + s
	case <-time.After(30 * time.Second):
		t.Fatal("Xvfb did not start within 30 s")
	}
	return ""
}

// twoQRs is a PNG with two different QR codes side by side.
func twoQRs(t *testing.T, a, b string) []byte {
	t.Helper()
	canvas := image.NewRGBA(image.Rect(0, 0, 760, 400))
	draw.Draw(canvas, canvas.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for i, text := range []string{a, b} {
		q, err := scanner.QRImage(text, 320)
		if err != nil {
			t.Fatal(err)
		}
		draw.Draw(canvas, q.Bounds().Add(image.Pt(20+i*400, 40)), q, q.Bounds().Min, draw.Src)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, canvas); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAddQRFromStdinScreenAndClipboard(t *testing.T) {
	pngData := twoQRs(t, aliceURI, bobURI)
	// stdin
	env := vaultEnv(t)
	r := vmfa(t, env, string(pngData), "add", "--qr", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "added ACME: alice") || !strings.Contains(r.stdout, "added Globex: bob") {
		t.Fatalf("add --qr -: %+v", r)
	}
	if r := vmfa(t, env, "not an image", "add", "--qr", "-"); r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: stdin: ") {
		t.Errorf("garbage on stdin: %+v", r)
	}
	if r := vmfa(t, env, "", "add", "--screen"); r.code != 1 || !strings.Contains(r.stderr, "no display") {
		t.Errorf("--screen without a display: %+v", r)
	}

	display := startXvfb(t)
	xenv := func(e []string) []string {
		return envWithout([]string{"DISPLAY", "WAYLAND_DISPLAY", "TMUX"}, append(e, "DISPLAY="+display)...)
	}
	file := filepath.Join(t.TempDir(), "qr.png")
	os.WriteFile(file, pngData, 0o600)
	// Show the image in a window at the top left, and wait until a grab
	// of the screen shows both codes.
	show := exec.Command("display", "-geometry", "+0+0", file)
	show.Env = xenv(nil)
	if err := show.Start(); err != nil {
		t.Fatalf("display: %v", err)
	}
	t.Cleanup(func() { show.Process.Kill(); show.Wait() })
	for i := 0; ; i++ {
		grab := exec.Command("import", "-silent", "-window", "root", "png:-")
		grab.Env = xenv(nil)
		out, err := grab.Output()
		if err == nil {
			if texts, _ := scanner.DecodeReader(bytes.NewReader(out)); len(texts) == 2 {
				break
			}
		}
		if i == 300 {
			t.Fatalf("the QR image did not show on the screen within a minute: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	env = vaultEnv(t)
	r = vmfaExact(t, xenv(env), nil, "add", "--screen")
	if r.code != 0 || !strings.Contains(r.stdout, "added ACME: alice") || !strings.Contains(r.stdout, "added Globex: bob") {
		t.Fatalf("add --screen: %+v", r)
	}
	if r := vmfaExact(t, xenv(env), nil, "code", "ACME:alice", "--at", "59"); r.stdout != "287082\n" {
		t.Errorf("the account from the screen: %+v", r)
	}

	// The clipboard: an image put there with xclip, then the code copied back.
	if _, err := exec.LookPath("xclip"); err != nil {
		t.Skip("needs xclip")
	}
	env = vaultEnv(t)
	put := exec.Command("xclip", "-selection", "clipboard", "-t", "image/png", "-i", file)
	put.Env = xenv(nil)
	if err := put.Run(); err != nil { // xclip stays, serving the selection: no output pipes to wait on
		t.Fatalf("xclip: %v", err)
	}
	r = vmfaExact(t, xenv(env), nil, "add", "--clipboard")
	if r.code != 0 || !strings.Contains(r.stdout, "added ACME: alice") || !strings.Contains(r.stdout, "added Globex: bob") {
		t.Fatalf("add --clipboard: %+v", r)
	}
	r = vmfaExact(t, xenv(env), nil, "code", "ACME:alice", "--copy")
	if r.code != 0 || !strings.HasPrefix(r.stderr, "copied the code to the system clipboard (valid for ") {
		t.Fatalf("code --copy: %+v", r)
	}
	get := exec.Command("xclip", "-selection", "clipboard", "-o")
	get.Env = xenv(nil)
	out, err := get.Output()
	if err != nil || string(out) != strings.TrimSpace(r.stdout) {
		t.Errorf("the clipboard holds %q (%v), want %q", out, err, r.stdout)
	}
	if r := vmfaExact(t, xenv(env), nil, "add", "--clipboard"); r.code != 1 || !strings.Contains(r.stderr, "clipboard") {
		t.Errorf("a clipboard without an image: %+v", r)
	}
}

// TestCodeCopyTmux: inside tmux the code goes to tmux's buffer.
func TestCodeCopyTmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("needs tmux")
	}
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	start := exec.Command(tmux, "-S", sock, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24")
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-S", sock, "kill-server").Run() })
	env := vaultEnv(t)
	if r := vmfa(t, env, aliceURI, "add", "--uri", "-"); r.code != 0 {
		t.Fatal(r)
	}
	e := envWithout([]string{"DISPLAY", "WAYLAND_DISPLAY", "TMUX"}, append(env, "TMUX="+sock+",1,0")...)
	r := vmfaExact(t, e, nil, "code", "alice", "--copy")
	if r.code != 0 || !strings.Contains(r.stderr, "copied the code to the tmux buffer") {
		t.Fatalf("code --copy in tmux: %+v", r)
	}
	out, err := exec.Command(tmux, "-S", sock, "show-buffer").Output()
	if err != nil || string(out) != strings.TrimSpace(r.stdout) {
		t.Errorf("tmux buffer %q (%v), want %q", out, err, r.stdout)
	}
	// No clipboard at all: exit 1, saying what was tried.
	e = envWithout([]string{"DISPLAY", "WAYLAND_DISPLAY", "TMUX"}, env...)
	if r := vmfaExact(t, e, nil, "code", "alice", "--copy"); r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: could not reach a clipboard") {
		t.Errorf("no clipboard: %+v", r)
	}
}

func needSecretService(t *testing.T) {
	t.Helper()
	if os.Getenv("VMFA_TEST_SECRET_SERVICE") == "" {
		t.Skip("needs the private Secret Service that 'make test' starts")
	}
}
