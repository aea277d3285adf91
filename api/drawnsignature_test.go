package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/activities"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/testkit/pdftext"
	"github.com/signet-clm/signet/testkit/testenv"
	"github.com/signet-clm/signet/workflows"
)

// drawnPNG is a w×h transparent PNG with a stroke across it, as a
// canvas's toDataURL gives; ink false leaves it blank.
func drawnPNG(t testing.TB, w, h int, ink bool) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if ink {
		for x := w / 10; x < w*9/10; x++ {
			for d := -2; d <= 2; d++ {
				img.Set(x, h/2+d+(x%17)/4, color.NRGBA{10, 40, 110, 255})
			}
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

func dataURL(p []byte) string { return "data:image/png;base64," + base64.StdEncoding.EncodeToString(p) }

// TestDrawnSignatureAndReadToEndOverJSON: a round sent with
// require_read_to_end refuses a link signature without read_to_end (400
// naming it); a drawn signature that is no PNG, blank or too large is
// refused naming signature_image, nothing stored; a good one signs, is
// stored once, and the version's PDF shows it beside the customer's
// signature. The link then downloads the very PDF the contract's document
// route serves, and a link nobody holds is 404.
func TestDrawnSignatureAndReadToEndOverJSON(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress())
	n := approved(t, s)
	expect[workflows.ContractState](t, call(t, s, http.MethodPost, "/v1/contracts/"+n+"/send", "sales", map[string]any{"require_read_to_end": true}), http.StatusOK)
	round := signingOf(t, s, n)
	require.True(t, round.RequireReadToEnd)
	var customer workflows.SignerState
	for _, sg := range round.Signers {
		if sg.Party == domain.PartyCompany {
			expect[esign.SignResult](t, signIn(t, s, n, sg.ID, roleOf(sg.UserID)), http.StatusOK)
		} else {
			customer = sg
		}
	}
	link := mailedLink(t, s, n, customer.ID)
	captures := func() int {
		var c int
		require.NoError(t, s.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM signature_captures WHERE contract_number = $1`, n).Scan(&c))
		return c
	}

	assert.Equal(t, []string{"read_to_end"}, fieldsOf(t, call(t, s, http.MethodPost, link, "", signBody(customer.Name))))
	drawn := drawnPNG(t, 600, 200, true)
	for name, img := range map[string]string{
		"not a PNG": "data:image/jpeg;base64,/9j/4AAQSkZJRg==",
		"blank":     dataURL(drawnPNG(t, 600, 200, false)),
		"tiny":      dataURL(drawnPNG(t, 10, 10, true)),
		"garbage":   "data:image/png;base64,!!!",
		"too large": "data:image/png;base64," + strings.Repeat("A", 360_000),
	} {
		r := call(t, s, http.MethodPost, link, "", map[string]any{"signer_name": customer.Name, "consent": true, "read_to_end": true, "signature_image": img})
		assert.Equal(t, []string{"signature_image"}, fieldsOf(t, r), name)
	}
	assert.Zero(t, captures(), "refusals store nothing")

	body := map[string]any{"signer_name": customer.Name, "consent": true, "read_to_end": true, "signature_image": dataURL(drawn)}
	res := expect[esign.SignResult](t, call(t, s, http.MethodPost, link, "", body, "X-Request-ID", "drawn-1"), http.StatusOK)
	require.NotNil(t, res.Signature)
	assert.Equal(t, "signed", res.Outcome)
	assert.Equal(t, http.StatusOK, call(t, s, http.MethodPost, link, "", body, "X-Request-ID", "drawn-1").Status, "a retry answers the first signature")
	assert.Equal(t, 1, captures())

	a := &activities.Activities{PDF: s.Store, Sealer: s.Sealer}
	file, err := a.RenderPDF(context.Background(), activities.RenderPDFInput{ContractNumber: n, Version: round.Version})
	require.NoError(t, err)
	pages := pdftext.Pages(t, file.PDF)
	sigPage := 0
	for i, p := range pages {
		if strings.Contains(p, pdftext.Squeeze("乙方（盖章）")) && sigPage == 0 {
			sigPage = i + 1
		}
	}
	require.NotZero(t, sigPage)
	assert.Contains(t, pdftext.Images(t, file.PDF), pdftext.Image{Page: sigPage, Width: 600, Height: 200, SMask: true},
		"the drawn signature, stored with the signature, on the signature page")

	got := call(t, s, http.MethodGet, link+"/document.pdf", "", nil)
	require.Equal(t, http.StatusOK, got.Status, string(got.Body))
	assert.Equal(t, "application/pdf", got.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", got.Header.Get("Cache-Control"))
	assert.Contains(t, got.Header.Get("Content-Disposition"), n+".pdf")
	same := call(t, s, http.MethodGet, "/v1/contracts/"+n+"/document?format=pdf", "sales", nil)
	require.Equal(t, http.StatusOK, same.Status)
	assert.Equal(t, same.Header.Get("X-Document-SHA256"), got.Header.Get("X-Document-SHA256"))
	assert.True(t, bytes.Equal(same.Body, got.Body), "the link serves the contract's own PDF")
	assert.Contains(t, pdftext.Images(t, got.Body), pdftext.Image{Page: sigPage, Width: 600, Height: 200, SMask: true},
		"the signed PDF the link serves carries the drawn signature")
	assert.Equal(t, http.StatusNotFound, call(t, s, http.MethodGet, "/sign/"+strings.Repeat("A", 43)+"/document.pdf", "", nil).Status)
}
