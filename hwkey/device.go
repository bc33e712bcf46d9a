package hwkey

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	libfido2 "github.com/vmfa/vmfa/hwkey/internal/fido"

	"github.com/vmfa/vmfa/hwkey/internal/fidoshim"
)

// Device is a security key found by List.
type Device struct {
	Path         string `json:"path"`
	Manufacturer string `json:"manufacturer"`
	Product      string `json:"product"`
	VendorID     uint16 `json:"vendor_id"`
	ProductID    uint16 `json:"product_id"`
	// Virtual is set for a software key attached with AttachVirtual.
	Virtual bool `json:"virtual,omitempty"`
}

func (d Device) String() string {
	name := strings.TrimSpace(d.Manufacturer + " " + d.Product)
	if name == "" {
		name = "unknown key"
	}
	return fmt.Sprintf("%s (%04x:%04x) at %s", name, d.VendorID, d.ProductID, d.Path)
}

// Available reports whether this build can reach security keys: false in
// a build without cgo, where everything returns ErrNoLibfido2.
func Available() bool { return libfido2.Available }

// List returns the security keys libfido2 can see, including attached
// virtual keys. When none is usable but FIDO devices exist under
// /dev/hidraw* that this user cannot open, it returns ErrNotAccessible.
func List() ([]Device, error) {
	if !libfido2.Available {
		return nil, ErrNoLibfido2
	}
	var locs []*libfido2.DeviceLocation
	err := guard(func() error {
		var err error
		locs, err = libfido2.DeviceLocations()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing security keys: %w", translate(err))
	}
	devs := make([]Device, 0, len(locs))
	for _, l := range locs {
		devs = append(devs, deviceFrom(l))
	}
	if len(devs) == 0 {
		if blocked := inaccessible(hidrawRoot); len(blocked) > 0 {
			return nil, fmt.Errorf("%w (%s)", ErrNotAccessible, strings.Join(blocked, ", "))
		}
	}
	return devs, nil
}

func deviceFrom(l *libfido2.DeviceLocation) Device {
	return Device{
		Path:         l.Path,
		Manufacturer: l.Manufacturer,
		Product:      l.Product,
		// go-libfido2 hands out the 16-bit IDs as int16; IDs above 0x7fff
		// (many vendors) would come out negative.
		VendorID:  uint16(l.VendorID),
		ProductID: uint16(l.ProductID),
		Virtual:   strings.HasPrefix(l.Path, fidoshim.Prefix),
	}
}

// Choose picks the key to use: the one at path when given, otherwise the
// only key present. It returns ErrNoDevice, ErrNotAccessible,
// ErrDeviceGone, or ErrMultipleDevices (whose message lists the keys).
func Choose(path string) (Device, error) {
	devs, err := List()
	if err != nil {
		return Device{}, err
	}
	if path != "" {
		for _, d := range devs {
			if d.Path == path {
				return d, nil
			}
		}
		if strings.HasPrefix(path, "/dev/") {
			if err := accessible(path); err != nil {
				return Device{}, err
			}
		}
		return Device{}, fmt.Errorf("%w at %s: it may have been removed", ErrDeviceGone, path)
	}
	switch len(devs) {
	case 0:
		return Device{}, ErrNoDevice
	case 1:
		return devs[0], nil
	}
	return Device{}, &MultipleDevicesError{Devices: devs}
}

// MultipleDevicesError is ErrMultipleDevices with the keys found, so a UI
// can ask which one to use (or use WaitForTouch).
type MultipleDevicesError struct{ Devices []Device }

func (e *MultipleDevicesError) Error() string {
	paths := make([]string, len(e.Devices))
	for i, d := range e.Devices {
		paths[i] = d.Path
	}
	return fmt.Sprintf("several security keys found (%s): choose one", strings.Join(paths, ", "))
}

// Is makes errors.Is(err, ErrMultipleDevices) true.
func (e *MultipleDevicesError) Is(target error) bool { return target == ErrMultipleDevices }

// hidrawRoot is where Linux lists HID raw devices; a variable for tests.
var hidrawRoot = "/sys/class/hidraw"

// devRoot is where their nodes live; a variable for tests.
var devRoot = "/dev"

// fidoUsagePage is the FIDO alliance HID usage page (0xF1D0), as it
// appears in a report descriptor: Usage Page (2 bytes) item 0x06.
var fidoUsagePage = []byte{0x06, 0xd0, 0xf1}

// inaccessible lists FIDO hidraw nodes this process cannot open read-write.
// Report descriptors in sysfs are world-readable even when the node is not,
// which is how a FIDO key is told apart from a keyboard.
func inaccessible(root string) []string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		desc, err := os.ReadFile(filepath.Join(root, e.Name(), "device", "report_descriptor"))
		if err != nil || !containsFIDOUsage(desc) {
			continue
		}
		node := filepath.Join(devRoot, e.Name())
		if accessible(node) != nil {
			out = append(out, node)
		}
	}
	sort.Strings(out)
	return out
}

