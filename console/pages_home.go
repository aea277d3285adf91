package console

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/internal/reports"
	"github.com/signet-clm/signet/internal/store"
)

// homePage is 工作台: what waits for the visitor and what is happening to
// the contracts they see.
type homePage struct {
	Tasks api.Inbox
	// ByStatus is the visitor's contracts by status, when their role reads
	// the figures (as GET /v1/reports/summary allows).
	ByStatus []api.SummaryRow
	Figures  bool
	Expiring api.Renewals
	Events   []api.Event
	// ToSign is what waits for the visitor's signature (待我签署).
	ToSign []store.ToSign
}

// homeTasks and homeEvents are how many of each the home page lists.
const (
	homeTasks  = 10
	homeEvents = 15
	// homeExpiring is how many of the contracts ending soon the home page
	// lists (the counts are of all of them; the report lists every one).
	homeExpiring = 10
)

func (p *pages) home(c *gin.Context) {
	ctx, u := c.Request.Context(), currentUser(c)
	var hp homePage
	tasks, err := p.d.Approvals.Inbox(ctx, u, inbox.InboxQuery{Limit: homeTasks})
	if err != nil {
		p.serviceError(c, err)
		return
	}
	hp.Tasks = api.InboxOf(tasks)
	if hp.ToSign, err = p.d.Signing.ToSign(ctx, u, homeTasks); err != nil {
		p.serviceError(c, err)
		return
	}
	if mayReadLedger(u) {
		figures, err := p.d.Reports.ByStatus(ctx, u)
		if err != nil {
			p.serviceError(c, err)
			return
		}
		hp.ByStatus, hp.Figures = api.StatusRowsOf(figures), true
	}
	renewals, err := p.d.Reports.Renewals(ctx, u, reports.RenewalQuery{Within: "90", Limit: homeExpiring})
	if err != nil {
		p.serviceError(c, err)
		return
	}
	hp.Expiring = api.RenewalsOf(renewals)
	events, err := p.d.Contracts.RecentEvents(ctx, u, homeEvents)
	if err != nil {
		p.serviceError(c, err)
		return
	}
	hp.Events = api.EventsOf(events)
	v := p.view(c, "home", hp)
	v.Title = v.T("nav.home")
	p.render(c, http.StatusOK, "home", v)
}

func itoa(n int) string { return strconv.Itoa(n) }
