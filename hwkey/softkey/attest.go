package softkey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

var (
	// oidFIDOAAGUID is id-fido-gen-ce-aaguid, the AAGUID of the authenticator
	// model, required in packed attestation certificates when the AAGUID is known.
	oidFIDOAAGUID = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 45724, 1, 1, 4}
	// oidFIDOTransports is id-fido-u2f-ce-transports.
	oidFIDOTransports = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 45724, 2, 1, 1}
)

// newAttestation creates an attestation key and certificate, signed by a
// throw-away CA whose certificate is kept so that relying parties can trust it.
// The certificate follows the packed attestation requirements: version 3,
// subject OU "Authenticator Attestation", not a CA, id-fido-gen-ce-aaguid.
func newAttestation(now time.Time, aaguid [16]byte) (*ecdsa.PrivateKey, []byte, []byte, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("softkey: generate attestation root key: %w", err)
	}
	attKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("softkey: generate attestation key: %w", err)
	}
	notBefore := now.Add(-24 * time.Hour).UTC()
	notAfter := now.AddDate(20, 0, 0).UTC()
	caTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{Organization: []string{"vmfa"}, CommonName: "vmfa softkey attestation root"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("softkey: create attestation root certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("softkey: parse attestation root certificate: %w", err)
	}
	aaguidExt, err := asn1.Marshal(aaguid[:])
	if err != nil {
		return nil, nil, nil, fmt.Errorf("softkey: encode aaguid extension: %w", err)
	}
	// Transports bit string: bit 2 is USB.
	transportsExt, err := asn1.Marshal(asn1.BitString{Bytes: []byte{0x20}, BitLength: 3})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("softkey: encode transports extension: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject: pkix.Name{
			Country:            []string{"US"},
			Organization:       []string{"vmfa"},
			OrganizationalUnit: []string{"Authenticator Attestation"},
			CommonName:         "vmfa softkey",
		},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  false,
		ExtraExtensions: []pkix.Extension{
			{Id: oidFIDOAAGUID, Value: aaguidExt},
			{Id: oidFIDOTransports, Value: transportsExt},
		},
	}
	attDER, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &attKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("softkey: create attestation certificate: %w", err)
	}
	return attKey, attDER, caDER, nil
}

func randomSerial() *big.Int {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[0] &= 0x7f
	b[0] |= 0x01 // positive and non-zero
	return new(big.Int).SetBytes(b)
}
