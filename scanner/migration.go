package scanner

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/vmfa/vmfa/internal/textutil"
	"github.com/vmfa/vmfa/vault"
)

// Google Authenticator's "Transfer accounts" QR codes hold
// otpauth-migration://offline?data=BASE64 where the data is a protobuf
// MigrationPayload:
//
//	message MigrationPayload {
//	  repeated OtpParameters otp_parameters = 1;
//	  int32 version = 2; int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5;
//	}
//	message OtpParameters {
//	  bytes secret = 1; string name = 2; string issuer = 3;
//	  Algorithm algorithm = 4; // 0,1 SHA1; 2 SHA256; 3 SHA512; 4 MD5
//	  DigitCount digits = 5;   // 0,1 six; 2 eight
//	  OtpType type = 6;        // 0,2 TOTP; 1 HOTP
//	  int64 counter = 7;
//	}
//
// There is no period field: every TOTP account is 30 seconds. The wire
// format is read and written with google.golang.org/protobuf's protowire
// (no generated code: the two messages are small and fixed).

// MaxMigrationBatch is how many accounts one export QR code holds at most
// when vmfa writes a migration export (Google Authenticator uses 10 too).
const MaxMigrationBatch = 10

// Migration is one decoded otpauth-migration payload: the accounts of one
// QR code and where it sits in a multi-code export.
type Migration struct {
	Accounts   []vault.Account
	Version    int
	BatchSize  int // number of QR codes in the export (0 or 1: just this one)
	BatchIndex int // 0-based position of this code in the export
	BatchID    int // identifies the export; equal across its codes
}

// DecodeMigration decodes one otpauth-migration://offline?data=… URI. The
// data is URL-escaped standard Base64; a literal '+' (left unescaped by
// some tools) is kept as '+', not read as a space.
func DecodeMigration(uri string) (*Migration, error) {
	uri = strings.TrimSpace(uri)
	if !hasPrefixFold(uri, migrationScheme) {
		return nil, ErrNotOTPAuth
	}
	if len(uri) > maxURILen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformedURI, maxURILen)
	}
	rest := uri[len(migrationScheme):]
	host, query, _ := strings.Cut(rest, "?")
	if h := strings.TrimSuffix(host, "/"); !strings.EqualFold(h, "offline") {
		return nil, fmt.Errorf("%w: host is %q", ErrMigrationData, textutil.Clip(h))
	}
	query, _, _ = strings.Cut(query, "#")
	var raw string
	found := false
	for query != "" {
		var kv string
		kv, query, _ = strings.Cut(query, "&")
		k, v, _ := strings.Cut(kv, "=")
		if strings.EqualFold(k, "data") {
			if found {
				return nil, fmt.Errorf("%w: the data parameter appears twice", ErrMalformedURI)
			}
			raw, found = v, true
		}
	}
	if !found || raw == "" {
		return nil, ErrMigrationData
	}
	// PathUnescape, unlike QueryUnescape, leaves '+' alone.
	unesc, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: bad percent-escape in the data parameter", ErrMalformedURI)
	}
	data, err := decodeBase64(unesc)
	if err != nil {
		return nil, ErrMigrationBase64
	}
	return decodePayload(data)
}

// decodeBase64 accepts standard Base64 with or without padding, and the
// URL-safe alphabet, ignoring whitespace (a space is a '+' that went
// through form decoding).
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ':
			return '+'
		case '\n', '\r', '\t':
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// Protobuf wire types, as the tests spell them.
const (
	wireVarint = int(protowire.VarintType)
	wireI64    = int(protowire.Fixed64Type)
	wireLen    = int(protowire.BytesType)
	wireI32    = int(protowire.Fixed32Type)
)

// eachField walks the fields of one protobuf message with the protobuf
// module's own wire decoder (protowire), calling fn with each varint value
// or length-delimited payload; fixed-width fields are skipped and groups
// (unused since proto3) are corrupt. It stops at the first error.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, val []byte) error) error {
	err := walkFields(b, fn)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errTruncated
	}
	return err
}

var errTruncated = errors.New("truncated")

