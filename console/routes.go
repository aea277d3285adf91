package console

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
)

// Access says what a page asks of its visitor.
type Access int

const (
	// Session pages need a signed-in visitor (else they go to the sign-in
	// page), and one of Roles when Roles is set (else the 404 page).
	Session Access = iota
	// Public pages need nobody: the sign-in form and the static files.
	Public
)

// Route is one entry of the console's route table, which Mount registers
// and the tests read.
type Route struct {
	Method string
	// Path is as Gin spells it (/tasks/:id).
	Path   string
	Access Access
	// Roles may open a Session page; empty means anyone signed in. As in
	// the API, object-level rules (whose contract, whose task) are the
	// services'.
	Roles   []domain.Role
	Handler gin.HandlerFunc
	// Upload routes take a multipart body up to the attachment limit
	// (other posts take a small form).
	Upload bool
}

// Routes is the route table without services behind it, for tests.
func Routes() []Route { return (&pages{}).routes() }

// receivables are the roles that read the ledger: the API's
// /v1/reports/ledger roles (legal reads no receivables).
var receivables = []domain.Role{domain.RoleSales, domain.RoleSalesManager, domain.RoleFinance, domain.RoleExecutive, domain.RoleAdmin, domain.RoleAuditor}

// writers are the roles that draft and act on contracts: the API's
// writers (sales, sales managers).
var writers = []domain.Role{domain.RoleSales, domain.RoleSalesManager}

// finance records invoices and payments: the API's books roles.
var finance = []domain.Role{domain.RoleFinance}

