package softkey

import (
	"testing"
)

// The Direct benchmarks measure the authenticator alone, without HID framing
// or libfido2, to set next to the figures measured through libfido2.

func BenchmarkRegisterDirect(b *testing.B) {
	b.Run("CTAP2", func(b *testing.B) {
		k := newTestKey(b, FIDO2, Options{})
		req := ctapReq(b, cmdMakeCredential, makeCredReq("example.com", []byte("user"), hash("cdh")))
		b.ReportAllocs()
		for b.Loop() {
			if resp := k.CTAP2(req); resp[0] != statusOK {
				b.Fatalf("status %#x", resp[0])
			}
		}
	})
	b.Run("U2F", func(b *testing.B) {
		k := newTestKey(b, U2FOnly, Options{})
		apdu := extendedAPDU(u2fRegister, 0, append(hash("c"), hash("a")...))
		b.ReportAllocs()
		for b.Loop() {
			if st, _ := swOf(b, k.U2F(apdu)); st != swNoError {
				b.Fatalf("SW %#04x", st)
			}
		}
	})
}

func BenchmarkAuthenticateDirect(b *testing.B) {
	b.Run("CTAP2", func(b *testing.B) {
		k := newTestKey(b, FIDO2, Options{})
		cred, _ := makeCredential(b, k, k.CTAP2, makeCredReq("example.com", []byte("user"), hash("cdh")))
		req := ctapReq(b, cmdGetAssertion, testGetAssertion{RPID: "example.com", CDH: hash("a"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}})
		b.ReportAllocs()
		for b.Loop() {
			if resp := k.CTAP2(req); resp[0] != statusOK {
				b.Fatalf("status %#x", resp[0])
			}
		}
	})
	b.Run("U2F", func(b *testing.B) {
		k := newTestKey(b, U2FOnly, Options{})
		reg := register(b, k.U2F, hash("c"), hash("a"))
		apdu := authAPDU(u2fEnforcePresent, hash("c"), hash("a"), reg.kh)
		b.ReportAllocs()
		for b.Loop() {
			if st, _ := swOf(b, k.U2F(apdu)); st != swNoError {
				b.Fatalf("SW %#04x", st)
			}
		}
	})
}

// BenchmarkHIDRoundTrip measures a getAssertion through CTAPHID framing:
// reports in, transaction goroutine, reports out.
func BenchmarkHIDRoundTrip(b *testing.B) {
	k := newTestKey(b, FIDO2, Options{})
	h := openChannel(b, k)
	cred, _ := makeCredential(b, k, h.cbor, makeCredReq("example.com", []byte("user"), hash("cdh")))
	req := ctapReq(b, cmdGetAssertion, testGetAssertion{RPID: "example.com", CDH: hash("a"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}})
	b.ReportAllocs()
	for b.Loop() {
		if resp := h.cbor(req); resp[0] != statusOK {
			b.Fatalf("status %#x", resp[0])
		}
	}
}

// BenchmarkNew measures creating a key (attestation root and certificate).
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(FIDO2, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
