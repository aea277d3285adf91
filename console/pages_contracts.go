package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
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
	p.showContract(c, http.StatusOK, cp)
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
	cp := contractPage{View: api.ContractViewOf(view), Rounds: api.RoundViewsOf(rounds), Events: api.EventsOf(events)}
	for _, t := range cp.View.Tasks {
		if t.Status == domain.TaskOpen {
			cp.Waiting = append(cp.Waiting, t)
		}
	}
	if cp.Actions, err = p.actionsFor(c, view.Contract); err != nil {
		return contractPage{}, err
	}
	return cp, nil
}

func (p *pages) showContract(c *gin.Context, status int, cp contractPage) {
	v := p.view(c, "contracts", cp)
	v.Title = cp.View.Contract.Number + " " + cp.View.Contract.Title
	p.render(c, status, "contract", v)
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
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", documentPolicy)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Document-SHA256", d.SHA256)
	// Its stylesheet, and a phone's width rather than a desktop's.
	link := `<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/document.css?v=` + p.files["document.css"].version + `">`
	doc := strings.Replace(d.HTML, "</head>", link+"</head>", 1)
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(doc))
}
