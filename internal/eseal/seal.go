// Package eseal seals e-signature records and certificates of completion
// with the server's Ed25519 key, kept in a keyring outside the database
// (keyring.go), so that anyone holding the public key (GET
// /v1/signing-key) can check that nothing was changed. It also issues
// one-time signing-link tokens and verifies e-signing provider webhooks.
package eseal

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

const algorithm = "Ed25519"

// Seal is an Ed25519 signature over a record's canonical bytes.
type Seal struct {
	Algorithm string `json:"algorithm"` // "Ed25519"
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"` // base64 std
}

// Canonical returns the bytes that are sealed: json.Marshal of v. Sealing and
// verifying both go through it so they cannot disagree.
//
// It normalises nothing, so callers must:
//   - pass times in UTC: a time.Time marshals with its zone offset, so the
//     same instant read back in another zone (pgx returns Local) gives other
//     bytes;
//   - truncate times to the precision they are stored with (Postgres keeps
//     microseconds) before sealing, or the stored copy will not verify;
//   - verify with the same Go type that was sealed: field order comes from
//     the struct, and renaming, adding or removing a field changes the bytes.
func Canonical(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("signing: canonical form: %w", err)
	}
	return b, nil
}

// Seal signs Canonical(v) with the keyring's current key.
func (s *Sealer) Seal(v any) (Seal, error) {
	msg, err := Canonical(v)
	if err != nil {
		return Seal{}, err
	}
	k, err := s.ring.Current()
	if err != nil {
		return Seal{}, fmt.Errorf("signing: current key: %w", err)
	}
	// Ed25519 signs the message itself: no pre-hash (crypto.Hash(0)).
	sig, err := k.Signer.Sign(rand.Reader, msg, crypto.Hash(0))
	if err != nil {
		return Seal{}, fmt.Errorf("signing: sign with key %s: %w", k.ID, err)
	}
	return Seal{Algorithm: algorithm, KeyID: k.ID, Signature: base64.StdEncoding.EncodeToString(sig)}, nil
}

// VerifySeal reports whether seal is a valid seal of v by the key its
// KeyID names, current or retired, in the Sealer's keyring. A key the
// keyring does not hold verifies nothing.
func (s *Sealer) VerifySeal(v any, seal Seal) bool {
	pub, ok := s.ring.Lookup(seal.KeyID)
	return ok && Verify(pub, v, seal)
}

// Verify reports whether seal is a valid seal of v by pub. A wrong algorithm,
// a key id that is not pub's, bad base64 or a signature by another key all
// give false.
func Verify(pub ed25519.PublicKey, v any, seal Seal) bool {
	// ed25519.Verify panics on a key of the wrong length, so check it first.
	if seal.Algorithm != algorithm || len(pub) != ed25519.PublicKeySize || seal.KeyID != keyID(pub) {
		return false
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(seal.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	msg, err := Canonical(v)
	if err != nil {
		return false
	}
	return ed25519.Verify(pub, msg, sig)
}

// SignatureRecord is what one signer's signature attests; it is sealed as a
// whole (seal the SignatureRecord, not the SealedSignature).
type SignatureRecord struct {
	ContractNumber string    `json:"contract_number"`
	Version        int       `json:"version"`
	Round          int       `json:"round"`
	DocumentSHA256 string    `json:"document_sha256"`
	SignerID       string    `json:"signer_id"`
	SignerName     string    `json:"signer_name"`
	SignerEmail    string    `json:"signer_email"`
	Party          string    `json:"party"` // company | customer
	Role           string    `json:"role"`  // e.g. 法定代表人, Director
	IP             string    `json:"ip"`
	UserAgent      string    `json:"user_agent"`
	SignedAt       time.Time `json:"signed_at"` // UTC, see Canonical
	LinkID         string    `json:"link_id"`
	// UserID is the account a company signer was signed in as when they
	// signed (then there is no link). Empty is left out, so records sealed
	// before it existed keep their bytes.
	UserID string `json:"user_id,omitempty"`
}

// SealedSignature is a record with its seal.
type SealedSignature struct {
	SignatureRecord
	Seal Seal `json:"seal"`
}
