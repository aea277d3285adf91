package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/feed"
)

// Access says what a route asks of its caller.
type Access int

const (
	// Bearer routes need a bearer token, and one of Roles when Roles is set.
	Bearer Access = iota
	// Public routes take no token: the token in the path (signing links),
	// the HMAC (the provider webhook) or nothing (what anyone holding a
	// document may check it against) is the credential. They are bounded
	// like /v1 (in-flight limit, timeout, plain queries).
	Public
	// Probe routes are the operator's and the client's plumbing: health,
	// readiness, metrics and this API's own document.
	Probe
)

// Route is one entry of the route table, which the router registers, the
// permission middleware enforces, and the permission and OpenAPI tests
// read.
type Route struct {
	Method string
	// Path is as Gin spells it (/v1/contracts/:number).
	Path   string
	Access Access
	// Roles may call a Bearer route; empty means any signed-in user.
	// Object-level rules (a sales person's own contracts and customers, a
	// task's assignee, a draft-only edit) are the services' and workflows'.
	Roles   []domain.Role
	Handler gin.HandlerFunc
	// Status is the success status; Body the zero value of each type a
	// JSON success may carry (more than one is a oneOf), nil when the
	// answer is not JSON or empty.
	Status int
	Body   []any
	// Upload routes stream their body (a file) instead of reading it
	// before admission, in their own small pool of slots.
	Upload bool
}

const (
	sales        = domain.RoleSales
	salesManager = domain.RoleSalesManager
	legal        = domain.RoleLegal
	finance      = domain.RoleFinance
	executive    = domain.RoleExecutive
	admin        = domain.RoleAdmin
	auditor      = domain.RoleAuditor
)

func roles(r ...domain.Role) []domain.Role { return r }

func body(v ...any) []any { return v }

// Routes is the route table without services behind it, for tests and
// tools that read methods, paths, roles and response types.
func Routes() []Route { return (&handlers{}).routes() }

