//go:build linux

package agent

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

const ioTimeout = 3 * time.Second

// call sends one request and returns the answer line's words.
func call(req []byte) ([]byte, error) {
	p, err := SocketPath()
	if err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("unix", p, ioTimeout)
	if err != nil {
		if errors.Is(err, unix.EACCES) {
			return nil, fmt.Errorf("%w (%s is not ours)", ErrRefused, p)
		}
		return nil, ErrNoAgent
	}
	defer c.Close()
	uc := c.(*net.UnixConn)
	// Only talk to an agent of our own user: a key is sent by PUT.
	if uid, err := peerUID(uc); err != nil || uid != os.Getuid() {
		return nil, fmt.Errorf("%w (the process at %s runs as uid %d)", ErrRefused, p, uid)
	}
	c.SetDeadline(time.Now().Add(ioTimeout))
	if _, err := c.Write(req); err != nil {
		return nil, fmt.Errorf("cannot talk to the unlock agent: %w", err)
	}
	line, err := bufio.NewReaderSize(c, 512).ReadSlice('\n')
	if err != nil {
		return nil, fmt.Errorf("the unlock agent did not answer: %w", err)
	}
	out := bytes.Clone(bytes.TrimRight(line, "\n"))
	clear(line)
	if rest, ok := bytes.CutPrefix(out, []byte("ERR ")); ok {
		switch {
		case bytes.HasPrefix(rest, []byte("refused")):
			return nil, fmt.Errorf("%w (%s)", ErrRefused, rest)
		case bytes.HasPrefix(rest, []byte("not held")):
			return nil, ErrNotHeld
		}
		return nil, fmt.Errorf("unlock agent: %s", rest)
	}
	return out, nil
}

// peerUID is the uid of the process at the other end of c.
func peerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return -1, err
	}
	if cerr != nil {
		return -1, cerr
	}
	return int(cred.Uid), nil
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Get asks the agent for the key of the vault with this ID. The caller
// clears the key when done.
func Get(vaultID string) ([]byte, error) {
	if !validID(vaultID) {
		return nil, fmt.Errorf("bad vault id %q", vaultID)
	}
	ans, err := call([]byte("GET " + vaultID + "\n"))
	if err != nil {
		return nil, err
	}
	defer clear(ans)
	b64, ok := bytes.CutPrefix(ans, []byte("KEY "))
	if !ok {
		return nil, errors.New("unlock agent: unexpected answer")
	}
	key := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
	n, err := base64.StdEncoding.Decode(key, b64)
	if err != nil || n != keySize {
		clear(key)
		return nil, errors.New("unlock agent: malformed key")
	}
	return key[:n], nil
}

// Lookup is Get for vault.Options.KeyCache: nil on any failure, so that
// the vault falls back to asking the passphrase.
func Lookup(vaultID string) []byte {
	k, err := Get(vaultID)
	if err != nil {
		return nil
	}
	return k
}

// Put hands a running agent the key of a vault to hold for ttl.
func Put(vaultID string, key []byte, ttl time.Duration) error {
	req, err := putRequest(vaultID, key, ttl)
	if err != nil {
		return err
	}
	defer clear(req)
	_, err = call(req)
	return err
}

func putRequest(vaultID string, key []byte, ttl time.Duration) ([]byte, error) {
	if !validID(vaultID) || len(key) != keySize {
		return nil, errors.New("bad vault id or key")
	}
	if ttl < MinTTL || ttl > MaxTTL {
		return nil, fmt.Errorf("the unlock time must be between %s and %s (got %s)", MinTTL, MaxTTL, ttl)
	}
	secs := int64((ttl + time.Second - 1) / time.Second)
	req := fmt.Appendf(nil, "PUT %s %d ", vaultID, secs)
	b := make([]byte, base64.StdEncoding.EncodedLen(len(key)))
	base64.StdEncoding.Encode(b, key)
	req = append(req, b...)
	clear(b)
	return append(req, '\n'), nil
}

// Query asks a running agent what it holds.
func Query() (Status, error) {
	ans, err := call([]byte("STATUS\n"))
	if err != nil {
		return Status{}, err
	}
	f := strings.Fields(string(ans))
	if len(f) < 2 || f[0] != "OK" {
		return Status{}, errors.New("unlock agent: unexpected answer")
	}
	var st Status
	st.PID, _ = strconv.Atoi(f[1])
	for _, kv := range f[2:] {
		id, exp, _ := strings.Cut(kv, "=")
		n, _ := strconv.ParseInt(exp, 10, 64)
		st.Vault = append(st.Vault, Held{id, time.Unix(n, 0)})
	}
	return st, nil
}

// Stop ends the running agent, which forgets every key. ErrNoAgent when
// none runs.
func Stop() error {
	_, err := call([]byte("STOP\n"))
	return err
}
