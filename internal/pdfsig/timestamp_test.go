package pdfsig_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/outbound"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/testkit/faketsa"
)

// TestASignatureCarriesTheAuthoritysTimestamp: with a time-stamping
// authority configured, the signature carries its token over the
// signature, asked for through the guarded client; Verify reports the
// authority's time and name, and poppler still finds the file signed and
// unchanged. An authority that fails leaves no signed file and says
// nothing of what it answered.
func TestASignatureCarriesTheAuthoritysTimestamp(t *testing.T) {
	k, _ := devKey(t)
	at := time.Now().UTC().Truncate(time.Second)
	var fail atomic.Bool
	srv, asked := faketsa.New(t, at, &fail)
	withTSA := info
	withTSA.Timestamps = &pdfsig.Timestamps{URL: srv.URL, Client: outbound.Guard{AllowLoopback: true}.Client(5 * time.Second)}

	signed, err := pdfsig.Sign(samplePDF(t), k, withTSA)
	require.NoError(t, err)
	assert.EqualValues(t, 1, asked.Load())
	rep, err := pdfsig.Verify(signed, k.Certificate())
	require.NoError(t, err)
	require.Len(t, rep.Signatures, 1)
	s := rep.Signatures[0]
	assert.True(t, s.Valid, s.Problem)
	require.NotNil(t, s.Stamp, "the signature carries a time-stamp")
	assert.True(t, s.Stamp.Valid, s.Stamp.Problem)
	assert.Equal(t, at, s.Stamp.At)
	assert.Equal(t, faketsa.Authority, s.Stamp.Authority)
	if out := popplerCheck(t, signed); out != "" {
		assert.Contains(t, out, "Signature Validation: Signature is Valid.")
		assert.Contains(t, out, "Total document signed")
	}

	plain, err := pdfsig.Sign(samplePDF(t), k, info)
	require.NoError(t, err)
	rep, err = pdfsig.Verify(plain, k.Certificate())
	require.NoError(t, err)
	assert.Nil(t, rep.Signatures[0].Stamp, "without an authority, no time-stamp")

	fail.Store(true)
	_, err = pdfsig.Sign(samplePDF(t), k, withTSA)
	require.ErrorIs(t, err, pdfsig.ErrTimestamp)
	assert.NotContains(t, err.Error(), "secret internal detail", "the authority's body is not echoed")

	// The guard holds: an authority on a private address is not reached.
	guarded := info
	guarded.Timestamps = &pdfsig.Timestamps{URL: srv.URL, Client: outbound.Guard{}.Client(5 * time.Second)}
	fail.Store(false)
	before := asked.Load()
	_, err = pdfsig.Sign(samplePDF(t), k, guarded)
	require.ErrorIs(t, err, pdfsig.ErrTimestamp)
	assert.Equal(t, before, asked.Load(), "a loopback authority is refused by the guard")
}
