package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/workflows"
)

// maxVerifyBytes bounds a document posted to /v1/verify.
const maxVerifyBytes = 32 << 20

func (h *handlers) send(c *gin.Context) {
	var in esign.SendInput
	if err := h.bindOptionalJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	st, err := state(h.d.Signing.Send(c.Request.Context(), currentUser(c), c.Param("number"), c.GetString(requestIDKey), in))
	h.respond(c, http.StatusOK, st, err)
}

func (h *handlers) voidSigning(c *gin.Context) {
	decision(h, func(ctx context.Context, u domain.User, n, id string, _ *gin.Context, in esign.VoidInput) (workflows.ContractState, error) {
		return h.d.Signing.Void(ctx, u, n, id, in)
	})(c)
}

func (h *handlers) signingState(c *gin.Context) {
	st, err := as(toSigningState)(h.d.Signing.SigningState(c.Request.Context(), currentUser(c), c.Param("number")))
	h.respond(c, http.StatusOK, st, err)
}

func (h *handlers) resendLink(c *gin.Context) {
	l, err := as(toLinkResent)(h.d.Signing.ResendLink(c.Request.Context(), currentUser(c), c.Param("number"), c.Param("id"), c.GetString(requestIDKey)))
	h.respond(c, http.StatusAccepted, l, err)
}

// signAsUser is a company signer's signature, made signed in.
func (h *handlers) signAsUser(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in esign.SignInInput) (SignResult, error) {
		return as(toSignResult)(h.d.Signing.SignAsUser(ctx, u, c.Param("number"), c.Param("id"), c.GetString(requestIDKey), in, clientOf(c)))
	})(c)
}

func (h *handlers) declineAsUser(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in esign.DeclineInput) (SignResult, error) {
		return as(toSignResult)(h.d.Signing.DeclineAsUser(ctx, u, c.Param("number"), c.Param("id"), c.GetString(requestIDKey), in, clientOf(c)))
	})(c)
}

func (h *handlers) replaceSigner(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, c *gin.Context, in esign.ReplaceSignerInput) (SigningState, error) {
		return as(toSigningState)(h.d.Signing.ReplaceSigner(ctx, u, c.Param("number"), c.Param("id"), c.GetString(requestIDKey), in))
	})(c)
}

func (h *handlers) signingKey(c *gin.Context) {
	keys, err := h.d.Signing.SigningKeys()
	h.respond(c, http.StatusOK, toSigningKeys(keys), err)
}

func (h *handlers) openLink(c *gin.Context) {
	if h.d.SignPages != nil {
		// One URL, two representations: caches must tell them apart.
		c.Header("Vary", "Accept")
		if prefersHTML(c.GetHeader("Accept")) {
			h.d.SignPages.Open(c)
			return
		}
	}
	v, err := as(toSignView)(h.d.Signing.OpenLink(c.Request.Context(), c.Param("token"), c.GetString(requestIDKey), clientOf(c)))
	noStore(c)
	h.respond(c, http.StatusOK, v, err)
}

func (h *handlers) signLink(c *gin.Context) {
	if h.d.SignPages != nil && isForm(c) {
		h.d.SignPages.Sign(c)
		return
	}
	var in esign.SignLinkInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	res, err := as(toSignResult)(h.d.Signing.SignLink(c.Request.Context(), c.Param("token"), c.GetString(requestIDKey), in, clientOf(c)))
	noStore(c)
	h.respond(c, http.StatusOK, res, err)
}

func (h *handlers) declineLink(c *gin.Context) {
	if h.d.SignPages != nil && isForm(c) {
		h.d.SignPages.Decline(c)
		return
	}
	var in esign.DeclineInput
	if err := h.bindJSON(c, &in); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	res, err := as(toSignResult)(h.d.Signing.DeclineLink(c.Request.Context(), c.Param("token"), c.GetString(requestIDKey), in, clientOf(c)))
	noStore(c)
	h.respond(c, http.StatusOK, res, err)
}

func (h *handlers) sendCode(c *gin.Context) {
	if h.d.SignPages != nil && isForm(c) {
		h.d.SignPages.Code(c)
		return
	}
	sent, err := as(toCodeSent)(h.d.Signing.SendCode(c.Request.Context(), c.Param("token"), c.GetString(requestIDKey)))
	noStore(c)
	h.respond(c, http.StatusAccepted, sent, err)
}

// linkPDF serves a link's holder the contract's PDF, the file the
// contract's document route serves as PDF, while the link works or
// shortly after signing through it (esign.LinkPDF).
func (h *handlers) linkPDF(c *gin.Context) {
	file, sum, number, err := h.d.Signing.LinkPDF(c.Request.Context(), c.Param("token"))
	noStore(c)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Header("X-Document-SHA256", sum)
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": number + ".pdf"}))
	c.Data(http.StatusOK, "application/pdf", file)
}

// prefersHTML reads an Accept header as a browser sends it: text/html
// ahead of (or without) application/json. An absent header, */* alone or
// JSON first keeps the JSON API clients have always had.
func prefersHTML(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		fields := strings.Split(part, ";")
		refused := false
		for _, p := range fields[1:] {
			if k, v, _ := strings.Cut(strings.TrimSpace(p), "="); strings.EqualFold(k, "q") {
				q, err := strconv.ParseFloat(v, 64)
				refused = err != nil || q <= 0
			}
		}
		if refused {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(fields[0])) {
		case "text/html", "application/xhtml+xml":
			return true
		case "application/json":
			return false
		}
	}
	return false
}