func walkFields(b []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, val []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var (
			v   uint64
			val []byte
		)
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			val, n = protowire.ConsumeBytes(b)
		case protowire.Fixed32Type, protowire.Fixed64Type:
			n = protowire.ConsumeFieldValue(num, typ, b)
		default:
			return fmt.Errorf("unsupported wire type %d", typ)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if typ == protowire.Fixed32Type || typ == protowire.Fixed64Type {
			continue
		}
		if err := fn(num, typ, v, val); err != nil {
			return err
		}
	}
	return nil
}

// int32Of interprets a varint as a protobuf int32 (negative values are
// sign-extended to 64 bits on the wire).
func int32Of(v uint64) int { return int(int32(v)) }

func decodePayload(data []byte) (*Migration, error) {
	m := &Migration{}
	var params [][]byte
	err := eachField(data, func(num protowire.Number, typ protowire.Type, v uint64, b []byte) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			params = append(params, b)
		case num == 2 && typ == protowire.VarintType:
			m.Version = int32Of(v)
		case num == 3 && typ == protowire.VarintType:
			m.BatchSize = int32Of(v)
		case num == 4 && typ == protowire.VarintType:
			m.BatchIndex = int32Of(v)
		case num == 5 && typ == protowire.VarintType:
			m.BatchID = int32Of(v)
		case num <= 5:
			return fmt.Errorf("field %d has wire type %d", num, typ)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMigrationCorrupt, err)
	}
	if m.BatchSize < 0 || m.BatchIndex < 0 || (m.BatchSize > 0 && m.BatchIndex >= m.BatchSize) {
		return nil, fmt.Errorf("%w: batch %d of %d", ErrMigrationCorrupt, m.BatchIndex+1, m.BatchSize)
	}
	if len(params) == 0 {
		return nil, ErrMigrationEmpty
	}
	now := time.Now()
	for i, p := range params {
		a, err := decodeOtpParameters(p)
		if err != nil {
			return nil, fmt.Errorf("migration account %d: %w", i+1, err)
		}
		if err := a.Normalize(now); err != nil {
			return nil, fmt.Errorf("migration account %d: %w", i+1, err)
		}
		m.Accounts = append(m.Accounts, a)
	}
	return m, nil
}

func decodeOtpParameters(data []byte) (vault.Account, error) {
	var a vault.Account
	alg, digits, typ := uint64(0), uint64(0), uint64(0)
	var name, issuer string
	err := eachField(data, func(num protowire.Number, wt protowire.Type, v uint64, b []byte) error {
		switch {
		case num == 1 && wt == protowire.BytesType:
			a.Secret = append([]byte(nil), b...)
		case num == 2 && wt == protowire.BytesType:
			name = string(b)
		case num == 3 && wt == protowire.BytesType:
			issuer = string(b)
		case num == 4 && wt == protowire.VarintType:
			alg = v
		case num == 5 && wt == protowire.VarintType:
			digits = v
		case num == 6 && wt == protowire.VarintType:
			typ = v
		case num == 7 && wt == protowire.VarintType:
			a.Counter = v
		case num <= 7:
			return fmt.Errorf("field %d has wire type %d", num, wt)
		}
		return nil
	})
	if err != nil {
		return a, fmt.Errorf("%w: %v", ErrMigrationCorrupt, err)
	}
	if !utf8.ValidString(name) || !utf8.ValidString(issuer) {
		return a, fmt.Errorf("%w: name or issuer is not utf-8", ErrMigrationCorrupt)
	}
	switch alg {
	case 0, 1:
		a.Algorithm = vault.SHA1
	case 2:
		a.Algorithm = vault.SHA256
	case 3:
		a.Algorithm = vault.SHA512
	case 4:
		return a, ErrUnsupportedAlgorithm
	default:
		return a, fmt.Errorf("%w: code %d", ErrUnknownAlgorithm, alg)
	}
	switch digits {
	case 0, 1:
		a.Digits = 6
	case 2:
		a.Digits = 8
	default:
		return a, fmt.Errorf("%w (got code %d)", ErrDigits, digits)
	}
	switch typ {
	case 0, 2:
		a.Type = vault.TOTP
		a.Counter = 0
	case 1:
		a.Type = vault.HOTP
	default:
		return a, fmt.Errorf("%w: code %d", ErrUnknownType, typ)
	}
	issuer = strings.TrimSpace(issuer)
	name = strings.TrimSpace(name)
	if issuer == "" {
		if i, n, ok := strings.Cut(name, ":"); ok {
			issuer, name = strings.TrimSpace(i), strings.TrimSpace(n)
		}
	} else if n, ok := strings.CutPrefix(name, issuer+":"); ok {
		name = strings.TrimSpace(n)
	}
	a.Issuer, a.Name = issuer, name
	if len(a.Secret) == 0 {
		return a, ErrEmptySecret
	}
	return a, nil
}

