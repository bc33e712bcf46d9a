package scanner

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"

	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
	"github.com/vmfa/vmfa/vault"
)

// Aegis encrypted vault (as in Aegis's docs/vault.md): the db is
// AES-256-GCM under a random master key, base64 in "db", its nonce and tag
// in header.params (hex). Each slot holds the master key wrapped with
// AES-256-GCM; a password slot (type 1) derives its key with
// scrypt(password, salt, N, r, p), a biometric slot (type 2) with a key in
// the phone's keystore.

const (
	aegisSlotRaw       = 0
	aegisSlotPassword  = 1
	aegisSlotBiometric = 2
)

// Aegis's own scrypt parameters, used by WriteAegisEncrypted.
const (
	AegisScryptN = 1 << 15
	AegisScryptR = 8
	AegisScryptP = 1
)

type aegisParams struct {
	Nonce string `json:"nonce"`
	Tag   string `json:"tag"`
}

type aegisSlot struct {
	Type      int         `json:"type"`
	UUID      string      `json:"uuid"`
	Key       string      `json:"key"`
	KeyParams aegisParams `json:"key_params"`
	N         int         `json:"n,omitempty"`
	R         int         `json:"r,omitempty"`
	P         int         `json:"p,omitempty"`
	Salt      string      `json:"salt,omitempty"`
	Repaired  bool        `json:"repaired,omitempty"`
	IsBackup  bool        `json:"is_backup,omitempty"`
}

// open unwraps the sealed data (hex) with key, nonce and tag in p (hex).
func (p aegisParams) open(key []byte, sealedHex []byte) ([]byte, error) {
	nonce, err1 := hex.DecodeString(p.Nonce)
	tag, err2 := hex.DecodeString(p.Tag)
	if err := errors.Join(err1, err2); err != nil || len(nonce) != 12 || len(tag) != 16 {
		return nil, fmt.Errorf("%w: nonce must be 12 and tag 16 bytes of hex", backupcrypto.ErrData)
	}
	return backupcrypto.OpenGCM(key, nonce, append(sealedHex, tag...), nil)
}

// decryptAegis returns the plain db of an encrypted Aegis vault.
func decryptAegis(f *aegisFile, password []byte) ([]byte, error) {
	var slots []aegisSlot
	if err := json.Unmarshal(f.Header.Slots, &slots); err != nil {
		return nil, jsonError("aegis", f.Header.Slots, err)
	}
	var params aegisParams
	if err := json.Unmarshal(f.Header.Params, &params); err != nil || isNull(f.Header.Params) {
		return nil, damaged(aegisEncName, "header.params must hold the nonce and tag of the db")
	}
	var dbText string
	if err := json.Unmarshal(f.DB, &dbText); err != nil {
		return nil, damaged(aegisEncName, "db must be a base64 string")
	}
	db, err := base64.StdEncoding.DecodeString(dbText)
	if err != nil {
		return nil, damaged(aegisEncName, "db is not base64")
	}
	var pw []aegisSlot
	biometric := false
	for _, s := range slots {
		switch s.Type {
		case aegisSlotPassword:
			pw = append(pw, s)
		case aegisSlotBiometric:
			biometric = true
		}
	}
	if len(pw) == 0 {
		if biometric {
			return nil, ErrBiometricOnly
		}
		return nil, damaged(aegisEncName, "it has no password slot")
	}
	if password == nil {
		return nil, needPassword(aegisEncName)
	}
	var slotErr error
	for _, s := range pw {
		mk, err := s.unlock(password)
		if errors.Is(err, backupcrypto.ErrAuth) {
			continue
		}
		if err != nil {
			slotErr = err
			continue
		}
		plain, err := params.open(mk, db)
		if err != nil {
			return nil, damaged(aegisEncName, "the db does not decrypt with the key its password slot holds")
		}
		return plain, nil
	}
	if slotErr != nil {
		return nil, kdfError("aegis", slotErr)
	}
	return nil, wrongPassword(aegisEncName)
}

