package eseal_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/eseal"
)

var now = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func newKeyring(t *testing.T) (string, *eseal.Sealer) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	path := filepath.Join(dir, "keyring.json")
	created, err := eseal.CreateFileKeyring(path, now)
	require.NoError(t, err)
	require.True(t, created)
	ring, err := eseal.OpenFileKeyring(path)
	require.NoError(t, err)
	return path, eseal.NewKeyringSealer(ring)
}

func TestFileKeyringIsPrivateAndMadeOnce(t *testing.T) {
	path, s := newKeyring(t)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), di.Mode().Perm())

	created, err := eseal.CreateFileKeyring(path, now)
	require.NoError(t, err)
	assert.False(t, created, "a second init keeps the keyring")
	again, err := eseal.OpenFileKeyring(path)
	require.NoError(t, err)
	assert.Equal(t, s.KeyID(), eseal.NewKeyringSealer(again).KeyID())
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary files left behind")

	require.NoError(t, os.Chmod(path, 0o644))
	_, err = eseal.OpenFileKeyring(path)
	assert.ErrorContains(t, err, "readable by group or others")
}

func TestFileKeyringCreatedConcurrentlyIsOneKeyring(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyring.json")
	const replicas = 16
	var wg sync.WaitGroup
	var created [replicas]bool
	start := make(chan struct{})
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := eseal.CreateFileKeyring(path, now)
			assert.NoError(t, err)
			created[i] = c
		}()
	}
	close(start)
	wg.Wait()
	n := 0
	for _, c := range created {
		if c {
			n++
		}
	}
	assert.Equal(t, 1, n, "exactly one process makes the keyring")
}

func TestOpenFileKeyringRefusesWhatIsNotAKeyring(t *testing.T) {
	_, err := eseal.OpenFileKeyring(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorContains(t, err, "signet keys init", "a missing keyring is not made on the spot")

	for name, content := range map[string]string{
		"empty":           "",
		"not base64":      "hello world\n",
		"seed too short":  base64.StdEncoding.EncodeToString(make([]byte, 16)) + "\n",
		"PEM private key": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
		"unknown field":   `{"version":1,"current":{},"retired":[],"extra":1}`,
		"other version":   `{"version":2,"current":{},"retired":[]}`,
		"bad seed":        `{"version":1,"current":{"key_id":"x","seed":"AAAA"},"retired":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keyring.json")
			require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
			_, err := eseal.OpenFileKeyring(path)
			assert.Error(t, err)
			after, _ := os.ReadFile(path)
			assert.Equal(t, content, string(after), "a broken keyring is never replaced")
		})
	}
}

func TestFileKeyringReadsAPlainSeedFile(t *testing.T) {
	// What SIGNET_SIGNING_KEY_FILE held before keyrings: a base64 seed.
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	path := filepath.Join(t.TempDir(), "eseal.key")
	require.NoError(t, os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(seed)+"\n"), 0o600))
	ring, err := eseal.OpenFileKeyring(path)
	require.NoError(t, err)
	assert.Equal(t, newSealer(t, 7).KeyID(), eseal.NewKeyringSealer(ring).KeyID())
}

func TestRotationKeepsOldSealsVerifiable(t *testing.T) {
	path, s := newKeyring(t)
	before := sealed(t, s, sampleRecord())
	cert := certify(t, s)
	oldID := s.KeyID()

	rot, err := eseal.RotateFileKeyring(path, now.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, oldID, rot.Retired)
	assert.NotEqual(t, oldID, rot.Current)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// The running sealer picks the rotation up without being reopened.
	assert.Equal(t, rot.Current, s.KeyID())
	after := sealed(t, s, sampleRecord())
	assert.Equal(t, rot.Current, after.Seal.KeyID)
	assert.True(t, s.VerifySeal(before.SignatureRecord, before.Seal), "a seal made before rotation still verifies")
	assert.True(t, s.VerifySeal(after.SignatureRecord, after.Seal))
	require.NoError(t, s.VerifyCertificate(cert), "a certificate issued before rotation still verifies")
	recert, err := s.Certify(eseal.Certificate{ContractNumber: cert.ContractNumber, Title: cert.Title, Version: cert.Version,
		DocumentSHA256: cert.DocumentSHA256, Signatures: cert.Signatures, Events: cert.Events, IssuedAt: now})
	require.NoError(t, err, "signatures sealed by a retired key can be certified again")
	assert.Equal(t, rot.Current, recert.Seal.KeyID)

	keys, err := s.Keys()
	require.NoError(t, err)
	assert.Equal(t, rot.Current, keys.Current.KeyID)
	require.Len(t, keys.Retired, 1)
	assert.Equal(t, oldID, keys.Retired[0].KeyID)
	require.NotNil(t, keys.Retired[0].RetiredAt)

	// The file keeps only the public half of a retired key.
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var file struct {
		Retired []map[string]any `json:"retired"`
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	require.Len(t, file.Retired, 1)
	assert.NotContains(t, file.Retired[0], "seed")

	// A second rotation keeps both old keys.
	_, err = eseal.RotateFileKeyring(path, now.Add(2*time.Hour))
	require.NoError(t, err)
	assert.True(t, s.VerifySeal(before.SignatureRecord, before.Seal))
	assert.True(t, s.VerifySeal(after.SignatureRecord, after.Seal))
}

func TestSealerTrustsOnlyItsKeyring(t *testing.T) {
	_, s := newKeyring(t)
	outsider := newSealer(t, 9) // a key made anywhere else, e.g. from a database copy
	forged := sealed(t, outsider, sampleRecord())
	assert.False(t, s.VerifySeal(forged.SignatureRecord, forged.Seal), "an unknown key verifies nothing")
	relabelled := forged
	relabelled.Seal.KeyID = s.KeyID()
	assert.False(t, s.VerifySeal(relabelled.SignatureRecord, relabelled.Seal), "nor under the genuine key's ID")
	assert.Error(t, s.VerifyCertificate(certify(t, outsider)))
}

func TestImportRetiredSeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyring.json")
	legacy := newSealer(t, 3)
	old := sealed(t, legacy, sampleRecord())
	seed := bytes.Repeat([]byte{3}, ed25519.SeedSize)

	added, err := eseal.ImportRetiredSeeds(path, [][]byte{seed}, eseal.OriginPostgreSQL, now)
	require.NoError(t, err)
	assert.Equal(t, []string{legacy.KeyID()}, added)
	again, err := eseal.ImportRetiredSeeds(path, [][]byte{seed}, eseal.OriginPostgreSQL, now)
	require.NoError(t, err)
	assert.Empty(t, again, "importing twice adds nothing")

	ring, err := eseal.OpenFileKeyring(path)
	require.NoError(t, err)
	s := eseal.NewKeyringSealer(ring)
	assert.NotEqual(t, legacy.KeyID(), s.KeyID(), "the imported key only verifies; a new key seals")
	assert.True(t, s.VerifySeal(old.SignatureRecord, old.Seal))
	keys, err := s.Keys()
	require.NoError(t, err)
	require.Len(t, keys.Retired, 1)
	assert.Equal(t, eseal.OriginPostgreSQL, keys.Retired[0].Origin)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), base64.StdEncoding.EncodeToString(seed), "the imported seed is not kept")
}
