package verifier

import (
	"crypto/ecdsa"
	"encoding/json"
	"time"

	"github.com/vmfa/vmfa/vault"
)

// Limits on what a verifier holds, so that its state file stays well
// inside what a FileStore reads back (MaxStateSize); a change past one is
// refused with ErrLimit and changes nothing.
const (
	// MaxUsers bounds the users a verifier knows.
	MaxUsers = 10000
	// MaxTokens bounds the hardware-token inventory, and so one import.
	MaxTokens = 10000
	// MaxChallenges bounds the outstanding WebAuthn challenges; past it
	// the oldest is dropped (its ceremony must begin again).
	MaxChallenges = 1000
)

// DeviceState is where a user stands in the one-device life cycle:
// none → pending (secret issued) → bound; Unbind returns to none.
type DeviceState string

// Device states.
const (
	StateNone    DeviceState = "none"
	StatePending DeviceState = "pending"
	StateBound   DeviceState = "bound"
)

// Method is the kind of MFA device, as the audit log names it.
type Method string

// Methods.
const (
	MethodTOTP        Method = "totp"
	MethodHOTP        Method = "hotp"
	MethodOATHToken   Method = "oath-token"
	MethodSecurityKey Method = "security-key"
)

// State is everything a verifier remembers. It holds the verifier's copies
// of TOTP/HOTP secrets in the clear: whoever reads it can mint codes, so a
// Store must keep it private (FileStore writes mode 0600).
type State struct {
	Version    int                   `json:"version"`
	Users      map[string]*User      `json:"users"`
	Tokens     map[string]*Token     `json:"tokens"`
	Challenges map[string]*Challenge `json:"challenges"`
	Audit      []Event               `json:"audit"`
}

func newState() *State {
	s := &State{Version: 1}
	s.init()
	return s
}

func (s *State) init() {
	if s.Users == nil {
		s.Users = map[string]*User{}
	}
	if s.Tokens == nil {
		s.Tokens = map[string]*Token{}
	}
	if s.Challenges == nil {
		s.Challenges = map[string]*Challenge{}
	}
}