// isForm is a plain HTML form's post from a browser (the signing page
// without script): form-encoded and asking for HTML. curl -d sends the
// same content type with Accept */*, and API clients get the JSON API.
func isForm(c *gin.Context) bool {
	ct := c.ContentType()
	return (ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data") && prefersHTML(c.GetHeader("Accept"))
}

func clientOf(c *gin.Context) esign.Client {
	return esign.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

// noStore keeps a signing page (and its token-bearing URL) out of caches.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
}

// bindOptionalJSON is bindJSON for a body the client may leave out.
func (h *handlers) bindOptionalJSON(c *gin.Context, dst any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		return decodeError(err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(raw))
	return h.bindJSON(c, dst)
}

// certificate serves a version's sealed certificate as JSON or as a page.
func (h *handlers) certificate(c *gin.Context) {
	bad := &domain.ValidationError{}
	version := 0
	if v := c.Query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			bad.Add("version", "must be a version number")
		}
		version = n
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "html" {
		bad.Add("format", "must be one of: json, html")
	}
	for k := range c.Request.URL.Query() {
		if k != "version" && k != "format" {
			bad.Add(k, "is not a parameter of this route")
		}
	}
	if len(bad.Fields) > 0 {
		writeError(c, h.d.Logger, bad)
		return
	}
	cert, err := h.d.Signing.Certificate(c.Request.Context(), currentUser(c), c.Param("number"), version)
	if err != nil || format == "json" {
		h.respond(c, http.StatusOK, toCertificate(cert), err)
		return
	}
	page, err := eseal.RenderCertificateHTML(cert, h.d.Location)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
}

// verify takes a JSON body (a hash or a certificate), a PDF (as
// application/pdf, or the field "file" of a multipart form) whose embedded
// signatures it checks, or the document itself as any other content type.
func (h *handlers) verify(c *gin.Context) {
	var in esign.VerifyInput
	if strings.HasPrefix(c.ContentType(), "application/json") {
		if err := h.bindJSON(c, &in); err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		res, err := as(toVerifyResult)(h.d.Signing.Verify(c.Request.Context(), in))
		h.respond(c, http.StatusOK, res, err)
		return
	}
	raw, err := readVerifyBody(c)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	// A PDF is known by its header whatever the client called it.
	if c.ContentType() == "application/pdf" || bytes.HasPrefix(raw, []byte("%PDF-")) {
		res, err := as(toVerifyResult)(h.d.Signing.VerifyPDF(c.Request.Context(), raw))
		h.respond(c, http.StatusOK, res, err)
		return
	}
	in.DocumentSHA256 = esign.DocumentHash(raw)
	res, err := as(toVerifyResult)(h.d.Signing.Verify(c.Request.Context(), in))
	h.respond(c, http.StatusOK, res, err)
}

// readVerifyBody reads what /v1/verify was sent, up to maxVerifyBytes
// (413 past it): the body, or a multipart form's "file".
func readVerifyBody(c *gin.Context) ([]byte, error) {
	body := io.Reader(http.MaxBytesReader(c.Writer, c.Request.Body, maxVerifyBytes))
	if c.ContentType() == "multipart/form-data" {
		_, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
		if err != nil || params["boundary"] == "" {
			return nil, fieldError("body", "a multipart form needs its boundary")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart()
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, errTooLarge
			} else if err != nil {
				return nil, fieldError("file", "send the document as the form's field file")
			}
			if part.FormName() == "file" {
				body = part
				break
			}
		}
	}
	raw, err := io.ReadAll(body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errTooLarge
	case err != nil:
		return nil, fieldError("body", "could not be read")
	case len(raw) == 0:
		return nil, fieldError("body", "send a document, a PDF, its SHA-256 or a certificate")
	}
	return raw, nil
}

// providerWebhook applies an external provider's callback: signature and
// timestamp first (401, nothing read further), then once per delivery ID.
func (h *handlers) providerWebhook(c *gin.Context) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		writeError(c, h.d.Logger, decodeError(err))
		return
	}
	auth := esign.WebhookAuth{
		Signature:  c.GetHeader(esign.WebhookSignatureHeader),
		Timestamp:  c.GetHeader(esign.WebhookTimestampHeader),
		DeliveryID: c.GetHeader(esign.WebhookDeliveryHeader),
	}
	switch err := h.d.Signing.VerifyCallback(auth, body); {
	case errors.Is(err, esign.ErrNoProvider):
		writeError(c, h.d.Logger, errNoRoute)
		return
	case err != nil:
		h.d.Logger.Warn("provider webhook refused", "delivery", auth.DeliveryID, "err", err)
		writeError(c, h.d.Logger, errBadWebhookSignature)
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	var cb esign.ProviderCallback
	if err := h.bindJSON(c, &cb); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	dup, err := h.d.Signing.ApplyCallback(c.Request.Context(), auth.DeliveryID, cb)
	h.respond(c, http.StatusAccepted, WebhookReceipt{DeliveryID: auth.DeliveryID, Duplicate: dup}, err)
}
