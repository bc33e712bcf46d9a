package softkey

import (
	"context"
	"encoding/binary"
	"sync"
	"time"
)

// CTAPHID framing (CTAP 2.0 §8.1 "USB Human Interface Device").
const (
	reportSize   = 64
	initDataSize = reportSize - 7
	contDataSize = reportSize - 5
	maxMessage   = initDataSize + 128*contDataSize // 7609
	broadcastCID = 0xffffffff

	hidPing      = 0x01
	hidMsg       = 0x03
	hidLock      = 0x04
	hidInit      = 0x06
	hidWink      = 0x08
	hidCBOR      = 0x10
	hidCancel    = 0x11
	hidKeepalive = 0x3b
	hidError     = 0x3f

	hidErrInvalidCmd     = 0x01
	hidErrInvalidPar     = 0x02
	hidErrInvalidLen     = 0x03
	hidErrInvalidSeq     = 0x04
	hidErrMsgTimeout     = 0x05
	hidErrChannelBusy    = 0x06
	hidErrInvalidChannel = 0x0b

	keepaliveProcessing = 0x01
	keepaliveUpNeeded   = 0x02

	capWink = 0x01
	capCBOR = 0x04

	hidProtocolVersion = 2
	deviceMajor        = 1
	deviceMinor        = 0
	deviceBuild        = 0

	maxChannels       = 64
	maxQueuedReports  = 4096
	keepaliveInterval = 100 * time.Millisecond
	// messageTimeout bounds the gap between packets of one message.
	messageTimeout = 500 * time.Millisecond
)

// hidState is the CTAPHID side of a Key: channel allocation, message
// reassembly, the transaction being processed and the queue of input reports.
type hidState struct {
	mu       sync.Mutex
	nextCID  uint32
	channels map[uint32]uint64 // allocated CID -> allocation order
	allocSeq uint64
	asm      *assembly
	busy     *transaction
	out      [][]byte
	ready    chan struct{} // signalled (capacity 1) when out grows
	gen      uint64        // assembly generation, for message timeouts
}

type assembly struct {
	cid   uint32
	cmd   byte
	size  int
	buf   []byte
	seq   byte
	gen   uint64
	timer *time.Timer
}

// transaction is a message being processed on its own goroutine.
type transaction struct {
	cid      uint32
	cmd      byte
	cancel   context.CancelFunc
	upNeeded bool // guarded by hidState.mu
	done     chan struct{}
}

func (h *hidState) init() {
	h.channels = make(map[uint32]uint64)
	h.ready = make(chan struct{}, 1)
	h.nextCID = 1
}

// reset drops channels, queued reports and any transaction (power cycle).
func (h *hidState) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.abortAssembly()
	if h.busy != nil {
		h.busy.cancel()
		h.busy = nil
	}
	clear(h.channels)
	h.out = nil
}

// WriteReport takes one output report from the host: 64 bytes as sent over
// USB HID, without a report-ID byte. Shorter reports are zero-padded; longer
// ones are refused with ErrReportSize. Protocol errors are answered in-band
// with CTAPHID_ERROR reports, never returned.
func (k *Key) WriteReport(p []byte) error {
	if len(p) > reportSize {
		return ErrReportSize
	}
	var r [reportSize]byte
	copy(r[:], p)
	h := &k.hid
	h.mu.Lock()
	defer h.mu.Unlock()
	cid := binary.BigEndian.Uint32(r[0:4])
	if r[4]&0x80 != 0 {
		k.initPacket(cid, r[4]&0x7f, int(binary.BigEndian.Uint16(r[5:7])), r[7:])
	} else {
		k.contPacket(cid, r[4], r[5:])
	}
	return nil
}

// ReadReport returns the next 64-byte input report for the host. It waits up
// to timeout (forever when timeout < 0) and returns ErrTimeout if none is ready.
func (k *Key) ReadReport(timeout time.Duration) ([]byte, error) {
	h := &k.hid
	var expired <-chan time.Time
	if timeout >= 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	for {
		h.mu.Lock()
		if len(h.out) > 0 {
			r := h.out[0]
			h.out[0] = nil
			h.out = h.out[1:]
			if len(h.out) > 0 {
				h.signal()
			}
			h.mu.Unlock()
			return r, nil
		}
		h.mu.Unlock()
		select {
		case <-h.ready:
		case <-expired:
			return nil, ErrTimeout
		}
	}
}

