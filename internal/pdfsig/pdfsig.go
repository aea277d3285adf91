// Package pdfsig applies and checks PDF digital signatures: PKCS#7
// detached, SHA-256, each an incremental update over the file before it
// (ISO 32000 12.8), so any PDF reader shows the signature and whether the
// file changed since. Signing uses github.com/digitorus/pdfsign; checking
// is done here, since its verifier does not say which bytes a signature
// covers.
package pdfsig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/pkcs7"
)

// Key is Signet's PDF signing key with its certificate and the chain up
// to the issuing CA, as configured (SIGNET_PDF_SIGNING_KEY,
// SIGNET_PDF_SIGNING_CERT).
type Key struct {
	signer crypto.Signer
	cert   *x509.Certificate
	chain  []*x509.Certificate
}

// NewKey pairs a private key with its certificate; chain is the issuers
// above it, leaf-most first (may be empty).
func NewKey(signer crypto.Signer, cert *x509.Certificate, chain ...*x509.Certificate) (*Key, error) {
	if !publicKeysEqual(signer.Public(), cert.PublicKey) {
		return nil, errors.New("the PDF signing key does not belong to its certificate")
	}
	return &Key{signer: signer, cert: cert, chain: chain}, nil
}

// LoadKey reads the key (PEM: PKCS#8, PKCS#1 or SEC 1) and the certificate
// file (PEM: the signing certificate first, then its issuers).
func LoadKey(keyPath, certPath string) (*Key, error) {
	certs, err := LoadCertificates(certPath)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("PDF signing key: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("PDF signing key %s: no PEM block", keyPath)
	}
	signer, err := parseKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("PDF signing key %s: %w", keyPath, err)
	}
	k, err := NewKey(signer, certs[0], certs[1:]...)
	if err != nil {
		return nil, fmt.Errorf("%s and %s: %w", keyPath, certPath, err)
	}
	return k, nil
}

// LoadCertificates reads a PEM file of certificates, the signing one first.
func LoadCertificates(path string) ([]*x509.Certificate, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("PDF signing certificate: %w", err)
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, raw = pem.Decode(raw)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PDF signing certificate %s: %w", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("PDF signing certificate %s: no CERTIFICATE block", path)
	}
	return certs, nil
}

func parseKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, errors.New("not a signing key")
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("not a PKCS#8, PKCS#1 or EC private key")
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	switch k := a.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return k.(equaler).Equal(b)
	}
	return false
}

// Certificate is the signing certificate.
func (k *Key) Certificate() *x509.Certificate { return k.cert }

// Fingerprint is the SHA-256 of the signing certificate (hex), as the
// verification report names a signer's certificate.
func (k *Key) Fingerprint() string { return Fingerprint(k.cert) }

// Fingerprint is the SHA-256 of a certificate's DER (hex).
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// Info is what the signature dictionary says besides the signature.
type Info struct {
	Name     string
	Reason   string
	Location string
	Contact  string
	// Date is the signing time written into the dictionary (M); the
	// PKCS#7 signing-time attribute says the same.
	Date time.Time
	// Timestamps, when set, is the authority whose RFC 3161 token the
	// signature carries; without it, Date is Signet's word alone.
	Timestamps *Timestamps
}

// Sign appends a signature over all of file as an incremental update: the
// original bytes stay as they were, and the signature's byte range is
// the whole result but its own /Contents.
func Sign(file []byte, k *Key, info Info) ([]byte, error) {
	rdr, err := pdf.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		return nil, fmt.Errorf("read PDF to sign: %w", err)
	}
	var out bytes.Buffer
	chain := append([]*x509.Certificate{k.cert}, k.chain...)
	var tsa sign.TSA
	failed := func() error { return nil }
	if info.Timestamps != nil {
		url, lastErr, stop, err := info.Timestamps.relay()
		if err != nil {
			return nil, err
		}
		defer stop()
		tsa.URL, failed = url, lastErr
	}
	err = sign.Sign(bytes.NewReader(file), &out, rdr, int64(len(file)), sign.SignData{
		TSA: tsa,
		Signature: sign.SignDataSignature{
			// An approval signature: later ones (another round, a
			// countersignature) may follow as updates of their own.
			CertType: sign.ApprovalSignature,
			Info: sign.SignDataSignatureInfo{Name: info.Name, Reason: info.Reason, Location: info.Location,
				ContactInfo: info.Contact, Date: info.Date},
		},
		Signer:            k.signer,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       k.cert,
		CertificateChains: [][]*x509.Certificate{chain},
	})
	if ferr := failed(); ferr != nil {
		return nil, fmt.Errorf("%w: %v", ErrTimestamp, ferr)
	}
	if err != nil {
		return nil, fmt.Errorf("sign PDF: %w", err)
	}
	return out.Bytes(), nil
}

