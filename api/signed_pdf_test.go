package api_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/pdfsig"
	"github.com/signet-clm/signet/testkit/faketsa"
	"github.com/signet-clm/signet/testkit/testenv"
)

// TestSignedPDFOnceTheRoundCompletes: before signing the contract's PDF
// is the unsigned rendering; once every party has signed it is the file
// the worker signed with Signet's key, which pdfsig and POST /v1/verify
// both accept as whole and Signet's, matched to the contract. An edit
// appended after, or a changed byte, shows in the report.
func TestSignedPDFOnceTheRoundCompletes(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	state := create(t, s, newContract(100_00, "2026-01-01", "2026-12-31"))
	n := state.Contract.Number
	before := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=pdf", "sales", nil)
	require.Equal(t, http.StatusOK, before.Status)
	rep, err := pdfsig.Verify(before.Body)
	require.NoError(t, err)
	assert.Empty(t, rep.Signatures, "a draft's PDF is unsigned")

	live := driveToActive(t, s, newContract(100_00, "2026-01-01", "2026-12-31"))
	n = live.Contract.Number
	r := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=pdf", "sales", nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
	assert.Equal(t, live.Contract.DocumentSHA256, r.Header.Get("X-Document-SHA256"))
	signed := r.Body
	rep, err = pdfsig.Verify(signed, s.PDFKey.Certificate())
	require.NoError(t, err)
	// One PDF signature per signer, in the order they signed, then
	// Signet's over the whole file.
	view := expect[contracts.View](t, call(t, s, http.MethodGet, "/v1/contracts/"+n, "sales", nil), http.StatusOK)
	signers := slices.Clone(view.Signatures)
	slices.SortStableFunc(signers, func(x, y domain.Signature) int { return x.SignedAt.Compare(*y.SignedAt) })
	require.Len(t, signers, 2)
	require.Len(t, rep.Signatures, len(signers)+1, "each signer's, then Signet's")
	for i, sig := range rep.Signatures {
		assert.True(t, sig.Valid, "signature %d: %s", i+1, sig.Problem)
		assert.True(t, sig.Known, "signature %d is made with Signet's key", i+1)
		assert.Equal(t, i == len(rep.Signatures)-1, sig.CoversWhole, "only the last covers the whole file")
	}
	for i, want := range signers {
		got := rep.Signatures[i]
		assert.Equal(t, want.SignerName, got.Name, "signature %d names its signer", i+1)
		require.NotNil(t, want.SignedAt)
		require.NotNil(t, got.SignedAt)
		assert.WithinDuration(t, *want.SignedAt, *got.SignedAt, time.Second, "at the time they signed")
	}
	assert.Contains(t, rep.Signatures[len(rep.Signatures)-1].Reason, "签署完成")
	pages := pdfText(t, signed)
	assert.Contains(t, pages[len(pages)-1], "签署证书", "the signed file has the certificate page")
	again := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=pdf", "sales", nil)
	assert.Equal(t, signed, again.Body, "the stored file, not a new signature per download")
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=pdf", "sales2", nil), http.StatusNotFound)

	if bin, err := exec.LookPath("pdfsig"); err == nil {
		path := filepath.Join(t.TempDir(), n+".pdf")
		require.NoError(t, os.WriteFile(path, signed, 0o600))
		out, _ := exec.Command(bin, path).CombinedOutput()
		assert.Equal(t, len(signers)+1, strings.Count(string(out), "Signature is Valid."), string(out))
		assert.Contains(t, string(out), "Total document signed")
	}

	v := expect[esign.VerifyResult](t, call(t, s, http.MethodPost, "/v1/verify", "", string(signed), "Content-Type", "application/pdf"), http.StatusOK)
	require.NotNil(t, v.PDF)
	require.Len(t, v.PDF.Signatures, len(signers)+1)
	sig := v.PDF.Signatures[len(v.PDF.Signatures)-1]
	assert.True(t, sig.Valid)
	assert.True(t, sig.CoversWhole)
	assert.True(t, v.PDF.Signatures[0].ChangedAfter, "a signer's revision has the later ones after it")
	assert.False(t, sig.ChangedAfter)
	assert.True(t, sig.BySignet)
	assert.Equal(t, s.PDFKey.Fingerprint(), sig.CertSHA256)
	assert.NotNil(t, sig.SignedAt)
	assert.True(t, v.PDF.SignetFile)
	assert.Equal(t, n, v.PDF.ContractNumber)
	assert.True(t, v.Matches)
	assert.True(t, v.SealsValid)
	assert.Equal(t, live.Contract.DocumentSHA256, v.DocumentSHA256)
	require.Len(t, v.Versions, 1)
	assert.Equal(t, n, v.Versions[0].ContractNumber)

	// The same file as a form upload, with an edit saved after signing.
	edited := append(bytes.Clone(signed), []byte("\n% added later\n")...)
	form, ctype := fileForm(t, n+".pdf", edited)
	v = expect[esign.VerifyResult](t, call(t, s, http.MethodPost, "/v1/verify", "", form, "Content-Type", ctype), http.StatusOK)
	require.NotNil(t, v.PDF)
	assert.True(t, v.PDF.ChangedAfter)
	assert.True(t, v.PDF.Signatures[0].Valid, "what it signed is still intact")
	assert.False(t, v.PDF.Signatures[0].CoversWhole)
	assert.True(t, v.PDF.SignetFile, "it begins with the file Signet signed")

	// A changed byte inside what was signed.
	tampered := bytes.Clone(signed)
	i := bytes.Index(tampered, []byte("/Producer"))
	require.Positive(t, i)
	tampered[i+1] = 'Q'
	v = expect[esign.VerifyResult](t, call(t, s, http.MethodPost, "/v1/verify", "", string(tampered), "Content-Type", "application/pdf"), http.StatusOK)
	require.NotNil(t, v.PDF)
	if len(v.PDF.Signatures) > 0 {
		assert.False(t, v.PDF.Signatures[0].Valid)
	}
	assert.False(t, v.PDF.SignetFile)
	assert.False(t, v.Matches)

	// What is no PDF is refused by field; past 32 MiB, 413.
	assert.Equal(t, []string{"file"}, fieldsOf(t, call(t, s, http.MethodPost, "/v1/verify", "", "%PDF-1.7 not really", "Content-Type", "application/pdf")))
	big := call(t, s, http.MethodPost, "/v1/verify", "", "%PDF-"+strings.Repeat("x", 32<<20), "Content-Type", "application/pdf")
	assert.Equal(t, http.StatusRequestEntityTooLarge, big.Status)
}

