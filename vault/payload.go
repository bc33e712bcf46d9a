package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unsafe"
)

// The payload of format 3 (the sealed part of the file) is a compact
// binary encoding of Data, because decoding it is most of what `vmfa
// code` does after the keyring: encoding/json took 3.6 ms for 1,000
// accounts, this takes about a tenth of a millisecond. Formats 1 and 2
// hold JSON payloads and are still read.
//
//	payload  = uvarint(len(accounts)) account* uvarint(len(blobs)) blob*
//	account  = uvarint(len(fields)) fields
//	field    = tag(1 byte) value
//	blob     = bytes(name) bytes(data), names in increasing order
//	bytes    = uvarint(length) octets
//
// Fields are written in increasing tag order, each at most once except
// tags; a field at its zero value is left out. Strings and the secret are
// bytes, numbers are varints (zig-zag for the signed ones), the creation
// time is varint unix seconds then uvarint nanoseconds, favourite has no
// value. An unknown tag is damage: a newer vmfa that adds a field writes a
// newer format number, which this one refuses with ErrNewerFormat.
const (
	tagID = iota + 1
	tagType
	tagIssuer
	tagName
	tagSecret
	tagAlgorithm
	tagDigits
	tagPeriod
	tagCounter
	tagCreated
	tagNote
	tagTag
	tagSerial
	tagFavourite
	tagPIN
	tagOrder
)

// errPayload is wrapped in ErrCorrupt by open.
var errPayload = errors.New("malformed content")

func appendBytes(b []byte, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendString(b []byte, tag byte, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendInt(b []byte, tag byte, n int) []byte {
	if n == 0 {
		return b
	}
	return binary.AppendVarint(append(b, tag), int64(n))
}

func appendAccount(b []byte, a *Account) []byte {
	b = appendString(b, tagID, a.ID)
	b = appendString(b, tagType, string(a.Type))
	b = appendString(b, tagIssuer, a.Issuer)
	b = appendString(b, tagName, a.Name)
	if len(a.Secret) > 0 {
		b = appendBytes(append(b, tagSecret), a.Secret)
	}
	b = appendString(b, tagAlgorithm, string(a.Algorithm))
	b = appendInt(b, tagDigits, a.Digits)
	b = appendInt(b, tagPeriod, a.Period)
	if a.Counter != 0 {
		b = binary.AppendUvarint(append(b, tagCounter), a.Counter)
	}
	if !a.Created.IsZero() {
		b = binary.AppendVarint(append(b, tagCreated), a.Created.Unix())
		b = binary.AppendUvarint(b, uint64(a.Created.Nanosecond()))
	}
	b = appendString(b, tagNote, a.Note)
	for _, t := range a.Tags {
		b = appendBytes(append(b, tagTag), []byte(t))
	}
	b = appendString(b, tagSerial, a.Serial)
	if a.Favourite {
		b = append(b, tagFavourite)
	}
	b = appendString(b, tagPIN, a.PIN)
	b = appendInt(b, tagOrder, a.Order)
	return b
}

// marshalPayload encodes d. The caller clears the result.
func marshalPayload(d *Data) []byte {
	size := 16
	for i := range d.Accounts {
		a := &d.Accounts[i]
		size += 96 + len(a.ID) + len(a.Issuer) + len(a.Name) + len(a.Secret) + len(a.Note) + len(a.Serial) + len(a.PIN)
		for _, t := range a.Tags {
			size += 4 + len(t)
		}
	}
	names := sortedBlobNames(d.Blobs)
	for _, n := range names {
		size += 16 + len(n) + len(d.Blobs[n])
	}
	b := make([]byte, 0, size)
	b = binary.AppendUvarint(b, uint64(len(d.Accounts)))
	var rec []byte
	for i := range d.Accounts {
		rec = appendAccount(rec[:0], &d.Accounts[i])
		b = appendBytes(b, rec)
	}
	clear(rec)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, n := range names {
		b = appendBytes(b, []byte(n))
		b = appendBytes(b, d.Blobs[n])
	}
	return b
}

func sortedBlobNames(m map[string][]byte) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	// Few names: insertion sort keeps this file free of a sort import.
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return names
}

// reader walks a payload; the first failure sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", errPayload, what)
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.fail("bad number")
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.fail("bad number")
		return 0
	}
	r.b = r.b[k:]
	return n
}

// int reads a signed varint that must fit an int32 (digits, period,
// order: vmfa never writes more).
func (r *reader) int() int {
	n := r.varint()
	if n < -1<<31 || n > 1<<31-1 {
		r.fail("number out of range")
		return 0
	}
	return int(n)
}

