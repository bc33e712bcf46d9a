package verifier

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vmfa/vmfa/vault"
)

func tokenAccounts(n, from int) []vault.Account {
	out := make([]vault.Account, n)
	for i := range out {
		out[i] = vault.Account{Type: vault.TOTP, Serial: fmt.Sprintf("TK-%06d", from+i), Secret: []byte("12345678901234567890")}
	}
	return out
}

// Issue 10 item 5: the verifier refuses what would pass its limits, and
// says the limit.
func TestUserLimit(t *testing.T) {
	v, _ := newTestVerifier(t, nil)
	err := v.store.Update(func(st *State) error {
		for i := 0; i < MaxUsers; i++ {
			name := fmt.Sprintf("u%d", i)
			st.Users[name] = &User{Name: name, State: StatePending}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Enroll("one-too-many", EnrollOptions{})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "at most 10000 users with a device") || Code(err) != "LimitExceeded" {
		t.Fatalf("got %v", err)
	}
	if _, err := v.BeginRegistration("one-too-many", RegisterOptions{}); !errors.Is(err, ErrLimit) {
		t.Fatalf("registration: %v", err)
	}
	// Known users still enroll.
	if _, err := v.Enroll("u1", EnrollOptions{}); err != nil {
		t.Fatal(err)
	}
	// Users left without a device by an unbind are forgotten to make
	// room; a user with failures pending is kept.
	if err := v.Unbind("u2", Client{}); err != nil {
		t.Fatal(err)
	}
	v.store.Update(func(st *State) error {
		st.Users["u3"].State = StateNone
		st.Users["u3"].Failures = []Failure{{Time: start, Reason: "wrong-code"}}
		return nil
	})
	if _, err := v.Enroll("newcomer", EnrollOptions{}); err != nil {
		t.Fatalf("enroll with an unbound user to forget: %v", err)
	}
	st, _ := v.Status("")
	if len(st) != MaxUsers {
		t.Fatalf("%d users", len(st))
	}
	for _, s := range st {
		if s.User == "u2" {
			t.Fatal("the unbound user was kept")
		}
	}
	if _, err := v.Enroll("one-more", EnrollOptions{}); !errors.Is(err, ErrLimit) {
		t.Fatalf("u3 with failures was forgotten: %v", err)
	}
}

func TestTokenLimit(t *testing.T) {
	v, _ := newTestVerifier(t, nil)
	_, err := v.ImportTokens(tokenAccounts(MaxTokens+1, 0))
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "at most 10000 tokens") {
		t.Fatalf("oversize import: %v", err)
	}
	if res, err := v.ImportTokens(tokenAccounts(MaxTokens-1, 0)); err != nil || len(res.Added) != MaxTokens-1 {
		t.Fatalf("import to the limit: %v", err)
	}
	// Two new tokens, one already there: refused as a whole.
	_, err = v.ImportTokens(tokenAccounts(3, MaxTokens-2))
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "the inventory holds at most 10000 tokens (it has 9999, the file adds 2)") {
		t.Fatalf("past the inventory limit: %v", err)
	}
	toks, _ := v.Tokens()
	if len(toks) != MaxTokens-1 {
		t.Fatalf("%d tokens after a refused import", len(toks))
	}
	if res, err := v.ImportTokens(tokenAccounts(2, MaxTokens-2)); err != nil || len(res.Added) != 1 || len(res.Skipped) != 1 {
		t.Fatalf("to exactly the limit: %+v %v", res, err)
	}
}

// A FileStore never writes a state larger than it reads back: the update
// is refused, the file left as it was and still readable.
func TestStateSizeCheckedBeforeWriting(t *testing.T) {
	defer func(n int) { stateSizeLimit = n }(stateSizeLimit)
	stateSizeLimit = 64 << 10
	path := filepath.Join(t.TempDir(), "verifier.json")
	v, _ := newTestVerifierStore(t, NewFileStore(path), nil)
	var err error
	n := 0
	for ; n < 1000 && err == nil; n++ {
		_, err = v.ImportTokens(tokenAccounts(10, n*10))
	}
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "more than the 64 KiB vmfa reads back; nothing was written") {
		t.Fatalf("after %d imports: %v", n, err)
	}
	before, _ := os.ReadFile(path)
	if len(before) > stateSizeLimit {
		t.Fatalf("wrote %d bytes, more than the %d the store reads", len(before), stateSizeLimit)
	}
	toks, err := v.Tokens()
	if err != nil || len(toks) != (n-1)*10 {
		t.Fatalf("the state no longer reads: %d tokens, %v", len(toks), err)
	}
	// Audit events too: a login attempt whose record would not fit is
	// refused as a whole.
	if err := v.Unbind("nobody", Client{}); !errors.Is(err, ErrLimit) && !errors.Is(err, ErrNoDevice) {
		t.Fatalf("unbind: %v", err)
	}
	after, _ := os.ReadFile(path)
	if len(after) > stateSizeLimit {
		t.Fatalf("wrote %d bytes", len(after))
	}
}

// Outstanding challenges are bounded: the oldest goes first.
func TestChallengeLimit(t *testing.T) {
	v, clk := newTestVerifier(t, nil)
	first, err := v.BeginRegistration("cal", RegisterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < MaxChallenges; i++ {
		clk.Advance(time.Millisecond)
		if _, err := v.BeginRegistration("cal", RegisterOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	v.store.View(func(st *State) error {
		if len(st.Challenges) != MaxChallenges {
			t.Fatalf("%d challenges", len(st.Challenges))
		}
		if _, ok := st.Challenges[first.Challenge]; ok {
			t.Fatal("the oldest challenge was kept")
		}
		return nil
	})
}
