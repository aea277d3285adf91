package console

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
)

// The contract page's execution (履行): finance records invoices and
// payments and reverses them (红冲), an obligation's owner reports its
// progress and evidence, anyone who may change the contract attaches
// files. Each post is the API's route of the same name through the same
// service; a refusal shows in its section, with what was typed.

// amountField reads an amount typed in major units (30,000.00) in the
// contract's currency, naming field when it is none.
func (p *pages) amountField(c *gin.Context, n, field string) (int64, error) {
	row, err := p.d.Contracts.VisibleRow(c.Request.Context(), currentUser(c), n)
	if err != nil {
		return 0, err
	}
	amount, err := parseAmount(c.PostForm(field), row.Currency)
	if err != nil {
		return 0, domain.InvalidField(field, "must be an amount such as 30,000.00")
	}
	return amount, nil
}

// recordInvoice is POST /v1/contracts/{n}/invoices.
func (p *pages) recordInvoice(c *gin.Context) {
	n := c.Param("number")
	in := contracts.InvoiceInput{MilestoneID: c.PostForm("milestone_id"), InvoiceNumber: strings.TrimSpace(c.PostForm("invoice_number")), IssuedOn: c.PostForm("issued_on")}
	var err error
	if in.Amount, err = p.amountField(c, n, "amount"); err == nil {
		err = api.Validate(&in)
	}
	if err == nil {
		_, err = p.d.Contracts.RecordInvoice(c.Request.Context(), currentUser(c), n, requestID(c), in)
	}
	p.afterActionAt(c, n, "invoice", err, "", "#books")
}

// recordPayment is POST /v1/contracts/{n}/payments.
func (p *pages) recordPayment(c *gin.Context) {
	n := c.Param("number")
	in := contracts.PaymentInput{MilestoneID: c.PostForm("milestone_id"), ReceivedOn: c.PostForm("received_on"),
		Method: strings.TrimSpace(c.PostForm("method")), Reference: strings.TrimSpace(c.PostForm("reference"))}
	var err error
	if in.Amount, err = p.amountField(c, n, "amount"); err == nil {
		err = api.Validate(&in)
	}
	if err == nil {
		_, err = p.d.Contracts.RecordPayment(c.Request.Context(), currentUser(c), n, requestID(c), in)
	}
	p.afterActionAt(c, n, "payment", err, "", "#books")
}

// reverseInvoice is POST /v1/contracts/{n}/invoices/{id}/reversal.
func (p *pages) reverseInvoice(c *gin.Context) {
	n := c.Param("number")
	in := contracts.ReversalInput{Reason: strings.TrimSpace(c.PostForm("reason"))}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Contracts.ReverseInvoice(c.Request.Context(), currentUser(c), n, c.Param("id"), requestID(c), in)
	}
	p.afterActionAt(c, n, "reverse_invoice", err, in.Reason, "#books")
}

// reversePayment is POST /v1/contracts/{n}/payments/{id}/reversal.
func (p *pages) reversePayment(c *gin.Context) {
	n := c.Param("number")
	in := contracts.ReversalInput{Reason: strings.TrimSpace(c.PostForm("reason"))}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Contracts.ReversePayment(c.Request.Context(), currentUser(c), n, c.Param("id"), requestID(c), in)
	}
	p.afterActionAt(c, n, "reverse_payment", err, in.Reason, "#books")
}

// updateObligation is PATCH /v1/contracts/{n}/obligations/{id}: progress
// and a note, or completion with its evidence (an attachment).
func (p *pages) updateObligation(c *gin.Context) {
	n := c.Param("number")
	in := contracts.ObligationUpdateInput{Note: strings.TrimSpace(c.PostForm("note")), EvidenceID: c.PostForm("evidence_id"), Complete: c.PostForm("complete") != ""}
	var err error
	if s := strings.TrimSpace(c.PostForm("progress")); s != "" {
		if in.Progress, err = strconv.Atoi(s); err != nil {
			err = domain.InvalidField("progress", "must be a whole percentage from 0 to 100")
		}
	}
	if in.Complete && in.Progress == 0 {
		in.Progress = 100
	}
	if err == nil {
		err = api.Validate(&in)
	}
	if err == nil {
		_, err = p.d.Contracts.UpdateObligation(c.Request.Context(), currentUser(c), n, c.Param("id"), requestID(c), in)
	}
	p.afterActionAt(c, n, "obligation", err, "", "#obligations")
}

// uploadSlack is room in an upload's body for the form's other fields
// and the multipart framing around the file.
const uploadSlack = 64 << 10

// parseUpload reads an upload's multipart body (bounded by the
// attachment limit) before the form token is checked, which it carries;
// a body past the limit is 413, a body that is no form 400.
func (p *pages) parseUpload(c *gin.Context) {
	limit := p.d.AttachmentMaxBytes
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+uploadSlack)
	if err := c.Request.ParseMultipartForm(8 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			p.fail(c, http.StatusRequestEntityTooLarge, "error.too_large")
			return
		}
		p.fail(c, http.StatusBadRequest, "error.bad_upload")
		return
	}
	c.Next()
}

// attach is POST /v1/contracts/{n}/attachments from a plain form: the
// file, checked and stored as the API stores it.
func (p *pages) attach(c *gin.Context) {
	n := c.Param("number")
	err := func() error {
		fh, err := c.FormFile("file")
		if err != nil {
			return domain.InvalidField("file", "is required")
		}
		if fh.Size > p.d.AttachmentMaxBytes {
			return domain.InvalidField("file", "is larger than "+strconv.FormatInt(p.d.AttachmentMaxBytes, 10)+" bytes")
		}
		name := api.CleanFilename(fh.Filename)
		if name == "" {
			return domain.InvalidField("file", "needs a file name")
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, p.d.AttachmentMaxBytes+1))
		if err != nil {
			return err
		}
		if len(data) == 0 {
			return domain.InvalidField("file", "is empty")
		}
		version := 0
		if v := c.PostForm("version"); v != "" {
			if version, err = strconv.Atoi(v); err != nil || version <= 0 {
				return domain.InvalidField("version", "must be a version of the contract")
			}
		}
		_, err = p.d.Contracts.Attach(c.Request.Context(), currentUser(c), n, version, name, data)
		return err
	}()
	p.afterActionAt(c, n, "attach", err, "", "#attachments")
}

// downloadAttachment is GET /v1/contracts/{n}/attachments/{id}: the file
// as a download, never rendered in the console's origin.
func (p *pages) downloadAttachment(c *gin.Context) {
	a, err := p.d.Contracts.Attachment(c.Request.Context(), currentUser(c), c.Param("number"), c.Param("id"))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-SHA256", a.SHA256)
	c.Data(http.StatusOK, a.ContentType, a.Data)
}
