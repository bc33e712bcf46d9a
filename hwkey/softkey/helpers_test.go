package softkey

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// This file is the host side used by the tests: CTAPHID framing, and the
// platform half of CTAP2 requests.

const readTimeout = 5 * time.Second

// host is a CTAPHID client bound to one channel.
type host struct {
	t          testing.TB
	k          *Key
	cid        uint32
	keepalives []byte // statuses of the keepalives seen while reading
}

// writeMsg frames payload into an initialization packet and continuation
// packets and writes them.
func writeMsg(t testing.TB, k *Key, cid uint32, cmd byte, payload []byte) {
	t.Helper()
	for _, r := range frame(cid, cmd, payload) {
		if err := k.WriteReport(r); err != nil {
			t.Fatalf("WriteReport: %v", err)
		}
	}
}

func frame(cid uint32, cmd byte, payload []byte) [][]byte {
	r := make([]byte, 64)
	binary.BigEndian.PutUint32(r, cid)
	r[4] = 0x80 | cmd
	binary.BigEndian.PutUint16(r[5:], uint16(len(payload)))
	n := copy(r[7:], payload)
	out := [][]byte{r}
	payload = payload[n:]
	for seq := byte(0); len(payload) > 0; seq++ {
		r := make([]byte, 64)
		binary.BigEndian.PutUint32(r, cid)
		r[4] = seq
		n := copy(r[5:], payload)
		out = append(out, r)
		payload = payload[n:]
	}
	return out
}

// readMsg reads one message for cid, skipping keepalives (recorded in
// *keepalives when not nil). It fails on reports for other channels.
func readMsg(t testing.TB, k *Key, cid uint32, keepalives *[]byte) (byte, []byte) {
	t.Helper()
	for {
		r, err := k.ReadReport(readTimeout)
		if err != nil {
			t.Fatalf("ReadReport: %v", err)
		}
		if len(r) != 64 {
			t.Fatalf("report of %d bytes, want 64", len(r))
		}
		if got := binary.BigEndian.Uint32(r); got != cid {
			t.Fatalf("report for channel %#x, want %#x", got, cid)
		}
		if r[4]&0x80 == 0 {
			t.Fatalf("continuation packet where an initialization packet was expected: % x", r[:8])
		}
		cmd := r[4] & 0x7f
		size := int(binary.BigEndian.Uint16(r[5:]))
		if cmd == hidKeepalive {
			if keepalives != nil {
				*keepalives = append(*keepalives, r[7])
			}
			continue
		}
		msg := append([]byte(nil), r[7:7+min(size, 57)]...)
		for seq := byte(0); len(msg) < size; seq++ {
			r, err := k.ReadReport(readTimeout)
			if err != nil {
				t.Fatalf("ReadReport continuation: %v", err)
			}
			if binary.BigEndian.Uint32(r) != cid || r[4] != seq {
				t.Fatalf("continuation: cid %#x seq %d, want %#x %d", binary.BigEndian.Uint32(r), r[4], cid, seq)
			}
			msg = append(msg, r[5:5+min(size-len(msg), 59)]...)
		}
		return cmd, msg
	}
}

// openChannel runs CTAPHID_INIT on the broadcast channel.
func openChannel(t testing.TB, k *Key) *host {
	t.Helper()
	nonce := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	writeMsg(t, k, broadcastCID, hidInit, nonce)
	cmd, resp := readMsg(t, k, broadcastCID, nil)
	if cmd != hidInit || len(resp) != 17 || !bytes.Equal(resp[:8], nonce) {
		t.Fatalf("INIT response cmd %#x % x", cmd, resp)
	}
	return &host{t: t, k: k, cid: binary.BigEndian.Uint32(resp[8:12])}
}

func (h *host) call(cmd byte, payload []byte) (byte, []byte) {
	h.t.Helper()
	writeMsg(h.t, h.k, h.cid, cmd, payload)
	return readMsg(h.t, h.k, h.cid, &h.keepalives)
}

// cbor sends a CTAP2 request over CTAPHID_CBOR.
func (h *host) cbor(req []byte) []byte {
	h.t.Helper()
	cmd, resp := h.call(hidCBOR, req)
	if cmd != hidCBOR {
		h.t.Fatalf("CBOR answered with command %#x % x", cmd, resp)
	}
	return resp
}