// unlock returns the master key of a password slot, or ErrAuth.
func (s aegisSlot) unlock(password []byte) ([]byte, error) {
	salt, err := hex.DecodeString(s.Salt)
	if err != nil {
		return nil, fmt.Errorf("%w: slot salt is not hex", backupcrypto.ErrData)
	}
	sealed, err := hex.DecodeString(s.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: slot key is not hex", backupcrypto.ErrData)
	}
	kek, err := backupcrypto.Scrypt(password, salt, s.N, s.R, s.P)
	if err != nil {
		return nil, err
	}
	mk, err := s.KeyParams.open(kek, sealed)
	if errors.Is(err, backupcrypto.ErrAuth) && !s.Repaired {
		// Aegis issue #95: before a slot was "repaired", passwords were
		// turned into bytes with Java's whole encoder buffer, zero padded;
		// past 64 bytes (the HMAC block) that changes the key.
		if old := aegisLegacyPasswordBytes(password); len(old) > 64 {
			if kek, err = backupcrypto.Scrypt(old, salt, s.N, s.R, s.P); err != nil {
				return nil, err
			}
			mk, err = s.KeyParams.open(kek, sealed)
		}
	}
	if err == nil && len(mk) != 32 {
		return nil, fmt.Errorf("%w: master key is not 32 bytes", backupcrypto.ErrData)
	}
	return mk, err
}

// aegisLegacyPasswordBytes is what Java's StandardCharsets.UTF_8.encode
// gave old Aegis versions through ByteBuffer.array(): the UTF-8 bytes in a
// buffer first sized (int)(UTF-16 length × 1.1f), grown to 2n+1 until
// they fit, the rest zero.
func aegisLegacyPasswordBytes(password []byte) []byte {
	units := len(utf16.Encode(bytes.Runes(password)))
	n := int(float32(units) * float32(1.1))
	for n < len(password) {
		n = 2*n + 1
	}
	out := make([]byte, n)
	copy(out, password)
	return out
}

// WriteAegisEncrypted writes an encrypted Aegis vault, as Aegis writes its
// own encrypted exports: a random master key seals the db (the same db as
// WriteAegis) with AES-256-GCM, and one password slot wraps the master key
// under scrypt(password, 32-byte salt, N=2^15, r=8, p=1).
func WriteAegisEncrypted(w io.Writer, accs []vault.Account, password []byte) error {
	return writeAegisEncrypted(w, accs, password, AegisScryptN)
}

func writeAegisEncrypted(w io.Writer, accs []vault.Account, password []byte, n int) error {
	if len(password) == 0 {
		return errors.New("the export password is empty")
	}
	db, err := json.Marshal(aegisExportDB(accs))
	if err != nil {
		return err
	}
	mk, salt := random(32), random(32)
	kek, err := backupcrypto.Scrypt(password, salt, n, AegisScryptR, AegisScryptP)
	if err != nil {
		return err
	}
	seal := func(key, plain []byte) (string, aegisParams, error) {
		nonce := random(12)
		out, err := backupcrypto.SealGCM(key, nonce, plain, nil)
		if err != nil {
			return "", aegisParams{}, err
		}
		ct, tag := out[:len(out)-16], out[len(out)-16:]
		return hex.EncodeToString(ct), aegisParams{Nonce: hex.EncodeToString(nonce), Tag: hex.EncodeToString(tag)}, nil
	}
	wrapped, keyParams, err := seal(kek, mk)
	if err != nil {
		return err
	}
	dbHex, dbParams, err := seal(mk, db)
	if err != nil {
		return err
	}
	dbCT, _ := hex.DecodeString(dbHex)
	out := struct {
		Version int `json:"version"`
		Header  struct {
			Slots  []aegisSlot `json:"slots"`
			Params aegisParams `json:"params"`
		} `json:"header"`
		DB string `json:"db"`
	}{Version: 1, DB: base64.StdEncoding.EncodeToString(dbCT)}
	out.Header.Slots = []aegisSlot{{
		Type: aegisSlotPassword, UUID: uuid4(), Key: wrapped, KeyParams: keyParams,
		N: n, R: AegisScryptR, P: AegisScryptP, Salt: hex.EncodeToString(salt), Repaired: true,
	}}
	out.Header.Params = dbParams
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func random(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("vmfa: crypto/rand failed: " + err.Error())
	}
	return b
}
