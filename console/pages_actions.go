package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/esign"
	"github.com/signet-clm/signet/internal/identity"
	"github.com/signet-clm/signet/internal/store"
)

// contractActionNames are the contract page's actions, each with its
// done and refused messages (action.done_X, action.refused_X).
var contractActionNames = []string{"submit", "cancel", "send", "withdraw", "void", "edit", "amend", "terminate", "archive",
	"invoice", "payment", "reverse_invoice", "reverse_payment", "obligation", "attach"}

// actionsCard are the actions whose refusal shows in the actions card;
// the others' show in their own section (the books, the obligations, the
// attachments).
var actionsCard = []string{"submit", "cancel", "send", "withdraw", "void", "terminate", "archive"}

// contractActions are the actions the contract page offers: only those
// the contract's workflow would accept from the visitor (the owner, or a
// sales manager over them, on a contract in the right status); the
// workflow refuses the rest anyway, and a refusal is shown in place.
type contractActions struct {
	Submit, Cancel, Send bool
	// Withdraw a submission waiting on approval; Void the signing round
	// out for signature.
	Withdraw, Void bool
	// Edit (a draft), Amend and Terminate (an active contract), Archive
	// (a completed or terminated one), Renew (draft the next term).
	Edit, Amend, Terminate, Archive, Renew bool
	// Record is finance recording invoices, payments and reversals;
	// Attach is uploading a file.
	Record, Attach bool
	// Signatories are the company signers to choose from when sending,
	// as GET /v1/signatories lists them.
	Signatories []identity.SigningAuthority
	RequestID   string
	// Failed names the action refused, Refusal says why, Errors are its
	// field errors; Reason is the cancellation reason typed.
	Failed  string
	Refusal string
	Errors  []api.FieldError
	Reason  string
	// Typed is what the refused form held, to show it again.
	Typed map[string]string
	// Done is the action just taken, to say so.
	Done string
}

// Any reports whether the actions card offers anything.
func (a contractActions) Any() bool {
	return a.Submit || a.Cancel || a.Send || a.Withdraw || a.Void || a.Edit || a.Amend || a.Terminate || a.Archive || a.Renew
}

// InCard reports whether the refused action's reason shows in the
// actions card.
func (a contractActions) InCard() bool { return slices.Contains(actionsCard, a.Failed) }

// Value is what the refused form held in field name, if it was form.
func (a contractActions) Value(form, name string) string {
	if a.Failed != form {
		return ""
	}
	return a.Typed[name]
}

// mayManage is the workflow's rule of who may submit, cancel or send a
// contract (its owner, or a sales manager), as the API's route table
// gives those actions to sales and sales managers, on a contract the
// visitor may manage (their own or their team's).
func mayManage(u domain.User, row store.ContractRow) bool {
	a := u.Actor()
	if !a.Has(domain.RoleSales) && !a.Has(domain.RoleSalesManager) {
		return false
	}
	return u.Sees(row.OwnerID) && (row.OwnerID == u.ID || a.Has(domain.RoleSalesManager))
}

func (p *pages) actionsFor(c *gin.Context, row store.ContractRow) (contractActions, error) {
	u := currentUser(c)
	a := contractActions{RequestID: uuid.NewString()}
	act := u.Actor()
	// Finance records against a signed contract (the API gives the books'
	// posts to finance; the workflow checks the status again).
	a.Record = act.Has(domain.RoleFinance) && row.Status.Signed()
	// The API's upload roles, on a contract the visitor may manage (an
	// open task lends reading, not writing), not yet archived.
	a.Attach = slices.ContainsFunc(attachers, act.Has) && u.Sees(row.OwnerID) && !row.Status.Frozen()
	// Archiving is also an admin's (the API's archive roles).
	a.Archive = (row.Status == domain.StatusCompleted || row.Status == domain.StatusTerminated) && (mayManage(u, row) || (act.Has(domain.RoleAdmin) && u.Sees(row.OwnerID)))
	if !mayManage(u, row) {
		return a, nil
	}
	a.Submit = row.Status == domain.StatusDraft
	a.Edit = row.Status == domain.StatusDraft
	a.Cancel = row.Status.Cancellable()
	a.Send = row.Status == domain.StatusApproved
	a.Withdraw = row.Status == domain.StatusInReview
	a.Void = row.Status == domain.StatusSigning
	a.Amend = row.Status == domain.StatusActive
	a.Terminate = row.Status == domain.StatusActive
	a.Renew = row.SuccessorNumber == "" && (row.Status == domain.StatusActive || row.Status == domain.StatusExpired || row.Status == domain.StatusCompleted)
	if a.Send {
		var err error
		if a.Signatories, err = p.d.Users.AuthorisedSignatories(c.Request.Context()); err != nil {
			return a, err
		}
	}
	return a, nil
}

// attachers are the roles that upload attachments: the API's POST
// /v1/contracts/{n}/attachments roles.
var attachers = []domain.Role{domain.RoleSales, domain.RoleSalesManager, domain.RoleLegal, domain.RoleFinance, domain.RoleExecutive, domain.RoleAdmin}

// requestID is the form's request ID (the Update ID, so a double submit
// applies once), or a fresh one.
func requestID(c *gin.Context) string {
	if id := c.PostForm("request_id"); api.ValidRequestID(id) {
		return id
	}
	return uuid.NewString()
}

