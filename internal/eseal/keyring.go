package eseal

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"time"

	"github.com/signet-clm/signet/internal/keyfile"
)

// keyringFile is the JSON a keyring file holds (mode 0600). Only the
// current key's private seed is kept; a retired key keeps its public half,
// which is all verification needs, so a copy of the file taken after a
// rotation cannot seal under the old key.
type keyringFile struct {
	Version int            `json:"version"`
	Current currentKey     `json:"current"`
	Retired []retiredEntry `json:"retired"`
}

type currentKey struct {
	KeyID     string    `json:"key_id"`
	Seed      string    `json:"seed"` // base64 std of the 32-byte Ed25519 seed
	CreatedAt time.Time `json:"created_at"`
}

type retiredEntry struct {
	KeyID     string    `json:"key_id"`
	PublicKey string    `json:"public_key"` // base64 std
	CreatedAt time.Time `json:"created_at,omitzero"`
	RetiredAt time.Time `json:"retired_at"`
	Origin    string    `json:"origin,omitempty"`
}

const keyringVersion = 1

// OriginPostgreSQL marks a retired key that was kept in the database before
// keys moved out of it (see ImportRetiredSeeds).
const OriginPostgreSQL = "postgresql"

// parseKeyring reads a keyring file. A file holding only a base64 seed
// (what SIGNET_SIGNING_KEY_FILE held before keyrings) is a keyring whose
// current key is that seed.
func parseKeyring(path string, data []byte) (keyringFile, error) {
	trimmed := bytes.TrimSpace(data)
	if !bytes.HasPrefix(trimmed, []byte("{")) {
		seed, err := base64.StdEncoding.Strict().DecodeString(string(trimmed))
		if err != nil || len(seed) != ed25519.SeedSize {
			// The content is secret, so the error describes it without quoting it.
			return keyringFile{}, fmt.Errorf("signing: %s holds neither a keyring nor a base64 %d-byte Ed25519 seed", path, ed25519.SeedSize)
		}
		id, _ := KeyIDOf(seed)
		return keyringFile{Version: keyringVersion, Current: currentKey{KeyID: id, Seed: string(trimmed)}}, nil
	}
	var f keyringFile
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return keyringFile{}, fmt.Errorf("signing: %s is not a keyring: %w", path, err)
	}
	if f.Version != keyringVersion {
		return keyringFile{}, fmt.Errorf("signing: %s is keyring version %d, want %d", path, f.Version, keyringVersion)
	}
	return f, nil
}

func (f keyringFile) seed() ([]byte, error) {
	seed, err := base64.StdEncoding.Strict().DecodeString(f.Current.Seed)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing: the current key does not hold a base64 %d-byte Ed25519 seed", ed25519.SeedSize)
	}
	return seed, nil
}

func (f keyringFile) keyring() (*memKeyring, error) {
	seed, err := f.seed()
	if err != nil {
		return nil, err
	}
	if id, _ := KeyIDOf(seed); id != f.Current.KeyID {
		return nil, fmt.Errorf("signing: the current key's seed has ID %s, the file says %s", id, f.Current.KeyID)
	}
	retired := make([]PublicKeyInfo, 0, len(f.Retired))
	for _, e := range f.Retired {
		raw, err := base64.StdEncoding.Strict().DecodeString(e.PublicKey)
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("signing: retired key %s does not hold a base64 %d-byte Ed25519 public key", e.KeyID, ed25519.PublicKeySize)
		}
		info := publicKeyInfo(raw)
		info.KeyID = e.KeyID // checked against the key by newMemKeyring
		retiredAt := e.RetiredAt
		info.RetiredAt = &retiredAt
		if !e.CreatedAt.IsZero() {
			created := e.CreatedAt
			info.CreatedAt = &created
		}
		info.Origin = e.Origin
		retired = append(retired, info)
	}
	return newMemKeyring(seed, retired)
}

