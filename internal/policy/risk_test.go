package policy_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/internal/policy"
)

func ptr[T any](v T) *T { return &v }

func facts() policy.Facts {
	return policy.Facts{
		Amount: 110_740_00, Currency: "CNY", TemplateID: "sales-zh",
		Clauses: []string{"subject", "payment", "liability"},
		Text:    "甲方向乙方出售产品。赔偿总额不超过人民币 500,000.00 元。",
		Fields: map[string]json.RawMessage{
			"liability_cap": json.RawMessage(`50000000`), "payment_terms_days": json.RawMessage(`30`),
		},
		MaxDiscountBP: 500,
	}
}

func TestEveryRiskRule(t *testing.T) {
	cases := []struct {
		name  string
		rule  policy.RiskRule
		edit  func(*policy.Facts)
		found bool
	}{
		{"required clause present", policy.RiskRule{Kind: policy.RuleRequiredClause, Clause: "liability"}, nil, false},
		{"required clause missing", policy.RiskRule{Kind: policy.RuleRequiredClause, Clause: "warranty"}, nil, true},
		{"liability cap within limit", policy.RiskRule{Kind: policy.RuleLiabilityCap, Field: "liability_cap", MaxAmount: ptr(int64(100_000_000))}, nil, false},
		{"liability cap above limit", policy.RiskRule{Kind: policy.RuleLiabilityCap, Field: "liability_cap", MaxAmount: ptr(int64(10_000_000))}, nil, true},
		{"liability cap missing", policy.RiskRule{Kind: policy.RuleLiabilityCap, Field: "liability_cap"},
			func(f *policy.Facts) { delete(f.Fields, "liability_cap") }, true},
		{"payment terms within", policy.RiskRule{Kind: policy.RulePaymentTerms, Field: "payment_terms_days", MaxDays: ptr(int64(60))}, nil, false},
		{"payment terms too long", policy.RiskRule{Kind: policy.RulePaymentTerms, Field: "payment_terms_days", MaxDays: ptr(int64(60))},
			func(f *policy.Facts) { f.Fields["payment_terms_days"] = json.RawMessage(`90`) }, true},
		{"payment terms exactly at the limit", policy.RiskRule{Kind: policy.RulePaymentTerms, Field: "payment_terms_days", MaxDays: ptr(int64(30))}, nil, false},
		{"discount within", policy.RiskRule{Kind: policy.RuleDiscount, MaxDiscountBP: ptr(1000)}, nil, false},
		{"discount above", policy.RiskRule{Kind: policy.RuleDiscount, MaxDiscountBP: ptr(300)}, nil, true},
		{"forbidden phrase absent", policy.RiskRule{Kind: policy.RuleForbiddenTerm, Phrase: "无限连带责任"}, nil, false},
		{"forbidden phrase present", policy.RiskRule{Kind: policy.RuleForbiddenTerm, Phrase: "赔偿总额"}, nil, true},
		{"no non-standard clause", policy.RiskRule{Kind: policy.RuleNonStandard}, nil, false},
		{"non-standard clause used", policy.RiskRule{Kind: policy.RuleNonStandard}, func(f *policy.Facts) { f.NonStandard = 1 }, true},
	}
	for _, tc := range cases {
		f := facts()
		if tc.edit != nil {
			tc.edit(&f)
		}
		tc.rule.ID, tc.rule.Severity = "r", policy.SeverityMedium
		a := policy.Assess([]policy.RiskRule{tc.rule}, f)
		assert.Equal(t, tc.found, len(a.Findings) == 1, tc.name)
		if tc.found {
			assert.NotEmpty(t, a.Findings[0].Message, tc.name)
			assert.Equal(t, policy.SeverityMedium, a.Level, tc.name)
		} else {
			assert.Equal(t, policy.SeverityNone, a.Level, tc.name)
		}
	}
}

func TestRiskLevelIsTheHighestFindingAndBlockingStops(t *testing.T) {
	rules := []policy.RiskRule{
		{ID: "a", Kind: policy.RuleRequiredClause, Clause: "warranty", Severity: policy.SeverityLow},
		{ID: "b", Kind: policy.RuleDiscount, MaxDiscountBP: ptr(100), Severity: policy.SeverityHigh},
		{ID: "c", Kind: policy.RuleNonStandard, Severity: policy.SeverityMedium},
	}
	a := policy.Assess(rules, facts())
	assert.Equal(t, policy.SeverityHigh, a.Level)
	assert.Len(t, a.Findings, 2)
	assert.False(t, a.Blocked)
	rules[1].Block = true
	assert.True(t, policy.Assess(rules, facts()).Blocked)
}

func TestRiskRuleCheck(t *testing.T) {
	assert.Len(t, policy.RiskRule{Kind: policy.RulePaymentTerms}.Check(), 2)
	assert.Len(t, policy.RiskRule{Kind: policy.RuleForbiddenTerm, Phrase: "  "}.Check(), 1)
	assert.Empty(t, policy.RiskRule{Kind: policy.RuleNonStandard}.Check())
}
