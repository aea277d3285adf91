package pdfsig_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signintech/gopdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/pdfsig"
)

// samplePDF is a two-page A4 file with something drawn on each page.
func samplePDF(t testing.TB) []byte {
	t.Helper()
	var p gopdf.GoPdf
	p.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	for range 2 {
		p.AddPage()
		p.Line(50, 50, 300, 300)
	}
	var b bytes.Buffer
	_, err := p.WriteTo(&b)
	require.NoError(t, err)
	return b.Bytes()
}

// devKey is a fresh development CA's signing key, through the files
// `signet dev` writes.
func devKey(t testing.TB) (*pdfsig.Key, pdfsig.DevFiles) {
	t.Helper()
	dir := t.TempDir()
	files := pdfsig.DevFiles{Key: filepath.Join(dir, "k.pem"), Cert: filepath.Join(dir, "c.pem"), CA: filepath.Join(dir, "ca.pem")}
	created, err := files.Ensure("示例科技有限公司", time.Now())
	require.NoError(t, err)
	require.True(t, created)
	k, err := pdfsig.LoadKey(files.Key, files.Cert)
	require.NoError(t, err)
	return k, files
}

var info = pdfsig.Info{Name: "示例科技有限公司", Reason: "合同 HT-2026-000001 v1 签署完成", Location: "Signet", Date: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}

func TestSignedPDFVerifiesAsSignets(t *testing.T) {
	k, files := devKey(t)
	orig := samplePDF(t)
	signed, err := pdfsig.Sign(orig, k, info)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(signed, orig), "an incremental update keeps the original bytes")

	rep, err := pdfsig.Verify(signed, k.Certificate())
	require.NoError(t, err)
	require.Len(t, rep.Signatures, 1)
	s := rep.Signatures[0]
	assert.True(t, s.Valid, s.Problem)
	assert.True(t, s.CoversWhole)
	assert.Zero(t, s.AppendedBytes)
	assert.True(t, s.Known)
	assert.Equal(t, "Signet document signing (development)", s.Signer)
	assert.Equal(t, "示例科技有限公司", s.Organization)
	assert.Equal(t, "Signet Development CA", s.Issuer)
	assert.Equal(t, k.Fingerprint(), s.Fingerprint)
	require.NotNil(t, s.SignedAt)
	assert.True(t, s.SignedAt.Equal(info.Date))

	// A second start keeps the key, so what it signed stays Signet's.
	created, err := files.Ensure("示例科技有限公司", time.Now())
	require.NoError(t, err)
	assert.False(t, created)
	again, err := pdfsig.LoadKey(files.Key, files.Cert)
	require.NoError(t, err)
	assert.Equal(t, k.Fingerprint(), again.Fingerprint())

	// poppler's pdfsig, as a reader would check it.
	out := popplerCheck(t, signed)
	if out != "" {
		assert.Contains(t, out, "Signature Validation: Signature is Valid.")
		assert.Contains(t, out, "Total document signed")
		assert.Contains(t, out, "Signet document signing (development)")
	}
}

func TestAChangedByteIsDetected(t *testing.T) {
	k, _ := devKey(t)
	signed, err := pdfsig.Sign(samplePDF(t), k, info)
	require.NoError(t, err)
	// A byte of the first page's drawing, inside the signed range.
	i := bytes.Index(signed, []byte("300"))
	require.Positive(t, i)
	tampered := bytes.Clone(signed)
	tampered[i] = '4'
	rep, err := pdfsig.Verify(tampered, k.Certificate())
	require.NoError(t, err)
	require.Len(t, rep.Signatures, 1)
	assert.False(t, rep.Signatures[0].Valid)
	assert.Contains(t, rep.Signatures[0].Problem, "changed")
	if out := popplerCheck(t, tampered); out != "" {
		assert.NotContains(t, out, "Signature is Valid.")
	}
}

func TestBytesAppendedAfterSigningShow(t *testing.T) {
	k, _ := devKey(t)
	signed, err := pdfsig.Sign(samplePDF(t), k, info)
	require.NoError(t, err)
	// An edit saved as an update: the signature still checks over what it
	// covers, and says the file goes on past it.
	edited := append(bytes.Clone(signed), []byte("\n% edited after signing\n")...)
	rep, err := pdfsig.Verify(edited, k.Certificate())
	require.NoError(t, err)
	require.Len(t, rep.Signatures, 1)
	s := rep.Signatures[0]
	assert.True(t, s.Valid)
	assert.False(t, s.CoversWhole)
	assert.Equal(t, int64(len(edited)-len(signed)), s.AppendedBytes)
	if out := popplerCheck(t, edited); out != "" {
		assert.NotContains(t, out, "Total document signed")
	}
}

func TestAnotherKeysSignatureIsUnknown(t *testing.T) {
	ours, _ := devKey(t)
	theirs, _ := devKey(t)
	signed, err := pdfsig.Sign(samplePDF(t), theirs, info)
	require.NoError(t, err)
	rep, err := pdfsig.Verify(signed, ours.Certificate())
	require.NoError(t, err)
	require.Len(t, rep.Signatures, 1)
	assert.True(t, rep.Signatures[0].Valid, "a valid signature, but not Signet's")
	assert.False(t, rep.Signatures[0].Known)
}

func TestVerifyRefusesWhatIsNoPDF(t *testing.T) {
	_, err := pdfsig.Verify([]byte("合同正文，不是 PDF"))
	require.ErrorIs(t, err, pdfsig.ErrNotPDF)
	_, err = pdfsig.Verify([]byte("%PDF-1.7\ngarbage"))
	require.ErrorIs(t, err, pdfsig.ErrNotPDF)
	rep, err := pdfsig.Verify(samplePDF(t))
	require.NoError(t, err)
	assert.Empty(t, rep.Signatures, "an unsigned PDF has no signature")
}

func TestLoadKeyRefusesAMismatchedPair(t *testing.T) {
	_, a := devKey(t)
	_, b := devKey(t)
	_, err := pdfsig.LoadKey(a.Key, b.Cert)
	require.ErrorContains(t, err, "does not belong")
}

// popplerCheck runs poppler's pdfsig on file and returns what it says,
// or "" where poppler-utils is not installed. It fails the test when
// pdfsig cannot read the file at all.
func popplerCheck(t *testing.T, file []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdfsig")
	if err != nil {
		t.Log("pdfsig not installed (apt-get install poppler-utils): checked in Go only")
		return ""
	}
	path := filepath.Join(t.TempDir(), "signed.pdf")
	require.NoError(t, os.WriteFile(path, file, 0o600))
	// It exits non-zero for an invalid signature; what it says is the verdict.
	out, _ := exec.Command(bin, path).CombinedOutput()
	require.True(t, strings.Contains(string(out), "Signature #1"), "pdfsig found no signature:\n%s", out)
	return string(out)
}
