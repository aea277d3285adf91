// Package imcallback verifies, decrypts and answers the encrypted
// callbacks DingTalk (钉钉) and WeCom (企业微信) send when someone taps a
// card button. Both platforms use one scheme, documented by each:
//
//   - the signature is the hex SHA-1 of the sorted concatenation of the
//     token, the timestamp, the nonce and the ciphertext;
//   - the body is AES-256-CBC under the EncodingAESKey (43 characters of
//     base64 without its "=", 32 bytes), the IV its first 16 bytes, PKCS#7
//     padding to a multiple of 32;
//   - the plaintext is 16 random bytes, the message's length as 4
//     big-endian bytes, the message, and the receiver's ID (DingTalk: the
//     corpId or suiteKey; WeCom: the receiveid, the corpid for an app).
//
// Pure code: no I/O, no clock. Callers check the timestamp window.
package imcallback

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1" // the platforms' signature is SHA-1
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Errors a callback is refused with. None carries the ciphertext or key.
var (
	ErrSignature = errors.New("callback signature does not match")
	ErrDecrypt   = errors.New("callback body does not decrypt")
	ErrReceiver  = errors.New("callback is for another receiver")
)

// blockSize is the platforms' PKCS#7 block: 32, not AES's 16.
const blockSize = 32

// Crypter holds one platform app's callback secrets.
type Crypter struct {
	token    string
	key      []byte
	receiver string
}

// New checks an EncodingAESKey (43 characters) and returns a Crypter for
// the token and receiver ID.
func New(token, encodingAESKey, receiver string) (*Crypter, error) {
	if len(encodingAESKey) != 43 {
		return nil, errors.New("EncodingAESKey must be 43 characters")
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("EncodingAESKey is not base64 of 32 bytes")
	}
	if token == "" {
		return nil, errors.New("token is required")
	}
	return &Crypter{token: token, key: key, receiver: receiver}, nil
}

// Signature is the platforms' SHA-1 over the sorted parts.
func Signature(token, timestamp, nonce, encrypted string) string {
	parts := []string{token, timestamp, nonce, encrypted}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Verify checks the signature in constant time.
func (c *Crypter) Verify(signature, timestamp, nonce, encrypted string) error {
	want := Signature(c.token, timestamp, nonce, encrypted)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(signature))) != 1 {
		return ErrSignature
	}
	return nil
}

// Open verifies the signature, decrypts and checks the receiver.
func (c *Crypter) Open(signature, timestamp, nonce, encrypted string) ([]byte, error) {
	if err := c.Verify(signature, timestamp, nonce, encrypted); err != nil {
		return nil, err
	}
	return c.Decrypt(encrypted)
}

// Decrypt returns the message inside a ciphertext meant for this receiver.
func (c *Crypter) Decrypt(encrypted string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, ErrDecrypt
	}
	block, err := aes.NewCipher(c.key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, c.key[:aes.BlockSize]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > blockSize || pad > len(plain) {
		return nil, ErrDecrypt
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, ErrDecrypt
	}
	n := binary.BigEndian.Uint32(plain[16:20])
	if uint64(n) > uint64(len(plain)-20) {
		return nil, ErrDecrypt
	}
	msg, receiver := plain[20:20+n], plain[20+n:]
	if subtle.ConstantTimeCompare(receiver, []byte(c.receiver)) != 1 {
		return nil, ErrReceiver
	}
	return msg, nil
}

// Encrypt seals a message for the platform with 16 random bytes from r
// (crypto/rand when nil; tests pass a fixed reader to match a vector).
func (c *Crypter) Encrypt(msg []byte, r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var buf bytes.Buffer
	random := make([]byte, 16)
	if _, err := io.ReadFull(r, random); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	if len(msg) > 1<<30 {
		return "", errors.New("message too long")
	}
	buf.Write(random)
	_ = binary.Write(&buf, binary.BigEndian, uint32(len(msg)))
	buf.Write(msg)
	buf.WriteString(c.receiver)
	pad := blockSize - buf.Len()%blockSize
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	block, err := aes.NewCipher(c.key)
	if err != nil {
		return "", fmt.Errorf("aes: %w", err)
	}
	out := buf.Bytes()
	cipher.NewCBCEncrypter(block, c.key[:aes.BlockSize]).CryptBlocks(out, out)
	return base64.StdEncoding.EncodeToString(out), nil
}

// Seal encrypts a reply and signs it with the given timestamp and nonce.
func (c *Crypter) Seal(msg []byte, timestamp, nonce string, r io.Reader) (encrypted, signature string, err error) {
	encrypted, err = c.Encrypt(msg, r)
	if err != nil {
		return "", "", err
	}
	return encrypted, Signature(c.token, timestamp, nonce, encrypted), nil
}
