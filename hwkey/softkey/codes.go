package softkey

import (
	"errors"

	"github.com/fxamacker/cbor/v2"
)

// CTAP2 status codes (CTAP 2.0/2.1 §8.2 "Status codes").
const (
	statusOK                       = 0x00
	errInvalidCommand              = 0x01
	errInvalidParameter            = 0x02
	errInvalidLength               = 0x03
	errCBORUnexpectedType          = 0x11
	errInvalidCBOR                 = 0x12
	errMissingParameter            = 0x14
	errUnsupportedExtension        = 0x16
	errCredentialExcluded          = 0x19
	errUnsupportedAlgorithm        = 0x26
	errOperationDenied             = 0x27
	errKeyStoreFull                = 0x28
	errUnsupportedOption           = 0x2B
	errInvalidOption               = 0x2C
	errKeepaliveCancel             = 0x2D
	errNoCredentials               = 0x2E
	errUserActionTimeout           = 0x2F
	errNotAllowed                  = 0x30
	errPINInvalid                  = 0x31
	errPINBlocked                  = 0x32
	errPINAuthInvalid              = 0x33
	errPINAuthBlocked              = 0x34
	errPINNotSet                   = 0x35
	errPINRequired                 = 0x36
	errPINPolicyViolation          = 0x37
	errUnauthorizedPermission      = 0x40
	errOther                       = 0x7F
	cmdMakeCredential              = 0x01
	cmdGetAssertion                = 0x02
	cmdGetInfo                     = 0x04
	cmdClientPIN                   = 0x06
	cmdReset                       = 0x07
	cmdGetNextAssertion            = 0x08
	cmdCredentialManagement        = 0x0A
	cmdCredentialMgmtPreview       = 0x41
	coseES256                      = -7
	coseECDHESHKDF256              = -25
	coseKtyEC2                     = 2
	coseCrvP256                    = 1
	flagUP                    byte = 0x01
	flagUV                    byte = 0x04
	flagAT                    byte = 0x40
	flagED                    byte = 0x80
)

var (
	// encMode is CTAP2 canonical CBOR: definite lengths, shortest forms,
	// map keys sorted length-first then bytewise (integer keys ascending,
	// positive before negative).
	encMode cbor.EncMode
	// decMode is strict: no duplicate keys, no indefinite lengths, no tags,
	// valid UTF-8, shallow nesting.
	decMode cbor.DecMode
)

func init() {
	var err error
	if encMode, err = cbor.CTAP2EncOptions().EncMode(); err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
		MaxNestedLevels:  8,
		MaxArrayElements: 1024,
		MaxMapPairs:      256,
		UTF8:             cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// cborStatus maps a decoding error to a CTAP2 status.
func cborStatus(err error) byte {
	var te *cbor.UnmarshalTypeError
	if errors.As(err, &te) {
		return errCBORUnexpectedType
	}
	return errInvalidCBOR
}

// reply encodes a successful CTAP2 response.
func reply(v any) []byte {
	b, err := encMode.Marshal(v)
	if err != nil {
		return []byte{errOther}
	}
	return append([]byte{statusOK}, b...)
}

// coseKey is a COSE_Key for an EC2 P-256 public key.
type coseKey struct {
	Kty int    `cbor:"1,keyasint"`
	Alg int    `cbor:"3,keyasint"`
	Crv int    `cbor:"-1,keyasint"`
	X   []byte `cbor:"-2,keyasint"`
	Y   []byte `cbor:"-3,keyasint"`
}

// coseFromUncompressed builds a COSE key from 0x04 ‖ x ‖ y.
func coseFromUncompressed(p []byte, alg int) coseKey {
	return coseKey{Kty: coseKtyEC2, Alg: alg, Crv: coseCrvP256, X: p[1:33], Y: p[33:65]}
}
