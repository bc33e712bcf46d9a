package softkey

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/fxamacker/cbor/v2"
)

const (
	maxMsgSize      = maxMessage
	maxCredsInList  = 16
	maxUserIDLen    = 64
	extHMACSecret   = "hmac-secret"
	extCredProtect  = "credProtect"
	versionFIDO21   = "FIDO_2_1"
	credTypePublic  = "public-key"
	versionU2F      = "U2F_V2"
	versionFIDO20   = "FIDO_2_0"
	hmacSaltMaxSize = 64
)

// CTAP2 processes one CTAP2 request, command byte ‖ CBOR parameters, and
// returns status byte ‖ CBOR response. A U2FOnly key answers
// CTAP1_ERR_INVALID_COMMAND. Touch is asked for through Options.Touch without
// cancellation.
func (k *Key) CTAP2(req []byte) []byte {
	return k.ctap2(directOperation(), req)
}

func (k *Key) ctap2(op *operation, req []byte) []byte {
	if k.mode != FIDO2 {
		return []byte{errInvalidCommand}
	}
	if len(req) == 0 {
		return []byte{errInvalidLength}
	}
	params := req[1:]
	if req[0] != cmdCredentialManagement && req[0] != cmdCredentialMgmtPreview {
		// An enumeration continues only with the next credential
		// management command.
		k.mu.Lock()
		k.credman = nil
		k.mu.Unlock()
	}
	switch req[0] {
	case cmdGetInfo:
		if len(params) != 0 {
			return []byte{errInvalidLength}
		}
		return k.getInfo()
	case cmdMakeCredential:
		return k.makeCredential(op, params)
	case cmdGetAssertion:
		return k.getAssertion(op, params)
	case cmdGetNextAssertion:
		if len(params) != 0 {
			return []byte{errInvalidLength}
		}
		return k.getNextAssertion()
	case cmdClientPIN:
		return k.clientPIN(params)
	case cmdCredentialManagement, cmdCredentialMgmtPreview:
		return k.credentialManagement(params)
	case cmdReset:
		if len(params) != 0 {
			return []byte{errInvalidLength}
		}
		return k.reset(op)
	}
	return []byte{errInvalidCommand}
}

type algorithm struct {
	Alg  int    `cbor:"alg"`
	Type string `cbor:"type"`
}

type infoResp struct {
	Versions     []string        `cbor:"1,keyasint"`
	Extensions   []string        `cbor:"2,keyasint,omitempty"`
	AAGUID       []byte          `cbor:"3,keyasint"`
	Options      map[string]bool `cbor:"4,keyasint"`
	MaxMsgSize   int             `cbor:"5,keyasint"`
	PinProtocols []int           `cbor:"6,keyasint"`
	MaxCredCount int             `cbor:"7,keyasint"`
	MaxCredIDLen int             `cbor:"8,keyasint"`
	Transports   []string        `cbor:"9,keyasint"`
	Algorithms   []algorithm     `cbor:"10,keyasint"`
	MinPINLength int             `cbor:"13,keyasint"`
	// RemainingRK is remainingDiscoverableCredentials (CTAP 2.1).
	RemainingRK int `cbor:"20,keyasint"`
}

// getInfo describes a CTAP 2.1 authenticator (that also speaks CTAP 2.0
// and U2F): PIN/UV auth protocols 2 and 1, pinUvAuthToken permissions,
// credential management (also under the prototype command 0x41 that
// libfido2 sends), credProtect and hmac-secret.
func (k *Key) getInfo() []byte {
	k.mu.Lock()
	pinSet := k.pinHash != nil
	remaining := max(maxResident-len(k.resident), 0)
	k.mu.Unlock()
	return reply(infoResp{
		Versions:   []string{versionU2F, versionFIDO20, versionFIDO21},
		Extensions: []string{extCredProtect, extHMACSecret},
		AAGUID:     k.aaguid[:],
		Options: map[string]bool{
			"plat":                  false,
			"rk":                    true,
			"up":                    true,
			"clientPin":             pinSet,
			"pinUvAuthToken":        true,
			"credMgmt":              true,
			"credentialMgmtPreview": true,
		},
		MaxMsgSize:   maxMsgSize,
		PinProtocols: k.protocols,
		MaxCredCount: maxCredsInList,
		MaxCredIDLen: credIDLen,
		Transports:   []string{"usb"},
		Algorithms:   []algorithm{{Alg: coseES256, Type: credTypePublic}},
		MinPINLength: minPINRunes,
		RemainingRK:  remaining,
	})
}

