package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/reports"
)

// ledgerPage is 合同台账: the ledger with the filters, sort and page the
// URL holds, as GET /v1/reports/ledger answers them.
type ledgerPage struct {
	Page     api.LedgerPage
	Query    reports.LedgerQuery
	Statuses []domain.Status
	Sorts    []string
	// Next is the next page's URL (the same filters and the cursor).
	Next string
	// First is the first page's URL, once past it.
	First string
	// CSV and XLSX download every row the filters select (the API's
	// export, through /reports/download/ledger).
	CSV, XLSX string
}

// ledgerSorts are the sorts the form offers (the API takes any column).
var ledgerSorts = []string{"-number", "number", "-amount", "amount", "-signed_at", "end_date", "-outstanding", "customer"}

func (p *pages) ledger(c *gin.Context) {
	var q reports.LedgerQuery
	if err := api.BindQuery(c, &q); err != nil {
		p.serviceError(c, err)
		return
	}
	// The page is a page; downloads are the API's (?format= there).
	if q.Format != "" {
		p.serviceError(c, domain.InvalidField("format", "is taken by GET /v1/reports/ledger, not this page"))
		return
	}
	page, err := p.d.Reports.Ledger(c.Request.Context(), currentUser(c), q)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	lp := ledgerPage{Page: api.LedgerPageOf(page), Query: q, Statuses: domain.Statuses, Sorts: ledgerSorts}
	if q.Cursor != "" {
		first := c.Request.URL.Query()
		first.Del("cursor")
		lp.First = "/contracts?" + first.Encode()
	}
	if page.NextCursor != "" {
		next := c.Request.URL.Query()
		next.Set("cursor", page.NextCursor)
		lp.Next = "/contracts?" + next.Encode()
	}
	for _, f := range []struct {
		format string
		into   *string
	}{{"csv", &lp.CSV}, {"xlsx", &lp.XLSX}} {
		all := c.Request.URL.Query()
		all.Del("cursor")
		all.Set("format", f.format)
		*f.into = "/reports/download/ledger?" + all.Encode()
	}
	v := p.view(c, "contracts", lp)
	v.Title = v.T("nav.contracts")
	p.render(c, http.StatusOK, "ledger", v)
}

// contractPage is one contract: where it stands, its route and
// opinions, its signers, its payment plan, its timeline, and the actions
// the visitor may take on it.
type contractPage struct {
	View   api.ContractView
	Rounds []api.RoundView
	Events []api.Event
	// Waiting is the open tasks: where the contract waits, on whom.
	Waiting []api.ApprovalTask
	Actions contractActions
	// Mine are the signers of the open round the visitor signs as (the
	// company's authorised signatory), with the signing form's state.
	Mine []api.SignerState
	Sign signForm
	// Seals are the company seals the visitor may apply with their
	// signature (only read when they have one to make).
	Seals []api.CompanySeal
	// Timers are the live state's next timers (the workflow's query).
	Timers []api.Timer
	// Versions are the contract's versions; Compare the comparison the
	// visitor asked for (?from=&to=), Shown the text of one (?version=).
	Versions []api.VersionInfo
	Compare  *versionCompare
	Shown    *api.VersionView
	// Books are the invoices and payments, for the roles that read
	// receivables (the API's books roles); nil for the others.
	Books *contractBooks
	// Attachments are the contract's files.
	Attachments []api.Attachment
	// Reports are the obligations the visitor may report on, by ID.
	Reports map[string]bool
	// Today is today's date in the configured zone, for the forms.
	Today string
	// Plan and Obligations are the live state's (with what was invoiced,
	// received and reported), else the recorded row's.
	Plan        []api.Milestone
	Obligations []api.Obligation
}

// versionCompare is two versions compared, or why they cannot be.
type versionCompare struct {
	From, To   int
	Comparison api.Comparison
	Error      string
}

// contractBooks are a contract's invoices and payments, reversals beside
// the originals.
type contractBooks struct {
	Invoices []api.Invoice
	Payments []api.Payment
}

// Milestone is the payment plan's milestone id's sequence number.
func (cp contractPage) Milestone(id string) int {
	for _, m := range cp.Plan {
		if m.ID == id {
			return m.Seq
		}
	}
	return 0
}

// signForm is the company signer's 签署 / 拒签 form: what was typed and
// why it was refused.
type signForm struct {
	RequestID string
	// SealID is the seal chosen (kept when the signature is refused).
	SealID  string
	Reason  string
	Refusal string
	Errors  []api.FieldError
}

