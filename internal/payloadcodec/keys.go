package payloadcodec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/keyfile"
)

// KeySize is the length of an AES-256 key.
const KeySize = 32

// KeyRing is the current key, which encrypts, and every key kept to
// decrypt what older ones encrypted.
type KeyRing struct {
	current string
	keys    map[string]ringKey
}

// Current is the ID of the key new payloads are encrypted with.
func (r *KeyRing) Current() string { return r.current }

// IDs lists every key the ring holds, oldest first.
func (r *KeyRing) IDs() []string {
	ids := make([]string, 0, len(r.keys))
	for id := range r.keys {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if c := r.keys[a].created.Compare(r.keys[b].created); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return ids
}

// keyFile is the key file's JSON: the current key's ID and every key, the
// secret as standard base64 of 32 bytes.
//
//	{"current": "k-…", "keys": [{"id": "k-…", "key": "…", "created": "…"}]}
type keyFile struct {
	Current string    `json:"current"`
	Keys    []fileKey `json:"keys"`
}

type fileKey struct {
	ID      string    `json:"id"`
	Key     string    `json:"key"`
	Created time.Time `json:"created"`
}

// keyIDPattern keeps IDs short and printable: they travel in every
// payload's metadata.
var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ParseKeyRing reads a key file's content. Errors describe it without
// quoting it: it is secret.
func ParseKeyRing(data []byte) (*KeyRing, error) {
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, errors.New("not a JSON key ring ({\"current\": id, \"keys\": [{\"id\", \"key\", \"created\"}]})")
	}
	r := &KeyRing{current: f.Current, keys: make(map[string]ringKey, len(f.Keys))}
	for i, k := range f.Keys {
		if !keyIDPattern.MatchString(k.ID) {
			return nil, fmt.Errorf("key %d: id must be 1 to 64 letters, digits, dots, dashes or underscores", i+1)
		}
		if _, dup := r.keys[k.ID]; dup {
			return nil, fmt.Errorf("key %q appears twice", k.ID)
		}
		secret, err := base64.StdEncoding.Strict().DecodeString(k.Key)
		if err != nil || len(secret) != KeySize {
			return nil, fmt.Errorf("key %q is not base64 of %d bytes", k.ID, KeySize)
		}
		rk, err := newRingKey(secret, k.Created)
		if err != nil {
			return nil, err
		}
		r.keys[k.ID] = rk
	}
	if len(r.keys) == 0 {
		return nil, errors.New("the key ring holds no key")
	}
	if _, ok := r.keys[r.current]; !ok {
		return nil, fmt.Errorf("current key %q is not among the keys", r.current)
	}
	return r, nil
}

func newRingKey(secret []byte, created time.Time) (ringKey, error) {
	block, err := aes.NewCipher(secret)
	if err != nil {
		return ringKey{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return ringKey{}, err
	}
	return ringKey{aead: aead, secret: secret, created: created}, nil
}

// Marshal is the ring as a key file's content.
func (r *KeyRing) Marshal() ([]byte, error) {
	f := keyFile{Current: r.current}
	for _, id := range r.IDs() {
		k := r.keys[id]
		f.Keys = append(f.Keys, fileKey{ID: id, Key: base64.StdEncoding.EncodeToString(k.secret), Created: k.created})
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// NewKeyRing returns a ring of one fresh random key.
func NewKeyRing() (*KeyRing, error) {
	return (&KeyRing{keys: map[string]ringKey{}}).Rotated()
}

// Rotated returns a copy of the ring with a fresh random key added and made
// current; the others stay to decrypt what they encrypted.
func (r *KeyRing) Rotated() (*KeyRing, error) {
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("payload codec: generate key: %w", err)
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		return nil, fmt.Errorf("payload codec: generate key id: %w", err)
	}
	now := time.Now().UTC()
	id := "k-" + now.Format("20060102") + "-" + hex.EncodeToString(suffix)
	k, err := newRingKey(secret, now)
	if err != nil {
		return nil, err
	}
	out := &KeyRing{current: id, keys: make(map[string]ringKey, len(r.keys)+1)}
	for kid, old := range r.keys {
		out.keys[kid] = old
	}
	out.keys[id] = k
	return out, nil
}

// ReadKeyFile loads the key ring at path; like every key file it must not
// be readable by group or others.
func ReadKeyFile(path string) (*KeyRing, error) {
	data, _, err := keyfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("payload codec key file: %w", err)
	}
	r, err := ParseKeyRing(data)
	if err != nil {
		return nil, fmt.Errorf("payload codec key file %s: %w", path, err)
	}
	return r, nil
}

// CreateKeyFile writes a ring of one fresh key to path unless a file is
// there already, which it then reads instead; created says which. Two
// processes racing here end up with the same key (keyfile.Create installs
// the file whole, and only once).
func CreateKeyFile(path string) (ring *KeyRing, created bool, err error) {
	if r, err := ReadKeyFile(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return r, false, err
	}
	ring, err = NewKeyRing()
	if err != nil {
		return nil, false, err
	}
	data, err := ring.Marshal()
	if err != nil {
		return nil, false, err
	}
	if created, err = keyfile.Create(path, data); err != nil {
		return nil, false, fmt.Errorf("payload codec key file: %w", err)
	}
	if !created {
		r, err := ReadKeyFile(path)
		return r, false, err
	}
	return ring, true, nil
}

// RotateKeyFile adds a fresh current key to the ring at path, keeping the
// old keys, and replaces the file atomically. Processes reading the file
// pick the new key up when they first meet a payload under it (or at
// restart, when they start encrypting with it).
func RotateKeyFile(path string) (*KeyRing, error) {
	old, err := ReadKeyFile(path)
	if err != nil {
		return nil, err
	}
	ring, err := old.Rotated()
	if err != nil {
		return nil, err
	}
	data, err := ring.Marshal()
	if err != nil {
		return nil, err
	}
	if err := keyfile.Replace(path, data); err != nil {
		return nil, fmt.Errorf("payload codec key file: %w", err)
	}
	return ring, nil
}
