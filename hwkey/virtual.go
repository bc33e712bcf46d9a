package hwkey

import (
	"fmt"

	"github.com/vmfa/vmfa/hwkey/internal/fidoshim"
	"github.com/vmfa/vmfa/hwkey/softkey"
)

// VirtualPath is the device path under which AttachVirtual makes a
// software key of the given mode visible: vmfa-virtual:fido2 or
// vmfa-virtual:u2f.
func VirtualPath(mode softkey.Mode) string { return fidoshim.Prefix + mode.String() }

// BlobName is the vault blob that keeps the state of the software key of
// the given mode: softkey.fido2 or softkey.u2f.
func BlobName(mode softkey.Mode) string { return "softkey." + mode.String() }

// AttachVirtual makes k reachable through the real libfido2, as a USB key
// would be, at VirtualPath(k.Mode()), and returns that path. It replaces a
// key attached earlier in the same mode. Every function of this package
// then works with it, and it shows up in List.
func AttachVirtual(k *softkey.Key) (string, error) {
	if !Available() {
		return "", ErrNoLibfido2
	}
	path := VirtualPath(k.Mode())
	product := fmt.Sprintf("virtual %s security key", k.Mode())
	if err := fidoshim.Attach(path, product, k); err != nil {
		return "", err
	}
	return path, nil
}

// DetachVirtual removes a software key attached with AttachVirtual.
func DetachVirtual(path string) { fidoshim.Detach(path) }