// initPacket handles an initialization packet; h.mu is held.
func (k *Key) initPacket(cid uint32, cmd byte, size int, data []byte) {
	h := &k.hid
	if cid == 0 {
		h.sendError(cid, hidErrInvalidChannel)
		return
	}
	switch cmd {
	case hidInit:
		k.hidInitCmd(cid, size, data)
		return
	case hidCancel:
		if h.busy != nil && h.busy.cid == cid {
			h.busy.cancel()
		}
		return // CANCEL has no response of its own.
	}
	if cid == broadcastCID || !h.allocated(cid) {
		h.sendError(cid, hidErrInvalidChannel)
		return
	}
	if h.asm != nil {
		if h.asm.cid != cid {
			h.sendError(cid, hidErrChannelBusy)
			return
		}
		// A new request on a channel still sending the previous one.
		h.abortAssembly()
		h.sendError(cid, hidErrInvalidSeq)
		return
	}
	if h.busy != nil {
		h.sendError(cid, hidErrChannelBusy)
		return
	}
	if size > maxMessage {
		h.sendError(cid, hidErrInvalidLen)
		return
	}
	if size <= initDataSize {
		k.dispatch(cid, cmd, append([]byte(nil), data[:size]...))
		return
	}
	h.gen++
	h.asm = &assembly{cid: cid, cmd: cmd, size: size, buf: append(make([]byte, 0, size), data...), gen: h.gen}
	h.armTimeout()
}

// contPacket handles a continuation packet; h.mu is held.
func (k *Key) contPacket(cid uint32, seq byte, data []byte) {
	h := &k.hid
	a := h.asm
	if a == nil {
		return // Spurious continuation packets are ignored.
	}
	if a.cid != cid {
		if cid != 0 && cid != broadcastCID && h.allocated(cid) {
			h.sendError(cid, hidErrChannelBusy)
		}
		return
	}
	if seq != a.seq {
		h.abortAssembly()
		h.sendError(cid, hidErrInvalidSeq)
		return
	}
	n := min(a.size-len(a.buf), contDataSize)
	a.buf = append(a.buf, data[:n]...)
	a.seq++
	if len(a.buf) < a.size {
		h.armTimeout()
		return
	}
	h.abortAssembly()
	k.dispatch(a.cid, a.cmd, a.buf)
}

// hidInitCmd answers CTAPHID_INIT; h.mu is held.
func (k *Key) hidInitCmd(cid uint32, size int, data []byte) {
	h := &k.hid
	if size != 8 {
		h.sendError(cid, hidErrInvalidLen)
		return
	}
	newCID := cid
	if cid == broadcastCID {
		newCID = h.allocate()
	} else {
		if !h.allocated(cid) {
			h.sendError(cid, hidErrInvalidChannel)
			return
		}
		// Resynchronise: abandon whatever the channel was doing.
		if h.asm != nil && h.asm.cid == cid {
			h.abortAssembly()
		}
		if h.busy != nil && h.busy.cid == cid {
			h.busy.cancel()
			h.busy = nil
		}
	}
	resp := make([]byte, 17)
	copy(resp, data[:8])
	binary.BigEndian.PutUint32(resp[8:12], newCID)
	resp[12] = hidProtocolVersion
	resp[13] = deviceMajor
	resp[14] = deviceMinor
	resp[15] = deviceBuild
	resp[16] = capWink
	if k.mode == FIDO2 {
		resp[16] |= capCBOR
	}
	h.send(cid, hidInit, resp)
}

// dispatch runs a complete request; h.mu is held.
func (k *Key) dispatch(cid uint32, cmd byte, payload []byte) {
	h := &k.hid
	switch cmd {
	case hidPing:
		h.send(cid, hidPing, payload)
	case hidWink:
		h.send(cid, hidWink, nil)
	case hidMsg:
		k.startTransaction(cid, cmd, func(op *operation) []byte { return k.u2f(op, payload) })
	case hidCBOR:
		if k.mode != FIDO2 {
			h.sendError(cid, hidErrInvalidCmd)
			return
		}
		if len(payload) == 0 {
			h.sendError(cid, hidErrInvalidLen)
			return
		}
		k.startTransaction(cid, cmd, func(op *operation) []byte { return k.ctap2(op, payload) })
	default:
		h.sendError(cid, hidErrInvalidCmd)
	}
}

