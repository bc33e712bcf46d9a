package vault

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// payloadAccounts covers every field, zero values, unusual-but-valid
// values and the extremes of each number.
func payloadAccounts() []Account {
	return []Account{
		{ID: "0123456789abcdef", Type: TOTP, Issuer: "ACME", Name: "alice@example.com", Secret: []byte("12345678901234567890"),
			Algorithm: SHA1, Digits: 6, Period: 30, Created: time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)},
		{ID: "fedcba9876543210", Type: HOTP, Name: "counter", Secret: []byte{0, 1, 2, 255}, Algorithm: SHA512, Digits: 8,
			Counter: 1<<64 - 2, Created: time.Date(1970, 1, 1, 0, 0, 0, 1, time.UTC), Tags: []string{"a", "", "ünïcödé"},
			Note: "note", Serial: "SN-1", Favourite: true, Order: -7},
		{ID: "1", Type: Yandex, Issuer: "Yandex", Secret: make([]byte, 16), Algorithm: SHA256, Digits: 8, Period: 30, PIN: "1234", Order: 1 << 30},
		{Type: "future", Algorithm: "SHA3", Period: MaxPeriod, Digits: -1, Created: time.Unix(-1, 999999999).UTC()},
		{}, // every field at its zero value
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	for _, d := range []*Data{
		{},
		{Accounts: payloadAccounts()},
		{Accounts: payloadAccounts()[:1], Blobs: map[string][]byte{"softkey": {1, 2, 3}, "a": {}, "z.z": make([]byte, 300)}},
	} {
		p := marshalPayload(d)
		got, err := unmarshalPayload(p)
		if err != nil {
			t.Fatalf("unmarshal: %v", err)
		}
		// The JSON encoding of formats 1 and 2 is the reference: both
		// encodings must read back the same Data.
		j, _ := json.Marshal(d)
		var want Data
		if err := json.Unmarshal(j, &want); err != nil {
			t.Fatal(err)
		}
		gj, _ := json.Marshal(got)
		if string(gj) != string(j) {
			t.Errorf("round trip changed the data:\n got %s\nwant %s", gj, j)
		}
		if len(d.Accounts) > 0 && !reflect.DeepEqual(got.Accounts[0].Secret, d.Accounts[0].Secret) {
			t.Errorf("secret changed")
		}
		// Nothing decoded aliases the payload (open clears it).
		clear(p)
		if gj2, _ := json.Marshal(got); string(gj2) != string(gj) {
			t.Errorf("decoded data aliases the payload")
		}
	}
}

