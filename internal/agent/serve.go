//go:build linux

package agent

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vmfa/vmfa/internal/procsec"
	"github.com/vmfa/vmfa/internal/secmem"
)

// lockedKeys holds keys in memory locked against swapping and left out
// of core dumps (internal/secmem), each zeroed when it expires or the
// agent ends.
type lockedKeys struct {
	mu      sync.Mutex
	keys    map[string][]byte // vault id -> key in locked memory
	expires map[string]time.Time
}

func newLockedKeys() *lockedKeys {
	return &lockedKeys{keys: map[string][]byte{}, expires: map[string]time.Time{}}
}

// put stores key (which it clears) under id until exp.
func (k *lockedKeys) put(id string, key []byte, exp time.Time) error {
	defer clear(key)
	k.mu.Lock()
	defer k.mu.Unlock()
	slot, ok := k.keys[id]
	if !ok {
		if len(k.keys) >= MaxKeys {
			return fmt.Errorf("the agent already holds %d keys", MaxKeys)
		}
		slot = secmem.Alloc(keySize)
	}
	copy(slot, key)
	k.keys[id], k.expires[id] = slot, exp
	return nil
}

// get appends the base64 of id's key to dst.
func (k *lockedKeys) get(id string, now time.Time, dst []byte) ([]byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	slot, ok := k.keys[id]
	if !ok || !now.Before(k.expires[id]) {
		return dst, false
	}
	return base64.StdEncoding.AppendEncode(dst, slot), true
}

// expire forgets the keys whose time is up and returns how many remain
// and when the next one expires.
func (k *lockedKeys) expire(now time.Time) (int, time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var next time.Time
	for id, exp := range k.expires {
		if !now.Before(exp) {
			secmem.Free(k.keys[id])
			delete(k.keys, id)
			delete(k.expires, id)
			continue
		}
		if next.IsZero() || exp.Before(next) {
			next = exp
		}
	}
	return len(k.keys), next
}

func (k *lockedKeys) wipe() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, slot := range k.keys {
		secmem.Free(slot)
	}
	k.keys, k.expires = map[string][]byte{}, map[string]time.Time{}
}

func (k *lockedKeys) status(dst []byte) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	for id, exp := range k.expires {
		dst = fmt.Appendf(dst, " %s=%d", id, exp.Unix())
	}
	return dst
}

// listen makes the agent's directory (0700, ours) and socket (0600).
func listen() (*net.UnixListener, string, error) {
	dir, err := Dir()
	if err != nil {
		return nil, "", err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, "", fmt.Errorf("cannot create %s: %w", dir, err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return nil, "", err
	}
	sys, _ := st.Sys().(*syscall.Stat_t)
	if !st.IsDir() || st.Mode().Perm()&0o077 != 0 || sys == nil || int(sys.Uid) != os.Getuid() {
		return nil, "", fmt.Errorf("%s must be a directory of yours with mode 0700", dir)
	}
	sock, _ := SocketPath()
	if c, err := net.DialTimeout("unix", sock, ioTimeout); err == nil {
		c.Close()
		return nil, "", errors.New("an unlock agent is already running")
	}
	os.Remove(sock) // stale
	old := unix.Umask(0o177)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	unix.Umask(old)
	if err != nil {
		return nil, "", fmt.Errorf("cannot listen on %s: %w", sock, err)
	}
	ln.SetUnlinkOnClose(true)
	return ln, sock, nil
}

// Run is the agent process (vmfa re-executed by Start): it reads its first
// PUT request from stdin, listens, writes "ready" to ready, and serves
// until STOP, a signal, or the last key expiring. It never writes a key
// anywhere but to a client of its own uid.
func Run(stdin io.Reader, ready io.Writer) error {
	// No ptrace by other processes of the user, no core dumps (vmfa's
	// startup does this too; the agent must not depend on it).
	procsec.Harden()
	keys := newLockedKeys()
	defer keys.wipe()
	line, err := bufio.NewReaderSize(stdin, 512).ReadSlice('\n')
	if err != nil {
		return errors.New("agent: no key on stdin")
	}
	if ans := handle(keys, line, time.Now()); !bytes.HasPrefix(ans, []byte("OK")) {
		return fmt.Errorf("agent: %s", bytes.TrimSpace(ans))
	}
	clear(line)
	ln, _, err := listen()
	if err != nil {
		return err
	}
	defer ln.Close()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	fmt.Fprintln(ready, "ready")
	// Whoever started the agent is gone soon: its pipes must not be
	// written to again (a write to a closed pipe would kill the agent).
	if null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		for fd := range 3 {
			unix.Dup2(int(null.Fd()), fd)
		}
		null.Close()
	}
	return serve(ln, keys, time.Now, sigs)
}

