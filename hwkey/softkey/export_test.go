package softkey

// LastTokenGrant reports the PIN/UV auth protocol, clientPIN subcommand
// and permissions of the last pinUvAuthToken granted, for the libfido2
// tests in package softkey_test.
func (k *Key) LastTokenGrant() (protocol int, subcommand int, perms byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return int(k.lastGrant.proto), int(k.lastGrant.subcommand), k.lastGrant.perms
}
