package softkey

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

func TestInitAllocatesChannelAndAdvertisesCapabilities(t *testing.T) {
	tests := []struct {
		mode Mode
		caps byte
	}{
		{U2FOnly, capWink},
		{FIDO2, capWink | capCBOR},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			k := newTestKey(t, tc.mode, Options{})
			nonce := []byte{9, 8, 7, 6, 5, 4, 3, 2}
			writeMsg(t, k, broadcastCID, hidInit, nonce)
			cmd, resp := readMsg(t, k, broadcastCID, nil)
			if cmd != hidInit {
				t.Fatalf("cmd %#x, want INIT", cmd)
			}
			if len(resp) != 17 {
				t.Fatalf("INIT response of %d bytes, want 17", len(resp))
			}
			if !bytes.Equal(resp[:8], nonce) {
				t.Errorf("nonce % x, want % x", resp[:8], nonce)
			}
			cid := binary.BigEndian.Uint32(resp[8:12])
			if cid == 0 || cid == broadcastCID {
				t.Errorf("allocated reserved channel %#x", cid)
			}
			if resp[12] != 2 {
				t.Errorf("CTAPHID protocol version %d, want 2", resp[12])
			}
			if resp[16] != tc.caps {
				t.Errorf("capabilities %#x, want %#x", resp[16], tc.caps)
			}
			// A second INIT gets another channel; both work.
			h2 := openChannel(t, k)
			if h2.cid == cid {
				t.Errorf("second INIT reused channel %#x", cid)
			}
			h1 := &host{t: t, k: k, cid: cid}
			for _, h := range []*host{h1, h2} {
				if cmd, got := h.call(hidPing, []byte("hi")); cmd != hidPing || string(got) != "hi" {
					t.Errorf("PING on %#x: cmd %#x %q", h.cid, cmd, got)
				}
			}
			// INIT on an allocated channel keeps it.
			writeMsg(t, k, cid, hidInit, nonce)
			if cmd, resp := readMsg(t, k, cid, nil); cmd != hidInit || binary.BigEndian.Uint32(resp[8:12]) != cid {
				t.Errorf("INIT on own channel: cmd %#x % x", cmd, resp)
			}
		})
	}
}

func TestPingEchoesMultiPacketMessages(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	h := openChannel(t, k)
	for _, n := range []int{0, 1, 57, 58, 59 + 57, 1000, maxMessage} {
		payload := make([]byte, n)
		for i := range payload {
			payload[i] = byte(i * 7)
		}
		cmd, got := h.call(hidPing, payload)
		if cmd != hidPing || !bytes.Equal(got, payload) {
			t.Errorf("PING of %d bytes: cmd %#x, %d bytes back, equal=%v", n, cmd, len(got), bytes.Equal(got, payload))
		}
	}
}

func TestWinkAnswersEmpty(t *testing.T) {
	k := newTestKey(t, U2FOnly, Options{})
	h := openChannel(t, k)
	if cmd, got := h.call(hidWink, nil); cmd != hidWink || len(got) != 0 {
		t.Errorf("WINK: cmd %#x % x", cmd, got)
	}
}