func containsFIDOUsage(desc []byte) bool {
	for i := 0; i+len(fidoUsagePage) <= len(desc); i++ {
		if string(desc[i:i+len(fidoUsagePage)]) == string(fidoUsagePage) {
			return true
		}
	}
	return false
}

// accessible returns ErrNotAccessible when path exists but cannot be
// opened read-write for lack of permission.
func accessible(path string) error {
	if err := openRW(path); errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%w (%s)", ErrNotAccessible, path)
	}
	return nil
}

// openRW opens a device node read-write and closes it; a variable so that
// tests (which run as root here) can inject permission errors.
var openRW = func(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

// guard runs fn, turning a panic inside go-libfido2 into ErrDevice instead
// of crashing the program.
func guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: libfido2 wrapper panicked: %v", ErrDevice, firstLine(fmt.Sprint(r)))
		}
	}()
	return fn()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// locks holds one token per device path: go-libfido2's Device is not safe
// for concurrent use and a key serves one request at a time anyway.
var (
	locksMu sync.Mutex
	locks   = map[string]chan struct{}{}
)

func lockFor(path string) chan struct{} {
	locksMu.Lock()
	defer locksMu.Unlock()
	l, ok := locks[path]
	if !ok {
		l = make(chan struct{}, 1)
		locks[path] = l
	}
	return l
}

// DefaultTimeout bounds operations that wait for a touch when the context
// carries no deadline.
const DefaultTimeout = 30 * time.Second

// cancelGrace is how long run waits for a cancelled FIDO2 request to end.
var cancelGrace = 2 * time.Second

// run performs fn on the key at path on its own goroutine, one request per
// key at a time, bounded by ctx (or DefaultTimeout). When ctx ends first it
// cancels the request (FIDO2; a virtual U2F-only key is unplugged from the
// request), and libfido2 is also told the deadline so that even a physical
// U2F-only key, which cannot be cancelled, is released. If the
// request still does not end, run stops waiting and returns a
// *TimeoutError with Abandoned set; the key stays locked until it ends.
func run[T any](ctx context.Context, path string, fn func(d *libfido2.Device) (T, error)) (T, error) {
	var zero T
	if !libfido2.Available {
		return zero, ErrNoLibfido2
	}
	if path == "" {
		return zero, ErrNoDevice
	}
	if strings.HasPrefix(path, fidoshim.Prefix) && !fidoshim.IsAttached(path) {
		return zero, fmt.Errorf("%w at %s: it may have been removed", ErrDeviceGone, path)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	if ctx.Err() != nil {
		return zero, ended(ctx, false)
	}
	lock := lockFor(path)
	select {
	case lock <- struct{}{}:
	case <-ctx.Done():
		return zero, ErrBusy
	}
	deadline, _ := ctx.Deadline()
	// libfido2 gives up a little after us, so that our own cancellation
	// (and its clear message) comes first when it can.
	if err := fidoshim.SetTimeout(path, time.Until(deadline)+cancelGrace); err != nil {
		<-lock
		return zero, fmt.Errorf("%w: %v", ErrDevice, err)
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-lock }()
		defer fidoshim.ClearTimeout(path)
		var r result
		r.err = guard(func() error {
			d, err := libfido2.NewDevice(path)
			if err != nil {
				return err
			}
			r.v, err = fn(d)
			return err
		})
		done <- r
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return zero, classify(ctx, path, r.err)
		}
		return r.v, nil
	case <-ctx.Done():
	}
	// FIDO2 keys accept CTAPHID_CANCEL; libfido2 refuses it for U2F-only
	// keys, which only the libfido2 timeout above can release — except a
	// virtual one, whose handle is unplugged so that libfido2's polling
	// ends now instead of keeping the key busy until that timeout.
	// The request may not have opened the key yet: a virtual key is
	// unplugged again until the request ends.
	virtual := strings.HasPrefix(path, fidoshim.Prefix)
	if fidoshim.Cancel(path) == 0 && virtual {
		fidoshim.Abort(path)
	}
	giveUp := time.NewTimer(cancelGrace + time.Second)
	defer giveUp.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case r := <-done:
			if r.err == nil {
				return r.v, nil // touched just in time
			}
			return zero, ended(ctx, false)
		case <-tick.C:
			if virtual {
				fidoshim.Abort(path)
			}
		case <-giveUp.C:
			return zero, ended(ctx, true)
		}
	}
}

