package policy_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/policy"
)

func stage(name string, role domain.Role) policy.Stage {
	return policy.Stage{Name: name, Role: role, Quorum: policy.QuorumAny, SLAHours: 24, RemindAfterHours: 8}
}

// designPolicy is DESIGN.md's example: a sales manager always; finance from
// 100,000 or payment terms over 60 days; legal for a non-standard clause or
// medium risk and above; an executive from 1,000,000.
func designPolicy() policy.Policy {
	return policy.Policy{ID: "default", Version: 3, Name: "默认审批流程", Rules: []policy.Rule{
		{Name: "always", Stages: []policy.Stage{stage("销售经理", domain.RoleSalesManager)}},
		{Name: "big", When: policy.Condition{AmountAtLeast: ptr(int64(100_000))}, Stages: []policy.Stage{stage("财务", domain.RoleFinance)}},
		{Name: "long terms", When: policy.Condition{PaymentTermsAbove: ptr(int64(60))}, Stages: []policy.Stage{stage("财务", domain.RoleFinance)}},
		{Name: "non-standard", When: policy.Condition{NonStandard: ptr(true)}, Stages: []policy.Stage{stage("法务", domain.RoleLegal)}},
		{Name: "risky", When: policy.Condition{RiskAtLeast: policy.SeverityMedium}, Stages: []policy.Stage{stage("法务", domain.RoleLegal)}},
		{Name: "huge", When: policy.Condition{AmountAtLeast: ptr(int64(1_000_000))}, Stages: []policy.Stage{stage("总经理", domain.RoleExecutive)}},
	}}
}

func names(r policy.Route) []string {
	var n []string
	for _, s := range r.Stages {
		n = append(n, s.Name)
	}
	return n
}

func TestPlanPicksStagesFromMatchingRules(t *testing.T) {
	p := designPolicy()
	small := policy.Facts{Amount: 50_000_00, Currency: "CNY", Fields: map[string]json.RawMessage{"payment_terms_days": json.RawMessage(`30`)}}
	assert.Equal(t, []string{"销售经理"}, names(policy.Plan(p, small, policy.Assessment{Level: policy.SeverityNone})))

	long := small
	long.Fields = map[string]json.RawMessage{"payment_terms_days": json.RawMessage(`90`)}
	assert.Equal(t, []string{"销售经理", "财务"}, names(policy.Plan(p, long, policy.Assessment{Level: policy.SeverityNone})))

	big := policy.Facts{Amount: 1_000_000_00, Currency: "CNY", NonStandard: 1}
	route := policy.Plan(p, big, policy.Assessment{Level: policy.SeverityHigh})
	assert.Equal(t, []string{"销售经理", "财务", "法务", "总经理"}, names(route), "each stage once, in rule order")
	assert.Equal(t, 3, route.PolicyVersion)
	require.Len(t, route.Matches, 6)
	assert.True(t, route.Matches[1].Matched)
	assert.Equal(t, "CNY 1000000.00", route.Matches[1].Saw["amount"])
	assert.Empty(t, route.Matches[2].Stages, "long terms did not match")
	assert.Empty(t, route.Matches[4].Stages, "legal was already added by the non-standard rule")

	usd := policy.Facts{Amount: 100_000_00, Currency: "USD"}
	onlyCNY := policy.Policy{Rules: []policy.Rule{{Name: "cny", When: policy.Condition{Currency: "CNY"}, Stages: []policy.Stage{stage("x", domain.RoleFinance)}}}}
	assert.Empty(t, policy.Plan(onlyCNY, usd, policy.Assessment{}).Stages)
}

func TestPolicyCheck(t *testing.T) {
	assert.Empty(t, designPolicy().Check())
	cases := map[string]func(*policy.Policy){
		"no stages":     func(p *policy.Policy) { p.Rules = []policy.Rule{{Name: "empty"}} },
		"zero SLA":      func(p *policy.Policy) { p.Rules[0].Stages[0].SLAHours = 0 },
		"unknown role":  func(p *policy.Policy) { p.Rules[0].Stages[0].Role = "ceo" },
		"reminder late": func(p *policy.Policy) { p.Rules[0].Stages[0].RemindAfterHours = 24 },
		"no approvers":  func(p *policy.Policy) { p.Rules[0].Stages[0].Role = "" },
		"escalation loop": func(p *policy.Policy) {
			p.Rules[0].Stages[0].EscalateTo = policy.Escalation{Role: domain.RoleExecutive}
			p.Rules[5].Stages[0].EscalateTo = policy.Escalation{Role: domain.RoleSalesManager}
		},
		"escalation to itself": func(p *policy.Policy) {
			p.Rules[1].Stages[0].EscalateTo = policy.Escalation{Role: domain.RoleFinance}
		},
	}
	for name, edit := range cases {
		p := designPolicy()
		edit(&p)
		assert.NotEmpty(t, p.Check(), name)
	}
	p := designPolicy()
	p.Rules[0].Stages[0].EscalateTo = policy.Escalation{Role: domain.RoleExecutive}
	assert.Empty(t, p.Check(), "escalating upward is fine")
}
