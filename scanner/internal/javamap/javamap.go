// Package javamap reads one thing: a java.util.HashMap<String, String>
// written by Java's ObjectOutputStream, as FreeOTP 2 writes its backups.
// It is a strict reader of that one shape of the serialisation stream
// (Java Object Serialization Specification, chapter 6), not a general
// deserialiser: any other class, field or record is an error, and nothing
// in the stream can make it create objects or run code.
package javamap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// ErrFormat: the data is not a serialised HashMap of strings.
var ErrFormat = errors.New("not a serialised java HashMap of strings")

// MaxEntries bounds the map (a FreeOTP backup holds two per token).
const MaxEntries = 100_000

const (
	streamMagic   = 0xaced
	streamVersion = 5

	tcNull         = 0x70
	tcReference    = 0x71
	tcClassDesc    = 0x72
	tcObject       = 0x73
	tcString       = 0x74
	tcBlockData    = 0x77
	tcEndBlock     = 0x78
	tcLongString   = 0x7c
	baseHandle     = 0x7e0000
	scSerializable = 0x02
	scWriteMethod  = 0x01

	hashMapClass = "java.util.HashMap"
	hashMapUID   = 362498820763181265
)

type reader struct {
	b       []byte
	off     int
	handles []string // strings by handle; "" placeholders for non-strings
}

func (r *reader) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", ErrFormat, what, r.off)
}

