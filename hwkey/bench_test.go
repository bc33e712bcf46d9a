package hwkey_test

// Benchmarks: register and authenticate with the software key through the
// real libfido2 (hwkey → go-libfido2 → libfido2 → CTAPHID reports →
// softkey) next to the same operations on the software key directly
// (CTAP2 CBOR or U2F APDU, no framing). The ratio of the two is libfido2's
// overhead: device open (CTAPHID INIT, getInfo), framing, and for U2F the
// presence polling.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"github.com/vmfa/vmfa/internal/webauthn"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/vmfa/vmfa/hwkey"
	"github.com/vmfa/vmfa/hwkey/softkey"
)

var benchCDH = sha256.Sum256([]byte("benchmark client data"))

func benchRegisterRequest() hwkey.RegisterRequest {
	return hwkey.RegisterRequest{RPID: "example.com", ClientDataHash: benchCDH[:], UserID: []byte("user"), UserName: "alice"}
}

func BenchmarkRegister(b *testing.B) {
	for _, mode := range []softkey.Mode{softkey.FIDO2, softkey.U2FOnly} {
		b.Run("libfido2/"+mode.String(), func(b *testing.B) {
			_, path := attach(b, mode, softkey.Options{})
			c := ctx(b)
			for b.Loop() {
				if _, err := hwkey.Register(c, path, benchRegisterRequest()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("direct/"+mode.String(), func(b *testing.B) {
			benchDirect(b, mode, func(*softkey.Key) ([]byte, []byte) {
				return ctap2MakeCredential(b), u2fRegisterAPDU()
			})
		})
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	for _, mode := range []softkey.Mode{softkey.FIDO2, softkey.U2FOnly} {
		b.Run("libfido2/"+mode.String(), func(b *testing.B) {
			_, path := attach(b, mode, softkey.Options{})
			c := ctx(b)
			reg, err := hwkey.Register(c, path, benchRegisterRequest())
			if err != nil {
				b.Fatal(err)
			}
			req := hwkey.AssertRequest{RPID: "example.com", ClientDataHash: benchCDH[:], AllowCredentials: [][]byte{reg.CredentialID}}
			for b.Loop() {
				if _, err := hwkey.Authenticate(c, path, req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("direct/"+mode.String(), func(b *testing.B) {
			benchDirect(b, mode, func(k *softkey.Key) ([]byte, []byte) {
				if mode == softkey.FIDO2 {
					r := k.CTAP2(ctap2MakeCredential(b))
					var resp struct {
						AuthData []byte `cbor:"2,keyasint"`
					}
					if err := cbor.Unmarshal(r[1:], &resp); err != nil {
						b.Fatal(err)
					}
					ad, err := webauthn.ParseAuthenticatorData(resp.AuthData)
					if err != nil {
						b.Fatal(err)
					}
					return ctap2GetAssertion(b, ad.CredentialID), nil
				}
				r := k.U2F(u2fRegisterAPDU())
				return nil, u2fAuthenticateAPDU(r[67 : 67+int(r[66])])
			})
		})
	}
}

// benchDirect measures a fresh software key without libfido2: setup
// returns the CTAP2 request a FIDO2 key answers in the loop, or the U2F
// APDU a U2F-only key does.
func benchDirect(b *testing.B, mode softkey.Mode, setup func(*softkey.Key) (ctap2, apdu []byte)) {
	k, err := softkey.New(mode, softkey.Options{})
	if err != nil {
		b.Fatal(err)
	}
	req, apdu := setup(k)
	if mode == softkey.FIDO2 {
		for b.Loop() {
			if r := k.CTAP2(req); len(r) == 0 || r[0] != 0 {
				b.Fatalf("ctap2 command %x: status %x", req[:1], r[:1])
			}
		}
		return
	}
	for b.Loop() {
		if r := k.U2F(apdu); !bytes.HasSuffix(r, []byte{0x90, 0}) {
			b.Fatalf("u2f instruction %x: status %x", apdu[1:2], r[len(r)-2:])
		}
	}
}

func ctap2MakeCredential(b *testing.B) []byte {
	enc, _ := cbor.CTAP2EncOptions().EncMode()
	body, err := enc.Marshal(map[int]any{
		1: benchCDH[:],
		2: map[string]any{"id": "example.com"},
		3: map[string]any{"id": []byte("user"), "name": "alice"},
		4: []map[string]any{{"alg": -7, "type": "public-key"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return append([]byte{0x01}, body...)
}

func ctap2GetAssertion(b *testing.B, credID []byte) []byte {
	enc, _ := cbor.CTAP2EncOptions().EncMode()
	body, err := enc.Marshal(map[int]any{
		1: "example.com",
		2: benchCDH[:],
		3: []map[string]any{{"id": credID, "type": "public-key"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return append([]byte{0x02}, body...)
}

func extendedAPDU(ins, p1 byte, data []byte) []byte {
	apdu := []byte{0, ins, p1, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(apdu[5:], uint16(len(data)))
	return append(append(apdu, data...), 0, 0)
}

func u2fRegisterAPDU() []byte {
	app := sha256.Sum256([]byte("example.com"))
	return extendedAPDU(0x01, 0x03, append(benchCDH[:], app[:]...))
}

func u2fAuthenticateAPDU(kh []byte) []byte {
	app := sha256.Sum256([]byte("example.com"))
	data := append(append(append([]byte{}, benchCDH[:]...), app[:]...), byte(len(kh)))
	return extendedAPDU(0x02, 0x03, append(data, kh...))
}

// BenchmarkLibfido2Overhead runs each operation through libfido2 and on the
// software key directly in turn and reports both times and their ratio
// (overhead-x), so the table of make bench shows libfido2's cost at once.
func BenchmarkLibfido2Overhead(b *testing.B) {
	for _, mode := range []softkey.Mode{softkey.FIDO2, softkey.U2FOnly} {
		for _, op := range []string{"register", "authenticate"} {
			b.Run(op+"/"+mode.String(), func(b *testing.B) {
				k, path := attach(b, mode, softkey.Options{})
				c := ctx(b)
				reg, err := hwkey.Register(c, path, benchRegisterRequest())
				if err != nil {
					b.Fatal(err)
				}
				viaLib, direct := benchOps(b, k, op, reg.CredentialID)
				var libNS, directNS time.Duration
				n := 0
				for b.Loop() {
					t0 := time.Now()
					viaLib(path)
					t1 := time.Now()
					direct()
					libNS += t1.Sub(t0)
					directNS += time.Since(t1)
					n++
				}
				b.ReportMetric(float64(libNS.Nanoseconds())/float64(n), "libfido2-ns/op")
				b.ReportMetric(float64(directNS.Nanoseconds())/float64(n), "direct-ns/op")
				b.ReportMetric(float64(libNS)/float64(directNS), "overhead-x")
			})
		}
	}
}

// benchOps returns the operation through libfido2 and directly.
func benchOps(b *testing.B, k *softkey.Key, op string, credID []byte) (func(path string), func()) {
	c := ctx(b)
	fido2 := k.Mode() == softkey.FIDO2
	if op == "register" {
		req := ctap2MakeCredential(b)
		apdu := u2fRegisterAPDU()
		return func(path string) {
				if _, err := hwkey.Register(c, path, benchRegisterRequest()); err != nil {
					b.Fatal(err)
				}
			}, func() {
				if fido2 {
					k.CTAP2(req)
				} else {
					k.U2F(apdu)
				}
			}
	}
	areq := hwkey.AssertRequest{RPID: "example.com", ClientDataHash: benchCDH[:], AllowCredentials: [][]byte{credID}}
	creq := ctap2GetAssertion(b, credID)
	apdu := u2fAuthenticateAPDU(credID)
	return func(path string) {
			if _, err := hwkey.Authenticate(c, path, areq); err != nil {
				b.Fatal(err)
			}
		}, func() {
			if fido2 {
				k.CTAP2(creq)
			} else {
				k.U2F(apdu)
			}
		}
}
