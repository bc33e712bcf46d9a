package scanner

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/scanner/internal/backupcrypto"
	"github.com/vmfa/vmfa/scanner/internal/javamap"
)

// FreeOTP 2.x backup (its externalBackup.xml, despite the name): a
// Java-serialised HashMap<String, String>.
// "masterKey" holds
//
//	{"mAlgorithm": "PBKDF2withHmacSHA512", "mIterations": N, "mSalt": [bytes],
//	 "mEncryptedKey": {"mCipher": "AES/GCM/NoPadding", "mCipherText": [bytes],
//	                   "mParameters": [DER GCMParameters], "mToken": "AES"}}
//
// where the password's PBKDF2 key unwraps the master key (AES-GCM, mToken
// as additional data). Each token has two entries: "UUID" holds
// {"key": "<encrypted key JSON as above, mToken the HMAC name>"}, and
// "UUID-token" the token's JSON (as FreeOTP 1.x, without its secret). The
// byte lists are Java's signed bytes.

// javaStreamMagic starts a Java serialisation stream (version 5).
var javaStreamMagic = []byte{0xac, 0xed, 0x00, 0x05}

type javaBytes []byte

// UnmarshalJSON reads a list of Java bytes (-128 to 255).
func (b *javaBytes) UnmarshalJSON(data []byte) error {
	var ints []int
	if err := json.Unmarshal(data, &ints); err != nil {
		return err
	}
	out := make([]byte, len(ints))
	for i, v := range ints {
		if v < -128 || v > 255 {
			return fmt.Errorf("%d is not a byte", v)
		}
		out[i] = byte(v)
	}
	*b = out
	return nil
}

type freeOTPEncryptedKey struct {
	Cipher     string    `json:"mCipher"`
	CipherText javaBytes `json:"mCipherText"`
	Parameters javaBytes `json:"mParameters"`
	Token      string    `json:"mToken"`
}

type freeOTPMasterKey struct {
	Algorithm    string               `json:"mAlgorithm"`
	Iterations   int                  `json:"mIterations"`
	Salt         javaBytes            `json:"mSalt"`
	EncryptedKey *freeOTPEncryptedKey `json:"mEncryptedKey"`
}

// open decrypts an encrypted key with key.
func (k *freeOTPEncryptedKey) open(key []byte) ([]byte, error) {
	if k.Cipher != "AES/GCM/NoPadding" {
		return nil, fmt.Errorf("cipher %.40q is not AES/GCM/NoPadding", k.Cipher)
	}
	var p struct {
		Nonce  []byte
		TagLen int `asn1:"optional,default:12"`
	}
	if rest, err := asn1.Unmarshal(k.Parameters, &p); err != nil || len(rest) != 0 {
		return nil, errors.New("the gcm parameters are not DER")
	}
	if p.TagLen != 16 || len(p.Nonce) < 12 || len(p.Nonce) > 16 {
		return nil, fmt.Errorf("gcm with a %d-byte tag and a %d-byte nonce (want 16 and 12)", p.TagLen, len(p.Nonce))
	}
	return backupcrypto.OpenGCM(key, p.Nonce, k.CipherText, []byte(k.Token))
}

// importFreeOTPBackup reads a FreeOTP 2.x backup: the serialised map, or
// the app's own tokens.xml (a preferences map of the same entries, from a
// rooted phone).
func importFreeOTPBackup(data, password []byte) ([]entry, error) {
	if password == nil {
		return nil, needPassword(freeOTPEncName)
	}
	var (
		keys []string
		m    map[string]string
	)
	if isFreeOTPBackup(data) {
		var err error
		if keys, m, err = javamap.Read(data); err != nil {
			return nil, damaged(freeOTPEncName, err.Error())
		}
	} else {
		prefs, err := readPrefs(data, "freeotp tokens.xml")
		if err != nil {
			return nil, err
		}
		m = map[string]string{}
		for _, p := range prefs {
			if p.Kind == "string" {
				keys = append(keys, p.Name)
				m[p.Name] = p.Value
			}
		}
	}
	return freeOTP2Entries(keys, m, password)
}

func freeOTP2Entries(keys []string, m map[string]string, password []byte) ([]entry, error) {
	mkJSON, ok := m["masterKey"]
	if !ok {
		return nil, damaged(freeOTPEncName, `it has no "masterKey"`)
	}
	var mk freeOTPMasterKey
	if err := json.Unmarshal([]byte(mkJSON), &mk); err != nil {
		return nil, jsonError("freeotp masterKey", []byte(mkJSON), err)
	}
	var h func() hash.Hash
	switch strings.ToLower(mk.Algorithm) {
	case "pbkdf2withhmacsha1":
		h = sha1.New
	case "pbkdf2withhmacsha256":
		h = sha256.New
	case "pbkdf2withhmacsha512":
		h = sha512.New
	default:
		return nil, fmt.Errorf("this %s derives its key with %q, which vmfa does not know", freeOTPEncName, textutil.Clip(mk.Algorithm))
	}
	if mk.EncryptedKey == nil || len(mk.Salt) == 0 {
		return nil, damaged(freeOTPEncName, "the master key has no salt or no encrypted key")
	}
	kek, err := backupcrypto.PBKDF2(h, password, mk.Salt, mk.Iterations, 32)
	if err != nil {
		return nil, kdfError("freeotp", err)
	}
	master, err := mk.EncryptedKey.open(kek)
	if errors.Is(err, backupcrypto.ErrAuth) {
		return nil, wrongPassword(freeOTPEncName)
	}
	if err != nil {
		return nil, damaged(freeOTPEncName, "master key: "+err.Error())
	}
	// Tokens: every key but masterKey and the "-token" entries, in the
	// order of their labels (a HashMap has no order of its own).
	var ids []string
	for _, k := range keys {
		if k != "masterKey" && k != "tokenOrder" && !strings.HasSuffix(k, "-token") {
			ids = append(ids, k)
		}
	}
	slices.Sort(ids)
	var entries []entry
	for i, id := range ids {
		e := entry{where: fmt.Sprintf("token %d", i+1)}
		tokenJSON, ok := m[id+"-token"]
		if !ok {
			e.err = fmt.Errorf("token %.40q has a key but no %q entry", id, "-token")
			entries = append(entries, e)
			continue
		}
		var t freeOTPToken
		if err := json.Unmarshal([]byte(tokenJSON), &t); err != nil {
			e.err = jsonError("freeotp token", []byte(tokenJSON), err)
			entries = append(entries, e)
			continue
		}
		e.where = entryName(i, firstNonEmpty(t.IssuerExt, t.IssuerInt), t.Label)
		var wrap struct {
			Key string `json:"key"`
		}
		var ek freeOTPEncryptedKey
		if err := json.Unmarshal([]byte(m[id]), &wrap); err != nil || wrap.Key == "" {
			e.err = errors.New(`its key entry is not {"key": "…"}`)
		} else if err := json.Unmarshal([]byte(wrap.Key), &ek); err != nil {
			e.err = jsonError("freeotp key", []byte(wrap.Key), err)
		} else if secret, err := ek.open(master); err != nil {
			e.err = fmt.Errorf("its key does not decrypt with the master key (the backup is damaged): %v", err)
		} else {
			e.acc, e.err = freeOTPAccount(&t, secret, time.Now())
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: the %s holds no token", ErrNoAccounts, freeOTPEncName)
	}
	return entries, nil
}

// isFreeOTPBackup reports a Java serialisation stream.
func isFreeOTPBackup(data []byte) bool { return bytes.HasPrefix(data, javaStreamMagic) }
