package softkey

import (
	"sync"
	"testing"
	"time"
)

var (
	fuzzKeyOnce sync.Once
	fuzzKey     *Key
)

// sharedFuzzKey is a FIDO2 key with a PIN set, shared by the fuzz targets
// that drive the direct entry points (creating a key per input would spend
// the fuzzing time on certificate generation).
func sharedFuzzKey(t testing.TB) *Key {
	fuzzKeyOnce.Do(func() {
		k, err := New(FIDO2, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if st := newPlatform(t, k.CTAP2).setPIN("1234"); st[0] != statusOK {
			t.Fatalf("setPIN: %#x", st[0])
		}
		fuzzKey = k
	})
	return fuzzKey
}

// FuzzCTAPHID writes the input as a stream of 64-byte reports after an INIT
// that allocates channel 1, and checks that the key never panics and only
// produces well-formed 64-byte reports.
func FuzzCTAPHID(f *testing.F) {
	f.Add(frameSeed(frame(1, hidPing, []byte("hello"))))
	f.Add(frameSeed(frame(1, hidCBOR, []byte{cmdGetInfo})))
	f.Add(frameSeed(frame(1, hidMsg, []byte{0, u2fVersion, 0, 0, 0, 0, 0})))
	k, err := New(FIDO2, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Power cycle and restart channel allocation so that INIT gives 1.
		k.Reset()
		k.hid.mu.Lock()
		k.hid.nextCID = 1
		k.hid.mu.Unlock()
		init := frame(broadcastCID, hidInit, make([]byte, 8))[0]
		if err := k.WriteReport(init); err != nil {
			t.Fatal(err)
		}
		for len(data) > 0 {
			n := min(len(data), reportSize)
			if err := k.WriteReport(data[:n]); err != nil {
				t.Fatalf("WriteReport(%d bytes): %v", n, err)
			}
			data = data[n:]
		}
		// Let a transaction in progress finish, then drain.
		k.hid.mu.Lock()
		tx := k.hid.busy
		k.hid.mu.Unlock()
		if tx != nil {
			select {
			case <-tx.done:
			case <-time.After(readTimeout):
				t.Fatal("transaction did not finish")
			}
		}
		for {
			r, err := k.ReadReport(0)
			if err != nil {
				break
			}
			if len(r) != reportSize {
				t.Fatalf("report of %d bytes", len(r))
			}
		}
	})
}

func frameSeed(reports [][]byte) []byte {
	var b []byte
	for _, r := range reports {
		b = append(b, r...)
	}
	return b
}

// FuzzCTAP2 checks that any CTAP2 request gets a status byte, and that
// successful responses are CTAP2 canonical CBOR.
func FuzzCTAP2(f *testing.F) {
	f.Add([]byte{cmdGetInfo})
	f.Add([]byte{cmdClientPIN, 0xa2, 0x01, 0x01, 0x02, 0x01})
	f.Fuzz(func(t *testing.T, req []byte) {
		k := sharedFuzzKey(t)
		if len(req) > 0 && req[0] == cmdReset {
			return // would wipe the shared key's PIN
		}
		resp := k.CTAP2(req)
		if len(resp) == 0 {
			t.Fatal("empty response")
		}
		if resp[0] == statusOK {
			checkCanonical(t, resp[1:])
		} else if len(resp) != 1 {
			t.Fatalf("error status %#x with %d bytes of data", resp[0], len(resp)-1)
		}
	})
}

// FuzzU2F checks that any APDU gets a status word.
func FuzzU2F(f *testing.F) {
	f.Add([]byte{0, u2fVersion, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, apdu []byte) {
		resp := sharedFuzzKey(t).U2F(apdu)
		if len(resp) < 2 {
			t.Fatalf("response of %d bytes", len(resp))
		}
	})
}
