package api

import (
	"errors"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/domain"
)

const (
	sales        = domain.RoleSales
	salesManager = domain.RoleSalesManager
	legal        = domain.RoleLegal
	finance      = domain.RoleFinance
	executive    = domain.RoleExecutive
	admin        = domain.RoleAdmin
)

// Permissions is the permission matrix: the roles that may call each /v1
// route ("METHOD /path" as Gin names it). An empty list means any signed-in
// user. Object-level rules — a sales person's own contracts and customers,
// a task's assignee, a draft-only edit — are the services' and workflows'
// to check; a route missing here is refused to everyone. The routes and
// the generated test both read this table.
var Permissions = map[string][]domain.Role{
	"GET /v1/me":                                  {},
	"POST /v1/contracts":                          {sales, salesManager},
	"GET /v1/contracts":                           {},
	"GET /v1/contracts/:number":                   {},
	"GET /v1/contracts/:number/events":            {},
	"GET /v1/contracts/:number/document":          {},
	"GET /v1/contracts/:number/approval":          {},
	"PUT /v1/contracts/:number/content":           {sales, salesManager},
	"POST /v1/contracts/:number/submit":           {sales, salesManager},
	"POST /v1/contracts/:number/send":             {sales, salesManager},
	"GET /v1/contracts/:number/signing":           {},
	"POST /v1/contracts/:number/signers/:id/link": {sales, salesManager},
	"PUT /v1/contracts/:number/signers/:id":       {sales, salesManager},
	"GET /v1/contracts/:number/certificate":       {},
	"POST /v1/contracts/:number/invoices":         {finance},
	"POST /v1/contracts/:number/payments":         {finance},
	// An obligation's owner may hold any role: the workflow checks who.
	"PATCH /v1/contracts/:number/obligations/:id":     {},
	"POST /v1/contracts/:number/archive":              {sales, salesManager, admin},
	"POST /v1/contracts/:number/amendments":           {sales, salesManager},
	"GET /v1/contracts/:number/versions":              {},
	"GET /v1/contracts/:number/versions/:version":     {},
	"GET /v1/contracts/:number/diff":                  {},
	"POST /v1/contracts/:number/terminate":            {sales, salesManager},
	"POST /v1/contracts/:number/sign":                 {sales, salesManager, executive},
	"POST /v1/contracts/:number/cancel":               {sales, salesManager},
	"POST /v1/contracts/:number/non-standard-clauses": {legal},
	"POST /v1/contracts/:number/attachments":          {sales, salesManager, legal, finance, executive, admin},
	"GET /v1/contracts/:number/attachments":           {},
	"GET /v1/contracts/:number/attachments/:id":       {},
	// A delegation may hand a task to anyone: the round checks the assignee.
	"POST /v1/tasks/:id/decision":     {},
	"GET /v1/tasks":                   {},
	"GET /v1/tasks/:id":               {},
	"POST /v1/customers":              {sales, salesManager, admin},
	"GET /v1/customers":               {},
	"GET /v1/customers/:id":           {},
	"PATCH /v1/customers/:id":         {sales, salesManager, admin},
	"POST /v1/customers/:id/contacts": {sales, salesManager, admin},
	"POST /v1/product-lines":          {admin, finance},
	"GET /v1/product-lines":           {},
	"POST /v1/products":               {admin, finance},
	"GET /v1/products":                {},
	"PATCH /v1/products/:id":          {admin, finance},
	"POST /v1/templates":              {legal, admin},
	"GET /v1/templates":               {},
	"GET /v1/templates/:id":           {},
	"POST /v1/clauses":                {legal, admin},
	"GET /v1/clauses":                 {},
	"POST /v1/approval-policies":      {admin},
	"GET /v1/approval-policies/:id":   {},
	"GET /v1/risk-rules":              {},
	"PUT /v1/risk-rules":              {admin, legal},
	"POST /v1/delegations":            {},
	"GET /v1/delegations":             {},
	"GET /v1/audit":                   {domain.RoleAuditor, admin},
	"POST /v1/tokens":                 {},
	"GET /v1/tokens":                  {},
	"DELETE /v1/tokens/:id":           {},
	"GET /v1/users":                   {admin, domain.RoleAuditor},
	"GET /v1/users/:id":               {admin, domain.RoleAuditor},
	"POST /v1/users":                  {admin},
	"PATCH /v1/users/:id":             {admin},

	"GET /v1/me/notification-settings":   {},
	"PUT /v1/me/notification-settings":   {},
	"GET /v1/notifications":              {},
	"GET /v1/reconciliation":             {domain.RoleAuditor, admin, executive},
	"GET /v1/notifications/dead-letters": {admin},
	"POST /v1/notifications/:id/retry":   {admin},

	// Reports are scoped by the services to what the caller sees (sales
	// their own, sales managers their team, the rest everything). The
	// ledger, figures and aging carry receivables, which legal has no
	// need of; legal reads approval cycle times and the renewal pipeline.
	"GET /v1/reports/ledger":         {sales, salesManager, finance, executive, admin, domain.RoleAuditor},
	"GET /v1/reports/summary":        {sales, salesManager, finance, executive, admin, domain.RoleAuditor},
	"GET /v1/reports/summary.svg":    {sales, salesManager, finance, executive, admin, domain.RoleAuditor},
	"GET /v1/reports/aging":          {sales, salesManager, finance, executive, admin, domain.RoleAuditor},
	"GET /v1/reports/approval-cycle": {},
	"GET /v1/reports/renewals":       {},
}

// errRouteForbidden is the matrix's refusal.
var errRouteForbidden = errors.New("your role may not call this route")

// authorize refuses a caller whose roles the matrix does not allow.
func (h *handlers) authorize(c *gin.Context) {
	allowed, known := Permissions[c.Request.Method+" "+c.FullPath()]
	if !known {
		h.d.Logger.Error("route missing from the permission matrix", "method", c.Request.Method, "path", c.FullPath())
		writeError(c, h.d.Logger, errRouteForbidden)
		return
	}
	if len(allowed) > 0 && !slices.ContainsFunc(allowed, currentUser(c).Actor().Has) {
		writeError(c, h.d.Logger, errRouteForbidden)
		return
	}
	c.Next()
}