// bytes returns the next length-prefixed bytes, aliasing the payload.
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail("truncated")
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

// count reads a number of items, each at least min bytes long, so that a
// damaged count cannot make the decoder allocate more than the payload
// could describe.
func (r *reader) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/min) {
		r.fail("count larger than the content")
		return 0
	}
	return int(n)
}

// intern returns the constant for a known type or algorithm name, and a
// copy of anything else (Validate reports it).
func intern(b []byte, ar *arenas) string {
	switch string(b) {
	case "totp":
		return string(TOTP)
	case "hotp":
		return string(HOTP)
	case "steam":
		return string(Steam)
	case "yandex":
		return string(Yandex)
	case "motp":
		return string(MOTP)
	case "SHA1":
		return string(SHA1)
	case "SHA256":
		return string(SHA256)
	case "SHA512":
		return string(SHA512)
	case "MD5":
		return string(MD5)
	}
	return ar.str(b)
}

// arenas hold the decoded text and secrets of a whole payload in two
// allocations instead of one per field. Both are allocated with the
// payload's length as capacity, which bounds what they receive, so they
// never move: text is only appended to, and what was appended is never
// written again, which makes the strings made from it immutable.
type arenas struct {
	text    []byte
	secrets []byte
}

func (ar *arenas) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	start := len(ar.text)
	ar.text = append(ar.text, b...)
	return unsafe.String(&ar.text[start], len(b))
}

func (ar *arenas) secret(b []byte) []byte {
	start := len(ar.secrets)
	ar.secrets = append(ar.secrets, b...)
	return ar.secrets[start:len(ar.secrets):len(ar.secrets)]
}

func readAccount(rec []byte, a *Account, ar *arenas) error {
	r := reader{b: rec}
	last := byte(0)
	for len(r.b) > 0 && r.err == nil {
		tag := r.b[0]
		r.b = r.b[1:]
		if tag < last || tag == last && tag != tagTag {
			r.fail("fields out of order")
			break
		}
		last = tag
		switch tag {
		case tagID:
			a.ID = ar.str(r.bytes())
		case tagType:
			a.Type = Type(intern(r.bytes(), ar))
		case tagIssuer:
			a.Issuer = ar.str(r.bytes())
		case tagName:
			a.Name = ar.str(r.bytes())
		case tagSecret:
			a.Secret = ar.secret(r.bytes())
		case tagAlgorithm:
			a.Algorithm = Algorithm(intern(r.bytes(), ar))
		case tagDigits:
			a.Digits = r.int()
		case tagPeriod:
			a.Period = r.int()
		case tagCounter:
			a.Counter = r.uvarint()
		case tagCreated:
			s := r.varint()
			ns := r.uvarint()
			if ns >= 1e9 {
				r.fail("bad time")
			}
			a.Created = time.Unix(s, int64(ns)).UTC()
		case tagNote:
			a.Note = ar.str(r.bytes())
		case tagTag:
			a.Tags = append(a.Tags, ar.str(r.bytes()))
		case tagSerial:
			a.Serial = ar.str(r.bytes())
		case tagFavourite:
			a.Favourite = true
		case tagPIN:
			a.PIN = ar.str(r.bytes())
		case tagOrder:
			a.Order = r.int()
		default:
			r.fail(fmt.Sprintf("unknown field %d", tag))
		}
	}
	return r.err
}

// unmarshalPayload decodes a format-3 payload. Nothing in d aliases p, so
// the caller can clear p.
func unmarshalPayload(p []byte) (*Data, error) {
	r := reader{b: p}
	ar := &arenas{text: make([]byte, 0, len(p)), secrets: make([]byte, 0, len(p))}
	n := r.count(1)
	d := &Data{}
	if n > 0 {
		d.Accounts = make([]Account, n)
	}
	for i := 0; i < n && r.err == nil; i++ {
		rec := r.bytes()
		if r.err == nil {
			if err := readAccount(rec, &d.Accounts[i], ar); err != nil {
				return nil, fmt.Errorf("account %d: %w", i+1, err)
			}
		}
	}
	nb := r.count(2)
	prev := ""
	for i := 0; i < nb && r.err == nil; i++ {
		name := string(r.bytes())
		blob := r.bytes()
		if r.err != nil {
			break
		}
		if i > 0 && name <= prev {
			r.fail("blobs out of order")
			break
		}
		prev = name
		if d.Blobs == nil {
			d.Blobs = make(map[string][]byte, nb)
		}
		d.Blobs[name] = append([]byte{}, blob...)
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("trailing bytes")
	}
	if r.err != nil {
		return nil, r.err
	}
	return d, nil
}