// startTransaction processes a request on its own goroutine so that CANCEL,
// INIT and KEEPALIVE keep working while it waits for a touch; h.mu is held.
func (k *Key) startTransaction(cid uint32, cmd byte, run func(*operation) []byte) {
	h := &k.hid
	ctx, cancel := context.WithCancel(context.Background())
	tx := &transaction{cid: cid, cmd: cmd, cancel: cancel, done: make(chan struct{})}
	h.busy = tx
	op := &operation{ctx: ctx, upNeeded: func(b bool) {
		h.mu.Lock()
		tx.upNeeded = b
		h.mu.Unlock()
	}}
	go func() {
		defer cancel()
		resp := run(op)
		h.mu.Lock()
		if h.busy == tx {
			h.busy = nil
			h.send(cid, cmd, resp)
		}
		close(tx.done)
		h.mu.Unlock()
	}()
	if cmd == hidCBOR {
		go k.keepalive(tx)
	}
}

// keepalive sends CTAPHID_KEEPALIVE while tx is being processed.
func (k *Key) keepalive(tx *transaction) {
	h := &k.hid
	t := time.NewTicker(keepaliveInterval)
	defer t.Stop()
	for {
		select {
		case <-tx.done:
			return
		case <-t.C:
		}
		h.mu.Lock()
		if h.busy != tx {
			h.mu.Unlock()
			return
		}
		status := byte(keepaliveProcessing)
		if tx.upNeeded {
			status = keepaliveUpNeeded
		}
		if len(h.out) < maxQueuedReports {
			h.send(tx.cid, hidKeepalive, []byte{status})
		}
		h.mu.Unlock()
	}
}

// armTimeout (re)starts the inter-packet timer of the assembly; h.mu is held.
func (h *hidState) armTimeout() {
	a := h.asm
	if a.timer != nil {
		a.timer.Stop()
	}
	gen := a.gen
	a.timer = time.AfterFunc(messageTimeout, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.asm != nil && h.asm.gen == gen {
			cid := h.asm.cid
			h.asm = nil
			h.sendError(cid, hidErrMsgTimeout)
		}
	})
}

func (h *hidState) abortAssembly() {
	if h.asm != nil {
		if h.asm.timer != nil {
			h.asm.timer.Stop()
		}
		h.asm = nil
	}
}

func (h *hidState) allocated(cid uint32) bool {
	_, ok := h.channels[cid]
	return ok
}

// allocate returns a fresh channel ID, forgetting the oldest channel when
// there are too many.
func (h *hidState) allocate() uint32 {
	if len(h.channels) >= maxChannels {
		var oldest uint32
		first := true
		var oldestSeq uint64
		for c, s := range h.channels {
			if first || s < oldestSeq {
				oldest, oldestSeq, first = c, s, false
			}
		}
		delete(h.channels, oldest)
	}
	for {
		cid := h.nextCID
		h.nextCID++
		if cid == 0 || cid == broadcastCID || h.allocated(cid) {
			continue
		}
		h.allocSeq++
		h.channels[cid] = h.allocSeq
		return cid
	}
}

func (h *hidState) sendError(cid uint32, code byte) {
	h.send(cid, hidError, []byte{code})
}

// send queues a message as an initialization packet and continuation packets.
func (h *hidState) send(cid uint32, cmd byte, payload []byte) {
	if len(payload) > maxMessage {
		payload = []byte{hidErrInvalidLen}
		cmd = hidError
	}
	r := make([]byte, reportSize)
	binary.BigEndian.PutUint32(r[0:4], cid)
	r[4] = 0x80 | cmd
	binary.BigEndian.PutUint16(r[5:7], uint16(len(payload)))
	n := copy(r[7:], payload)
	h.out = append(h.out, r)
	payload = payload[n:]
	for seq := byte(0); len(payload) > 0; seq++ {
		r := make([]byte, reportSize)
		binary.BigEndian.PutUint32(r[0:4], cid)
		r[4] = seq
		n := copy(r[5:], payload)
		h.out = append(h.out, r)
		payload = payload[n:]
	}
	h.signal()
}

func (h *hidState) signal() {
	select {
	case h.ready <- struct{}{}:
	default:
	}
}