// Signature is one embedded signature as Verify found it.
type Signature struct {
	// Signer is the signing certificate's subject common name,
	// Organization its organisation, Issuer the issuer's common name.
	Signer       string
	Organization string
	Issuer       string
	// Fingerprint is the SHA-256 of the signing certificate.
	Fingerprint string
	// Name and Reason are the signature dictionary's; SignedAt its M.
	Name     string
	Reason   string
	SignedAt *time.Time
	// Valid: the PKCS#7 signature checks over the bytes it claims.
	Valid bool
	// Problem says why not, when not.
	Problem string
	// CoversWhole: its byte range is the whole file but its own contents.
	CoversWhole bool
	// AppendedBytes is how many bytes follow what it covers: an update
	// made after it (a later signature or an edit).
	AppendedBytes int64
	// Known: signed with the certificate Signet is configured with.
	Known bool
	// Stamp is its RFC 3161 time-stamp, when it carries one.
	Stamp *Stamp
}

// Report is every signature in a file, in file order.
type Report struct {
	Size       int64
	Signatures []Signature
}

// ErrNotPDF: the bytes are not a PDF Verify can read.
var ErrNotPDF = errors.New("not a readable PDF")

// Verify checks every signature in file. known are the certificates a
// signature must be made with to count as Signet's (the configured one).
// A file with no signature reports none; one that is no PDF, ErrNotPDF.
func Verify(file []byte, known ...*x509.Certificate) (rep Report, err error) {
	rep.Size = int64(len(file))
	if !bytes.HasPrefix(file, []byte("%PDF-")) {
		return rep, ErrNotPDF
	}
	// The reader panics on some malformed files; an upload is hostile.
	defer func() {
		if r := recover(); r != nil {
			rep, err = Report{Size: int64(len(file))}, fmt.Errorf("%w: %v", ErrNotPDF, r)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		return rep, fmt.Errorf("%w: %v", ErrNotPDF, err)
	}
	seen := map[string]bool{}
	for _, x := range rdr.Xref() {
		v := rdr.Resolve(x.Ptr(), x.Ptr())
		if v.Key("Filter").Name() != "Adobe.PPKLite" || v.Key("ByteRange").IsNull() {
			continue
		}
		contents := v.Key("Contents").RawString()
		// An object updated in place appears in more than one xref section.
		if seen[contents] {
			continue
		}
		seen[contents] = true
		rep.Signatures = append(rep.Signatures, check(file, v, contents, known))
	}
	return rep, nil
}

// check verifies one signature dictionary v.
func check(file []byte, v pdf.Value, contents string, known []*x509.Certificate) Signature {
	s := Signature{Name: v.Key("Name").Text(), Reason: v.Key("Reason").Text()}
	if t, err := time.Parse("D:20060102150405Z07'00'", v.Key("M").Text()); err == nil {
		s.SignedAt = &t
	}
	br := v.Key("ByteRange")
	var ranges []int64
	for i := 0; i < br.Len(); i++ {
		ranges = append(ranges, br.Index(i).Int64())
	}
	size := int64(len(file))
	var content []byte
	end := int64(0)
	for i := 0; i+1 < len(ranges); i += 2 {
		off, n := ranges[i], ranges[i+1]
		if off < 0 || n < 0 || off > size || n > size-off {
			s.Problem = "its byte range lies outside the file"
			return s
		}
		content = append(content, file[off:off+n]...)
		end = max(end, off+n)
	}
	s.AppendedBytes = size - end
	// The whole file but the hex of its own /Contents: two ranges, the
	// first from the start, the gap exactly the <…> it is written in.
	if len(ranges) == 4 && ranges[0] == 0 && ranges[2] > ranges[1] && s.AppendedBytes == 0 {
		gap := file[ranges[1]:ranges[2]]
		s.CoversWhole = len(gap) >= 2 && gap[0] == '<' && gap[len(gap)-1] == '>'
	}
	p7, err := pkcs7.Parse([]byte(contents))
	if err != nil {
		s.Problem = "its signature is not PKCS#7: " + err.Error()
		return s
	}
	p7.Content = content
	if cert := p7.GetOnlySigner(); cert != nil {
		s.Signer, s.Issuer, s.Fingerprint = cert.Subject.CommonName, cert.Issuer.CommonName, Fingerprint(cert)
		if len(cert.Subject.Organization) > 0 {
			s.Organization = cert.Subject.Organization[0]
		}
		for _, k := range known {
			if k != nil && bytes.Equal(k.Raw, cert.Raw) {
				s.Known = true
			}
		}
	}
	if len(p7.Signers) == 1 {
		for _, a := range p7.Signers[0].UnauthenticatedAttributes {
			if a.Type.Equal(oidTimeStampToken) {
				s.Stamp = stampOf(a.Value.Bytes, p7.Signers[0].EncryptedDigest)
			}
		}
	}
	if err := p7.Verify(); err != nil {
		s.Problem = "the signed bytes were changed: " + err.Error()
		return s
	}
	s.Valid = true
	return s
}
