package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The import password from the environment is removed from it once read,
// so that no child process inherits it; a file wins over the environment.
func TestImportPasswordSources(t *testing.T) {
	t.Setenv("VMFA_IMPORT_PASSWORD", "from env")
	p, err := importPassword("")
	if err != nil || string(p) != "from env" {
		t.Fatalf("%q %v", p, err)
	}
	if _, ok := os.LookupEnv("VMFA_IMPORT_PASSWORD"); ok {
		t.Error("VMFA_IMPORT_PASSWORD still set after reading")
	}
	if p, err := importPassword(""); p != nil || err != nil {
		t.Errorf("nothing given: %q %v", p, err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "pw")
	os.WriteFile(f, []byte("from file\r\nsecond line\n"), 0o600)
	t.Setenv("VMFA_IMPORT_PASSWORD", "from env")
	if p, err := importPassword(f); err != nil || string(p) != "from file" {
		t.Errorf("file: %q %v", p, err)
	}
	if _, ok := os.LookupEnv("VMFA_IMPORT_PASSWORD"); ok {
		t.Error("VMFA_IMPORT_PASSWORD still set when a file was given")
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, err := importPassword(empty); err == nil || err.Error() != "the password file is empty" {
		t.Errorf("empty file: %v", err)
	}
}
