// Package fidoshim attaches in-process devices under the real libfido2.
//
// The package defines fido_dev_info_manifest, fido_dev_open and
// fido_dev_close in the executable that links it. The dynamic linker binds
// go-libfido2's calls to these definitions (a symbol defined in the
// executable takes precedence over the one in libfido2.so), and they reach
// the library's own functions through dlsym(RTLD_NEXT, ...). A device
// attached with [Attach] is listed by the manifest under its path and, when
// opened, gets libfido2 I/O functions (fido_dev_set_io_functions) that carry
// 64-byte CTAPHID reports to and from Go. Everything else — CTAPHID framing,
// CBOR, PIN protocol, U2F — is done by the unmodified libfido2, so the
// software key is exercised exactly as a USB key would be.
//
// With nothing attached every call passes straight through, so physical
// keys keep working in the same binary.
package fidoshim

/*
#cgo LDFLAGS: -lfido2 -ldl -lpthread
#include <stdint.h>
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Prefix starts the path of every attached device.
const Prefix = C.VMFA_SHIM_PREFIX

// ReportLen is the size of a CTAPHID report without the report-ID byte.
const ReportLen = 64

// Device is an in-process HID device speaking CTAPHID, such as the
// software key of package softkey.
type Device interface {
	// WriteReport receives one 64-byte output report.
	WriteReport(p []byte) error
	// ReadReport returns one 64-byte input report, waiting at most
	// timeout (forever if negative); it returns an error on timeout.
	ReadReport(timeout time.Duration) ([]byte, error)
}

// ErrBadPath is returned by Attach for a path without Prefix.
var ErrBadPath = errors.New("virtual device path must start with " + Prefix)

type attached struct {
	dev     Device
	product string
}

var (
	mu      sync.Mutex
	devices = map[string]attached{}
	handles = map[uintptr]*handleState{}
	next    uintptr
)

// Attach makes d reachable through libfido2 at path, replacing any device
// already attached there. product names it in device listings.
func Attach(path, product string, d Device) error {
	if !strings.HasPrefix(path, Prefix) || len(path) <= len(Prefix) || len(path) >= 255 {
		return fmt.Errorf("%w: %q", ErrBadPath, path)
	}
	if d == nil {
		return errors.New("fidoshim: nil device")
	}
	mu.Lock()
	defer mu.Unlock()
	devices[path] = attached{dev: d, product: product}
	return nil
}

// Detach removes the device at path; handles already open keep working
// until libfido2 closes them.
func Detach(path string) {
	mu.Lock()
	defer mu.Unlock()
	if a, ok := devices[path]; ok {
		delete(lines, a.dev)
	}
	delete(devices, path)
}

// IsAttached reports whether a device is attached at path.
func IsAttached(path string) bool {
	mu.Lock()
	defer mu.Unlock()
	_, ok := devices[path]
	return ok
}

// Paths lists the attached paths in order.
func Paths() []string {
	mu.Lock()
	defer mu.Unlock()
	return sortedPaths()
}

func sortedPaths() []string {
	paths := make([]string, 0, len(devices))
	for p := range devices {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// Cancel sends CTAPHID_CANCEL to every open libfido2 handle of the device
// at path (physical or virtual) and reports how many accepted it. libfido2
// refuses to cancel on a U2F-only device, so it returns 0 for those.
func Cancel(path string) int {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	return int(C.vmfa_shim_cancel(cpath))
}

// Abort unplugs the open libfido2 handles of the virtual device at path:
// their reads and writes fail from now on, as when a USB key is pulled
// out, so that a request libfido2 cannot cancel (U2F, which it polls until
// its timeout) ends at once and releases the device. Later opens are not
// affected. It reports how many handles it unplugged; physical devices
// are left alone (0).
func Abort(path string) int {
	mu.Lock()
	defer mu.Unlock()
	a, ok := devices[path]
	if !ok {
		return 0
	}
	n := 0
	for _, h := range handles {
		if h.dev == a.dev {
			h.mu.Lock()
			h.aborted = true
			h.mu.Unlock()
			n++
		}
	}
	return n
}

// SetTimeout makes libfido2 give up waiting on the device at path after d
// (fido_dev_set_timeout), for every open from now on; d < 0 restores the
// library default of waiting forever. It applies to U2F-only devices too,
// whose requests libfido2 cannot cancel.
func SetTimeout(path string, d time.Duration) error {
	ms := -1
	if d >= 0 {
		ms = int(d / time.Millisecond)
		if ms == 0 && d > 0 {
			ms = 1
		}
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if C.vmfa_shim_set_timeout(cpath, C.int(ms)) != 0 {
		return errors.New("fidoshim: too many device timeouts")
	}
	return nil
}

// ClearTimeout forgets a timeout set with SetTimeout.
func ClearTimeout(path string) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	C.vmfa_shim_set_timeout(cpath, -2)
}

// Touch waits until the device at path is touched, stop is closed, or
// timeout passes, using libfido2's touch request (fido_dev_get_touch_begin
// and fido_dev_get_touch_status). It reports whether the key was touched
// and libfido2's status code when the wait failed (0 otherwise).
func Touch(path string, timeout time.Duration, stop <-chan struct{}) (touched bool, code int) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	flag := (*C.int)(C.calloc(1, C.sizeof_int))
	defer C.free(unsafe.Pointer(flag))
	out := (*C.int)(C.calloc(1, C.sizeof_int))
	defer C.free(unsafe.Pointer(out))
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-stop:
			C.vmfa_shim_store(flag, 1)
		case <-done:
		}
	}()
	ms := max(int(timeout/time.Millisecond), 1)
	r := C.vmfa_shim_touch(cpath, C.int(ms), flag, out)
	close(done)
	wg.Wait() // before flag is freed
	return *out != 0, int(r)
}

// OpenCount is the number of libfido2 devices currently open; for tests.
func OpenCount() int { return int(C.vmfa_shim_open_count()) }

//export vmfaShimAttached
func vmfaShimAttached(path *C.char) C.int {
	if IsAttached(C.GoString(path)) {
		return 1
	}
	return 0
}

//export vmfaShimManifest
func vmfaShimManifest(devlist *C.fido_dev_info_t, ilen C.size_t, olen *C.size_t) C.int {
	mu.Lock()
	type entry struct{ path, product string }
	var list []entry
	for _, p := range sortedPaths() {
		list = append(list, entry{p, devices[p].product})
	}
	mu.Unlock()
	for _, e := range list {
		if *olen >= ilen {
			break
		}
		cpath, cmanu, cprod := C.CString(e.path), C.CString("vmfa"), C.CString(e.product)
		r := C.vmfa_shim_info_set(devlist, *olen, cpath, cmanu, cprod)
		C.free(unsafe.Pointer(cpath))
		C.free(unsafe.Pointer(cmanu))
		C.free(unsafe.Pointer(cprod))
		if r != C.FIDO_OK {
			return r
		}
		*olen++
	}
	return C.FIDO_OK
}

// CTAPHID commands the shim looks at.
const (
	cmdKeepalive = 0xbb
	cmdCancel    = 0x91
	frameInit    = 0x80
)

// settleTime bounds how long an open waits for the answer to a request
// that an earlier handle sent and then gave up on.
const settleTime = time.Second

// line is the state of one attached device shared by its handles: the
// request still unanswered when its handle was closed, if any.
type line struct {
	mu          sync.Mutex
	outstanding bool
	outCID      [4]byte
}

var lines = map[Device]*line{}

func lineFor(d Device) *line {
	mu.Lock()
	defer mu.Unlock()
	l, ok := lines[d]
	if !ok {
		l = &line{}
		lines[d] = l
	}
	return l
}

// handleState is one libfido2 open of a device. Like a hidraw file
// descriptor, it only sees reports produced while it is open, and only
// those for the CTAPHID channel it writes on: the answer to a request that
// an earlier handle gave up on must not confuse the next one.
type handleState struct {
	dev  Device
	line *line
	mu   sync.Mutex
	cid  [4]byte
	// aborted is set by Abort: the handle is unplugged.
	aborted bool
}

func (h *handleState) channel() [4]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cid
}

func (h *handleState) unplugged() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.aborted
}

// settle waits (bounded) for the answer to an abandoned request, which
// a key reports as busy until it is done, and drops queued reports.
func settle(d Device, l *line) {
	l.mu.Lock()
	outstanding, cid := l.outstanding, l.outCID
	l.outstanding = false
	l.mu.Unlock()
	deadline := time.Now().Add(settleTime)
	for outstanding {
		p, err := d.ReadReport(max(time.Until(deadline), 0))
		if err != nil {
			break
		}
		if len(p) >= 5 && [4]byte(p[:4]) == cid && p[4] != cmdKeepalive && p[4]&frameInit != 0 {
			break
		}
	}
	for {
		if _, err := d.ReadReport(0); err != nil {
			break
		}
	}
}

//export vmfaShimOpen
func vmfaShimOpen(path *C.char) C.uintptr_t {
	mu.Lock()
	a, ok := devices[C.GoString(path)]
	mu.Unlock()
	if !ok {
		return 0
	}
	l := lineFor(a.dev)
	settle(a.dev, l)
	mu.Lock()
	defer mu.Unlock()
	next++
	handles[next] = &handleState{dev: a.dev, line: l}
	return C.uintptr_t(next)
}

//export vmfaShimClose
func vmfaShimClose(h C.uintptr_t) {
	mu.Lock()
	defer mu.Unlock()
	delete(handles, uintptr(h))
}

func handle(h C.uintptr_t) *handleState {
	mu.Lock()
	defer mu.Unlock()
	return handles[uintptr(h)]
}

//export vmfaShimWrite
func vmfaShimWrite(h C.uintptr_t, buf *C.uchar, n C.size_t) C.int {
	d := handle(h)
	// libfido2 prefixes the report with its report ID (0).
	if d == nil || n != ReportLen+1 || d.unplugged() {
		return -1
	}
	p := C.GoBytes(unsafe.Pointer(buf), C.int(n))[1:]
	d.mu.Lock()
	copy(d.cid[:], p[:4])
	d.mu.Unlock()
	if p[4]&frameInit != 0 && p[4] != cmdCancel {
		d.line.mu.Lock()
		d.line.outstanding, d.line.outCID = true, [4]byte(p[:4])
		d.line.mu.Unlock()
	}
	if err := d.dev.WriteReport(p); err != nil {
		return -1
	}
	return C.int(n)
}

//export vmfaShimRead
func vmfaShimRead(h C.uintptr_t, buf *C.uchar, n C.size_t, ms C.int) C.int {
	d := handle(h)
	if d == nil || n < ReportLen || d.unplugged() {
		return -1
	}
	var deadline time.Time
	if ms >= 0 {
		deadline = time.Now().Add(time.Duration(ms) * time.Millisecond)
	}
	for {
		timeout := time.Duration(-1)
		if ms >= 0 {
			timeout = max(time.Until(deadline), 0)
		}
		p, err := d.dev.ReadReport(timeout)
		if err != nil || len(p) != ReportLen {
			return -1
		}
		// Reports for another channel belong to another client (or to a
		// request that was given up); a broadcast INIT reply is checked
		// by libfido2 against its nonce.
		cid := [4]byte(p[:4])
		if cid != d.channel() && cid != [4]byte{0xff, 0xff, 0xff, 0xff} {
			if d.unplugged() {
				return -1
			}
			continue
		}
		if p[4]&frameInit != 0 && p[4] != cmdKeepalive {
			d.line.mu.Lock()
			if d.line.outCID == cid {
				d.line.outstanding = false
			}
			d.line.mu.Unlock()
		}
		// An unplugged handle fails once the answer it waited for is in
		// (so that the next open need not wait for it).
		if d.unplugged() {
			return -1
		}
		copy(unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n)), p)
		return ReportLen
	}
}
