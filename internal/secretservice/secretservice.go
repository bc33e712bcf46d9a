// Package secretservice reads items from a freedesktop.org Secret Service
// (gnome-keyring, KeePassXC) over D-Bus in as few round trips as the
// protocol allows: the session is opened and every item searched for in one
// pipelined exchange, and all the secrets come back from one GetSecrets.
// go-keyring, which vmfa uses for everything else, makes seven sequential
// calls per item.
//
// It reads what go-keyring writes: items with the attributes "service" and
// "username", in the "login" collection or else the default one, the first
// match of each search, through a "plain" session as go-keyring's are. It
// never prompts: an item it cannot read without one (a locked collection)
// is ErrLocked, and the caller falls back to go-keyring, which asks the
// Secret Service to unlock it.
package secretservice

import "errors"

// Errors returned by Lookup.
var (
	// ErrUnsupported: this platform has no Secret Service.
	ErrUnsupported = errors.New("no secret service on this platform")
	// ErrLocked: an item was found but its secret cannot be read without
	// unlocking its collection.
	ErrLocked = errors.New("the secret service holds the item locked")
)
