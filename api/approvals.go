package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/approval"
	"github.com/signet-clm/signet/approvals"
	"github.com/signet-clm/signet/domain"
	"github.com/signet-clm/signet/store"
)

// approvalRoutes registers the approval engine's routes: the inbox,
// policies, risk rules, delegations and the explanation of a route.
func (h *handlers) approvalRoutes(v1 *gin.RouterGroup) {
	ap := h.d.Approvals
	v1.GET("/tasks", withQuery(h, func(ctx context.Context, u domain.User, _ *gin.Context, q approvals.InboxQuery) (approvals.Inbox, error) {
		return ap.Inbox(ctx, u, q)
	}))
	v1.GET("/tasks/:id", func(c *gin.Context) {
		d, err := ap.Task(c.Request.Context(), currentUser(c), c.Param("id"))
		h.respond(c, http.StatusOK, d, err)
	})
	v1.POST("/approval-policies", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, p approval.Policy) (approval.Policy, error) {
		return ap.SavePolicy(ctx, u, p)
	}))
	v1.GET("/approval-policies/:id", func(c *gin.Context) {
		version, err := queryVersion(c)
		if err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		p, err := ap.Policy(c.Request.Context(), c.Param("id"), version)
		h.respond(c, http.StatusOK, p, err)
	})
	v1.GET("/risk-rules", func(c *gin.Context) {
		rules, err := ap.CurrentRiskRules(c.Request.Context())
		h.respond(c, http.StatusOK, rules, err)
	})
	v1.PUT("/risk-rules", withJSON(h, http.StatusOK, func(ctx context.Context, u domain.User, _ *gin.Context, in approvals.RiskRules) (approvals.RiskRules, error) {
		return ap.SaveRiskRules(ctx, u, in)
	}))
	v1.POST("/delegations", withJSON(h, http.StatusCreated, func(ctx context.Context, u domain.User, _ *gin.Context, in approvals.DelegationInput) (store.Delegation, error) {
		return ap.Delegate(ctx, u, in)
	}))
	v1.GET("/delegations", func(c *gin.Context) {
		list, err := listOf(ap.Delegations(c.Request.Context(), currentUser(c)))
		h.respond(c, http.StatusOK, list, err)
	})
	v1.GET("/contracts/:number/approval", func(c *gin.Context) {
		ctx, n := c.Request.Context(), c.Param("number")
		if err := h.d.Contracts.Visible(ctx, currentUser(c), n); err != nil {
			writeError(c, h.d.Logger, err)
			return
		}
		rounds, err := listOf(ap.Why(ctx, n))
		h.respond(c, http.StatusOK, rounds, err)
	})
}
