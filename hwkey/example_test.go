package hwkey_test

import (
	"context"
	"fmt"
	"github.com/vmfa/vmfa/internal/webauthn"
	"log"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
)

func ExampleClientDataJSON() {
	challenge := []byte("0123456789abcdef")
	fmt.Println(string(hwkey.ClientDataJSON(hwkey.TypeCreate, challenge, "https://example.com")))
	// Output: {"type":"webauthn.create","challenge":"MDEyMzQ1Njc4OWFiY2RlZg","origin":"https://example.com","crossOrigin":false}
}

// Register the software key through the real libfido2, as a browser would
// with a USB key, and get the PublicKeyCredential a server expects.
func ExampleClient_Create() {
	k, err := softkey.New(softkey.FIDO2, softkey.Options{})
	if err != nil {
		log.Fatal(err)
	}
	path, err := hwkey.AttachVirtual(k)
	if err != nil {
		log.Fatal(err)
	}
	defer hwkey.DetachVirtual(path)

	opts, err := hwkey.ParseCreationOptions([]byte(`{"publicKey": {
		"rp": {"id": "example.com", "name": "Example"},
		"user": {"id": "dXNlci0x", "name": "alice", "displayName": "Alice"},
		"challenge": "3q2-7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFw",
		"pubKeyCredParams": [{"type": "public-key", "alg": -7}]}}`))
	if err != nil {
		log.Fatal(err)
	}
	client := &hwkey.Client{Path: path}
	cred, err := client.Create(context.Background(), opts)
	if err != nil {
		log.Fatal(err)
	}
	att, _ := webauthn.DecodeB64(cred.Response.AttestationObject)
	ao, _ := webauthn.ParseAttestationObject(att)
	ad := ao.AuthData
	fmt.Println(path, cred.Type, ao.Format, ad.Flags&webauthn.FlagUP != 0, cred.ID == webauthn.B64(ad.CredentialID))
	// Output: vmfa-virtual:fido2 public-key packed true true
}
