package pdfsig

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// oidDocumentSigning is the document-signing extended key usage (RFC 9336)
// readers look for on a PDF signer's certificate.
var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// DevFiles are the files `signet dev` keeps for PDF signing: the key and
// certificate (with its CA) the worker signs with, and the development
// CA's certificate alone, to trust in a reader.
type DevFiles struct {
	Key, Cert, CA string
}

// Ensure makes a development CA and a signing certificate it issues, unless
// the key and certificate exist already: a second start keeps them, so
// PDFs signed before still verify as Signet's. The CA's own key is not
// kept; a new certificate means a new CA.
func (f DevFiles) Ensure(org string, now time.Time) (bool, error) {
	_, kerr := os.Stat(f.Key)
	_, cerr := os.Stat(f.Cert)
	if kerr == nil && cerr == nil {
		return false, nil
	}
	if !errors.Is(kerr, fs.ErrNotExist) && kerr != nil {
		return false, kerr
	}
	key, cert, ca, err := DevCertificate(org, now)
	if err != nil {
		return false, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return false, err
	}
	chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})...)
	for _, w := range []struct {
		path string
		data []byte
	}{
		{f.Key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})},
		{f.Cert, chain},
		{f.CA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})},
	} {
		if w.path == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(w.path), 0o700); err != nil {
			return false, err
		}
		if err := os.WriteFile(w.path, w.data, 0o600); err != nil {
			return false, fmt.Errorf("write %s: %w", w.path, err)
		}
	}
	return true, nil
}

// DevCertificate makes a development CA and an RSA-2048 document-signing
// certificate it issues for org, valid for ten years from now. RSA, not
// ECDSA: every PDF reader checks it.
func DevCertificate(org string, now time.Time) (*rsa.PrivateKey, *x509.Certificate, *x509.Certificate, error) {
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, nil, err
	}
	serial := func() *big.Int {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
		return n
	}
	caTpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "Signet Development CA", Organization: []string{org}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTpl, caTpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, nil, err
	}
	tpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "Signet document signing (development)", Organization: []string{org}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{oidDocumentSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert, ca, nil
}
