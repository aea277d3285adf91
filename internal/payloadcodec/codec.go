// Package payloadcodec encrypts what Signet hands Temporal: every payload
// (workflow, activity and Update arguments and results, query answers,
// memos, markers) and the messages of failures, with AES-256-GCM under a
// key that lives in a file outside PostgreSQL and Temporal. The Temporal
// server, its database and its Web UI see ciphertext; search attributes
// are not payloads and stay readable, so ops can still filter by them.
//
// A key ring holds several keys: payloads are encrypted with the current
// one and decrypted with whichever key their metadata names, so a key can
// be rotated without losing histories written under the old one. Payloads
// without Signet's encryption metadata (histories recorded before the
// codec) pass through undecoded.
package payloadcodec

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"
)

// Payload metadata of an encrypted payload. The names are the ones
// Temporal's encryption samples use, so tools that know them recognise it.
const (
	// EncodingEncrypted is the "encoding" of an encrypted payload.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID names the key a payload was encrypted with.
	MetadataKeyID = "encryption-key-id"
)

// ErrUnknownKey means a payload names a key the ring does not hold.
var ErrUnknownKey = errors.New("payload encrypted with a key this key ring does not hold")

// reloadEvery bounds how often an unknown key ID makes the codec re-read its
// key file: another process may have rotated it (a rolling restart after
// `signet codec-key rotate`).
const reloadEvery = time.Second

// Codec is a converter.PayloadCodec over a key ring. It is safe for
// concurrent use.
type Codec struct {
	ring atomic.Pointer[KeyRing]
	// path, when set, is re-read when a payload names an unknown key.
	path       string
	reloadMu   sync.Mutex
	lastReload time.Time
}

// New returns a codec over ring that never re-reads a file.
func New(ring *KeyRing) *Codec {
	c := &Codec{}
	c.ring.Store(ring)
	return c
}

// Open loads the key file at path (see ReadKeyFile) into a codec that
// re-reads it when a payload names a key it does not know yet.
func Open(path string) (*Codec, error) {
	ring, err := ReadKeyFile(path)
	if err != nil {
		return nil, err
	}
	c := New(ring)
	c.path = path
	return c, nil
}

// KeyRing is the ring the codec encrypts and decrypts with now.
func (c *Codec) KeyRing() *KeyRing { return c.ring.Load() }

// Encode implements converter.PayloadCodec: each payload, metadata and
// all, is marshalled and sealed under the current key with a fresh random
// nonce; the result carries only the encoding and the key ID.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	ring := c.ring.Load()
	key := ring.keys[ring.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if p == nil {
			continue
		}
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, fmt.Errorf("payload codec: marshal payload: %w", err)
		}
		nonce := make([]byte, key.aead.NonceSize(), key.aead.NonceSize()+len(plain)+key.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return payloads, fmt.Errorf("payload codec: nonce: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(ring.current),
			},
			// The key ID is authenticated too: a payload relabelled with
			// another key's ID fails to open rather than decrypt oddly.
			Data: key.aead.Seal(nonce, nonce, plain, []byte(ring.current)),
		}
	}
	return out, nil
}

// Decode implements converter.PayloadCodec. A payload without the
// encrypted encoding is returned as it is: histories recorded before the
// codec, and payloads another codec owns, pass through.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if p == nil || string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		key, err := c.key(id)
		if err != nil {
			return payloads, err
		}
		n := key.aead.NonceSize()
		if len(p.GetData()) < n+key.aead.Overhead() {
			return payloads, fmt.Errorf("payload codec: payload under key %q is too short to be ciphertext", id)
		}
		plain, err := key.aead.Open(nil, p.Data[:n], p.Data[n:], []byte(id))
		if err != nil {
			return payloads, fmt.Errorf("payload codec: decrypt payload under key %q: %w", id, err)
		}
		dec := &commonpb.Payload{}
		if err := proto.Unmarshal(plain, dec); err != nil {
			return payloads, fmt.Errorf("payload codec: unmarshal payload under key %q: %w", id, err)
		}
		out[i] = dec
	}
	return out, nil
}

// key finds id in the ring, re-reading the key file (at most once a
// second) when it is not there.
func (c *Codec) key(id string) (ringKey, error) {
	if k, ok := c.ring.Load().keys[id]; ok {
		return k, nil
	}
	if c.path != "" {
		c.reloadMu.Lock()
		if time.Since(c.lastReload) >= reloadEvery {
			c.lastReload = time.Now()
			if ring, err := ReadKeyFile(c.path); err == nil {
				c.ring.Store(ring)
			}
		}
		c.reloadMu.Unlock()
		if k, ok := c.ring.Load().keys[id]; ok {
			return k, nil
		}
	}
	return ringKey{}, fmt.Errorf("%w: %q", ErrUnknownKey, id)
}

// DataConverter is Temporal's default converter with the codec wrapped
// around it.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter moves a failure's message and stack trace into an
// encrypted payload: refusals and activity errors can quote contract data.
func (c *Codec) FailureConverter() converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          c.DataConverter(),
		EncodeCommonAttributes: true,
	})
}

// ClientOptions returns o with the codec's data and failure converters:
// every Temporal client Signet creates goes through here, and so every
// worker built on one.
func (c *Codec) ClientOptions(o client.Options) client.Options {
	o.DataConverter = c.DataConverter()
	o.FailureConverter = c.FailureConverter()
	return o
}

// ReplayerOptions returns o with the codec's converters, so recorded
// histories, encrypted or not, replay as the worker would run them.
func (c *Codec) ReplayerOptions(o worker.WorkflowReplayerOptions) worker.WorkflowReplayerOptions {
	o.DataConverter = c.DataConverter()
	o.FailureConverter = c.FailureConverter()
	return o
}

// ringKey is one key ready to seal and open.
type ringKey struct {
	aead    cipher.AEAD
	secret  []byte
	created time.Time
}
