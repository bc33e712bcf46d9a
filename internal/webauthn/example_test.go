package webauthn_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/vmfa/vmfa/internal/webauthn"
)

// A registration's attestation object, as a key (here built by hand) sends
// it, read back the way a relying party does.
func ExampleParseAttestationObject() {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pt, _ := priv.PublicKey.Bytes() // 0x04 ‖ x ‖ y
	cose, _ := webauthn.COSEKey(pt[1:])
	rpIDHash := sha256.Sum256([]byte("example.org"))
	credID := []byte("credential-1")
	authData := append(rpIDHash[:], webauthn.FlagUP|webauthn.FlagAT, 0, 0, 0, 1)
	authData = append(authData, make([]byte, 16)...) // AAGUID
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(credID)))
	authData = append(append(authData, credID...), cose...)
	att, _ := webauthn.EncodeAttestationObject(webauthn.FormatNone, webauthn.AlgES256, nil, nil, authData)

	ao, err := webauthn.ParseAttestationObject(att)
	if err != nil {
		fmt.Println(err)
		return
	}
	alg, pub, _ := webauthn.ParseCOSEKey(ao.AuthData.PublicKey)
	fmt.Println(ao.Format, ao.AuthData.UserPresent(), ao.AuthData.SignCount, string(ao.AuthData.CredentialID), alg, pub.Equal(&priv.PublicKey))
	// Output: none true 1 credential-1 -7 true
}

func ExampleParseClientData() {
	cdj := webauthn.ClientDataJSON(webauthn.TypeGet, []byte("a challenge of 16+ bytes"), webauthn.DefaultOrigin("example.org"))
	c, err := webauthn.ParseClientData(cdj)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Type, c.Origin, c.Challenge)
	// Output: webauthn.get https://example.org YSBjaGFsbGVuZ2Ugb2YgMTYrIGJ5dGVz
}
