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

// Make a passkey on the software key (with its PIN), list the key's
// passkeys through credential management, sign in without naming the
// credential, and delete it.
func ExampleListResidentCredentials() {
	k, err := softkey.New(softkey.FIDO2, softkey.Options{})
	if err != nil {
		log.Fatal(err)
	}
	path, err := hwkey.AttachVirtual(k)
	if err != nil {
		log.Fatal(err)
	}
	defer hwkey.DetachVirtual(path)
	ctx := context.Background()
	const pin = "2468"
	if err := hwkey.SetPIN(ctx, path, pin); err != nil {
		log.Fatal(err)
	}
	opts, err := hwkey.ParseCreationOptions([]byte(`{"publicKey": {
		"rp": {"id": "example.com", "name": "Example"},
		"user": {"id": "dXNlci0x", "name": "alice", "displayName": "Alice"},
		"challenge": "3q2-7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFw",
		"pubKeyCredParams": [{"type": "public-key", "alg": -7}],
		"authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
		"extensions": {"credProps": true}}}`))
	if err != nil {
		log.Fatal(err)
	}
	client := &hwkey.Client{Path: path, PIN: pin}
	cred, err := client.Create(ctx, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("discoverable:", cred.ClientExtensionResults.CredProps.RK)

	list, err := hwkey.ListResidentCredentials(ctx, path, pin, "")
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range list.Credentials {
		fmt.Println(c.RPID, c.UserName, c.DisplayName, webauthn.B64(c.ID) == cred.ID)
	}
	fmt.Println("room for", list.Remaining, "more")

	a, err := client.Get(ctx, &hwkey.RequestOptions{Challenge: "AAECAwQFBgcICQoLDA0ODw", RPID: "example.com"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", a.Response.UserHandle)

	if err := hwkey.DeleteResidentCredential(ctx, path, pin, list.Credentials[0].ID); err != nil {
		log.Fatal(err)
	}
	// Output:
	// discoverable: true
	// example.com alice Alice true
	// room for 49 more
	// signed in as dXNlci0x
}
