package console_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/testkit/testenv"
)

// signaturePNG is a drawn signature as the page's canvas sends it: a
// transparent w×h PNG with a stroke, or blank without ink.
func signaturePNG(t testing.TB, w, h int, ink bool) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := w / 8; ink && x < w*7/8; x++ {
		for d := -2; d <= 2; d++ {
			img.Set(x, h/2+d+(x%23)/5, color.NRGBA{11, 42, 111, 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())
}

// TestSigningPageDrawnSignatureAndReadToEnd: a round sent from the
// console's send form with 强制阅读 gives the customer a page whose sign
// button is off with the reason shown, the drawing pad, the zoom, and a
// document frame that may run only its own script in a sandbox without
// the page's origin. Without the read-to-end marker the signature is
// refused beside read_to_end; a blank drawing beside signature_image
// (what was typed kept); a drawn one signs, and the done page, the round
// complete, links the signed PDF, which the link then serves.
func TestSigningPageDrawnSignatureAndReadToEnd(t *testing.T) {
	testenv.RequireIntegration(t)
	s := testenv.NewStack(t, testenv.TemporalAddress(), testenv.WithLogins())
	n := approvedContract(t, s, "星辰强制阅读合同")
	sales := newVisitor(t, s)
	sales.signIn("sales")
	cp := sales.get("/contracts/" + n)
	require.Contains(t, cp.Body, `name="require_read_to_end"`)
	assert.Contains(t, cp.Body, "强制阅读")
	sent := sales.post("/contracts/"+n+"/send", url.Values{"request_id": {"send-read-1"}, "require_read_to_end": {"1"}})
	require.Less(t, sent.Status, 400, sent.Body)
	link := mailedSignLinksAfterExec(t, s, n)
	token := strings.TrimPrefix(link, "/sign/")
	customer := newVisitor(t, s)

	pg := customer.browse(link)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	for _, want := range []string{
		`data-testid="read-note"`, "请将上方合同滚动至末尾，之后方可签署",
		`data-testid="sign" disabled`, `name="read_to_end" value=""`, `data-require-read`,
		`name="signature_image"`, `data-testid="signature-pad"`, "手写签名（可选）",
		`data-zoom="1.25"`, `data-zoom="1.5"`, `/static/signpage.js?v=`,
		`sandbox="allow-scripts"`,
	} {
		assert.Contains(t, pg.Body, want)
	}
	assert.NotContains(t, pg.Body, "allow-same-origin", "a frame that runs script never shares the page's origin")
	frame := customer.get("/signing/" + token + "/document")
	require.Equal(t, http.StatusOK, frame.Status)
	csp := frame.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "sandbox allow-scripts")
	assert.Contains(t, csp, "script-src 'self'")
	assert.NotContains(t, csp, "allow-same-origin")
	assert.Contains(t, frame.Body, `<script src="/static/signframe.js?v=`)
	assert.Equal(t, http.StatusOK, customer.get("/static/signpage.js").Status)
	assert.Equal(t, http.StatusOK, customer.get("/static/signframe.js").Status)

	// Not read to the end: refused in place, nothing signed.
	r := customer.post(link, url.Values{"signer_name": {"王建国"}, "consent": {"1"}, "request_id": {"r-1"}})
	assert.Equal(t, http.StatusBadRequest, r.Status)
	assert.Contains(t, r.Body, "<b>read_to_end</b>")
	assert.Equal(t, 1, signatures(t, s, n))
	// A blank drawing, and one that is no PNG: refused beside signature_image.
	for _, img := range []string{signaturePNG(t, 500, 160, false), "data:image/gif;base64,R0lGODlhAQABAAAAACw="} {
		r = customer.post(link, url.Values{"signer_name": {"王建国<i>"}, "consent": {"1"}, "read_to_end": {"1"}, "signature_image": {img}, "request_id": {"r-2"}})
		assert.Equal(t, http.StatusBadRequest, r.Status)
		assert.Contains(t, r.Body, "<b>signature_image</b>")
		assert.Contains(t, r.Body, `value="王建国&lt;i&gt;"`)
	}
	assert.Equal(t, 1, signatures(t, s, n))
	assert.Equal(t, 0, count(t, s, `SELECT count(*) FROM signature_captures WHERE contract_number = $1`, n))
	// A form from elsewhere is refused before anything is read.
	r = customer.post(link, url.Values{"signer_name": {"王建国"}, "consent": {"1"}, "read_to_end": {"1"}}, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, r.Status)

	done := customer.post(link, url.Values{"signer_name": {"王建国"}, "consent": {"1"}, "read_to_end": {"1"},
		"signature_image": {signaturePNG(t, 900, 300, true)}, "request_id": {"r-3"}})
	require.Equal(t, http.StatusOK, done.Status, done.Body)
	assert.Contains(t, done.Body, "合同已生效")
	assert.Contains(t, done.Body, `href="`+link+`/document.pdf"`)
	assert.Contains(t, done.Body, "下载已签署的合同 PDF")
	assert.Equal(t, 1, count(t, s, `SELECT count(*) FROM signature_captures WHERE contract_number = $1`, n))
	require.Eventually(t, func() bool {
		return count(t, s, `SELECT count(*) FROM contracts WHERE number = $1 AND status = 'active'`, n) == 1
	}, 20*time.Second, 25*time.Millisecond)

	file := customer.get(link + "/document.pdf")
	require.Equal(t, http.StatusOK, file.Status, file.Body)
	assert.Equal(t, "application/pdf", file.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(file.Body, "%PDF-"))
	// Somebody else's guess at a link downloads nothing.
	assert.Equal(t, http.StatusNotFound, customer.get("/sign/"+strings.Repeat("B", 43)+"/document.pdf").Status)
}