func (p *pages) routes() []Route {
	const get, post = http.MethodGet, http.MethodPost
	return []Route{
		{Method: get, Path: "/static/:file", Access: Public, Handler: p.static},
		{Method: get, Path: "/login", Access: Public, Handler: p.loginForm},
		{Method: post, Path: "/login", Access: Public, Handler: p.login},
		{Method: get, Path: "/login/oidc", Access: Public, Handler: p.oidcLogin},
		{Method: get, Path: "/login/oidc/callback", Access: Public, Handler: p.oidcCallback},
		{Method: post, Path: "/logout", Handler: p.logout},

		{Method: get, Path: "/", Handler: p.home},
		{Method: get, Path: "/inbox", Handler: p.inbox},
		{Method: get, Path: "/tasks/:id", Handler: p.task},
		{Method: post, Path: "/tasks/:id/decision", Handler: p.decide},
		{Method: get, Path: "/contracts", Roles: receivables, Handler: p.ledger},
		// New contracts and the contract page's actions: the API's
		// POST /v1/contracts, …/submit, …/cancel and …/send roles.
		{Method: get, Path: "/contracts/new", Roles: writers, Handler: p.newContractForm},
		{Method: post, Path: "/contracts/new", Roles: writers, Handler: p.createContract},
		{Method: post, Path: "/contracts/new/price", Roles: writers, Handler: p.priceLines},
		{Method: get, Path: "/contracts/:number", Handler: p.contract},
		{Method: post, Path: "/contracts/:number/submit", Roles: writers, Handler: p.submitContract},
		{Method: post, Path: "/contracts/:number/cancel", Roles: writers, Handler: p.cancelContract},
		// POST …/withdraw and …/signing/void roles.
		{Method: post, Path: "/contracts/:number/withdraw", Roles: writers, Handler: p.withdrawContract},
		{Method: post, Path: "/contracts/:number/signing/void", Roles: writers, Handler: p.voidSigning},
		{Method: post, Path: "/contracts/:number/send", Roles: writers, Handler: p.sendContract},
		// The document alone, framed (sandboxed) by the task and contract pages.
		{Method: get, Path: "/contracts/:number/document", Handler: p.document},
		// The company's signatory signs signed in, as the API's
		// /v1/contracts/{n}/signers/{id}/sign and /decline.
		{Method: post, Path: "/contracts/:number/signers/:id/sign", Handler: p.signAsUser},
		{Method: post, Path: "/contracts/:number/signers/:id/decline", Handler: p.declineAsUser},
		// A signing link's document for its page's sandboxed frame, beside
		// (not under) the API's /sign prefix: the page itself and its posts
		// are the API's /sign routes, handed to SignPages for a browser.
		{Method: get, Path: "/signing/:token/document", Access: Public, Handler: p.signDocument},
		// Anyone holding a contract file may check it, as POST /v1/verify.
		{Method: get, Path: "/verify", Access: Public, Handler: p.verifyForm},
		{Method: post, Path: "/verify", Access: Public, Handler: p.verify, Upload: true},

		// The contract page, complete: edit, amend, renew, terminate and
		// archive; the books, obligations and attachments (the API's
		// routes of the same names, with their roles).
		{Method: get, Path: "/contracts/:number/edit", Roles: writers, Handler: p.editForm},
		{Method: post, Path: "/contracts/:number/edit", Roles: writers, Handler: p.saveEdit},
		{Method: get, Path: "/contracts/:number/amend", Roles: writers, Handler: p.amendForm},
		{Method: post, Path: "/contracts/:number/amend", Roles: writers, Handler: p.saveAmend},
		{Method: get, Path: "/contracts/:number/renew", Roles: writers, Handler: p.renewForm},
		{Method: post, Path: "/contracts/:number/terminate", Roles: writers, Handler: p.terminateContract},
		{Method: post, Path: "/contracts/:number/archive", Roles: []domain.Role{domain.RoleSales, domain.RoleSalesManager, domain.RoleAdmin}, Handler: p.archiveContract},
		{Method: post, Path: "/contracts/:number/invoices", Roles: finance, Handler: p.recordInvoice},
		{Method: post, Path: "/contracts/:number/payments", Roles: finance, Handler: p.recordPayment},
		{Method: post, Path: "/contracts/:number/invoices/:id/reversal", Roles: finance, Handler: p.reverseInvoice},
		{Method: post, Path: "/contracts/:number/payments/:id/reversal", Roles: finance, Handler: p.reversePayment},
		{Method: post, Path: "/contracts/:number/obligations/:id", Handler: p.updateObligation},
		{Method: post, Path: "/contracts/:number/attachments", Roles: attachers, Handler: p.attach, Upload: true},
		{Method: get, Path: "/contracts/:number/attachments/:id", Handler: p.downloadAttachment},

		// Bulk import (批量导入): the API's /v1/imports roles; the service
		// says which kinds each may bring in.
		{Method: get, Path: "/admin/imports", Roles: importers, Handler: p.importsPage},
		{Method: post, Path: "/admin/imports", Roles: importers, Handler: p.submitImport, Upload: true},
		{Method: get, Path: "/admin/imports/templates/:kind", Roles: importers, Handler: p.importTemplate},
		{Method: get, Path: "/admin/imports/:id", Roles: importers, Handler: p.importJob},

		// Company seals (电子印章): the API's /v1/seals, admins only.
		{Method: get, Path: "/admin/seals", Roles: sealAdmins, Handler: p.sealsPage},
		{Method: post, Path: "/admin/seals", Roles: sealAdmins, Handler: p.uploadSeal, Upload: true},
		{Method: post, Path: "/admin/seals/:id/appliers", Roles: sealAdmins, Handler: p.setSealAppliers},
		{Method: post, Path: "/admin/seals/:id/deactivate", Roles: sealAdmins, Handler: p.deactivateSeal},

		// Policies and risk rules: the API's save roles.
		{Method: get, Path: "/admin/policies", Roles: policyAdmins, Handler: p.policiesList},
		{Method: get, Path: "/admin/policies/new", Roles: policyAdmins, Handler: p.policyEditor},
		{Method: post, Path: "/admin/policies", Roles: policyAdmins, Handler: p.savePolicy},
		{Method: get, Path: "/admin/policies/:id", Roles: policyAdmins, Handler: p.policyEditor},
		{Method: post, Path: "/admin/policies/:id", Roles: policyAdmins, Handler: p.savePolicy},
		{Method: get, Path: "/admin/risk-rules", Roles: riskEditors, Handler: p.riskRules},
		{Method: post, Path: "/admin/risk-rules", Roles: riskEditors, Handler: p.saveRiskRules},

		// Templates: the API's POST /v1/templates roles.
		{Method: get, Path: "/admin/templates", Roles: templateEditors, Handler: p.templatesList},
		{Method: get, Path: "/admin/templates/new", Roles: templateEditors, Handler: p.templateEditor},
		{Method: post, Path: "/admin/templates", Roles: templateEditors, Handler: p.saveTemplate},
		{Method: get, Path: "/admin/templates/:id", Roles: templateEditors, Handler: p.templateEditor},
		{Method: post, Path: "/admin/templates/:id", Roles: templateEditors, Handler: p.saveTemplate},
		{Method: post, Path: "/admin/templates/:id/versions/:version/retire", Roles: templateEditors, Handler: p.retireTemplateVersion},

		// Users: the API's /v1/users routes and roles.
		{Method: get, Path: "/admin/users", Roles: userReaders, Handler: p.usersList},
		{Method: get, Path: "/admin/users/new", Roles: userAdmins, Handler: p.userPage},
		{Method: post, Path: "/admin/users", Roles: userAdmins, Handler: p.createUser},
		{Method: get, Path: "/admin/users/:id", Roles: userReaders, Handler: p.userPage},
		{Method: post, Path: "/admin/users/:id", Roles: userAdmins, Handler: p.updateUser},
		{Method: post, Path: "/admin/users/:id/password", Roles: userAdmins, Handler: p.setUserPassword},

		{Method: get, Path: "/account", Handler: p.account},
		{Method: get, Path: "/account/delegations", Handler: p.delegations},
		{Method: post, Path: "/account/delegations", Handler: p.delegate},
		{Method: post, Path: "/account/delegations/:id/revoke", Handler: p.revokeDelegation},
		{Method: get, Path: "/account/notifications", Handler: p.notificationSettings},
		{Method: post, Path: "/account/notifications", Handler: p.saveNotificationSettings},
		{Method: get, Path: "/notices", Handler: p.notices},
		{Method: get, Path: "/audit", Roles: auditors, Handler: p.auditTrail},
		// Customers: the API's /v1/customers routes and roles.
		{Method: get, Path: "/customers", Handler: p.customers},
		{Method: get, Path: "/customers/new", Roles: customerEditors, Handler: p.newCustomerForm},
		{Method: post, Path: "/customers", Roles: customerEditors, Handler: p.createCustomer},
		{Method: get, Path: "/customers/:id", Handler: p.customer},
		{Method: post, Path: "/customers/:id/contacts", Roles: customerEditors, Handler: p.addContact},
		{Method: post, Path: "/customers/:id/deactivate", Roles: customerEditors, Handler: p.setCustomerActive(false)},
		{Method: post, Path: "/customers/:id/reactivate", Roles: customerEditors, Handler: p.setCustomerActive(true)},
		{Method: post, Path: "/customers/:id/merge", Roles: customerMergers, Handler: p.mergeCustomer},
		{Method: post, Path: "/customers/:id/contacts/:contact_id", Roles: customerEditors, Handler: p.updateContact},
		{Method: post, Path: "/customers/:id/contacts/:contact_id/remove", Roles: customerEditors, Handler: p.removeContact},
		// Reports check the API route's roles per report (reportRoles).
		{Method: get, Path: "/reports", Handler: p.reportsHome},
		{Method: get, Path: "/reports/download/:name", Handler: p.reportDownload},
		{Method: post, Path: "/notices/read", Handler: p.readNotices},
		{Method: post, Path: "/account/password", Handler: p.changePassword},
		{Method: post, Path: "/account/language", Handler: p.setLanguage},
	}
}

