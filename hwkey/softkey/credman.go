package softkey

import (
	"bytes"
	"crypto/sha256"
	"slices"

	"github.com/fxamacker/cbor/v2"
)

// authenticatorCredentialManagement subcommands (CTAP 2.1 §6.8).
const (
	cmGetCredsMetadata      = 0x01
	cmEnumerateRPsBegin     = 0x02
	cmEnumerateRPsNext      = 0x03
	cmEnumerateCredsBegin   = 0x04
	cmEnumerateCredsNext    = 0x05
	cmDeleteCredential      = 0x06
	cmUpdateUserInformation = 0x07
)

type credMgmtReq struct {
	SubCommand *uint64 `cbor:"1,keyasint"`
	// Params is kept raw: pinUvAuthParam covers its bytes as sent.
	Params      cbor.RawMessage `cbor:"2,keyasint"`
	PinProtocol *uint64         `cbor:"3,keyasint"`
	PinAuth     []byte          `cbor:"4,keyasint"`
}

type credMgmtParams struct {
	RPIDHash     []byte          `cbor:"1,keyasint"`
	CredentialID *credDescriptor `cbor:"2,keyasint"`
	User         *userEntity     `cbor:"3,keyasint"`
}

type rpOut struct {
	ID   string `cbor:"id"`
	Name string `cbor:"name,omitempty"`
}

type credMgmtResp struct {
	Existing         *int           `cbor:"1,keyasint,omitempty"`
	Remaining        *int           `cbor:"2,keyasint,omitempty"`
	RP               *rpOut         `cbor:"3,keyasint,omitempty"`
	RPIDHash         []byte         `cbor:"4,keyasint,omitempty"`
	TotalRPs         int            `cbor:"5,keyasint,omitempty"`
	User             *userOut       `cbor:"6,keyasint,omitempty"`
	CredentialID     *credentialOut `cbor:"7,keyasint,omitempty"`
	PublicKey        *coseKey       `cbor:"8,keyasint,omitempty"`
	TotalCredentials int            `cbor:"9,keyasint,omitempty"`
	CredProtect      int            `cbor:"10,keyasint,omitempty"`
}

// credmanState is an enumeration in progress: what the next "get next"
// subcommand returns. Any other command ends it.
type credmanState struct {
	rps     []rpOut
	creds   []residentCred
	expires int64 // unix nanoseconds of k.now()
}