type rpEntity struct {
	ID   *string `cbor:"id"`
	Name string  `cbor:"name"`
	Icon string  `cbor:"icon"`
}

type userEntity struct {
	ID          []byte `cbor:"id"`
	Name        string `cbor:"name"`
	DisplayName string `cbor:"displayName"`
	Icon        string `cbor:"icon"`
}

type credParam struct {
	Alg  *int64  `cbor:"alg"`
	Type *string `cbor:"type"`
}

type credDescriptor struct {
	ID         []byte   `cbor:"id"`
	Type       *string  `cbor:"type"`
	Transports []string `cbor:"transports"`
}

type makeCredentialReq struct {
	ClientDataHash []byte                     `cbor:"1,keyasint"`
	RP             *rpEntity                  `cbor:"2,keyasint"`
	User           *userEntity                `cbor:"3,keyasint"`
	Params         *[]credParam               `cbor:"4,keyasint"`
	ExcludeList    []credDescriptor           `cbor:"5,keyasint"`
	Extensions     map[string]cbor.RawMessage `cbor:"6,keyasint"`
	Options        map[string]bool            `cbor:"7,keyasint"`
	PinAuth        *[]byte                    `cbor:"8,keyasint"`
	PinProtocol    *uint64                    `cbor:"9,keyasint"`
}

type packedAttStmt struct {
	Alg int      `cbor:"alg"`
	Sig []byte   `cbor:"sig"`
	X5c [][]byte `cbor:"x5c"`
}

type makeCredentialResp struct {
	Fmt      string        `cbor:"1,keyasint"`
	AuthData []byte        `cbor:"2,keyasint"`
	AttStmt  packedAttStmt `cbor:"3,keyasint"`
}

