package api

import (
	"log/slog"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/customers"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/internal/policy"
	"github.com/signet-clm/signet/internal/reports"
	"github.com/signet-clm/signet/internal/store"
)

// What the web console (package console) shares with the API, so that a
// page shows what the API answers and refuses what the API refuses: the
// response types through these converters, the same checks of input and
// the same mapping of errors to statuses.

// InboxOf is the API's inbox.
func InboxOf(v inbox.Inbox) Inbox { return toInbox(v) }

// TaskDetailOf is the API's task as its approver reads it.
func TaskDetailOf(v inbox.TaskDetail) TaskDetail { return toTaskDetail(v) }

// ContractViewOf is the API's contract view.
func ContractViewOf(v contracts.View) ContractView { return toContractView(v) }

// ContractRowOf is the API's contract row.
func ContractRowOf(v store.ContractRow) ContractRow { return toContractRow(v) }

// EventsOf are the API's contract events.
func EventsOf(v []domain.Event) []Event { return convList(v, toEvent) }

// RoundViewsOf are the API's review rounds, explained.
func RoundViewsOf(v []inbox.RoundView) []RoundView { return convList(v, toRoundView) }

// LedgerPageOf is the API's ledger page.
func LedgerPageOf(v reports.LedgerPage) LedgerPage { return toLedgerPage(v) }

// SummaryOf is the API's figures.
func SummaryOf(v reports.Summary) Summary { return toSummary(v) }

// RenewalsOf is the API's renewal pipeline.
func RenewalsOf(v reports.Renewals) Renewals { return toRenewals(v) }

// UserOf is the API's user.
func UserOf(v domain.User) User { return toUser(v) }

var (
	sharedOnce     sync.Once
	sharedHandlers *handlers
)

func shared() *handlers {
	sharedOnce.Do(func() { sharedHandlers = &handlers{validate: newValidator()} })
	return sharedHandlers
}

// Validate checks dst by its validate tags as every API request is
// checked; the error is a *domain.ValidationError naming each field.
func Validate(dst any) error { return shared().check(dst) }

// BindQuery binds c's query parameters into dst and checks them as the
// API does: a parameter dst has no field for, or one given twice, is
// refused by name.
func BindQuery(c *gin.Context, dst any) error { return shared().bindQuery(c, dst) }

// ErrorStatus is the status and body the API answers err with.
func ErrorStatus(err error) (int, ErrorBody) { return classify(err) }

// NotFound answers as the API does for a path it does not serve; a router
// that serves pages beside the API sends API paths here.
func NotFound(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) { writeError(c, logger, errNoRoute) }
}

// MethodNotAllowed answers as the API does for a method a path does not take.
func MethodNotAllowed(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) { writeError(c, logger, errNoMethod) }
}

// ValidRequestID reports whether s is what the API accepts as an
// X-Request-ID (and so as an Update ID).
func ValidRequestID(s string) bool { return validClientID(s) }

// AgingOf is the API's receivables aging.
func AgingOf(v reports.Aging) Aging { return toAging(v) }

// CycleOf is the API's approval cycle times.
func CycleOf(v reports.Cycle) Cycle { return toCycle(v) }

// Downloads serve the reports as GET /v1/reports/{name} does, formats and
// checks included, keyed by name (ledger, summary, summary.svg, aging,
// approval-cycle, renewals): the console's chart and export buttons. Each
// reads its caller from SetUser.
func Downloads(d Deps) map[string]gin.HandlerFunc {
	h := &handlers{d: d, validate: newValidator()}
	return map[string]gin.HandlerFunc{"ledger": h.ledger, "summary": h.summary, "summary.svg": h.summaryChart,
		"aging": h.aging, "approval-cycle": h.approvalCycle, "renewals": h.renewals}
}

// SetUser makes u the caller of an API handler run under c.
func SetUser(c *gin.Context, u domain.User) { c.Set(userKey, u) }

// CustomerPageOf is the API's page of customers.
func CustomerPageOf(v customers.Page) CustomerPage { return toCustomerPage(v) }

// CustomerDetailOf is the API's customer with contacts, totals, contracts.
func CustomerDetailOf(v customers.Detail) CustomerDetail { return toCustomerDetail(v) }

// AccountOf is the API's user account.
func AccountOf(v store.Account) Account { return toAccount(v) }

// DelegationOf is the API's delegation.
func DelegationOf(v store.Delegation) Delegation { return toDelegation(v) }

// TemplateSummaryOf is the API's template summary.
func TemplateSummaryOf(v store.TemplateSummary) TemplateSummary { return toTemplateSummary(v) }

// TemplateOf is the API's template version with its retirement, if any.
func TemplateOf(v document.Template, r *store.TemplateRetirement) Template {
	return toRetiredTemplate(v, r)
}

// PolicyOf is the API's approval policy.
func PolicyOf(v policy.Policy) Policy { return toPolicy(v) }

// StatusRowsOf are contracts by status as the summary's rows grouped by
// status (the home page's figures).
func StatusRowsOf(v []reports.StatusFigure) []SummaryRow {
	out := make([]SummaryRow, len(v))
	for i, f := range v {
		out[i] = SummaryRow{Groups: []SummaryGroup{{Dimension: reports.DimStatus, Key: f.Status, Label: f.Status}},
			Currency: f.Currency, Count: f.Count, Amount: f.Amount}
	}
	return out
}