// credentialManagement implements authenticatorCredentialManagement
// (0x0A, and libfido2's prototype 0x41): every subcommand but the "next"
// ones needs a pinUvAuthToken with the cm permission, over subCommand ‖
// subCommandParams; a token bound to an RP ID reaches only that RP's
// credentials.
func (k *Key) credentialManagement(data []byte) []byte {
	var req credMgmtReq
	if err := decMode.Unmarshal(data, &req); err != nil {
		return []byte{cborStatus(err)}
	}
	if req.SubCommand == nil {
		return []byte{errMissingParameter}
	}
	sub := *req.SubCommand
	var params credMgmtParams
	if len(req.Params) > 0 {
		if err := decMode.Unmarshal(req.Params, &params); err != nil {
			return []byte{cborStatus(err)}
		}
	}
	switch sub {
	case cmEnumerateRPsNext, cmEnumerateCredsNext:
		return k.credmanNext(sub)
	case cmGetCredsMetadata, cmEnumerateRPsBegin, cmEnumerateCredsBegin, cmDeleteCredential, cmUpdateUserInformation:
	default:
		return []byte{errInvalidParameter}
	}
	if req.PinAuth == nil || req.PinProtocol == nil {
		return []byte{errPINRequired} // CTAP2_ERR_PUAT_REQUIRED
	}
	proto, ok := parseProtocol(*req.PinProtocol)
	if !ok {
		return []byte{errInvalidParameter}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.credman = nil
	if k.pinHash == nil {
		return []byte{errPINNotSet}
	}
	if st := k.verifyTokenLocked(proto, req.PinAuth, permCredMgmt, []byte{byte(sub)}, req.Params); st != statusOK {
		return []byte{st}
	}
	tok := k.token
	switch sub {
	case cmGetCredsMetadata:
		if tok.hasRPID {
			return []byte{errPINAuthInvalid}
		}
		n, rem := len(k.resident), max(maxResident-len(k.resident), 0)
		return reply(credMgmtResp{Existing: &n, Remaining: &rem})
	case cmEnumerateRPsBegin:
		if tok.hasRPID {
			return []byte{errPINAuthInvalid}
		}
		rps := k.relyingPartiesLocked()
		if len(rps) == 0 {
			return []byte{errNoCredentials}
		}
		k.credman = &credmanState{rps: rps[1:], expires: k.now().Add(nextAssertionValid).UnixNano()}
		return k.rpReply(rps[0], len(rps))
	case cmEnumerateCredsBegin:
		if len(params.RPIDHash) != 32 {
			return []byte{errMissingParameter}
		}
		if tok.hasRPID && !bytes.Equal(rpIDHash(tok.rpID), params.RPIDHash) {
			return []byte{errPINAuthInvalid}
		}
		var creds []residentCred
		for _, r := range k.resident {
			if bytes.Equal(rpIDHash(r.RPID), params.RPIDHash) {
				creds = append(creds, r)
			}
		}
		if len(creds) == 0 {
			return []byte{errNoCredentials}
		}
		k.credman = &credmanState{creds: creds[1:], expires: k.now().Add(nextAssertionValid).UnixNano()}
		return k.credReplyLocked(creds[0], len(creds))
	}
	// deleteCredential, updateUserInformation.
	if params.CredentialID == nil {
		return []byte{errMissingParameter}
	}
	i := slices.IndexFunc(k.resident, func(r residentCred) bool { return bytes.Equal(r.ID, params.CredentialID.ID) })
	if i < 0 {
		return []byte{errNoCredentials}
	}
	if tok.hasRPID && k.resident[i].RPID != tok.rpID {
		return []byte{errPINAuthInvalid}
	}
	if sub == cmDeleteCredential {
		k.resident = slices.Delete(k.resident, i, i+1)
	} else {
		u := params.User
		if u == nil {
			return []byte{errMissingParameter}
		}
		if !bytes.Equal(u.ID, k.resident[i].UserID) {
			return []byte{errInvalidParameter}
		}
		k.resident[i].UserName, k.resident[i].DisplayName = u.Name, u.DisplayName
	}
	k.mu.Unlock()
	k.notifyChanged()
	k.mu.Lock()
	return []byte{statusOK}
}

// relyingPartiesLocked lists the RPs of the resident credentials, oldest
// first, each with the name given at its latest registration.
func (k *Key) relyingPartiesLocked() []rpOut {
	var rps []rpOut
	for _, r := range k.resident {
		if i := slices.IndexFunc(rps, func(p rpOut) bool { return p.ID == r.RPID }); i >= 0 {
			if r.RPName != "" {
				rps[i].Name = r.RPName
			}
			continue
		}
		rps = append(rps, rpOut{ID: r.RPID, Name: r.RPName})
	}
	return rps
}

func (k *Key) rpReply(rp rpOut, total int) []byte {
	h := sha256.Sum256([]byte(rp.ID))
	return reply(credMgmtResp{RP: &rp, RPIDHash: h[:], TotalRPs: total})
}

// credReplyLocked describes a resident credential: user, ID, public key
// and protection level.
func (k *Key) credReplyLocked(r residentCred, total int) []byte {
	k.mu.Unlock() // unwrapFlags takes it
	priv, fl, ok := k.unwrapFlags(r.ID, rpIDHash(r.RPID))
	k.mu.Lock()
	if !ok {
		return []byte{errOther}
	}
	pub := coseFromUncompressed(uncompressed(&priv.PublicKey), coseES256)
	return reply(credMgmtResp{
		User:             &userOut{ID: r.UserID, Name: r.UserName, DisplayName: r.DisplayName},
		CredentialID:     &credentialOut{ID: r.ID, Type: credTypePublic},
		PublicKey:        &pub,
		TotalCredentials: total,
		CredProtect:      protectLevel(fl),
	})
}

// credmanNext continues an enumeration begun by the previous command.
func (k *Key) credmanNext(sub uint64) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	st := k.credman
	if st == nil || k.now().UnixNano() > st.expires {
		k.credman = nil
		return []byte{errNotAllowed}
	}
	st.expires = k.now().Add(nextAssertionValid).UnixNano()
	switch {
	case sub == cmEnumerateRPsNext && len(st.rps) > 0:
		rp := st.rps[0]
		st.rps = st.rps[1:]
		return k.rpReply(rp, 0)
	case sub == cmEnumerateCredsNext && len(st.creds) > 0:
		c := st.creds[0]
		st.creds = st.creds[1:]
		return k.credReplyLocked(c, 0)
	}
	k.credman = nil
	return []byte{errNotAllowed}
}