func (k *Key) makeCredential(op *operation, params []byte) []byte {
	var req makeCredentialReq
	if err := decMode.Unmarshal(params, &req); err != nil {
		return []byte{cborStatus(err)}
	}
	if req.ClientDataHash == nil || req.RP == nil || req.RP.ID == nil || req.User == nil || req.User.ID == nil || req.Params == nil {
		return []byte{errMissingParameter}
	}
	if len(req.User.ID) > maxUserIDLen {
		return []byte{errInvalidLength}
	}
	es256 := false
	for _, p := range *req.Params {
		if p.Alg == nil || p.Type == nil {
			return []byte{errMissingParameter}
		}
		if *p.Type == credTypePublic && *p.Alg == coseES256 {
			es256 = true
		}
	}
	if !es256 {
		return []byte{errUnsupportedAlgorithm}
	}
	rk, uvOpt := false, false
	for name, v := range req.Options {
		switch name {
		case "rk":
			rk = v
		case "uv":
			uvOpt = v
		case "up":
			if !v {
				return []byte{errInvalidOption}
			}
		}
	}
	if req.PinAuth != nil && len(*req.PinAuth) == 0 {
		return k.touchProbe(op)
	}
	// No built-in user verification: "uv" can only be met with a PIN
	// (pinUvAuthParam, which takes precedence over the option).
	if uvOpt && req.PinAuth == nil {
		return []byte{errUnsupportedOption}
	}
	rpID := *req.RP.ID
	uv := false
	if req.PinAuth != nil {
		if st := k.checkPINAuth(*req.PinAuth, req.ClientDataHash, req.PinProtocol, permMakeCredential, rpID); st != statusOK {
			return []byte{st}
		}
		uv = true
	} else if k.pinIsSet() {
		return []byte{errPINRequired}
	}
	hmacSecret := false
	if raw, ok := req.Extensions[extHMACSecret]; ok {
		if err := decMode.Unmarshal(raw, &hmacSecret); err != nil {
			return []byte{cborStatus(err)}
		}
	}
	protect := 0
	if raw, ok := req.Extensions[extCredProtect]; ok {
		var level uint64
		if err := decMode.Unmarshal(raw, &level); err != nil {
			return []byte{cborStatus(err)}
		}
		if level < credProtectOptional || level > credProtectRequired {
			return []byte{errInvalidParameter}
		}
		protect = int(level)
	}
	rpHash := rpIDHash(rpID)
	purpose := "register " + rpID
	for _, d := range req.ExcludeList {
		if d.Type == nil || *d.Type != credTypePublic {
			continue
		}
		// A credential that needs user verification stays hidden
		// without it (CTAP 2.1 §6.1.2 step 12).
		if _, fl, ok := k.unwrapFlags(d.ID, rpHash); ok && visible(protectLevel(fl), uv, true) {
			if st := k.userPresence(op, purpose); st == errKeepaliveCancel || st == errUserActionTimeout {
				return []byte{st}
			}
			return []byte{errCredentialExcluded}
		}
	}
	if rk {
		k.mu.Lock()
		full := len(k.resident) >= maxResident && !slices.ContainsFunc(k.resident, func(r residentCred) bool {
			return r.RPID == rpID && bytes.Equal(r.UserID, req.User.ID)
		})
		k.mu.Unlock()
		if full {
			return []byte{errKeyStoreFull}
		}
	}
	if st := k.userPresence(op, purpose); st != statusOK {
		return []byte{st}
	}
	var cflags byte
	if hmacSecret {
		cflags |= credHMACSecret
	}
	if rk {
		cflags |= credResident
	}
	cflags |= byte(protect) << credProtectShift
	priv, credID, err := k.newCredential(rpHash, cflags)
	if err != nil {
		return []byte{errOther}
	}
	if rk {
		k.storeResident(residentCred{ID: credID, RPID: rpID, RPName: req.RP.Name, UserID: req.User.ID, UserName: req.User.Name, DisplayName: req.User.DisplayName})
	}

	flags := flagUP | flagAT
	if uv {
		flags |= flagUV
	}
	var ext []byte
	if hmacSecret || protect != 0 {
		flags |= flagED
		outs := map[string]any{}
		if hmacSecret {
			outs[extHMACSecret] = true
		}
		if protect != 0 {
			outs[extCredProtect] = protect
		}
		ext, _ = encMode.Marshal(outs)
	}
	cose, err := encMode.Marshal(coseFromUncompressed(uncompressed(&priv.PublicKey), coseES256))
	if err != nil {
		return []byte{errOther}
	}
	k.mu.Lock()
	counter := k.counter
	k.mu.Unlock()
	authData := make([]byte, 0, 37+16+2+len(credID)+len(cose)+len(ext))
	authData = append(authData, rpHash...)
	authData = append(authData, flags)
	authData = binary.BigEndian.AppendUint32(authData, counter)
	authData = append(authData, k.aaguid[:]...)
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(credID)))
	authData = append(authData, credID...)
	authData = append(authData, cose...)
	authData = append(authData, ext...)
	sig, err := sign(k.attKey, append(bytes.Clone(authData), req.ClientDataHash...))
	if err != nil {
		return []byte{errOther}
	}
	if rk {
		k.notifyChanged()
	}
	return reply(makeCredentialResp{
		Fmt:      "packed",
		AuthData: authData,
		AttStmt:  packedAttStmt{Alg: coseES256, Sig: sig, X5c: [][]byte{k.attCert}},
	})
}

