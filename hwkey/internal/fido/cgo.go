//go:build cgo

package fido

import libfido2 "github.com/keys-pub/go-libfido2"

// Available: this build talks to security keys through libfido2.
const Available = true

type (
	Device             = libfido2.Device
	DeviceLocation     = libfido2.DeviceLocation
	DeviceInfo         = libfido2.DeviceInfo
	Option             = libfido2.Option
	OptionValue        = libfido2.OptionValue
	DeviceType         = libfido2.DeviceType
	RelyingParty       = libfido2.RelyingParty
	User               = libfido2.User
	Attestation        = libfido2.Attestation
	Assertion          = libfido2.Assertion
	AssertionOpts      = libfido2.AssertionOpts
	MakeCredentialOpts = libfido2.MakeCredentialOpts
	Credential         = libfido2.Credential
	CredentialType     = libfido2.CredentialType
	CredentialsInfo    = libfido2.CredentialsInfo
	CredProtect        = libfido2.CredProtect
	Extension          = libfido2.Extension
	Error              = libfido2.Error
)

const (
	FIDO2                       = libfido2.FIDO2
	U2F                         = libfido2.U2F
	Default                     = libfido2.Default
	True                        = libfido2.True
	False                       = libfido2.False
	ES256                       = libfido2.ES256
	CredProtectNone             = libfido2.CredProtectNone
	CredProtectUVOptional       = libfido2.CredProtectUVOptional
	CredProtectUVOptionalWithID = libfido2.CredProtectUVOptionalWithID
	CredProtectUVRequired       = libfido2.CredProtectUVRequired
	HMACSecretExtension         = libfido2.HMACSecretExtension
	CredProtectExtension        = libfido2.CredProtectExtension
)

var (
	DeviceLocations = libfido2.DeviceLocations
	NewDevice       = libfido2.NewDevice
)

var (
	ErrInvalidArgument      = libfido2.ErrInvalidArgument
	ErrUserPresenceRequired = libfido2.ErrUserPresenceRequired
	ErrTX                   = libfido2.ErrTX
	ErrRX                   = libfido2.ErrRX
	ErrNotAllowed           = libfido2.ErrNotAllowed
	ErrActionTimeout        = libfido2.ErrActionTimeout
	ErrPinNotSet            = libfido2.ErrPinNotSet
	ErrInvalidCommand       = libfido2.ErrInvalidCommand
	ErrInvalidLength        = libfido2.ErrInvalidLength
	ErrInvalidCredential    = libfido2.ErrInvalidCredential
	ErrUnsupportedOption    = libfido2.ErrUnsupportedOption
	ErrPinInvalid           = libfido2.ErrPinInvalid
	ErrRXNotCBOR            = libfido2.ErrRXNotCBOR
	ErrPinPolicyViolation   = libfido2.ErrPinPolicyViolation
	ErrInternal             = libfido2.ErrInternal
	ErrNoCredentials        = libfido2.ErrNoCredentials
	ErrPinAuthBlocked       = libfido2.ErrPinAuthBlocked
	ErrPinRequired          = libfido2.ErrPinRequired
	ErrMissingParameter     = libfido2.ErrMissingParameter
	ErrUPRequired           = libfido2.ErrUPRequired
	ErrRXInvalidCBOR        = libfido2.ErrRXInvalidCBOR
	ErrOperationDenied      = libfido2.ErrOperationDenied
	ErrNotFIDO2             = libfido2.ErrNotFIDO2
	ErrKeepaliveCancel      = libfido2.ErrKeepaliveCancel
	ErrInvalidOption        = libfido2.ErrInvalidOption
	ErrOther                = libfido2.ErrOther
)
