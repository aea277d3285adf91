package console

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/inbox"
)

// 我的委托 (/account/delegations): everyone hands their approvals to a
// colleague for a while, and revokes it, as POST /v1/delegations and
// DELETE /v1/delegations/{id} do through the same inbox service (the
// delegate must be active and hold the delegator's roles).
type delegationsPage struct {
	Items  []api.Delegation
	Form   inbox.DelegationInput
	Errors map[string]string
	Other  []api.FieldError
	Done   string
}

func (p *pages) delegations(c *gin.Context) {
	p.showDelegations(c, http.StatusOK, delegationsPage{Done: c.Query("done")})
}

func (p *pages) showDelegations(c *gin.Context, status int, dp delegationsPage) {
	list, err := p.d.Approvals.Delegations(c.Request.Context(), currentUser(c))
	if err != nil {
		p.serviceError(c, err)
		return
	}
	for _, d := range list {
		dp.Items = append(dp.Items, api.DelegationOf(d))
	}
	v := p.view(c, "account", dp)
	v.Title = v.T("delegations.title")
	p.render(c, status, "delegations", v)
}

func (p *pages) delegate(c *gin.Context) {
	in := inbox.DelegationInput{DelegateID: strings.TrimSpace(c.PostForm("delegate_id")), StartsOn: c.PostForm("starts_on"), EndsOn: c.PostForm("ends_on")}
	err := api.Validate(&in)
	if err == nil {
		_, err = p.d.Approvals.Delegate(c.Request.Context(), currentUser(c), in)
	}
	if err == nil {
		p.redirect(c, "/account/delegations?done=added")
		return
	}
	status, body := api.ErrorStatus(err)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden {
		p.serviceError(c, err)
		return
	}
	dp := delegationsPage{Form: in, Errors: map[string]string{}}
	for _, fe := range body.Fields {
		dp.Errors[fe.Field] = fe.Message
	}
	if len(body.Fields) == 0 {
		dp.Other = []api.FieldError{{Message: body.Message}}
	}
	p.showDelegations(c, status, dp)
}

func (p *pages) revokeDelegation(c *gin.Context) {
	if err := p.d.Approvals.RevokeDelegation(c.Request.Context(), currentUser(c), c.Param("id")); err != nil {
		p.serviceError(c, err)
		return
	}
	p.redirect(c, "/account/delegations?done=revoked")
}
