package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/signet-clm/signet/internal/keyfile"
)

// KeySize is the length of an audit key's secret.
const KeySize = 32

// Key is a secret the audit chain is keyed with. It lives outside the
// database, so whoever can write the database cannot recompute the chain.
type Key struct {
	// ID names the key in each entry it chained (audit_events.key_id).
	ID     string
	secret []byte
}

// NewKey returns the key for a 32-byte secret.
func NewKey(secret []byte) (Key, error) {
	if len(secret) != KeySize {
		return Key{}, fmt.Errorf("audit: key is %d bytes, want %d", len(secret), KeySize)
	}
	// The ID is derived from the secret (one-way), so a file cannot name a
	// key it does not hold.
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("signet audit key id"))
	return Key{ID: hex.EncodeToString(m.Sum(nil)[:8]), secret: bytes.Clone(secret)}, nil
}

// Hash chains an entry's content to the previous entry's hash:
// HMAC-SHA256 under the key, in hex.
func (k Key) Hash(prev, content string) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte(prev + "\n" + content))
	return hex.EncodeToString(m.Sum(nil))
}

// Keyring holds the audit keys: the current one chains new entries, and
// every one verifies the entries it chained.
type Keyring interface {
	Current() (Key, error)
	Lookup(id string) (Key, bool)
}

// Keys is a Keyring in memory; the last key is the current one.
type Keys []Key

// Current implements Keyring.
func (ks Keys) Current() (Key, error) {
	if len(ks) == 0 {
		return Key{}, errors.New("audit: no audit key")
	}
	return ks[len(ks)-1], nil
}

// Lookup implements Keyring.
func (ks Keys) Lookup(id string) (Key, bool) {
	for _, k := range ks {
		if k.ID == id {
			return k, true
		}
	}
	return Key{}, false
}

// keyFile is the JSON an audit key file holds (mode 0600). Unlike a
// sealing key, an HMAC key is needed in full to verify, so a rotated key
// stays in the file.
type keyFile struct {
	Version int            `json:"version"`
	Keys    []keyFileEntry `json:"keys"` // oldest first; the last chains new entries
}

type keyFileEntry struct {
	ID        string    `json:"id"`
	Secret    string    `json:"secret"` // base64 std of 32 bytes
	CreatedAt time.Time `json:"created_at"`
}

const keyFileVersion = 1

func parseKeyFile(path string, data []byte) (Keys, error) {
	var f keyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("audit: %s is not an audit key file: %w", path, err)
	}
	if f.Version != keyFileVersion {
		return nil, fmt.Errorf("audit: %s is key file version %d, want %d", path, f.Version, keyFileVersion)
	}
	if len(f.Keys) == 0 {
		return nil, fmt.Errorf("audit: %s holds no key", path)
	}
	keys := make(Keys, 0, len(f.Keys))
	for i, e := range f.Keys {
		secret, err := base64.StdEncoding.Strict().DecodeString(e.Secret)
		if err != nil || len(secret) != KeySize {
			return nil, fmt.Errorf("audit: %s: key %d does not hold a base64 %d-byte secret", path, i+1, KeySize)
		}
		k, _ := NewKey(secret)
		if k.ID != e.ID {
			return nil, fmt.Errorf("audit: %s: key %d's secret has ID %s, the file says %s", path, i+1, k.ID, e.ID)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func newKeyEntry(now time.Time) (keyFileEntry, error) {
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		return keyFileEntry{}, fmt.Errorf("audit: generate key: %w", err)
	}
	k, _ := NewKey(secret)
	return keyFileEntry{ID: k.ID, Secret: base64.StdEncoding.EncodeToString(secret), CreatedAt: now.UTC().Truncate(time.Second)}, nil
}

func (f keyFile) encode() []byte {
	b, _ := json.MarshalIndent(f, "", "  ")
	return append(b, '\n')
}

// CreateKeyFile writes an audit key file with a new key to path (mode
// 0600) unless a file is there already, and reports whether it did.
func CreateKeyFile(path string, now time.Time) (created bool, err error) {
	e, err := newKeyEntry(now)
	if err != nil {
		return false, err
	}
	created, err = keyfile.Create(path, keyFile{Version: keyFileVersion, Keys: []keyFileEntry{e}}.encode())
	if err != nil {
		return false, fmt.Errorf("audit: %w", err)
	}
	return created, nil
}

// RotateKeyFile adds a new key to the audit key file at path; new entries
// are chained with it, older ones keep verifying with theirs. It returns
// the new key's ID.
func RotateKeyFile(path string, now time.Time) (string, error) {
	data, _, err := keyfile.Read(path)
	if err != nil {
		return "", fmt.Errorf("audit: read key file: %w", err)
	}
	if _, err := parseKeyFile(path, data); err != nil {
		return "", err
	}
	var f keyFile
	_ = json.Unmarshal(data, &f)
	e, err := newKeyEntry(now)
	if err != nil {
		return "", err
	}
	f.Keys = append(f.Keys, e)
	if err := keyfile.Replace(path, f.encode()); err != nil {
		return "", fmt.Errorf("audit: %w", err)
	}
	return e.ID, nil
}

// FileKeys is a Keyring kept in an audit key file. It reads the file
// again when it changes, so a rotation reaches running processes.
type FileKeys struct {
	path string

	mu    sync.Mutex
	stamp keyfile.Stamp
	keys  Keys
}

// OpenKeyFile reads the audit key file at path, which must exist.
func OpenKeyFile(path string) (*FileKeys, error) {
	k := &FileKeys{path: path}
	if _, err := k.load(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("audit: no audit key at %s: create one with `signet keys init` and give every replica the same file", path)
		}
		return nil, err
	}
	return k, nil
}

func (k *FileKeys) load() (Keys, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if st, err := keyfile.Current(k.path); err == nil && k.keys != nil && st == k.stamp {
		return k.keys, nil
	}
	data, st, err := keyfile.Read(k.path)
	if err != nil {
		return k.keys, fmt.Errorf("audit: read key file: %w", err)
	}
	keys, err := parseKeyFile(k.path, data)
	if err != nil {
		return k.keys, err
	}
	k.keys, k.stamp = keys, st
	return keys, nil
}

// Current implements Keyring; a key file that cannot be read any more
// refuses to chain rather than go on with a key it may no longer hold.
func (k *FileKeys) Current() (Key, error) {
	keys, err := k.load()
	if err != nil {
		return Key{}, err
	}
	return keys.Current()
}

// Lookup implements Keyring, from the last file read.
func (k *FileKeys) Lookup(id string) (Key, bool) {
	keys, _ := k.load()
	return keys.Lookup(id)
}
