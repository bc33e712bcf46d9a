package hwkey_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
	"github.com/vmfa/vmfa/internal/webauthn"
)

// Passkeys end to end through the real libfido2, with PIN protocol 2 (the
// protocol libfido2 picks for a CTAP 2.1 key) and with protocol 1:
// resident credentials made from a server's options (residentKey,
// userVerification, credProtect, credProps), listed and deleted with
// credential management, found by a discoverable login with the account
// chosen.
func TestPasskeysThroughLibfido2(t *testing.T) {
	for _, proto := range []int{2, 1} {
		t.Run(fmt.Sprintf("protocol %d", proto), func(t *testing.T) {
			opts := softkey.Options{}
			if proto == 1 {
				opts.PINProtocols = []int{1}
			}
			_, path := attach(t, softkey.FIDO2, opts)
			c := ctx(t)
			const pin = "4321"
			if err := hwkey.SetPIN(c, path, pin); err != nil {
				t.Fatal(err)
			}
			r := rp{id: "example.com", origin: "https://example.com"}
			client := &hwkey.Client{Path: path, PIN: pin}
			stored := map[string]storedCred{}
			ids := map[string][]byte{}
			for i, user := range []string{"alice", "bob"} {
				var o hwkey.CreationOptions
				// A server's options as JSON, every member vmfa honours.
				js := fmt.Sprintf(`{"publicKey": {"rp": {"id": "example.com", "name": "Example"},
					"user": {"id": %q, "name": %q, "displayName": "User %s"}, "challenge": %q,
					"pubKeyCredParams": [{"type": "public-key", "alg": -7}],
					"authenticatorSelection": {"residentKey": "preferred", "userVerification": "required"},
					"extensions": {"credentialProtectionPolicy": "userVerificationOptionalWithCredentialIDList", "credProps": true}}}`,
					webauthn.B64([]byte("user-"+user)), user, user, challenge(byte(i+1)))
				po, err := hwkey.ParseCreationOptions([]byte(js))
				if err != nil {
					t.Fatal(err)
				}
				o = *po
				cred, err := client.Create(c, &o)
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				if cp := cred.ClientExtensionResults.CredProps; cp == nil || !cp.RK {
					t.Errorf("credProps %+v, want rk true", cp)
				}
				stored[user] = r.finishRegistration(t, cred, o.Challenge, r.id)
				ids[user] = stored[user].id
				ao, _ := webauthn.ParseAttestationObject(mustB64(t, cred.Response.AttestationObject))
				ad := ao.AuthData
				if ad.Flags&0x04 == 0 || ad.Flags&0x18 != 0 {
					t.Errorf("flags %#x: want UV set, BE and BS clear", ad.Flags)
				}
				var ext map[string]any
				if err := cbor.Unmarshal(ad.Extensions, &ext); err != nil || fmt.Sprint(ext["credProtect"]) != "2" {
					t.Errorf("authData extensions %v (%v), want credProtect 2", ext, err)
				}
			}

			info, err := hwkey.GetInfo(c, path)
			if err != nil || info.RemainingResident != softkey.MaxResident-2 || info.PINProtocols[0] != proto {
				t.Errorf("info: %v, %d passkeys remaining, protocols %v", err, info.RemainingResident, info.PINProtocols)
			}
			res, err := hwkey.ListResidentCredentials(c, path, pin, "")
			if err != nil {
				t.Fatalf("ListResidentCredentials: %v", err)
			}
			if res.Existing != 2 || res.Remaining != softkey.MaxResident-2 || len(res.Credentials) != 2 {
				t.Fatalf("list: %+v", res)
			}
			for _, rc := range res.Credentials {
				if rc.RPID != "example.com" || rc.RPName != "Example" || !bytes.Equal(rc.ID, ids[rc.UserName]) || rc.DisplayName != "User "+rc.UserName {
					t.Errorf("resident credential %+v", rc)
				}
			}
			if _, err := hwkey.ListResidentCredentials(c, path, "", ""); !errors.Is(err, hwkey.ErrPINRequired) {
				t.Errorf("list without the pin: %v, want ErrPINRequired", err)
			}
			if _, err := hwkey.ListResidentCredentials(c, path, "0000", ""); !errors.Is(err, hwkey.ErrPINInvalid) {
				t.Errorf("list with a wrong pin: %v, want ErrPINInvalid", err)
			}

			// Discoverable login: the key offers both, newest first; the
			// chooser picks alice.
			var offered []hwkey.Account
			client.ChooseAccount = func(as []hwkey.Account) (int, error) {
				offered = as
				for i, a := range as {
					if a.Name == "alice" {
						return i, nil
					}
				}
				return 0, errors.New("no alice")
			}
			ch := challenge(9)
			a, err := client.Get(c, &hwkey.RequestOptions{Challenge: ch, RPID: r.id, UserVerification: "required"})
			if err != nil {
				t.Fatalf("discoverable Get: %v", err)
			}
			if len(offered) != 2 || offered[0].Name != "bob" || offered[0].DisplayName != "User bob" {
				t.Errorf("accounts offered %+v", offered)
			}
			sc := stored["alice"]
			r.finishLogin(t, a, ch, &sc, r.id)
			if a.Response.UserHandle != webauthn.B64([]byte("user-alice")) {
				t.Errorf("userHandle %q", a.Response.UserHandle)
			}
			// Without UV, credProtect 2 hides them from a discoverable login.
			client.PIN = ""
			if _, err := client.Get(c, &hwkey.RequestOptions{Challenge: ch, RPID: r.id}); !errors.Is(err, hwkey.ErrNoCredentials) {
				t.Errorf("discoverable login without UV: %v, want ErrNoCredentials", err)
			}

			if err := hwkey.DeleteResidentCredential(c, path, pin, ids["alice"]); err != nil {
				t.Fatalf("DeleteResidentCredential: %v", err)
			}
			if err := hwkey.DeleteResidentCredential(c, path, pin, ids["alice"]); !errors.Is(err, hwkey.ErrNoCredentials) {
				t.Errorf("deleting again: %v, want ErrNoCredentials", err)
			}
			res, err = hwkey.ListResidentCredentials(c, path, pin, "example.com")
			if err != nil || len(res.Credentials) != 1 || res.Credentials[0].UserName != "bob" {
				t.Fatalf("after delete: %v %+v", err, res)
			}
		})
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := webauthn.DecodeB64(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A full key answers ErrKeyStoreFull through libfido2, and credential
// management lists nothing for a key with a PIN and no passkeys.
func TestKeyStoreFullThroughLibfido2(t *testing.T) {
	_, path := attach(t, softkey.FIDO2, softkey.Options{})
	c := ctx(t)
	if err := hwkey.SetPIN(c, path, "4321"); err != nil {
		t.Fatal(err)
	}
	res, err := hwkey.ListResidentCredentials(c, path, "4321", "")
	if err != nil || len(res.Credentials) != 0 || res.Remaining != softkey.MaxResident {
		t.Fatalf("empty key: %v %+v", err, res)
	}
	if b, _ := json.Marshal(res); !bytes.Contains(b, []byte(`"credentials":[]`)) {
		t.Errorf("empty list JSON %s", b)
	}
	for i := range softkey.MaxResident + 1 {
		_, err := hwkey.Register(c, path, hwkey.RegisterRequest{
			RPID: "example.com", ClientDataHash: sha256Of("cdh"), UserID: []byte(fmt.Sprint(i)), UserName: "u",
			PIN: "4321", ResidentKey: true,
		})
		switch {
		case i < softkey.MaxResident && err != nil:
			t.Fatalf("credential %d: %v", i+1, err)
		case i == softkey.MaxResident && !errors.Is(err, hwkey.ErrKeyStoreFull):
			t.Fatalf("credential %d on a full key: %v, want ErrKeyStoreFull", i+1, err)
		}
	}
}
