package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// vmfaBin is the binary under test, built once by TestMain: the CLI is
// tested as users run it, as a process with an exit code and stderr.
var vmfaBin string

func TestMain(m *testing.M) {
	if os.Getenv("VMFA_STARTUP_CHILD") != "" { // a child of TestStartupTakesSecretsOutOfTheEnvironment
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "vmfa-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	vmfaBin = filepath.Join(dir, "vmfa")
	// Generation records of the tests' vaults stay out of the user's state
	// directory.
	os.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	if out, err := exec.Command("go", "build", "-o", vmfaBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building vmfa: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// vmfa runs the binary with env (KEY=VALUE...) and stdin.
func vmfa(t testing.TB, env []string, stdin string, args ...string) result {
	t.Helper()
	c := exec.Command(vmfaBin, args...)
	c.Env = append(os.Environ(), env...)
	c.Stdin = strings.NewReader(stdin)
	return runCmd(t, c)
}

// runCmd runs c to its end and returns its output and exit status; a
// command that could not be started fails the test.
func runCmd(t testing.TB, c *exec.Cmd) result {
	t.Helper()
	var o, e bytes.Buffer
	c.Stdout, c.Stderr = &o, &e
	err := c.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{o.String(), e.String(), code}
}

// vaultEnv gives a test its own vault: in the real keyring under make test,
// a passphrase vault otherwise.
func vaultEnv(t testing.TB) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	env := []string{"VMFA_VAULT=" + path}
	if os.Getenv("VMFA_TEST_SECRET_SERVICE") == "" {
		env = append(env, "VMFA_PASSPHRASE=test passphrase")
		r := vmfa(t, env, "", "init", "--passphrase")
		if r.code != 0 {
			t.Fatalf("init: %s", r.stderr)
		}
	}
	return env
}

const rfcURI = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME"

func TestAddAndCodeRFC6238(t *testing.T) {
	env := vaultEnv(t)
	if r := vmfa(t, env, rfcURI, "add", "--uri", "-"); r.code != 0 || !strings.Contains(r.stdout, "added ACME: alice") {
		t.Fatalf("add: %+v", r)
	}
	r := vmfa(t, env, "", "code", "alice", "--at", "59")
	if r.code != 0 || r.stdout != "287082\n" {
		t.Fatalf("code --at 59: %+v", r)
	}
	r = vmfa(t, env, "", "code", "ALI", "--at", "1970-01-01T00:00:59Z", "--next")
	if r.stdout != "287082 359152\n" {
		t.Errorf("code --next: %+v", r)
	}
	r = vmfa(t, env, "", "code", "alice", "--at", "59", "--json")
	if !strings.Contains(r.stdout, `"code": "287082"`) || !strings.Contains(r.stdout, `"seconds_left": 1`) {
		t.Errorf("code --json: %s", r.stdout)
	}
	// The vault file holds nothing readable.
	raw, err := os.ReadFile(strings.TrimPrefix(env[0], "VMFA_VAULT="))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"GEZDGNBVGY3TQOJQ", "12345678901234567890", "alice", "ACME"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("vault file contains %q", s)
		}
	}
	if os.Getenv("VMFA_TEST_SECRET_SERVICE") != "" {
		if info, _ := vault.Inspect(strings.TrimPrefix(env[0], "VMFA_VAULT=")); info.Source != vault.KeyringSource {
			t.Errorf("key source %q, want keyring", info.Source)
		}
	}
}

