package approval_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/approval"
	"github.com/signet-clm/signet/internal/domain"
)

func stage(name string, role domain.Role) approval.Stage {
	return approval.Stage{Name: name, Role: role, Quorum: approval.QuorumAny, SLAHours: 24, RemindAfterHours: 8}
}

// designPolicy is DESIGN.md's example: a sales manager always; finance from
// 100,000 or payment terms over 60 days; legal for a non-standard clause or
// medium risk and above; an executive from 1,000,000.
func designPolicy() approval.Policy {
	return approval.Policy{ID: "default", Version: 3, Name: "默认审批流程", Rules: []approval.Rule{
		{Name: "always", Stages: []approval.Stage{stage("销售经理", domain.RoleSalesManager)}},
		{Name: "big", When: approval.Condition{AmountAtLeast: ptr(int64(100_000))}, Stages: []approval.Stage{stage("财务", domain.RoleFinance)}},
		{Name: "long terms", When: approval.Condition{PaymentTermsAbove: ptr(int64(60))}, Stages: []approval.Stage{stage("财务", domain.RoleFinance)}},
		{Name: "non-standard", When: approval.Condition{NonStandard: ptr(true)}, Stages: []approval.Stage{stage("法务", domain.RoleLegal)}},
		{Name: "risky", When: approval.Condition{RiskAtLeast: approval.SeverityMedium}, Stages: []approval.Stage{stage("法务", domain.RoleLegal)}},
		{Name: "huge", When: approval.Condition{AmountAtLeast: ptr(int64(1_000_000))}, Stages: []approval.Stage{stage("总经理", domain.RoleExecutive)}},
	}}
}

func names(r approval.Route) []string {
	var n []string
	for _, s := range r.Stages {
		n = append(n, s.Name)
	}
	return n
}

func TestPlanPicksStagesFromMatchingRules(t *testing.T) {
	p := designPolicy()
	small := approval.Facts{Amount: 50_000_00, Currency: "CNY", Fields: map[string]json.RawMessage{"payment_terms_days": json.RawMessage(`30`)}}
	assert.Equal(t, []string{"销售经理"}, names(approval.Plan(p, small, approval.Assessment{Level: approval.SeverityNone})))

	long := small
	long.Fields = map[string]json.RawMessage{"payment_terms_days": json.RawMessage(`90`)}
	assert.Equal(t, []string{"销售经理", "财务"}, names(approval.Plan(p, long, approval.Assessment{Level: approval.SeverityNone})))

	big := approval.Facts{Amount: 1_000_000_00, Currency: "CNY", NonStandard: 1}
	route := approval.Plan(p, big, approval.Assessment{Level: approval.SeverityHigh})
	assert.Equal(t, []string{"销售经理", "财务", "法务", "总经理"}, names(route), "each stage once, in rule order")
	assert.Equal(t, 3, route.PolicyVersion)
	require.Len(t, route.Matches, 6)
	assert.True(t, route.Matches[1].Matched)
	assert.Equal(t, "CNY 1000000.00", route.Matches[1].Saw["amount"])
	assert.Empty(t, route.Matches[2].Stages, "long terms did not match")
	assert.Empty(t, route.Matches[4].Stages, "legal was already added by the non-standard rule")

	usd := approval.Facts{Amount: 100_000_00, Currency: "USD"}
	onlyCNY := approval.Policy{Rules: []approval.Rule{{Name: "cny", When: approval.Condition{Currency: "CNY"}, Stages: []approval.Stage{stage("x", domain.RoleFinance)}}}}
	assert.Empty(t, approval.Plan(onlyCNY, usd, approval.Assessment{}).Stages)
}

func TestPolicyCheck(t *testing.T) {
	assert.Empty(t, designPolicy().Check())
	cases := map[string]func(*approval.Policy){
		"no stages":     func(p *approval.Policy) { p.Rules = []approval.Rule{{Name: "empty"}} },
		"zero SLA":      func(p *approval.Policy) { p.Rules[0].Stages[0].SLAHours = 0 },
		"unknown role":  func(p *approval.Policy) { p.Rules[0].Stages[0].Role = "ceo" },
		"reminder late": func(p *approval.Policy) { p.Rules[0].Stages[0].RemindAfterHours = 24 },
		"no approvers":  func(p *approval.Policy) { p.Rules[0].Stages[0].Role = "" },
		"escalation loop": func(p *approval.Policy) {
			p.Rules[0].Stages[0].EscalateTo = approval.Escalation{Role: domain.RoleExecutive}
			p.Rules[5].Stages[0].EscalateTo = approval.Escalation{Role: domain.RoleSalesManager}
		},
		"escalation to itself": func(p *approval.Policy) {
			p.Rules[1].Stages[0].EscalateTo = approval.Escalation{Role: domain.RoleFinance}
		},
	}
	for name, edit := range cases {
		p := designPolicy()
		edit(&p)
		assert.NotEmpty(t, p.Check(), name)
	}
	p := designPolicy()
	p.Rules[0].Stages[0].EscalateTo = approval.Escalation{Role: domain.RoleExecutive}
	assert.Empty(t, p.Check(), "escalating upward is fine")
}
