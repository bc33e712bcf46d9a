package verifier

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"time"

	"github.com/vmfa/vmfa/internal/webauthn"
)

// Attestation types recorded on a Credential.
const (
	AttestationNone       = "none"
	AttestationSelf       = "self"
	AttestationBasic      = "basic"            // x5c chains to a trusted root
	AttestationUnverified = "basic-unverified" // x5c valid, no trust store configured
)

// oidFIDOAAGUID is id-fido-gen-ce-aaguid, the AAGUID certificate extension.
var oidFIDOAAGUID = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 45724, 1, 1, 4}

// coseToX509 maps the COSE algorithms an attestation may be signed with to
// x509 signature algorithms.
var coseToX509 = map[int64]x509.SignatureAlgorithm{
	-7:   x509.ECDSAWithSHA256,
	-35:  x509.ECDSAWithSHA384,
	-36:  x509.ECDSAWithSHA512,
	-257: x509.SHA256WithRSA,
	-258: x509.SHA384WithRSA,
	-259: x509.SHA512WithRSA,
	-8:   x509.PureEd25519,
}

// verifyAttestation checks the attestation statement of ao over
// clientDataHash (WebAuthn §8.2, §8.6, §8.7) and returns the attestation
// type. credKey is the credential public key from the authenticator data.
func (v *Verifier) verifyAttestation(ao *webauthn.AttestationObject, clientDataHash []byte, credAlg int64, credKey *ecdsa.PublicKey, now time.Time) (string, error) {
	ad := ao.AuthData
	signed := make([]byte, 0, len(ad.Raw)+len(clientDataHash))
	signed = append(append(signed, ad.Raw...), clientDataHash...)
	switch ao.Format {
	case webauthn.FormatNone:
		if len(ao.StmtKeys()) != 0 {
			return "", fmt.Errorf("%w: none attestation with a non-empty statement", ErrAttestation)
		}
		if v.cfg.TrustRoots != nil {
			return "", fmt.Errorf("%w: the key sent no attestation (fmt none) and trust roots are configured: ask for direct attestation, or drop --trust-roots", ErrAttestationRequired)
		}
		return AttestationNone, nil

	case webauthn.FormatPacked:
		st := ao.Stmt
		if len(st.Sig) == 0 || !slices.Contains(ao.StmtKeys(), "alg") {
			return "", fmt.Errorf("%w: packed statement lacks alg or sig", ErrAttestation)
		}
		if len(st.X5C) == 0 {
			// Self attestation: signed by the credential key itself.
			if st.Alg != credAlg {
				return "", fmt.Errorf("%w: self attestation alg %d differs from the credential's %d", ErrAttestation, st.Alg, credAlg)
			}
			if !ecdsa.VerifyASN1(credKey, sha256Sum(signed), st.Sig) {
				return "", fmt.Errorf("%w: self attestation signature", ErrSignature)
			}
			if v.cfg.TrustRoots != nil {
				// Self attestation is signed by the credential key
				// itself: any program can make one.
				return "", fmt.Errorf("%w: the key sent self attestation, which no trust root vouches for (a key with an attestation certificate is needed)", ErrAttestationRequired)
			}
			return AttestationSelf, nil
		}
		certs, err := parseX5C(st.X5C)
		if err != nil {
			return "", err
		}
		leaf := certs[0]
		alg, ok := coseToX509[st.Alg]
		if !ok {
			return "", fmt.Errorf("%w: attestation alg %d", ErrUnsupportedAlgorithm, st.Alg)
		}
		if err := leaf.CheckSignature(alg, signed, st.Sig); err != nil {
			return "", fmt.Errorf("%w: packed attestation signature", ErrSignature)
		}
		if err := checkPackedCert(leaf, ad.AAGUID); err != nil {
			return "", err
		}
		return v.trust(certs, now)

	case webauthn.FormatFIDOU2F:
		st := ao.Stmt
		if len(st.X5C) != 1 || len(st.Sig) == 0 {
			return "", fmt.Errorf("%w: fido-u2f statement needs one x5c certificate and a sig", ErrAttestation)
		}
		certs, err := parseX5C(st.X5C)
		if err != nil {
			return "", err
		}
		pub, ok := certs[0].PublicKey.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() {
			return "", fmt.Errorf("%w: fido-u2f certificate key is not P-256", ErrAttestation)
		}
		if credAlg != webauthn.AlgES256 || credKey == nil {
			return "", fmt.Errorf("%w: fido-u2f credential is not ES256", ErrAttestation)
		}
		if !bytes.Equal(ad.AAGUID, make([]byte, 16)) {
			return "", fmt.Errorf("%w: fido-u2f aaguid is not zero", ErrAttestation)
		}
		pt, err := credKey.Bytes() // 0x04 || x || y
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrBadPublicKey, err)
		}
		data := make([]byte, 0, 1+32+32+len(ad.CredentialID)+len(pt))
		data = append(data, 0x00)
		data = append(data, ad.RPIDHash...)
		data = append(data, clientDataHash...)
		data = append(data, ad.CredentialID...)
		data = append(data, pt...)
		if !ecdsa.VerifyASN1(pub, sha256Sum(data), st.Sig) {
			return "", fmt.Errorf("%w: fido-u2f attestation signature", ErrSignature)
		}
		return v.trust(certs, now)
	}
	return "", fmt.Errorf("%w: %q", ErrUnsupportedAttestation, webauthn.Clip(ao.Format))
}

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

func parseX5C(x5c [][]byte) ([]*x509.Certificate, error) {
	if len(x5c) > 8 {
		return nil, fmt.Errorf("%w: x5c has %d certificates", ErrAttestation, len(x5c))
	}
	certs := make([]*x509.Certificate, 0, len(x5c))
	for i, der := range x5c {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%w: x5c certificate %d does not parse", ErrAttestation, i)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// checkPackedCert applies the packed attestation certificate requirements
// (WebAuthn §8.2.1).
func checkPackedCert(c *x509.Certificate, aaguid []byte) error {
	s := c.Subject
	switch {
	case c.Version != 3:
		return fmt.Errorf("%w: attestation certificate is not x509 v3", ErrAttestation)
	case len(s.Country) == 0 || len(s.Organization) == 0 || s.CommonName == "":
		return fmt.Errorf("%w: attestation certificate subject lacks C, O or CN", ErrAttestation)
	case !slices.Contains(s.OrganizationalUnit, "Authenticator Attestation"):
		return fmt.Errorf("%w: attestation certificate OU is not \"Authenticator Attestation\"", ErrAttestation)
	case c.BasicConstraintsValid && c.IsCA:
		return fmt.Errorf("%w: attestation certificate is a CA certificate", ErrAttestation)
	}
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(oidFIDOAAGUID) {
			continue
		}
		if ext.Critical {
			return fmt.Errorf("%w: aaguid extension is critical", ErrAttestation)
		}
		var got []byte
		if rest, err := asn1.Unmarshal(ext.Value, &got); err != nil || len(rest) != 0 || !bytes.Equal(got, aaguid) {
			return fmt.Errorf("%w: certificate aaguid does not match the authenticator's", ErrAttestation)
		}
	}
	return nil
}

// trust verifies an attestation chain against Config.TrustRoots.
func (v *Verifier) trust(certs []*x509.Certificate, now time.Time) (string, error) {
	if v.cfg.TrustRoots == nil {
		return AttestationUnverified, nil
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots:         v.cfg.TrustRoots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUntrustedAttestation, err)
	}
	return AttestationBasic, nil
}