func serve(ln *net.UnixListener, keys *lockedKeys, now func() time.Time, sigs <-chan os.Signal) error {
	stop := make(chan struct{})
	var once sync.Once
	end := func() { once.Do(func() { close(stop); ln.Close() }) }
	go func() {
		select {
		case <-sigs:
			end()
		case <-stop:
		}
	}()
	go func() {
		// Expiry: forget each key on time; end when none is left.
		for {
			n, next := keys.expire(now())
			if n == 0 {
				end()
				return
			}
			t := time.NewTimer(next.Sub(now()) + 10*time.Millisecond)
			select {
			case <-t.C:
			case <-stop:
				t.Stop()
				return
			}
		}
	}()
	for {
		c, err := ln.AcceptUnix()
		if err != nil {
			select {
			case <-stop:
				return nil
			default:
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return err
		}
		if serveConn(c, keys, now) {
			end()
		}
	}
}

// serveConn answers one request; it reports whether the agent must stop.
func serveConn(c *net.UnixConn, keys *lockedKeys, now func() time.Time) (stop bool) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(ioTimeout))
	line, err := bufio.NewReaderSize(c, 512).ReadSlice('\n')
	if err != nil {
		return false
	}
	if uid, err := peerUID(c); err != nil || uid != os.Getuid() {
		clear(line)
		fmt.Fprintf(c, "ERR refused: uid %d is not the agent's user\n", uid)
		return false
	}
	if bytes.Equal(line, []byte("STOP\n")) {
		keys.wipe()
		c.Write([]byte("OK\n"))
		return true
	}
	ans := handle(keys, line, now())
	clear(line)
	c.Write(ans)
	clear(ans)
	return false
}

// handle answers GET, PUT and STATUS.
func handle(keys *lockedKeys, line []byte, now time.Time) []byte {
	f := bytes.Fields(line)
	switch {
	case len(f) == 2 && string(f[0]) == "GET":
		ans, ok := keys.get(string(f[1]), now, []byte("KEY "))
		if !ok {
			return []byte("ERR not held\n")
		}
		return append(ans, '\n')
	case len(f) == 4 && string(f[0]) == "PUT":
		id := string(f[1])
		secs, err := strconv.ParseInt(string(f[2]), 10, 64)
		if !validID(id) || err != nil || secs < int64(MinTTL/time.Second) || secs > int64(MaxTTL/time.Second) {
			return []byte("ERR bad request\n")
		}
		var buf [48]byte
		n, err := base64.StdEncoding.Decode(buf[:], f[3])
		if err != nil || n != keySize {
			clear(buf[:])
			return []byte("ERR bad key\n")
		}
		if err := keys.put(id, buf[:n], now.Add(time.Duration(secs)*time.Second)); err != nil {
			return []byte("ERR " + err.Error() + "\n")
		}
		return []byte("OK\n")
	case len(f) == 1 && string(f[0]) == "STATUS":
		return append(keys.status(fmt.Appendf(nil, "OK %d", os.Getpid())), '\n')
	}
	return []byte("ERR bad request\n")
}

// Start runs exe with args as the agent (exe's args must lead to Run),
// detached in its own session, hands it the key on a pipe (never argv or
// environment) and waits until it listens. env is the agent's environment;
// pass one without secrets.
func Start(exe string, args, env []string, vaultID string, key []byte, ttl time.Duration) (pid int, err error) {
	req, err := putRequest(vaultID, key, ttl)
	if err != nil {
		return 0, err
	}
	defer clear(req)
	if _, err := SocketPath(); err != nil {
		return 0, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("cannot start the unlock agent: %w", err)
	}
	in.Write(req)
	in.Close()
	got := make(chan string, 1)
	go func() {
		b, _ := bufio.NewReader(out).ReadString('\n')
		got <- b
	}()
	select {
	case s := <-got:
		if s == "ready\n" {
			cmd.Process.Release()
			return cmd.Process.Pid, nil
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
	}
	cmd.Wait()
	msg := bytes.TrimSpace(stderr.Bytes())
	if i := bytes.LastIndexByte(msg, '\n'); i >= 0 {
		msg = msg[i+1:]
	}
	return 0, fmt.Errorf("the unlock agent did not start: %s", bytes.TrimPrefix(msg, []byte("vmfa: ")))
}
