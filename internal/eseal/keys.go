package eseal

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNoKey is returned by KeyStore.LoadKey when no key has been stored yet.
var ErrNoKey = errors.New("signing: no key stored")

// KeyStore persists the server's Ed25519 seed. Replicas share one store so
// that every replica seals with the same key.
type KeyStore interface {
	// LoadKey returns the stored Ed25519 private key seed (32 bytes), or ErrNoKey.
	LoadKey(ctx context.Context) ([]byte, error)
	// SaveKeyIfAbsent stores seed unless a key is already stored, and returns the stored one
	// (so two replicas starting at once end up with the same key).
	SaveKeyIfAbsent(ctx context.Context, seed []byte) ([]byte, error)
}

// FileKeyStore keeps the seed in a file: base64 (standard encoding) of the
// 32-byte seed followed by a newline, mode 0600, in a directory created 0700.
type FileKeyStore struct{ Path string }

// LoadKey implements KeyStore.
func (f FileKeyStore) LoadKey(context.Context) ([]byte, error) {
	if f.Path == "" {
		return nil, errors.New("signing: FileKeyStore.Path is empty")
	}
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoKey
	}
	if err != nil {
		return nil, fmt.Errorf("signing: read key file: %w", err)
	}
	seed, err := base64.StdEncoding.Strict().DecodeString(string(bytes.TrimSpace(data)))
	if err != nil || len(seed) != ed25519.SeedSize {
		// The content is secret, so the error describes it without quoting it.
		return nil, fmt.Errorf("signing: key file %s does not hold a base64 %d-byte Ed25519 seed", f.Path, ed25519.SeedSize)
	}
	return seed, nil
}

// SaveKeyIfAbsent implements KeyStore. The seed is written in full to an
// O_EXCL temporary file and then hard-linked into place: the link fails if
// another process got there first (we then read the winner's key), and no
// reader ever sees a half-written file, which creating the final path with
// O_EXCL and then writing would allow.
func (f FileKeyStore) SaveKeyIfAbsent(ctx context.Context, seed []byte) ([]byte, error) {
	if f.Path == "" {
		return nil, errors.New("signing: FileKeyStore.Path is empty")
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing: seed is %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("signing: create key directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".signing-key-*") // O_EXCL, mode 0600
	if err != nil {
		return nil, fmt.Errorf("signing: create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(seed) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("signing: write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), f.Path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return f.LoadKey(ctx)
		}
		return nil, fmt.Errorf("signing: install key file: %w", err)
	}
	// Make the new directory entry durable: losing the key after sealing with it
	// would leave every seal unverifiable against the key then published.
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("signing: sync key directory: %w", err)
	}
	return bytes.Clone(seed), nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open loads the key from ks, generating and saving one when none is stored.
func Open(ctx context.Context, ks KeyStore) (*Sealer, error) {
	seed, err := ks.LoadKey(ctx)
	if errors.Is(err, ErrNoKey) {
		fresh := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(fresh); err != nil {
			return nil, fmt.Errorf("signing: generate key: %w", err)
		}
		// Another replica may have stored its key meanwhile; use whatever is stored.
		seed, err = ks.SaveKeyIfAbsent(ctx, fresh)
	}
	if err != nil {
		return nil, fmt.Errorf("signing: load key: %w", err)
	}
	return NewSealer(seed)
}

// Sealer seals records with the server's Ed25519 private key.
type Sealer struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	info PublicKeyInfo
}

// NewSealer returns a Sealer for a 32-byte Ed25519 seed.
func NewSealer(seed []byte) (*Sealer, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing: seed is %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("signing: encode public key: %w", err)
	}
	return &Sealer{
		priv: priv,
		pub:  pub,
		info: PublicKeyInfo{
			Algorithm: algorithm,
			KeyID:     keyID(pub),
			PublicKey: base64.StdEncoding.EncodeToString(pub),
			PEM:       string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		},
	}, nil
}

// PublicKey returns a copy of the public key, so callers cannot alter the Sealer's.
func (s *Sealer) PublicKey() ed25519.PublicKey { return bytes.Clone(s.pub) }

// KeyID is the first 16 hex chars of SHA-256 of the public key.
func (s *Sealer) KeyID() string { return s.info.KeyID }

// PublicKeyInfo is what GET /v1/signing-key serves.
type PublicKeyInfo struct {
	Algorithm string `json:"algorithm"`  // "Ed25519"
	KeyID     string `json:"key_id"`     // see Sealer.KeyID
	PublicKey string `json:"public_key"` // base64 std of the 32 raw bytes
	PEM       string `json:"pem"`        // PKIX "PUBLIC KEY" PEM
}

// Info returns the public key as GET /v1/signing-key serves it.
func (s *Sealer) Info() PublicKeyInfo { return s.info }

func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}
