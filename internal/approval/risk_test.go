package approval_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/signet-clm/signet/internal/approval"
)

func ptr[T any](v T) *T { return &v }

func facts() approval.Facts {
	return approval.Facts{
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
		rule  approval.RiskRule
		edit  func(*approval.Facts)
		found bool
	}{
		{"required clause present", approval.RiskRule{Kind: approval.RuleRequiredClause, Clause: "liability"}, nil, false},
		{"required clause missing", approval.RiskRule{Kind: approval.RuleRequiredClause, Clause: "warranty"}, nil, true},
		{"liability cap within limit", approval.RiskRule{Kind: approval.RuleLiabilityCap, Field: "liability_cap", MaxAmount: ptr(int64(100_000_000))}, nil, false},
		{"liability cap above limit", approval.RiskRule{Kind: approval.RuleLiabilityCap, Field: "liability_cap", MaxAmount: ptr(int64(10_000_000))}, nil, true},
		{"liability cap missing", approval.RiskRule{Kind: approval.RuleLiabilityCap, Field: "liability_cap"},
			func(f *approval.Facts) { delete(f.Fields, "liability_cap") }, true},
		{"payment terms within", approval.RiskRule{Kind: approval.RulePaymentTerms, Field: "payment_terms_days", MaxDays: ptr(int64(60))}, nil, false},
		{"payment terms too long", approval.RiskRule{Kind: approval.RulePaymentTerms, Field: "payment_terms_days", MaxDays: ptr(int64(60))},
			func(f *approval.Facts) { f.Fields["payment_terms_days"] = json.RawMessage(`90`) }, true},
		{"payment terms exactly at the limit", approval.RiskRule{Kind: approval.RulePaymentTerms, Field: "payment_terms_days", MaxDays: ptr(int64(30))}, nil, false},
		{"discount within", approval.RiskRule{Kind: approval.RuleDiscount, MaxDiscountBP: ptr(1000)}, nil, false},
		{"discount above", approval.RiskRule{Kind: approval.RuleDiscount, MaxDiscountBP: ptr(300)}, nil, true},
		{"forbidden phrase absent", approval.RiskRule{Kind: approval.RuleForbiddenTerm, Phrase: "无限连带责任"}, nil, false},
		{"forbidden phrase present", approval.RiskRule{Kind: approval.RuleForbiddenTerm, Phrase: "赔偿总额"}, nil, true},
		{"no non-standard clause", approval.RiskRule{Kind: approval.RuleNonStandard}, nil, false},
		{"non-standard clause used", approval.RiskRule{Kind: approval.RuleNonStandard}, func(f *approval.Facts) { f.NonStandard = 1 }, true},
	}
	for _, tc := range cases {
		f := facts()
		if tc.edit != nil {
			tc.edit(&f)
		}
		tc.rule.ID, tc.rule.Severity = "r", approval.SeverityMedium
		a := approval.Assess([]approval.RiskRule{tc.rule}, f)
		assert.Equal(t, tc.found, len(a.Findings) == 1, tc.name)
		if tc.found {
			assert.NotEmpty(t, a.Findings[0].Message, tc.name)
			assert.Equal(t, approval.SeverityMedium, a.Level, tc.name)
		} else {
			assert.Equal(t, approval.SeverityNone, a.Level, tc.name)
		}
	}
}

func TestRiskLevelIsTheHighestFindingAndBlockingStops(t *testing.T) {
	rules := []approval.RiskRule{
		{ID: "a", Kind: approval.RuleRequiredClause, Clause: "warranty", Severity: approval.SeverityLow},
		{ID: "b", Kind: approval.RuleDiscount, MaxDiscountBP: ptr(100), Severity: approval.SeverityHigh},
		{ID: "c", Kind: approval.RuleNonStandard, Severity: approval.SeverityMedium},
	}
	a := approval.Assess(rules, facts())
	assert.Equal(t, approval.SeverityHigh, a.Level)
	assert.Len(t, a.Findings, 2)
	assert.False(t, a.Blocked)
	rules[1].Block = true
	assert.True(t, approval.Assess(rules, facts()).Blocked)
}

func TestRiskRuleCheck(t *testing.T) {
	assert.Len(t, approval.RiskRule{Kind: approval.RulePaymentTerms}.Check(), 2)
	assert.Len(t, approval.RiskRule{Kind: approval.RuleForbiddenTerm, Phrase: "  "}.Check(), 1)
	assert.Empty(t, approval.RiskRule{Kind: approval.RuleNonStandard}.Check())
}