// storeResident adds a discoverable credential, replacing the one of the
// same user at the same relying party.
func (k *Key) storeResident(rc residentCred) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.resident = slices.DeleteFunc(k.resident, func(r residentCred) bool {
		return r.RPID == rc.RPID && bytes.Equal(r.UserID, rc.UserID)
	})
	k.residentSeq++
	rc.Seq = k.residentSeq
	k.resident = append(k.resident, rc)
}

func (k *Key) pinIsSet() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.pinHash != nil
}

// touchProbe answers a zero-length pinAuth: wait for a touch, then say
// whether a PIN is set (CTAP 2.0 §5.1 step 1, §5.2 step 1).
func (k *Key) touchProbe(op *operation) []byte {
	if st := k.userPresence(op, "confirm touch"); st != statusOK {
		return []byte{st}
	}
	if k.pinIsSet() {
		return []byte{errPINInvalid}
	}
	return []byte{errPINNotSet}
}

type getAssertionReq struct {
	RPID           *string                    `cbor:"1,keyasint"`
	ClientDataHash []byte                     `cbor:"2,keyasint"`
	AllowList      []credDescriptor           `cbor:"3,keyasint"`
	Extensions     map[string]cbor.RawMessage `cbor:"4,keyasint"`
	Options        map[string]bool            `cbor:"5,keyasint"`
	PinAuth        *[]byte                    `cbor:"6,keyasint"`
	PinProtocol    *uint64                    `cbor:"7,keyasint"`
}

type hmacSecretReq struct {
	KeyAgreement *coseKey `cbor:"1,keyasint"`
	SaltEnc      []byte   `cbor:"2,keyasint"`
	SaltAuth     []byte   `cbor:"3,keyasint"`
	PinProtocol  *uint64  `cbor:"4,keyasint"`
}

type credentialOut struct {
	ID   []byte `cbor:"id"`
	Type string `cbor:"type"`
}

type userOut struct {
	ID          []byte `cbor:"id"`
	Name        string `cbor:"name,omitempty"`
	DisplayName string `cbor:"displayName,omitempty"`
}

type assertionResp struct {
	Credential          credentialOut `cbor:"1,keyasint"`
	AuthData            []byte        `cbor:"2,keyasint"`
	Signature           []byte        `cbor:"3,keyasint"`
	User                *userOut      `cbor:"4,keyasint,omitempty"`
	NumberOfCredentials int           `cbor:"5,keyasint,omitempty"`
}

// candidate is a credential selected for an assertion.
type candidate struct {
	id       []byte
	resident *residentCred
}

// hmacSecretIn is a validated hmac-secret request: shared secret and salts.
type hmacSecretIn struct {
	proto  pinProtocol
	shared []byte
	salts  []byte // salt1 or salt1 ‖ salt2
}

// nextAssertion is what getNextAssertion continues.
type nextAssertion struct {
	rest    []candidate
	rpHash  []byte
	cdh     []byte
	up, uv  bool
	hs      *hmacSecretIn
	expires int64 // unix nanoseconds of k.now()
}