func TestFramingErrors(t *testing.T) {
	tests := []struct {
		name string
		mode Mode
		// send writes reports using the allocated channel cid and returns
		// the channel the error is expected on.
		send func(t *testing.T, k *Key, cid uint32) uint32
		want byte
	}{
		{"wrong sequence", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			rs := frame(cid, hidPing, make([]byte, 200))
			k.WriteReport(rs[0])
			k.WriteReport(rs[2]) // skips seq 0
			return cid
		}, hidErrInvalidSeq},
		{"new request while sending the previous one", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			rs := frame(cid, hidPing, make([]byte, 200))
			k.WriteReport(rs[0])
			k.WriteReport(frame(cid, hidPing, []byte("x"))[0])
			return cid
		}, hidErrInvalidSeq},
		{"command on broadcast channel", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			writeMsg(t, k, broadcastCID, hidPing, []byte("x"))
			return broadcastCID
		}, hidErrInvalidChannel},
		{"unallocated channel", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			writeMsg(t, k, cid+100, hidPing, []byte("x"))
			return cid + 100
		}, hidErrInvalidChannel},
		{"channel zero", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			writeMsg(t, k, 0, hidInit, make([]byte, 8))
			return 0
		}, hidErrInvalidChannel},
		{"INIT nonce not 8 bytes", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			writeMsg(t, k, broadcastCID, hidInit, make([]byte, 7))
			return broadcastCID
		}, hidErrInvalidLen},
		{"message longer than 7609 bytes", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			r := frame(cid, hidPing, nil)[0]
			binary.BigEndian.PutUint16(r[5:], maxMessage+1)
			k.WriteReport(r)
			return cid
		}, hidErrInvalidLen},
		{"unknown command", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			writeMsg(t, k, cid, 0x55, nil)
			return cid
		}, hidErrInvalidCmd},
		{"keepalive from host", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			writeMsg(t, k, cid, hidKeepalive, []byte{1})
			return cid
		}, hidErrInvalidCmd},
		{"CBOR on a U2F-only key", U2FOnly, func(t *testing.T, k *Key, cid uint32) uint32 {
			writeMsg(t, k, cid, hidCBOR, []byte{cmdGetInfo})
			return cid
		}, hidErrInvalidCmd},
		{"empty CBOR", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			writeMsg(t, k, cid, hidCBOR, nil)
			return cid
		}, hidErrInvalidLen},
		{"other channel while assembling", FIDO2, func(t *testing.T, k *Key, cid uint32) uint32 {
			other := openChannel(t, k).cid
			k.WriteReport(frame(cid, hidPing, make([]byte, 200))[0])
			writeMsg(t, k, other, hidPing, []byte("x"))
			return other
		}, hidErrChannelBusy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newTestKey(t, tc.mode, Options{})
			h := openChannel(t, k)
			errCID := tc.send(t, k, h.cid)
			cmd, resp := readMsg(t, k, errCID, nil)
			if cmd != hidError || len(resp) != 1 || resp[0] != tc.want {
				t.Fatalf("got cmd %#x % x, want ERROR %#x", cmd, resp, tc.want)
			}
		})
	}
}

func TestMessageTimeout(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	h := openChannel(t, k)
	k.WriteReport(frame(h.cid, hidPing, make([]byte, 100))[0])
	cmd, resp := readMsg(t, k, h.cid, nil)
	if cmd != hidError || resp[0] != hidErrMsgTimeout {
		t.Fatalf("got cmd %#x % x, want ERR_MSG_TIMEOUT", cmd, resp)
	}
	// The channel is usable again.
	if cmd, got := h.call(hidPing, []byte("ok")); cmd != hidPing || string(got) != "ok" {
		t.Errorf("PING after timeout: %#x %q", cmd, got)
	}
}

func TestSpuriousContinuationIgnored(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	h := openChannel(t, k)
	k.WriteReport(frame(h.cid, hidPing, make([]byte, 100))[1])
	if r, err := k.ReadReport(50 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("spurious continuation answered: % x, %v", r, err)
	}
}

func TestReportSize(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	if err := k.WriteReport(make([]byte, 65)); !errors.Is(err, ErrReportSize) {
		t.Errorf("65-byte report: %v, want ErrReportSize", err)
	}
	// A short report is padded: an INIT with a zero nonce still works.
	short := []byte{0xff, 0xff, 0xff, 0xff, 0x86, 0, 8}
	if err := k.WriteReport(short); err != nil {
		t.Fatalf("short report: %v", err)
	}
	cmd, resp := readMsg(t, k, broadcastCID, nil)
	if cmd != hidInit || !bytes.Equal(resp[:8], make([]byte, 8)) {
		t.Errorf("INIT from a short report: %#x % x", cmd, resp)
	}
}

func TestReadReportTimeout(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	for _, d := range []time.Duration{0, 20 * time.Millisecond} {
		if r, err := k.ReadReport(d); !errors.Is(err, ErrTimeout) || r != nil {
			t.Errorf("ReadReport(%v) = % x, %v, want ErrTimeout", d, r, err)
		}
	}
	// A blocking read returns once a report arrives.
	done := make(chan []byte)
	go func() {
		r, _ := k.ReadReport(-1)
		done <- r
	}()
	writeMsg(t, k, broadcastCID, hidInit, make([]byte, 8))
	if r := <-done; len(r) != 64 || r[4] != 0x80|hidInit {
		t.Errorf("blocking read got % x", r)
	}
}