// TestSignedPDFCarriesTheAuthoritysTimestamp: with SIGNET_PDF_TSA_URL
// set, the file the worker signs when the round completes carries the
// authority's RFC 3161 token over its signature; POST /v1/verify and the
// console's verification page say who stamped it and when. An authority
// that fails once is asked again; one that fails every attempt leaves the
// file signed without a time-stamp rather than unsigned.
func TestSignedPDFCarriesTheAuthoritysTimestamp(t *testing.T) {
	testenv.RequireIntegration(t)
	at := time.Now().UTC().Truncate(time.Second)
	var down atomic.Bool
	tsa, asked := faketsa.New(t, at, &down)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithConfig(func(c *config.Config) { c.PDFTimestampURL = tsa.URL }))
	signedPDF := func(n string) []byte {
		var signed []byte
		require.Eventually(t, func() bool {
			r := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=pdf", "sales", nil)
			rep, err := pdfsig.Verify(r.Body, s.PDFKey.Certificate())
			if err != nil || len(rep.Signatures) == 0 {
				return false
			}
			signed = r.Body
			return true
		}, 60*time.Second, 200*time.Millisecond, "the contract's PDF is signed")
		return signed
	}

	// Down for the first query only: the retry a second later gets a token.
	// The round completes inside driveToActive, so the authority comes
	// back from beside it, once asked.
	down.Store(true)
	back := make(chan struct{})
	go func() {
		defer close(back)
		for deadline := time.Now().Add(time.Minute); asked.Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		down.Store(false)
	}()
	live := driveToActive(t, s, newContract(100_00, "2026-01-01", "2026-12-31"))
	n := live.Contract.Number
	<-back
	signed := signedPDF(n)
	assert.GreaterOrEqual(t, asked.Load(), int32(2), "asked again after the failure")

	v := expect[esign.VerifyResult](t, call(t, s, http.MethodPost, "/v1/verify", "", string(signed), "Content-Type", "application/pdf"), http.StatusOK)
	require.NotNil(t, v.PDF)
	sig := v.PDF.Signatures[len(v.PDF.Signatures)-1]
	assert.True(t, sig.Valid)
	assert.True(t, v.Matches)
	for _, earlier := range v.PDF.Signatures[:len(v.PDF.Signatures)-1] {
		assert.Nil(t, earlier.Timestamp, "only Signet's final signature is time-stamped")
	}
	require.NotNil(t, sig.Timestamp, "the signature carries a time-stamp")
	assert.True(t, sig.Timestamp.Valid, sig.Timestamp.Problem)
	assert.Equal(t, faketsa.Authority, sig.Timestamp.Authority)
	assert.True(t, sig.Timestamp.At.Equal(at), "the authority's time, %s", sig.Timestamp.At)
	assert.NotContains(t, string(signed), "secret internal detail")

	form, ctype := fileForm(t, n+".pdf", signed)
	page := call(t, s, http.MethodPost, "/verify", "", form, "Content-Type", ctype, "Accept", "text/html")
	require.Equal(t, http.StatusOK, page.Status, string(page.Body))
	assert.Contains(t, string(page.Body), "有效，由 "+faketsa.Authority+" 签发")

	// Down throughout: three attempts, then signed without a time-stamp.
	down.Store(true)
	before := asked.Load()
	other := driveToActive(t, s, newContract(200_00, "2026-01-01", "2026-12-31"))
	signed = signedPDF(other.Contract.Number)
	assert.Equal(t, int32(3), asked.Load()-before, "each attempt asked once")
	v = expect[esign.VerifyResult](t, call(t, s, http.MethodPost, "/v1/verify", "", string(signed), "Content-Type", "application/pdf"), http.StatusOK)
	require.NotNil(t, v.PDF)
	last := v.PDF.Signatures[len(v.PDF.Signatures)-1]
	assert.True(t, last.Valid)
	assert.True(t, last.BySignet)
	assert.Nil(t, last.Timestamp, "no authority's token")
	assert.True(t, v.Matches)
}

// fileForm is a multipart form with file as its field "file", and the
// form's content type.
func fileForm(t testing.TB, name string, file []byte) (string, string) {
	t.Helper()
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, err := mw.CreateFormFile("file", name)
	require.NoError(t, err)
	_, _ = fw.Write(file)
	require.NoError(t, mw.Close())
	return form.String(), mw.FormDataContentType()
}
