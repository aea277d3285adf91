package console

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/esign"
)

// maxVerifyBytes bounds an uploaded document or PDF: the API's
// POST /v1/verify limit.
const maxVerifyBytes = 32 << 20

// verifyPage is /verify: anyone holding a contract's PDF (or its text)
// uploads it and reads what POST /v1/verify reports.
type verifyPage struct {
	// Result is the report once a file was checked.
	Result *api.VerifyResult
	// FileName is the uploaded file's name as the browser gave it.
	FileName string
	// Error is a message key: nothing uploaded, unreadable, too large.
	Error string
}

func (p *pages) verifyForm(c *gin.Context) {
	p.showVerify(c, http.StatusOK, verifyPage{})
}

// verify checks an upload as POST /v1/verify does: a PDF's embedded
// signatures and its match to a signed file Signet stored, any other
// file by its SHA-256 against the signed documents.
func (p *pages) verify(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxVerifyBytes+uploadSlack)
	var page verifyPage
	fh, err := c.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		page.Error = "error.too_large"
		p.showVerify(c, http.StatusRequestEntityTooLarge, page)
		return
	case err != nil:
		page.Error = "verify.no_file"
		p.showVerify(c, http.StatusBadRequest, page)
		return
	}
	page.FileName = fh.Filename
	if fh.Size > maxVerifyBytes {
		page.Error = "error.too_large"
		p.showVerify(c, http.StatusRequestEntityTooLarge, page)
		return
	}
	f, err := fh.Open()
	if err != nil {
		page.Error = "error.bad_upload"
		p.showVerify(c, http.StatusBadRequest, page)
		return
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil || len(raw) == 0 {
		page.Error = "verify.no_file"
		p.showVerify(c, http.StatusBadRequest, page)
		return
	}
	var res esign.VerifyResult
	if bytes.HasPrefix(raw, []byte("%PDF-")) {
		res, err = p.d.Signing.VerifyPDF(c.Request.Context(), raw)
	} else {
		res, err = p.d.Signing.Verify(c.Request.Context(), esign.VerifyInput{DocumentSHA256: esign.DocumentHash(raw)})
	}
	if errors.Is(err, esign.ErrNotPDF) {
		page.Error = "verify.not_pdf"
		p.showVerify(c, http.StatusBadRequest, page)
		return
	} else if err != nil {
		p.serviceError(c, err)
		return
	}
	out := api.VerifyResultOf(res)
	page.Result = &out
	p.showVerify(c, http.StatusOK, page)
}

func (p *pages) showVerify(c *gin.Context, status int, page verifyPage) {
	v := p.view(c, "", page)
	v.Title = v.T("verify.title")
	p.render(c, status, "verify", v)
}
