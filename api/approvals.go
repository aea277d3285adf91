package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/internal/policy"
)

func (h *handlers) inbox(c *gin.Context) {
	withQuery(h, func(ctx context.Context, u domain.User, _ *gin.Context, q inbox.InboxQuery) (Inbox, error) {
		return as(toInbox)(h.d.Approvals.Inbox(ctx, u, q))
	})(c)
}

func (h *handlers) task(c *gin.Context) {
	d, err := as(toTaskDetail)(h.d.Approvals.Task(c.Request.Context(), currentUser(c), c.Param("id")))
	h.respond(c, http.StatusOK, d, err)
}

func (h *handlers) savePolicy(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, p policy.Policy) (Policy, error) {
		return as(toPolicy)(h.d.Approvals.SavePolicy(ctx, u, p))
	})(c)
}

func (h *handlers) policies(c *gin.Context) {
	list, err := listAs(toPolicy)(h.d.Approvals.Policies(c.Request.Context()))
	h.respond(c, http.StatusOK, list, err)
}

func (h *handlers) policy(c *gin.Context) {
	version, err := queryVersion(c)
	if err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	p, err := as(toPolicy)(h.d.Approvals.Policy(c.Request.Context(), c.Param("id"), version))
	h.respond(c, http.StatusOK, p, err)
}

func (h *handlers) riskRules(c *gin.Context) {
	rules, err := as(toRiskRules)(h.d.Approvals.CurrentRiskRules(c.Request.Context()))
	h.respond(c, http.StatusOK, rules, err)
}

func (h *handlers) saveRiskRules(c *gin.Context) {
	withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, _ *gin.Context, in inbox.RiskRules) (RiskRules, error) {
		return as(toRiskRules)(h.d.Approvals.SaveRiskRules(ctx, u, in))
	})(c)
}

func (h *handlers) delegate(c *gin.Context) {
	withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in inbox.DelegationInput) (Delegation, error) {
		return as(toDelegation)(h.d.Approvals.Delegate(ctx, u, in))
	})(c)
}

func (h *handlers) delegations(c *gin.Context) {
	list, err := listAs(toDelegation)(h.d.Approvals.Delegations(c.Request.Context(), currentUser(c)))
	h.respond(c, http.StatusOK, list, err)
}

// revokeDelegation revokes one of the caller's delegations (any, for an
// admin); it redirects no new task.
func (h *handlers) revokeDelegation(c *gin.Context) {
	if err := h.d.Approvals.RevokeDelegation(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// contractApproval explains a contract's review rounds: why each stage.
func (h *handlers) contractApproval(c *gin.Context) {
	ctx, n := c.Request.Context(), c.Param("number")
	if err := h.d.Contracts.Visible(ctx, currentUser(c), n); err != nil {
		writeError(c, h.d.Logger, err)
		return
	}
	rounds, err := listAs(toRoundView)(h.d.Approvals.Why(ctx, n))
	h.respond(c, http.StatusOK, rounds, err)
}