func (k *Key) getAssertion(op *operation, params []byte) []byte {
	var req getAssertionReq
	if err := decMode.Unmarshal(params, &req); err != nil {
		return []byte{cborStatus(err)}
	}
	if req.RPID == nil || req.ClientDataHash == nil {
		return []byte{errMissingParameter}
	}
	up, uvOpt := true, false
	for name, v := range req.Options {
		switch name {
		case "up":
			up = v
		case "uv":
			uvOpt = v
		case "rk":
			return []byte{errInvalidOption}
		}
	}
	if req.PinAuth != nil && len(*req.PinAuth) == 0 {
		return k.touchProbe(op)
	}
	if uvOpt && req.PinAuth == nil {
		return []byte{errUnsupportedOption}
	}
	uv := false
	if req.PinAuth != nil {
		if st := k.checkPINAuth(*req.PinAuth, req.ClientDataHash, req.PinProtocol, permGetAssertion, *req.RPID); st != statusOK {
			return []byte{st}
		}
		uv = true
	}
	var hs *hmacSecretIn
	if raw, ok := req.Extensions[extHMACSecret]; ok {
		var st byte
		if hs, st = k.parseHMACSecret(raw); st != statusOK {
			return []byte{st}
		}
	}
	rpHash := rpIDHash(*req.RPID)
	var cands []candidate
	if len(req.AllowList) > 0 {
		for _, d := range req.AllowList {
			if d.Type == nil || *d.Type != credTypePublic {
				continue
			}
			if _, fl, ok := k.unwrapFlags(d.ID, rpHash); ok && visible(protectLevel(fl), uv, true) {
				cands = append(cands, candidate{id: d.ID, resident: k.findResident(d.ID)})
				break
			}
		}
	} else {
		k.mu.Lock()
		var rs []residentCred
		for i := len(k.resident) - 1; i >= 0; i-- { // newest first
			if r := k.resident[i]; r.RPID == *req.RPID {
				rs = append(rs, r)
			}
		}
		k.mu.Unlock()
		for _, r := range rs {
			if _, fl, ok := k.unwrapFlags(r.ID, rpHash); ok && visible(protectLevel(fl), uv, false) {
				cands = append(cands, candidate{id: r.ID, resident: &r})
			}
		}
	}
	if len(cands) == 0 {
		return []byte{errNoCredentials}
	}
	if up {
		if st := k.userPresence(op, "authenticate "+*req.RPID); st != statusOK {
			return []byte{st}
		}
	}
	number := 0
	k.mu.Lock()
	k.next = nil
	if len(req.AllowList) == 0 && len(cands) > 1 {
		number = len(cands)
		k.next = &nextAssertion{
			rest: cands[1:], rpHash: rpHash, cdh: req.ClientDataHash, up: up, uv: uv, hs: hs,
			expires: k.now().Add(nextAssertionValid).UnixNano(),
		}
	}
	k.mu.Unlock()
	return k.assertion(cands[0], rpHash, req.ClientDataHash, up, uv, hs, number)
}

func (k *Key) getNextAssertion() []byte {
	k.mu.Lock()
	n := k.next
	if n == nil || len(n.rest) == 0 || k.now().UnixNano() > n.expires {
		k.next = nil
		k.mu.Unlock()
		return []byte{errNotAllowed}
	}
	c := n.rest[0]
	n.rest = n.rest[1:]
	n.expires = k.now().Add(nextAssertionValid).UnixNano()
	k.mu.Unlock()
	return k.assertion(c, n.rpHash, n.cdh, n.up, n.uv, n.hs, 0)
}

func (k *Key) findResident(id []byte) *residentCred {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range k.resident {
		if bytes.Equal(r.ID, id) {
			return &r
		}
	}
	return nil
}

// assertion signs authData ‖ clientDataHash with the credential and builds
// the getAssertion response; it increments the signature counter.
func (k *Key) assertion(c candidate, rpHash, cdh []byte, up, uv bool, hs *hmacSecretIn, number int) []byte {
	priv, cflags, ok := k.unwrapFlags(c.id, rpHash)
	if !ok {
		return []byte{errNoCredentials}
	}
	var flags byte
	if up {
		flags |= flagUP
	}
	if uv {
		flags |= flagUV
	}
	var ext []byte
	if hs != nil && cflags&credHMACSecret != 0 {
		out, ok := k.hmacSecretOutput(c.id, hs)
		if !ok {
			return []byte{errOther}
		}
		ext, _ = encMode.Marshal(map[string][]byte{extHMACSecret: out})
		flags |= flagED
	}
	counter := k.nextCounter()
	authData := make([]byte, 0, 37+len(ext))
	authData = append(authData, rpHash...)
	authData = append(authData, flags)
	authData = binary.BigEndian.AppendUint32(authData, counter)
	authData = append(authData, ext...)
	sig, err := sign(priv, append(bytes.Clone(authData), cdh...))
	if err != nil {
		return []byte{errOther}
	}
	k.notifyChanged()
	resp := assertionResp{
		Credential:          credentialOut{ID: c.id, Type: credTypePublic},
		AuthData:            authData,
		Signature:           sig,
		NumberOfCredentials: number,
	}
	if c.resident != nil {
		resp.User = &userOut{ID: c.resident.UserID}
		if uv {
			resp.User.Name, resp.User.DisplayName = c.resident.UserName, c.resident.DisplayName
		}
	}
	return reply(resp)
}