func TestCancelAbortsPendingOperation(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	k := newTestKey(t, FIDO2, Options{Touch: blockingTouch(release)})
	h := openChannel(t, k)
	writeMsg(t, k, h.cid, hidCBOR, ctapReq(t, cmdMakeCredential, makeCredReq("example.com", []byte{1}, hash("cdh"))))
	// Wait for a keepalive saying the key waits for a touch.
	r, err := k.ReadReport(readTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if r[4] != 0x80|hidKeepalive || r[7] != keepaliveUpNeeded {
		t.Fatalf("want KEEPALIVE UPNEEDED, got % x", r[:8])
	}
	// Meanwhile the channel is busy, other channels get CHANNEL_BUSY, and
	// INIT still works.
	other := openChannel(t, k)
	writeMsg(t, k, other.cid, hidPing, []byte("x"))
	if cmd, resp := readMsg(t, k, other.cid, nil); cmd != hidError || resp[0] != hidErrChannelBusy {
		t.Fatalf("PING during processing: %#x % x, want CHANNEL_BUSY", cmd, resp)
	}
	writeMsg(t, k, h.cid, hidCancel, nil)
	cmd, resp := readMsg(t, k, h.cid, nil)
	if cmd != hidCBOR || len(resp) != 1 || resp[0] != errKeepaliveCancel {
		t.Fatalf("after CANCEL: cmd %#x % x, want CBOR %#x", cmd, resp, errKeepaliveCancel)
	}
	// The key serves again.
	if cmd, got := other.call(hidPing, []byte("x")); cmd != hidPing || string(got) != "x" {
		t.Errorf("PING after cancel: %#x %q", cmd, got)
	}
}

func TestKeepaliveWhileWaitingForTouch(t *testing.T) {
	release := make(chan struct{})
	k := newTestKey(t, FIDO2, Options{Touch: blockingTouch(release)})
	h := openChannel(t, k)
	writeMsg(t, k, h.cid, hidCBOR, ctapReq(t, cmdMakeCredential, makeCredReq("example.com", []byte{1}, hash("cdh"))))
	var keepalives []byte
	r, err := k.ReadReport(readTimeout)
	if err != nil || r[4] != 0x80|hidKeepalive {
		t.Fatalf("want a keepalive, got % x %v", r, err)
	}
	keepalives = append(keepalives, r[7])
	close(release)
	cmd, resp := readMsg(t, k, h.cid, &keepalives)
	if cmd != hidCBOR {
		t.Fatalf("cmd %#x", cmd)
	}
	mustOK(t, resp, nil)
	for _, s := range keepalives {
		if s != keepaliveUpNeeded && s != keepaliveProcessing {
			t.Errorf("keepalive status %#x", s)
		}
	}
	if keepalives[0] != keepaliveUpNeeded {
		t.Errorf("first keepalive %#x, want UPNEEDED", keepalives[0])
	}
	// No keepalive follows the response.
	if r, err := k.ReadReport(3 * keepaliveInterval); !errors.Is(err, ErrTimeout) {
		t.Errorf("report after the response: % x", r[:8])
	}
}

func TestResetDropsChannels(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	h := openChannel(t, k)
	writeMsg(t, k, h.cid, hidPing, []byte("queued"))
	k.Reset()
	if r, err := k.ReadReport(0); !errors.Is(err, ErrTimeout) {
		t.Errorf("report survived power cycle: % x", r)
	}
	writeMsg(t, k, h.cid, hidPing, []byte("x"))
	if cmd, resp := readMsg(t, k, h.cid, nil); cmd != hidError || resp[0] != hidErrInvalidChannel {
		t.Errorf("old channel after Reset: %#x % x, want INVALID_CHANNEL", cmd, resp)
	}
}

func TestChannelsAreRecycled(t *testing.T) {
	k := newTestKey(t, U2FOnly, Options{})
	first := openChannel(t, k)
	var last *host
	for range maxChannels {
		last = openChannel(t, k)
	}
	writeMsg(t, k, first.cid, hidPing, []byte("x"))
	if cmd, resp := readMsg(t, k, first.cid, nil); cmd != hidError || resp[0] != hidErrInvalidChannel {
		t.Errorf("oldest channel after %d INITs: %#x % x", maxChannels, cmd, resp)
	}
	if cmd, _ := last.call(hidPing, []byte("x")); cmd != hidPing {
		t.Errorf("newest channel: %#x", cmd)
	}
}

func TestInitOnBusyChannelAbortsTransaction(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	k := newTestKey(t, FIDO2, Options{Touch: blockingTouch(release)})
	h := openChannel(t, k)
	writeMsg(t, k, h.cid, hidCBOR, ctapReq(t, cmdMakeCredential, makeCredReq("example.com", []byte{1}, hash("cdh"))))
	if r, err := k.ReadReport(readTimeout); err != nil || r[4] != 0x80|hidKeepalive {
		t.Fatalf("want a keepalive, got %v", err)
	}
	nonce := []byte("resync!!")
	writeMsg(t, k, h.cid, hidInit, nonce)
	var keepalives []byte
	cmd, resp := readMsg(t, k, h.cid, &keepalives)
	if cmd != hidInit || !bytes.Equal(resp[:8], nonce) || binary.BigEndian.Uint32(resp[8:12]) != h.cid {
		t.Fatalf("INIT during processing: %#x % x", cmd, resp)
	}
	// The aborted request never answers; the channel serves new requests.
	if cmd, got := h.call(hidPing, []byte("after")); cmd != hidPing || string(got) != "after" {
		t.Fatalf("PING after resync: %#x %q", cmd, got)
	}
	if r, err := k.ReadReport(3 * keepaliveInterval); !errors.Is(err, ErrTimeout) {
		t.Errorf("report from the aborted transaction: % x", r[:8])
	}
}

func TestLockIsNotSupported(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	h := openChannel(t, k)
	if cmd, resp := h.call(hidLock, []byte{5}); cmd != hidError || resp[0] != hidErrInvalidCmd {
		t.Errorf("LOCK: %#x % x", cmd, resp)
	}
}

// TestConcurrentUse drives one key from several goroutines: HID channels and
// direct calls. Run with -race.
func TestConcurrentUse(t *testing.T) {
	k := newTestKey(t, FIDO2, Options{})
	cred, _ := makeCredential(t, k, k.CTAP2, makeCredReq("example.com", []byte("u"), hash("1")))
	req := ctapReq(t, cmdGetAssertion, testGetAssertion{RPID: "example.com", CDH: hash("a"), Allow: []testDesc{{ID: cred.credID, Type: "public-key"}}})
	const workers, rounds = 4, 10
	errs := make(chan string, workers*rounds)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range workers * rounds {
			if resp := k.CTAP2(req); resp[0] != statusOK {
				errs <- "direct getAssertion failed"
			}
			if _, err := k.State(); err != nil {
				errs <- err.Error()
			}
		}
	}()
	// One HID host at a time (HID is one transaction at a time), in parallel
	// with the direct calls.
	h := openChannel(t, k)
	for range rounds {
		if resp := h.cbor(req); resp[0] != statusOK {
			t.Errorf("HID getAssertion: %#x", resp[0])
		}
	}
	<-done
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got, want := k.Counter(), uint32(workers*rounds+rounds); got != want {
		t.Errorf("counter %d, want %d: lost increments", got, want)
	}
}

func TestCancelOnAnotherChannelIsIgnored(t *testing.T) {
	release := make(chan struct{})
	k := newTestKey(t, FIDO2, Options{Touch: blockingTouch(release)})
	h := openChannel(t, k)
	other := openChannel(t, k)
	writeMsg(t, k, h.cid, hidCBOR, ctapReq(t, cmdMakeCredential, makeCredReq("example.com", []byte{1}, hash("cdh"))))
	if r, err := k.ReadReport(readTimeout); err != nil || r[4] != 0x80|hidKeepalive {
		t.Fatalf("want a keepalive, got %v", err)
	}
	writeMsg(t, k, other.cid, hidCancel, nil)
	close(release)
	cmd, resp := readMsg(t, k, h.cid, nil)
	if cmd != hidCBOR {
		t.Fatalf("cmd %#x", cmd)
	}
	mustOK(t, resp, nil)
}