func (r *reader) take(n int) ([]byte, error) {
	if n < 0 || len(r.b)-r.off < n {
		return nil, r.fail("cut short")
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out, nil
}

func (r *reader) u8() (byte, error) {
	b, err := r.take(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (r *reader) u16() (int, error) {
	b, err := r.take(2)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(b)), nil
}

func (r *reader) u32() (uint32, error) {
	b, err := r.take(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b), nil
}

func (r *reader) expect(b byte, what string) error {
	got, err := r.u8()
	if err != nil {
		return err
	}
	if got != b {
		r.off--
		return r.fail(fmt.Sprintf("want %s (0x%02x), found 0x%02x", what, b, got))
	}
	return nil
}

// utf reads a length-prefixed modified UTF-8 string.
func (r *reader) utf(n int) (string, error) {
	b, err := r.take(n)
	if err != nil {
		return "", err
	}
	s, ok := decodeModifiedUTF8(b)
	if !ok {
		r.off -= n
		return "", r.fail("bad modified utf-8 in a string")
	}
	return s, nil
}

// decodeModifiedUTF8 decodes Java's modified UTF-8: UTF-16 code units in
// one to three bytes (NUL as two), surrogate pairs as two three-byte units.
func decodeModifiedUTF8(b []byte) (string, bool) {
	units := make([]uint16, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c >= 0x01 && c <= 0x7f:
			units = append(units, uint16(c))
			i++
		case c&0xe0 == 0xc0:
			if i+1 >= len(b) || b[i+1]&0xc0 != 0x80 {
				return "", false
			}
			units = append(units, uint16(c&0x1f)<<6|uint16(b[i+1]&0x3f))
			i += 2
		case c&0xf0 == 0xe0:
			if i+2 >= len(b) || b[i+1]&0xc0 != 0x80 || b[i+2]&0xc0 != 0x80 {
				return "", false
			}
			units = append(units, uint16(c&0x0f)<<12|uint16(b[i+1]&0x3f)<<6|uint16(b[i+2]&0x3f))
			i += 3
		default:
			return "", false
		}
	}
	return string(utf16.Decode(units)), true
}

// str reads one string object: a new string or a reference to an earlier
// one.
func (r *reader) str() (string, error) {
	tc, err := r.u8()
	if err != nil {
		return "", err
	}
	switch tc {
	case tcString:
		n, err := r.u16()
		if err != nil {
			return "", err
		}
		return r.newString(n)
	case tcLongString:
		b, err := r.take(8)
		if err != nil {
			return "", err
		}
		n := binary.BigEndian.Uint64(b)
		if n > uint64(len(r.b)-r.off) {
			return "", r.fail("string longer than the data")
		}
		return r.newString(int(n))
	case tcReference:
		h, err := r.u32()
		if err != nil {
			return "", err
		}
		i := int64(h) - baseHandle
		if i < 0 || i >= int64(len(r.handles)) || r.handles[i] == "\x00" {
			return "", r.fail("reference to no earlier string")
		}
		return r.handles[i], nil
	}
	r.off--
	return "", r.fail(fmt.Sprintf("want a string, found record 0x%02x", tc))
}

func (r *reader) newString(n int) (string, error) {
	s, err := r.utf(n)
	if err != nil {
		return "", err
	}
	r.handles = append(r.handles, s)
	return s, nil
}

// Read returns the entries of a serialised HashMap<String, String>, in
// stream order. A repeated key is an error.
func Read(data []byte) (keys []string, m map[string]string, err error) {
	r := &reader{b: data}
	magic, err := r.u16()
	if err != nil {
		return nil, nil, err
	}
	version, err := r.u16()
	if err != nil {
		return nil, nil, err
	}
	if magic != streamMagic || version != streamVersion {
		return nil, nil, fmt.Errorf("%w: not a java serialisation stream (version 5)", ErrFormat)
	}
	if err := r.expect(tcObject, "an object"); err != nil {
		return nil, nil, err
	}
	if err := r.expect(tcClassDesc, "a class description"); err != nil {
		return nil, nil, err
	}
	n, err := r.u16()
	if err != nil {
		return nil, nil, err
	}
	name, err := r.utf(n)
	if err != nil {
		return nil, nil, err
	}
	if name != hashMapClass {
		return nil, nil, fmt.Errorf("%w: the object is a %.40q, not a %s", ErrFormat, name, hashMapClass)
	}
	uid, err := r.take(8)
	if err != nil {
		return nil, nil, err
	}
	if binary.BigEndian.Uint64(uid) != hashMapUID {
		return nil, nil, r.fail("unknown HashMap serialVersionUID")
	}
	flags, err := r.u8()
	if err != nil {
		return nil, nil, err
	}
	if flags != scSerializable|scWriteMethod {
		return nil, nil, r.fail("unexpected class flags")
	}
	r.handles = append(r.handles, "\x00") // the class description
	nf, err := r.u16()
	if err != nil {
		return nil, nil, err
	}
	// HashMap's serial fields: float loadFactor, int threshold.
	var fieldBytes int
	for range nf {
		tc, err := r.u8()
		if err != nil {
			return nil, nil, err
		}
		if tc != 'F' && tc != 'I' {
			r.off--
			return nil, nil, r.fail("a HashMap field that is not float or int")
		}
		fn, err := r.u16()
		if err != nil {
			return nil, nil, err
		}
		if _, err := r.utf(fn); err != nil {
			return nil, nil, err
		}
		fieldBytes += 4
	}
	if nf > 2 {
		return nil, nil, r.fail("too many HashMap fields")
	}
	if err := r.expect(tcEndBlock, "the end of the class annotations"); err != nil {
		return nil, nil, err
	}
	if err := r.expect(tcNull, "no superclass"); err != nil {
		return nil, nil, err
	}
	r.handles = append(r.handles, "\x00") // the map itself
	if _, err := r.take(fieldBytes); err != nil {
		return nil, nil, err
	}
	if err := r.expect(tcBlockData, "the map's block data"); err != nil {
		return nil, nil, err
	}
	if err := r.expect(8, "8 bytes of block data"); err != nil {
		return nil, nil, err
	}
	if _, err := r.u32(); err != nil { // capacity
		return nil, nil, err
	}
	size, err := r.u32()
	if err != nil {
		return nil, nil, err
	}
	if size > MaxEntries {
		return nil, nil, fmt.Errorf("%w: the map has %d entries, more than %d", ErrFormat, size, MaxEntries)
	}
	m = make(map[string]string, size)
	for range size {
		k, err := r.str()
		if err != nil {
			return nil, nil, err
		}
		v, err := r.str()
		if err != nil {
			return nil, nil, err
		}
		if _, dup := m[k]; dup {
			return nil, nil, fmt.Errorf("%w: the key %.40q appears twice", ErrFormat, k)
		}
		m[k] = v
		keys = append(keys, k)
	}
	if err := r.expect(tcEndBlock, "the end of the map"); err != nil {
		return nil, nil, err
	}
	if r.off != len(r.b) {
		return nil, nil, r.fail("data after the map")
	}
	return keys, m, nil
}

// Write serialises keys and their values as Java's ObjectOutputStream
// writes a HashMap<String, String> (for tests and fixtures).
func Write(keys []string, m map[string]string) []byte {
	b := []byte{0xac, 0xed, 0x00, 0x05, tcObject, tcClassDesc}
	b = binary.BigEndian.AppendUint16(b, uint16(len(hashMapClass)))
	b = append(b, hashMapClass...)
	b = binary.BigEndian.AppendUint64(b, hashMapUID)
	b = append(b, scSerializable|scWriteMethod, 0, 2)
	b = append(b, 'F', 0, 10)
	b = append(b, "loadFactor"...)
	b = append(b, 'I', 0, 9)
	b = append(b, "threshold"...)
	b = append(b, tcEndBlock, tcNull)
	b = append(b, 0x3f, 0x40, 0, 0) // 0.75f
	b = binary.BigEndian.AppendUint32(b, 12)
	b = append(b, tcBlockData, 8)
	b = binary.BigEndian.AppendUint32(b, 16)
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	for _, k := range keys {
		for _, s := range []string{k, m[k]} {
			enc := encodeModifiedUTF8(s)
			if len(enc) > 0xffff {
				b = append(b, tcLongString)
				b = binary.BigEndian.AppendUint64(b, uint64(len(enc)))
			} else {
				b = append(b, tcString)
				b = binary.BigEndian.AppendUint16(b, uint16(len(enc)))
			}
			b = append(b, enc...)
		}
	}
	return append(b, tcEndBlock)
}

func encodeModifiedUTF8(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		switch {
		case u >= 0x01 && u <= 0x7f:
			out = append(out, byte(u))
		case u <= 0x7ff:
			out = append(out, 0xc0|byte(u>>6), 0x80|byte(u&0x3f))
		default:
			out = append(out, 0xe0|byte(u>>12), 0x80|byte(u>>6&0x3f), 0x80|byte(u&0x3f))
		}
	}
	return out
}
