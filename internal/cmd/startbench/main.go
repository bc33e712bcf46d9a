//go:build linux

// Command startbench measures whole vmfa processes against the tools
// people compare it with, side by side in one run: `vmfa code` against
// `oathtool --totp` (the same TOTP from a key on the command line) and
// `secret-tool lookup` (libsecret fetching the vault's own keyring item),
// the static (CGO_ENABLED=0) build against the standard one, `vmfa list`
// of every account, and the time from starting the TUI to its first frame
// with the accounts drawn.
//
// It runs inside scripts/with-keyring (a private, real Secret Service),
// builds both binaries, fills a throwaway vault with -accounts accounts,
// then runs rounds: in each round every command runs once, in a shuffled
// order, so a burst of load on the shared machine hits all of them alike.
// It prints each command's median (and its 10th and 90th percentiles) and
// the median of the per-round ratios against `vmfa code`.
//
//	go run ./internal/cmd/startbench -rounds 200
package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vmfa/vmfa/vault"
)

// target is the account every code command asks for; its key is also
// given to oathtool.
const (
	targetSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	targetQuery  = "oathtool-compare"
)

type command struct {
	name string
	argv []string
	// tui: the process is a TUI, timed until want appears on its terminal.
	tui  bool
	want string
	// ref: the name of the command the ratio column compares with.
	ref string
	// exit is the exit code the command must end with.
	exit int
	// env is added to the environment.
	env []string

	times []time.Duration
	cpu   []time.Duration // user+system time of the process
}

func main() {
	rounds := flag.Int("rounds", 101, "paired rounds (each command runs once per round)")
	accounts := flag.Int("accounts", 1000, "accounts in the vault")
	tuiRounds := flag.Int("tui-rounds", 21, "rounds that include the TUI's first frame (it costs a terminal each)")
	flag.Parse()
	if err := run(*rounds, *tuiRounds, *accounts); err != nil {
		fmt.Fprintln(os.Stderr, "startbench:", err)
		os.Exit(1)
	}
}

func run(rounds, tuiRounds, accounts int) error {
	if os.Getenv("VMFA_KEYRING_SESSION") == "" {
		return errors.New("run me inside scripts/with-keyring (a private Secret Service)")
	}
	dir, err := os.MkdirTemp("", "startbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	std, static := filepath.Join(dir, "vmfa"), filepath.Join(dir, "vmfa-static")
	if err := gobuild(std, "1"); err != nil {
		return err
	}
	if err := gobuild(static, "0"); err != nil {
		return err
	}
	hello := filepath.Join(dir, "hello")
	if err := buildHello(dir, hello); err != nil {
		return err
	}
	vpath := filepath.Join(dir, "vault.vmfa")
	os.Setenv("VMFA_VAULT", vpath)
	os.Setenv("VMFA_BACKUPS", "-1")
	if err := fill(std, accounts); err != nil {
		return err
	}
	info, err := vault.Inspect(vpath)
	if err != nil {
		return err
	}
	want, err := exec.Command(std, "code", targetQuery).Output()
	if err != nil {
		return fmt.Errorf("vmfa code: %w", err)
	}

	cmds := []*command{
		{name: "oathtool --totp", argv: []string{"oathtool", "--totp", "-b", targetSecret}, ref: "vmfa code"},
		// The floors: the Go runtime alone, and vmfa's start-up (runtime,
		// package initialisation, the command line) up to refusing a
		// command without its argument, before any vault or keyring.
		{name: "go hello world", argv: []string{hello}, ref: "oathtool --totp"},
		{name: "vmfa start-up", argv: []string{std, "code"}, exit: 1, ref: "oathtool --totp"},
		{name: "secret-tool lookup", argv: []string{"secret-tool", "lookup", "service", vault.KeyringService, "username", "vault-" + info.ID}, ref: "vmfa code"},
		{name: "vmfa code", argv: []string{std, "code", targetQuery}, ref: "oathtool --totp"},
		{name: "vmfa code (static)", argv: []string{static, "code", targetQuery}, ref: "vmfa code"},
		{name: "vmfa code (1-exchange)", argv: []string{std, "code", targetQuery}, env: []string{"VMFA_SECRETSERVICE_BATCH=1"}, ref: "vmfa code"},
		{name: "vmfa list", argv: []string{std, "list"}, ref: "vmfa code"},
		{name: "vmfa list (static)", argv: []string{static, "list"}, ref: "vmfa list"},
		{name: "tui first frame", argv: []string{std}, tui: true, want: "compare", ref: "vmfa code"},
	}
	// Every command must work before any is timed.
	for _, c := range cmds {
		if c.tui {
			if _, err := firstFrame(c.argv, c.want); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			continue
		}
		cmd := exec.Command(c.argv[0], c.argv[1:]...)
		cmd.Env = append(os.Environ(), c.env...)
		out, err := cmd.Output()
		if c.exit != 0 {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != c.exit {
				return fmt.Errorf("%s: %v, want exit %d", c.name, err, c.exit)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if c.name == "oathtool --totp" && !bytes.Equal(out, want) {
			// Both ran within the same second, rarely across a step: retry once.
			want, _ = exec.Command(std, "code", targetQuery).Output()
			out, _ = exec.Command(c.argv[0], c.argv[1:]...).Output()
			if !bytes.Equal(out, want) {
				return fmt.Errorf("oathtool says %q and vmfa %q for the same key", out, want)
			}
		}
	}

	for r := 0; r < rounds; r++ {
		order := mrand.Perm(len(cmds))
		for _, i := range order {
			c := cmds[i]
			if c.tui && r >= tuiRounds {
				continue
			}
			var d, cpu time.Duration
			if c.tui {
				d, err = firstFrame(c.argv, c.want)
			} else {
				d, cpu, err = timeRun(c.argv, c.env, c.exit)
				c.cpu = append(c.cpu, cpu)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			c.times = append(c.times, d)
		}
	}

	byName := map[string]*command{}
	for _, c := range cmds {
		byName[c.name] = c
	}
	fmt.Printf("whole processes, %d accounts, real Secret Service (gnome-keyring), %d paired rounds (TUI %d)\n", accounts, rounds, min(rounds, tuiRounds))
	fmt.Printf("%-22s %9s %9s %9s %9s   %s\n", "command", "median", "p10", "p90", "cpu", "median of paired ratios")
	for _, c := range cmds {
		s := sorted(c.times)
		ratio, cpu := "", "-"
		if ref := byName[c.ref]; ref != nil {
			ratio = fmt.Sprintf("%.2f× %s", pairedRatio(c.times, ref.times), c.ref)
		}
		if len(c.cpu) > 0 {
			cpu = ms(pct(sorted(c.cpu), 50))
		}
		fmt.Printf("%-22s %9s %9s %9s %9s   %s\n", c.name, ms(pct(s, 50)), ms(pct(s, 10)), ms(pct(s, 90)), cpu, ratio)
	}
	return nil
}

func gobuild(out, cgo string) error {
	c := exec.Command("go", "build", "-trimpath", "-o", out, "./cmd/vmfa")
	c.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
	c.Stderr = os.Stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("go build (CGO_ENABLED=%s): %w", cgo, err)
	}
	return nil
}

// buildHello builds the smallest Go program that writes a line: the Go
// runtime's own start-up and exit.
func buildHello(dir, out string) error {
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hello\\n\") }\n"), 0o600); err != nil {
		return err
	}
	c := exec.Command("go", "build", "-o", out, src)
	c.Dir = dir
	c.Env = append(os.Environ(), "CGO_ENABLED=0", "GO111MODULE=off")
	if b, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("go build hello: %v: %s", err, b)
	}
	return nil
}