// routes is the route table, grouped by capability; the router registers
// it as listed.
func (h *handlers) routes() []Route {
	const get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	ok, created, accepted := http.StatusOK, http.StatusCreated, http.StatusAccepted
	writers := roles(sales, salesManager)
	// Reports are scoped by the services to what the caller sees (sales
	// their own, sales managers their team, the rest everything). The
	// ledger, figures and aging carry receivables, which legal has no need
	// of; legal reads approval cycle times and the renewal pipeline.
	receivables := roles(sales, salesManager, finance, executive, admin, auditor)
	importers := roles(salesManager, finance, admin)
	return []Route{
		{Method: get, Path: "/healthz", Access: Probe, Handler: h.healthz, Status: ok, Body: body(Liveness{})},
		{Method: get, Path: "/readyz", Access: Probe, Handler: h.readyz, Status: ok, Body: body(Readiness{})},
		{Method: get, Path: "/metrics", Access: Probe, Handler: h.metrics, Status: ok},
		{Method: get, Path: "/v1/openapi.json", Access: Probe, Handler: h.openapi, Status: ok},

		{Method: get, Path: "/v1/me", Handler: h.me, Status: ok, Body: body(User{})},

		// Contracts. Decisions answer with the contract's new state; the
		// request ID is their Update ID.
		{Method: post, Path: "/v1/contracts", Roles: writers, Handler: h.createContract, Status: created, Body: body(ContractState{})},
		{Method: get, Path: "/v1/contracts", Handler: h.listContracts, Status: ok, Body: body(ContractPage{})},
		{Method: get, Path: "/v1/contracts/:number", Handler: h.getContract, Status: ok, Body: body(ContractView{}, ContractAsOf{})},
		{Method: get, Path: "/v1/contracts/:number/events", Handler: h.contractEvents, Status: ok, Body: body(items[Event]{})},
		{Method: get, Path: "/v1/contracts/:number/document", Handler: h.contractDocument, Status: ok},
		{Method: get, Path: "/v1/contracts/:number/approval", Handler: h.contractApproval, Status: ok, Body: body(items[RoundView]{})},
		{Method: put, Path: "/v1/contracts/:number/content", Roles: writers, Handler: h.reviseDraft, Status: ok, Body: body(ContractState{})},
		{Method: post, Path: "/v1/contracts/:number/submit", Roles: writers, Handler: h.submit, Status: ok, Body: body(ContractState{})},
		{Method: post, Path: "/v1/contracts/:number/send", Roles: writers, Handler: h.send, Status: ok, Body: body(ContractState{})},
		// Withdraw a submission waiting on approval (back to draft, its
		// round closed); void a sent signing round (links revoked, back to
		// approved).
		{Method: post, Path: "/v1/contracts/:number/withdraw", Roles: writers, Handler: h.withdraw, Status: ok, Body: body(ContractState{})},
		{Method: get, Path: "/v1/contracts/:number/signing", Handler: h.signingState, Status: ok, Body: body(SigningState{})},
		{Method: post, Path: "/v1/contracts/:number/signing/void", Roles: writers, Handler: h.voidSigning, Status: ok, Body: body(ContractState{})},
		// A link goes only to its signer, by mail: the sender may have a
		// fresh one mailed, never read it. The company signer signs signed
		// in as the account they are, whatever its role (the service
		// checks who).
		{Method: post, Path: "/v1/contracts/:number/signers/:id/resend", Roles: writers, Handler: h.resendLink, Status: accepted, Body: body(LinkResent{})},
		{Method: post, Path: "/v1/contracts/:number/signers/:id/sign", Handler: h.signAsUser, Status: ok, Body: body(SignResult{})},
		{Method: post, Path: "/v1/contracts/:number/signers/:id/decline", Handler: h.declineAsUser, Status: ok, Body: body(SignResult{})},
		{Method: put, Path: "/v1/contracts/:number/signers/:id", Roles: writers, Handler: h.replaceSigner, Status: ok, Body: body(SigningState{})},
		{Method: get, Path: "/v1/contracts/:number/certificate", Handler: h.certificate, Status: ok, Body: body(Certificate{})},
		{Method: post, Path: "/v1/contracts/:number/invoices", Roles: roles(finance), Handler: h.recordInvoice, Status: ok, Body: body(ContractState{})},
		{Method: post, Path: "/v1/contracts/:number/payments", Roles: roles(finance), Handler: h.recordPayment, Status: ok, Body: body(ContractState{})},
		// Corrections by reversal (红冲), never by edit; the books list both.
		{Method: post, Path: "/v1/contracts/:number/invoices/:id/reversal", Roles: roles(finance), Handler: h.reverseInvoice, Status: ok, Body: body(ContractState{})},
		{Method: post, Path: "/v1/contracts/:number/payments/:id/reversal", Roles: roles(finance), Handler: h.reversePayment, Status: ok, Body: body(ContractState{})},
		{Method: get, Path: "/v1/contracts/:number/invoices", Roles: receivables, Handler: h.invoices, Status: ok, Body: body(items[Invoice]{})},
		{Method: get, Path: "/v1/contracts/:number/payments", Roles: receivables, Handler: h.payments, Status: ok, Body: body(items[Payment]{})},
		// An obligation's owner may hold any role: the workflow checks who.
		{Method: patch, Path: "/v1/contracts/:number/obligations/:id", Handler: h.updateObligation, Status: ok, Body: body(ContractState{})},
		{Method: post, Path: "/v1/contracts/:number/archive", Roles: roles(sales, salesManager, admin), Handler: h.archive, Status: ok, Body: body(ContractState{})},
		{Method: post, Path: "/v1/contracts/:number/amendments", Roles: writers, Handler: h.amend, Status: ok, Body: body(ContractState{})},
		{Method: put, Path: "/v1/contracts/:number/external-ids/:source", Roles: roles(sales, salesManager, finance, admin), Handler: h.setContractExternalID, Status: ok, Body: body(ContractExternalIDs{})},
		{Method: get, Path: "/v1/contracts/:number/versions", Handler: h.versions, Status: ok, Body: body(items[VersionInfo]{})},
		{Method: get, Path: "/v1/contracts/:number/versions/:version", Handler: h.version, Status: ok, Body: body(VersionView{})},
		{Method: get, Path: "/v1/contracts/:number/diff", Handler: h.diff, Status: ok, Body: body(Comparison{})},
		{Method: post, Path: "/v1/contracts/:number/terminate", Roles: writers, Handler: h.terminate, Status: ok, Body: body(ContractState{})},
		{Method: post, Path: "/v1/contracts/:number/cancel", Roles: writers, Handler: h.cancel, Status: ok, Body: body(ContractState{})},
		{Method: post, Path: "/v1/contracts/:number/non-standard-clauses", Roles: roles(legal), Handler: h.addNonStandardClauses, Status: ok, Body: body(ContractState{})},
		{Method: post, Path: "/v1/contracts/:number/attachments", Roles: roles(sales, salesManager, legal, finance, executive, admin), Handler: h.uploadAttachment, Status: created, Body: body(Attachment{}), Upload: true},
		{Method: get, Path: "/v1/contracts/:number/attachments", Handler: h.listAttachments, Status: ok, Body: body(items[Attachment]{})},
		{Method: get, Path: "/v1/contracts/:number/attachments/:id", Handler: h.downloadAttachment, Status: ok},

		// Approvals. A delegation hands tasks only to an active holder of
		// the delegator's roles; the round checks the assignee, and an open
		// task lets its holder read the contract (the services check).
		{Method: post, Path: "/v1/tasks/:id/decision", Handler: h.decide, Status: ok, Body: body(ContractState{})},
		{Method: get, Path: "/v1/tasks", Handler: h.inbox, Status: ok, Body: body(Inbox{})},
		{Method: get, Path: "/v1/tasks/:id", Handler: h.task, Status: ok, Body: body(TaskDetail{})},
		{Method: post, Path: "/v1/approval-policies", Roles: roles(admin), Handler: h.savePolicy, Status: created, Body: body(Policy{})},
		{Method: get, Path: "/v1/approval-policies", Handler: h.policies, Status: ok, Body: body(items[Policy]{})},
		{Method: get, Path: "/v1/approval-policies/:id", Handler: h.policy, Status: ok, Body: body(Policy{})},
		{Method: get, Path: "/v1/risk-rules", Handler: h.riskRules, Status: ok, Body: body(RiskRules{})},
		{Method: put, Path: "/v1/risk-rules", Roles: roles(admin, legal), Handler: h.saveRiskRules, Status: ok, Body: body(RiskRules{})},
		{Method: post, Path: "/v1/delegations", Handler: h.delegate, Status: created, Body: body(Delegation{})},
		{Method: get, Path: "/v1/delegations", Handler: h.delegations, Status: ok, Body: body(items[Delegation]{})},
		{Method: del, Path: "/v1/delegations/:id", Handler: h.revokeDelegation, Status: http.StatusNoContent},

		// Customers, catalogue, templates and clauses.
		// Bulk import (批量导入): the services say which kinds each role
		// may bring in (customers: sales managers; products: finance;
		// historical contracts: admins only).
		{Method: get, Path: "/v1/imports/templates/:kind", Roles: importers, Handler: h.importTemplate, Status: ok},
		{Method: post, Path: "/v1/imports/check", Roles: importers, Handler: h.checkImport, Status: ok, Body: body(ImportReport{}), Upload: true},
		{Method: post, Path: "/v1/imports", Roles: importers, Handler: h.startImport, Status: accepted, Body: body(ImportReport{}), Upload: true},
		{Method: get, Path: "/v1/imports", Roles: importers, Handler: h.listImports, Status: ok, Body: body(items[ImportJob]{})},
		{Method: get, Path: "/v1/imports/:id", Roles: importers, Handler: h.getImport, Status: ok, Body: body(ImportJob{})},
		{Method: post, Path: "/v1/customers", Roles: roles(sales, salesManager, admin), Handler: h.createCustomer, Status: created, Body: body(CustomerDetail{})},
		{Method: get, Path: "/v1/customers", Handler: h.listCustomers, Status: ok, Body: body(CustomerPage{})},
		{Method: get, Path: "/v1/customers/:id", Handler: h.getCustomer, Status: ok, Body: body(CustomerDetail{})},
		{Method: patch, Path: "/v1/customers/:id", Roles: roles(sales, salesManager, admin), Handler: h.updateCustomer, Status: ok, Body: body(CustomerDetail{})},
		// Deactivated customers keep their contracts running; new drafts
		// refuse them and the list shows them with status=inactive|all.
		{Method: post, Path: "/v1/customers/:id/deactivate", Roles: roles(sales, salesManager, admin), Handler: h.deactivateCustomer, Status: ok, Body: body(CustomerDetail{})},
		{Method: post, Path: "/v1/customers/:id/reactivate", Roles: roles(sales, salesManager, admin), Handler: h.reactivateCustomer, Status: ok, Body: body(CustomerDetail{})},
		// Merge a duplicate into another customer: its contacts, contracts
		// and external IDs move; it stays, merged_into the survivor.
		{Method: post, Path: "/v1/customers/:id/merge", Roles: roles(salesManager, admin), Handler: h.mergeCustomer, Status: ok, Body: body(CustomerDetail{})},
		// Integrations push their records by their own IDs: created the
		// first time (201), updated after (200), one record however often
		// or concurrently pushed. The ID is one percent-encoded segment.
		{Method: put, Path: "/v1/customers/by-external/:source/:external_id", Roles: roles(sales, salesManager, admin), Handler: h.putCustomerByExternal, Status: ok, Body: body(CustomerDetail{})},
		{Method: post, Path: "/v1/customers/:id/contacts", Roles: roles(sales, salesManager, admin), Handler: h.addContact, Status: created, Body: body(Contact{})},
		// A removed contact stays for the contracts that name it (removed_at);
		// removing it again is a no-op.
		{Method: patch, Path: "/v1/customers/:id/contacts/:contact_id", Roles: roles(sales, salesManager, admin), Handler: h.updateContact, Status: ok, Body: body(Contact{})},
		{Method: del, Path: "/v1/customers/:id/contacts/:contact_id", Roles: roles(sales, salesManager, admin), Handler: h.removeContact, Status: http.StatusNoContent},
		{Method: post, Path: "/v1/product-lines", Roles: roles(admin, finance), Handler: h.createLine, Status: created, Body: body(ProductLine{})},
		{Method: get, Path: "/v1/product-lines", Handler: h.lines, Status: ok, Body: body(items[ProductLine]{})},
		{Method: post, Path: "/v1/products", Roles: roles(admin, finance), Handler: h.createProduct, Status: created, Body: body(Product{})},
		{Method: get, Path: "/v1/products", Handler: h.products, Status: ok, Body: body(items[Product]{})},
		{Method: put, Path: "/v1/products/by-external/:source/:external_id", Roles: roles(admin, finance), Handler: h.putProductByExternal, Status: ok, Body: body(Product{})},
		{Method: patch, Path: "/v1/products/:id", Roles: roles(admin, finance), Handler: h.updateProduct, Status: ok, Body: body(Product{})},
		{Method: post, Path: "/v1/templates", Roles: roles(legal, admin), Handler: h.saveTemplate, Status: created, Body: body(Template{})},
		{Method: get, Path: "/v1/templates", Handler: h.templates, Status: ok, Body: body(items[TemplateSummary]{})},
		{Method: get, Path: "/v1/templates/:id", Handler: h.getTemplate, Status: ok, Body: body(Template{})},
		{Method: post, Path: "/v1/templates/:id/versions/:version/retire", Roles: roles(legal, admin), Handler: h.retireTemplate, Status: ok, Body: body(Template{})},
		{Method: post, Path: "/v1/clauses", Roles: roles(legal, admin), Handler: h.saveClause, Status: created, Body: body(LibraryClause{})},
		{Method: get, Path: "/v1/clauses", Handler: h.clauses, Status: ok, Body: body(items[LibraryClause]{})},

		// Audit, tokens, users and notifications.
		{Method: get, Path: "/v1/audit", Roles: roles(auditor, admin), Handler: h.audit, Status: ok, Body: body(AuditPage{})},
		{Method: get, Path: "/v1/audit/verify", Roles: roles(auditor, admin), Handler: h.verifyAudit, Status: ok, Body: body(AuditVerification{})},
		{Method: post, Path: "/v1/tokens", Handler: h.issueToken, Status: created, Body: body(IssuedToken{})},
		{Method: get, Path: "/v1/tokens", Handler: h.tokens, Status: ok, Body: body(items[TokenInfo]{})},
		{Method: del, Path: "/v1/tokens/:id", Handler: h.revokeToken, Status: http.StatusNoContent},
		{Method: get, Path: "/v1/users", Roles: roles(admin, auditor), Handler: h.users, Status: ok, Body: body(items[Account]{})},
		{Method: get, Path: "/v1/users/:id", Roles: roles(admin, auditor), Handler: h.user, Status: ok, Body: body(Account{})},
		{Method: post, Path: "/v1/users", Roles: roles(admin), Handler: h.createUser, Status: created, Body: body(Account{})},
		{Method: patch, Path: "/v1/users/:id", Roles: roles(admin), Handler: h.updateUser, Status: ok, Body: body(Account{})},
		// Signing authority (授权签字人): executives by default; admins
		// name others, with a limit, or withdraw it. Senders pick the
		// company signer from the signatories.
		{Method: get, Path: "/v1/users/:id/signing-authority", Roles: roles(admin, auditor), Handler: h.signingAuthority, Status: ok, Body: body(SigningAuthority{})},
		{Method: put, Path: "/v1/users/:id/signing-authority", Roles: roles(admin), Handler: h.setSigningAuthority, Status: ok, Body: body(SigningAuthority{})},
		{Method: del, Path: "/v1/users/:id/signing-authority", Roles: roles(admin), Handler: h.clearSigningAuthority, Status: ok, Body: body(SigningAuthority{})},
		{Method: get, Path: "/v1/signatories", Handler: h.signatories, Status: ok, Body: body(items[SigningAuthority]{})},
		// Company seals (电子印章): admins upload them and name who may
		// apply each (signatories only); a signatory lists their own and
		// names one when they sign (seal_id).
		{Method: post, Path: "/v1/seals", Roles: roles(admin), Handler: h.uploadSeal, Status: created, Body: body(CompanySeal{}), Upload: true},
		{Method: get, Path: "/v1/seals", Roles: roles(admin, auditor), Handler: h.seals, Status: ok, Body: body(items[CompanySeal]{})},
		{Method: get, Path: "/v1/seals/:id/image", Roles: roles(admin, auditor), Handler: h.sealImage, Status: ok},
		{Method: put, Path: "/v1/seals/:id/appliers", Roles: roles(admin), Handler: h.setSealAppliers, Status: ok, Body: body(CompanySeal{})},
		{Method: post, Path: "/v1/seals/:id/deactivate", Roles: roles(admin), Handler: h.deactivateSeal, Status: ok, Body: body(CompanySeal{})},
		{Method: get, Path: "/v1/me/seals", Handler: h.mySeals, Status: ok, Body: body(items[CompanySeal]{})},
		// Passwords sign people in to the console; tokens are unaffected.
		{Method: put, Path: "/v1/users/:id/password", Roles: roles(admin), Handler: h.setPassword, Status: http.StatusNoContent},
		{Method: post, Path: "/v1/me/password", Handler: h.changePassword, Status: http.StatusNoContent},
		{Method: get, Path: "/v1/me/notification-settings", Handler: h.notificationSettings, Status: ok, Body: body(NotificationSettings{})},
		{Method: put, Path: "/v1/me/notification-settings", Handler: h.saveNotificationSettings, Status: ok, Body: body(NotificationSettings{})},
		{Method: get, Path: "/v1/notifications", Handler: h.notifications, Status: ok, Body: body(items[OutboxEntry]{})},
		// The change feed for finance and CRM systems (issue 20 part 3).
		{Method: get, Path: "/v1/events", Roles: feed.ReaderRoles, Handler: h.events, Status: ok, Body: body(EventPage{})},
		{Method: get, Path: "/v1/me/notices", Handler: h.notices, Status: ok, Body: body(NoticePage{})},
		{Method: post, Path: "/v1/me/notices/read", Handler: h.readNotices, Status: ok, Body: body(NoticesRead{})},
		{Method: get, Path: "/v1/reconciliation", Roles: roles(auditor, admin, executive), Handler: h.reconciliation, Status: ok, Body: body(Reconciliation{})},
		{Method: get, Path: "/v1/contract-numbers/voided", Roles: roles(auditor, admin, executive), Handler: h.voidedNumbers, Status: ok, Body: body(items[VoidedNumber]{})},
		{Method: get, Path: "/v1/notifications/dead-letters", Roles: roles(admin), Handler: h.deadLetters, Status: ok, Body: body(items[OutboxEntry]{})},
		{Method: post, Path: "/v1/notifications/:id/retry", Roles: roles(admin), Handler: h.retryDelivery, Status: ok, Body: body(OutboxEntry{})},

		// Reports: JSON, or CSV/XLSX with ?format=.
		{Method: get, Path: "/v1/reports/ledger", Roles: receivables, Handler: h.ledger, Status: ok, Body: body(LedgerPage{})},
		{Method: get, Path: "/v1/reports/summary", Roles: receivables, Handler: h.summary, Status: ok, Body: body(Summary{})},
		{Method: get, Path: "/v1/reports/summary.svg", Roles: receivables, Handler: h.summaryChart, Status: ok},
		{Method: get, Path: "/v1/reports/aging", Roles: receivables, Handler: h.aging, Status: ok, Body: body(Aging{})},
		{Method: get, Path: "/v1/reports/approval-cycle", Handler: h.approvalCycle, Status: ok, Body: body(Cycle{})},
		{Method: get, Path: "/v1/reports/renewals", Handler: h.renewals, Status: ok, Body: body(Renewals{})},

		// Public: signing links, the provider webhook, verification.
		{Method: get, Path: "/v1/signing-key", Access: Public, Handler: h.signingKey, Status: ok, Body: body(PublicKeyInfo{})},
		{Method: post, Path: "/v1/verify", Access: Public, Handler: h.verify, Status: ok, Body: body(VerifyResult{}), Upload: true},
		{Method: get, Path: "/sign/:token", Access: Public, Handler: h.openLink, Status: ok, Body: body(SignView{})},
		{Method: post, Path: "/sign/:token", Access: Public, Handler: h.signLink, Status: ok, Body: body(SignResult{})},
		{Method: post, Path: "/sign/:token/decline", Access: Public, Handler: h.declineLink, Status: ok, Body: body(SignResult{})},
		{Method: post, Path: "/sign/:token/code", Access: Public, Handler: h.sendCode, Status: accepted, Body: body(CodeSent{})},
		{Method: get, Path: "/sign/:token/document.pdf", Access: Public, Handler: h.linkPDF, Status: ok},
		// DingTalk and WeCom card callbacks: their signature is the credential.
		{Method: post, Path: "/v1/callbacks/dingtalk", Access: Public, Handler: h.dingTalkCallback, Status: ok, Body: body(DingTalkCallbackReply{})},
		{Method: get, Path: "/v1/callbacks/wecom", Access: Public, Handler: h.weComVerify, Status: ok},
		{Method: post, Path: "/v1/callbacks/wecom", Access: Public, Handler: h.weComCallback, Status: ok},
		{Method: post, Path: "/webhooks/esign", Access: Public, Handler: h.providerWebhook, Status: accepted, Body: body(WebhookReceipt{})},
	}
}

// register adds the table to r: Probe routes bare, Public ones bounded,
// Bearer ones authenticated and authorized against their roles.
func (h *handlers) register(r *gin.Engine) {
	// A body arrives before the request is admitted (readBody), so slow
	// senders hold no slot; uploads stream in their own pool.
	for _, rt := range h.routes() {
		admit := []gin.HandlerFunc{h.readBody, h.admit}
		if rt.Upload {
			admit = []gin.HandlerFunc{h.admitUpload}
		}
		switch rt.Access {
		case Probe:
			r.Handle(rt.Method, rt.Path, rt.Handler)
		case Public:
			r.Handle(rt.Method, rt.Path, append(admit, h.timeout, h.plainQuery, h.onceRequestID, rt.Handler)...)
		default:
			r.Handle(rt.Method, rt.Path, append(admit, h.timeout, h.authenticate, h.authorize(rt.Roles), h.plainQuery, h.onceRequestID, rt.Handler)...)
		}
	}
}
