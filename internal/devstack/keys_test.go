package devstack_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/pdfsig"
)

// What `signet dev` makes under .data/ on its first start: a keyring and
// an audit key only its user can read, and the checkpoint directory; a
// second start keeps them.
func TestDevKeysAreMadeOncePrivately(t *testing.T) {
	data := filepath.Join(t.TempDir(), ".data")
	require.NoError(t, os.MkdirAll(data, 0o755))
	files := devstack.DevKeyFiles(data)
	require.NoError(t, files.Ensure(time.Now()))
	for _, f := range []string{files.Keyring, files.AuditKey, files.PDF.Key, files.PDF.Cert} {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
		assert.Equal(t, data, filepath.Dir(f))
	}
	di, err := os.Stat(files.Checkpoints)
	require.NoError(t, err)
	assert.True(t, di.IsDir())
	assert.Equal(t, os.FileMode(0o700), di.Mode().Perm())

	ring, err := eseal.OpenFileKeyring(files.Keyring)
	require.NoError(t, err)
	first := eseal.NewKeyringSealer(ring).KeyID()
	ak, err := audit.OpenKeyFile(files.AuditKey)
	require.NoError(t, err)
	k1, err := ak.Current()
	require.NoError(t, err)

	pdfKey, err := pdfsig.LoadKey(files.PDF.Key, files.PDF.Cert)
	require.NoError(t, err, "a development CA's PDF signing key and certificate")
	ca, err := pdfsig.LoadCertificates(files.PDF.CA)
	require.NoError(t, err)
	require.NoError(t, pdfKey.Certificate().CheckSignatureFrom(ca[0]), "issued by the CA beside it")

	require.NoError(t, files.Ensure(time.Now()))
	again, err := pdfsig.LoadKey(files.PDF.Key, files.PDF.Cert)
	require.NoError(t, err)
	assert.Equal(t, pdfKey.Fingerprint(), again.Fingerprint(), "a second start keeps the PDF signing certificate")
	ring, err = eseal.OpenFileKeyring(files.Keyring)
	require.NoError(t, err)
	assert.Equal(t, first, eseal.NewKeyringSealer(ring).KeyID(), "a second start keeps the keyring")
	ak, err = audit.OpenKeyFile(files.AuditKey)
	require.NoError(t, err)
	k2, err := ak.Current()
	require.NoError(t, err)
	assert.Equal(t, k1.ID, k2.ID, "and the audit key")
}