// parseHMACSecret validates the hmac-secret getAssertion input (CTAP 2.0
// §10.5): key agreement, saltEnc (32 or 64 bytes), saltAuth.
func (k *Key) parseHMACSecret(raw []byte) (*hmacSecretIn, byte) {
	var r hmacSecretReq
	if err := decMode.Unmarshal(raw, &r); err != nil {
		return nil, cborStatus(err)
	}
	if r.KeyAgreement == nil || r.SaltEnc == nil || r.SaltAuth == nil {
		return nil, errMissingParameter
	}
	proto := pinProtocol(1)
	if r.PinProtocol != nil {
		var ok bool
		if proto, ok = parseProtocol(*r.PinProtocol); !ok {
			return nil, errInvalidParameter
		}
	}
	shared, st := k.sharedSecret(proto, r.KeyAgreement)
	if st != statusOK {
		return nil, st
	}
	if !proto.verify(shared, r.SaltAuth, r.SaltEnc) {
		return nil, errPINAuthInvalid
	}
	salts, ok := proto.decrypt(shared, r.SaltEnc)
	if !ok || (len(salts) != 32 && len(salts) != hmacSaltMaxSize) {
		return nil, errInvalidLength
	}
	return &hmacSecretIn{proto: proto, shared: shared, salts: salts}, statusOK
}

// hmacSecretOutput computes HMAC-SHA-256(CredRandom, salt) for each salt and
// encrypts the result with the shared secret. CredRandom is derived from the
// master secret and the credential ID, so it needs no storage.
func (k *Key) hmacSecretOutput(credID []byte, hs *hmacSecretIn) ([]byte, bool) {
	k.mu.Lock()
	credRandom := derive(k.master, "vmfa softkey hmac-secret")
	k.mu.Unlock()
	m := hmac.New(sha256.New, credRandom)
	m.Write(credID)
	credRandom = m.Sum(nil)
	var out []byte
	for salt := range slices.Chunk(hs.salts, 32) {
		h := hmac.New(sha256.New, credRandom)
		h.Write(salt)
		out = h.Sum(out)
	}
	return hs.proto.encrypt(hs.shared, out)
}

// reset implements authenticatorReset: after a touch, and only within 10 s
// of power-up, it forgets every credential (new master secret), the PIN and
// the resident credentials. The attestation key and the counter survive.
func (k *Key) reset(op *operation) []byte {
	k.mu.Lock()
	late := k.now().Sub(k.powerUp) > resetWindow
	k.mu.Unlock()
	if late {
		return []byte{errNotAllowed}
	}
	if st := k.userPresence(op, "reset security key"); st != statusOK {
		return []byte{st}
	}
	master := make([]byte, 32)
	if _, err := rand.Read(master); err != nil {
		return []byte{errOther}
	}
	k.mu.Lock()
	err := k.setMaster(master)
	if err == nil {
		k.pinHash = nil
		k.pinRetries = maxPINRetries
		k.pinBadInARow = 0
		k.resident = nil
		k.next = nil
		k.credman = nil
		err = k.resetTokenLocked()
	}
	k.mu.Unlock()
	if err != nil {
		return []byte{errOther}
	}
	k.notifyChanged()
	return []byte{statusOK}
}