func (p *pages) contract(c *gin.Context) {
	cp, err := p.loadContract(c, c.Param("number"))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	if c.Query("created") != "" {
		cp.Actions.Done = "created"
	} else if done := c.Query("done"); slices.Contains(contractActionNames, done) {
		cp.Actions.Done = done
	}
	status := http.StatusOK
	if q := c.Request.URL.Query(); cp.Compare != nil && cp.Compare.Error != "" && (q.Has("from") || q.Has("to")) {
		// Versions that cannot be compared are bad input, named in place.
		status = http.StatusBadRequest
	}
	p.showContract(c, status, cp)
}

func (p *pages) loadContract(c *gin.Context, n string) (contractPage, error) {
	ctx, u := c.Request.Context(), currentUser(c)
	view, err := p.d.Contracts.Get(ctx, u, n)
	if err != nil {
		return contractPage{}, err
	}
	// Get has checked the visitor may read the contract.
	rounds, err := p.d.Approvals.Why(ctx, n)
	if err != nil {
		return contractPage{}, err
	}
	events, err := p.d.Contracts.Events(ctx, u, n)
	if err != nil {
		return contractPage{}, err
	}
	cp := contractPage{View: api.ContractViewOf(view), Rounds: api.RoundViewsOf(rounds), Events: api.EventsOf(events), Sign: signForm{RequestID: uuid.NewString()}}
	for _, t := range cp.View.Tasks {
		if t.Status == domain.TaskOpen {
			cp.Waiting = append(cp.Waiting, t)
		}
	}
	if sg := cp.View.Signing; sg != nil && sg.Outcome == "" {
		for _, s := range sg.Signers {
			if s.UserID != "" && s.UserID == u.ID && s.Status == domain.SignerOpen {
				cp.Mine = append(cp.Mine, s)
			}
		}
	}
	if len(cp.Mine) > 0 {
		seals, err := p.d.Signing.MySeals(ctx, u)
		if err != nil {
			return contractPage{}, err
		}
		cp.Seals = sealViews(seals)
	}
	if cp.Actions, err = p.actionsFor(c, view.Contract); err != nil {
		return contractPage{}, err
	}
	if err := p.loadMore(c, &cp); err != nil {
		return contractPage{}, err
	}
	return cp, nil
}

// loadMore reads the rest of the contract page: timers, versions (and a
// comparison or a version asked for), the books, the attachments, and
// which obligations the visitor reports on.
func (p *pages) loadMore(c *gin.Context, cp *contractPage) error {
	ctx, u, n := c.Request.Context(), currentUser(c), cp.View.Contract.Number
	cp.Today = time.Now().In(p.d.Location).Format(domain.DateLayout)
	cp.Plan, cp.Obligations = cp.View.Contract.Plan, cp.View.Contract.Obligations
	if live := cp.View.Live; live != nil {
		cp.Timers = live.NextTimers
		cp.Plan, cp.Obligations = live.Contract.Plan, live.Contract.Obligations
	}
	versions, err := p.d.Contracts.Versions(ctx, u, n)
	if err != nil {
		return err
	}
	cp.Versions = api.VersionInfosOf(versions)
	q := c.Request.URL.Query()
	if q.Has("from") || q.Has("to") {
		cp.Compare = p.compare(c, n, q.Get("from"), q.Get("to"))
	} else if len(cp.Versions) > 1 {
		// The latest change by default: the version before against this.
		last := cp.Versions[len(cp.Versions)-1].Version
		for _, v := range cp.Versions {
			last = max(last, v.Version)
		}
		cp.Compare = p.compare(c, n, strconv.Itoa(last-1), strconv.Itoa(last))
	}
	if s := q.Get("version"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v >= 1 && v <= domain.MaxVersion {
			vv, err := p.d.Contracts.Version(ctx, u, n, v)
			if err == nil {
				shown := api.VersionViewOf(vv)
				cp.Shown = &shown
			} else if !errors.Is(err, domain.ErrNotFound) {
				return err
			}
		}
	}
	if mayReadLedger(u) {
		inv, err := p.d.Contracts.Invoices(ctx, u, n)
		if err != nil {
			return err
		}
		pay, err := p.d.Contracts.Payments(ctx, u, n)
		if err != nil {
			return err
		}
		cp.Books = &contractBooks{Invoices: api.InvoicesOf(inv), Payments: api.PaymentsOf(pay)}
	}
	att, err := p.d.Contracts.Attachments(ctx, u, n)
	if err != nil {
		return err
	}
	cp.Attachments = api.AttachmentsOf(att)
	// The workflow's rule: the obligation's owner, or whoever manages the
	// contract; on a signed contract, while the obligation is open.
	cp.Reports = map[string]bool{}
	row := cp.View.Contract
	if row.Status.Signed() && !slices.Contains(u.Actor().Roles, domain.RoleAuditor) {
		for _, o := range cp.Obligations {
			if o.CompletedAt == nil && (o.OwnerID == u.ID || (u.Sees(row.OwnerID) && (row.OwnerID == u.ID || u.Actor().Has(domain.RoleSalesManager)))) {
				cp.Reports[o.ID] = true
			}
		}
	}
	return nil
}

