//go:build linux

package agent

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// TestHandle drives the request handler: PUT then GET returns the key,
// expiry forgets it, malformed requests get an error line, never a key.
func TestHandle(t *testing.T) {
	keys := newLockedKeys()
	defer keys.wipe()
	now := time.Unix(1_000_000, 0)
	key := bytes.Repeat([]byte{7}, keySize)
	req, err := putRequest("0123456789abcdef", key, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if ans := handle(keys, req, now); string(ans) != "OK\n" {
		t.Fatalf("PUT: %q", ans)
	}
	ans := handle(keys, []byte("GET 0123456789abcdef\n"), now.Add(time.Second))
	if want := "KEY " + base64.StdEncoding.EncodeToString(key) + "\n"; string(ans) != want {
		t.Fatalf("GET: %q, want %q", ans, want)
	}
	if ans := handle(keys, []byte("GET 0123456789abcdef\n"), now.Add(2*time.Second)); string(ans) != "ERR not held\n" {
		t.Fatalf("GET after expiry: %q", ans)
	}
	if n, _ := keys.expire(now.Add(2 * time.Second)); n != 0 {
		t.Fatalf("%d keys left after expiry", n)
	}
	for _, bad := range []string{"", "\n", "GET\n", "GET ../x\n", "PUT a 10 xx\n", "PUT a 0 " + base64.StdEncoding.EncodeToString(key) + "\n",
		"PUT a 99999999999 " + base64.StdEncoding.EncodeToString(key) + "\n", "PUT a 10 " + base64.StdEncoding.EncodeToString(key[:31]) + "\n", "HELLO\n"} {
		if ans := handle(keys, []byte(bad), now); !strings.HasPrefix(string(ans), "ERR ") {
			t.Errorf("%q: %q", bad, ans)
		}
	}
	if _, err := putRequest("0123456789abcdef", key, MaxTTL+time.Second); err == nil {
		t.Error("a ttl over MaxTTL was accepted")
	}
}

// FuzzHandle: no request line panics the agent or makes it answer with a
// key it was not given.
func FuzzHandle(f *testing.F) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, keySize))
	for _, s := range []string{"GET 0123456789abcdef\n", "PUT 0123456789abcdef 60 " + key + "\n", "STATUS\n", "STOP\n", "PUT a 1 " + key + key + "\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		keys := newLockedKeys()
		defer keys.wipe()
		ans := handle(keys, line, time.Unix(0, 0))
		if bytes.HasPrefix(ans, []byte("KEY ")) {
			t.Fatalf("a key from an empty agent: %q -> %q", line, ans)
		}
		if len(ans) == 0 || ans[len(ans)-1] != '\n' || bytes.Count(ans, []byte("\n")) != 1 {
			t.Fatalf("not one answer line: %q", ans)
		}
	})
}
