package tui

// BlobStore is implemented by stores that keep named opaque blobs next to
// the accounts, such as the state of vmfa's virtual security keys
// (hwkey.BlobName). The Store returned by VaultStore implements it.
type BlobStore interface {
	// Blob returns a copy of the named blob, nil when absent.
	Blob(name string) []byte
	// SetBlob stores (or, with nil, removes) the named blob.
	SetBlob(name string, data []byte) error
}

var _ BlobStore = vaultStore{}

func (s vaultStore) Blob(name string) []byte                { return s.v.Blob(name) }
func (s vaultStore) SetBlob(name string, data []byte) error { return s.v.SetBlob(name, data) }

// HoldBlob serialises a blob's users across vmfa processes (see
// vault.Vault.HoldBlob): the security keys screen holds a virtual key's
// state for the length of one operation.
func (s vaultStore) HoldBlob(name string) (func(), error) { return s.v.HoldBlob(name) }
