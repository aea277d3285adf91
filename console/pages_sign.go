package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
)

// The signing link's pages: what a customer's signer sees at the link
// mailed to them. The API owns /sign/{token} and hands a browser's
// requests here (api.SignPages): the page for a GET that prefers HTML,
// and the page's plain form posts. The checks are the esign service's,
// exactly as for the JSON routes.

// SignPages serves the signing links to browsers; the API is given it in
// its Deps (api.Deps.SignPages).
func (cs *Console) SignPages() api.SignPages { return signPages{cs.p} }

type signPages struct{ p *pages }

// signPage is the signing page's data.
type signPage struct {
	Token string
	View  esign.SignView
	Link  esign.LinkPage
	// Capital is the amount in 大写 (CNY only).
	Capital string
	// RequestID makes a resubmitted form (a double click, a retry) one
	// signature.
	RequestID string
	// What was typed, and why it was refused, shown in place.
	Name, Reason string
	Consent      bool
	Refusal      string
	Errors       []api.FieldError
	// CodeSent is where the code just went.
	CodeSent *esign.CodeSent
}

// signGone is the page of a link that no longer works.
type signGone struct {
	Link esign.LinkPage
}

// signDone is the page after signing or declining.
type signDone struct {
	Link     esign.LinkPage
	Declined bool
	Result   esign.SignResult
	// Token names the link, for the signed PDF's download.
	Token string
}

// Complete says the round ended with every signature: the signed PDF is
// the one to download now.
func (d signDone) Complete() bool { return !d.Declined && d.Result.Outcome == "signed" }

// maxSignFormBytes bounds a signing page's post: a drawn signature of up
// to esign.SignatureImageMaxBytes, base64 in a data URL, and the rest.
const maxSignFormBytes = esign.SignatureImageMaxBytes*4/3 + maxFormBytes

// start gives a link's page the console's headers and the visitor's
// language; a post must come from the page itself (CrossOriginProtection:
// the token in the URL is the only credential, so no session token).
func (s signPages) start(c *gin.Context) bool {
	p := s.p
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", pagePolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept, Accept-Language, HX-Request")
	c.Set(langKey, pickLanguage("", c.GetHeader("Accept-Language")))
	if c.Request.Method != http.MethodGet {
		if err := p.cop.Check(c.Request); err != nil {
			p.fail(c, http.StatusForbidden, "error.csrf")
			return false
		}
		if c.Request.Body != nil {
			// The sign form may carry a drawn signature as a data URL.
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxSignFormBytes)
		}
	}
	return true
}