// pbWriter builds the wire format for EncodeMigration with protowire.
type pbWriter struct{ b []byte }

func (w *pbWriter) uint(num int, v uint64) {
	if v == 0 {
		return
	}
	w.b = protowire.AppendTag(w.b, protowire.Number(num), protowire.VarintType)
	w.b = protowire.AppendVarint(w.b, v)
}

func (w *pbWriter) int32(num int, v int) { w.uint(num, uint64(int64(int32(v)))) }

func (w *pbWriter) bytes(num int, b []byte) {
	if len(b) == 0 {
		return
	}
	w.b = protowire.AppendTag(w.b, protowire.Number(num), protowire.BytesType)
	w.b = protowire.AppendBytes(w.b, b)
}

// EncodeMigration returns the otpauth-migration URI of one export QR code
// holding accs (at most MaxMigrationBatch are advisable for a readable QR
// code). Steam accounts cannot be expressed and are an error; so is a
// period other than 30 seconds, which the format cannot carry.
func EncodeMigration(accs []vault.Account, batchSize, batchIndex, batchID int) (string, error) {
	w := &pbWriter{}
	for i := range accs {
		a := &accs[i]
		p := &pbWriter{}
		p.bytes(1, a.Secret)
		p.bytes(2, []byte(a.Name))
		p.bytes(3, []byte(a.Issuer))
		switch a.Algorithm {
		case vault.SHA1, "":
			p.uint(4, 1)
		case vault.SHA256:
			p.uint(4, 2)
		case vault.SHA512:
			p.uint(4, 3)
		default:
			return "", fmt.Errorf("%s: %w: %q", a.Label(), ErrUnknownAlgorithm, a.Algorithm)
		}
		switch a.Type {
		case vault.TOTP, "":
			if a.Period != 0 && a.Period != vault.DefaultPeriod {
				return "", fmt.Errorf("%s: google authenticator exports hold 30-second accounts only, not %d", a.Label(), a.Period)
			}
			p.uint(6, 2)
		case vault.HOTP:
			p.uint(6, 1)
			p.uint(7, a.Counter)
		default:
			return "", fmt.Errorf("%s: %s accounts cannot be put in a google authenticator export", a.Label(), a.Type)
		}
		switch a.Digits {
		case 6, 0:
			p.uint(5, 1)
		case 8:
			p.uint(5, 2)
		default:
			return "", fmt.Errorf("%s: google authenticator exports hold 6 or 8 digits, not %d", a.Label(), a.Digits)
		}
		w.bytes(1, p.b)
	}
	w.int32(2, 1)
	w.int32(3, batchSize)
	w.int32(4, batchIndex)
	w.int32(5, batchID)
	return migrationScheme + "offline?data=" + url.QueryEscape(base64.StdEncoding.EncodeToString(w.b)), nil
}

// MigrationURIs splits accounts into export QR payloads of at most
// MaxMigrationBatch accounts each, with the batch fields set so that an
// importer can tell when a code is missing.
func MigrationURIs(accs []vault.Account, batchID int) ([]string, error) {
	if len(accs) == 0 {
		return nil, ErrNoAccounts
	}
	n := (len(accs) + MaxMigrationBatch - 1) / MaxMigrationBatch
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		end := min((i+1)*MaxMigrationBatch, len(accs))
		u, err := EncodeMigration(accs[i*MaxMigrationBatch:end], n, i, batchID)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
