package hwkey

/*
#cgo LDFLAGS: -lfido2
#include <fido.h>
#include <stdlib.h>

// vmfa_get_assert opens path (through the fidoshim definitions when the
// key is virtual) and runs a get-assertion; libfido2 collects every
// assertion the key returns (getNextAssertion) into a.
static int
vmfa_get_assert(const char *path, fido_assert_t *a, const char *pin)
{
	fido_dev_t *dev;
	int r;

	if ((dev = fido_dev_new()) == NULL)
		return FIDO_ERR_INTERNAL;
	if ((r = fido_dev_open(dev, path)) != FIDO_OK) {
		fido_dev_free(&dev);
		return r;
	}
	r = fido_dev_get_assert(dev, a, pin);
	fido_dev_close(dev);
	fido_dev_free(&dev);
	return r;
}

// vmfa_rk_remaining returns the key's remainingDiscoverableCredentials, or
// -1 when it does not say (or on failure).
static int64_t
vmfa_rk_remaining(const char *path)
{
	fido_dev_t *dev;
	fido_cbor_info_t *ci;
	int64_t n = -1;

	if ((dev = fido_dev_new()) == NULL)
		return -1;
	if (fido_dev_open(dev, path) != FIDO_OK) {
		fido_dev_free(&dev);
		return -1;
	}
	if ((ci = fido_cbor_info_new()) != NULL) {
		if (fido_dev_get_cbor_info(dev, ci) == FIDO_OK)
			n = fido_cbor_info_rk_remaining(ci);
		fido_cbor_info_free(&ci);
	}
	fido_dev_close(dev);
	fido_dev_free(&dev);
	return n;
}
*/
import "C"

import (
	"unsafe"

	libfido2 "github.com/vmfa/vmfa/hwkey/internal/fido"
)

func getAssertAll(path string, req AssertRequest) ([]Assertion, error) {
	a := C.fido_assert_new()
	if a == nil {
		return nil, libfido2.ErrInternal
	}
	defer C.fido_assert_free(&a)
	cRP := C.CString(req.RPID)
	defer C.free(unsafe.Pointer(cRP))
	if r := C.fido_assert_set_rp(a, cRP); r != C.FIDO_OK {
		return nil, errFromCode(r)
	}
	cdh := C.CBytes(req.ClientDataHash)
	defer C.free(cdh)
	if r := C.fido_assert_set_clientdata_hash(a, (*C.uchar)(cdh), C.size_t(len(req.ClientDataHash))); r != C.FIDO_OK {
		return nil, errFromCode(r)
	}
	up := C.FIDO_OPT_OMIT
	if req.NoUserPresence {
		up = C.FIDO_OPT_FALSE
	}
	if r := C.fido_assert_set_up(a, C.fido_opt_t(up)); r != C.FIDO_OK {
		return nil, errFromCode(r)
	}
	uv := C.FIDO_OPT_OMIT
	if req.UserVerification {
		uv = C.FIDO_OPT_TRUE
	}
	if r := C.fido_assert_set_uv(a, C.fido_opt_t(uv)); r != C.FIDO_OK {
		return nil, errFromCode(r)
	}
	cPath := C.CString(path)
	defer C.free(unsafe.Pointer(cPath))
	var cPIN *C.char
	if req.PIN != "" {
		cPIN = C.CString(req.PIN)
		defer func() {
			// Wipe the PIN's C copy before freeing it.
			b := unsafe.Slice((*byte)(unsafe.Pointer(cPIN)), len(req.PIN))
			clear(b)
			C.free(unsafe.Pointer(cPIN))
		}()
	}
	if r := C.vmfa_get_assert(cPath, a, cPIN); r != C.FIDO_OK {
		return nil, errFromCode(r)
	}
	n := int(C.fido_assert_count(a))
	out := make([]Assertion, 0, n)
	for i := range n {
		idx := C.size_t(i)
		ad, err := UnwrapAuthData(C.GoBytes(unsafe.Pointer(C.fido_assert_authdata_ptr(a, idx)), C.int(C.fido_assert_authdata_len(a, idx))))
		if err != nil {
			return nil, err
		}
		out = append(out, Assertion{
			CredentialID: C.GoBytes(unsafe.Pointer(C.fido_assert_id_ptr(a, idx)), C.int(C.fido_assert_id_len(a, idx))),
			AuthData:     ad,
			Signature:    C.GoBytes(unsafe.Pointer(C.fido_assert_sig_ptr(a, idx)), C.int(C.fido_assert_sig_len(a, idx))),
			UserHandle:   C.GoBytes(unsafe.Pointer(C.fido_assert_user_id_ptr(a, idx)), C.int(C.fido_assert_user_id_len(a, idx))),
			UserName:     goString(C.fido_assert_user_name(a, idx)),
			DisplayName:  goString(C.fido_assert_user_display_name(a, idx)),
		})
	}
	return out, nil
}

