package console

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/reports"
)

// The reports (报表): the summary with its chart, receivables aging,
// approval cycle times and the renewal pipeline, each what
// GET /v1/reports/{name} answers, with its filters in the URL and its
// download (CSV, XLSX) from the same handler as the API's.

// reportViews are the report pages in the order of their tabs.
var reportViews = []string{"summary", "aging", "approval-cycle", "renewals"}

// reportRoles is who may read report name: the API route's roles (nil:
// anyone signed in), so a page never shows what the API would refuse.
func reportRoles(name string) (roles []domain.Role, ok bool) {
	for _, rt := range api.Routes() {
		if rt.Method == http.MethodGet && rt.Path == "/v1/reports/"+name {
			return rt.Roles, true
		}
	}
	return nil, false
}

func mayRead(u domain.User, name string) bool {
	roles, ok := reportRoles(name)
	return ok && (len(roles) == 0 || slices.ContainsFunc(roles, u.Actor().Has))
}

// reportsPage is one report's page.
type reportsPage struct {
	View  string
	Views []string
	// CSV, XLSX and Chart are the report's downloads with its parameters.
	CSV, XLSX, Chart string
	Dimensions       []string
	Summary          *api.Summary
	SummaryQ         reports.SummaryQuery
	Aging            *api.Aging
	AgingQ           reports.AgingQuery
	Cycle            *api.Cycle
	CycleQ           reports.CycleQuery
	Renewals         *api.Renewals
	RenewalsQ        reports.RenewalQuery
}

// reportsHome shows the report the tab names (GET /reports?view=…).
func (p *pages) reportsHome(c *gin.Context) {
	u := currentUser(c)
	view := c.DefaultQuery("view", "")
	var views []string
	for _, v := range reportViews {
		if mayRead(u, v) {
			views = append(views, v)
		}
	}
	if view == "" && len(views) > 0 {
		view = views[0]
	}
	if !slices.Contains(views, view) {
		p.notFound(c)
		return
	}
	rp := reportsPage{View: view, Views: views, Dimensions: []string{reports.DimMonth, reports.DimCustomer, reports.DimOwner, reports.DimProductLine, reports.DimStatus}}
	q := c.Request.URL.Query()
	q.Del("view")
	ctx := c.Request.Context()
	var err error
	switch view {
	case "summary":
		var in struct {
			View string `form:"view"`
			reports.SummaryQuery
		}
		if err = api.BindQuery(c, &in); err == nil && in.Format == "" {
			if in.GroupBy == "" {
				in.GroupBy = reports.DimMonth
				q.Set("group_by", in.GroupBy)
			}
			var s reports.Summary
			if s, err = p.d.Reports.Summary(ctx, u, in.SummaryQuery); err == nil {
				out := api.SummaryOf(s)
				rp.Summary, rp.SummaryQ = &out, in.SummaryQuery
			}
		} else if err == nil {
			err = formatElsewhere()
		}
	case "aging":
		var in struct {
			View string `form:"view"`
			reports.AgingQuery
		}
		if err = api.BindQuery(c, &in); err == nil && in.Format == "" {
			var a reports.Aging
			if a, err = p.d.Reports.Aging(ctx, u, in.AgingQuery); err == nil {
				out := api.AgingOf(a)
				rp.Aging, rp.AgingQ = &out, in.AgingQuery
			}
		} else if err == nil {
			err = formatElsewhere()
		}
	case "approval-cycle":
		var in struct {
			View string `form:"view"`
			reports.CycleQuery
		}
		if err = api.BindQuery(c, &in); err == nil && in.Format == "" {
			var cy reports.Cycle
			if cy, err = p.d.Reports.ApprovalCycle(ctx, u, in.CycleQuery); err == nil {
				out := api.CycleOf(cy)
				rp.Cycle, rp.CycleQ = &out, in.CycleQuery
			}
		} else if err == nil {
			err = formatElsewhere()
		}
	case "renewals":
		var in struct {
			View string `form:"view"`
			reports.RenewalQuery
		}
		if err = api.BindQuery(c, &in); err == nil && in.Format == "" {
			var r reports.Renewals
			if r, err = p.d.Reports.Renewals(ctx, u, in.RenewalQuery); err == nil {
				out := api.RenewalsOf(r)
				rp.Renewals, rp.RenewalsQ = &out, in.RenewalQuery
			}
		} else if err == nil {
			err = formatElsewhere()
		}
	}
	if err != nil {
		p.serviceError(c, err)
		return
	}
	download := func(name, format string) string {
		f := url.Values{}
		for k, vs := range q {
			f[k] = vs
		}
		if format != "" {
			f.Set("format", format)
		}
		return "/reports/download/" + name + "?" + f.Encode()
	}
	rp.CSV, rp.XLSX, rp.Chart = download(view, "csv"), download(view, "xlsx"), download("summary.svg", "")
	v := p.view(c, "reports", rp)
	v.Title = v.T("reports.title")
	p.render(c, http.StatusOK, "reports", v)
}

func formatElsewhere() error {
	return domain.InvalidField("format", "is taken by the download links (/reports/download/…), not this page")
}

// reportDownload serves a report's file or chart (GET
// /reports/download/{name}?format=csv|xlsx, summary.svg) through the
// API's own handler, as the visitor, with its roles.
func (p *pages) reportDownload(c *gin.Context) {
	name := c.Param("name")
	h, ok := p.d.Downloads[name]
	if !ok || !mayRead(currentUser(c), name) {
		p.notFound(c)
		return
	}
	api.SetUser(c, currentUser(c))
	h(c)
	c.Abort()
}