// compare is versions from and to of contract n compared, as GET
// /v1/contracts/{n}/diff answers, or why not (shown in place).
func (p *pages) compare(c *gin.Context, n, from, to string) *versionCompare {
	vc := &versionCompare{}
	var err1, err2 error
	vc.From, err1 = strconv.Atoi(from)
	vc.To, err2 = strconv.Atoi(to)
	in := contracts.DiffInput{From: vc.From, To: vc.To}
	if err1 != nil || err2 != nil {
		vc.Error = "from and to must be version numbers"
		return vc
	}
	if err := api.Validate(&in); err != nil {
		_, body := api.ErrorStatus(err)
		vc.Error = body.Message
		for _, f := range body.Fields {
			vc.Error = f.Field + " " + f.Message
		}
		return vc
	}
	cmp, err := p.d.Contracts.Diff(c.Request.Context(), currentUser(c), n, in)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			vc.Error = "no such version"
		} else {
			_, body := api.ErrorStatus(err)
			vc.Error = body.Message
		}
		return vc
	}
	vc.Comparison = api.ComparisonOf(cmp)
	return vc
}

func (p *pages) showContract(c *gin.Context, status int, cp contractPage) {
	v := p.view(c, "contracts", cp)
	v.Title = cp.View.Contract.Number + " " + cp.View.Contract.Title
	if c.Query("signed") != "" {
		v.Flash = "contract.signed_flash"
	}
	p.render(c, status, "contract", v)
}

// signAsUser is the company signer's 签署, exactly as POST
// /v1/contracts/{n}/signers/{id}/sign; a refusal shows on the page.
func (p *pages) signAsUser(c *gin.Context) {
	in := esign.SignInInput{Consent: c.PostForm("consent") != "", SealID: c.PostForm("seal_id")}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Signing.SignAsUser(c.Request.Context(), currentUser(c), c.Param("number"), c.Param("id"), formRequestID(c), in, clientOf(c))
	}
	p.afterSigning(c, signForm{SealID: in.SealID}, err)
}

// declineAsUser is 拒签 with a reason, as POST …/signers/{id}/decline.
func (p *pages) declineAsUser(c *gin.Context) {
	in := esign.DeclineInput{Reason: strings.TrimSpace(c.PostForm("reason"))}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Signing.DeclineAsUser(c.Request.Context(), currentUser(c), c.Param("number"), c.Param("id"), formRequestID(c), in, clientOf(c))
	}
	p.afterSigning(c, signForm{Reason: in.Reason}, err)
}

func (p *pages) afterSigning(c *gin.Context, form signForm, err error) {
	n := c.Param("number")
	if err == nil {
		p.redirect(c, "/contracts/"+url.PathEscape(n)+"?signed=1")
		return
	}
	cp, status, body, ok := p.refusedOnContract(c, n, err)
	if !ok {
		return
	}
	form.RequestID, form.Errors = uuid.NewString(), body.Fields
	if len(body.Fields) == 0 {
		form.Refusal = body.Message
	}
	cp.Sign = form
	p.showContract(c, status, cp)
}

// formRequestID is the form's request ID (a form posted twice is one
// request), else a fresh one.
func formRequestID(c *gin.Context) string {
	if id := c.PostForm("request_id"); api.ValidRequestID(id) {
		return id
	}
	return uuid.NewString()
}

// document serves a contract's rendered document (Signet's own escaped
// rendering) for a sandboxed frame: no script may run in it even if
// something slipped through, and only the console may frame it.
func (p *pages) document(c *gin.Context) {
	d, err := p.d.Contracts.Document(c.Request.Context(), currentUser(c), c.Param("number"))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	p.documentFrame(c, d.SHA256, d.HTML)
}

// documentFrame writes a rendered document for a sandboxed frame.
func (p *pages) documentFrame(c *gin.Context, sha256, html string) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", documentPolicy)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Document-SHA256", sha256)
	// Its stylesheet, and a phone's width rather than a desktop's.
	link := `<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/document.css?v=` + p.files["document.css"].version + `">`
	doc := strings.Replace(html, "</head>", link+"</head>", 1)
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(doc))
}
