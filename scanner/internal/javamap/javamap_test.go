package javamap

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
)

// A HashMap<String,String> {"a": "b"} as OpenJDK 17.0.15's
// ObjectOutputStream wrote it (loadFactor 0.75, threshold 12, capacity 16).
const javaOneEntry = "aced0005737200116a6176612e7574696c2e486173684d61700507dac1c31660d103000246000a6c6f6164466163746f724900097468726573686f6c6478703f4000000000000c770800000010000000017400016174000162" + "78"

func TestReadJavaBytes(t *testing.T) {
	data, _ := hex.DecodeString(javaOneEntry)
	keys, m, err := Read(data)
	if err != nil || !slices.Equal(keys, []string{"a"}) || m["a"] != "b" {
		t.Fatalf("%v %v %v", keys, m, err)
	}
	if !bytes.Equal(Write(keys, m), data) {
		t.Errorf("Write differs from Java:\n%x\n%x", Write(keys, m), data)
	}
}

func TestRoundTrip(t *testing.T) {
	keys := []string{"masterKey", "6b0b1f1c-uuid", "6b0b1f1c-uuid-token", "nul\x00and😀é"}
	m := map[string]string{keys[0]: `{"mAlgorithm":"PBKDF2withHmacSHA512"}`, keys[1]: `{"key":"{}"}`, keys[2]: `{"label":"x"}`, keys[3]: ""}
	gotKeys, got, err := Read(Write(keys, m))
	if err != nil || !slices.Equal(gotKeys, keys) {
		t.Fatalf("%q %v", gotKeys, err)
	}
	for k, v := range m {
		if got[k] != v {
			t.Errorf("%q: %q, want %q", k, got[k], v)
		}
	}
}

func TestReference(t *testing.T) {
	// {"a": "a"} with the value written as a reference to the key's handle
	// (0x7e0002: after the class description and the map).
	data, _ := hex.DecodeString(javaOneEntry[:len(javaOneEntry)-len("740001627")-1] + "71007e000278")
	keys, m, err := Read(data)
	if err != nil || len(keys) != 1 || m["a"] != "a" {
		t.Fatalf("%v %v %v", keys, m, err)
	}
	bad, _ := hex.DecodeString(javaOneEntry[:len(javaOneEntry)-len("740001627")-1] + "71007e000178")
	if _, _, err := Read(bad); !errors.Is(err, ErrFormat) {
		t.Errorf("reference to the map itself: %v", err)
	}
}

func TestRejects(t *testing.T) {
	good, _ := hex.DecodeString(javaOneEntry)
	for i := range good {
		if _, _, err := Read(good[:i]); !errors.Is(err, ErrFormat) {
			t.Fatalf("cut at %d: %v", i, err)
		}
	}
	for name, data := range map[string][]byte{
		"trailing data": append(bytes.Clone(good), 0),
		"other class":   bytes.Replace(good, []byte("java.util.HashMap"), []byte("java.util.HashSet"), 1),
		"object value":  bytes.Replace(good, []byte{0x74, 0, 1, 'b'}, []byte{0x73, 0, 1, 'b'}, 1),
		"duplicate key": Write([]string{"a", "a"}, map[string]string{"a": "b"}),
		"bad utf":       bytes.Replace(good, []byte{0x74, 0, 1, 'b'}, []byte{0x74, 0, 1, 0xff}, 1),
		"huge size":     bytes.Replace(good, []byte{0, 0, 0, 0x10, 0, 0, 0, 1}, []byte{0, 0, 0, 0x10, 0x7f, 0, 0, 1}, 1),
		"not java":      []byte("{}"),
	} {
		if _, _, err := Read(data); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
