package eseal

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"time"
)

// SigningKey is the key a Keyring seals with now.
type SigningKey struct {
	ID     string
	Public ed25519.PublicKey
	// Signer signs a message with Ed25519 (options crypto.Hash(0)); a
	// keyring backed by a key-management service hands out its client here.
	Signer crypto.Signer
}

// Keyring holds the sealing keys, outside the database: the current key
// seals; it and every retired key verify what they sealed. FileKeyring is
// the file-backed one; a key-management service implements the same three
// methods.
type Keyring interface {
	// Current returns the key that seals now.
	Current() (SigningKey, error)
	// Lookup returns the public key keyID names, current or retired.
	Lookup(keyID string) (ed25519.PublicKey, bool)
	// Retired lists the keys that no longer seal but still verify, the
	// most recently retired first.
	Retired() []PublicKeyInfo
}

// memKeyring is a keyring held in memory: one current key and retired
// public keys.
type memKeyring struct {
	current SigningKey
	retired []PublicKeyInfo
	public  map[string]ed25519.PublicKey
}

func newMemKeyring(seed []byte, retired []PublicKeyInfo) (*memKeyring, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing: seed is %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	r := &memKeyring{current: SigningKey{ID: keyID(pub), Public: pub, Signer: priv}, retired: retired,
		public: map[string]ed25519.PublicKey{keyID(pub): pub}}
	for _, k := range retired {
		raw, err := base64.StdEncoding.Strict().DecodeString(k.PublicKey)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("signing: retired key %s does not hold a base64 %d-byte Ed25519 public key", k.KeyID, ed25519.PublicKeySize)
		}
		if keyID(raw) != k.KeyID {
			return nil, fmt.Errorf("signing: retired key %s: its public key has ID %s", k.KeyID, keyID(raw))
		}
		r.public[k.KeyID] = raw
	}
	return r, nil
}

func (r *memKeyring) Current() (SigningKey, error) { return r.current, nil }

func (r *memKeyring) Lookup(id string) (ed25519.PublicKey, bool) {
	pub, ok := r.public[id]
	return pub, ok
}

func (r *memKeyring) Retired() []PublicKeyInfo { return append([]PublicKeyInfo(nil), r.retired...) }

// Sealer seals records with a keyring's current key and verifies seals by
// the key ID they carry, against that keyring only: a key the keyring does
// not hold verifies nothing, wherever it was found.
type Sealer struct {
	ring Keyring
}

// NewSealer returns a Sealer whose keyring holds one key, the 32-byte
// Ed25519 seed; for tests and tools.
func NewSealer(seed []byte) (*Sealer, error) {
	r, err := newMemKeyring(seed, nil)
	if err != nil {
		return nil, err
	}
	return &Sealer{ring: r}, nil
}

// NewKeyringSealer returns a Sealer over ring.
func NewKeyringSealer(ring Keyring) *Sealer { return &Sealer{ring: ring} }

// Keyring is the keyring the Sealer seals and verifies with.
func (s *Sealer) Keyring() Keyring { return s.ring }

// PublicKey returns a copy of the current public key (nil while the
// keyring cannot be read).
func (s *Sealer) PublicKey() ed25519.PublicKey {
	k, err := s.ring.Current()
	if err != nil {
		return nil
	}
	return bytes.Clone(k.Public)
}

// KeyID is the ID of the current key: the first 16 hex chars of the
// SHA-256 of its public key ("" while the keyring cannot be read).
func (s *Sealer) KeyID() string {
	k, err := s.ring.Current()
	if err != nil {
		return ""
	}
	return k.ID
}

// PublicKeyInfo is one public key as GET /v1/signing-key serves it.
type PublicKeyInfo struct {
	Algorithm string `json:"algorithm"`  // "Ed25519"
	KeyID     string `json:"key_id"`     // see Sealer.KeyID
	PublicKey string `json:"public_key"` // base64 std of the 32 raw bytes
	PEM       string `json:"pem"`        // PKIX "PUBLIC KEY" PEM
	// CreatedAt and RetiredAt are when the key was made and stopped
	// sealing, where the keyring knows.
	CreatedAt *time.Time `json:"created_at,omitempty"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	// Origin says where a retired key came from when it was not made in
	// this keyring ("postgresql": kept in the database before keys moved out).
	Origin string `json:"origin,omitempty"`
}

// KeySet is the current key and the retired ones that still verify.
type KeySet struct {
	Current PublicKeyInfo
	Retired []PublicKeyInfo
}

// Info returns the current public key as GET /v1/signing-key serves it.
func (s *Sealer) Info() (PublicKeyInfo, error) {
	k, err := s.ring.Current()
	if err != nil {
		return PublicKeyInfo{}, err
	}
	return publicKeyInfo(k.Public), nil
}

// Keys returns the current key and every retired one.
func (s *Sealer) Keys() (KeySet, error) {
	cur, err := s.Info()
	if err != nil {
		return KeySet{}, err
	}
	return KeySet{Current: cur, Retired: s.ring.Retired()}, nil
}

func publicKeyInfo(pub ed25519.PublicKey) PublicKeyInfo {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		// Only a wrong-length key fails, and keyrings check the length.
		panic(fmt.Sprintf("signing: encode public key: %v", err))
	}
	return PublicKeyInfo{
		Algorithm: algorithm,
		KeyID:     keyID(pub),
		PublicKey: base64.StdEncoding.EncodeToString(pub),
		PEM:       string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
	}
}

func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// KeyIDOf returns the key ID of an Ed25519 private key seed, as seals
// name it.
func KeyIDOf(seed []byte) (string, error) {
	if len(seed) != ed25519.SeedSize {
		return "", fmt.Errorf("signing: seed is %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	return keyID(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)), nil
}

func newSeed() ([]byte, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("signing: generate key: %w", err)
	}
	return seed, nil
}
