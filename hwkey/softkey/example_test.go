package softkey_test

import (
	"encoding/hex"
	"fmt"
	"log"

	"github.com/vmfa/vmfa/hwkey/softkey"
)

// A U2F-only key answers the U2F VERSION command with "U2F_V2" and status
// word 9000; CTAP2 is refused with CTAP1_ERR_INVALID_COMMAND.
func ExampleKey_U2F() {
	k, err := softkey.New(softkey.U2FOnly, softkey.Options{})
	if err != nil {
		log.Fatal(err)
	}
	resp := k.U2F([]byte{0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00}) // VERSION, extended Le
	fmt.Printf("%s %x\n", resp[:len(resp)-2], resp[len(resp)-2:])
	fmt.Printf("%x\n", k.CTAP2([]byte{0x04}))
	// Output:
	// U2F_V2 9000
	// 01
}

// Saving and loading a key keeps its identity: same attestation certificate.
func ExampleLoad() {
	k, err := softkey.New(softkey.FIDO2, softkey.Options{})
	if err != nil {
		log.Fatal(err)
	}
	state, err := k.State() // secret: store it encrypted, e.g. in the vault
	if err != nil {
		log.Fatal(err)
	}
	again, err := softkey.Load(state, softkey.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(again.Mode(), hex.EncodeToString(again.AttestationCertificate()) == hex.EncodeToString(k.AttestationCertificate()))
	// Output: fido2 true
}

// The HID transport carries 64-byte reports. CTAPHID_INIT on the broadcast
// channel allocates a channel; the response echoes the nonce.
func ExampleKey_WriteReport() {
	k, err := softkey.New(softkey.FIDO2, softkey.Options{})
	if err != nil {
		log.Fatal(err)
	}
	init := make([]byte, 64)
	copy(init, []byte{0xff, 0xff, 0xff, 0xff, 0x86, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8})
	if err := k.WriteReport(init); err != nil {
		log.Fatal(err)
	}
	r, err := k.ReadReport(-1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("cmd %#x len %d nonce %x capabilities %#x\n", r[4], r[6], r[7:15], r[7+16])
	// Output: cmd 0x86 len 17 nonce 0102030405060708 capabilities 0x5
}