// ended is the error for a request whose context ended first: ErrCancelled
// when the caller cancelled it, a *TimeoutError at its deadline.
func ended(ctx context.Context, abandoned bool) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return ErrCancelled
	}
	return &TimeoutError{Abandoned: abandoned}
}

// classify translates an error from a request that ended by itself.
func classify(ctx context.Context, path string, err error) error {
	if errors.Is(err, ErrDevice) || errors.Is(err, ErrInvalidRequest) || errors.Is(err, ErrUnsupported) ||
		errors.Is(err, ErrPINSet) || errors.Is(err, ErrResetWindow) {
		// Already ours (from guard or a check inside the request).
		return err
	}
	t := translate(err)
	if ctx.Err() != nil && (errors.Is(t, ErrDevice) || errors.Is(t, ErrTimeout)) {
		// libfido2 gave up at the deadline we gave it.
		return &TimeoutError{}
	}
	if errors.Is(t, ErrDevice) && strings.HasPrefix(path, "/dev/") {
		if aerr := accessible(path); aerr != nil {
			return aerr
		}
	}
	return t
}

// WaitForTouch lets the user pick a key by touching it when several are
// present: every key in devs waits for a touch (libfido2's touch request,
// which keys with a PIN also answer) and the first one touched is
// returned; the others are released. It returns ErrTimeout when ctx ends
// (DefaultTimeout when it has no deadline) with no key touched.
func WaitForTouch(ctx context.Context, devs []Device) (Device, error) {
	if len(devs) == 0 {
		return Device{}, ErrNoDevice
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	deadline, _ := ctx.Deadline()
	stop := make(chan struct{})
	type result struct {
		i       int
		touched bool
	}
	results := make(chan result, len(devs))
	for i, d := range devs {
		lock := lockFor(d.Path)
		go func() {
			// A key busy with another request (one given up earlier and
			// still ending) is waited for while time remains.
			select {
			case lock <- struct{}{}:
			case <-stop:
				results <- result{i, false}
				return
			case <-ctx.Done():
				results <- result{i, false}
				return
			}
			defer func() { <-lock }()
			touched := false
			// A failed wait (a key busy with a request given up
			// earlier, a glitch) is retried while time remains.
			for !touched && time.Until(deadline) > 0 {
				var code int
				touched, code = fidoshim.Touch(d.Path, time.Until(deadline), stop)
				select {
				case <-stop:
					code = 0
				default:
				}
				if code == 0 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			results <- result{i, touched}
		}()
	}
	var chosen *Device
	for range devs {
		var r result
		select {
		case r = <-results:
		case <-ctx.Done():
		}
		if r.touched && chosen == nil {
			chosen = &devs[r.i]
			close(stop)
			// Release the others; wait for them so the keys are free.
			for _, d := range devs {
				if d.Path != chosen.Path {
					fidoshim.Cancel(d.Path)
				}
			}
		}
		if ctx.Err() != nil && chosen == nil {
			close(stop)
			return Device{}, &TimeoutError{}
		}
	}
	if chosen == nil {
		return Device{}, &TimeoutError{}
	}
	return *chosen, nil
}
