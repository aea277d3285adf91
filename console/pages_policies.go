package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/signet-clm/signet/api"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/inbox"
	"github.com/signet-clm/signet/internal/policy"
)

// 审批流程 and 风险规则 (/admin/policies, /admin/risk-rules): admins edit a
// policy as the JSON POST /v1/approval-policies takes, see the service's
// refusals listed under it by path, and preview the route a sample
// contract would take through the policy as typed before saving a
// version; legal and admins edit the risk rules the same way.

var (
	policyAdmins = []domain.Role{domain.RoleAdmin}
	riskEditors  = []domain.Role{domain.RoleAdmin, domain.RoleLegal}
)

type policiesPage struct {
	Items []api.Policy
}

func (p *pages) policiesList(c *gin.Context) {
	list, err := p.d.Approvals.Policies(c.Request.Context())
	if err != nil {
		p.serviceError(c, err)
		return
	}
	var pp policiesPage
	for _, x := range list {
		pp.Items = append(pp.Items, api.PolicyOf(x))
	}
	v := p.view(c, "policies", pp)
	v.Title = v.T("policies.title")
	p.render(c, http.StatusOK, "policies", v)
}

// policyEditor is a policy's editor: the JSON as typed, the refusals by
// path, the sample contract and the route it would take.
type policyEditor struct {
	ID      string
	Version int
	Body    string
	Errors  []api.FieldError
	Sample  sampleForm
	Route   *policy.Route
	Done    string
	// Risk marks the risk rules' editor, which shares the page.
	Risk bool
}

type sampleForm struct {
	Amount, Currency, TemplateID, MaxDiscount, PaymentDays, NonStandard string
}

func indented(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return string(raw)
	}
	return out.String()
}

func (p *pages) policyEditor(c *gin.Context) {
	id := c.Param("id")
	e := policyEditor{Sample: sampleForm{Amount: "200000", Currency: "CNY", TemplateID: "sales-zh", PaymentDays: "30", NonStandard: "0"}, Done: c.Query("done")}
	if id == "" {
		e.Body = indented(policy.Policy{ID: "", Name: "", Rules: []policy.Rule{}})
	} else {
		pol, err := p.d.Approvals.Policy(c.Request.Context(), id, 0)
		if err != nil {
			p.serviceError(c, err)
			return
		}
		e.ID, e.Version = pol.ID, pol.Version
		pol.Version = 0
		e.Body = indented(pol)
	}
	p.showPolicy(c, http.StatusOK, e)
}

func (p *pages) showPolicy(c *gin.Context, status int, e policyEditor) {
	v := p.view(c, "policies", e)
	v.Title = v.T("policies.title")
	if e.Risk {
		v.Nav, v.Title = "risk", v.T("risk.title")
	}
	p.render(c, status, "policy", v)
}

// decodeStrict reads body into dst, refusing unknown keys; a syntax or
// type error names where it is.
func decodeStrict(body string, dst any) error {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		line := 1 + strings.Count(body[:min(int(syn.Offset), len(body))], "\n")
		return domain.InvalidField("body", fmt.Sprintf("is not valid JSON at line %d: %s", line, syn.Error()))
	case errors.As(err, &typ):
		return domain.InvalidField(typ.Field, fmt.Sprintf("must be %s", typ.Type))
	default:
		return domain.InvalidField("body", err.Error())
	}
}

// savePolicy previews (action=preview) or saves the policy as typed.
func (p *pages) savePolicy(c *gin.Context) {
	e := policyEditor{ID: c.Param("id"), Body: c.PostForm("body"), Sample: sampleForm{Amount: c.PostForm("amount"), Currency: strings.ToUpper(strings.TrimSpace(c.PostForm("currency"))),
		TemplateID: strings.TrimSpace(c.PostForm("template_id")), MaxDiscount: c.PostForm("max_discount_bp"), PaymentDays: c.PostForm("payment_terms_days"), NonStandard: c.PostForm("non_standard")}}
	var pol policy.Policy
	err := decodeStrict(e.Body, &pol)
	if err == nil && e.ID != "" && pol.ID != e.ID {
		err = domain.InvalidField("id", "must stay "+e.ID+" on this page (a new ID is a new policy)")
	}
	if err == nil {
		err = api.Validate(&pol)
	}
	if err == nil && c.PostForm("action") == "preview" {
		var sample inbox.SampleContract
		if sample, err = e.Sample.contract(); err == nil {
			err = api.Validate(&sample)
		}
		if err == nil {
			var route policy.Route
			if route, err = p.d.Approvals.PreviewRoute(c.Request.Context(), currentUser(c), pol, sample); err == nil {
				e.Route = &route
				p.showPolicy(c, http.StatusOK, e)
				return
			}
		}
	} else if err == nil {
		var saved policy.Policy
		if saved, err = p.d.Approvals.SavePolicy(c.Request.Context(), currentUser(c), pol); err == nil {
			p.redirect(c, fmt.Sprintf("/admin/policies/%s?done=%d", saved.ID, saved.Version))
			return
		}
	}
	p.editorRefused(c, err, e)
}

func (f sampleForm) contract() (inbox.SampleContract, error) {
	bad := &domain.ValidationError{}
	num := func(field, s string) int64 {
		if strings.TrimSpace(s) == "" {
			return 0
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			bad.Add(field, "must be a whole number")
		}
		return n
	}
	out := inbox.SampleContract{Amount: num("amount", f.Amount), Currency: f.Currency, TemplateID: f.TemplateID,
		MaxDiscountBP: int(num("max_discount_bp", f.MaxDiscount)), NonStandard: int(num("non_standard", f.NonStandard))}
	if strings.TrimSpace(f.PaymentDays) != "" {
		d := num("payment_terms_days", f.PaymentDays)
		out.PaymentTermsDays = &d
	}
	return out, bad.OrNil()
}

// editorRefused shows the editor again with the refusal's fields listed
// under the JSON (or beside the sample's inputs).
func (p *pages) editorRefused(c *gin.Context, err error, e policyEditor) {
	status, body := api.ErrorStatus(err)
	if status >= 500 || status == http.StatusForbidden || status == http.StatusNotFound {
		p.serviceError(c, err)
		return
	}
	e.Errors = body.Fields
	if len(e.Errors) == 0 {
		e.Errors = []api.FieldError{{Field: "", Message: body.Message}}
	}
	p.showPolicy(c, status, e)
}

// riskRules is the risk rules' editor (GET /admin/risk-rules).
func (p *pages) riskRules(c *gin.Context) {
	rules, err := p.d.Approvals.CurrentRiskRules(c.Request.Context())
	if err != nil {
		p.serviceError(c, err)
		return
	}
	p.showPolicy(c, http.StatusOK, policyEditor{Risk: true, Version: rules.Version, Body: indented(rules.Rules), Done: c.Query("done")})
}

// saveRiskRules replaces the rule set with the JSON list as typed, as
// PUT /v1/risk-rules does.
func (p *pages) saveRiskRules(c *gin.Context) {
	e := policyEditor{Risk: true, Body: c.PostForm("body")}
	in := inbox.RiskRules{}
	err := decodeStrict(e.Body, &in.Rules)
	if err == nil {
		err = api.Validate(&in)
	}
	if err == nil {
		var saved inbox.RiskRules
		if saved, err = p.d.Approvals.SaveRiskRules(c.Request.Context(), currentUser(c), in); err == nil {
			p.redirect(c, fmt.Sprintf("/admin/risk-rules?done=%d", saved.Version))
			return
		}
	}
	p.editorRefused(c, err, e)
}