// rkRemaining asks a FIDO2 key how many more discoverable credentials it
// can store (CTAP 2.1 getInfo remainingDiscoverableCredentials); -1 when
// it does not say. go-libfido2's Info leaves it out.
func rkRemaining(path string) int {
	cPath := C.CString(path)
	defer C.free(unsafe.Pointer(cPath))
	return int(C.vmfa_rk_remaining(cPath))
}

func goString(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// errFromCode maps a libfido2 status to go-libfido2's errors, which
// translate knows.
func errFromCode(code C.int) error {
	switch code {
	case C.FIDO_ERR_TX:
		return libfido2.ErrTX
	case C.FIDO_ERR_RX:
		return libfido2.ErrRX
	case C.FIDO_ERR_INVALID_ARGUMENT:
		return libfido2.ErrInvalidArgument
	case C.FIDO_ERR_USER_PRESENCE_REQUIRED:
		return libfido2.ErrUserPresenceRequired
	case C.FIDO_ERR_INVALID_COMMAND:
		return libfido2.ErrInvalidCommand
	case C.FIDO_ERR_INVALID_LENGTH:
		return libfido2.ErrInvalidLength
	case C.FIDO_ERR_MISSING_PARAMETER:
		return libfido2.ErrMissingParameter
	case C.FIDO_ERR_NOT_ALLOWED:
		return libfido2.ErrNotAllowed
	case C.FIDO_ERR_ACTION_TIMEOUT:
		return libfido2.ErrActionTimeout
	case C.FIDO_ERR_PIN_NOT_SET:
		return libfido2.ErrPinNotSet
	case C.FIDO_ERR_UNSUPPORTED_OPTION:
		return libfido2.ErrUnsupportedOption
	case C.FIDO_ERR_PIN_INVALID:
		return libfido2.ErrPinInvalid
	case C.FIDO_ERR_RX_NOT_CBOR:
		return libfido2.ErrRXNotCBOR
	case C.FIDO_ERR_INTERNAL:
		return libfido2.ErrInternal
	case C.FIDO_ERR_PIN_POLICY_VIOLATION:
		return libfido2.ErrPinPolicyViolation
	case C.FIDO_ERR_NO_CREDENTIALS:
		return libfido2.ErrNoCredentials
	case C.FIDO_ERR_PIN_AUTH_BLOCKED:
		return libfido2.ErrPinAuthBlocked
	case C.FIDO_ERR_PIN_REQUIRED:
		return libfido2.ErrPinRequired
	case C.FIDO_ERR_RX_INVALID_CBOR:
		return libfido2.ErrRXInvalidCBOR
	case C.FIDO_ERR_OPERATION_DENIED:
		return libfido2.ErrOperationDenied
	case C.FIDO_ERR_KEEPALIVE_CANCEL:
		return libfido2.ErrKeepaliveCancel
	case C.FIDO_ERR_INVALID_OPTION:
		return libfido2.ErrInvalidOption
	case C.FIDO_ERR_ERR_OTHER:
		return libfido2.ErrOther
	}
	return libfido2.Error{Code: int(code)}
}
