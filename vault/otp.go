package vault

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"strconv"
	"time"
)

// This file is the one place vmfa computes one-time passwords: the device
// side (codes shown and printed) and the verifier both call it. It works on
// raw key bytes so that a secret is never re-encoded to a string per code;
// the tests check it against pquerna/otp and the RFC 4226/6238 vectors.

var pow10 = [...]uint32{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

const steamAlphabet = "23456789BCDFGHJKMNPQRTVWXY"

func (a Algorithm) hash() func() hash.Hash {
	switch a {
	case SHA256:
		return sha256.New
	case SHA512:
		return sha512.New
	default:
		return sha1.New
	}
}

// truncate is RFC 4226 §5.3 dynamic truncation of an HMAC over counter.
func truncate(key []byte, alg Algorithm, counter uint64) uint32 {
	mac := hmac.New(alg.hash(), key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	var buf [sha512.Size]byte
	sum := mac.Sum(buf[:0])
	off := sum[len(sum)-1] & 0x0f
	return binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
}

// HOTPCode returns the RFC 4226 code of key at counter, zero-padded to
// digits (6–8). For Steam it returns the five-character Steam Guard code.
func HOTPCode(key []byte, alg Algorithm, digits int, counter uint64) string {
	bin := truncate(key, alg, counter)
	if digits < 1 || digits > 8 {
		digits = DefaultDigits
	}
	code := bin % pow10[digits]
	var out [8]byte
	for i := digits - 1; i >= 0; i-- {
		out[i] = byte('0' + code%10)
		code /= 10
	}
	return string(out[:digits])
}

// SteamCode returns the Steam Guard code of key at a time step.
func SteamCode(key []byte, step uint64) string {
	bin := truncate(key, SHA1, step)
	var out [5]byte
	for i := range out {
		out[i] = steamAlphabet[bin%uint32(len(steamAlphabet))]
		bin /= uint32(len(steamAlphabet))
	}
	return string(out[:])
}

// YandexCode returns the Yandex.Key code of a 16-byte secret and PIN at a
// time step: HMAC-SHA256 keyed with SHA-256(PIN‖secret) (without a leading
// zero byte), the 63-bit big-endian number at the RFC 4226 offset, written
// as eight letters a–z (base 26, most significant first).
func YandexCode(secret []byte, pin string, step uint64) string {
	h := sha256.New()
	h.Write([]byte(pin))
	h.Write(secret)
	key := h.Sum(nil)
	if key[0] == 0 {
		key = key[1:]
	}
	mac := hmac.New(sha256.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], step)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint64(sum[off:off+8]) & 0x7fffffffffffffff
	const n = 26 * 26 * 26 * 26 * 26 * 26 * 26 * 26
	v %= n
	var out [8]byte
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = byte('a' + v%26)
		v /= 26
	}
	return string(out[:])
}

// MOTPCode returns the Mobile-OTP code at a time step (unix time / 10): the
// first six hex digits of MD5 over the step in decimal, the secret in
// lower-case hex and the PIN.
func MOTPCode(secret []byte, pin string, step uint64) string {
	msg := strconv.FormatUint(step, 10) + hex.EncodeToString(secret) + pin
	sum := md5.Sum([]byte(msg))
	return hex.EncodeToString(sum[:3])
}

// Step returns the RFC 6238 time step of t for a period in seconds
// (T0 = 0). Times before the epoch map to step 0.
func Step(t time.Time, period int) uint64 {
	if period <= 0 {
		period = DefaultPeriod
	}
	u := t.Unix()
	if u < 0 {
		return 0
	}
	return uint64(u) / uint64(period)
}

// CodeAtStep returns the account's code at a time step (TOTP, Steam) or at
// a counter value (HOTP).
func (a *Account) CodeAtStep(step uint64) string {
	switch a.Type {
	case Steam:
		return SteamCode(a.Secret, step)
	case Yandex:
		return YandexCode(a.Secret, a.PIN, step)
	case MOTP:
		return MOTPCode(a.Secret, a.PIN, step)
	}
	return HOTPCode(a.Secret, a.Algorithm, a.Digits, step)
}

// Codes is what an authenticator shows for one account at one instant.
type Codes struct {
	Current string        // the code valid now (HOTP: at the stored counter)
	Next    string        // the code of the next step (HOTP: counter+1)
	Step    uint64        // the time step or counter of Current
	Left    time.Duration // time until Current expires (0 for HOTP)
	Period  time.Duration // the period (0 for HOTP)
}

// CodesAt returns the current and next codes at t and the time left in the
// period. For HOTP, t is ignored and the codes at Counter and Counter+1 are
// returned; advancing the counter is the caller's job (see Vault.NextHOTP).
func (a *Account) CodesAt(t time.Time) Codes {
	if a.Type == HOTP {
		return Codes{Current: a.CodeAtStep(a.Counter), Next: a.CodeAtStep(a.Counter + 1), Step: a.Counter}
	}
	p := a.Period
	if p <= 0 {
		p = DefaultPeriod
	}
	step := Step(t, p)
	end := time.Unix(int64(step+1)*int64(p), 0)
	return Codes{
		Current: a.CodeAtStep(step),
		Next:    a.CodeAtStep(step + 1),
		Step:    step,
		Left:    end.Sub(t),
		Period:  time.Duration(p) * time.Second,
	}
}

// CodeAt returns the current code at t (TOTP, Steam) or at the stored
// counter (HOTP).
func (a *Account) CodeAt(t time.Time) string {
	if a.Type == HOTP {
		return a.CodeAtStep(a.Counter)
	}
	return a.CodeAtStep(Step(t, a.Period))
}

// EqualCodes compares two codes in constant time (for equal lengths).
func EqualCodes(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// HOTPHandedOut returns the codes an HOTP account handed out when its
// counter was last advanced by n (see Vault.AdvanceHOTP): n = 1 is the code
// at Counter; n = 2 is the pair at Counter-1 and Counter, both used up.
func (a *Account) HOTPHandedOut(n uint64) Codes {
	if n < 1 || n > 2 || a.Counter < n-1 {
		n = 1
	}
	first := a.Counter + 1 - n
	return Codes{Current: a.CodeAtStep(first), Next: a.CodeAtStep(first + 1), Step: first}
}
