package backupcrypto

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Written by libsodium 1.0.18 itself (crypto_secretstream_xchacha20poly1305
// init_pull with this header, then push): a message, an empty message with
// additional data and the REKEY tag (so the third message is under the new
// key), and a FINAL message.
var streamVectors = []struct {
	msg, ad string
	tag     byte
	ct      string
}{
	{"6f7470617574683a2f2f746f74702f413a623f7365637265743d4a425357593344504548504b335058500a", "", TagMessage,
		"5f336ec6271b67de06e1e634efc4882a0a623d8b20de5d85112067e7ce8ffb63640e741738beab1ca40daf21782473fca733a090ce5694d539329b96"},
	{"", "6164", TagRekey, "14dd63c71202cb4cc5e77563024bc2099c"},
	{"78787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878", "", TagFinal,
		"cc7f8f730b15e57de7bf7e854ff832ad8c323f549079dba411be56eb81f011867bf2e310aed8e4da9c81f6f03040066c8a5a4f6aef791a203ceae370c75137119709c1443f44c97956fc9ca8f836e8d4bd82633d6443fb27b7bbc2d92f1c757d3443c6f095376f831d79468f71a5cff6bd6314e8f3"},
}

const (
	streamKey    = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	streamHeader = "6465666768696a6b6c6d6e6f707172737475767778797a7b"
)

func TestSecretStreamLibsodiumVectors(t *testing.T) {
	pull, err := NewPullStream(unhex(t, streamKey), unhex(t, streamHeader))
	if err != nil {
		t.Fatal(err)
	}
	push, _ := NewPushStream(unhex(t, streamKey), unhex(t, streamHeader))
	for i, v := range streamVectors {
		ct := unhex(t, v.ct)
		if got := push.Push(unhex(t, v.msg), unhex(t, v.ad), v.tag); !bytes.Equal(got, ct) {
			t.Fatalf("push %d = %x, want %x", i, got, ct)
		}
		m, tag, err := pull.Pull(ct, unhex(t, v.ad))
		if err != nil {
			t.Fatalf("pull %d: %v", i, err)
		}
		if !bytes.Equal(m, unhex(t, v.msg)) || tag != v.tag {
			t.Fatalf("pull %d = %x tag %d", i, m, tag)
		}
	}
}

func TestSecretStreamRejects(t *testing.T) {
	ct := unhex(t, streamVectors[0].ct)
	for name, tc := range map[string]struct {
		key []byte
		ct  []byte
		err error
	}{
		"wrong key":   {bytes.Repeat([]byte{1}, 32), ct, ErrAuth},
		"flipped bit": {unhex(t, streamKey), append(append([]byte{}, ct[:5]...), append([]byte{ct[5] ^ 1}, ct[6:]...)...), ErrAuth},
		"truncated":   {unhex(t, streamKey), ct[:len(ct)-1], ErrAuth},
		"too short":   {unhex(t, streamKey), ct[:16], ErrData},
	} {
		s, err := NewPullStream(tc.key, unhex(t, streamHeader))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Pull(tc.ct, nil); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", name, err, tc.err)
		}
	}
	if _, err := NewPullStream(make([]byte, 31), make([]byte, 24)); !errors.Is(err, ErrData) {
		t.Errorf("short key: %v", err)
	}
}

func TestKDFLimits(t *testing.T) {
	salt := make([]byte, 16)
	for name, err := range map[string]error{
		"pbkdf2 0":         func() error { _, err := PBKDF2(sha1.New, nil, salt, 0, 32); return err }(),
		"pbkdf2 huge":      func() error { _, err := PBKDF2(sha1.New, nil, salt, MaxPBKDF2Iterations+1, 32); return err }(),
		"scrypt not pow2":  func() error { _, err := Scrypt(nil, salt, 1000, 8, 1); return err }(),
		"scrypt memory":    func() error { _, err := Scrypt(nil, salt, 1<<21, 8, 1); return err }(),
		"scrypt p":         func() error { _, err := Scrypt(nil, salt, 1<<4, 8, 17); return err }(),
		"scrypt r zero":    func() error { _, err := Scrypt(nil, salt, 1<<4, 0, 1); return err }(),
		"argon2 time":      func() error { _, err := Argon2id(nil, salt, 21, 64, 1, 32); return err }(),
		"argon2 memory":    func() error { _, err := Argon2id(nil, salt, 1, MaxArgon2MemoryKiB+1, 1, 32); return err }(),
		"argon2 threads":   func() error { _, err := Argon2id(nil, salt, 1, 64, 17, 32); return err }(),
		"argon2 salt":      func() error { _, err := Argon2id(nil, salt[:4], 1, 64, 1, 32); return err }(),
		"argon2 no memory": func() error { _, err := Argon2id(nil, salt, 1, 0, 1, 32); return err }(),
	} {
		if !errors.Is(err, ErrLimit) {
			t.Errorf("%s: %v, want ErrLimit", name, err)
		}
	}
}

// RFC 6070 PBKDF2-HMAC-SHA1 and RFC 7914 scrypt vectors: the wrappers pass
// their parameters through unchanged.
func TestKDFVectors(t *testing.T) {
	k, err := PBKDF2(sha1.New, []byte("password"), []byte("salt"), 4096, 20)
	if err != nil || hex.EncodeToString(k) != "4b007901b765489abead49d926f721d065a429c1" {
		t.Errorf("pbkdf2 = %x, %v", k, err)
	}
	k, err = Scrypt([]byte("password"), []byte("NaCl"), 1024, 8, 16)
	if err != nil || hex.EncodeToString(k) != "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162" {
		t.Errorf("scrypt = %x, %v", k, err)
	}
}

func TestCBC(t *testing.T) {
	key, iv := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{9}, 16)
	for _, n := range []int{0, 1, 15, 16, 17, 100} {
		plain := bytes.Repeat([]byte{'a'}, n)
		ct, err := EncryptCBC(key, iv, plain)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecryptCBC(key, iv, ct)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d: %q %v", n, got, err)
		}
	}
	ct, _ := EncryptCBC(key, iv, []byte("hello"))
	if _, err := DecryptCBC(bytes.Repeat([]byte{8}, 32), iv, ct); !errors.Is(err, ErrAuth) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := DecryptCBC(key, iv, ct[:15]); !errors.Is(err, ErrData) {
		t.Errorf("partial block: %v", err)
	}
}

func TestGCM(t *testing.T) {
	key, nonce := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 12)
	ct, err := SealGCM(key, nonce, []byte("db"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := OpenGCM(key, nonce, ct, []byte("aad")); err != nil || string(got) != "db" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := OpenGCM(key, nonce, ct, nil); !errors.Is(err, ErrAuth) {
		t.Errorf("wrong aad: %v", err)
	}
	if _, err := OpenGCM(key, nonce, ct[:10], nil); !errors.Is(err, ErrData) {
		t.Errorf("short: %v", err)
	}
	if _, err := OpenGCM(key[:5], nonce, ct, nil); !errors.Is(err, ErrData) {
		t.Errorf("bad key size: %v", err)
	}
	_ = sha256.New
}
