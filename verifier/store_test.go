package verifier

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// A read of a state that does not exist yet creates nothing (a mistyped
// --state given to "status" must not leave a directory and a lock file
// behind); the first update creates the directory (0700) and the file
// (0600).
func TestFileStoreViewCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	path := filepath.Join(dir, "sub", "verifier.json")
	f, err := OpenFileStore(path)
	if err != nil {
		t.Fatal(err)
	}
	users := -1
	if err := f.View(func(st *State) error { users = len(st.Users); return nil }); err != nil || users != 0 {
		t.Fatalf("view of a missing state: %v, %d users", err, users)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a view created %s (%v)", dir, err)
	}
	if err := f.Update(func(*State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for name, mode := range map[string]fs.FileMode{filepath.Dir(path): fs.ModeDir | 0o700, path: 0o600} {
		if fi, err := os.Stat(name); err != nil || fi.Mode() != mode {
			t.Errorf("%s after the first update: %v, %v; want %v", name, fi.Mode(), err, mode)
		}
	}
	if err := f.View(func(st *State) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// A registration response for a user who never began one is an unknown
// user (EntityNotExist.User) that says to begin a registration, not to
// "enroll an mfa device" (an enrollment is the TOTP path).
func TestFinishRegistrationWithoutBegin(t *testing.T) {
	v, _ := newTestVerifier(t, nil)
	_, err := v.FinishRegistration("frank", []byte("{}"), Client{})
	if !errors.Is(err, ErrUnknownUser) || Code(err) != "EntityNotExist.User" || err.Error() != "unknown user (begin a security key registration first)" {
		t.Fatalf("got %v (code %s)", err, Code(err))
	}
}
