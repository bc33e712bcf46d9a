//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package secretservice

// Lookup is not available here: the OS keyring is not a Secret Service.
func Lookup(service string, users ...string) (map[string][]byte, error) {
	return nil, ErrUnsupported
}