func TestManualAddListRenameRm(t *testing.T) {
	env := vaultEnv(t)
	r := vmfa(t, env, "jbsw y3dp ehpk 3pxp\n", "add", "--issuer", "GitHub", "--account", "bob", "--secret-stdin",
		"--digits", "8", "--algorithm", "sha256", "--period", "60", "--tag", "work")
	if r.code != 0 {
		t.Fatalf("manual add: %+v", r)
	}
	r = vmfa(t, env, "", "add", "--issuer", "Bank", "--account", "carol", "--secret-stdin", "--type", "hotp", "--counter", "0")
	if r.code != 1 || r.stderr != "vmfa: no secret on stdin\n" {
		t.Errorf("empty stdin: %+v", r)
	}
	r = vmfa(t, env, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "add", "--issuer", "Bank", "--account", "carol", "--secret-stdin", "--type", "hotp")
	if r.code != 0 {
		t.Fatalf("hotp add: %+v", r)
	}
	r = vmfa(t, env, "", "list", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"account": "bob"`) || !strings.Contains(r.stdout, `"digits": 8`) ||
		!strings.Contains(r.stdout, `"period": 60`) || strings.Contains(r.stdout, "JBSW") || strings.Contains(r.stdout, "secret") {
		t.Errorf("list --json: %s", r.stdout)
	}
	// HOTP: each code advances the saved counter first (RFC 4226 counters 1, 2).
	for _, want := range []string{"287082", "359152"} {
		if r := vmfa(t, env, "", "code", "carol"); r.stdout != want+"\n" {
			t.Errorf("hotp code: %+v, want %s", r, want)
		}
	}
	if r := vmfa(t, env, "", "rename", "bob", "GitHub:robert"); r.code != 0 {
		t.Errorf("rename: %+v", r)
	}
	if r := vmfa(t, env, "", "code", "robert", "--at", "0"); r.code != 0 || len(strings.TrimSpace(r.stdout)) != 8 {
		t.Errorf("code after rename: %+v", r)
	}
	if r := vmfa(t, env, "", "rm", "robert"); r.code != 1 || !strings.Contains(r.stderr, "--yes") {
		t.Errorf("rm without --yes and no terminal: %+v", r)
	}
	if r := vmfa(t, env, "", "rm", "robert", "--yes"); r.code != 0 {
		t.Errorf("rm: %+v", r)
	}
	if r := vmfa(t, env, "", "list"); strings.Contains(r.stdout, "robert") || !strings.Contains(r.stdout, "carol") {
		t.Errorf("list after rm: %s", r.stdout)
	}
}

func TestCLIErrors(t *testing.T) {
	env := vaultEnv(t)
	vmfa(t, env, rfcURI, "add", "--uri", "-")
	vmfa(t, env, "otpauth://totp/ACME:alina?secret=JBSWY3DPEHPK3PXP&issuer=ACME", "add", "--uri", "-")
	tests := []struct {
		name string
		args []string
		want string // stderr must contain this
	}{
		{"ambiguous", []string{"code", "ali"}, "vmfa: more than one account matches \"ali\": ACME: alice ("},
		{"no match", []string{"code", "zed"}, "vmfa: no matching account: \"zed\""},
		{"bad time", []string{"code", "alice", "--at", "yesterday"}, "vmfa: cannot read time \"yesterday\""},
		{"bad uri", []string{"add", "--uri", "http://example.com"}, "vmfa: "},
		{"bad digits", []string{"add", "--issuer", "X", "--account", "y", "--secret-stdin", "--digits", "9"}, "vmfa: "},
		{"duplicate", []string{"add", "--issuer", "ACME", "--account", "alina", "--secret-stdin"}, "vmfa: account already in the vault: ACME: alina"},
		{"unknown command", []string{"frobnicate"}, "vmfa: unknown command \"frobnicate\""},
	}
	path := strings.TrimPrefix(env[0], "VMFA_VAULT=")
	before, _ := os.ReadFile(path)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := vmfa(t, env, "JBSWY3DPEHPK3PXP", tc.args...)
			if r.code != 1 || !strings.HasPrefix(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("got exit %d, stderr %q; want exit 1 and one line starting %q", r.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "JBSWY3DP") {
				t.Errorf("stderr leaks a trace or the secret: %q", r.stderr)
			}
		})
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed command changed the vault")
	}
	// No vault at all: a clear message, nothing created.
	missing := filepath.Join(t.TempDir(), "none.vmfa")
	r := vmfa(t, []string{"VMFA_VAULT=" + missing}, "", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "no vault at "+missing+": add an account first") {
		t.Errorf("missing vault: %+v", r)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("list created a vault")
	}
}

func TestPassphraseVaultCLI(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vault.vmfa")
	pwfile := filepath.Join(dir, "pw")
	os.WriteFile(pwfile, []byte("right one\n"), 0o600)
	env := []string{"VMFA_VAULT=" + path, "VMFA_PASSPHRASE_FILE=" + pwfile}
	if r := vmfa(t, env, "", "init", "--passphrase"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	if r := vmfa(t, env, "", "init"); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("second init: %+v", r)
	}
	if r := vmfa(t, env, rfcURI, "add", "--uri", "-"); r.code != 0 {
		t.Fatalf("add: %+v", r)
	}
	before, _ := os.ReadFile(path)
	r := vmfa(t, []string{"VMFA_VAULT=" + path, "VMFA_PASSPHRASE=wrong one"}, "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP", "add", "--uri", "-")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: wrong passphrase: ") {
		t.Errorf("wrong passphrase: %+v", r)
	}
	r = vmfa(t, []string{"VMFA_VAULT=" + path}, "", "list")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "vmfa: ") { // 2: the key is not available
		t.Errorf("no passphrase and no terminal: %+v", r)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("vault changed")
	}
	if r := vmfa(t, env, "", "code", "alice", "--at", "59"); r.stdout != "287082\n" {
		t.Errorf("code: %+v", r)
	}
}

func TestNoKeyringExplainsPassphrase(t *testing.T) {
	// No session bus at all: creating a keyring vault must explain the
	// passphrase option and write nothing.
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	c := exec.Command(vmfaBin, "add", "--uri", "-")
	c.Stdin = strings.NewReader(rfcURI)
	c.Env = []string{"HOME=" + t.TempDir(), "VMFA_VAULT=" + path, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"}
	var e bytes.Buffer
	c.Stderr = &e
	err := c.Run()
	if err == nil || !strings.Contains(e.String(), "vmfa init --passphrase") || !strings.HasPrefix(e.String(), "vmfa: ") {
		t.Errorf("no keyring: %v %q", err, e.String())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("a vault was created without a key store")
	}
}

// BenchmarkCodeProcess is the wall time of a whole `vmfa code` process with
// 1,000 accounts against the keyring (the real one under make bench).
func BenchmarkCodeProcess(b *testing.B) {
	if os.Getenv("VMFA_TEST_SECRET_SERVICE") == "" {
		b.Skip("needs the private Secret Service that 'make bench' starts")
	}
	env := vaultEnv(b)
	path := strings.TrimPrefix(env[0], "VMFA_VAULT=")
	v, err := vault.Open(vault.Options{Path: path, Create: vault.KeyringSource})
	if err != nil {
		b.Fatal(err)
	}
	accts := make([]vault.Account, 1000)
	for i := range accts {
		accts[i] = vault.Account{Issuer: "Bench", Name: fmt.Sprintf("user%04d", i), Secret: []byte(fmt.Sprintf("secret-%013d", i))}
	}
	if err := v.Add(accts...); err != nil {
		b.Fatal(err)
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if r := vmfa(b, env, "", "code", "user0500"); r.code != 0 {
			b.Fatal(r.stderr)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
}

func TestAddQRSeveralFiles(t *testing.T) {
	env := vaultEnv(t)
	dir := t.TempDir()
	// Two images made by the export command (an encoder other than the decoder's reader path).
	src := vaultEnv(t)
	vmfa(t, src, rfcURI, "add", "--uri", "-")
	vmfa(t, src, "otpauth://totp/Other:bob?secret=JBSWY3DPEHPK3PXP&issuer=Other", "add", "--uri", "-")
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	if r := vmfa(t, src, "", "show-qr", "alice", "--png", a); r.code != 0 {
		t.Fatalf("show-qr: %+v", r)
	}
	if r := vmfa(t, src, "", "show-qr", "bob", "--png", b); r.code != 0 {
		t.Fatalf("show-qr: %+v", r)
	}
	if r := vmfa(t, env, "", "add", "--qr", a, b); r.code != 0 || strings.Count(r.stdout, "added") != 2 {
		t.Fatalf("add --qr a b: %+v", r)
	}
	if r := vmfa(t, env, "", "code", "alice", "--at", "59"); r.stdout != "287082\n" {
		t.Errorf("code after QR add: %+v", r)
	}
	if r := vmfa(t, env, "", "add", "--qr"); r.code != 1 || !strings.Contains(r.stderr, "--qr needs at least one image file") {
		t.Errorf("--qr without files: %+v", r)
	}
	notImage := filepath.Join(dir, "x.txt")
	os.WriteFile(notImage, []byte("hello"), 0o600)
	if r := vmfa(t, env, "", "add", "--qr", notImage); r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: ") {
		t.Errorf("--qr on a text file: %+v", r)
	}
}

func TestHOTPNextUsesBothCodes(t *testing.T) {
	env := vaultEnv(t)
	if r := vmfa(t, env, "otpauth://hotp/Bank:h?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0", "add", "--uri", "-"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	// Counters 1 and 2 (RFC 4226), then 3: a verifier that took the pair
	// at binding must not see the second code again.
	if r := vmfa(t, env, "", "code", "h", "--next"); r.stdout != "287082 359152\n" {
		t.Errorf("hotp --next: %+v", r)
	}
	if r := vmfa(t, env, "", "code", "h"); r.stdout != "969429\n" {
		t.Errorf("hotp after --next: %+v", r)
	}
}

// add warns about a secret under 80 bits as import does.
func TestAddWarnsShortSecret(t *testing.T) {
	env := vaultEnv(t)
	r := vmfa(t, env, "otpauth://totp/ACME:short?secret=AAAAAAA&issuer=ACME\n", "add", "--uri", "-")
	want := "vmfa: warning: ACME: short: short secret: the secret is only 32 bits (under 80); imported as the server issued it\n"
	if r.code != 0 || r.stderr != want || !strings.HasPrefix(r.stdout, "added ACME: short") {
		t.Errorf("got %+v, want stderr %q", r, want)
	}
	if r := vmfa(t, env, rfcURI, "add", "--uri", "-"); r.code != 0 || r.stderr != "" {
		t.Errorf("an 80-bit secret: %+v, want no warning", r)
	}
}

// A clock flag on an HOTP account is refused before the counter moves.
func TestHOTPRefusesClockFlags(t *testing.T) {
	env := vaultEnv(t)
	if r := vmfa(t, env, "otpauth://hotp/Bank:h?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0", "add", "--uri", "-"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	for _, args := range [][]string{
		{"code", "h", "--at", "59"},
		{"--time-offset", "30s", "code", "h"},
		{"code", "h", "--wait-if-expiring", "5s"},
	} {
		r := vmfa(t, env, "", args...)
		flag := args[0]
		if flag == "code" {
			flag = args[2]
		}
		want := "vmfa: " + flag + " is for time-based accounts: Bank: h is a hotp (counter-based) account; no code was used\n"
		if r.code != 1 || r.stderr != want || r.stdout != "" {
			t.Errorf("%v: %+v, want %q", args, r, want)
		}
	}
	// Nothing was spent: the first code is still counter 1's.
	if r := vmfa(t, env, "", "code", "h"); r.stdout != "287082\n" {
		t.Errorf("after the refusals: %+v, want counter 1's code", r)
	}
}

func TestAddBatchesAndBadInput(t *testing.T) {
	env := vaultEnv(t)
	vmfa(t, env, rfcURI, "add", "--uri", "-")
	two := rfcURI + "\n\n# a comment\notpauth://totp/Other:bob?secret=JBSWY3DPEHPK3PXP&issuer=Other\n"
	r := vmfa(t, env, two, "add", "--uri", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "added Other: bob") || !strings.Contains(r.stdout, "skipped ACME: alice: already in the vault") {
		t.Errorf("batch with a duplicate: %+v", r)
	}
	if r := vmfa(t, env, "", "add", "--uri", "-"); r.code != 1 || r.stderr != "vmfa: no uri on stdin\n" {
		t.Errorf("empty stdin: %+v", r)
	}
	path := strings.TrimPrefix(env[0], "VMFA_VAULT=")
	before, _ := os.ReadFile(path)
	bad := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"escape in label", "otpauth://totp/%1B%5D0%3Bpwned%07:x?secret=JBSWY3DPEHPK3PXP", []string{"add", "--uri", "-"}, "control characters"},
		{"digits 0", "JBSWY3DPEHPK3PXP", []string{"add", "--issuer", "X", "--account", "y", "--secret-stdin", "--digits", "0"}, "--digits: digits must be between 6 and 8 (got 0)"},
		{"period 0", "JBSWY3DPEHPK3PXP", []string{"add", "--issuer", "X", "--account", "y", "--secret-stdin", "--period", "0"}, "--period: period must be a positive number"},
		{"counter on totp", "JBSWY3DPEHPK3PXP", []string{"add", "--issuer", "X", "--account", "y", "--secret-stdin", "--counter", "5"}, "--counter is for hotp accounts"},
		{"rename to nothing", "", []string{"rename", "alice", ""}, "the new account name is empty"},
		{"rename to issuer only", "", []string{"rename", "alice", "X:"}, "the new account name is empty"},
		{"time before 1970", "", []string{"code", "alice", "--at", "-99999999999999"}, "outside 1970–9999"},
		{"year 1", "", []string{"code", "alice", "--at", "0001-01-01T00:00:00Z"}, "outside 1970–9999"},
		{"endless import", "", []string{"import", "/dev/zero", "--format", "csv"}, "/dev/zero: larger than 32 MiB"},
		{"100 KB account name", "JBSWY3DPEHPK3PXP", []string{"add", "--issuer", "X", "--account", strings.Repeat("x", 100000), "--secret-stdin"}, "account name is too long (100000 characters, at most 256)"},
		{"100 KB name in a uri", "otpauth://totp/" + strings.Repeat("x", 60000) + "?secret=JBSWY3DPEHPK3PXP", []string{"add", "--uri", "-"}, "account name is too long (60000 characters, at most 256)"},
		{"bad line in a batch", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n\n# c\nGEZDGNBVGY3TQOJQ\n", []string{"add", "--uri", "-"}, "vmfa: stdin line 4: not an otpauth"},
		{"bad uri in a batch", "# c\notpauth://totp/a?secret=JBSWY3DPEHPK3PXP\notpauth://totp/b?secret=GEZDGNBVGY3TQOJQ&digits=9\n", []string{"add", "--uri", "-"}, "vmfa: stdin line 3: digits must be between 6 and 8"},
		{"period over a day", "JBSWY3DPEHPK3PXP", []string{"add", "--issuer", "X", "--account", "y", "--secret-stdin", "--period", "86401"}, "period must be at most 86,400 s, one day (got 86401)"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := vmfa(t, env, tc.stdin, tc.args...)
			if r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: ") || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("got %+v, want one line containing %q", r, tc.want)
			}
			if strings.Contains(r.stderr, "GEZDGNBV") {
				t.Errorf("the secret reached stderr: %q", r.stderr)
			}
			if len(r.stderr) > 500 {
				t.Errorf("stderr is %d bytes", len(r.stderr))
			}
			if strings.ContainsRune(r.stderr, 0x1b) {
				t.Errorf("an escape sequence reached stderr: %q", r.stderr)
			}
		})
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a refused command changed the vault")
	}
	if r := vmfa(t, append(env, "VMFA_BACKUPS=abc"), "", "list"); r.code != 1 || !strings.Contains(r.stderr, "VMFA_BACKUPS") {
		t.Errorf("VMFA_BACKUPS=abc: %+v", r)
	}
	if r := vmfa(t, append(env, "VMFA_BACKUPS=-2"), "", "list"); r.code != 1 || r.stderr != "vmfa: VMFA_BACKUPS=-2: how many backups to keep is 0 or more, or -1 for none\n" {
		t.Errorf("VMFA_BACKUPS=-2: %+v", r)
	}
}

func TestBadFlagValuesAreWorded(t *testing.T) {
	env := vaultEnv(t)
	for args, want := range map[string]string{
		"list --backups many":                   "vmfa: --backups takes a whole number, not \"many\"\n",
		"add --issuer a --account b --digits x": "vmfa: --digits takes a whole number, not \"x\"\n",
		"--time-offset soon list":               "vmfa: --time-offset takes a duration such as 30s, 2m or 1h, not \"soon\"\n",
		"--backups -5 list":                     "vmfa: --backups -5: how many backups to keep is 0 or more, or -1 for none\n",
	} {
		if r := vmfa(t, env, "", strings.Fields(args)...); r.code != 1 || r.stderr != want {
			t.Errorf("%s: %+v, want %q", args, r, want)
		}
	}
}

func TestAddRefusesSecretsInArgv(t *testing.T) {
	env := vaultEnv(t)
	path := strings.TrimPrefix(env[0], "VMFA_VAULT=")
	before, _ := os.ReadFile(path)
	for _, uri := range []string{
		rfcURI,
		"otpauth://totp/ACME:alice?issuer=ACME&SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"otpauth://totp/ACME:alice?issuer=ACME&s%65cret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
		"otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU6YWxpY2VAZ29vZ2xlLmNvbRoHRXhhbXBsZSABKAEwAhABGAEgAA%3D%3D",
	} {
		r := vmfa(t, env, "", "add", "--uri", uri)
		if r.code != 1 || !strings.HasPrefix(r.stderr, "vmfa: --uri would put the secret in the process list") ||
			!strings.Contains(r.stderr, "--uri -") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%.40s…: %+v", uri, r)
		}
		for _, leak := range []string{"GEZDGNBV", "CjEKCkhl"} {
			if strings.Contains(r.stderr, leak) {
				t.Errorf("the error quotes the secret: %q", r.stderr)
			}
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a refused add changed the vault")
	}
	// A URI without its secret is still a plain parse error.
	if r := vmfa(t, env, "", "add", "--uri", "otpauth://totp/ACME:alice?issuer=ACME"); r.code != 1 || strings.Contains(r.stderr, "process list") {
		t.Errorf("uri without a secret: %+v", r)
	}
}

func TestPeriodBoundOnEveryInputPath(t *testing.T) {
	env := vaultEnv(t)
	dir := t.TempDir()
	csv := filepath.Join(dir, "tokens.csv")
	os.WriteFile(csv, []byte("1000001,JBSWY3DPEHPK3PXP,86401\n"), 0o600)
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{"manual entry", "JBSWY3DPEHPK3PXP", []string{"add", "--issuer", "X", "--account", "y", "--secret-stdin", "--period", "86401"}},
		{"uri", "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&period=86401", []string{"add", "--uri", "-"}},
		{"import", "", []string{"import", csv, "--format", "csv"}},
	} {
		r := vmfa(t, env, tc.stdin, tc.args...)
		if r.code != 1 || !strings.Contains(strings.ReplaceAll(r.stderr, ",", ""), "86400") {
			t.Errorf("%s: a period of 86401 s: %+v", tc.name, r)
		}
	}
	if r := vmfa(t, env, "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&period=86400", "add", "--uri", "-"); r.code != 0 {
		t.Errorf("a period of a day: %+v", r)
	}
}

// BenchmarkAddMaxAccountsURIs is a whole `vmfa add --uri -` process adding
// vault.MaxAccounts URIs (just under the 1 MiB stdin limit) to an empty
// vault: parsing, the duplicate check, sealing and writing.
func BenchmarkAddMaxAccountsURIs(b *testing.B) {
	var sb strings.Builder
	for i := range vault.MaxAccounts {
		fmt.Fprintf(&sb, "otpauth://totp/B:u%05d?secret=%s\n", i, vault.EncodeSecret([]byte(fmt.Sprintf("secret-%08d", i))))
	}
	uris := sb.String()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		env := vaultEnv(b)
		b.StartTimer()
		if r := vmfa(b, env, uris, "add", "--uri", "-"); r.code != 0 {
			b.Fatal(r.stderr)
		}
	}
}

// A file that is not a vault is said so, without the backups advice meant
// for a damaged vault.
func TestNotAVaultCLI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(path, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := vmfa(t, []string{"VMFA_PASSPHRASE=x"}, "", "--vault", path, "list")
	want := "vmfa: " + path + " is not a vmfa vault (the file does not begin with VMFA): check --vault and VMFA_VAULT\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("got %+v, want %q", r, want)
	}
}