// User is one account at the relying party and its (at most one) device.
type User struct {
	Name   string      `json:"name"`
	State  DeviceState `json:"state"`
	Method Method      `json:"method,omitempty"`
	// Handle is the WebAuthn user handle (random, created on first use).
	Handle []byte `json:"handle,omitempty"`

	// OTP is the verifier's copy of a TOTP/HOTP secret (virtual device or
	// assigned token), pending or bound.
	OTP          *vault.Account `json:"otp,omitempty"`
	PendingUntil time.Time      `json:"pending_until,omitzero"`
	Serial       string         `json:"serial,omitempty"`
	// Credential is a bound security key.
	Credential *Credential `json:"credential,omitempty"`
	BoundAt    time.Time   `json:"bound_at,omitzero"`

	// DeviceSerial is the serial number of a virtual MFA device, as a
	// console's CreateVirtualMFADevice returns it.
	DeviceSerial string `json:"device_serial,omitempty"`

	// Replay protection and drift: the highest time step accepted, the
	// offset (in steps, within ±Skew) the last accepted code came from,
	// and the last steps accepted with what accepted them.
	LastStep  uint64    `json:"last_step,omitempty"`
	StepsUsed bool      `json:"steps_used,omitempty"`
	Drift     int       `json:"drift,omitempty"`
	Used      []StepUse `json:"used,omitempty"`

	// Throttling: the failed attempts within the failure window, and
	// the lock with the failures that caused it.
	Failures    []Failure `json:"failures,omitempty"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	LockCause   []Failure `json:"lock_cause,omitempty"`
}

// StepUse records which action accepted a time step, to explain a replay.
type StepUse struct {
	Step   uint64    `json:"step"`
	Action string    `json:"action"` // bind, login, resync
	Time   time.Time `json:"time"`
}

// maxStepUses is how many accepted steps a user keeps (a binding spends
// two).
const maxStepUses = 4

// noteUse records that action accepted step at now.
func noteUse(used []StepUse, step uint64, action string, now time.Time) []StepUse {
	used = append(used, StepUse{Step: step, Action: action, Time: now.UTC()})
	if len(used) > maxStepUses {
		used = append(used[:0], used[len(used)-maxStepUses:]...)
	}
	return used
}

// Failure is one failed attempt: when, and its audit reason.
type Failure struct {
	Time   time.Time `json:"time"`
	Reason string    `json:"reason,omitempty"`
}

// UnmarshalJSON also reads the bare times older state files hold.
func (f *Failure) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		*f = Failure{}
		return json.Unmarshal(b, &f.Time)
	}
	type plain Failure
	return json.Unmarshal(b, (*plain)(f))
}

// Token is a hardware OATH token in the inventory.
type Token struct {
	Serial     string        `json:"serial"`
	Account    vault.Account `json:"account"`
	AssignedTo string        `json:"assigned_to,omitempty"`
	Imported   time.Time     `json:"imported"`
	// The highest time step accepted from the token, kept across holders.
	LastStep  uint64    `json:"last_step,omitempty"`
	StepsUsed bool      `json:"steps_used,omitempty"`
	Used      []StepUse `json:"used,omitempty"`
}

// Credential is a registered security-key credential.
type Credential struct {
	ID              []byte    `json:"id"`
	PublicKey       []byte    `json:"public_key"` // COSE_Key as registered
	Algorithm       int64     `json:"alg"`
	SignCount       uint32    `json:"sign_count"`
	AAGUID          []byte    `json:"aaguid,omitempty"`
	Format          string    `json:"fmt"`
	Attestation     string    `json:"attestation"` // none, self, basic, basic-unverified
	RPID            string    `json:"rp_id"`
	Origin          string    `json:"origin"`
	AppID           string    `json:"appid,omitempty"` // legacy U2F AppID
	UVInitialized   bool      `json:"uv_initialized,omitempty"`
	BackupEligible  bool      `json:"backup_eligible,omitempty"`
	BackupState     bool      `json:"backup_state,omitempty"`
	Transports      []string  `json:"transports,omitempty"`
	Created         time.Time `json:"created"`
	LastUsed        time.Time `json:"last_used,omitzero"`
	PossiblyCloned  bool      `json:"possibly_cloned,omitempty"`
	RequireUV       bool      `json:"require_uv,omitempty"`
	publicKeyParsed *ecdsa.PublicKey
}

// Challenge is an outstanding WebAuthn challenge: random, single use,
// expiring.
type Challenge struct {
	User      string    `json:"user"`
	Ceremony  string    `json:"ceremony"` // "webauthn.create" or "webauthn.get"
	Expires   time.Time `json:"expires"`
	Used      bool      `json:"used,omitempty"`
	RPID      string    `json:"rp_id"`
	Origin    string    `json:"origin"`
	AppID     string    `json:"appid,omitempty"`
	RequireUV bool      `json:"require_uv,omitempty"`
}

// Event is one audit record: every verification, successful or denied,
// and every administrative change.
type Event struct {
	Time     time.Time `json:"time"`
	User     string    `json:"user"`
	Method   Method    `json:"method,omitempty"`
	Action   string    `json:"action"` // bind, login, register, resync, unbind, assign
	Result   string    `json:"result"` // success or denied
	Reason   string    `json:"reason,omitempty"`
	Client   string    `json:"client,omitempty"`
	IP       string    `json:"ip,omitempty"`
	Verifier string    `json:"verifier"`
}

// Results recorded in Event.Result.
const (
	ResultSuccess = "success"
	ResultDenied  = "denied"
)

// Client describes who asked for a verification, for the audit log. The
// zero value is fine.
type Client struct {
	Name string
	IP   string
}
