//go:build cgo

package fidoshim_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	libfido2 "github.com/keys-pub/go-libfido2"

	"github.com/vmfa/vmfa/hwkey/internal/fidoshim"
)

// fakeHID answers CTAPHID_INIT and, when fido2 is set, authenticatorGetInfo:
// just enough for libfido2 to open it.
type fakeHID struct {
	fido2  bool
	mu     sync.Mutex
	out    chan []byte
	writes int
}

func newFake(fido2 bool) *fakeHID { return &fakeHID{fido2: fido2, out: make(chan []byte, 16)} }

var errTimeout = errors.New("timeout")

func (f *fakeHID) WriteReport(p []byte) error {
	if len(p) != fidoshim.ReportLen {
		return errors.New("bad report length")
	}
	f.mu.Lock()
	f.writes++
	f.mu.Unlock()
	cid, cmd := p[:4], p[4]
	n := int(binary.BigEndian.Uint16(p[5:7]))
	data := p[7 : 7+n]
	switch cmd {
	case 0x86: // INIT
		caps := byte(0)
		if f.fido2 {
			caps = 0x04 // CBOR
		}
		resp := append(append([]byte{}, data[:8]...), 0, 0, 0, 1, 2, 1, 0, 0, caps)
		f.send(cid, cmd, resp)
	case 0x90: // CBOR
		enc, _ := cbor.CTAP2EncOptions().EncMode()
		body, _ := enc.Marshal(map[int]any{1: []string{"FIDO_2_0"}, 3: bytes.Repeat([]byte{0xAA}, 16)})
		f.send(cid, cmd, append([]byte{0}, body...))
	default:
		f.send(cid, 0xBF, []byte{1}) // ERROR invalid command
	}
	return nil
}

func (f *fakeHID) send(cid []byte, cmd byte, data []byte) {
	r := make([]byte, fidoshim.ReportLen)
	copy(r, cid)
	r[4] = cmd
	binary.BigEndian.PutUint16(r[5:], uint16(len(data)))
	copy(r[7:], data) // short payloads only
	f.out <- r
}

func (f *fakeHID) ReadReport(timeout time.Duration) ([]byte, error) {
	if timeout < 0 {
		return <-f.out, nil
	}
	select {
	case r := <-f.out:
		return r, nil
	case <-time.After(timeout):
		return nil, errTimeout
	}
}

func TestAttachListsAndOpens(t *testing.T) {
	tests := []struct {
		path  string
		fido2 bool
		want  libfido2.DeviceType
	}{
		{fidoshim.Prefix + "test-u2f", false, libfido2.U2F},
		{fidoshim.Prefix + "test-fido2", true, libfido2.FIDO2},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			fake := newFake(tt.fido2)
			if err := fidoshim.Attach(tt.path, "test key", fake); err != nil {
				t.Fatal(err)
			}
			defer fidoshim.Detach(tt.path)

			locs, err := libfido2.DeviceLocations()
			if err != nil {
				t.Fatal(err)
			}
			var found *libfido2.DeviceLocation
			for _, l := range locs {
				if l.Path == tt.path {
					found = l
				}
			}
			if found == nil {
				t.Fatalf("%s not listed by libfido2: %v", tt.path, locs)
			}
			if found.Manufacturer != "vmfa" || found.Product != "test key" {
				t.Errorf("listed as %q %q", found.Manufacturer, found.Product)
			}
			dev, err := libfido2.NewDevice(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			typ, err := dev.Type()
			if err != nil {
				t.Fatalf("Type: %v", err)
			}
			if typ != tt.want {
				t.Errorf("Type = %q, want %q", typ, tt.want)
			}
			if tt.fido2 {
				info, err := dev.Info()
				if err != nil {
					t.Fatalf("Info: %v", err)
				}
				if len(info.Versions) != 1 || info.Versions[0] != "FIDO_2_0" || !bytes.Equal(info.AAGUID, bytes.Repeat([]byte{0xAA}, 16)) {
					t.Errorf("Info = %+v", info)
				}
			}
			if n := fidoshim.OpenCount(); n != 0 {
				t.Errorf("%d devices left open", n)
			}
		})
	}
}

func TestDetachedPassesThrough(t *testing.T) {
	path := fidoshim.Prefix + "gone"
	fake := newFake(true)
	if err := fidoshim.Attach(path, "x", fake); err != nil {
		t.Fatal(err)
	}
	fidoshim.Detach(path)
	locs, err := libfido2.DeviceLocations()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range locs {
		if l.Path == path {
			t.Fatalf("detached device still listed")
		}
	}
	dev, _ := libfido2.NewDevice(path)
	if _, err := dev.Type(); err == nil {
		t.Fatal("opened a detached device")
	}
	if fake.writes != 0 {
		t.Errorf("detached device received %d reports", fake.writes)
	}
}

func TestAttachRejectsBadPath(t *testing.T) {
	for _, p := range []string{"", "/dev/hidraw0", fidoshim.Prefix} {
		if err := fidoshim.Attach(p, "x", newFake(false)); !errors.Is(err, fidoshim.ErrBadPath) {
			t.Errorf("Attach(%q) = %v, want ErrBadPath", p, err)
		}
	}
}

func TestSetTimeout(t *testing.T) {
	path := fidoshim.Prefix + "timeout"
	if err := fidoshim.SetTimeout(path, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	defer fidoshim.ClearTimeout(path)
	// A device that never answers: open must give up after the timeout
	// instead of blocking forever.
	silent := &silentHID{}
	if err := fidoshim.Attach(path, "silent", silent); err != nil {
		t.Fatal(err)
	}
	defer fidoshim.Detach(path)
	dev, _ := libfido2.NewDevice(path)
	done := make(chan error, 1)
	go func() { _, err := dev.Type(); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("opened a silent device")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("libfido2 ignored the timeout")
	}
}

type silentHID struct{}

func (silentHID) WriteReport([]byte) error { return nil }
func (silentHID) ReadReport(timeout time.Duration) ([]byte, error) {
	if timeout < 0 {
		select {}
	}
	time.Sleep(timeout)
	return nil, errTimeout
}
