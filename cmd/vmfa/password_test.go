package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The import password comes from $VMFA_IMPORT_PASSWORD (read through
// internal/envsecret, which removes it from the environment) unless
// --password-file is given, which wins; the file's first line is the
// password.
func TestImportPasswordSources(t *testing.T) {
	t.Setenv("VMFA_IMPORT_PASSWORD", "from env")
	p, err := importPassword("")
	if err != nil || string(p) != "from env" {
		t.Fatalf("%q %v", p, err)
	}
	if _, ok := os.LookupEnv("VMFA_IMPORT_PASSWORD"); ok {
		t.Error("VMFA_IMPORT_PASSWORD still set after reading")
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "pw")
	os.WriteFile(f, []byte("from file\r\nsecond line\n"), 0o600)
	if p, err := importPassword(f); err != nil || string(p) != "from file" {
		t.Errorf("file: %q %v", p, err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, err := importPassword(empty); err == nil || err.Error() != "the password file is empty" {
		t.Errorf("empty file: %v", err)
	}
}
