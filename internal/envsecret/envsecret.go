// Package envsecret is the one place vmfa reads secrets from environment
// variables. Each is read once and removed from the environment at once,
// so that no child process (a clipboard helper, an editor) inherits it.
// The value stays in this process, for every later Lookup.
//
// The process's initial environment block (/proc/PID/environ, readable by
// the same user only) still holds what vmfa was started with: prefer the
// *_FILE variables and the prompts.
package envsecret

import (
	"os"
	"sync"
)

// Names are the environment variables that carry secrets.
var Names = []string{"VMFA_PASSPHRASE", "VMFA_NEW_PASSPHRASE", "VMFA_IMPORT_PASSWORD", "VMFA_PSKC_PASSPHRASE"}

var (
	mu    sync.Mutex
	taken = map[string]*string{} // nil value: was not set
)

// Capture reads and unsets every variable in Names. vmfa's main calls it
// first thing, before any goroutine or child process can see them.
func Capture() {
	for _, n := range Names {
		Lookup(n)
	}
}

// Lookup returns the value of a secret environment variable and whether it
// was set, removing it from the environment on first use (os.Unsetenv,
// which with cgo also reaches the C environment children get).
func Lookup(name string) (string, bool) {
	mu.Lock()
	defer mu.Unlock()
	if v, ok := taken[name]; ok {
		if v == nil {
			return "", false
		}
		return *v, true
	}
	v, ok := os.LookupEnv(name)
	os.Unsetenv(name)
	if !ok {
		taken[name] = nil
		return "", false
	}
	taken[name] = &v
	return v, true
}
