//go:build !cgo

package fido

import (
	"errors"
	"fmt"
)

// Available: this build has no libfido2.
const Available = false

// The types below have go-libfido2's shapes (the fields hwkey reads and
// writes); nothing creates a Device, so no method does more than fail.

type Device struct{}

type DeviceLocation struct {
	Path         string
	ProductID    int16
	VendorID     int16
	Manufacturer string
	Product      string
}

type Option struct {
	Name  string
	Value OptionValue
}

type DeviceInfo struct {
	Versions   []string
	Extensions []string
	AAGUID     []byte
	Options    []Option
	Protocols  []byte
}

type DeviceType string

type RelyingParty struct {
	ID   string
	Name string
}

type User struct {
	ID          []byte
	Name        string
	DisplayName string
	Icon        string
}

type Attestation struct {
	ClientDataHash []byte
	AuthData       []byte
	CredentialID   []byte
	CredentialType CredentialType
	PubKey         []byte
	Cert           []byte
	Sig            []byte
	Format         string
}

type Credential struct {
	ID   []byte
	Type CredentialType
	User User
}

type CredentialType int

type Extension string

type Assertion struct {
	AuthDataCBOR []byte
	Sig          []byte
	HMACSecret   []byte
	CredentialID []byte
	User         User
}

type OptionValue string

type CredentialsInfo struct {
	RKExisting  int64
	RKRemaining int64
}

type MakeCredentialOpts struct {
	Extensions  []Extension
	RK          OptionValue
	UV          OptionValue
	CredProtect CredProtect
}

type CredProtect string

type AssertionOpts struct {
	Extensions []Extension
	UV         OptionValue
	UP         OptionValue
	HMACSalt   []byte
}

type Error struct{ Code int }

func (e Error) Error() string { return fmt.Sprintf("libfido2 error %d", e.Code) }

const (
	FIDO2                       DeviceType     = "fido2"
	U2F                         DeviceType     = "u2f"
	Default                     OptionValue    = ""
	True                        OptionValue    = "true"
	False                       OptionValue    = "false"
	ES256                       CredentialType = -7
	CredProtectNone             CredProtect    = ""
	CredProtectUVOptional       CredProtect    = "uv-optional"
	CredProtectUVOptionalWithID CredProtect    = "uv-optional-with-id"
	CredProtectUVRequired       CredProtect    = "uv-required"
	HMACSecretExtension         Extension      = "hmac-secret"
	CredProtectExtension        Extension      = "credProtect"
)

// DeviceLocations finds no device: there is no libfido2 to ask.
func DeviceLocations() ([]*DeviceLocation, error) { return nil, ErrUnavailable }

// NewDevice fails: there is no libfido2 to open a device with.
func NewDevice(path string) (*Device, error) { return nil, ErrUnavailable }

// The errors keep go-libfido2's texts so that messages read the same.
var (
	ErrInvalidArgument      = errors.New("invalid argument")
	ErrUserPresenceRequired = errors.New("user presence required")
	ErrTX                   = errors.New("tx error")
	ErrRX                   = errors.New("rx error")
	ErrNotAllowed           = errors.New("not allowed")
	ErrActionTimeout        = errors.New("action timed out")
	ErrPinNotSet            = errors.New("pin not set")
	ErrInvalidCommand       = errors.New("invalid command")
	ErrInvalidLength        = errors.New("invalid length")
	ErrInvalidCredential    = errors.New("invalid credential")
	ErrUnsupportedOption    = errors.New("unsupported option")
	ErrPinInvalid           = errors.New("pin invalid")
	ErrRXNotCBOR            = errors.New("rx not CBOR")
	ErrPinPolicyViolation   = errors.New("pin policy violation")
	ErrInternal             = errors.New("internal error")
	ErrNoCredentials        = errors.New("no credentials")
	ErrPinAuthBlocked       = errors.New("pin auth blocked")
	ErrPinRequired          = errors.New("pin required")
	ErrMissingParameter     = errors.New("missing parameter")
	ErrUPRequired           = errors.New("up required")
	ErrRXInvalidCBOR        = errors.New("rx invalid cbor")
	ErrOperationDenied      = errors.New("operation denied")
	ErrNotFIDO2             = errors.New("not a FIDO2 device")
	ErrKeepaliveCancel      = errors.New("keep alive cancel")
	ErrInvalidOption        = errors.New("invalid option")
	ErrOther                = errors.New("other error")
)

// The Device methods hwkey calls; none is reachable, as NewDevice fails.

func (d *Device) Cancel() error                                { return ErrUnavailable }
func (d *Device) IsFIDO2() (bool, error)                       { return false, ErrUnavailable }
func (d *Device) Type() (DeviceType, error)                    { return "", ErrUnavailable }
func (d *Device) Info() (*DeviceInfo, error)                   { return nil, ErrUnavailable }
func (d *Device) SetPIN(pin, old string) error                 { return ErrUnavailable }
func (d *Device) Reset() error                                 { return ErrUnavailable }
func (d *Device) RetryCount() (int, error)                     { return 0, ErrUnavailable }
func (d *Device) DeleteCredential(id []byte, pin string) error { return ErrUnavailable }

func (d *Device) MakeCredential(clientDataHash []byte, rp RelyingParty, user User, typ CredentialType, pin string, opts *MakeCredentialOpts) (*Attestation, error) {
	return nil, ErrUnavailable
}

func (d *Device) Assertion(rpID string, clientDataHash []byte, credentialIDs [][]byte, pin string, opts *AssertionOpts) (*Assertion, error) {
	return nil, ErrUnavailable
}

func (d *Device) CredentialsInfo(pin string) (*CredentialsInfo, error) { return nil, ErrUnavailable }

func (d *Device) Credentials(rpID, pin string) ([]*Credential, error) { return nil, ErrUnavailable }

func (d *Device) RelyingParties(pin string) ([]*RelyingParty, error) { return nil, ErrUnavailable }
