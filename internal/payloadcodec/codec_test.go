package payloadcodec_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/signet-clm/signet/internal/payloadcodec"
)

const secretText = "星辰数据平台采购合同 上海星辰科技有限公司"

func plainPayload(t *testing.T) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(map[string]string{"title": secretText})
	require.NoError(t, err)
	return p
}

func newCodec(t *testing.T) *payloadcodec.Codec {
	t.Helper()
	ring, err := payloadcodec.NewKeyRing()
	require.NoError(t, err)
	return payloadcodec.New(ring)
}

func TestEncryptsWithTheCurrentKeyAndAFreshNonce(t *testing.T) {
	c := newCodec(t)
	p := plainPayload(t)
	a, err := c.Encode([]*commonpb.Payload{p, p})
	require.NoError(t, err)
	for _, e := range a {
		require.Equal(t, payloadcodec.EncodingEncrypted, string(e.Metadata[converter.MetadataEncoding]))
		require.Equal(t, c.KeyRing().Current(), string(e.Metadata[payloadcodec.MetadataKeyID]))
		require.Len(t, e.Metadata, 2, "only the encoding and the key ID are in the clear")
		require.False(t, bytes.Contains(e.Data, []byte("星辰")), "plaintext in the ciphertext")
		require.False(t, bytes.Contains(e.Data, []byte("json/plain")), "the inner encoding is sealed too")
	}
	require.NotEqual(t, a[0].Data, a[1].Data, "the same payload twice must not encrypt the same")

	back, err := c.Decode(a)
	require.NoError(t, err)
	for _, d := range back {
		var v map[string]string
		require.NoError(t, converter.GetDefaultDataConverter().FromPayload(d, &v))
		require.Equal(t, secretText, v["title"])
	}
}

func TestPayloadsWithoutEncryptionPassThrough(t *testing.T) {
	c := newCodec(t)
	p := plainPayload(t)
	out, err := c.Decode([]*commonpb.Payload{p, nil})
	require.NoError(t, err)
	require.Same(t, p, out[0], "a payload recorded before the codec is left as it is")
	require.Nil(t, out[1])
}

func TestRetiredKeysStillDecrypt(t *testing.T) {
	old := newCodec(t)
	enc, err := old.Encode([]*commonpb.Payload{plainPayload(t)})
	require.NoError(t, err)

	rotated, err := old.KeyRing().Rotated()
	require.NoError(t, err)
	require.NotEqual(t, old.KeyRing().Current(), rotated.Current())
	c := payloadcodec.New(rotated)

	dec, err := c.Decode(enc)
	require.NoError(t, err, "a payload under a retired key must still open")
	require.True(t, bytes.Contains(dec[0].Data, []byte("星辰")))

	fresh, err := c.Encode([]*commonpb.Payload{plainPayload(t)})
	require.NoError(t, err)
	require.Equal(t, rotated.Current(), string(fresh[0].Metadata[payloadcodec.MetadataKeyID]), "new payloads use the current key")
	_, err = old.Decode(fresh)
	require.ErrorIs(t, err, payloadcodec.ErrUnknownKey, "the old ring does not know the new key")
}

func TestTamperedOrRelabelledPayloadsAreRefused(t *testing.T) {
	c := newCodec(t)
	enc, err := c.Encode([]*commonpb.Payload{plainPayload(t)})
	require.NoError(t, err)

	flipped := &commonpb.Payload{Metadata: enc[0].Metadata, Data: bytes.Clone(enc[0].Data)}
	flipped.Data[len(flipped.Data)-1] ^= 1
	_, err = c.Decode([]*commonpb.Payload{flipped})
	require.ErrorContains(t, err, "decrypt")

	short := &commonpb.Payload{Metadata: enc[0].Metadata, Data: enc[0].Data[:10]}
	_, err = c.Decode([]*commonpb.Payload{short})
	require.ErrorContains(t, err, "too short")

	// The same secret under another ID: the key ID is authenticated data.
	ring := c.KeyRing()
	raw, err := ring.Marshal()
	require.NoError(t, err)
	relabelled, err := payloadcodec.ParseKeyRing(bytes.ReplaceAll(raw, []byte(ring.Current()), []byte("other")))
	require.NoError(t, err)
	moved := &commonpb.Payload{Metadata: map[string][]byte{
		converter.MetadataEncoding: []byte(payloadcodec.EncodingEncrypted), payloadcodec.MetadataKeyID: []byte("other"),
	}, Data: enc[0].Data}
	_, err = payloadcodec.New(relabelled).Decode([]*commonpb.Payload{moved})
	require.ErrorContains(t, err, "decrypt")
}

func TestKeyFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "codec-keys.json")
	ring, created, err := payloadcodec.CreateKeyFile(path)
	require.NoError(t, err)
	require.True(t, created)
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	dir, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), dir.Mode().Perm())

	again, created, err := payloadcodec.CreateKeyFile(path)
	require.NoError(t, err)
	require.False(t, created, "an existing key file is kept")
	require.Equal(t, ring.Current(), again.Current())

	// A codec that opened the file before a rotation elsewhere learns the
	// new key from the file when it first meets a payload under it.
	reader, err := payloadcodec.Open(path)
	require.NoError(t, err)
	rotated, err := payloadcodec.RotateKeyFile(path)
	require.NoError(t, err)
	require.Equal(t, []string{ring.Current(), rotated.Current()}, rotated.IDs())
	info, err = os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	writer, err := payloadcodec.Open(path)
	require.NoError(t, err)
	enc, err := writer.Encode([]*commonpb.Payload{plainPayload(t)})
	require.NoError(t, err)
	_, err = reader.Decode(enc)
	require.NoError(t, err)
	require.Equal(t, rotated.Current(), reader.KeyRing().Current())
}

func TestBadKeyFilesAreRefusedWithoutQuotingThem(t *testing.T) {
	for name, content := range map[string]string{
		"not json":       "c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
		"short key":      `{"current":"a","keys":[{"id":"a","key":"c2VjcmV0LXNlY3JldC1zZWNyZXQ="}]}`,
		"no current":     `{"current":"b","keys":[{"id":"a","key":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}]}`,
		"no keys":        `{"current":"a","keys":[]}`,
		"bad id":         `{"current":"a b","keys":[{"id":"a b","key":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}]}`,
		"duplicate keys": `{"current":"a","keys":[{"id":"a","key":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},{"id":"a","key":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := payloadcodec.ParseKeyRing([]byte(content))
			require.Error(t, err)
			require.False(t, strings.Contains(err.Error(), "c2VjcmV0") || strings.Contains(err.Error(), "MDEy"), "the error quotes the key: %v", err)
		})
	}
}