func clientOf(c *gin.Context) esign.Client {
	return esign.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

func (s signPages) Open(c *gin.Context) {
	if !s.start(c) {
		return
	}
	ctx, token := c.Request.Context(), c.Param("token")
	lp, err := s.p.d.Signing.LinkPage(ctx, token)
	if err != nil {
		s.p.serviceError(c, err)
		return
	}
	if lp.State != "active" {
		s.gone(c, lp)
		return
	}
	v, err := s.p.d.Signing.OpenLink(ctx, token, c.Writer.Header().Get(api.RequestIDHeader), clientOf(c))
	if err != nil {
		s.refused(c, token, err)
		return
	}
	s.show(c, http.StatusOK, signPage{Token: token, View: v, Link: lp})
}

func (s signPages) Sign(c *gin.Context) {
	if !s.start(c) {
		return
	}
	token := c.Param("token")
	in := esign.SignLinkInput{SignerName: strings.TrimSpace(c.PostForm("signer_name")), Consent: c.PostForm("consent") != "", Code: strings.TrimSpace(c.PostForm("code")),
		SignatureImage: strings.TrimSpace(c.PostForm("signature_image")), ReadToEnd: c.PostForm("read_to_end") != ""}
	form := signPage{Name: in.SignerName, Consent: in.Consent}
	err := api.Validate(&in)
	var res esign.SignResult
	if err == nil {
		res, err = s.p.d.Signing.SignLink(c.Request.Context(), token, s.requestID(c), in, clientOf(c))
	}
	if err != nil {
		s.again(c, token, form, err)
		return
	}
	s.done(c, token, signDone{Result: res})
}

func (s signPages) Decline(c *gin.Context) {
	if !s.start(c) {
		return
	}
	token := c.Param("token")
	in := esign.DeclineInput{Reason: strings.TrimSpace(c.PostForm("reason"))}
	err := api.Validate(&in)
	var res esign.SignResult
	if err == nil {
		res, err = s.p.d.Signing.DeclineLink(c.Request.Context(), token, s.requestID(c), in, clientOf(c))
	}
	if err != nil {
		s.again(c, token, signPage{Reason: in.Reason}, err)
		return
	}
	s.done(c, token, signDone{Declined: true, Result: res})
}

func (s signPages) Code(c *gin.Context) {
	if !s.start(c) {
		return
	}
	token := c.Param("token")
	sent, err := s.p.d.Signing.SendCode(c.Request.Context(), token, s.requestID(c))
	if err != nil {
		s.again(c, token, signPage{}, err)
		return
	}
	s.again(c, token, signPage{CodeSent: &sent}, nil)
}

func (s signPages) requestID(c *gin.Context) string { return formRequestID(c) }

// again shows the page once more after a post: what was typed, and the
// refusal (err) in place with its status.
func (s signPages) again(c *gin.Context, token string, form signPage, err error) {
	status := http.StatusOK
	if err != nil {
		var body api.ErrorBody
		status, body = api.ErrorStatus(err)
		if status == http.StatusNotFound || status == http.StatusGone || status >= 500 {
			s.refused(c, token, err)
			return
		}
		if later := (*domain.RetryLater)(nil); errors.As(err, &later) {
			c.Header("Retry-After", strconv.Itoa(max(1, int(later.After.Round(time.Second)/time.Second))))
		}
		form.Errors = body.Fields
		if len(body.Fields) == 0 {
			form.Refusal = body.Message
		}
	}
	ctx := c.Request.Context()
	lp, lerr := s.p.d.Signing.LinkPage(ctx, token)
	if lerr != nil {
		s.p.serviceError(c, lerr)
		return
	}
	if lp.State != "active" {
		s.gone(c, lp)
		return
	}
	v, lerr := s.p.d.Signing.LinkView(ctx, token)
	if lerr != nil {
		s.refused(c, token, lerr)
		return
	}
	form.Token, form.View, form.Link = token, v, lp
	s.show(c, status, form)
}

// refused answers an error that leaves no form to show: a link that no
// longer works gets its page, anything else the console's error page.
func (s signPages) refused(c *gin.Context, token string, err error) {
	if errors.Is(err, domain.ErrGone) {
		if lp, lerr := s.p.d.Signing.LinkPage(c.Request.Context(), token); lerr == nil && lp.State != "active" {
			s.gone(c, lp)
			return
		}
	}
	s.p.serviceError(c, err)
}

func (s signPages) show(c *gin.Context, status int, sp signPage) {
	if sp.RequestID == "" {
		sp.RequestID = uuid.NewString()
	}
	if sp.Link.Amount.Currency == "CNY" {
		sp.Capital = domain.CapitalCNY(sp.Link.Amount.Amount)
	}
	v := s.p.view(c, "", sp)
	v.Title = v.T("sign.title", sp.View.ContractNumber)
	s.p.render(c, status, "sign", v)
}

func (s signPages) gone(c *gin.Context, lp esign.LinkPage) {
	v := s.p.view(c, "", signGone{Link: lp})
	v.Title = v.T("sign.gone." + lp.State)
	s.p.render(c, http.StatusGone, "signgone", v)
}

func (s signPages) done(c *gin.Context, token string, d signDone) {
	// The link is used now; what it was for is still worth showing.
	if lp, err := s.p.d.Signing.LinkPage(c.Request.Context(), token); err == nil {
		d.Link = lp
	}
	d.Token = token
	v := s.p.view(c, "", d)
	v.Title = v.T("sign.done")
	s.p.render(c, http.StatusOK, "signdone", v)
}

// signDocument serves an active link's document for the page's sandboxed
// frame, as the console's document route does.
func (p *pages) signDocument(c *gin.Context) {
	d, err := p.d.Signing.LinkDocument(c.Request.Context(), c.Param("token"))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", signFramePolicy)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Document-SHA256", d.SHA256)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	head := `<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/document.css?v=` + p.files["document.css"].version + `">`
	script := `<script src="/static/signframe.js?v=` + p.files["signframe.js"].version + `"></script>`
	doc := strings.Replace(d.HTML, "</head>", head+"</head>", 1)
	if strings.Contains(doc, "</body>") {
		doc = strings.Replace(doc, "</body>", script+"</body>", 1)
	} else {
		doc += script
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(doc))
}

// signFramePolicy is the signing page's document frame's: the console's
// document policy with one script of its own (signframe.js: tell the page
// the document was read to its end, take its zoom), in a sandbox that
// allows scripts but never the page's origin, so the script reaches the
// page only by postMessage.
const signFramePolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src data:; form-action 'none'; " +
	"frame-ancestors 'self'; base-uri 'none'; sandbox allow-scripts"

// Until is how long until t, for a cooldown: "45 秒".
func (v *view) Until(t *time.Time) string {
	if t == nil {
		return ""
	}
	d := t.Sub(v.now)
	if d < time.Minute {
		return v.T("dur.seconds", max(1, int(d.Round(time.Second)/time.Second)))
	}
	return v.duration(d)
}

// CanSend says another code may be sent now.
func (v *view) CanSend(lp esign.LinkPage) bool {
	return lp.CodesLeft != 0 && (lp.NextCodeAt == nil || !lp.NextCodeAt.After(v.now))
}