// register adds the table to r. Every page gets the console's headers and
// bounds; posts must come from the console itself (CrossOriginProtection)
// and, on session pages, carry the session's form token.
func (p *pages) register(r *gin.Engine) {
	for _, rt := range p.routes() {
		chain := []gin.HandlerFunc{p.pageHeaders}
		if rt.Upload {
			chain = append(chain, markUpload)
		}
		chain = append(chain, p.bound)
		if rt.Method != http.MethodGet {
			chain = append(chain, p.sameOrigin)
		}
		if rt.Access == Session {
			chain = append(chain, p.session)
			if len(rt.Roles) > 0 && rt.Upload {
				// Refused before a large body is read.
				chain = append(chain, p.authorize(rt.Roles), p.parseUpload)
			}
			if rt.Method != http.MethodGet {
				chain = append(chain, p.csrf)
			}
			if len(rt.Roles) > 0 && !rt.Upload {
				chain = append(chain, p.authorize(rt.Roles))
			}
		} else {
			chain = append(chain, p.visitor)
		}
		r.Handle(rt.Method, rt.Path, append(chain, rt.Handler)...)
	}
}

// authorize shows the 404 page to a role the route leaves out: a page the
// caller may not see does not exist for them.
func (p *pages) authorize(allowed []domain.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		u := currentUser(c)
		if slices.ContainsFunc(allowed, u.Actor().Has) {
			c.Next()
			return
		}
		p.notFound(c)
	}
}

// mayDraft is whether the nav offers a new contract.
func mayDraft(u domain.User) bool { return slices.ContainsFunc(writers, u.Actor().Has) }

// mayReadLedger is whether the nav shows the ledger.
func mayReadLedger(u domain.User) bool { return slices.ContainsFunc(receivables, u.Actor().Has) }

// uploadKey marks an upload route's request for bound.
const uploadKey = "console.upload"

func markUpload(c *gin.Context) { c.Set(uploadKey, true) }

func isUpload(c *gin.Context) bool { return c.GetBool(uploadKey) }