// fill adds n accounts through `vmfa add --uri -`, the target among them.
func fill(bin string, n int) error {
	var in bytes.Buffer
	in.WriteString("otpauth://totp/Bench:" + targetQuery + "?secret=" + targetSecret + "&issuer=Bench\n")
	for i := 0; i < n-1; i++ {
		k := make([]byte, 20)
		rand.Read(k)
		v, _ := rand.Int(rand.Reader, big.NewInt(97))
		fmt.Fprintf(&in, "otpauth://totp/Issuer%%20%03d:user%04d@example.com?secret=%s&issuer=Issuer%%20%03d\n",
			v.Int64(), i, vault.EncodeSecret(k), v.Int64())
	}
	c := exec.Command(bin, "add", "--uri", "-")
	c.Stdin = &in
	c.Stdout = io.Discard
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("vmfa add: %v: %s", err, stderr.String())
	}
	return nil
}

// timeRun runs argv to its end and returns the wall-clock time and the
// CPU time (user and system) it took.
func timeRun(argv, env []string, exit int) (wall, cpu time.Duration, err error) {
	c := exec.Command(argv[0], argv[1:]...)
	c.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	c.Stdout = &out
	c.Stderr = &out
	t := time.Now()
	err = c.Run()
	wall = time.Since(t)
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == exit {
		err = nil
	}
	if err != nil || c.ProcessState.ExitCode() != exit {
		return 0, 0, fmt.Errorf("exit %d (%v): %s", c.ProcessState.ExitCode(), err, out.String())
	}
	return wall, c.ProcessState.UserTime() + c.ProcessState.SystemTime(), nil
}

// firstFrame starts argv on a fresh 120×40 pseudo-terminal and returns the
// time until want has been written to it; then the process is ended.
func firstFrame(argv []string, want string) (time.Duration, error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return 0, err
	}
	defer m.Close()
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		return 0, err
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		return 0, err
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return 0, err
	}
	c := exec.Command(argv[0], argv[1:]...)
	c.Env = append(os.Environ(), "TERM=xterm-256color")
	c.Stdin, c.Stdout, c.Stderr = s, s, s
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	t := time.Now()
	if err := c.Start(); err != nil {
		s.Close()
		return 0, err
	}
	s.Close()
	defer func() {
		c.Process.Kill()
		c.Wait()
	}()
	found := make(chan time.Duration, 1)
	go func() {
		var seen []byte
		buf := make([]byte, 64<<10)
		for {
			k, err := m.Read(buf)
			seen = append(seen, buf[:k]...)
			if bytes.Contains(seen, []byte(want)) {
				found <- time.Since(t)
				return
			}
			if err != nil {
				found <- -1
				return
			}
		}
	}()
	select {
	case d := <-found:
		if d < 0 {
			return 0, fmt.Errorf("the terminal closed before %q was drawn", want)
		}
		return d, nil
	case <-time.After(30 * time.Second):
		return 0, fmt.Errorf("%q was not drawn within 30 s", want)
	}
}

func sorted(ds []time.Duration) []time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

func pct(s []time.Duration, p int) time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s[(len(s)-1)*p/100]
}

// pairedRatio is the median over rounds of a's time over b's time in the
// same round.
func pairedRatio(a, b []time.Duration) float64 {
	n := min(len(a), len(b))
	if n == 0 {
		return 0
	}
	rs := make([]float64, n)
	for i := range n {
		rs[i] = float64(a[i]) / float64(b[i])
	}
	sort.Float64s(rs)
	return rs[(n-1)/2]
}

func ms(d time.Duration) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", float64(d)/1e6), "0"), ".") + " ms"
}