func (f keyringFile) encode() []byte {
	if f.Retired == nil {
		f.Retired = []retiredEntry{}
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	return append(b, '\n')
}

func freshKeyring(now time.Time) (keyringFile, error) {
	seed, err := newSeed()
	if err != nil {
		return keyringFile{}, err
	}
	id, _ := KeyIDOf(seed)
	return keyringFile{Version: keyringVersion, Current: currentKey{KeyID: id, Seed: base64.StdEncoding.EncodeToString(seed),
		CreatedAt: now.UTC().Truncate(time.Second)}}, nil
}

// CreateFileKeyring writes a keyring with a new current key to path (mode
// 0600, its directory 0700) unless a file is there already, and reports
// whether it did. Processes racing to create it end up with one keyring.
func CreateFileKeyring(path string, now time.Time) (created bool, err error) {
	f, err := freshKeyring(now)
	if err != nil {
		return false, err
	}
	created, err = keyfile.Create(path, f.encode())
	if err != nil {
		return false, fmt.Errorf("signing: %w", err)
	}
	return created, nil
}

// Rotation is what RotateFileKeyring did.
type Rotation struct {
	Current, Retired string // key IDs
}

// RotateFileKeyring makes a new current key in the keyring at path and
// retires the old one, keeping its public key to verify what it sealed.
// Run one rotation at a time; processes holding the keyring pick the new
// key up on their next seal.
func RotateFileKeyring(path string, now time.Time) (Rotation, error) {
	data, _, err := keyfile.Read(path)
	if err != nil {
		return Rotation{}, fmt.Errorf("signing: read keyring: %w", err)
	}
	old, err := parseKeyring(path, data)
	if err != nil {
		return Rotation{}, err
	}
	if _, err := old.keyring(); err != nil {
		return Rotation{}, err
	}
	next, err := freshKeyring(now)
	if err != nil {
		return Rotation{}, err
	}
	seed, _ := old.seed()
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	next.Retired = append([]retiredEntry{{KeyID: old.Current.KeyID, PublicKey: base64.StdEncoding.EncodeToString(pub),
		CreatedAt: old.Current.CreatedAt, RetiredAt: now.UTC().Truncate(time.Second)}}, old.Retired...)
	if err := keyfile.Replace(path, next.encode()); err != nil {
		return Rotation{}, fmt.Errorf("signing: %w", err)
	}
	return Rotation{Current: next.Current.KeyID, Retired: old.Current.KeyID}, nil
}

// ImportRetiredSeeds adds the public halves of seeds to the keyring at path
// as retired keys of the given origin (creating the keyring first if there
// is none), so seals they made keep verifying while the seeds themselves
// go. It returns the IDs it added; a key the keyring holds already is
// skipped, so importing twice adds nothing.
func ImportRetiredSeeds(path string, seeds [][]byte, origin string, now time.Time) ([]string, error) {
	if _, err := CreateFileKeyring(path, now); err != nil {
		return nil, err
	}
	data, _, err := keyfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("signing: read keyring: %w", err)
	}
	f, err := parseKeyring(path, data)
	if err != nil {
		return nil, err
	}
	ring, err := f.keyring()
	if err != nil {
		return nil, err
	}
	var added []string
	for _, seed := range seeds {
		if len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("signing: seed is %d bytes, want %d", len(seed), ed25519.SeedSize)
		}
		pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		id := keyID(pub)
		if _, ok := ring.Lookup(id); ok || slices.Contains(added, id) {
			continue
		}
		f.Retired = append(f.Retired, retiredEntry{KeyID: id, PublicKey: base64.StdEncoding.EncodeToString(pub),
			RetiredAt: now.UTC().Truncate(time.Second), Origin: origin})
		added = append(added, id)
	}
	if len(added) == 0 {
		return nil, nil
	}
	if err := keyfile.Replace(path, f.encode()); err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return added, nil
}

// FileKeyring is a Keyring kept in a file (see keyringFile). It reads the
// file again when it changes, so a rotation reaches running processes on
// their next seal or verification without a restart.
type FileKeyring struct {
	path string

	mu    sync.Mutex
	stamp keyfile.Stamp
	ring  *memKeyring
}

// OpenFileKeyring reads the keyring at path, which must exist: a missing
// file is an error naming how to make one, never a new key made on the
// spot (which a replica with the wrong mount would then seal with alone).
func OpenFileKeyring(path string) (*FileKeyring, error) {
	k := &FileKeyring{path: path}
	if _, err := k.load(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("signing: no keyring at %s: create one with `signet keys init` and give every replica the same file", path)
		}
		return nil, err
	}
	return k, nil
}

// Path is the file the keyring is read from.
func (k *FileKeyring) Path() string { return k.path }

// load returns the keyring as the file holds it now, reading the file
// again only when it has changed. On failure the last keyring read stays.
func (k *FileKeyring) load() (*memKeyring, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if st, err := keyfile.Current(k.path); err == nil && k.ring != nil && st == k.stamp {
		return k.ring, nil
	}
	data, st, err := keyfile.Read(k.path)
	if err != nil {
		return k.ring, fmt.Errorf("signing: read keyring: %w", err)
	}
	f, err := parseKeyring(k.path, data)
	if err != nil {
		return k.ring, err
	}
	ring, err := f.keyring()
	if err != nil {
		return k.ring, fmt.Errorf("signing: %s: %w", k.path, err)
	}
	k.ring, k.stamp = ring, st
	return ring, nil
}

// Current implements Keyring. A keyring file that cannot be read any more
// refuses to seal rather than go on with a key it may no longer hold.
func (k *FileKeyring) Current() (SigningKey, error) {
	ring, err := k.load()
	if err != nil {
		return SigningKey{}, err
	}
	return ring.Current()
}

// Lookup implements Keyring, from the last keyring read.
func (k *FileKeyring) Lookup(keyID string) (ed25519.PublicKey, bool) {
	ring, _ := k.load()
	if ring == nil {
		return nil, false
	}
	return ring.Lookup(keyID)
}

// Retired implements Keyring, from the last keyring read.
func (k *FileKeyring) Retired() []PublicKeyInfo {
	ring, _ := k.load()
	if ring == nil {
		return nil
	}
	return ring.Retired()
}