func TestPayloadDamage(t *testing.T) {
	good := marshalPayload(&Data{Accounts: payloadAccounts(), Blobs: map[string][]byte{"a": {1}, "b": {2}}})
	// Every truncation is refused, never a panic or a silent short read.
	for n := 0; n < len(good); n++ {
		if _, err := unmarshalPayload(good[:n]); err == nil {
			t.Fatalf("payload truncated to %d of %d bytes was accepted", n, len(good))
		} else if !errors.Is(err, errPayload) {
			t.Fatalf("truncated: %v, want errPayload", err)
		}
	}
	rec := func(fields ...byte) []byte {
		b := binary.AppendUvarint(nil, 1)
		b = appendBytes(b, fields)
		return append(b, 0)
	}
	for name, p := range map[string][]byte{
		"trailing bytes":      append(append([]byte(nil), good...), 0),
		"unknown field":       rec(99),
		"fields out of order": rec(tagName, 1, 'a', tagID, 1, 'b'),
		"repeated field":      rec(tagName, 1, 'a', tagName, 1, 'b'),
		"huge count":          binary.AppendUvarint(nil, 1<<40),
		"bad nanoseconds":     rec(tagCreated, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03),
		"digits overflow":     rec(append([]byte{tagDigits}, binary.AppendVarint(nil, 1<<40)...)...),
		"blobs out of order":  append(binary.AppendUvarint(nil, 0), 2, 1, 'b', 0, 1, 'a', 0),
		"bad varint":          {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		if _, err := unmarshalPayload(p); !errors.Is(err, errPayload) {
			t.Errorf("%s: %v, want errPayload", name, err)
		}
	}
}

// TestFormat2VaultsOpenAndUpgrade: a vault written by the vmfa before the
// binary payload (format 2, JSON) opens with every account as it was, is
// rewritten as the current format by the next change, and reads back the
// same.
func TestFormat2VaultsOpenAndUpgrade(t *testing.T) {
	for _, src := range []KeySource{PassphraseSource, KeyringSource} {
		t.Run(string(src), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vault.vmfa")
			keys := memKeys{}
			o := Options{Path: path, Create: src, Passphrase: pass("correct horse"), KDF: cheapKDF, Keys: keys, StateDir: t.TempDir()}
			v, err := Open(o)
			if err != nil {
				t.Fatal(err)
			}
			accts := payloadAccounts()[:3]
			if err := v.Add(accts...); err != nil {
				t.Fatal(err)
			}
			if err := v.SetBlob("softkey", []byte("state")); err != nil {
				t.Fatal(err)
			}
			want := v.Accounts()
			raw, err := sealFormat(v.hdr, v.key, &v.data, 2)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			o.Create = ""
			w, err := Open(o)
			if err != nil {
				t.Fatalf("format 2 vault: %v", err)
			}
			if got := w.Accounts(); !reflect.DeepEqual(got, want) {
				t.Fatalf("format 2 vault read back\n%+v\nwant\n%+v", got, want)
			}
			if f := binary.BigEndian.Uint16(mustRead(t, path)[4:6]); f != 2 {
				t.Fatalf("opening rewrote the file as format %d", f)
			}
			if _, err := w.Edit(want[0].ID, func(a *Account) error { a.Note = "changed"; return nil }); err != nil {
				t.Fatal(err)
			}
			if f := binary.BigEndian.Uint16(mustRead(t, path)[4:6]); f != formatVersion {
				t.Errorf("the change wrote format %d, want %d", f, formatVersion)
			}
			x, err := Open(o)
			if err != nil {
				t.Fatal(err)
			}
			got := x.Accounts()
			want[0].Note = "changed"
			if !reflect.DeepEqual(got, want) || string(x.Blob("softkey")) != "state" {
				t.Errorf("after the upgrade\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// TestNewerFormatRefused: a file from a vmfa newer than this one is not
// misread.
func TestNewerFormatRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vault.vmfa")
	v := newPassVault(t, path)
	raw, err := sealFormat(v.hdr, v.key, &v.data, formatVersion+1)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, raw, 0o600)
	if _, err := Open(Options{Path: path, Passphrase: pass("correct horse")}); !errors.Is(err, ErrNewerFormat) {
		t.Errorf("format %d: %v, want ErrNewerFormat", formatVersion+1, err)
	}
}

func FuzzPayload(f *testing.F) {
	f.Add(marshalPayload(&Data{Accounts: payloadAccounts(), Blobs: map[string][]byte{"softkey": {1}}}))
	f.Add(marshalPayload(&Data{}))
	f.Fuzz(func(t *testing.T, p []byte) {
		d, err := unmarshalPayload(p)
		if err != nil {
			if !errors.Is(err, errPayload) {
				t.Fatalf("error not errPayload: %v", err)
			}
			return
		}
		// What decodes re-encodes to bytes that decode the same.
		again, err := unmarshalPayload(marshalPayload(d))
		if err != nil {
			t.Fatalf("re-encoded payload refused: %v", err)
		}
		a, _ := json.Marshal(d)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatalf("re-encoding changed the data:\n%s\n%s", a, b)
		}
	})
}

// BenchmarkDecodePayload compares the payload encodings of 1,000 accounts.
func BenchmarkDecodePayload(b *testing.B) {
	d := &Data{Accounts: make([]Account, 1000)}
	now := time.Now()
	for i := range d.Accounts {
		d.Accounts[i] = testAccount(i)
		d.Accounts[i].Normalize(now)
	}
	bin := marshalPayload(d)
	js, _ := json.Marshal(d)
	b.Run(fmt.Sprintf("binary/accounts=1000/bytes=%d", len(bin)), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := unmarshalPayload(bin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("json/accounts=1000/bytes=%d", len(js)), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var x Data
			if err := json.Unmarshal(js, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
}