// msg sends a U2F APDU over CTAPHID_MSG.
func (h *host) msg(apdu []byte) []byte {
	h.t.Helper()
	cmd, resp := h.call(hidMsg, apdu)
	if cmd != hidMsg {
		h.t.Fatalf("MSG answered with command %#x % x", cmd, resp)
	}
	return resp
}

func newTestKey(t testing.TB, mode Mode, opts Options) *Key {
	t.Helper()
	k, err := New(mode, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return k
}

// ctapReq encodes a CTAP2 request with CTAP2 canonical CBOR.
func ctapReq(t testing.TB, cmd byte, params any) []byte {
	t.Helper()
	if params == nil {
		return []byte{cmd}
	}
	b, err := encMode.Marshal(params)
	if err != nil {
		t.Fatalf("encode request: %v", err)
	}
	return append([]byte{cmd}, b...)
}

// mustOK checks the status byte and decodes the CBOR response into v.
func mustOK(t testing.TB, resp []byte, v any) {
	t.Helper()
	if len(resp) == 0 {
		t.Fatal("empty CTAP2 response")
	}
	if resp[0] != statusOK {
		t.Fatalf("status %#x, want success", resp[0])
	}
	if v != nil {
		if err := cbor.Unmarshal(resp[1:], v); err != nil {
			t.Fatalf("decode response: %v", err)
		}
	}
	checkCanonical(t, resp[1:])
}

// checkCanonical fails unless b re-encodes to itself with CTAP2 canonical CBOR.
func checkCanonical(t testing.TB, b []byte) {
	t.Helper()
	if len(b) == 0 {
		return
	}
	var v any
	if err := cbor.Unmarshal(b, &v); err != nil {
		t.Fatalf("response is not CBOR: %v", err)
	}
	again, err := encMode.Marshal(v)
	if err != nil {
		t.Fatalf("re-encode: %v", err)
	}
	if !bytes.Equal(again, b) {
		t.Fatalf("response is not CTAP2 canonical CBOR:\n got % x\nwant % x", b, again)
	}
}

func status(t testing.TB, resp []byte, want byte) {
	t.Helper()
	if len(resp) == 0 || resp[0] != want {
		t.Fatalf("status % x, want %#x", resp[:min(len(resp), 1)], want)
	}
}

// Requests as a platform builds them.

type testRP struct {
	ID   string `cbor:"id"`
	Name string `cbor:"name,omitempty"`
}

type testUser struct {
	ID          []byte `cbor:"id"`
	Name        string `cbor:"name,omitempty"`
	DisplayName string `cbor:"displayName,omitempty"`
}

type testParam struct {
	Alg  int    `cbor:"alg"`
	Type string `cbor:"type"`
}

type testDesc struct {
	ID   []byte `cbor:"id"`
	Type string `cbor:"type"`
}

type testMakeCred struct {
	CDH         []byte          `cbor:"1,keyasint"`
	RP          testRP          `cbor:"2,keyasint"`
	User        testUser        `cbor:"3,keyasint"`
	Params      []testParam     `cbor:"4,keyasint"`
	Exclude     []testDesc      `cbor:"5,keyasint,omitempty"`
	Extensions  map[string]any  `cbor:"6,keyasint,omitempty"`
	Options     map[string]bool `cbor:"7,keyasint,omitempty"`
	PinAuth     *[]byte         `cbor:"8,keyasint,omitempty"`
	PinProtocol int             `cbor:"9,keyasint,omitempty"`
}

type testGetAssertion struct {
	RPID        string          `cbor:"1,keyasint"`
	CDH         []byte          `cbor:"2,keyasint"`
	Allow       []testDesc      `cbor:"3,keyasint,omitempty"`
	Extensions  map[string]any  `cbor:"4,keyasint,omitempty"`
	Options     map[string]bool `cbor:"5,keyasint,omitempty"`
	PinAuth     *[]byte         `cbor:"6,keyasint,omitempty"`
	PinProtocol int             `cbor:"7,keyasint,omitempty"`
}

func makeCredReq(rp string, userID []byte, cdh []byte) testMakeCred {
	return testMakeCred{
		CDH:    cdh,
		RP:     testRP{ID: rp, Name: rp},
		User:   testUser{ID: userID, Name: "alice", DisplayName: "Alice"},
		Params: []testParam{{Alg: -7, Type: "public-key"}},
	}
}

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// Responses.

type testAttStmt struct {
	Alg int      `cbor:"alg"`
	Sig []byte   `cbor:"sig"`
	X5c [][]byte `cbor:"x5c"`
}

type testMakeCredResp struct {
	Fmt      string      `cbor:"1,keyasint"`
	AuthData []byte      `cbor:"2,keyasint"`
	AttStmt  testAttStmt `cbor:"3,keyasint"`
}

type testAssertionResp struct {
	Credential testDesc `cbor:"1,keyasint"`
	AuthData   []byte   `cbor:"2,keyasint"`
	Signature  []byte   `cbor:"3,keyasint"`
	User       *struct {
		ID          []byte `cbor:"id"`
		Name        string `cbor:"name"`
		DisplayName string `cbor:"displayName"`
	} `cbor:"4,keyasint"`
	NumberOfCredentials int `cbor:"5,keyasint"`
}

// authData is a parsed authenticator data structure.
type authData struct {
	rpIDHash []byte
	flags    byte
	counter  uint32
	aaguid   []byte
	credID   []byte
	pub      *ecdsa.PublicKey
	ext      map[string]any
}

func parseAuthData(t testing.TB, b []byte) authData {
	t.Helper()
	if len(b) < 37 {
		t.Fatalf("authData of %d bytes", len(b))
	}
	ad := authData{rpIDHash: b[:32], flags: b[32], counter: binary.BigEndian.Uint32(b[33:37])}
	rest := b[37:]
	if ad.flags&flagAT != 0 {
		if len(rest) < 18 {
			t.Fatalf("attested credential data truncated")
		}
		ad.aaguid = rest[:16]
		n := int(binary.BigEndian.Uint16(rest[16:18]))
		ad.credID = rest[18 : 18+n]
		rest = rest[18+n:]
		var ck struct {
			Kty int    `cbor:"1,keyasint"`
			Alg int    `cbor:"3,keyasint"`
			Crv int    `cbor:"-1,keyasint"`
			X   []byte `cbor:"-2,keyasint"`
			Y   []byte `cbor:"-3,keyasint"`
		}
		var err error
		rest, err = cbor.UnmarshalFirst(rest, &ck)
		if err != nil {
			t.Fatalf("COSE key: %v", err)
		}
		if ck.Kty != 2 || ck.Alg != -7 || ck.Crv != 1 {
			t.Fatalf("COSE key kty %d alg %d crv %d", ck.Kty, ck.Alg, ck.Crv)
		}
		ad.pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, ck.X...), ck.Y...))
		if err != nil {
			t.Fatalf("COSE key point: %v", err)
		}
	}
	if ad.flags&flagED != 0 {
		var err error
		if rest, err = cbor.UnmarshalFirst(rest, &ad.ext); err != nil {
			t.Fatalf("extensions: %v", err)
		}
	}
	if len(rest) != 0 {
		t.Fatalf("%d trailing bytes in authData", len(rest))
	}
	return ad
}

func verifySig(t testing.TB, pub *ecdsa.PublicKey, sig []byte, msg ...[]byte) {
	t.Helper()
	h := sha256.Sum256(bytes.Join(msg, nil))
	if !ecdsa.VerifyASN1(pub, h[:], sig) {
		t.Fatal("signature does not verify")
	}
}

// scriptedTouch answers touch requests from a script, then yes; it records
// the purposes it was asked about.
type scriptedTouch struct {
	mu       sync.Mutex
	answers  []bool
	purposes []string
}

func (s *scriptedTouch) touch(_ context.Context, purpose string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purposes = append(s.purposes, purpose)
	if len(s.answers) == 0 {
		return true
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a
}

// blockingTouch waits until its context ends or release is closed.
func blockingTouch(release <-chan struct{}) func(context.Context, string) bool {
	return func(ctx context.Context, _ string) bool {
		select {
		case <-ctx.Done():
			return false
		case <-release:
			return true
		}
	}
}
