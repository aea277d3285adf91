package eseal

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"
)

// Event is one step of a signing round, as the certificate lists it.
type Event struct {
	Kind       string    `json:"kind"` // sent, resent, opened, code_sent, signed, declined, reminded, expired, voided
	SignerID   string    `json:"signer_id,omitempty"`
	SignerName string    `json:"signer_name,omitempty"`
	At         time.Time `json:"at"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
	Detail     string    `json:"detail,omitempty"` // a decline's reason, a replaced email …
}

// Certificate of completion for one contract version.
type Certificate struct {
	ContractNumber string            `json:"contract_number"`
	Title          string            `json:"title"`
	Version        int               `json:"version"`
	DocumentSHA256 string            `json:"document_sha256"`
	CompletedAt    *time.Time        `json:"completed_at"`
	Signatures     []SealedSignature `json:"signatures"`
	Events         []Event           `json:"events"`
	IssuedAt       time.Time         `json:"issued_at"`
	Seal           *Seal             `json:"seal,omitempty"`
}

// Certify returns c sealed: the seal covers every field of c with Seal nil
// (which omits "seal" from the JSON). It refuses a certificate that
// VerifyCertificate would reject, so a broken one is never issued.
func (s *Sealer) Certify(c Certificate) (Certificate, error) {
	if err := checkSignatures(s.VerifySeal, c); err != nil {
		return Certificate{}, fmt.Errorf("signing: certify: %w", err)
	}
	c.Seal = nil
	seal, err := s.Seal(c)
	if err != nil {
		return Certificate{}, err
	}
	c.Seal = &seal
	return c, nil
}

// VerifyCertificate checks the certificate's own seal and every signature's
// seal, and that every signature's document hash, contract number and version
// match the certificate's. It returns nil if all is good, otherwise an error
// listing each failure, e.g. "signature 2 (王建国): seal does not verify".
func VerifyCertificate(pub ed25519.PublicKey, c Certificate) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("signing: public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	return verifyCertificate(func(v any, seal Seal) bool { return Verify(pub, v, seal) }, c)
}

// VerifyCertificate is VerifyCertificate with each seal checked against the
// key its KeyID names in the Sealer's keyring, so a certificate issued
// before a rotation still verifies, and one sealed with a key the keyring
// does not hold does not.
func (s *Sealer) VerifyCertificate(c Certificate) error {
	return verifyCertificate(s.VerifySeal, c)
}

func verifyCertificate(verify func(v any, seal Seal) bool, c Certificate) error {
	var errs []error
	if c.Seal == nil {
		errs = append(errs, errors.New("certificate: not sealed"))
	} else {
		unsealed := c
		unsealed.Seal = nil
		if !verify(unsealed, *c.Seal) {
			errs = append(errs, errors.New("certificate: seal does not verify"))
		}
	}
	errs = append(errs, checkSignatures(verify, c))
	return errors.Join(errs...)
}

func checkSignatures(verify func(v any, seal Seal) bool, c Certificate) error {
	var errs []error
	for i, sig := range c.Signatures {
		name := fmt.Sprintf("signature %d (%s)", i+1, sig.SignerName)
		if !verify(sig.SignatureRecord, sig.Seal) {
			errs = append(errs, fmt.Errorf("%s: seal does not verify", name))
		}
		if sig.DocumentSHA256 != c.DocumentSHA256 {
			errs = append(errs, fmt.Errorf("%s: document hash %s does not match the certificate's %s", name, sig.DocumentSHA256, c.DocumentSHA256))
		}
		if sig.ContractNumber != c.ContractNumber {
			errs = append(errs, fmt.Errorf("%s: contract number %s does not match the certificate's %s", name, sig.ContractNumber, c.ContractNumber))
		}
		if sig.Version != c.Version {
			errs = append(errs, fmt.Errorf("%s: version %d does not match the certificate's %d", name, sig.Version, c.Version))
		}
	}
	return errors.Join(errs...)
}
