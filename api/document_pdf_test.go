package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/devstack"
	"github.com/signet-clm/signet/testkit/pdftext"
	"github.com/signet-clm/signet/testkit/testenv"
)

// pdfText is a PDF's text, page by page, with all white space dropped
// (the PDF breaks lines where the text wraps).
func pdfText(t *testing.T, file []byte) []string {
	pages := pdftext.Pages(t, file)
	for i, p := range pages {
		pages[i] = pdftext.Squeeze(p)
	}
	return pages
}

// TestDocumentAsPDF: format=pdf gives the contract's unsigned PDF, named
// by its number, whose text is the canonical text (table cells drawn as
// a ruled table rather than joined by " | ") with the number and hash on
// every page, to whoever may see the contract and to nobody else.
func TestDocumentAsPDF(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	body := newContract(0, "2026-01-01", "2026-12-31")
	body["line_items"] = []map[string]any{
		{"product_id": devstack.DemoLicenceProductID, "quantity": "2", "discount_bp": 500},
		{"product_id": devstack.DemoServiceProductID, "quantity": "12.5"},
	}
	state := create(t, s, body)
	n := state.Contract.Number

	r := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=pdf", "sales", nil)
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "application/pdf", r.Header.Get("Content-Type"))
	assert.Equal(t, `inline; filename=`+n+`.pdf`, r.Header.Get("Content-Disposition"))
	assert.Equal(t, state.Contract.DocumentSHA256, r.Header.Get("X-Document-SHA256"))
	require.True(t, bytes.HasPrefix(r.Body, []byte("%PDF-")))

	text := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=text", "sales", nil)
	require.Equal(t, http.StatusOK, text.Status)
	pages := pdfText(t, r.Body)
	var all strings.Builder
	for i, p := range pages {
		footer := pdftext.Squeeze(fmt.Sprintf("合同编号 %s · 文档 SHA-256 %s 第 %d 页，共 %d 页", n, state.Contract.DocumentSHA256, i+1, len(pages)))
		assert.True(t, strings.HasPrefix(p, footer), "page %d's footer: %s", i+1, p)
		all.WriteString(strings.TrimPrefix(p, footer))
	}
	assert.True(t, strings.HasPrefix(all.String(), pdftext.Canonical(string(text.Body))), "the PDF reads as the canonical text: %s", all.String())
	assert.NotContains(t, all.String(), "签署证书", "no certificate page before anyone signed")

	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=pdf", "sales2", nil), http.StatusNotFound)
	expect[errorBody](t, call(t, s, http.MethodGet, "/v1/contracts/HT-2026-999999/document?format=pdf", "sales", nil), http.StatusNotFound)
}

// TestRenderPDFActivityShowsTheSignedRound: after a contract is signed,
// the worker's RenderPDF renders the version with each signer in its
// block and on the certificate page (identity, address, browser, time),
// the approval chain with its opinions and the sealing key's fingerprint.
func TestRenderPDFActivityShowsTheSignedRound(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	live := driveToActive(t, s, newContract(100_00, "2026-01-01", "2026-12-31"))
	n := live.Contract.Number
	a := &activities.Activities{PDF: s.Store, Sealer: s.Sealer}
	res, err := a.RenderPDF(context.Background(), activities.RenderPDFInput{ContractNumber: n, Version: live.Version})
	require.NoError(t, err)
	assert.Equal(t, live.Contract.DocumentSHA256, res.DocumentSHA256)
	sum := sha256.Sum256(res.PDF)
	assert.Equal(t, hex.EncodeToString(sum[:]), res.PDFSHA256)

	sigs, err := s.Store.SealedSignatures(context.Background(), n, live.Version)
	require.NoError(t, err)
	require.NotEmpty(t, sigs)
	tasks, err := s.Store.Tasks(context.Background(), n)
	require.NoError(t, err)
	pages := pdfText(t, res.PDF)
	cert := pages[len(pages)-1]
	require.Contains(t, cert, "签署证书", "the last page is the certificate")
	assert.Contains(t, cert, live.Contract.DocumentSHA256)
	assert.Contains(t, cert, pdftext.Squeeze(s.Sealer.KeyID()))
	for _, sg := range sigs {
		assert.Contains(t, strings.Join(pages[:len(pages)-1], ""), pdftext.Squeeze(sg.SignerName), "%s's signature block", sg.SignerName)
		assert.Contains(t, cert, pdftext.Squeeze(sg.SignerName))
		assert.Contains(t, cert, pdftext.Squeeze(sg.SignerEmail))
		assert.Contains(t, cert, pdftext.Squeeze(sg.IP))
		assert.Contains(t, cert, pdftext.Squeeze(sg.UserAgent))
		assert.Contains(t, cert, pdftext.Squeeze(sg.SignedAt.UTC().Format("2006-01-02 15:04:05 UTC")))
	}
	decided := 0
	for _, task := range tasks {
		if task.DecidedAt != nil {
			decided++
			assert.Contains(t, cert, pdftext.Squeeze(task.DecidedByName), "approver on the certificate")
			if task.Opinion != "" {
				assert.Contains(t, cert, pdftext.Squeeze(task.Opinion))
			}
		}
	}
	assert.NotZero(t, decided)
}
