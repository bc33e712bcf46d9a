package backupcrypto

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20"
	"golang.org/x/crypto/poly1305" //nolint:staticcheck // libsodium's secretstream MACs with raw Poly1305
)

// libsodium's crypto_secretstream_xchacha20poly1305, written against its
// published construction: an XChaCha20 stream keyed by HChaCha20(key,
// header[:16]), a 4-byte counter and 8-byte nonce from header[16:], each
// message prefixed by an encrypted tag byte and followed by a Poly1305 MAC
// over the tag block and the ciphertext.

// Secret stream sizes and tags.
const (
	StreamKeyBytes    = 32
	StreamHeaderBytes = 24
	StreamABytes      = 1 + 16 // tag byte and MAC added to each message

	TagMessage = 0x00
	TagPush    = 0x01
	TagRekey   = 0x02
	TagFinal   = TagPush | TagRekey
)

// Stream is the state of one direction of a secret stream.
type Stream struct {
	k     [32]byte
	nonce [12]byte // 4-byte little-endian counter, then the 8-byte inonce
}

// NewPullStream starts decrypting a stream whose header is given.
func NewPullStream(key, header []byte) (*Stream, error) {
	if len(key) != StreamKeyBytes || len(header) != StreamHeaderBytes {
		return nil, fmt.Errorf("%w: secretstream needs a %d-byte key and a %d-byte header", ErrData, StreamKeyBytes, StreamHeaderBytes)
	}
	s := &Stream{}
	sub, err := chacha20.HChaCha20(key, header[:16])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrData, err)
	}
	copy(s.k[:], sub)
	s.resetCounter()
	copy(s.nonce[4:], header[16:])
	return s, nil
}

// NewPushStream starts encrypting with the given header (24 random bytes).
func NewPushStream(key, header []byte) (*Stream, error) { return NewPullStream(key, header) }

func (s *Stream) resetCounter() {
	clear(s.nonce[:4])
	s.nonce[0] = 1
}

func (s *Stream) xor(dst, src []byte, counter uint32) {
	c, err := chacha20.NewUnauthenticatedCipher(s.k[:], s.nonce[:])
	if err != nil {
		panic("backupcrypto: chacha20: " + err.Error())
	}
	c.SetCounter(counter)
	c.XORKeyStream(dst, src)
}

// mac computes the MAC of one message: block is the 64-byte tag block,
// ct the ciphertext.
func (s *Stream) mac(ad, block, ct []byte) [16]byte {
	var polyKey [32]byte
	s.xor(polyKey[:], polyKey[:], 0)
	m := poly1305.New(&polyKey)
	var pad [16]byte
	m.Write(ad)
	m.Write(pad[:(16-len(ad)%16)%16])
	m.Write(block)
	m.Write(ct)
	// libsodium pads with (0x10 - 64 + mlen) & 0xf bytes, which is
	// mlen mod 16, not the padding to a 16-byte boundary.
	m.Write(pad[:len(ct)&0xf])
	var lens [16]byte
	binary.LittleEndian.PutUint64(lens[:8], uint64(len(ad)))
	binary.LittleEndian.PutUint64(lens[8:], uint64(64+len(ct)))
	m.Write(lens[:])
	var out [16]byte
	copy(out[:], m.Sum(nil))
	return out
}

func (s *Stream) advance(mac [16]byte, tag byte) {
	for i := range 8 {
		s.nonce[4+i] ^= mac[i]
	}
	// Increment the 4-byte little-endian counter.
	for i := range 4 {
		s.nonce[i]++
		if s.nonce[i] != 0 {
			break
		}
	}
	if tag&TagRekey != 0 || [4]byte(s.nonce[:4]) == [4]byte{} {
		s.rekey()
	}
}

func (s *Stream) rekey() {
	var buf [40]byte
	copy(buf[:32], s.k[:])
	copy(buf[32:], s.nonce[4:])
	s.xor(buf[:], buf[:], 0)
	copy(s.k[:], buf[:32])
	copy(s.nonce[4:], buf[32:])
	s.resetCounter()
}

// Pull decrypts one message (its tag byte, ciphertext and MAC) and returns
// the plaintext and its tag. A wrong key or altered data is ErrAuth.
func (s *Stream) Pull(in, ad []byte) ([]byte, byte, error) {
	if len(in) < StreamABytes {
		return nil, 0, fmt.Errorf("%w: secretstream message shorter than %d bytes", ErrData, StreamABytes)
	}
	ct := in[1 : len(in)-16]
	var block [64]byte
	block[0] = in[0]
	s.xor(block[:], block[:], 1)
	tag := block[0]
	block[0] = in[0]
	mac := s.mac(ad, block[:], ct)
	if subtle.ConstantTimeCompare(mac[:], in[len(in)-16:]) != 1 {
		return nil, 0, ErrAuth
	}
	out := make([]byte, len(ct))
	s.xor(out, ct, 2)
	s.advance(mac, tag)
	return out, tag, nil
}

// Push encrypts one message with the given tag.
func (s *Stream) Push(msg, ad []byte, tag byte) []byte {
	var block [64]byte
	block[0] = tag
	s.xor(block[:], block[:], 1)
	out := make([]byte, 1+len(msg)+16)
	out[0] = block[0]
	s.xor(out[1:1+len(msg)], msg, 2)
	mac := s.mac(ad, block[:], out[1:1+len(msg)])
	copy(out[1+len(msg):], mac[:])
	s.advance(mac, tag)
	return out
}