// submitContract is POST /v1/contracts/{n}/submit from the contract page.
func (p *pages) submitContract(c *gin.Context) {
	n := c.Param("number")
	_, err := p.d.Contracts.Submit(c.Request.Context(), currentUser(c), n, requestID(c))
	p.afterAction(c, n, "submit", err, "")
}

// cancelContract is POST /v1/contracts/{n}/cancel: a reason is required.
func (p *pages) cancelContract(c *gin.Context) {
	n := c.Param("number")
	in := contracts.CancelInput{Reason: c.PostForm("reason")}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Contracts.Cancel(c.Request.Context(), currentUser(c), n, requestID(c), in)
	}
	p.afterAction(c, n, "cancel", err, in.Reason)
}

// withdrawContract is POST /v1/contracts/{n}/withdraw: the reason is
// optional.
func (p *pages) withdrawContract(c *gin.Context) {
	n := c.Param("number")
	in := contracts.WithdrawInput{Reason: c.PostForm("reason")}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Contracts.Withdraw(c.Request.Context(), currentUser(c), n, requestID(c), in)
	}
	p.afterAction(c, n, "withdraw", err, in.Reason)
}

// voidSigning is POST /v1/contracts/{n}/signing/void: a reason is
// required.
func (p *pages) voidSigning(c *gin.Context) {
	n := c.Param("number")
	in := esign.VoidInput{Reason: c.PostForm("reason")}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Signing.Void(c.Request.Context(), currentUser(c), n, requestID(c), in)
	}
	p.afterAction(c, n, "void", err, in.Reason)
}

// sendContract is POST /v1/contracts/{n}/send with the company signer
// chosen from the signatories.
func (p *pages) sendContract(c *gin.Context) {
	n := c.Param("number")
	in := esign.SendInput{CompanySignerID: c.PostForm("company_signer_id"), RequireReadToEnd: c.PostForm("require_read_to_end") != ""}
	var err error
	if d := c.PostForm("deadline_days"); d != "" {
		if in.DeadlineDays, err = strconv.Atoi(d); err != nil {
			err = domain.InvalidField("deadline_days", "must be a whole number of days from 1 to 90")
		}
	}
	if err == nil {
		err = api.Validate(&in)
	}
	if err == nil {
		_, err = p.d.Signing.Send(c.Request.Context(), currentUser(c), n, requestID(c), in)
	}
	p.afterAction(c, n, "send", err, "")
}

// refusedOnContract reloads the contract page to show err beside the form
// it refused, with the status the API answers; ok is false when err was
// answered already (the 404 page, or an outage).
func (p *pages) refusedOnContract(c *gin.Context, n string, err error) (cp contractPage, status int, body api.ErrorBody, ok bool) {
	status, body = api.ErrorStatus(err)
	if status == http.StatusNotFound || status >= 500 {
		p.serviceError(c, err)
		return contractPage{}, 0, body, false
	}
	cp, lerr := p.loadContract(c, n)
	if lerr != nil {
		p.serviceError(c, lerr)
		return contractPage{}, 0, body, false
	}
	return cp, status, body, true
}

// afterAction goes back to the contract page: saying what was done, or
// with the refusal beside the action (and the status the API answers).
func (p *pages) afterAction(c *gin.Context, n, action string, err error, reason string) {
	p.afterActionAt(c, n, action, err, reason, "")
}

// afterActionAt is afterAction, going back to the page's section anchor
// (#books) when done.
func (p *pages) afterActionAt(c *gin.Context, n, action string, err error, reason, anchor string) {
	if err == nil {
		p.redirect(c, "/contracts/"+url.PathEscape(n)+"?done="+action+anchor)
		return
	}
	cp, status, body, ok := p.refusedOnContract(c, n, err)
	if !ok {
		return
	}
	a := &cp.Actions
	a.Failed, a.Errors, a.Reason = action, body.Fields, reason
	a.Typed = map[string]string{}
	if c.Request.PostForm != nil {
		for k, vs := range c.Request.PostForm {
			if k != csrfField && len(vs) > 0 {
				a.Typed[k] = vs[0]
			}
		}
	}
	if len(body.Fields) == 0 {
		a.Refusal = body.Message
	}
	if !slices.Contains(contractActionNames, action) {
		a.Failed = ""
	}
	p.showContract(c, status, cp)
}

// terminateContract is POST /v1/contracts/{n}/terminate: a reason and
// the day it takes effect; a review round decides.
func (p *pages) terminateContract(c *gin.Context) {
	n := c.Param("number")
	in := contracts.TerminateInput{Reason: c.PostForm("reason"), EffectiveDate: c.PostForm("effective_date")}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Contracts.Terminate(c.Request.Context(), currentUser(c), n, requestID(c), in)
	}
	p.afterAction(c, n, "terminate", err, in.Reason)
}

// archiveContract is POST /v1/contracts/{n}/archive.
func (p *pages) archiveContract(c *gin.Context) {
	n := c.Param("number")
	_, err := p.d.Contracts.Archive(c.Request.Context(), currentUser(c), n, requestID(c))
	p.afterAction(c, n, "archive", err, "")
}
